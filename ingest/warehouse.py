"""The warehouse as the ingesters open it: every source's raw tables (their DDL lives beside each
source's landing) and DuckDB's spatial extension; and the list of areas the live venue fetch reads
(a dbt model built before any venue)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest import areas, boundaries, overture, points, taxonomy
from ingest.coordinates import store as coordinates_store
from ingest.errors import IngestError
from ingest.raw_store import database_path, in_use_error, open_database
from ingest.settings import project_settings
from ingest.spatial import load_spatial
from ingest.venues import store as venue_store
from ingest.venues.providers import Area
from ingest.wikipedia import store as wikipedia_store

__all__ = ["areas_to_fetch", "connect", "database_path", "in_use_error", "known_area_sets"]

_SOURCES = (wikipedia_store, coordinates_store, venue_store, points, overture, boundaries, areas, taxonomy)


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for landing, creating it and the raw tables if need be."""
    connection = open_database(path)
    load_spatial(connection)
    connection.execute("create schema if not exists raw")
    for source in _SOURCES:
        connection.execute(source.DDL)
    return connection


def known_area_sets(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Every set: of the boundary files landed, and of area_search_circles when it is built."""
    sets = {name for (name,) in connection.execute("select distinct area_set from raw.area_files").fetchall()}
    sets |= set(_circle_sets(connection) or [])
    if not sets:
        raise IngestError(
            "no area set is known: land a boundary file (`python -m ingest areas`), or a postal page and its "
            "coordinates and `dbt build --select +area_search_circles`"
        )
    return sorted(sets)


def _circle_sets(connection: duckdb.DuckDBPyConnection) -> list[str] | None:
    """The sets of area_search_circles (built before any venue), None when it is not built."""
    relation = f"{project_settings().build_schema}.area_search_circles"
    try:
        return [
            name
            for (name,) in connection.execute(
                f"select distinct area_set from {relation} order by 1"
            ).fetchall()
        ]
    except duckdb.CatalogException:
        return None


def areas_to_fetch(connection: duckdb.DuckDBPyConnection, area_set: str | None) -> list[Area]:
    """The areas of a set to fetch venues for, from the area_search_circles model (built before any
    venue: `dbt build --select +area_search_circles`): each area's centre, and for a polygon area
    the radius of the circle that covers it. Without a set, the postal set."""
    relation = f"{project_settings().build_schema}.area_search_circles"
    known = _circle_sets(connection)
    if known is None:
        raise IngestError(
            f"{relation} is not built yet, so there are no areas to fetch venues for: land the areas (the postal "
            "codes and coordinates with `python -m ingest all`, or a boundary file with `python -m ingest areas`), "
            "run `dbt build --select +area_search_circles`, then fetch venues"
        )
    wanted = (
        area_set or wikipedia_store.postal_area_set(connection) or (known[0] if len(known) == 1 else None)
    )
    if wanted is None:
        raise IngestError(
            f"name the area set to fetch venues for with --area-set (the sets are {known or 'none'})"
        )
    rows = connection.execute(
        f"select area_id, latitude, longitude, radius_m, geometry_kind from {relation} "
        "where area_set = ? and latitude is not null and longitude is not null order by area_id",
        [wanted],
    ).fetchall()
    if not rows:
        raise IngestError(
            f"{relation} has no area of the set {wanted!r} with a centre (it has the sets {known or 'none'}); "
            "run `dbt build --select +area_search_circles` after landing the areas"
        )
    return [
        Area(area_id, latitude, longitude, wanted, int(radius) if kind == "polygon" else None)
        for area_id, latitude, longitude, radius, kind in rows
    ]
