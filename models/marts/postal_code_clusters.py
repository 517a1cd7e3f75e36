"""KMeans over the area category frequencies. The features are the category columns named in
venue_categories, read explicitly, so no key, count or label can leak into them. Areas without
venues get no cluster (null, is_clustered false): they are neither dropped nor clustered as zero
vectors. Cluster ids run 1..k from the largest cluster, so two runs give the same ids. With
n_clusters auto, k is chosen by the rule cluster_model_selection applies, over the same fits (this
model does not wait for that one: the two run side by side)."""

from typing import Any

import duckdb
import pyarrow as pa

from segmentation.clustering import evaluate, fit_kmeans, resolve_k
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
    features = read_features(dbt.ref("postal_code_category_frequencies"), dbt.ref("venue_categories"))
    areas = [
        code for (code,) in dbt.ref("postal_codes").order("postal_code").select("postal_code").fetchall()
    ]
    assigned = {}
    k = None
    if features.postal_codes:
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
        k = resolve_k(setting, candidates)
        clustering = fit_kmeans(matrix, k, random_state=random_state, n_init=n_init)
        assigned = {
            code: (int(label), float(distance))
            for code, label, distance in zip(
                features.postal_codes, clustering.labels, clustering.distances, strict=True
            )
        }
    return pa.table(
        {
            "postal_code": pa.array(areas, pa.string()),
            "cluster_id": pa.array([assigned.get(code, (None,))[0] for code in areas], pa.int32()),
            "distance_to_centre": pa.array(
                [assigned.get(code, (None, None))[1] for code in areas], pa.float64()
            ),
            "is_clustered": pa.array([code in assigned for code in areas]),
            "n_clusters": pa.array([k] * len(areas), pa.int32()),
            "feature_scaling": pa.array([scaling] * len(areas), pa.string()),
            "feature_count": pa.array([len(features.columns)] * len(areas), pa.int32()),
        }
    )
