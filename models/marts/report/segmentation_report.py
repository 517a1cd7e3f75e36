"""The segmentation report of the chosen area set, <output_dir>/<area_set>_segmentation_report.html:
one self-contained file (opens offline) with the settings, the weak-clustering warning when it
applies, the model-selection and stability plots, and per cluster its size, label, members and top
features with shares and lifts. Beside it, every area of the set as GeoJSON
(<area_set>_clusters.geojson: its cluster and label, or why it has none) and the model-selection
plot as PNG (<area_set>_cluster_model_selection.png).

It reads the map, so it runs after every other model and test has passed: a failed build never
rewrites the report. Returns one row describing what was written."""

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from segmentation import geojson_export, plots, report


def model(dbt: Any, session: duckdb.DuckDBPyConnection) -> pa.Table:
    dbt.config(materialized="table")
    # One dbt.config.get per statement: dbt finds the keys a Python model reads by parsing it.
    output_dir = Path(str(dbt.config.get("output_dir"))).resolve()

    dbt.ref("area_map")  # the last model before this one: the report waits for every test
    settings = _rows(dbt.ref("cluster_settings"))[0]
    quality = _rows(dbt.ref("cluster_quality"))
    selection = _rows(dbt.ref("cluster_model_selection").select(
        "method, k, silhouette, calinski_harabasz, davies_bouldin, seed_agreement, bootstrap_agreement, "
        "largest_share, cluster_sizes, meets_rule, is_chosen"
    ))  # fmt: skip
    areas = _rows(dbt.ref("area_map_features").order("area_id"))
    selection_png = plots.png(plots.model_selection(selection)) if selection else None
    inputs = report.ReportInputs(
        settings=settings,
        quality=quality[0] if quality else None,
        selection=selection,
        profiles=_rows(dbt.ref("cluster_profiles").order("cluster_id")),
        features=_rows(dbt.ref("cluster_categories").order("cluster_id, commonness_rank")),
        areas=areas,
        selection_png=selection_png,
    )
    area_set = settings["area_set"]
    report_path = report.write(inputs, output_dir / f"{area_set}_segmentation_report.html")
    geojson_path = geojson_export.write(areas, output_dir / f"{area_set}_clusters.geojson")
    plot_path = output_dir / f"{area_set}_cluster_model_selection.png"
    if selection_png:
        plot_path.write_bytes(selection_png)
    return pa.table(
        {
            "area_set": [area_set],
            "report_path": [str(report_path)],
            "report_bytes": [report_path.stat().st_size],
            "geojson_path": [str(geojson_path)],
            "geojson_feature_count": [len(areas)],
            "model_selection_plot_path": pa.array([str(plot_path) if selection else None], pa.string()),
            "cluster_count": [len(inputs.profiles)],
            "is_weak": [bool(inputs.quality and inputs.quality["is_weak"])],
        }
    )


def _rows(relation: duckdb.DuckDBPyRelation) -> list[dict[str, Any]]:
    columns = relation.columns
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
