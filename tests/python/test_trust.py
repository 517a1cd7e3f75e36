"""Bad input never replaces good marts: a failed build publishes nothing and names what failed;
the page and the coordinates must agree; contradictory centroids fail; category columns are
stable; and dbt is as its users expect it (docs, types, freshness)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import COORDINATES_IN_SNAPSHOT, PAGE_IN_SNAPSHOT, Build, ingest, query, run_dbt

pytestmark = pytest.mark.integration

MARTS = ["postal_codes", "areas", "area_venues", "area_clusters", "cluster_profiles"]


def grid_cells(html: str) -> list[tuple[int, int]]:
    """(start, end) of each cell of the grid table, in page order."""
    table = html.index("<b>M1A</b>")
    return [(m.start(), m.end()) for m in re.finditer(r"<td\b.*?</td>", html[table - 200 :], re.DOTALL)]


def test_a_page_cut_short_fails_the_build_naming_the_codes_and_publishes_nothing(
    built_copy: Path, snapshot_copy: Path, caplog
):
    database = built_copy
    before = {table: query(database, f"select * from main.{table} order by all") for table in MARTS}
    page = (snapshot_copy / PAGE_IN_SNAPSHOT).read_text(encoding="utf-8")
    offset = page.index("<b>M1A</b>") - 200
    cells = grid_cells(page)
    cut = offset + cells[108][1]  # keep 109 cells: more than the 100 a page must list
    (snapshot_copy / PAGE_IN_SNAPSHOT).write_text(
        page[:cut] + "</tr></tbody></table></body></html>", encoding="utf-8"
    )
    assert ingest("postal-codes", "--snapshot", snapshot_copy, "--database", database) == 0
    result = run_dbt(database, "build")
    assert result.returncode != 0
    # The failing test names the codes, and the build says nothing was published.
    assert (
        "FAIL" in result.stdout and "postal_codes_on_the_page_and_in_the_coordinates_agree" in result.stdout
    )
    missing = query(
        database, "select postal_code from build.int_postal_codes_located where not is_on_page order by 1"
    )
    assert len(missing) >= 20 and f"postal_code={missing[0][0]}" in result.stdout
    assert "mismatch=in the coordinates file, not assigned on the page" in result.stdout
    assert "NOT PUBLISHED" in result.stdout and "are still those of the build published at" in result.stdout
    # What users read is the last good build, whole: every mart as it was.
    assert {table: query(database, f"select * from main.{table} order by all") for table in MARTS} == before
    assert query(database, "select count(*) from main.postal_codes") == [(103,)]
    on_page = "select count(*) from build.int_postal_codes_located where is_on_page"
    assert query(database, on_page) == [(103 - len(missing),)]  # the bad build, kept for inspection
    assert not (
        database.parent / "output" / "toronto_fsa_clusters_map.html"
    ).exists()  # the map was not rewritten either


def test_a_failing_test_on_a_leaf_mart_alone_publishes_nothing_and_the_outputs_wait_aside(built_copy: Path):
    """Only area_search_circles' radius test fails (var venue_radius_m beyond its 100 km range; no model
    reads that mart), so nothing is skipped: the failure alone keeps the build from publishing, and
    the map, report, GeoJSON and plot the build wrote wait aside (as after a kill before publishing),
    never where the published ones are read."""
    database = built_copy
    before = {table: query(database, f"select * from main.{table} order by all") for table in MARTS}
    result = run_dbt(database, "build", variables={"venue_radius_m": 200_000})
    assert result.returncode != 0
    assert "FAIL 103 within_range_area_search_circles_radius_m" in result.stdout
    assert "ERROR=1 SKIP=0" in result.stdout and "NOT PUBLISHED" in result.stdout
    assert {table: query(database, f"select * from main.{table} order by all") for table in MARTS} == before
    output = database.parent / "output"
    assert sorted(path.name for path in output.iterdir()) == ["unpublished"]
    assert sorted(path.name for path in (output / "unpublished").iterdir()) == [
        f"toronto_fsa_{name}"
        for name in (
            "cluster_model_selection.svg",
            "clusters.geojson",
            "clusters_map.html",
            "segmentation_report.html",
        )
    ]


def test_a_page_of_another_letter_fails_the_build(snapshot_copy: Path, build: Build):
    """The "L" list against Toronto's coordinates: every assigned L code lacks coordinates."""
    page = (snapshot_copy / PAGE_IN_SNAPSHOT).read_text(encoding="utf-8")
    (snapshot_copy / PAGE_IN_SNAPSHOT).write_text(
        re.sub(r"<b>M(\d[A-Z])</b>", r"<b>L\1</b>", page), encoding="utf-8"
    )
    database, result = build(snapshot_copy)
    assert result.returncode != 0
    assert "postal_code=L1B is_on_page=True is_in_coordinates=False" in result.stdout  # named, in order
    assert query(
        database, "select count(*) from build.int_postal_codes_located where not is_in_coordinates"
    ) == [(103,)]
    assert "Schema main holds no published build yet" in result.stdout
    assert query(database, "select count(*) from information_schema.tables where table_schema = 'main'") == [
        (0,)
    ]


