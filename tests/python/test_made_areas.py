"""Area sets made for a city with no file to find (issue 23): an H3 grid over a box or over a division's
land, and Overture's divisions under a named one, read from a local stand-in of the release (moto)
whose divisions are made from the shared Toronto and New York boundary files."""

from __future__ import annotations

import collections
import json
import os
import subprocess
from pathlib import Path

import duckdb
import h3
import pytest
from overture_release import Release, ingest_cli, publish_divisions, release_rows
from support import REPO, SHARED_DATA, landed_rows, query, run_dbt

from ingest import h3_grid
from ingest.spatial import extension_path

NEW = "2026-11-19.0"
NYC_BOX = "-74.26,40.49,-73.70,40.92"
AREA_ROWS = "select area_id, name, parent_name, geometry from raw.area_features order by area_set, area_id"


def _nyc_places() -> list[tuple]:
    """The recorded New York venues as Overture places (name, category, confidence, status, lon, lat)."""
    venues = SHARED_DATA / "cities" / "nyc" / "newyork_venues.csv"
    return duckdb.connect().execute(f"""
        select distinct on ("Venue", "Venue Latitude", "Venue Longitude") "Venue",
            trim(regexp_replace(lower("Venue Category"), '[^a-z0-9]+', '_', 'g'), '_'), 0.9, 'open',
            "Venue Longitude", "Venue Latitude"
        from read_csv('{venues}') order by all
    """).fetchall()  # fmt: skip


def test_a_grid_over_a_box_is_every_overlapping_cell_once(tmp_path: Path):
    database = tmp_path / "w.duckdb"
    landed = ingest_cli({**os.environ}, "areas", "--grid", "h3:8", f"--bbox={NYC_BOX}", "--area-set", "nyc_h3",
                        "--database", database)  # fmt: skip
    assert landed.returncode == 0, landed.stderr
    expected = h3.h3shape_to_cells_experimental(
        h3.LatLngPoly([(40.49, -74.26), (40.49, -73.70), (40.92, -73.70), (40.92, -74.26)]),
        8,
        contain="overlap",
    )
    rows = query(database, "select area_id, name, parent_name from raw.area_features")
    assert sorted(row[0] for row in rows) == sorted(expected) and len(rows) > 1_500
    assert all(name == cell and parent == h3.cell_to_parent(cell, 6) for cell, name, parent in rows)
    # Each cell's polygon is H3's hexagon: the cell of its centroid is the cell itself.
    with duckdb.connect(str(database), read_only=True) as connection:
        connection.execute(f"load '{extension_path()}'")
        centroids = connection.execute(
            "select area_id, ST_Y(ST_Centroid(ST_GeomFromWKB(geometry))), ST_X(ST_Centroid(ST_GeomFromWKB(geometry))) "
            "from raw.area_features"
        ).fetchall()  # fmt: skip
    assert all(h3.latlng_to_cell(lat, lng, 8) == cell for cell, lat, lng in centroids)
    again = ingest_cli({**os.environ}, "areas", "--grid", "h3:8", f"--bbox={NYC_BOX}", "--area-set", "nyc_h3",
                       "--database", database)  # fmt: skip
    assert again.returncode == 0 and "nothing new landed" in again.stderr

    for grid, said in (("h3:11", "expected h3:RES with RES from 5 to 10"), ("hex:8", "expected h3:RES"),
                       ("h3:10", "would be about"), ("h3:9", "would be 227,178 cells")):  # fmt: skip
        box = "-75,40,-73.4,41.6" if grid == "h3:9" else NYC_BOX if grid != "h3:10" else "-80,40,-72,42"
        refused = ingest_cli({**os.environ}, "areas", "--grid", grid, f"--bbox={box}", "--area-set", "too_many",
                             "--database", database)  # fmt: skip
        assert refused.returncode == 1 and said in refused.stderr and "Traceback" not in refused.stderr, (
            grid,
            refused.stderr,
        )
    assert query(database, "select count(distinct area_set) from raw.area_features") == [(1,)]


