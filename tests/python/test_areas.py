"""Any city, any areas, end to end on the real files: New York's 306 neighbourhood points and 195
NTA polygons with the recorded venues as a points file; Toronto's postal areas beside its 158 and
140 neighbourhoods and FSA polygons with the OSM points; a polygon set fetched live. Counts inside
polygons are checked against a point-in-polygon test written here, independently of DuckDB."""

from __future__ import annotations

import csv
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs

import duckdb
import numpy as np
import pytest
from fake_server import FakeServer, Reply, Request
from support import SHARED_DATA, SNAPSHOT, assert_segments_say_what_they_are, ingest, query, run_dbt

pytestmark = pytest.mark.integration

NYC = SHARED_DATA / "cities" / "nyc"
VENUE_FIELDS = ["--name-field", "Venue", "--category-field", "Venue Category", "--latitude-field",
                "Venue Latitude", "--longitude-field", "Venue Longitude"]  # fmt: skip


# --- an independent point-in-polygon test (even-odd ray casting over every ring) -------------


def _rings(geometry: dict) -> list[list[list[float]]]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [ring for polygon in polygons for ring in polygon]


def _inside(x: np.ndarray, y: np.ndarray, rings: list[list[list[float]]]) -> np.ndarray:
    """Which of the points (x, y) an odd number of ring edges crosses to their right."""
    crossings = np.zeros(len(x), dtype=int)
    for ring in rings:
        x1, y1 = np.array(ring[:-1]).T[:, :, None]
        x2, y2 = np.array(ring[1:]).T[:, :, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            crosses = ((y1 > y) != (y2 > y)) & (x < x1 + (y - y1) * (x2 - x1) / (y2 - y1))
        crossings += crosses.sum(axis=0)
    return crossings % 2 == 1


def counts_inside(areas_file: Path, id_field: str, places: list[tuple[float, float]]) -> dict[str, int]:
    xs, ys = np.array(places).T
    counts = {}
    for feature in json.loads(areas_file.read_text())["features"]:
        rings = _rings(feature["geometry"])
        corners = np.array([point for ring in rings for point in ring])
        (west, south), (east, north) = corners.min(axis=0), corners.max(axis=0)
        boxed = (west <= xs) & (xs <= east) & (south <= ys) & (ys <= north)
        counts[str(feature["properties"][id_field])] = int(_inside(xs[boxed], ys[boxed], rings).sum())
    return counts


def nyc_places() -> list[tuple[float, float]]:
    """The distinct places of the venues CSV (a place listed for two neighbourhoods is one: the
    same name, category and coordinates to 6 decimals), each at the coordinates of its first row."""
    first: dict[tuple, tuple[float, float]] = {}
    with (NYC / "newyork_venues.csv").open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            latitude, longitude = float(row["Venue Latitude"]), float(row["Venue Longitude"])
            key = (
                row["Venue"].strip().lower(),
                row["Venue Category"].strip().lower(),
                round(latitude, 6),
                round(longitude, 6),
            )
            first.setdefault(key, (longitude, latitude))
    return list(first.values())


def metres(latitude_1: float, longitude_1: float, latitude_2: float, longitude_2: float) -> float:
    phi_1, phi_2 = math.radians(latitude_1), math.radians(latitude_2)
    d_phi, d_lambda = phi_2 - phi_1, math.radians(longitude_2 - longitude_1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi_1) * math.cos(phi_2) * math.sin(d_lambda / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(a))


# --- New York: no postal page at all ----------------------------------------------------------


@pytest.fixture(scope="module")
def nyc_warehouse(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("nyc") / "warehouse.duckdb"
    assert ingest("areas", NYC / "nta_2010.geojson", "--area-set", "nyc_nta", "--id-field", "NTACode",
                  "--name-field", "NTAName", "--parent-field", "BoroName", "--database", database) == 0  # fmt: skip
    assert ingest("areas", NYC / "newyork_data.json", "--area-set", "nyc_neighbourhoods", "--name-field", "name",
                  "--parent-field", "borough", "--database", database) == 0  # fmt: skip
    assert ingest("points", NYC / "newyork_venues.csv", *VENUE_FIELDS, "--database", database) == 0
    return database


def test_new_york_polygons_count_the_places_inside_each(nyc_warehouse: Path):
    """The NTA set: a warehouse with areas and points only, no Wikipedia page, builds; every place
    counts in the polygon that contains it, as an independent point-in-polygon test counts it."""
    database = nyc_warehouse
    result = run_dbt(database, "build", variables={"area_set": "nyc_nta"})
    assert result.returncode == 0, result.stdout[-3000:]
    built = dict(query(database, "select area_id, venue_count from areas where area_set = 'nyc_nta'"))
    expected = counts_inside(NYC / "nta_2010.geojson", "NTACode", nyc_places())
    assert len(built) == 195 and sum(expected.values()) > 14000
    assert built == expected
    assert query(
        database, "select distinct assigned_by, provider from area_venues where area_set = 'nyc_nta'"
    ) == [("inside_polygon", "points")]
    # Measures: NYC is 783 km² of land; density is venues per km² of each polygon.
    ((total_km2, checked),) = query(
        database,
        "select sum(area_km2), bool_and(abs(venues_per_km2 - venue_count / area_km2) < 1e-9) from areas "
        "where area_set = 'nyc_nta'",
    )
    assert 770 < total_km2 < 800 and checked
    # Clusters and a map for the set, titled with its name.
    assert query(database, "select count(*), count(distinct area_set) from area_clusters") == [(195, 1)]
    assert query(database, "select count(*) from postal_codes") == [
        (0,)
    ]  # no postal page: empty, not failing
    map_file = database.parent / "output" / "nyc_nta_clusters_map.html"
    assert map_file.stat().st_size > 1_000_000 and "<title>nyc_nta: " in map_file.read_text()
    assert_segments_say_what_they_are(database, "nyc_nta")
    report = database.parent / "output" / "nyc_nta_segmentation_report.html"
    geojson = json.loads((database.parent / "output" / "nyc_nta_clusters.geojson").read_text())
    assert "nyc_nta" in report.read_text() and len(geojson["features"]) == 195
    assert {feature["geometry"]["type"] for feature in geojson["features"]} <= {"Polygon", "MultiPolygon"}


def test_new_york_points_count_the_places_within_the_radius(nyc_warehouse: Path):
    """The course's 306 neighbourhood points: names repeat (four twice), ids do not; a place is
    counted for every point within 500 m of it, the nearest 100."""
    database = nyc_warehouse
    result = run_dbt(database, "build", variables={"area_set": "nyc_neighbourhoods"})
    assert result.returncode == 0, result.stdout[-3000:]
    assert query(
        database,
        "select count(*), count(distinct area_id), count(distinct name) from areas where area_set = 'nyc_neighbourhoods'",
    ) == [(306, 306, 302)]
    rows = query(
        database,
        "select a.latitude, a.longitude, v.latitude, v.longitude from area_venues v "
        "join areas a using (area_set, area_id) where area_set = 'nyc_neighbourhoods'",
    )
    assert len(rows) > 5000 and all(metres(*row) <= 500.5 for row in rows)
    assert query(database, "select max(n) from (select count(*) as n from area_venues where area_set = "
                 "'nyc_neighbourhoods' group by area_id)") <= [(100,)]  # fmt: skip
    assert query(database, "select count(*) from area_clusters where area_set = 'nyc_neighbourhoods'") == [
        (306,)
    ]
    assert (
        "<title>nyc_neighbourhoods: "
        in (database.parent / "output" / "nyc_neighbourhoods_clusters_map.html").read_text()
    )
    assert_segments_say_what_they_are(database, "nyc_neighbourhoods")
    # Below the mapped share asked for, the build says so, naming the commonest unmapped categories
    # (the shipped taxonomies map 97 % of these venues, by name and by words).
    strict = run_dbt(database, "build", "--select", "cluster_settings",
                     variables={"area_set": "nyc_neighbourhoods", "min_group_mapped_share": 0.99})  # fmt: skip
    assert strict.returncode == 0 and "WARN 1 most_venues_map_to_a_group" in strict.stdout, strict.stdout[
        -3000:
    ]
    ((share, unmapped),) = query(
        database, "select group_mapped_share, commonest_unmapped from build.cluster_settings"
    )
    assert 0.9 < share < 0.99 and unmapped.startswith("Deli / Bodega (") and unmapped in strict.stdout


# --- Toronto: the postal set beside its neighbourhoods -----------------------------------------


@pytest.fixture(scope="module")
def toronto_warehouse(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("toronto") / "warehouse.duckdb"
    boundaries = SHARED_DATA / "boundaries"
    assert ingest("all", "--snapshot", SNAPSHOT, "--database", database) == 0
    for file, area_set in ((boundaries / "toronto_neighbourhoods_158.geojson", "toronto_158"),
                           (boundaries / "toronto_neighbourhoods_140.geojson", "toronto_140")):  # fmt: skip
        assert ingest("areas", file, "--area-set", area_set, "--id-field", "AREA_SHORT_CODE", "--name-field",
                      "AREA_NAME", "--database", database) == 0  # fmt: skip
    fsa = SNAPSHOT / "boundaries" / "toronto_fsa.geojson"
    assert (
        ingest(
            "areas",
            fsa,
            "--area-set",
            "toronto_fsa_polygons",
            "--id-field",
            "CFSAUID",
            "--database",
            database,
        )
        == 0
    )
    osm = SHARED_DATA / "osm"
    assert ingest("points", osm / "toronto_food_osm.geojson", "--database", database) == 0
    assert ingest("points", osm / "toronto_access_osm.geojson", "--database", database) == 0
    return database


def osm_places() -> list[tuple[float, float]]:
    places = []
    for name in ("toronto_food_osm.geojson", "toronto_access_osm.geojson"):
        for feature in json.loads((SHARED_DATA / "osm" / name).read_text())["features"]:
            geometry = feature.get("geometry") or {}
            if geometry.get("type") == "Point":
                places.append(tuple(geometry["coordinates"][:2]))
    return places


def test_toronto_sets_side_by_side_and_the_postal_set_unchanged(toronto_warehouse: Path, snapshot_build):
    """With four sets and two points files in the warehouse, the default build is the snapshot's:
    the same postal marts (the points do not replace the recorded venues of the postal set)."""
    database = toronto_warehouse
    result = run_dbt(database, "build")
    assert result.returncode == 0, result.stdout[-3000:]
    reference, _ = snapshot_build
    for table in ("postal_codes", "area_venues", "area_clusters", "postal_code_top_categories_wide"):
        sql = f"select * from {table} where {'true' if table.startswith('postal') else 'area_set = ' + repr('toronto_fsa')} order by all"
        assert query(database, sql) == query(reference, sql), table
    assert query(database, "select area_set, count(*) from areas group by 1 order by 1") == [
        ("toronto_140", 140), ("toronto_158", 158), ("toronto_fsa", 103), ("toronto_fsa_polygons", 96),
    ]  # fmt: skip
    assert query(database, "select area_set, provider, assigned_by, count(*) > 0 from area_venues group by all order by 1") == [
        ("toronto_140", "points", "inside_polygon", True),
        ("toronto_158", "points", "inside_polygon", True),
        ("toronto_fsa", "foursquare_v2", "as_fetched", True),
        ("toronto_fsa_polygons", "points", "inside_polygon", True),
    ]  # fmt: skip
    # The OSM places inside each of the 158 neighbourhoods, against the independent count.
    built = dict(query(database, "select area_id, venue_count from areas where area_set = 'toronto_158'"))
    expected = counts_inside(
        SHARED_DATA / "boundaries" / "toronto_neighbourhoods_158.geojson", "AREA_SHORT_CODE", osm_places()
    )
    differing = {k: (built[k], v) for k, v in expected.items() if built[k] != v}
    assert (
        sum(expected.values()) > 2000
        and len(differing) <= 3
        and all(abs(a - b) <= 1 for a, b in differing.values())
    )
    assert (
        "<title>toronto_fsa: " in (database.parent / "output" / "toronto_fsa_clusters_map.html").read_text()
    )


def test_the_clusters_and_map_of_another_set(toronto_warehouse: Path):
    database = toronto_warehouse
    result = run_dbt(database, "build", variables={"area_set": "toronto_158"})
    assert result.returncode == 0, result.stdout[-3000:]
    assert query(
        database, "select count(*), count(cluster_id) > 100 from area_clusters where area_set = 'toronto_158'"
    ) == [(158, True)]
    # The postal view of the clusters (README): empty, another set is chosen.
    postal_clusters = (
        "select count(*) from area_clusters join areas using (area_set, area_id) where areas.is_postal"
    )
    assert query(database, postal_clusters) == [(0,)]
    assert query(database, "select count(*) from postal_codes") == [(103,)]  # the postal set itself stays
    assert (
        "<title>toronto_158: " in (database.parent / "output" / "toronto_158_clusters_map.html").read_text()
    )
    missing = run_dbt(
        database, "build", "--select", "+cluster_settings", variables={"area_set": "toronto_159"}
    )
    assert missing.returncode != 0
    assert "area_set=toronto_159 chosen_by=var area_set is_known_set=False" in missing.stdout
    assert "toronto_158" in missing.stdout  # the sets there are, named


# --- overlapping polygons, duplicated places, a live fetch of a polygon set ---------------------


def test_overlaps_duplicates_and_a_polygon_set_fetched_live(shared_data: Path, tmp_path: Path):
    """Two overlapping blocks in Toronto: a place inside both counts in both and the overlap is
    reported; a points file listing a place twice counts it once; then the blocks are fetched live
    from Overpass as the circles that cover them, and only what falls inside each is kept."""
    database = tmp_path / "warehouse.duckdb"
    west, east = -79.3900, -79.3800
    blocks = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": "A", "label": "West"},
             "geometry": {"type": "Polygon", "coordinates": [[[west, 43.64], [west + 0.006, 43.64], [west + 0.006, 43.65],
                                                              [west, 43.65], [west, 43.64]]]}},
            {"type": "Feature", "properties": {"code": "B", "label": "East"},
             "geometry": {"type": "Polygon", "coordinates": [[[east - 0.006, 43.64], [east, 43.64], [east, 43.65],
                                                              [east - 0.006, 43.65], [east - 0.006, 43.64]]]}},
        ],
    }  # fmt: skip
    (tmp_path / "blocks.geojson").write_text(json.dumps(blocks))
    places = tmp_path / "places.csv"
    places.write_text(
        "name,category,lat,lon\n"
        "Both,cafe,43.645,-79.3850\n"  # inside A and B (they overlap between -79.386 and -79.384)
        "West Only,bakery,43.645,-79.3890\n"
        "West Only,bakery,43.645,-79.3890\n"  # listed twice: one place
        "Nowhere,pub,43.700,-79.3850\n"
    )
    assert ingest("areas", tmp_path / "blocks.geojson", "--area-set", "blocks", "--id-field", "code", "--name-field",
                  "label", "--database", database) == 0  # fmt: skip
    assert ingest("points", places, "--database", database) == 0
    first = run_dbt(database, "build")
    assert first.returncode == 0, first.stdout[-3000:]
    assert query(database, "select area_id, venue_count from areas order by 1") == [("A", 2), ("B", 1)]
    assert query(
        database,
        "select area_set, area_id, other_area_id, shared_venue_count from build.int_areas_overlapped",
    ) == [("blocks", "A", "B", 1)]
    assert "WARN 1 overlapping_areas_are_reported" in first.stdout
    assert query(
        database, "select listed_count from build.stg_points__places where venue_name = 'West Only'"
    ) == [(2,)]
    radii = dict(query(database, "select area_id, radius_m from area_search_circles"))
    assert metres(43.645, west + 0.003, 43.65, west) <= radii["A"] < 1000  # covers the block's corners

    def overpass(request: Request) -> Reply:
        elements = [
            {"type": "node", "id": 1, "lat": 43.6450, "lon": -79.3870, "tags": {"name": "In A", "amenity": "cafe"}},
            {"type": "node", "id": 2, "lat": 43.6450, "lon": -79.3810, "tags": {"name": "In B", "amenity": "bar"}},
            {"type": "node", "id": 3, "lat": 43.6480, "lon": -79.3950, "tags": {"name": "Outside", "shop": "books"}},
        ]  # fmt: skip
        return Reply(200, json.dumps({"elements": elements}).encode(), {"Content-Type": "application/json"})

    with FakeServer() as server:
        server.route("/api/interpreter", overpass)
        fetched = subprocess.run(
            [sys.executable, "-m", "ingest", "venues", "--area-set", "blocks", "--provider", "overpass",
             "--database", str(database), "--endpoint", server.url("/api/interpreter"), "--rate", "1000"],
            capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2],
        )  # fmt: skip
        queries = [parse_qs(r.body.decode())["data"][0] for r in server.requests]
    assert fetched.returncode == 0, fetched.stderr
    # Each block is asked for as the circle that covers it.
    asked = sorted(int(re.search(r"around:(\d+),", text).group(1)) for text in queries)
    assert asked == sorted(radii.values())
    second = run_dbt(database, "build", variables={"venue_provider": "overpass"})
    assert second.returncode == 0, second.stdout[-3000:]
    assert query(database, "select area_id, name, assigned_by from area_venues order by 1, 2") == [
        ("A", "In A", "inside_polygon"),
        ("B", "In B", "inside_polygon"),
    ]


