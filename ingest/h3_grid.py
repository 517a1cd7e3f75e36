"""`python -m ingest areas --grid h3:RES`: the H3 cells (h3-py) that overlap a box or a polygon, as
an area set written to a GeoParquet file: id and name = the cell's index as H3 writes it, parent =
its parent cell two resolutions up, geometry = the cell's hexagon (or pentagon)."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import duckdb
import h3

from ingest.errors import IngestError

GRID = re.compile(r"h3:(\d+)")
RESOLUTIONS = range(5, 11)
MAX_CELLS = 200_000
PARENT_LEVELS = 2  # a cell's parent: the cell two resolutions up


class GridError(IngestError):
    """A grid cannot be made as asked."""


def resolution(text: str) -> int:
    """The resolution of a --grid value such as h3:8."""
    match = GRID.fullmatch(text.strip().lower())
    if not match or int(match.group(1)) not in RESOLUTIONS:
        raise GridError(
            f"--grid {text!r}: expected h3:RES with RES from {RESOLUTIONS[0]} to {RESOLUTIONS[-1]} "
            "(h3:8: cells of about 0.74 km², 460 m a side; h3:7: 5.2 km²; h3:9: 0.1 km²)"
        )
    return int(match.group(1))


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    """A box as a GeoJSON polygon."""
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def cells(shape: dict[str, Any], res: int, what: str) -> list[str]:
    """The cells overlapping a GeoJSON Polygon or MultiPolygon, sorted; more than MAX_CELLS is
    refused, saying how many it would be."""
    polygon = h3.geo_to_h3shape(shape)
    # The count at a coarser resolution, times 7 a level, is about the count at RES: a shape far too
    # big is refused before its cells are listed.
    coarse = max(res - 3, 0)
    estimate = len(h3.h3shape_to_cells_experimental(polygon, coarse, contain="center")) * 7 ** (res - coarse)
    if estimate > 2 * MAX_CELLS:
        raise GridError(_too_many(what, res, f"about {estimate:,}"))
    found = sorted(h3.h3shape_to_cells_experimental(polygon, res, contain="overlap"))
    if len(found) > MAX_CELLS:
        raise GridError(_too_many(what, res, f"{len(found):,}"))
    if not found:
        raise GridError(f"no h3:{res} cell overlaps {what}")
    return found


def write(connection: duckdb.DuckDBPyConnection, found: list[str], file: Path) -> None:
    """The cells as a GeoParquet file of areas (id, name, parent, geometry), in index order."""
    res = h3.get_resolution(found[0])
    parent = max(res - PARENT_LEVELS, 0)
    # Through a CSV file beside it, not bound parameters: DuckDB imports pandas to bind any (~1 s).
    table = file.with_suffix(".csv")
    with table.open("w", newline="") as out:
        csv.writer(out).writerows((cell, h3.cell_to_parent(cell, parent), _wkt(cell)) for cell in found)
    try:
        connection.execute(
            "copy (select id, id as name, parent, ST_GeomFromText(wkt) as geometry from read_csv("
            f"'{_escaped(table)}', header = false, delim = ',', quote = '\"', columns = {{'id': 'varchar', 'parent': 'varchar', "
            f"'wkt': 'varchar'}}) order by id) to '{_escaped(file)}' (format parquet)"
        )
    finally:
        table.unlink()


def _wkt(cell: str) -> str:
    ring = h3.cell_to_boundary(cell)
    return "POLYGON((" + ", ".join(f"{lng!r} {lat!r}" for lat, lng in (*ring, ring[0])) + "))"


def _too_many(what: str, res: int, count: str) -> str:
    average = h3.average_hexagon_area(res, unit="km^2")
    return (
        f"h3:{res} over {what} would be {count} cells (of about {average:.3g} km² each); at most "
        f"{MAX_CELLS:,} are made. Use a coarser grid (h3:{res - 1} has a seventh as many) or a smaller box"
    )


def _escaped(file: Path) -> str:
    return str(file).replace("'", "''")