def test_h3_grid_refuses_more_than_the_cap_saying_how_many():
    """Just over the cap (the exact count), far over it (the estimate, before listing any cell)."""
    assert len(h3_grid.cells(h3_grid.box(-75, 40, -73.6, 41.4), 9, "a box")) == 174_618
    with pytest.raises(h3_grid.GridError, match=r"would be 227,178 cells"):
        h3_grid.cells(h3_grid.box(-75, 40, -73.4, 41.6), 9, "a box")
    with pytest.raises(h3_grid.GridError, match=r"would be about [\d,]+ cells"):
        h3_grid.cells(h3_grid.box(-80, 35, -70, 45), 10, "a box")


def test_divisions_by_name_level_and_id_or_refused_saying_what_exists(release: Release, tmp_path: Path):
    publish_divisions(release, NEW, SHARED_DATA)
    release.latest(NEW)
    environment, database, record = release.environment(), tmp_path / "w.duckdb", tmp_path / "recording"

    def areas(*args: str) -> subprocess.CompletedProcess[str]:
        return ingest_cli(environment, "areas", *args, "--database", database)

    # Neighbourhoods under a locality: Toronto's 140, parent Toronto.
    landed = areas("--division", "toronto", "--area-set", "toronto", "--record", str(record))
    assert landed.returncode == 0, landed.stderr
    assert query(database, "select count(*), count(distinct area_id), min(parent_name), max(parent_name) from "
                 "raw.area_features where area_set = 'toronto'") == [(140, 140, "Toronto", "Toronto")]  # fmt: skip
    # Under a localadmin under a locality (by id: the name is the region's too): New York's 195 NTAs,
    # each under its borough.
    ambiguous = areas("--division", "New York", "--country", "US", "--area-set", "nyc")
    assert ambiguous.returncode == 1 and "2 divisions of Overture release" in ambiguous.stderr
    assert "New York (locality, US, US-NY; id nyc)" in ambiguous.stderr
    assert "New York (region, US, US-NY; id us-ny)" in ambiguous.stderr
    assert areas("--division-id", "nyc", "--area-set", "nyc", "--record", str(record)).returncode == 0
    assert query(database, "select count(*), count(distinct parent_name) from raw.area_features "
                 "where area_set = 'nyc'") == [(195, 5)]  # fmt: skip
    assert query(database, "select count(*) from raw.area_features where area_set = 'nyc' and parent_name = "
                 "'Brooklyn' and area_id like 'nta-BK%'") == [(51,)]  # fmt: skip
    boroughs = areas("--division-id", "nyc", "--level", "localadmin", "--area-set", "nyc_boroughs")
    assert boroughs.returncode == 0 and query(
        database, "select count(*) from raw.area_features where area_set = 'nyc_boroughs'"
    ) == [(5,)]

    # Names across countries; a locality with a point and no polygon; a level that has none.
    london = areas("--division", "London", "--area-set", "london")
    assert london.returncode == 1 and "--country CC or --division-id ID" in london.stderr
    assert "London (locality, GB, GB-ENG; id london-gb)" in london.stderr
    point_only = areas("--division", "London", "--country", "ca", "--area-set", "london")
    assert point_only.returncode == 1
    assert (
        "London (locality, CA, CA-ON; id london-on) has no division with a polygon under it"
        in point_only.stderr
    )
    assert "--grid h3:8 --bbox=-81.3500,42.9000,-81.1500,43.0600 (around its point)" in point_only.stderr
    no_level = areas("--division", "Toronto", "--level", "localadmin", "--area-set", "toronto_admin")
    assert no_level.returncode == 1 and "levels with polygons under it: neighborhood (140)" in no_level.stderr
    assert "--grid h3:8 --division-id toronto" in no_level.stderr
    no_land = areas("--grid", "h3:8", "--within-division", "Mississauga", "--area-set", "mississauga_h3")
    assert no_land.returncode == 1 and "has no polygon, and no division under it has one" in no_land.stderr

    # A grid over the land polygon: every cell touches Toronto's land; the lake part is not land.
    assert areas("--grid", "h3:8", "--within-division", "Toronto", "--area-set", "toronto_h3").returncode == 0
    with duckdb.connect(str(database), read_only=True) as connection:
        connection.execute(f"load '{extension_path()}'")
        outside, cells = connection.execute("""
            with land as (select ST_Union_Agg(ST_GeomFromWKB(geometry)) as g from raw.area_features
                          where area_set = 'toronto')
            select count(*) filter (where not ST_Intersects(ST_GeomFromWKB(a.geometry), land.g)), count(*)
            from raw.area_features a, land where a.area_set = 'toronto_h3'
        """).fetchone()  # fmt: skip
    assert outside == 0 and cells > 600
    assert "Traceback" not in no_land.stderr + no_level.stderr + point_only.stderr + london.stderr

    # The recording replays offline, the servers stopped, to the same areas.
    release.stop()
    replayed = tmp_path / "replayed.duckdb"
    again = ingest_cli({**os.environ}, "areas", "--snapshot", record, "--database", replayed)
    assert again.returncode == 0, again.stderr
    recorded = AREA_ROWS.replace("order by", "where area_set in ('toronto', 'nyc') order by")
    assert query(replayed, recorded) == query(database, recorded) and len(query(replayed, recorded)) == 335
    manifest = json.loads((record / "manifest.json").read_text())
    assert [entry["area_set"] for entry in manifest["areas"]["sets"]] == ["toronto", "nyc"]