def test_a_foursquare_os_places_file_is_read_as_it_comes(shared_data: Path, tmp_path: Path):
    """Foursquare OS Places' own columns, no field options: the most specific level of the first
    label is the category, grouped by the shipped Foursquare OS Places taxonomy; a closed place is
    kept flagged, counted, never matched."""
    database = tmp_path / "warehouse.duckdb"
    block = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "A"}, "geometry": {
        "type": "Polygon", "coordinates": [[[-79.40, 43.64], [-79.38, 43.64], [-79.38, 43.66], [-79.40, 43.66],
                                            [-79.40, 43.64]]]}}]}  # fmt: skip
    (tmp_path / "block.geojson").write_text(json.dumps(block))
    places = tmp_path / "fsq.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"""copy (select * from (values
            ('a1', 'Slice', 43.65, -79.39, ['4bf58dd8d48988d1ca941735'], ['Dining and Drinking > Restaurant > Pizzeria'], null::date),
            ('a2', 'Old Slice', 43.65, -79.391, ['4bf58dd8d48988d1ca941735'], ['Dining and Drinking > Restaurant > Pizzeria'], date '2024-01-01'),
            ('a3', 'Books', 43.651, -79.39, ['4bf58dd8d48988d114951735'], ['Retail > Bookstore'], null::date)
        ) t(fsq_place_id, name, latitude, longitude, fsq_category_ids, fsq_category_labels, date_closed))
        to '{places}' (format parquet)""")  # fmt: skip
    assert ingest("areas", tmp_path / "block.geojson", "--area-set", "block", "--id-field", "code",
                  "--database", database) == 0  # fmt: skip
    assert ingest("points", places, "--database", database) == 0
    assert query(database, "select venue_id, category, problem from raw.place_points order by 1") == [
        ("a1", "Pizzeria", None), ("a2", "Pizzeria", "closed"), ("a3", "Bookstore", None),
    ]  # fmt: skip
    built = run_dbt(database, "build", "--select", "+area_venues")
    assert built.returncode == 0, built.stdout[-3000:]
    assert query(database, "select venue_id, category, category_group, group_mapped_by from build.area_venues order by 1") == [
        ("a1", "Pizzeria", "Dining and Drinking", "fsq_os_places name"),
        ("a3", "Bookstore", "Retail", "fsq_os_places name"),
    ]  # fmt: skip
