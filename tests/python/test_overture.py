"""Overture Maps places read from a release on a local S3-compatible server (moto, 127.0.0.1) with a
STAC catalog on a local HTTP server: both schema generations, the quality rules counted, the
extent filter, `latest`, record -> replay offline, a clear error when the server is down, and New
York's NTAs segmented end to end from an Overture-shaped release made from the recorded venues."""

from __future__ import annotations

import json
import math
import os
import subprocess
from pathlib import Path

import duckdb
import pytest
from fake_server import FakeServer
from overture_release import Release, ingest_cli, release_rows
from recorded_city import serve
from support import REPO, SHARED_DATA, SNAPSHOT, ingest, landed_rows, query, run_dbt

NEW, OLD = "2026-11-19.0", "2025-09-24.0"  # a release with the taxonomy field, one with categories
EXTENT = "-79.42,43.64,-79.38,43.66"

# (name, category, confidence, status, longitude, latitude): inside the extent, then far outside.
PLACES = [
    *[(f"Cafe {i}", "coffee_shop", 0.9, "open", -79.40 + i * 0.001, 43.65) for i in range(10)],
    ("Gone Diner", "diner", 0.95, "permanently_closed", -79.401, 43.651),
    ("Gone Bar", "bar", 0.95, "permanently_closed", -79.402, 43.651),
    *[(f"Maybe {i}", "bakery", 0.2, "open", -79.403, 43.652) for i in range(3)],
    ("Nameless", None, 0.9, "open", -79.404, 43.653),
    (None, "park", 0.9, "open", -79.405, 43.654),
    *[(f"Far {i}", "coffee_shop", 0.9, "open", 2.35, 48.85) for i in range(5)],  # Paris
]


def test_both_schema_generations_land_with_every_rule_counted(release: Release, tmp_path: Path):
    release.publish(NEW, release_rows(PLACES, "taxonomy"))
    release.publish(OLD, release_rows(PLACES, "categories"))
    release.latest(NEW)
    database, record = tmp_path / "warehouse.duckdb", tmp_path / "recording"
    landed = ingest_cli(release.environment(), "venues", "--provider", "overture", f"--bbox={EXTENT}",
                        "--database", database, "--record", record)  # fmt: skip
    assert landed.returncode == 0, landed.stderr
    assert "17 places, 10 kept; not used, kept flagged in raw.overture_places.excluded: 2 permanently closed, " \
        "3 below the minimum confidence, 1 no category, 1 no name" in landed.stderr  # fmt: skip
    # `latest` came from the catalog; the places far outside the extent never landed.
    assert query(
        database, "select release, schema_generation, row_count, kept_count from raw.overture_extracts"
    ) == [(NEW, "taxonomy", 17, 10)]
    assert query(database, "select count(*) from raw.overture_places where latitude > 48") == [(0,)]
    assert query(database, "select excluded, count(*) from raw.overture_places group by 1 order by 1") == [
        ("below the minimum confidence", 3), ("no category", 1), ("no name", 1), ("permanently closed", 2),
        (None, 10),
    ]  # fmt: skip
    assert query(
        database, "select distinct basic_category, dataset from raw.overture_places where name = 'Cafe 1'"
    ) == [("coffee_shop", "meta")]
    again = ingest_cli(release.environment(), "venues", "--provider", "overture", f"--bbox={EXTENT}",
                       "--database", database)  # fmt: skip
    assert again.returncode == 0 and "landed already" in again.stderr
    assert query(database, "select count(*) from raw.overture_extracts") == [(1,)]

    # The older generation: categories.primary, no status (the closed places are open to it), and a
    # minimum confidence exactly the doubtful places' (0.2) keeps them; just above it, it does not.
    for minimum, kept in (("0.2", 15), ("0.21", 12)):
        older = ingest_cli(release.environment(), "venues", "--provider", "overture", f"--bbox={EXTENT}",
                           "--release", OLD, "--min-confidence", minimum, "--database", database)  # fmt: skip
        assert older.returncode == 0, older.stderr
        assert query(database, "select schema_generation, kept_count from raw.overture_extracts where release = "
                     f"'{OLD}' and min_confidence = {minimum}") == [("categories", kept)]  # fmt: skip

    # The recording replays offline, the servers stopped, to the same places.
    release.stop()
    replayed = tmp_path / "replayed.duckdb"
    result = ingest_cli({**os.environ}, "venues", "--snapshot", record, "--database", replayed)
    assert result.returncode == 0, result.stderr
    columns = "id, name, latitude, longitude, category, basic_category, confidence, operating_status, dataset, excluded"
    places = f"select {columns} from raw.overture_places p join raw.overture_extracts e using (load_id) " \
        f"where e.release = '{NEW}' order by id"  # fmt: skip
    assert query(replayed, places) == query(database, places)

    # The server down: one line naming the URL and the offline way.
    down = ingest_cli(release.environment(), "venues", "--provider", "overture", "--bbox=-79.5,43.6,-79.3,43.7",
                      "--release", NEW, "--database", tmp_path / "other.duckdb")  # fmt: skip
    assert down.returncode == 1
    (line,) = down.stderr.strip().splitlines()[-1:]
    assert line.startswith("error: cannot read the Overture release at s3://overturemaps-us-west-2/release/")
    assert "--snapshot" in line and "Traceback" not in down.stderr


