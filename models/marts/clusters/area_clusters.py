"""KMeans over the category frequencies of the chosen area set (var area_set, default the postal
set). The features are the category columns named in area_set_categories, read explicitly, so no
key, count or label can leak into them. Areas without venues get no cluster (null, is_clustered
false): they are neither dropped nor clustered as zero vectors. Cluster ids run 1..k from the
largest cluster, so two runs give the same ids. With n_clusters auto, k is chosen by the rule
cluster_model_selection applies, over the same fits (this model does not wait for that one: the two
run side by side)."""

from typing import Any

import duckdb
import pyarrow as pa

from segmentation.clustering import distinct_rows, evaluate, fit_kmeans, resolve_k
from segmentation.features import read_features, scale


def model(dbt: Any, session: duckdb.DuckDBPyConnection) -> pa.Table:
    dbt.config(materialized="table")
    # One dbt.config.get per statement: dbt finds the keys a Python model reads by parsing it.
    scaling = str(dbt.config.get("feature_scaling"))
    setting = str(dbt.config.get("n_clusters"))
    random_state = int(dbt.config.get("random_state"))
    n_init = int(dbt.config.get("n_init"))
    k_min = int(dbt.config.get("k_min"))
    k_max = int(dbt.config.get("k_max"))
    sample_size = int(dbt.config.get("silhouette_sample_size"))
    (area_set,) = dbt.ref("int_area_set_chosen").select("area_set").fetchone()
    features = read_features(dbt.ref("area_category_frequencies"), dbt.ref("area_set_categories"))
    areas = [
        area_id
        for (area_id,) in dbt.ref("areas")
        .filter(f"area_set = '{area_set}'")
        .order("area_id")
        .select("area_id")
        .fetchall()
    ]
    assigned = {}
    k = requested = None
    if features.area_ids:
        matrix = scale(features.matrix, scaling)
        candidates = []
        if setting.strip().lower() == "auto":
            candidates = evaluate(
                matrix,
                range(k_min, k_max + 1),
                random_state=random_state,
                n_init=n_init,
                silhouette_sample_size=sample_size,
            )
        requested = resolve_k(setting, candidates)
        # A set with fewer areas (or distinct mixes of categories) than k asked: as many clusters
        # as there can be; the warning test on requested_k says so.
        k = min(requested, distinct_rows(matrix))
        clustering = fit_kmeans(matrix, k, random_state=random_state, n_init=n_init)
        assigned = {
            area_id: (int(label), float(distance))
            for area_id, label, distance in zip(
                features.area_ids, clustering.labels, clustering.distances, strict=True
            )
        }
    return pa.table(
        {
            "area_set": pa.array([area_set] * len(areas), pa.string()),
            "area_id": pa.array(areas, pa.string()),
            "cluster_id": pa.array([assigned.get(a, (None,))[0] for a in areas], pa.int32()),
            "distance_to_centre": pa.array([assigned.get(a, (None, None))[1] for a in areas], pa.float64()),
            "is_clustered": pa.array([a in assigned for a in areas]),
            "n_clusters": pa.array([k] * len(areas), pa.int32()),
            "requested_k": pa.array([requested] * len(areas), pa.int32()),
            "feature_scaling": pa.array([scaling] * len(areas), pa.string()),
            "feature_count": pa.array([len(features.columns)] * len(areas), pa.int32()),
        }
    )
