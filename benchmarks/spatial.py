"""Spatial benchmark: 1,000,000 places assigned to 50,000 polygon areas.

A grid of 50,000 square areas (250 × 200 squares of 0.002°, about 160 m × 220 m, over Toronto)
is written as GeoParquet and 1,000,000 random places as Parquet; both are landed through the
project's ingesters (`ingest areas`, `ingest points`), and the dbt models that assign the places to
the areas (a DuckDB spatial join, `int_points_assigned_to_areas`) and materialise `area_venues`
are timed in a process of their own, warm (the project parsed once before). The peer is the plain
DuckDB join of the same two files (each place to the polygon that contains it, counted), in a
process of its own too.

    python -m benchmarks.spatial --workdir DIR [--areas 50000] [--places 1000000]
    python -m benchmarks.spatial --plain-join GRID PLACES
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import duckdb

from benchmarks.measure import Measurement, measure, measure_median
from ingest.spatial import load_spatial

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ASSIGN = ["run", "--select", "+area_venues"]
COLUMNS = 250
SIZE_DEGREES = 0.002


def write_inputs(folder: Path, areas: int, places: int, seed: int = 42) -> tuple[Path, Path]:
    rows = -(-areas // COLUMNS)
    connection = duckdb.connect()
    load_spatial(connection)
    grid, points = folder / "grid.parquet", folder / "places.parquet"
    connection.execute(f"""
        copy (
            select 'g' || i || '_' || j as area_id, 'Square ' || i || ',' || j as name,
                st_makeenvelope(-79.6 + i * {SIZE_DEGREES}, 43.6 + j * {SIZE_DEGREES},
                                -79.6 + (i + 1) * {SIZE_DEGREES}, 43.6 + (j + 1) * {SIZE_DEGREES}) as geometry
            from range({COLUMNS}) as a(i), range({rows}) as b(j)
            limit {areas}
        ) to '{grid}' (format parquet)
    """)
    connection.execute(f"select setseed({seed / 100})")
    connection.execute(f"""
        copy (
            select 'p' || n as id, 'Place ' || n as name,
                ['cafe', 'park', 'bakery', 'bar', 'pharmacy', 'school', 'bank', 'clinic'][1 + n % 8] as category,
                43.6 + random() * {rows * SIZE_DEGREES} as latitude,
                -79.6 + random() * {COLUMNS * SIZE_DEGREES} as longitude
            from range({places}) as t(n)
        ) to '{points}' (format parquet)
    """)
    return grid, points


def plain_join(grid: Path, points: Path) -> dict:
    """Each place to the polygon that contains it, counted: DuckDB alone, from the two files."""
    connection = duckdb.connect()
    load_spatial(connection)
    started = time.perf_counter()
    (assigned,) = connection.execute(f"""
        select count(*)
        from read_parquet('{points}') as places
        inner join read_parquet('{grid}') as grid
            on st_contains(grid.geometry, st_point(places.longitude, places.latitude))
    """).fetchone()
    return {"assigned": assigned, "seconds": time.perf_counter() - started}


def run(workdir: Path, areas: int = 50_000, places: int = 1_000_000, repeats: int = 3) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "spatial.duckdb"
    database.unlink(missing_ok=True)
    grid, points = write_inputs(workdir, areas, places)
    python = [str(BIN / "python"), "-m", "ingest"]
    land_areas = measure([*python, "areas", grid, "--area-set", "grid", "--id-field", "area_id", "--name-field",
                          "name", "--database", database], cwd=REPO)  # fmt: skip
    land_points = measure([*python, "points", points, "--database", database], cwd=REPO)
    env = {**os.environ, "DBT_DUCKDB_PATH": str(database), "DBT_TARGET_PATH": str(workdir / "target"),
           "DBT_LOG_PATH": str(workdir / "logs"), "DO_NOT_TRACK": "1"}  # fmt: skip
    dbt = [str(BIN / "dbt")]
    measure([*dbt, "seed", "--quiet"], env, REPO)  # parses the project: the timed run starts warm
    assign: Measurement = measure_median([*dbt, *ASSIGN, "--quiet"], repeats, env, REPO)
    plain = measure([*python[:1], "-m", "benchmarks.spatial", "--plain-join", grid, points], cwd=REPO)
    plain_result = json.loads(plain.output.strip().splitlines()[-1])
    with duckdb.connect(str(database), read_only=True) as connection:
        assigned, with_places = connection.execute(
            "select count(*), count(distinct area_id) from build.area_venues where area_set = 'grid'"
        ).fetchone()
    return {
        "areas": areas,
        "places": places,
        "assigned": assigned,
        "areas_with_places": with_places,
        "land_areas_seconds": land_areas.wall_seconds,
        "land_points_seconds": land_points.wall_seconds,
        "assign_seconds": assign.wall_seconds,
        "assign_peak_mb": assign.peak_mb,
        "plain_join_seconds": plain_result["seconds"],
        "plain_join_wall_seconds": plain.wall_seconds,
        "plain_join_peak_mb": plain.peak_mb,
        "plain_join_assigned": plain_result["assigned"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.spatial", description=__doc__)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--plain-join", nargs=2, type=Path, metavar=("GRID", "PLACES"))
    parser.add_argument("--areas", type=int, default=50_000)
    parser.add_argument("--places", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    if args.plain_join:
        print(json.dumps(plain_join(*args.plain_join)))
    elif args.workdir:
        print(json.dumps(run(args.workdir, args.areas, args.places)))
    else:
        parser.error("give --workdir or --plain-join")
    return 0


if __name__ == "__main__":
    sys.exit(main())
