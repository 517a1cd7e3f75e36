"""Features, KMeans with stable ids, the auto rule for k."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from segmentation.clustering import Candidate, ClusteringError, choose_k, evaluate, fit_kmeans, resolve_k
from segmentation.features import FeatureError, read_features, scale


def frequencies(
    connection: duckdb.DuckDBPyConnection,
) -> tuple[duckdb.DuckDBPyRelation, duckdb.DuckDBPyRelation]:
    connection.execute(
        """
        create table frequencies as select * from (values
            ('M5B', 4, 0.50, 0.50, 0.00, 3),
            ('M5A', 2, 0.50, 0.00, 0.50, 1),
            ('M1X', 0, 0.00, 0.00, 0.00, null),
            ('M1B', 1, 1.00, 0.00, 0.00, 2)
        ) t(area_id, venue_count, cat_coffee_shop, cat_park, cat_pub, cluster_id)
        """
    )
    connection.execute(
        "create table categories as select * from (values ('Pub', 'cat_pub'), ('Coffee Shop', 'cat_coffee_shop'), "
        "('Park', 'cat_park')) t(category, column_name)"
    )
    return connection.table("frequencies"), connection.table("categories")


def test_features_are_the_listed_category_columns_only():
    with duckdb.connect() as connection:
        features = read_features(*frequencies(connection))
    # The key, the venue count and a label column are never features; areas without venues are left out.
    assert features.columns == ["cat_coffee_shop", "cat_park", "cat_pub"]
    assert features.area_ids == ["M1B", "M5A", "M5B"]
    assert features.matrix.tolist() == [[1.0, 0.0, 0.0], [0.5, 0.0, 0.5], [0.5, 0.5, 0.0]]


def test_features_refuse_a_mismatch_with_venue_categories():
    with duckdb.connect() as connection:
        table, categories = frequencies(connection)
        connection.execute("insert into categories values ('Bar', 'cat_bar')")
        with pytest.raises(FeatureError, match="lacks the category columns"):
            read_features(table, categories)
        connection.execute("delete from categories where column_name in ('cat_bar', 'cat_pub')")
        with pytest.raises(FeatureError, match="columns no category names"):
            read_features(table, categories)


def test_tfidf_weighs_down_ubiquitous_categories():
    matrix = np.array([[0.5, 0.5, 0.0], [0.5, 0.0, 0.5], [0.5, 0.5, 0.0]])
    scaled = scale(matrix, "tfidf")
    assert np.allclose(np.linalg.norm(scaled, axis=1), 1.0)
    assert scaled[1, 0] < scaled[1, 2]  # everywhere (coffee) counts less than rare (pub)
    assert scale(matrix, "none") is matrix
    with pytest.raises(FeatureError, match="expected one of none, tfidf"):
        scale(matrix, "zscore")


def blobs() -> np.ndarray:
    generator = np.random.default_rng(7)
    centres = np.array([[0, 0], [10, 0], [0, 10]])
    sizes = [12, 5, 8]
    return np.vstack(
        [centre + generator.normal(0, 0.5, (size, 2)) for centre, size in zip(centres, sizes, strict=True)]
    )


def test_cluster_ids_follow_cluster_size_and_runs_agree():
    matrix = blobs()
    first = fit_kmeans(matrix, 3, random_state=1, n_init=10)
    second = fit_kmeans(matrix, 3, random_state=99, n_init=10)
    assert first.sizes == [12, 8, 5]  # 1 = the largest cluster
    assert (first.labels == second.labels).all()  # a different seed, the same ids
    assert first.labels[0] == 1 and first.labels[-1] == 2
    assert len(first.distances) == len(matrix) and (first.distances >= 0).all()


def test_clustering_refuses_what_cannot_be_done():
    with pytest.raises(ClusteringError, match="at least 10 restarts"):
        fit_kmeans(blobs(), 3, random_state=1, n_init=3)
    with pytest.raises(ClusteringError, match="cannot make 30 clusters of 25 areas"):
        fit_kmeans(blobs(), 30, random_state=1, n_init=10)


def test_evaluate_scores_each_feasible_k():
    candidates = evaluate(blobs(), range(2, 40), random_state=1, n_init=10)
    assert [c.k for c in candidates] == list(range(2, 25))  # k must stay below the number of areas
    best = choose_k(candidates)
    assert best.k == 3  # three blobs
    assert all(
        -1 <= c.silhouette <= 1 and c.calinski_harabasz > 0 and c.davies_bouldin > 0 for c in candidates
    )


def candidate(k: int, silhouette: float, sizes: list[int]) -> Candidate:
    return Candidate(k, 1.0, silhouette, 1.0, 1.0, sizes)


def test_the_auto_rule():
    candidates = [
        candidate(2, 0.30, [90, 10]),
        candidate(3, 0.45, [80, 19, 1]),  # best silhouette, but a singleton cluster
        candidate(4, 0.40, [50, 30, 15, 5]),
        candidate(5, 0.40, [40, 30, 15, 10, 5]),  # ties with 4: the smaller k wins
    ]
    assert choose_k(candidates).k == 4
    assert choose_k([candidate(2, 0.1, [99, 1]), candidate(3, 0.2, [98, 1, 1])]).k == 3  # none qualifies
    assert choose_k([]) is None


def test_resolve_k():
    assert resolve_k("5", []) == 5
    assert resolve_k(" Auto ", [candidate(2, 0.3, [5, 5]), candidate(3, 0.5, [4, 3, 3])]) == 3
    with pytest.raises(ClusteringError, match="expected a whole number or auto"):
        resolve_k("five", [])
    with pytest.raises(ClusteringError, match="no candidate k"):
        resolve_k("auto", [])


def test_identical_areas_cannot_make_several_clusters():
    same = np.ones((6, 3))
    assert evaluate(same, range(2, 5), random_state=1, n_init=10) == []
    with pytest.raises(ClusteringError, match="only 1 distinct mixes of venue categories"):
        fit_kmeans(same, 2, random_state=1, n_init=10)
    assert fit_kmeans(same, 1, random_state=1, n_init=10).sizes == [6]
