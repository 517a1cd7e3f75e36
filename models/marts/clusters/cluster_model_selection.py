"""Model selection for the chosen area set: every k of k_min..k_max (and n_clusters when it is a
number) for each method of cluster_settings.selection_methods, fitted once on the features the
settings name, with the four criteria, the cluster sizes, the agreement across random seeds and
across bootstrap redraws of the set's places, each area's assignment confidence, the auto rule's
verdict, and the chosen fit (area_clusters unnests it: the clusters are not fitted twice). The
report (segmentation_outputs) plots it."""

from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from segmentation.selection import Settings, evaluate
from segmentation.training_data import read_training_data


def model(dbt: Any, session: duckdb.DuckDBPyConnection) -> pa.Table:
    dbt.config(materialized="table")
    settings_relation = dbt.ref("cluster_settings")
    row = dict(zip(settings_relation.columns, settings_relation.fetchone(), strict=True))
    data = read_training_data(dbt.ref("area_feature_counts"), dbt.ref("areas"), row)
    settings = Settings(
        features=tuple(row["features"]), sparse_areas=row["sparse_areas"], density_weight=float(row["density_weight"]),
        methods=tuple(row["selection_methods"]),
        method=row["method"], n_clusters=str(row["n_clusters"]), k_min=int(row["k_min"]), k_max=int(row["k_max"]),
        random_state=int(row["random_state"]), n_init=int(row["n_init"]), min_cluster_size=int(row["min_cluster_size"]),
        min_seed_agreement=float(row["min_seed_agreement"]), max_largest_share=float(row["max_largest_share"]),
        min_bootstrap_agreement=float(row["min_bootstrap_agreement"]),
        stability_seeds=int(row["stability_seeds"]), stability_resamples=int(row["stability_resamples"]),
        sample_size=int(row["stability_sample_size"]),
    )  # fmt: skip
    fits = evaluate(data.counts, data.sampled_km2, settings, data.connectivity) if len(data.area_ids) else []
    size = len(fits)
    return pa.table(
        {
            "area_set": pa.array([row["area_set"]] * size, pa.string()),
            "method": pa.array([fit.method for fit in fits], pa.string()),
            "k": pa.array([fit.k for fit in fits], pa.int32()),
            "inertia": pa.array([fit.inertia for fit in fits], pa.float64()),
            "silhouette": pa.array([_nan(fit.silhouette) for fit in fits], pa.float64()),
            "calinski_harabasz": pa.array([_nan(fit.calinski_harabasz) for fit in fits], pa.float64()),
            "davies_bouldin": pa.array([_nan(fit.davies_bouldin) for fit in fits], pa.float64()),
            "seed_agreement": pa.array([fit.seed_agreement for fit in fits], pa.float64()),
            "bootstrap_agreement": pa.array([_nan(fit.bootstrap_agreement) for fit in fits], pa.float64()),
            "cluster_sizes": pa.array([fit.sizes for fit in fits], pa.list_(pa.int32())),
            "smallest_cluster": pa.array([fit.smallest for fit in fits], pa.int32()),
            "largest_share": pa.array([fit.largest_share for fit in fits], pa.float64()),
            "venue_count_share": pa.array([fit.venue_count_share for fit in fits], pa.float64()),
            "redraw_empty_areas": pa.array([fit.redraw_empty_areas for fit in fits], pa.float64()),
            "meets_rule": pa.array([fit.meets_rule for fit in fits], pa.bool_()),
            "score": pa.array([fit.score for fit in fits], pa.float64()),
            "is_chosen": pa.array([fit.is_chosen for fit in fits], pa.bool_()),
            "feature_level": pa.array([row["feature_level"]] * size, pa.string()),
            "feature_count": pa.array([len(data.features)] * size, pa.int32()),
            "diagnostic_sample_size": pa.array(
                [min(len(data.area_ids), settings.sample_size)] * size, pa.int32()
            ),
            # Per area lists, built from numpy in bulk (a Python object per area and fit is slow at
            # 50,000 areas).
            "area_ids": _lists([pa.array(data.area_ids, pa.string())] * size, pa.string()),
            "cluster_ids": _lists([pa.array(fit.labels, pa.int32()) for fit in fits], pa.int32()),
            "distances": _lists([pa.array(fit.distances, pa.float64()) for fit in fits], pa.float64()),
            "confidence": _lists(
                [pa.array(fit.confidence, pa.float64(), from_pandas=True) for fit in fits], pa.float64()
            ),
        }
    )


def _lists(arrays: list[pa.Array], value_type: pa.DataType) -> pa.ListArray:
    """One list per fit: the arrays end to end, cut at their lengths."""
    offsets = np.cumsum([0] + [len(array) for array in arrays], dtype=np.int32)
    values = pa.concat_arrays(arrays) if arrays else pa.array([], value_type)
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values)


def _nan(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)