@pytest.mark.integration
def test_new_york_from_an_overture_release_end_to_end(release: Release, tmp_path: Path):
    """NYC's NTAs with the recorded NYC venues published as an Overture release: the places land for
    the set's extent, every kept place counts in the polygon that contains it, categories roll up
    through Overture's taxonomy (the shipped seed) by code, and the set is segmented; the recording
    replays to the same rows (support.landed_rows)."""
    nyc = SHARED_DATA / "cities" / "nyc"
    codes = duckdb.connect()
    # Each recorded category as an Overture code: the code whose display name it is, else its
    # name in snake case (a code the taxonomy does not know).
    codes.execute(f"""create table places as
        with seed as (select category_name, min(category_id) as code from read_csv('{REPO}/seeds/category_taxonomies.csv')
                      where kind = 'overture' group by 1)
        select distinct on ("Venue", "Venue Latitude", "Venue Longitude") "Venue" as name,
            coalesce(seed.code, trim(regexp_replace(lower("Venue Category"), '[^a-z0-9]+', '_', 'g'), '_')) as category,
            0.9 as confidence, 'open' as status, "Venue Longitude" as lon, "Venue Latitude" as lat
        from read_csv('{nyc / "newyork_venues.csv"}') v left join seed on seed.category_name = v."Venue Category"
    """)  # fmt: skip
    rows = codes.execute("select * from places").fetchall()
    release.publish(NEW, release_rows(rows, "taxonomy"), files=3)
    release.latest(NEW)
    environment = {**release.environment(), "DBT_DUCKDB_PATH": str(tmp_path / "nyc.duckdb")}
    database = tmp_path / "nyc.duckdb"
    areas = ("areas", nyc / "nta_2010.geojson", "--area-set", "nyc_nta", "--id-field", "NTACode", "--name-field",
             "NTAName", "--parent-field", "BoroName", "--database", database)  # fmt: skip
    # The README's three commands: areas, Overture places for their extent, dbt build.
    assert ingest_cli(environment, *areas).returncode == 0
    record = tmp_path / "recording"
    landed = ingest_cli(environment, "venues", "--provider", "overture", "--area-set", "nyc_nta", "--database",
                        database, "--record", record)  # fmt: skip
    assert landed.returncode == 0, landed.stderr
    built = run_dbt(database, "build", variables={"area_set": "nyc_nta"})
    assert built.returncode == 0, built.stdout[-3000:]
    assert query(database, "select distinct provider, assigned_by from area_venues") == [
        ("overture", "inside_polygon")
    ]
    # Every kept place inside an NTA counts there, as an independent point-in-polygon count finds.
    with duckdb.connect(str(database), read_only=True) as connection:
        connection.execute(f"load '{_spatial()}'")
        (expected,) = connection.execute(
            "select count(*) from raw.overture_places p join main.areas a on a.area_set = 'nyc_nta' and "
            "st_contains(st_geomfromwkb(a.geometry), st_point(p.longitude, p.latitude)) where p.excluded is null"
        ).fetchone()
    assert query(database, "select count(*) from area_venues") == [(expected,)] and expected > 10_000
    ((level, mapped),) = query(database, "select feature_level, group_mapped_share from cluster_settings")
    assert level == "group" and mapped > 0.8
    assert (
        query(database, "select count(*) from area_venues where group_mapped_by = 'overture id'")[0][0]
        > 5_000
    )
    assert "Food and Drink" in {
        group for (group,) in query(database, "select distinct category_group from area_venues")
    }
    assert query(database, "select count(distinct cluster_id) >= 2 from area_clusters") == [(True,)]

    release.stop()
    replayed = tmp_path / "replayed.duckdb"
    assert ingest_cli({**os.environ}, *areas[:-1], replayed).returncode == 0
    assert ingest_cli({**os.environ}, "venues", "--snapshot", record, "--database", replayed).returncode == 0
    assert landed_rows(replayed) == landed_rows(database)


