"""Clusters, model selection, profiles and the map on the real snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from bs4 import BeautifulSoup, Comment
from support import REPO, SNAPSHOT, Build, query, run_dbt

from segmentation.features import read_features

pytestmark = pytest.mark.integration


def test_clusters_for_every_area_with_venues(snapshot_build):
    database, result = snapshot_build
    assert result.returncode == 0, result.stdout
    assert query(
        database, "select count(*), count(cluster_id), count(distinct cluster_id) from postal_code_clusters"
    ) == [(103, 100, 5)]
    assert query(
        database, "select postal_code from postal_code_clusters where not is_clustered order by 1"
    ) == [
        ("M1X",),
        ("M2M",),
        ("M9A",),
    ]
    sizes = query(
        database,
        "select cluster_id, count(*) from postal_code_clusters where is_clustered group by 1 order by 1",
    )
    assert [size for _, size in sizes] == sorted((size for _, size in sizes), reverse=True)  # 1 = the largest
    assert query(
        database, "select distinct n_clusters, feature_scaling, feature_count from postal_code_clusters"
    ) == [(5, "none", 273)]


def test_the_features_are_exactly_the_category_columns(snapshot_build):
    database, _ = snapshot_build
    with duckdb.connect(str(database), read_only=True) as connection:
        features = read_features(
            connection.table("area_category_frequencies"), connection.table("area_set_categories")
        )
        categories = [
            name
            for (name,) in connection.execute(
                "select column_name from area_set_categories order by 1"
            ).fetchall()
        ]
        table_columns = [
            row[0] for row in connection.execute("describe area_category_frequencies").fetchall()
        ]
    assert features.columns == categories and len(categories) == 273
    assert set(table_columns) - set(features.columns) == {
        "area_set",
        "area_id",
        "venue_count",
    }  # never features
    assert features.matrix.shape == (100, 273)
    assert abs(features.matrix.sum(axis=1) - 1).max() < 1e-9


def test_model_selection_and_the_auto_rule(snapshot_build):
    database, _ = snapshot_build
    rows = query(
        database,
        "select k, inertia, silhouette, calinski_harabasz, davies_bouldin, cluster_sizes, is_chosen "
        "from cluster_model_selection order by k",
    )
    assert [row[0] for row in rows] == list(range(2, 13))
    assert all(None not in row[1:5] for row in rows)
    assert all(sum(row[5]) == 100 and len(row[5]) == row[0] for row in rows)
    # The rule, worked out here from the table (not with the project's own choose_k): the best
    # silhouette among the k whose clusters all hold at least 2 areas, the smaller k on a tie.
    qualified = [row for row in rows if min(row[5]) >= 2] or rows
    best = max(row[2] for row in qualified)
    assert [row[0] for row in rows if row[6]] == [min(row[0] for row in qualified if row[2] == best)]
    plot = database.parent / "output" / "toronto_fsa_cluster_model_selection.png"
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_n_clusters_from_vars_and_auto(built_copy: Path):
    """A partial build (`--select`) is not published: its tables are read in the build schema."""
    result = run_dbt(built_copy, "build", "--select", "area_clusters+", variables={"n_clusters": 4})
    assert result.returncode == 0, result.stdout
    assert "Not published" in result.stdout
    assert query(
        built_copy, "select count(distinct cluster_id), max(n_clusters) from build.postal_code_clusters"
    ) == [(4, 4)]
    assert query(built_copy, "select count(*) from build.cluster_profiles") == [(4,)]
    assert query(built_copy, "select max(n_clusters) from main.postal_code_clusters") == [(5,)]
    result = run_dbt(built_copy, "build", "--select", "area_clusters+", variables={"n_clusters": "auto"})
    assert result.returncode == 0, result.stdout
    (chosen,) = query(built_copy, "select k from build.cluster_model_selection where is_chosen")[0]
    assert query(
        built_copy, "select count(distinct cluster_id), max(n_clusters) from build.postal_code_clusters"
    ) == [(chosen, chosen)]


def test_two_full_builds_give_identical_clusters(snapshot_build, build: Build):
    first, _ = snapshot_build
    second, result = build(SNAPSHOT)
    assert result.returncode == 0, result.stdout
    for table in (
        "postal_code_clusters",
        "cluster_profiles",
        "cluster_model_selection",
        "postal_code_clusters_by_k",
    ):
        sql = f"select * from {table} order by all"
        assert query(first, sql) == query(second, sql), table


def test_profiles_label_every_cluster(snapshot_build):
    database, _ = snapshot_build
    profiles = query(
        database,
        "select cluster_id, area_count, label, len(distinctive_categories) from cluster_profiles",
    )
    assert [row[0] for row in profiles] == [1, 2, 3, 4, 5]
    assert sum(row[1] for row in profiles) == 100
    assert all(row[2] and row[3] >= 1 for row in profiles)


def test_the_map_is_written(snapshot_build):
    database, _ = snapshot_build
    ((path, cdn, size, areas, polygons, clustered, venues, layers, venue_layer),) = query(
        database, "select * exclude (area_set) from area_map"
    )
    assert (areas, polygons, clustered, venues, layers) == (103, 96, 100, 2226, 3)
    assert venue_layer == "shown (hidden until switched on)"
    assert cdn is None and Path(path).stat().st_size == size > 10_000_000  # kepler.gl inlined
    page = BeautifulSoup(Path(path).read_bytes(), "lxml")
    # Nothing is loaded from elsewhere: no script, stylesheet or image element points out of the page.
    assert not page.select("script[src], link[href], img[src], iframe")
    assert len(page.find_all("script")) == 6 + 3  # the 6 libraries' scripts, data, basemap, the app
    assert "Copyright (c)" in str(page.find(string=lambda text: isinstance(text, Comment)))  # licences kept


def test_docs_analyses_and_the_notebook(snapshot_build, monkeypatch: pytest.MonkeyPatch):
    database, _ = snapshot_build
    assert run_dbt(database, "docs", "generate").returncode == 0
    assert (database.parent / "target" / "catalog.json").is_file()
    for analysis in (
        "cluster_summary",
        "top_categories_per_cluster",
        "areas_moving_between_k",
        "venues_per_borough",
    ):
        shown = run_dbt(
            database, "show", "--select", analysis, "--output", "json", "--limit", "50", "--quiet"
        )
        assert shown.returncode == 0, shown.stdout
        assert json.loads(shown.stdout)["show"], analysis
    notebook = json.loads((REPO / "analysis" / "cluster_map.ipynb").read_text())
    monkeypatch.setenv("DBT_DUCKDB_PATH", str(database))
    namespace: dict = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            exec("".join(cell["source"]), namespace)
    assert len(namespace["areas"]) == 103 and type(namespace["cluster_map"]).__name__ == "KeplerGl"
