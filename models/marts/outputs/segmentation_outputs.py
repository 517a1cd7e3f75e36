"""Writes what a planner opens, for the chosen area set, into <output_dir>: the kepler.gl map
(<area_set>_clusters_map.html, or var map_path), the report (<area_set>_segmentation_report.html),
every area as GeoJSON (<area_set>_clusters.geojson) and the model-selection plot
(<area_set>_cluster_model_selection.svg), each aside until the build is published
(segmentation.output_file). Returns one row describing what was written."""

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

import segmentation
from segmentation import geojson_export, plots, report
from segmentation.describe import heading
from segmentation.kepler_assets import load
from segmentation.kepler_map import build_payload, map_areas, map_venues, write_cdn_html, write_html
from segmentation.output_file import pending

PROJECT = Path(segmentation.__file__).resolve().parents[1]


def model(dbt: Any, session: duckdb.DuckDBPyConnection) -> pa.Table:
    dbt.config(materialized="table")
    # One dbt.config.get per statement: dbt finds the keys a Python model reads by parsing it.
    map_path_setting = str(dbt.config.get("map_path") or "")
    output_dir = Path(str(dbt.config.get("output_dir"))).resolve()
    assets_dir = PROJECT / str(dbt.config.get("kepler_assets_dir"))  # a relative folder is the project's
    with_cdn_copy = str(dbt.config.get("map_with_cdn_copy")).lower() == "true"
    with_venues = str(dbt.config.get("map_with_venues")).lower() == "true"
    venue_limit = int(dbt.config.get("map_venue_limit"))

    settings = _rows(dbt.ref("cluster_settings"))[0]
    quality_rows = _rows(dbt.ref("cluster_quality"))
    quality = quality_rows[0] if quality_rows else None
    area_set = settings["area_set"]
    areas = _rows(dbt.ref("area_map_features").order("area_id"))  # for the map, the report and the GeoJSON

    map_path = (
        Path(map_path_setting) if map_path_setting else output_dir / f"{area_set}_clusters_map.html"
    ).resolve()
    all_venues = dbt.ref("area_venues").filter(f"area_set = '{area_set}'")
    venue_total = all_venues.count("*").fetchone()[0]
    venue_layer = with_venues and venue_total <= venue_limit
    shown = map_areas(areas)
    venues = map_venues(all_venues) if venue_layer else None
    payload = build_payload(shown, venues, heading(settings, quality), min_venues=int(settings["min_venues"]))
    # Every file is written aside (output_file.pending) and moved into place when the build is published.
    write_html(payload, load(assets_dir), pending(map_path))
    cdn_path = map_path.with_name(map_path.stem + "_cdn.html") if with_cdn_copy else None
    if cdn_path:
        write_cdn_html(payload, pending(cdn_path))

    selection = _rows(dbt.ref("cluster_model_selection").select(
        "method, k, silhouette, calinski_harabasz, davies_bouldin, seed_agreement, bootstrap_agreement, "
        "largest_share, cluster_sizes, meets_rule, is_chosen"
    ))  # fmt: skip
    selection_svg = plots.model_selection(selection) if selection else None
    inputs = report.ReportInputs(
        settings=settings,
        quality=quality,
        selection=selection,
        profiles=_rows(dbt.ref("cluster_profiles").order("cluster_id")),
        features=_rows(dbt.ref("cluster_categories").order("cluster_id, commonness_rank")),
        areas=areas,
    )
    report_path = output_dir / f"{area_set}_segmentation_report.html"
    geojson_path = output_dir / f"{area_set}_clusters.geojson"
    plot_path = output_dir / f"{area_set}_cluster_model_selection.svg"
    report.write(inputs, pending(report_path))
    geojson_export.write(areas, pending(geojson_path))
    if selection_svg:
        pending(plot_path).write_text(selection_svg, encoding="utf-8")
    return pa.table(
        {
            "area_set": [area_set],
            "map_path": [str(map_path)],
            "cdn_map_path": pa.array([str(cdn_path) if cdn_path else None], pa.string()),
            "map_bytes": [pending(map_path).stat().st_size],
            "report_path": [str(report_path)],
            "report_bytes": [pending(report_path).stat().st_size],
            "geojson_path": [str(geojson_path)],
            "model_selection_plot_path": pa.array([str(plot_path) if selection_svg else None], pa.string()),
            "area_count": [len(shown)],
            "polygon_count": [sum(area.boundary is not None for area in shown)],
            "clustered_area_count": [sum(area.cluster_id is not None for area in shown)],
            "venue_count": [len(venues or [])],
            "layer_count": [payload.layer_count],
            "venue_layer": [
                "shown (hidden until switched on)"
                if venue_layer
                else f"left out: {venue_total:,} venues > map_venue_limit {venue_limit:,}"
                if with_venues
                else "left out: map_with_venues is false"
            ],
            "title": [payload.title],
            "cluster_count": [len(inputs.profiles)],
            "is_weak": [bool(quality and quality["is_weak"])],
            "weak_warning": pa.array([payload.heading.warning], pa.string()),
        }
    )


def _rows(relation: duckdb.DuckDBPyRelation) -> list[dict[str, Any]]:
    columns = relation.columns
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
