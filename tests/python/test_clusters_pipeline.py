"""Clusters, model selection, labels, the map, the report and the GeoJSON on the real snapshot
(as `make run` builds it: the taxonomies are the shipped seed's), issue 15's rules for the
defaults, and the notebook preset."""

from __future__ import annotations

import json
import math
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup, Comment
from support import REPO, assert_segments_say_what_they_are, query, run_dbt

from segmentation.output_file import pending

pytestmark = pytest.mark.integration


def test_every_area_stays_with_its_cluster_or_the_reason_it_has_none(snapshot_build):
    database, result = snapshot_build
    assert result.returncode == 0, result.stdout
    assert query(
        database, "select status, count(*), count(cluster_id) from area_clusters group by 1 order by 1"
    ) == [("clustered", 65, 65), ("clustered_shrunk", 35, 35), ("no_venues", 3, 0)]
    assert query(database, "select area_id from area_clusters where not is_clustered order by 1") == [
        ("M1X",), ("M2M",), ("M9A",),
    ]  # fmt: skip
    # The sparse areas are the ones with fewer than min_venues (5) venues, counted independently.
    assert query(
        database,
        "select count(*) from area_clusters c join (select area_id, count(*) n from area_venues "
        "where area_set = 'toronto_fsa' group by 1) v using (area_id) where (v.n < 5) <> c.is_sparse",
    ) == [(0,)]
    sizes = query(
        database, "select cluster_id, count(*) from area_clusters where is_clustered group by 1 order by 1"
    )
    assert [size for _, size in sizes] == sorted((size for _, size in sizes), reverse=True)  # 1 = the largest
    assert query(database, "select feature_level, features, sparse_areas, method from cluster_settings") == [
        ("group", ["log_lq", "density"], "shrink", "kmeans")
    ]


def test_the_defaults_say_what_they_are_on_toronto(snapshot_build):
    database, _ = snapshot_build
    assert_segments_say_what_they_are(database, "toronto_fsa")


def test_model_selection_records_stability_and_the_auto_rule(snapshot_build):
    database, _ = snapshot_build
    rows = query(
        database,
        "select k, silhouette, seed_agreement, bootstrap_agreement, cluster_sizes, largest_share, is_chosen, "
        "len(confidence), venue_count_share from cluster_model_selection order by k",
    )
    assert [row[0] for row in rows] == list(range(3, 11))
    assert all(sum(row[4]) == 100 and len(row[4]) == row[0] and row[7] == 100 for row in rows)
    assert all(0 <= row[2] <= 1 and -1 <= row[3] <= 1 for row in rows)

    # The rule, worked out here from the table: among the k with every cluster at least 3 areas, seed
    # agreement at least 0.8, bootstrap agreement at least 0.6 and the largest cluster at most 55 %,
    # the best bootstrap agreement + balance (the entropy of the sizes over that of 10 equal
    # clusters); when none qualifies, the fewest segments tried.
    def balance(sizes: list[int]) -> float:
        shares = [size / sum(sizes) for size in sizes]
        return -sum(share * math.log(share) for share in shares) / math.log(10)

    qualified = [
        row for row in rows if min(row[4]) >= 3 and row[2] >= 0.8 and row[3] >= 0.6 and row[5] <= 0.55
    ]
    if qualified:
        best = max(qualified, key=lambda row: (round(row[3] + balance(row[4]), 9), -row[0]))
    else:
        best = min(rows, key=lambda row: row[0])
    assert [row[0] for row in rows if row[6]] == [best[0]]
    # How much of the venue count the clusters explain, worked out here for the chosen fit.
    ((share,),) = query(
        database,
        "with a as (select c.cluster_id, ln(a.venue_count) as y from area_clusters c join areas a "
        "using (area_set, area_id) where c.is_clustered) select 1 - sum((y - m) ^ 2) / (select sum((y - avg_y) ^ 2) "
        "from a, (select avg(y) as avg_y from a)) from a join (select cluster_id, avg(y) as m from a group by 1) "
        "using (cluster_id)",
    )
    assert next(row[8] for row in rows if row[6]) == pytest.approx(share)
    confidences = query(database, "select assignment_confidence from area_clusters where is_clustered")
    assert all(0 <= value <= 1 for (value,) in confidences)


def test_n_clusters_from_vars_and_auto(built_copy: Path):
    """A partial build (`--select`) is not published: its tables are read in the build schema. A
    changed setting is rebuilt from cluster_settings, the model that reads the vars."""
    result = run_dbt(built_copy, "build", "--select", "cluster_settings+", variables={"n_clusters": 6})
    assert result.returncode == 0, result.stdout
    assert "Not published" in result.stdout
    assert query(
        built_copy, "select count(distinct cluster_id), max(n_clusters) from build.area_clusters"
    ) == [(6, 6)]
    assert query(built_copy, "select count(*) from build.cluster_profiles") == [(6,)]
    (published,) = query(built_copy, "select max(n_clusters) from main.area_clusters")[0]
    assert published != 6


