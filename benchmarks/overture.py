"""Overture benchmark: a city's places read from a release on a local S3-compatible server.

A release of 1,000,000 places in Overture's schema (sorted west to east, as Overture sorts its
files spatially, in row groups of 10,000) is served by moto on 127.0.0.1; 100,000 of them lie in a
grid of 200 square areas over Toronto, the rest elsewhere. Timed, each in a process of its own:

- landing the city's extract: `python -m ingest venues --provider overture --bbox=...` (the rules,
  the raw tables), against DuckDB's own `COPY (select ... where bbox ...) TO parquet` of the same
  rows from the same server;
- the city end to end: `ingest areas` + `ingest venues --provider overture --area-set` + `dbt
  build`, against the Toronto snapshot's whole build (make bench's 103-area build).

A second release holds 1,000,000 places in a 40 × 40 km box over Toronto and the divisions made from
the shared boundary files (`create_divisions`). Timed against the same Toronto build:

- an H3 grid over the box: `ingest areas --grid h3:8 --bbox` (≈ 2,100 cells; also timed alone) +
  `ingest venues --provider overture` + `dbt build`;
- a city by name: `ingest areas --division Toronto` (its 140 neighbourhoods) + places + `dbt build`.

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
from ingest.spatial import extension_path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RELEASE, CITY_RELEASE = "2026-11-19.0", "2026-11-20.0"
COLUMNS, ROWS, SIZE = 20, 10, 0.01  # the city: 200 squares of 0.01° over Toronto
WEST, SOUTH = -79.5, 43.6
BOX = (-79.64, 43.58, -79.1434, 43.9393)  # 40 × 40 km over Toronto
SHARED = REPO.parent / "shared" / "data"
CODES = ["coffee_shop", "restaurant", "park", "bakery", "bar", "pharmacy", "school", "bank", "clothing_store"]


def write_release(
    folder: Path, places: int, inside: int, box: tuple[float, float, float, float] | None = None
) -> list[Path]:
    """The release's files, sorted by longitude: the `inside` places in the box (default: the
    city's grid) in a few row groups."""
    connection = duckdb.connect()
    files = []
    west, south, east, north = box or (WEST, SOUTH, WEST + COLUMNS * SIZE, SOUTH + ROWS * SIZE)
    codes = "[" + ", ".join(f"'{code}'" for code in CODES) + "]"
    for part in range(4):
        file = folder / f"part-{part}{'-box' if box else ''}.parquet"
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
                        case when n < {inside} then {west} + hash(n, 1) % 1000000 / 1e6 * {east - west}
                             else -170 + hash(n, 1) % 1000000 / 1e6 * 80 end as lon,
                        case when n < {inside} then {south} + hash(n, 2) % 1000000 / 1e6 * {north - south}
                             else -50 + hash(n, 2) % 1000000 / 1e6 * 40 end as lat
                    from range({places}) as t(n)
                    where n % 4 = {part}
                )
                order by lon
            ) to '{file}' (format parquet, row_group_size 10000)
        """)
        files.append(file)
    return files


def create_divisions(connection: duckdb.DuckDBPyConnection, shared: Path) -> None:
    """Overture-shaped divisions made from the shared boundary files (tables _division and
    _division_area): Toronto's 140 neighbourhoods under the locality Toronto; New York's 195 NTAs
    under its five boroughs (localadmins) under the locality New York, itself under the region New
    York (a name twice in one country); Mississauga and London, Ontario, localities with a point and
    no polygon; London, England; and a part of Toronto's area in the lake that is not land."""
    toronto = shared / "boundaries" / "toronto_neighbourhoods_140.geojson"
    nyc = shared / "cities" / "nyc" / "nta_2010.geojson"
    connection.execute(f"""
        create or replace table _parts as
        select 'to-' || AREA_SHORT_CODE as id, AREA_NAME as name, 'neighborhood' as subtype, 'CA' as country,
            'CA-ON' as region, 'toronto' as parent, ST_CollectionExtract(ST_MakeValid(geom), 3) as geom from ST_Read('{toronto}')
        union all
        select 'nta-' || NTACode, NTAName, 'neighborhood', 'US', 'US-NY', 'bor-' || BoroCode, ST_CollectionExtract(ST_MakeValid(geom), 3)
        from ST_Read('{nyc}');
        create or replace table _areas as
        select * from _parts
        union all
        select 'bor-' || BoroCode, BoroName, 'localadmin', 'US', 'US-NY', 'nyc', ST_CollectionExtract(ST_Union_Agg(ST_CollectionExtract(ST_MakeValid(geom), 3)), 3)
        from ST_Read('{nyc}') group by all
        union all
        select 'toronto', 'Toronto', 'locality', 'CA', 'CA-ON', 'ca-on', ST_CollectionExtract(ST_Union_Agg(geom), 3) from _parts
        where country = 'CA'
        union all
        select 'nyc', 'New York', 'locality', 'US', 'US-NY', 'us-ny', ST_CollectionExtract(ST_Union_Agg(geom), 3) from _parts
        where country = 'US';
        create or replace table _division as
        select id, {{'primary': name}} as names, subtype, country, region, parent as parent_division_id,
            {{'xmin': ST_X(p)::float, 'xmax': ST_X(p)::float, 'ymin': ST_Y(p)::float, 'ymax': ST_Y(p)::float}} as bbox,
            p as geometry
        from (select *, ST_PointOnSurface(geom) as p from _areas)
        union all
        select id, {{'primary': name}}, subtype, country, region, parent,
            {{'xmin': x::float, 'xmax': x::float, 'ymin': y::float, 'ymax': y::float}}, ST_Point(x, y)
        from (values ('ca', 'Canada', 'country', 'CA', null, null, -98.3, 61.4),
                     ('ca-on', 'Ontario', 'region', 'CA', 'CA-ON', 'ca', -84.5, 50.0),
                     ('us', 'United States', 'country', 'US', null, null, -98.6, 39.8),
                     ('us-ny', 'New York', 'region', 'US', 'US-NY', 'us', -75.5, 42.9),
                     ('mississauga', 'Mississauga', 'locality', 'CA', 'CA-ON', 'ca-on', -79.65, 43.59),
                     ('london-on', 'London', 'locality', 'CA', 'CA-ON', 'ca-on', -81.25, 42.98),
                     ('gb', 'United Kingdom', 'country', 'GB', null, null, -2.0, 54.0),
                     ('london-gb', 'London', 'locality', 'GB', 'GB-ENG', 'gb', -0.13, 51.51))
            as t(id, name, subtype, country, region, parent, x, y);
        create or replace table _division_area as
        select 'area-' || id as id, id as division_id, {{'primary': name}} as names, subtype, country, region,
            true as is_land, true as is_territorial,
            {{'xmin': ST_XMin(geom)::float, 'xmax': ST_XMax(geom)::float, 'ymin': ST_YMin(geom)::float,
              'ymax': ST_YMax(geom)::float}} as bbox, geom as geometry
        from _areas
        union all
        select 'area-toronto-water', 'toronto', {{'primary': 'Toronto'}}, 'locality', 'CA', 'CA-ON', false, true,
            {{'xmin': -79.6::float, 'xmax': -79.1::float, 'ymin': 43.3::float, 'ymax': 43.62::float}},
            ST_GeomFromText('POLYGON((-79.6 43.3, -79.1 43.3, -79.1 43.62, -79.6 43.62, -79.6 43.3))');
    """)  # fmt: skip


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
        made = made_areas(workdir, s3, dbt_env, places)
    finally:
        server.stop()
    return {
        "places": places, "inside": inside, "landed": landed, "kept": kept,
        "land_seconds": land.wall_seconds, "land_peak_mb": land.peak_mb,
        "copy_seconds": copied["seconds"], "copy_wall_seconds": copy.wall_seconds, "copy_rows": copied["rows"],
        "areas": COLUMNS * ROWS, "assigned": assigned, "end_to_end_seconds": end_to_end,
        "city_land_areas_seconds": areas.wall_seconds, "city_venues_seconds": venues.wall_seconds,
        "city_build_seconds": build.wall_seconds, "city_build_peak_mb": build.peak_mb, **made,
    }  # fmt: skip