def _spatial() -> Path:
    from ingest.spatial import extension_path

    return extension_path()


@pytest.mark.integration
def test_make_run_with_overture_against_a_local_release(release: Release, tmp_path: Path):
    """`make run VENUE_PROVIDER=overture`, live against local stand-ins (the page and the
    coordinates from a local HTTP server, the release from the local S3 server): the postal set's
    venues come from Overture, every area within 500 m of its centre, and the extract is recorded."""
    # 3,000 places in a grid over Toronto, each of one of four Overture categories.
    places = [(f"Place {i}", ["coffee_shop", "park", "pharmacy", "restaurant"][i % 4], 0.9, "open",
               -79.60 + (i % 60) * 0.0085, 43.58 + (i // 60) * 0.0065) for i in range(3000)]  # fmt: skip
    release.publish(NEW, release_rows(places, "taxonomy"))
    release.latest(NEW)
    database, record = tmp_path / "live" / "warehouse.duckdb", tmp_path / "recorded"
    with FakeServer() as server:
        environment = {
            **release.environment(), **serve(server, SNAPSHOT), "DBT_DUCKDB_PATH": str(database),
            "DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "logs"),
            "SEGMENTATION_OUTPUT_DIR": str(tmp_path / "out"),
        }  # fmt: skip
        run = subprocess.run(["make", "run", f"RECORD={record}", "VENUE_PROVIDER=overture"], cwd=REPO,
                             env=environment, capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-5000:]
    assert "Published" in run.stdout and "ERROR=0" in run.stdout
    assert query(database, "select distinct provider from area_venues") == [("overture",)]
    assert query(
        database, "select max(distance_m) <= 500, count(distinct area_id) > 90 from area_venues"
    ) == [(True, True)]
    assert (
        query(database, "select distinct category_group from area_venues order by 1")
        == [("Food and Drink",), ("Health Care",), ("Sports and Recreation",)]
        or query(database, "select count(distinct category_group) from area_venues")[0][0] >= 3
    )
    manifest = json.loads((record / "manifest.json").read_text())
    assert [extract["release"] for extract in manifest["overture"]["extracts"]] == [NEW]


def test_a_sets_extent_reaches_venue_radius_beyond_its_outermost_areas(tmp_path: Path):
    """Issue 24 (mutation b): the extent fetched for a point set is its centres' bounds widened by
    venue_radius_m (500 m), so a place 300 m beyond the outermost centre is read and counts."""
    from ingest import overture
    from ingest.spatial import load_spatial

    centres = [(-79.40, 43.65), (-79.38, 43.67)]
    file = tmp_path / "points.geojson"
    file.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": f"P{i}", "properties": {"name": f"P{i}"},
         "geometry": {"type": "Point", "coordinates": list(centre)}} for i, centre in enumerate(centres)
    ]}))  # fmt: skip
    database = tmp_path / "w.duckdb"
    assert ingest("areas", file, "--area-set", "two_points", "--database", database) == 0
    with duckdb.connect(str(database)) as connection:
        load_spatial(connection)
        extent = overture.extent_of(connection, "two_points")
    north_south, east_west = 500 / 111320, 500 / 111320 / math.cos(math.radians(43.66))
    assert extent.south == pytest.approx(43.65 - north_south) and extent.north == pytest.approx(
        43.67 + north_south
    )
    assert extent.west == pytest.approx(-79.40 - east_west, rel=1e-4)
    assert extent.east == pytest.approx(-79.38 + east_west, rel=1e-4)
    beyond = 43.67 + 300 / 111320  # a place 300 m north of the northern centre
    assert extent.south < beyond < extent.north


