"""The areas' clusters at each k of `cluster_comparison_ks` (default 4, 5, 6), for comparing how
areas move between k (analysis/areas_moving_between_k.sql)."""

from typing import Any

import duckdb
import pyarrow as pa

from segmentation.clustering import distinct_rows, fit_kmeans
from segmentation.features import read_features, scale


def model(dbt: Any, session: duckdb.DuckDBPyConnection) -> pa.Table:
    dbt.config(materialized="table")
    # One dbt.config.get per statement: dbt finds the keys a Python model reads by parsing it.
    scaling = str(dbt.config.get("feature_scaling"))
    comparison_ks = str(dbt.config.get("cluster_comparison_ks"))
    random_state = int(dbt.config.get("random_state"))
    n_init = int(dbt.config.get("n_init"))

    features = read_features(dbt.ref("postal_code_category_frequencies"), dbt.ref("venue_categories"))
    matrix = scale(features.matrix, scaling)
    feasible = distinct_rows(matrix) if len(matrix) else 0  # a k above this cannot be made: left out
    codes, ks, labels, distances = [], [], [], []
    for k in [int(k) for k in comparison_ks.replace("[", "").replace("]", "").split(",") if k.strip()]:
        if not 1 <= k <= feasible:
            continue
        clustering = fit_kmeans(matrix, k, random_state=random_state, n_init=n_init)
        codes += features.postal_codes
        ks += [k] * len(features.postal_codes)
        labels += clustering.labels.tolist()
        distances += clustering.distances.tolist()
    return pa.table(
        {
            "postal_code": pa.array(codes, pa.string()),
            "k": pa.array(ks, pa.int32()),
            "cluster_id": pa.array(labels, pa.int32()),
            "distance_to_centre": pa.array(distances, pa.float64()),
        }
    )
