"""KMeans for k = k_min..k_max on the category frequencies of the chosen area set: inertia,
silhouette, Calinski–Harabasz, Davies–Bouldin and cluster sizes per k, the k the auto rule picks,
each k's assignment of areas (area_clusters_by_k unnests it), and a PNG plot of the criteria
against k written to the output folder as <area_set>_cluster_model_selection.png."""

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from segmentation.clustering import MIN_CLUSTER_SIZE, choose_k, evaluate
from segmentation.features import read_features, scale
from segmentation.plots import plot_model_selection


def model(dbt: Any, session: duckdb.DuckDBPyConnection) -> pa.Table:
    dbt.config(materialized="table")
    # One dbt.config.get per statement: dbt finds the keys a Python model reads by parsing it.
    scaling = str(dbt.config.get("feature_scaling"))
    k_min = int(dbt.config.get("k_min"))
    k_max = int(dbt.config.get("k_max"))
    random_state = int(dbt.config.get("random_state"))
    n_init = int(dbt.config.get("n_init"))
    sample_size = int(dbt.config.get("silhouette_sample_size"))
    output_dir = Path(str(dbt.config.get("output_dir"))).resolve()

    (area_set,) = dbt.ref("int_area_set_chosen").select("area_set").fetchone()
    features = read_features(dbt.ref("area_category_frequencies"), dbt.ref("area_set_categories"))
    candidates = evaluate(
        scale(features.matrix, scaling),
        range(k_min, k_max + 1),
        random_state=random_state,
        n_init=n_init,
        silhouette_sample_size=sample_size,
    )
    chosen = choose_k(candidates)
    plot = output_dir / f"{area_set}_cluster_model_selection.png"
    plot_model_selection(candidates, chosen.k if chosen else None, plot)
    return pa.table(
        {
            "area_set": pa.array([area_set] * len(candidates), pa.string()),
            "k": pa.array([c.k for c in candidates], pa.int32()),
            "inertia": pa.array([c.inertia for c in candidates], pa.float64()),
            "silhouette": pa.array([c.silhouette for c in candidates], pa.float64()),
            "calinski_harabasz": pa.array([c.calinski_harabasz for c in candidates], pa.float64()),
            "davies_bouldin": pa.array([c.davies_bouldin for c in candidates], pa.float64()),
            "cluster_sizes": pa.array([c.cluster_sizes for c in candidates], pa.list_(pa.int32())),
            "smallest_cluster": pa.array([c.smallest_cluster for c in candidates], pa.int32()),
            "meets_size_rule": pa.array([c.smallest_cluster >= MIN_CLUSTER_SIZE for c in candidates]),
            "is_chosen": pa.array([chosen is not None and c.k == chosen.k for c in candidates]),
            "feature_count": pa.array([len(features.columns)] * len(candidates), pa.int32()),
            "area_ids": pa.array([features.area_ids] * len(candidates), pa.list_(pa.string())),
            "cluster_ids": pa.array([c.clustering.labels.tolist() for c in candidates], pa.list_(pa.int32())),
            "distances": pa.array(
                [c.clustering.distances.tolist() for c in candidates], pa.list_(pa.float64())
            ),
        }
    )