@pytest.mark.integration
def test_a_grid_over_new_york_counts_each_place_in_the_cell_h3_puts_it_in(release: Release, tmp_path: Path):
    """The recorded New York venues as an Overture release; an h3:8 grid over the city's box; each
    cell's count in area_venues equals an independent latlng_to_cell count, cells without places are
    kept and flagged sparse; the recording replays offline to the same rows (support.landed_rows)."""
    places = _nyc_places()
    release.publish(NEW, release_rows(places, "taxonomy"), files=3)
    release.latest(NEW)
    database, record = tmp_path / "grid.duckdb", tmp_path / "recording"
    environment = release.environment()
    grid = ("areas", "--grid", "h3:8", f"--bbox={NYC_BOX}", "--area-set", "nyc_h3", "--record", record)
    assert ingest_cli(environment, *grid, "--database", database).returncode == 0
    venues = ("venues", "--provider", "overture", "--area-set", "nyc_h3", "--record", record)
    assert ingest_cli(environment, *venues, "--database", database).returncode == 0
    built = run_dbt(database, "build", variables={"area_set": "nyc_h3"})
    assert built.returncode == 0, built.stdout[-3000:]

    # The places landed (the set's extent: the grid's box and venue_radius_m around it), each counted in
    # the cell latlng_to_cell gives it, where that cell is one of the grid's.
    west, south, east, north = (float(value) for value in NYC_BOX.split(","))
    grid_cells = set(h3_grid.cells(h3_grid.box(west, south, east, north), 8, "the box"))
    landed = query(database, "select latitude, longitude from raw.overture_places where excluded is null")
    expected = collections.Counter(
        cell for cell in (h3.latlng_to_cell(lat, lng, 8) for lat, lng in landed) if cell in grid_cells
    )
    counted = dict(query(database, "select area_id, count(*) from area_venues group by 1"))
    assert counted == dict(expected) and sum(counted.values()) > 14_000
    cells = query(database, "select count(*), count(*) filter (where venue_count = 0) from areas "
                  "where area_set = 'nyc_h3'")[0]  # fmt: skip
    assert cells[0] == len(grid_cells) and cells[1] > 100
    assert query(database, "select bool_and(c.is_sparse) from area_clusters c join areas a using (area_set, area_id) "
                 "where a.venue_count = 0") == [(True,)]  # fmt: skip

    release.stop()
    replayed = tmp_path / "replayed.duckdb"
    for args in (("areas", "--snapshot", record), ("venues", "--snapshot", record)):
        assert ingest_cli({**os.environ}, *args, "--database", replayed).returncode == 0
    assert landed_rows(replayed) == landed_rows(database)