def test_hostile_releases_land_what_is_sound_or_refuse_in_one_line(release: Release, tmp_path: Path):
    """Issue 24, rows 2, 6, 8 and 11: a release without confidence, with an id twice, with a part
    that is not Parquet; a recording folder that cannot be written."""
    places = [p for p in PLACES if p[1] != "bakery"]
    no_confidence = f"select * exclude (confidence) from ({release_rows(places, 'taxonomy')})"
    release.publish(NEW, no_confidence)
    twice = release_rows(places, "taxonomy")
    release.publish(
        OLD, f"select * from ({twice}) union all select * from ({twice}) where id = 'id0'", files=1
    )
    release.latest(NEW)
    database = tmp_path / "w.duckdb"
    venues = ("venues", "--provider", "overture", f"--bbox={EXTENT}", "--database", database)

    landed = ingest_cli(release.environment(), *venues)
    assert landed.returncode == 0, landed.stderr
    assert "the release has no confidence column): --min-confidence 0.5 was not applied" in landed.stderr
    doubled = ingest_cli(release.environment(), *venues, "--release", OLD)
    assert doubled.returncode == 0, doubled.stderr
    assert "1 places of s3://overturemaps-us-west-2/release/2025-09-24.0/" in doubled.stderr
    assert query(database, "select count(*), count(distinct id) from raw.overture_places p join "
                 f"raw.overture_extracts e using (load_id) where release = '{OLD}'") == [(14, 14)]  # fmt: skip

    broken = "2026-01-01.0"
    release.publish(broken, release_rows(places, "taxonomy"), files=1)
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not a parquet file")
    release.s3.upload_file(str(tmp_path / "broken.parquet"), "overturemaps-us-west-2",
                           f"release/{broken}/theme=places/type=place/part-00001.parquet",
                           ExtraArgs={"ACL": "public-read"})  # fmt: skip
    before = query(database, "select count(*) from raw.overture_places")
    failed = ingest_cli(release.environment(), *venues, "--release", broken)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    (line,) = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert "part-00001.parquet" in line and "nothing landed" in line, line
    assert query(database, "select count(*) from raw.overture_places") == before

    (tmp_path / "a-file").write_text("")
    for folder, said in ((tmp_path / "a-file" / "recording", "Not a directory"),
                         (tmp_path / "bad-manifest", "its manifest.json is not JSON")):  # fmt: skip
        if folder.name == "bad-manifest":
            folder.mkdir()
            (folder / "manifest.json").write_text("{not json")
        refused = ingest_cli(release.environment(), *venues, "--release", "2026-02-02.0", "--record", folder)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
        assert f"--record {folder}: cannot record into it" in refused.stderr and said in refused.stderr
        assert "reading the schema" not in refused.stderr  # refused before anything was read