def made_areas(workdir: Path, s3: object, env: dict[str, str], places: int) -> dict:
    """Issue 23: an H3 grid over the 40 km box, and Toronto by name, each with `places` places in
    the box, from ingest to the built marts."""
    for file in write_release(workdir, places, places, BOX):
        s3.upload_file(str(file), overture.BUCKET, f"release/{CITY_RELEASE}/theme=places/type=place/{file.name}",
                       ExtraArgs={"ACL": "public-read"})  # fmt: skip
    connection = duckdb.connect()
    connection.execute(f"load '{extension_path()}'")
    create_divisions(connection, SHARED)
    for kind in ("division", "division_area"):
        file = workdir / f"{kind}.parquet"
        connection.execute(f"copy _{kind} to '{file}' (format parquet)")
        s3.upload_file(str(file), overture.BUCKET, f"release/{CITY_RELEASE}/theme=divisions/type={kind}/{file.name}",
                       ExtraArgs={"ACL": "public-read"})  # fmt: skip
    python = [str(BIN / "python"), "-m", "ingest"]
    figures = {}
    for name, areas in (("grid", ["--grid", "h3:8", "--bbox=" + ",".join(map(str, BOX))]),
                        ("named", ["--division", "Toronto", "--country", "CA"])):  # fmt: skip
        database = workdir / f"{name}.duckdb"
        database.unlink(missing_ok=True)
        run_env = {**env, "DBT_DUCKDB_PATH": str(database)}
        started = time.perf_counter()
        landed = measure([*python, "areas", *areas, "--release", CITY_RELEASE, "--area-set", name, "--database",
                          database], run_env, REPO)  # fmt: skip
        measure([*python, "venues", "--provider", "overture", "--area-set", name, "--release", CITY_RELEASE,
                 "--database", database], run_env, REPO)  # fmt: skip
        build = measure([str(BIN / "dbt"), "build", "--exclude-resource-type", "unit_test", "--quiet", "--vars",
                         json.dumps({"area_set": name})], run_env, REPO)  # fmt: skip
        total = time.perf_counter() - started
        with duckdb.connect(str(database), read_only=True) as built:
            (count,) = built.execute("select count(*) from main.areas").fetchone()
            (assigned,) = built.execute("select count(*) from main.area_venues").fetchone()
        figures |= {f"{name}_areas": count, f"{name}_assigned": assigned, f"{name}_land_areas_seconds":
                    landed.wall_seconds, f"{name}_build_seconds": build.wall_seconds,
                    f"{name}_end_to_end_seconds": total}  # fmt: skip
    return figures


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
