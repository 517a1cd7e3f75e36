"""End to end on the real data: ingest a snapshot, `dbt build`, check the `postal_codes` mart."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from fake_server import FakeServer, Reply, Request
from support import (
    COORDINATES_IN_SNAPSHOT,
    FIXTURES,
    PAGE_IN_SNAPSHOT,
    SNAPSHOT,
    Build,
    ingest,
    query,
    run_dbt,
)

pytestmark = pytest.mark.integration

# What each real layout says of the areas the README calls out.
LAYOUTS = {
    "2019-07-15_rev906439794_row-per-neighbourhood.html": {
        "M5A": ("Downtown Toronto", ["Harbourfront", "Regent Park"]),
        "M7A": ("Queen's Park", ["Queen's Park"]),  # "Not assigned" takes the borough's name
        "M3B": ("North York", ["Don Mills North"]),
    },
    "2020-09-21_rev979555370_row-per-postal-code.html": {
        "M5A": ("Downtown Toronto", ["Regent Park", "Harbourfront"]),
        "M7A": ("Downtown Toronto", ["Queen's Park", "Ontario Provincial Government"]),
        "M4J": ("East York", ["East Toronto", "Broadview North (Old East York)"]),
    },
    "2022-11-26_rev1123911203_grid.html": {
        "M5A": ("Downtown Toronto", ["Regent Park", "Harbourfront"]),
        "M7A": ("Queen's Park", ["Ontario Provincial Government"]),
        "M3B": ("North York", ["Don Mills North"]),
        "M3C": ("North York", ["Don Mills South", "Flemingdon Park"]),
        "M4J": ("East York", ["East Toronto", "The Danforth East"]),
        "M5W": ("Downtown Toronto", ["Stn A PO Boxes", "25 The Esplanade"]),
        "M9W": (
            "Etobicoke",
            [
                "Northwest",
                "Clairville",
                "Humberwood",
                "Woodbine Downs",
                "West Humber",
                "Kipling Heights",
                "Rexdale",
                "Elms",
                "Tandridge",
                "Old Rexdale",
            ],
        ),
    },
}


def coordinate_codes() -> set[str]:
    with (SNAPSHOT / COORDINATES_IN_SNAPSHOT).open(newline="") as file:
        return {row["Postal Code"] for row in csv.DictReader(file)}


def test_unit_tests_pass_on_the_snapshot_build(built_copy: Path):
    """Every dbt unit test, once: the builds of the other tests leave them out, as `make run` does."""
    result = run_dbt(built_copy, "test", "--select", "test_type:unit", unit_tests=True)
    assert result.returncode == 0, result.stdout[-3000:]
    target = built_copy.parent / "target"
    defined = list(json.loads((target / "manifest.json").read_text())["unit_tests"])
    results = json.loads((target / "run_results.json").read_text())["results"]
    assert len(defined) >= 30
    assert sorted(row["unique_id"] for row in results if row["status"] == "pass") == sorted(defined)


def test_the_snapshot_builds_103_postal_codes(snapshot_build):
    database, result = snapshot_build
    assert result.returncode == 0, result.stdout
    assert "ERROR=0" in result.stdout and "Published" in result.stdout
    assert query(database, "select count(*), count(latitude), count(longitude) from postal_codes") == [
        (103, 103, 103)
    ]
    assert {code for (code,) in query(database, "select postal_code from postal_codes")} == coordinate_codes()
    assert query(
        database, "select borough, neighbourhoods, neighbourhood from postal_codes where postal_code = 'M5A'"
    ) == [("Downtown Toronto", ["Regent Park", "Harbourfront"], "Regent Park, Harbourfront")]
    assert query(database, "select borough, neighbourhoods from postal_codes where postal_code = 'M7A'") == [
        ("Queen's Park", ["Ontario Provincial Government"])
    ]
    # The unassigned codes are left out of the marts, and kept as landed in the page's rows.
    assert query(
        database,
        "select count(distinct postal_code) from build.stg_wikipedia__postal_code_rows "
        "where postal_code not in (select postal_code from postal_codes)",
    ) == [(77,)]
    assert query(database, "select enclave_of from postal_codes where postal_code = 'M5W'") == [("M5E",)]


@pytest.mark.parametrize("page", sorted(LAYOUTS))
def test_every_layout_gives_the_same_103_postal_codes(
    shared_data: Path, snapshot_copy: Path, build: Build, page: str
):
    (snapshot_copy / PAGE_IN_SNAPSHOT).write_bytes((shared_data / "wikipedia" / page).read_bytes())
    # The located postal codes and what they need, with their tests (a partial build: read in the
    # build schema).
    database, result = build(snapshot_copy, "--select", "+int_postal_codes_located")
    assert result.returncode == 0, result.stdout
    located = "build.int_postal_codes_located"
    codes = {code for (code,) in query(database, f"select postal_code from {located} where is_on_page")}
    assert len(codes) == 103
    assert codes == coordinate_codes()
    for code, expected in LAYOUTS[page].items():
        assert query(
            database, f"select borough, neighbourhoods from {located} where postal_code = '{code}'"
        ) == [expected], code
    # No name is empty, padded or a leftover of the grid's markup.
    assert query(
        database,
        f"select count(*) from (select unnest(neighbourhoods) as name from {located}) "
        "where name <> trim(name) or name = '' or regexp_matches(name, '[()\\n]|^/|/$') "
        "and name not like '%(Old East York)'",
    ) == [(0,)]


def test_a_postal_code_without_coordinates_fails_the_build(snapshot_copy: Path, build: Build):
    csv_path = snapshot_copy / COORDINATES_IN_SNAPSHOT
    lines = csv_path.read_bytes().split(b"\r\n")
    csv_path.write_bytes(b"\r\n".join(line for line in lines if not line.startswith(b"M5A,")))
    database, result = build(snapshot_copy)
    assert result.returncode != 0
    assert "FAIL 1 postal_codes_on_the_page_and_in_the_coordinates_agree" in result.stdout
    assert "postal_code=M5A is_on_page=True is_in_coordinates=False" in result.stdout  # named, not counted
    # The area is still there, visibly without a centre: never dropped by a join (in the build
    # schema: a failed build is not published, and nothing after the failed test is built).
    located = "select is_on_page, latitude from build.int_postal_codes_located where postal_code = 'M5A'"
    assert query(database, located) == [(True, None)]
    assert query(database, "select count(*) from build.int_postal_codes_located where is_on_page") == [(103,)]
    assert query(database, "select count(*) from information_schema.tables where table_schema = 'main'") == [
        (0,)
    ]


def test_coordinates_outside_the_city_fail_the_build(snapshot_copy: Path, build: Build):
    csv_path = snapshot_copy / COORDINATES_IN_SNAPSHOT
    csv_path.write_bytes(csv_path.read_bytes().replace(b"M5A,43.6542599", b"M5A,45.6542599"))
    _, result = build(snapshot_copy, "--select", "+postal_codes")
    assert result.returncode != 0
    assert "FAIL 1 within_range_postal_codes_latitude" in result.stdout
    assert "postal_code=M5A borough=Downtown Toronto" in result.stdout


def test_dbt_without_ingested_data_says_what_to_run(tmp_path: Path):
    result = run_dbt(tmp_path / "empty.duckdb", "build")
    assert result.returncode != 0
    assert "are missing from" in result.stdout
    assert "python -m ingest all --snapshot" in result.stdout


def test_reloading_the_same_inputs_changes_nothing(snapshot_build, built_copy: Path):
    database = built_copy
    before = query(database, "select * from postal_codes order by postal_code")
    assert ingest("all", "--snapshot", SNAPSHOT, "--database", database) == 0
    second = run_dbt(database, "build", "--select", "+postal_codes")
    assert second.returncode == 0
    assert query(database, "select count(*) from raw.wikipedia_pages") == [(1,)]
    assert query(database, "select * from build.postal_codes order by postal_code") == before


def test_the_snapshot_builds_venue_marts(snapshot_build):
    database, result = snapshot_build
    assert result.returncode == 0, result.stdout
    assert query(
        database,
        "select count(*), count(distinct venue_id), count(distinct category), count(distinct area_id), "
        "min(provider), max(provider) from area_venues",
    ) == [(2226, 1754, 273, 100, "foursquare_v2", "foursquare_v2")]
    # Every area stays; the three without venues are flagged.
    assert query(database, "select postal_code from postal_codes where not has_venues order by 1") == [
        ("M1X",),
        ("M2M",),
        ("M9A",),
    ]
    assert query(database, "select count(*), sum(venue_count) from postal_codes") == [(103, 2226)]
    # One row per area in the pivot; each row of an area with venues sums to 1.
    columns = [name for (name,) in query(database, "select column_name from venue_categories order by 1")]
    assert len(columns) == 273
    sums = query(
        database,
        f"select area_id, venue_count, {' + '.join(columns)} from area_category_frequencies",
    )
    assert len(sums) == 103
    assert all(abs(total - (1 if count else 0)) < 1e-9 for _, count, total in sums)
    # The top-10 table never shows a zero count; an area with fewer categories has fewer rows.
    assert query(database, "select min(venue_count), max(category_rank) from area_top_categories") == [
        (1, 10)
    ]
    assert query(
        database,
        'select count(*) from postal_code_top_categories_wide where "1st Most Common Venue" is null',
    ) == [(3,)]


def test_two_builds_give_identical_tables(snapshot_build, build: Build):
    """A second warehouse from the same inputs: the same rows in the same order, clusters included
    (fixed seeds, stable ids; the session's build is the first)."""
    tables = [
        "area_venues",
        "area_category_counts",
        "area_top_categories",
        "postal_code_top_categories_wide",
        "area_category_frequencies",
    ]
    first, _ = snapshot_build
    second, result = build(SNAPSHOT)
    assert result.returncode == 0
    for table in tables:
        assert query(second, f"select * from {table}") == query(first, f"select * from {table}"), table
    for table in ("area_clusters", "cluster_profiles", "cluster_categories", "area_clusters_by_k"):
        sql = f"select * from {table} order by all"
        assert query(first, sql) == query(second, sql), table
    # The distances and confidences are floats of the same fits; compared apart from them.
    sql = "select * exclude (confidence, distances) from cluster_model_selection order by all"
    assert query(first, sql) == query(second, sql)


VENUE_MARTS = ("--select", "+area_venues", "+postal_codes")


def test_live_providers_end_to_end(built_copy: Path, monkeypatch: pytest.MonkeyPatch):
    """Fetch venues for the 103 areas from a local Places API, build, then from a local Overpass."""
    database = built_copy
    page_1 = (FIXTURES / "venues" / "foursquare_page_1.json").read_bytes()
    page_2 = (FIXTURES / "venues" / "foursquare_page_2.json").read_bytes()

    with FakeServer() as server:

        def places(request: Request) -> Reply:
            if "cursor" in request.query:
                return Reply(200, page_2)
            link = server.url(f"/places/search?cursor=next&ll={request.query['ll'][0]}")
            return Reply(200, page_1, {"Link": f'<{link}>; rel="next"'})

        server.route("/places/search", places)
        server.route(
            "/api/interpreter", Reply(200, (FIXTURES / "venues" / "overpass_answer.json").read_bytes())
        )
        monkeypatch.setenv("FOURSQUARE_API_KEY", "test-key")
        common = ["venues", "--database", database, "--no-progress", "--rate", "1000"]
        assert ingest(*common, "--provider", "foursquare", "--endpoint", server.url("/places/search")) == 0
        assert len(server.requests_to("/places/search")) == 2 * 103
        # The venue marts and what they need (every area gets the same three places here: the
        # clusters are not the point); a partial build, read in the build schema.
        rebuilt = run_dbt(database, "build", *VENUE_MARTS)
        assert rebuilt.returncode == 0, rebuilt.stdout
        assert query(
            database,
            "select provider, count(*), count(distinct venue_id), count(distinct area_id) from build.area_venues "
            "group by 1",
        ) == [("foursquare", 3 * 103, 3, 103)]
        assert query(database, "select count(*) from build.postal_codes where has_venues") == [(103,)]

        assert ingest(*common, "--provider", "overpass", "--endpoint", server.url("/api/interpreter")) == 0
        rebuilt = run_dbt(database, "build", *VENUE_MARTS)
        assert rebuilt.returncode == 0, rebuilt.stdout
    categories = query(database, "select category, count(*) from build.area_venues group by 1 order by 1")
    assert categories == [("Bakery", 103), ("Café", 103), ("Hotel", 103), ("Park", 103)]
    # The older providers' responses are still there, untouched: raw is append-only.
    assert query(database, "select provider, count(*) from raw.venue_responses group by 1 order by 1") == [
        ("foursquare", 103),
        ("foursquare_v2", 103),
        ("overpass", 103),
    ]
    pinned = run_dbt(database, "build", *VENUE_MARTS, variables={"venue_provider": "foursquare_v2"})
    assert pinned.returncode == 0
    assert query(database, "select count(*) from build.area_venues") == [(2226,)]


def test_points_provider_with_real_osm_points(shared_data: Path, built_copy: Path):
    database = built_copy
    osm = shared_data / "osm"
    assert (
        ingest(
            "points",
            osm / "toronto_food_osm.geojson",
            osm / "toronto_access_osm.geojson",
            "--database",
            database,
        )
        == 0
    )
    result = run_dbt(
        database, "build", *VENUE_MARTS, "+venue_categories",
        variables={"venue_provider": "points", "venue_radius_m": 500, "venue_limit": 100},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
    ((provider, venues, areas, furthest),) = query(
        database,
        "select min(provider), count(*), count(distinct area_id), max(distance_m) from build.area_venues",
    )
    assert provider == "points" and venues > 100 and 0 < areas < 103 and furthest <= 500
    categories = {name for (name,) in query(database, "select category from build.venue_categories")}
    assert {"Grocery Store", "Convenience Store", "Community Center"} <= categories
    # Every venue really is within 500 m of its area's centre (checked here, not by the model).
    rows = query(
        database,
        "select v.latitude, v.longitude, p.latitude, p.longitude from build.area_venues v "
        "join build.postal_codes p on v.area_id = p.postal_code",
    )
    assert all(_metres(*row) <= 500.5 for row in rows)


def _metres(latitude_1: float, longitude_1: float, latitude_2: float, longitude_2: float) -> float:
    phi_1, phi_2 = math.radians(latitude_1), math.radians(latitude_2)
    d_phi, d_lambda = phi_2 - phi_1, math.radians(longitude_2 - longitude_1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi_1) * math.cos(phi_2) * math.sin(d_lambda / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(a))