def test_full_postal_codes_aggregate_and_far_apart_duplicates_fail(snapshot_copy: Path, build: Build):
    """GeoNames' full postal codes (many per FSA) make each FSA's centre; two rows of one code
    17 km apart fail the build, named."""
    path = snapshot_copy / COORDINATES_IN_SNAPSHOT
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in lines[1:]]
    full = [
        f"{code} 1A{n},{float(lat) + offset},{lon}"
        for code, lat, lon in rows
        for n, offset in ((1, 0.001), (2, -0.001))
    ]
    path.write_text(
        "\r\n".join(["Postal Code,Latitude,Longitude", *full, "M5A 1A1,43.80,-79.20"]), encoding="utf-8"
    )
    database, result = build(snapshot_copy)
    assert result.returncode != 0
    assert (
        "FAILED coordinate_rows_of_one_code_agree" in result.stdout and "spread_code=M5A 1A1" in result.stdout
    )
    assert query(
        database,
        "select count(*), min(full_postal_code_count), max(full_postal_code_count) from build.int_postal_codes_located "
        "where centre_from = 'mean of its full postal codes'",
    ) == [(103, 2, 2)]
    original = {code: (float(lat), float(lon)) for code, lat, lon in rows}
    made = {
        code: (lat, lon)
        for code, lat, lon in query(
            database,
            "select postal_code, latitude, longitude from build.int_postal_codes_located "
            "where centre_from = 'mean of its full postal codes'",
        )
    }
    assert made.keys() == original.keys()
    assert all(abs(made[code][0] - original[code][0]) < 1e-9 for code in original if code != "M5A")
    # Nothing after the failing test was built: the bad centre never reached the areas.
    assert query(database, "select count(*) from information_schema.tables where table_name = 'areas'") == [
        (0,)
    ]


def test_category_columns_are_stable_whatever_other_categories_exist(snapshot_copy: Path, build: Build):
    """One venue spelt "COFFEE SHOP" joins Coffee Shop; it does not take its column."""
    recorded = snapshot_copy / "venues" / "foursquare_v2" / "M5H.json"
    body = json.loads(recorded.read_text())
    venue = next(
        item["venue"]
        for item in body["response"]["groups"][0]["items"]
        if item["venue"]["categories"] and item["venue"]["categories"][0]["name"] != "Coffee Shop"
    )
    venue["categories"][0]["name"] = "COFFEE SHOP"
    recorded.write_text(json.dumps(body))
    database, result = build(snapshot_copy, "--select", "+venue_categories")  # what it reads, no more
    assert result.returncode == 0, result.stdout[-3000:]
    assert query(
        database,
        "select column_name, spelling_count from build.venue_categories where category = 'Coffee Shop'",
    ) == [("cat_coffee_shop", 2)]
    assert query(
        database, "select count(*) from build.venue_categories where column_name like '%\\_2' escape '\\'"
    ) == [(0,)]
    assert query(
        database, "select count(*) from build.area_venues where category_as_found = 'COFFEE SHOP'"
    ) == [(1,)]


def test_every_column_is_described_and_counts_are_bigint(snapshot_build):
    database, result = snapshot_build
    assert result.returncode == 0
    docs = run_dbt(database, "docs", "generate")
    assert docs.returncode == 0, docs.stdout[-2000:]
    target = database.parent / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    undescribed, columns = [], 0
    for unique_id, node in catalog["nodes"].items():
        if not unique_id.startswith("model."):
            continue
        described = {
            name.lower(): column["description"]
            for name, column in manifest["nodes"][unique_id]["columns"].items()
        }
        for name, column in node["columns"].items():
            columns += 1
            if not (described.get(name.lower()) or column.get("comment")):
                undescribed.append(f"{unique_id}.{name}")
    assert columns > 500 and undescribed == []
    analyses = [node for node in manifest["nodes"].values() if node["resource_type"] == "analysis"]
    assert len(analyses) >= 5 and all(node["description"] for node in analyses)
    assert all(node["description"] for node in manifest["nodes"].values() if node["resource_type"] == "model")
    # Counts are BIGINT (HUGEINT becomes float64 in pandas).
    assert (
        query(
            database,
            "select table_schema || '.' || table_name || '.' || column_name from information_schema.columns "
            "where data_type = 'HUGEINT' and table_schema in ('main', 'build')",
        )
        == []
    )


def test_source_freshness(snapshot_build):
    database, _ = snapshot_build
    result = run_dbt(database, "source", "freshness")
    assert result.returncode == 0, result.stdout[-2000:]
    assert "PASS freshness of wikipedia.pages" in result.stdout
    assert "PASS freshness of centroids.coordinate_files" in result.stdout
    assert "PASS freshness of foursquare_v2.venue_responses" in result.stdout
    assert "WARN freshness of overpass.venue_responses" in result.stdout  # never landed: a warning
