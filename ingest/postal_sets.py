"""The default area-set name of a postal page: the region its first letter stands for
(seeds/canadian_postal_regions.csv, which the dbt models read too), e.g. M -> toronto_fsa."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from ingest.errors import IngestError

REGIONS_FILE = Path(__file__).resolve().parents[1] / "seeds" / "canadian_postal_regions.csv"


@cache
def _by_letter() -> dict[str, str]:
    with REGIONS_FILE.open(encoding="utf-8", newline="") as file:
        return {row["letter"]: row["area_set"] for row in csv.DictReader(file)}


def default_area_set(postal_codes: Iterable[str]) -> str:
    """The set name for a page listing these codes: by their (commonest) first letter."""
    letters: dict[str, int] = {}
    for code in postal_codes:
        letter = code.strip().upper()[:1]
        letters[letter] = letters.get(letter, 0) + 1
    if not letters:
        raise IngestError("a postal page without postal codes has no area set")
    letter = max(sorted(letters), key=letters.__getitem__)
    try:
        return _by_letter()[letter]
    except KeyError as error:
        raise IngestError(
            f"postal codes starting with {letter!r} are not Canadian; name the area set with --area-set"
        ) from error


def postal_set_names() -> frozenset[str]:
    """Every name a postal page's set takes by default (toronto_fsa, montreal_fsa ...)."""
    return frozenset(_by_letter().values())