def test_profiles_label_every_cluster_from_what_its_members_have(snapshot_build):
    database, _ = snapshot_build
    profiles = query(
        database,
        "select cluster_id, area_count, label, display_label, len(distinctive_features) from cluster_profiles",
    )
    assert [row[0] for row in profiles] == list(range(1, len(profiles) + 1))
    assert sum(row[1] for row in profiles) == 100
    assert all(row[3] == f"Cluster {row[0]}: {row[2]} ({row[1]} areas)" for row in profiles)
    # The city everyone opens first names three or more segments, none twice (the map's legend
    # and the report show these labels: test_the_map_report_and_geojson_are_written).
    assert len(profiles) >= 3 and len({row[2] for row in profiles}) == len(profiles)


def test_the_map_report_and_geojson_are_written(snapshot_build):
    database, _ = snapshot_build
    ((path, size, areas, polygons, clustered, venues, layers, venue_layer, title, warning),) = query(
        database,
        "select map_path, map_bytes, area_count, polygon_count, clustered_area_count, venue_count, layer_count, "
        "venue_layer, title, weak_warning from segmentation_outputs",
    )
    assert (areas, polygons, clustered, venues, layers) == (103, 96, 100, 2226, 3)
    ((k, weak),) = query(database, "select k, is_weak from cluster_quality")
    assert venue_layer == "shown (hidden until switched on)" and (warning is not None) == weak
    assert title == f"toronto_fsa: {k} segments by the places in them"
    assert Path(path).stat().st_size == size > 10_000_000  # kepler.gl inlined
    page = BeautifulSoup(Path(path).read_bytes(), "lxml")
    # Nothing is loaded from elsewhere: no script, stylesheet or image element points out of the page.
    assert not page.select("script[src], link[href], img[src], iframe")
    assert len(page.find_all("script")) == 6 + 3  # the 6 libraries' scripts, data, basemap, the app
    assert "Copyright (c)" in str(page.find(string=lambda text: isinstance(text, Comment)))  # licences kept
    assert page.select_one("#map-heading h1").get_text() == title

    ((report_path, geojson_path, features, clusters, weak),) = query(
        database,
        "select report_path, geojson_path, area_count, cluster_count, is_weak from segmentation_outputs",
    )
    report = BeautifulSoup(Path(report_path).read_bytes(), "lxml")
    assert not report.select("script, link[href], iframe")
    assert [element.get_text() for element in report.select(".warning")] == ([warning] if weak else [])
    labels = [
        label
        for (label,) in query(database, "select display_label from cluster_profiles order by cluster_id")
    ]
    assert [section.h3.get_text() for section in report.select("section.cluster")] == labels
    assert len(report.select("figure[role=img] > svg")) == 2  # model selection, stability
    geojson = json.loads(Path(geojson_path).read_text())
    assert features == len(geojson["features"]) == 103 and clusters == len(labels)
    by_id = {feature["id"]: feature["properties"] for feature in geojson["features"]}
    assert by_id["M1X"]["status"] == "no_venues" and by_id["M1X"]["cluster_id"] is None
    assert query(database, "select area_id, cluster_id from area_clusters order by 1") == sorted(
        (area_id, properties["cluster_id"]) for area_id, properties in by_id.items()
    )
    plot = ElementTree.parse(Path(report_path).with_name("toronto_fsa_cluster_model_selection.svg"))
    assert len(plot.findall(".//{http://www.w3.org/2000/svg}polyline")) == 4  # a criterion each, one method


def test_the_notebook_preset_is_lopsided_and_says_so(built_copy: Path):
    """preset notebook: detailed categories, every area with a venue, k-means k = 5 — 86 of 100
    areas in one cluster, and the build, the map and the report warn. (Rebuilt from the model that
    reads the settings: a partial build, read in the build schema.)"""
    result = run_dbt(built_copy, "build", "--select", "cluster_settings+", variables={"preset": "notebook"})
    assert result.returncode == 0, result.stdout
    assert "the_clustering_is_not_weak" in result.stdout and "WARN=1" in result.stdout
    ((k, largest, weak, reasons),) = query(
        built_copy, "select k, largest_share, is_weak, weak_reasons from build.cluster_quality"
    )
    assert (k, weak) == (5, True) and largest >= 0.8
    assert any("largest cluster" in reason for reason in reasons)
    assert query(built_copy, "select feature_level, sparse_areas from build.cluster_settings") == [
        ("category", "none")
    ]
    ((map_path, warning, report_path),) = query(
        built_copy, "select map_path, weak_warning, report_path from build.segmentation_outputs"
    )
    assert warning.startswith("Weak clustering")
    # a partial build publishes nothing: its map and report wait in unpublished/
    assert not Path(map_path).exists() and not Path(report_path).exists()
    page = BeautifulSoup(pending(Path(map_path)).read_bytes(), "lxml")
    assert page.select_one("#map-heading .warning").get_text() == warning
    report = BeautifulSoup(pending(Path(report_path)).read_bytes(), "lxml")
    assert report.select_one(".warning").get_text() == warning


