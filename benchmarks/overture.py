"""Overture benchmark: a city's places read from a release on a local S3-compatible server.

A release of 1,000,000 places in Overture's schema (sorted west to east, as Overture sorts its
files spatially, in row groups of 10,000) is served by moto on 127.0.0.1; 100,000 of them lie in a
grid of 200 square areas over Toronto, the rest elsewhere. Timed, each in a process of its own:

- landing the city's extract: `python -m ingest venues --provider overture --bbox=...` (the rules,
  the raw tables), against DuckDB's own `COPY (select ... where bbox ...) TO parquet` of the same
  rows from the same server;
- the city end to end: `ingest areas` + `ingest venues --provider overture --area-set` + `dbt
  build`, against the Toronto snapshot's whole build (make bench's 103-area build).

    python -m benchmarks.overture --workdir DIR [--places 1000000] [--inside 100000]
    python -m benchmarks.overture --copy ENDPOINT RELEASE OUT --bbox=W,S,E,N
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

import boto3
import duckdb
import requests
from moto.server import ThreadedMotoServer

from benchmarks.measure import measure
from ingest import overture

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RELEASE = "2026-11-19.0"
COLUMNS, ROWS, SIZE = 20, 10, 0.01  # the city: 200 squares of 0.01° over Toronto
WEST, SOUTH = -79.5, 43.6
CODES = ["coffee_shop", "restaurant", "park", "bakery", "bar", "pharmacy", "school", "bank", "clothing_store"]


def write_release(folder: Path, places: int, inside: int) -> list[Path]:
    """The release's files, sorted by longitude: the city's places in a few row groups."""
    connection = duckdb.connect()
    files = []
    east, north = WEST + COLUMNS * SIZE, SOUTH + ROWS * SIZE
    codes = "[" + ", ".join(f"'{code}'" for code in CODES) + "]"
    for part in range(4):
        file = folder / f"part-{part}.parquet"
        connection.execute(f"""
            copy (
                select 'p' || n as id, {{'primary': 'Place ' || n}} as names,
                    {{'primary': {codes}[1 + n % {len(CODES)}], 'hierarchy': []::varchar[],
                      'alternates': []::varchar[]}} as taxonomy,
                    {codes}[1 + n % {len(CODES)}] as basic_category,
                    0.3 + (n % 7) / 10 as confidence,
                    case when n % 50 = 0 then 'permanently_closed' else 'open' end as operating_status,
                    [{{'dataset': 'meta', 'record_id': 'p' || n}}] as sources,
                    {{'xmin': lon::float, 'xmax': lon::float, 'ymin': lat::float, 'ymax': lat::float}} as bbox
                from (
                    select n,
                        case when n < {inside} then {WEST} + hash(n, 1) % 1000000 / 1e6 * {east - WEST}
                             else -170 + hash(n, 1) % 1000000 / 1e6 * 80 end as lon,
                        case when n < {inside} then {SOUTH} + hash(n, 2) % 1000000 / 1e6 * {north - SOUTH}
                             else -50 + hash(n, 2) % 1000000 / 1e6 * 40 end as lat
                    from range({places}) as t(n)
                    where n % 4 = {part}
                )
                order by lon
            ) to '{file}' (format parquet, row_group_size 10000)
        """)
        files.append(file)
    return files


def write_grid(path: Path) -> Path:
    features = [
        {"type": "Feature", "properties": {"code": f"g{i}_{j}"}, "geometry": {"type": "Polygon", "coordinates": [[
            [WEST + i * SIZE, SOUTH + j * SIZE], [WEST + (i + 1) * SIZE, SOUTH + j * SIZE],
            [WEST + (i + 1) * SIZE, SOUTH + (j + 1) * SIZE], [WEST + i * SIZE, SOUTH + (j + 1) * SIZE],
            [WEST + i * SIZE, SOUTH + j * SIZE]]]}}
        for i in range(COLUMNS) for j in range(ROWS)
    ]  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def duckdb_copy(endpoint: str, release: str, bbox: str, out: Path) -> dict:
    """DuckDB's own COPY of the extent's places from the server: the peer."""
    os.environ[overture.S3_ENDPOINT_ENVIRONMENT] = endpoint
    connection = duckdb.connect()
    overture.configure_s3(connection)
    west, south, east, north = (float(part) for part in bbox.split(","))
    started = time.perf_counter()
    connection.execute(
        f'copy (select id, names."primary" as name, bbox.ymin as latitude, bbox.xmin as longitude, '
        f'taxonomy."primary" as category, confidence, operating_status from read_parquet(?) '
        f"where bbox.xmin between ? and ? and bbox.ymin between ? and ?) to '{out}' (format parquet)",
        [overture.release_url(release), west, east, south, north],
    )
    (rows,) = connection.execute(f"select count(*) from read_parquet('{out}')").fetchone()
    return {"rows": rows, "seconds": time.perf_counter() - started}


def run(workdir: Path, places: int = 1_000_000, inside: int = 100_000) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"{host}:{port}"
        requests.post(f"http://{endpoint}/moto-api/reset", timeout=10)
        s3 = boto3.client("s3", endpoint_url=f"http://{endpoint}", region_name="us-west-2",
                          aws_access_key_id="bench", aws_secret_access_key="bench")  # fmt: skip
        s3.create_bucket(
            Bucket=overture.BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
        )
        for file in write_release(workdir, places, inside):
            s3.upload_file(str(file), overture.BUCKET, f"release/{RELEASE}/theme=places/type=place/{file.name}",
                           ExtraArgs={"ACL": "public-read"})  # fmt: skip
        bbox = f"{WEST},{SOUTH},{WEST + COLUMNS * SIZE},{SOUTH + ROWS * SIZE}"
        env = {**os.environ, overture.S3_ENDPOINT_ENVIRONMENT: endpoint}
        python = [str(BIN / "python"), "-m"]
        landing = workdir / "landing.duckdb"
        landing.unlink(missing_ok=True)
        land = measure([*python, "ingest", "venues", "--provider", "overture", f"--bbox={bbox}", "--release", RELEASE,
                        "--database", landing], env, REPO)  # fmt: skip
        copy = measure([*python, "benchmarks.overture", "--copy", endpoint, RELEASE, workdir / "copy.parquet",
                        f"--bbox={bbox}"], env, REPO)  # fmt: skip
        copied = json.loads(copy.output.strip().splitlines()[-1])
        with duckdb.connect(str(landing), read_only=True) as connection:
            landed, kept = connection.execute(
                "select row_count, kept_count from raw.overture_extracts"
            ).fetchone()

        city = workdir / "city.duckdb"
        city.unlink(missing_ok=True)
        dbt_env = {**env, "DBT_DUCKDB_PATH": str(city), "DBT_TARGET_PATH": str(workdir / "target"),
                   "DBT_LOG_PATH": str(workdir / "logs"), "SEGMENTATION_OUTPUT_DIR": str(workdir / "output"),
                   "DO_NOT_TRACK": "1"}  # fmt: skip
        started = time.perf_counter()
        areas = measure([*python, "ingest", "areas", write_grid(workdir / "grid.geojson"), "--area-set", "grid",
                         "--id-field", "code", "--database", city], dbt_env, REPO)  # fmt: skip
        venues = measure([*python, "ingest", "venues", "--provider", "overture", "--area-set", "grid", "--release",
                          RELEASE, "--database", city], dbt_env, REPO)  # fmt: skip
        build = measure([str(BIN / "dbt"), "build", "--exclude-resource-type", "unit_test", "--quiet", "--vars",
                         json.dumps({"area_set": "grid"})], dbt_env, REPO)  # fmt: skip
        end_to_end = time.perf_counter() - started
        with duckdb.connect(str(city), read_only=True) as connection:
            (assigned,) = connection.execute("select count(*) from main.area_venues").fetchone()
    finally:
        server.stop()
    return {
        "places": places, "inside": inside, "landed": landed, "kept": kept,
        "land_seconds": land.wall_seconds, "land_peak_mb": land.peak_mb,
        "copy_seconds": copied["seconds"], "copy_wall_seconds": copy.wall_seconds, "copy_rows": copied["rows"],
        "areas": COLUMNS * ROWS, "assigned": assigned, "end_to_end_seconds": end_to_end,
        "city_land_areas_seconds": areas.wall_seconds, "city_venues_seconds": venues.wall_seconds,
        "city_build_seconds": build.wall_seconds, "city_build_peak_mb": build.peak_mb,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.overture", description=__doc__)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--copy", nargs=3, metavar=("ENDPOINT", "RELEASE", "OUT"))
    parser.add_argument("--bbox", metavar="W,S,E,N")
    parser.add_argument("--places", type=int, default=1_000_000)
    parser.add_argument("--inside", type=int, default=100_000)
    args = parser.parse_args(argv)
    if args.copy:
        endpoint, release, out = args.copy
        print(json.dumps(duckdb_copy(endpoint, release, args.bbox, Path(out))))
    elif args.workdir:
        print(json.dumps(run(args.workdir, args.places, args.inside)))
    else:
        parser.error("give --workdir or --copy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