def test_a_recording_that_was_changed_or_lies_is_refused_or_warned(release: Release, tmp_path: Path):
    """Issue 24, rows 3, 4, 7 and 11: a recorded extract whose Parquet changed (a warning), whose
    manifest lies about its rows, extent or minimum confidence, or whose bytes are corrupt, or whose
    bbox is not one (refused in one line naming the file, nothing landed)."""
    release.publish(NEW, release_rows(PLACES, "taxonomy"))
    release.latest(NEW)
    record = tmp_path / "recording"
    landed = ingest_cli(release.environment(), "venues", "--provider", "overture", f"--bbox={EXTENT}",
                        "--database", tmp_path / "live.duckdb", "--record", record)  # fmt: skip
    assert landed.returncode == 0, landed.stderr
    release.stop()
    manifest = json.loads((record / "manifest.json").read_text())
    (entry,) = manifest["overture"]["extracts"]
    parquet = record / entry["file"]
    original = parquet.read_bytes()

    def replay(name: str) -> subprocess.CompletedProcess[str]:
        return ingest_cli(
            {**os.environ}, "venues", "--snapshot", record, "--database", tmp_path / f"{name}.duckdb"
        )

    # The same rows under other names: lands, with the warning the README promises.
    with duckdb.connect() as connection:
        connection.execute(f"copy (select * replace ('Renamed ' || id as name) from read_parquet('{parquet}')) "
                           f"to '{tmp_path / 'renamed.parquet'}' (format parquet)")  # fmt: skip
    parquet.write_bytes((tmp_path / "renamed.parquet").read_bytes())
    changed = replay("changed")
    assert changed.returncode == 0 and "differs from the sha256 recorded in manifest.json" in changed.stderr
    parquet.write_bytes(original)

    lies = {"rows": 99, "bbox": "70.00000,-20.00000,71.00000,-19.00000", "min_confidence": 0.1}
    for field, value in (*lies.items(), ("bbox", "not a box")):
        (record / "manifest.json").write_text(json.dumps(
            {**manifest, "overture": {**manifest["overture"], "extracts": [{**entry, field: value}]}}
        ))  # fmt: skip
        refused = replay(f"lie-{field}")
        assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
        said = "is incomplete" if value == "not a box" else f"entry says {field} {value}"
        assert said in refused.stderr and "--bbox" not in refused.stderr
        assert query(tmp_path / f"lie-{field}.duckdb", "select count(*) from raw.overture_places") == [(0,)]
    (record / "manifest.json").write_text(json.dumps(manifest))

    flipped = bytearray(original)
    for offset in range(len(flipped) // 3, len(flipped) // 3 + 64):
        flipped[offset] ^= 0xFF
    parquet.write_bytes(bytes(flipped))
    corrupt = replay("corrupt")
    assert corrupt.returncode == 1 and "Traceback" not in corrupt.stderr, corrupt.stderr
    (line,) = [line for line in corrupt.stderr.splitlines() if line.startswith("error:")]
    assert str(parquet) in line and "cannot be read as the Overture extract" in line


@pytest.mark.integration
def test_a_build_whose_areas_lie_outside_every_landed_extent_says_so(release: Release, tmp_path: Path):
    """Issue 24, row 5: places landed for a box over the west of Toronto only; the build of the 140
    neighbourhoods warns, naming the set and how many of its areas no extent covers."""
    places = [(f"Place {i}", ["coffee_shop", "park", "pharmacy"][i % 3], 0.9, "open",
               -79.64 + (i % 50) * 0.01, 43.58 + (i // 50) * 0.007) for i in range(2500)]  # fmt: skip
    release.publish(NEW, release_rows(places, "taxonomy"))
    release.latest(NEW)
    database = tmp_path / "w.duckdb"
    areas = ("areas", SHARED_DATA / "boundaries" / "toronto_neighbourhoods_140.geojson", "--area-set", "toronto",
             "--id-field", "AREA_SHORT_CODE", "--database", database)  # fmt: skip
    assert ingest_cli(release.environment(), *areas).returncode == 0
    west = ("venues", "--provider", "overture", "--bbox=-79.64,43.58,-79.40,43.86", "--database", database)
    assert ingest_cli(release.environment(), *west).returncode == 0
    # The warning test and what it reads (a partial build: read in the build schema).
    warning = ("build", "--select", "+areas_outside_every_overture_extent")
    built = run_dbt(database, *warning, variables={"area_set": "toronto"})
    assert built.returncode == 0, built.stdout[-3000:]
    (outside,) = query(
        database, "select count(*) from build.areas where area_set = 'toronto' and longitude > -79.40"
    )[0]
    assert outside > 20
    assert "WARN 1 areas_outside_every_overture_extent" in built.stdout
    # The set's own extent covers them all: no warning.
    whole = ("venues", "--provider", "overture", "--area-set", "toronto", "--database", database)
    assert ingest_cli(release.environment(), *whole).returncode == 0
    rebuilt = run_dbt(database, *warning, variables={"area_set": "toronto"})
    assert rebuilt.returncode == 0 and "areas_outside_every_overture_extent" in rebuilt.stdout
    assert "WARN 1 areas_outside_every_overture_extent" not in rebuilt.stdout