def test_docs_analyses_and_the_notebook(snapshot_build, monkeypatch: pytest.MonkeyPatch):
    database, _ = snapshot_build
    assert run_dbt(database, "docs", "generate").returncode == 0
    catalog = json.loads((database.parent / "target" / "catalog.json").read_text())
    assert "area_clusters" in {node["metadata"]["name"] for node in catalog["nodes"].values()}
    # The analyses, compiled in one dbt run (as `dbt compile` gives them to any DuckDB client), each
    # run on the published tables, and one through `dbt show` as the README says.
    analyses = (
        "cluster_summary",
        "top_categories_per_cluster",
        "areas_moving_between_k",
        "venues_per_borough",
    )
    compiled = run_dbt(database, "compile", "--select", *analyses)
    assert compiled.returncode == 0, compiled.stdout
    folder = database.parent / "target" / "compiled" / "neighbourhood_segmentation" / "analysis"
    for analysis in analyses:
        assert query(database, (folder / f"{analysis}.sql").read_text()), analysis
    shown = run_dbt(database, "show", "--select", "cluster_summary", "--output", "json", "--quiet")
    assert shown.returncode == 0, shown.stdout
    assert json.loads(shown.stdout)["show"]
    notebook = json.loads((REPO / "analysis" / "cluster_map.ipynb").read_text())
    monkeypatch.setenv("DBT_DUCKDB_PATH", str(database))
    namespace: dict = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            exec("".join(cell["source"]), namespace)
    assert len(namespace["areas"]) == 103 and type(namespace["cluster_map"]).__name__ == "KeplerGl"
    assert namespace["payload"].layer_count == 3


def test_settings_that_make_no_sense_fail_the_build_and_main_stays(built_copy: Path):
    """Issues 15 and 24 (rows 9 and 10): settings out of range, and a set with nothing to cluster,
    fail the build in one line naming what is allowed (no Python traceback) — the settings before any
    model runs, what depends on the data in cluster_settings; the last good build stays published."""
    before = query(built_copy, "select area_id, cluster_id from main.area_clusters order by 1")
    failed = run_dbt(built_copy, "build", variables={"n_clusters": 500})
    assert failed.returncode != 0 and "Traceback" not in failed.stdout
    assert "n_clusters is 500, but 100 clustered areas allow 2 … 33" in failed.stdout
    assert query(built_copy, "select area_id, cluster_id from main.area_clusters order by 1") == before
    # Every setting out of range is named at once, before any model runs (two runs: one value each).
    for variables, messages in (
        ({"n_clusters": 1, "features": [], "method": "dbscan"},
         ["n_clusters is 1; expected auto or a whole number of 2 or more", "features is []; expected one or more "
          "of shares", "method is dbscan; expected one of kmeans, ward, gmm, spatial"]),
        ({"n_clusters": "abc", "min_venues": 0, "features": ["shares", "zscore"]},
         ["n_clusters is abc; expected auto or a whole number of 2 or more", "min_venues is 0; expected a whole "
          "number of at least 1", "features is ['shares', 'zscore']; expected one or more of shares"]),
        ({"venue_provider": "overpass"}, ["area set toronto_fsa has no area with a venue from the venue provider "
         "chosen for it (var venue_provider: overpass), so there is nothing to cluster"]),
    ):  # fmt: skip
        upstream = "+" if "venue_provider" in variables else ""  # the venues are chosen upstream
        result = run_dbt(built_copy, "build", "--select", f"{upstream}cluster_settings+", variables=variables)
        assert result.returncode != 0 and all(message in result.stdout for message in messages), (
            variables, result.stdout[-2000:],
        )  # fmt: skip
        assert "Traceback" not in result.stdout and "Failure in test" not in result.stdout, variables
    assert query(built_copy, "select area_id, cluster_id from main.area_clusters order by 1") == before


def test_sparse_areas_exclude_leaves_the_sparse_areas_unclustered(built_copy: Path):
    """Issue 17: `sparse_areas: exclude` leaves the 35 areas with fewer than 5 venues unclustered."""
    excluded = run_dbt(
        built_copy, "build", "--select", "cluster_settings+", variables={"sparse_areas": "exclude"}
    )
    assert excluded.returncode == 0, excluded.stdout[-3000:]
    assert query(built_copy, "select status, count(*) from build.area_clusters group by 1 order by 1") == [
        ("clustered", 65), ("insufficient_venues", 35), ("no_venues", 3),
    ]  # fmt: skip


def test_the_postal_areas_cover_torontos_ground(snapshot_build):
    """Issue 17: the postal areas' km² from their polygons on the spheroid (not on degrees): the 96
    FSA polygons cover about 630 km² of Toronto (its land area is 630.2 km²)."""
    database, _ = snapshot_build
    ((total, polygons),) = query(
        database, "select sum(area_km2), count(area_km2) from areas where area_set = 'toronto_fsa'"
    )
    assert polygons == 96 and 600 < total < 660, total