@pytest.mark.integration
def test_make_run_city_end_to_end_against_the_stand_in(release: Release, tmp_path: Path):
    """`make run CITY=Toronto`: Toronto's neighbourhoods from the divisions, Overture's places in their
    extent, the build and the map, all recorded; `make ingest SNAPSHOT=` (what `make run SNAPSHOT=` lands)
    replays the recording offline to the same rows."""
    places = [(f"Place {i}", ["coffee_shop", "park", "pharmacy", "restaurant"][(i // 7 + i // 300) % 4], 0.9,
               "open", -79.60 + (i % 60) * 0.0085, 43.58 + (i // 60) * 0.0065) for i in range(3000)]  # fmt: skip
    release.publish(NEW, release_rows(places, "taxonomy"))
    publish_divisions(release, NEW, SHARED_DATA)
    release.latest(NEW)
    database, record, output = tmp_path / "city.duckdb", tmp_path / "recorded", tmp_path / "out"
    environment = {**release.environment(), "DBT_DUCKDB_PATH": str(database), "DBT_TARGET_PATH": str(tmp_path / "t"),
                   "DBT_LOG_PATH": str(tmp_path / "logs"), "SEGMENTATION_OUTPUT_DIR": str(output)}  # fmt: skip
    run = subprocess.run(["make", "run", "CITY=Toronto", "COUNTRY=CA", f"RECORD={record}"], cwd=REPO,
                         env=environment, capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-5000:]
    assert "ERROR=0" in run.stdout and (output / "toronto_clusters_map.html").is_file()
    assert query(database, "select area_set, chosen_by from cluster_settings") == [
        ("toronto", "var area_set")
    ]
    assert query(database, "select count(*) from areas where area_set = 'toronto'") == [(140,)]
    assert query(database, "select count(distinct area_id) > 100 from area_venues") == [(True,)]
    manifest = json.loads((record / "manifest.json").read_text())
    assert [entry["area_set"] for entry in manifest["areas"]["sets"]] == ["toronto"]
    assert [extract["area_set"] for extract in manifest["overture"]["extracts"]] == ["toronto"]

    release.stop()
    offline = {**environment, "DBT_DUCKDB_PATH": str(tmp_path / "replayed.duckdb")}
    replay = subprocess.run(["make", "ingest", f"SNAPSHOT={record}"], cwd=REPO, env=offline, capture_output=True,
                            text=True)  # fmt: skip
    assert replay.returncode == 0, replay.stdout[-5000:] + replay.stderr[-5000:]
    assert landed_rows(tmp_path / "replayed.duckdb") == landed_rows(database)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--grid", "h3:8", "--area-set", "g"], "--grid covers one of --bbox"),
        (["--grid", "h3:8", f"--bbox={NYC_BOX}", "--within-division", "Toronto", "--area-set", "g"],
         "--grid covers one of --bbox"),
        (["--grid", "h3:8", f"--bbox={NYC_BOX}", "--level", "neighborhood", "--area-set", "g"], "not grids"),
        (["--bbox=" + NYC_BOX, "--area-set", "g"], "give a FILE of areas, --grid h3:RES"),
        ([str(SHARED_DATA / "cities" / "nyc" / "nta_2010.geojson"), "--grid", "h3:8", "--area-set", "g"],
         "--grid do not apply with a FILE"),
        (["--grid", "h3:8", f"--bbox={NYC_BOX}", "--area-set", "../escape"], "--area-set '../escape'"),
        (["--grid", "h3:8", f"--bbox={NYC_BOX}"], "give the set a name: --area-set NAME"),
        (["--grid", "h3:8", "--bbox=-73,40,-74,41", "--area-set", "g"], "expected west < east"),
    ],
)  # fmt: skip
def test_areas_options_that_do_not_go_together_are_refused_in_one_line(
    args: list[str], said: str, tmp_path: Path
):
    refused = ingest_cli({**os.environ}, "areas", *args, "--database", tmp_path / "w.duckdb")
    assert refused.returncode != 0 and said in refused.stderr and "Traceback" not in refused.stderr, (
        refused.stderr
    )
