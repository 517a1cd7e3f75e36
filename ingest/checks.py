"""Warnings at ingest, so that a problem is named before `dbt build` fails on it: the page's
assigned postal codes against the coordinates file's, and rows of one code that lie far apart.
The build's tests (int_postal_codes_reconciled, int_coordinates_aggregated) are what decide; these
only say it first, with the same settings (dbt_project.yml vars)."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

import duckdb

from ingest.coordinates import CoordinateRow
from ingest.settings import project_settings

_FULL_POSTAL_CODE = re.compile(r"^([A-Z][0-9][A-Z]) ?([0-9][A-Z][0-9])$")
_SHOWN = 12  # codes named in a warning, at most


def normalise_postal_code(text: str) -> str:
    """As the staging model does: upper-cased, spaces collapsed, a full code as "M5A 1A1"."""
    code = " ".join(text.upper().split())
    return _FULL_POSTAL_CODE.sub(r"\1 \2", code)


def coordinate_conflicts(rows: Sequence[CoordinateRow]) -> list[tuple[str, float]]:
    """Codes listed more than once with rows further apart than the build allows, and how far."""
    by_code: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for row in rows:
        try:
            by_code[normalise_postal_code(row.postal_code)].append(
                (float(row.latitude), float(row.longitude))
            )
        except ValueError:
            continue
    limit = project_settings().max_centroid_spread_m
    conflicts = []
    for code, points in by_code.items():
        spread = max(
            (_metres(*one, *other) for index, one in enumerate(points) for other in points[index + 1 :]),
            default=0.0,
        )
        if spread > limit:
            conflicts.append((code, spread))
    return sorted(conflicts)


def describe_conflicts(conflicts: Sequence[tuple[str, float]]) -> str:
    shown = ", ".join(f"{code} ({spread / 1000:,.1f} km apart)" for code, spread in conflicts[:_SHOWN])
    more = f" and {len(conflicts) - _SHOWN} more" if len(conflicts) > _SHOWN else ""
    return (
        f"the coordinates file lists {len(conflicts)} postal codes more than once with rows further than "
        f"{project_settings().max_centroid_spread_m:,.0f} m apart: {shown}{more}. `dbt build` will fail "
        "on them (test coordinate_rows_of_one_code_agree) until the file is corrected"
    )


def page_and_coordinates_mismatch(connection: duckdb.DuckDBPyConnection) -> str | None:
    """A warning naming the postal codes that only one of the latest page and the latest
    coordinates file has (within the letters the page covers), or None when they agree or one of
    them has not been landed yet."""
    page_rows = connection.execute(
        "select postal_code, borough from raw.wikipedia_postal_code_rows where load_id = "
        "(select load_id from raw.wikipedia_pages order by loaded_at desc, load_id desc limit 1)"
    ).fetchall()
    coordinate_codes = [
        code
        for (code,) in connection.execute(
            "select postal_code from raw.coordinates where load_id = "
            "(select load_id from raw.coordinate_files order by loaded_at desc, load_id desc limit 1)"
        ).fetchall()
    ]
    if not page_rows or not coordinate_codes:
        return None
    settings = project_settings()
    marker = settings.unassigned_marker.lower()
    assigned = {
        code.strip().upper()
        for code, borough in page_rows
        if borough and " ".join(borough.split()).lower() != marker
    }
    letters = {code.strip().upper()[:1] for code, _ in page_rows}
    in_coordinates = _codes_in_scope(coordinate_codes, settings.postal_code_pattern, letters)
    only_on_page = sorted(assigned - in_coordinates)
    only_in_coordinates = sorted(in_coordinates - assigned)
    if not only_on_page and not only_in_coordinates:
        return None
    parts = []
    if only_on_page:
        parts.append(f"{len(only_on_page)} assigned on the page have no coordinates ({_named(only_on_page)})")
    if only_in_coordinates:
        parts.append(
            f"{len(only_in_coordinates)} in the coordinates file are not assigned on the page "
            f"({_named(only_in_coordinates)})"
        )
    return (
        "the page and the coordinates file disagree: "
        + "; ".join(parts)
        + ". `dbt build` will fail (test postal_codes_on_the_page_and_in_the_coordinates_agree) until "
        "they agree: is one of them cut short, or of another city?"
    )


def _codes_in_scope(codes: Iterable[str], pattern: str, letters: set[str]) -> set[str]:
    """The codes the build compares: shaped like the page's, of the page's letters; full codes
    also stand for their FSA (as int_coordinates_aggregated makes it)."""
    shape = re.compile(pattern)
    found: set[str] = set()
    for raw in codes:
        code = normalise_postal_code(raw)
        candidates = [code]
        if _FULL_POSTAL_CODE.match(code):
            candidates.append(code[:3])
        found.update(c for c in candidates if shape.fullmatch(c) and c[:1] in letters)
    return found


def _named(codes: Sequence[str]) -> str:
    more = f" and {len(codes) - _SHOWN} more" if len(codes) > _SHOWN else ""
    return ", ".join(codes[:_SHOWN]) + more


def _metres(latitude_1: float, longitude_1: float, latitude_2: float, longitude_2: float) -> float:
    phi_1, phi_2 = math.radians(latitude_1), math.radians(latitude_2)
    d_phi, d_lambda = phi_2 - phi_1, math.radians(longitude_2 - longitude_1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi_1) * math.cos(phi_2) * math.sin(d_lambda / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(a))
