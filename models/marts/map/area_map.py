"""The cluster map of the chosen area set: one self-contained kepler.gl HTML file,
<output_dir>/<area_set>_clusters_map.html (or var map_path), that renders with the network off —
areas coloured by cluster (polygons where the area has one, else a point), areas without a cluster
in grey, areas with fewer than min_venues venues outlined, venue points (hidden until switched on),
the legend open (one entry per cluster: label and size), a title box with the set, method,
features and k (and the weak-clustering warning when it applies), tooltips with readable names. The venue layer is
left out (and the row says so) when there are more venues than var map_venue_limit. With var
map_with_cdn_copy, also the keplergl package's own save_to_html export beside it (*_cdn.html).

The map is the last model: it reads every other mart, so dbt runs it only once every model and test
before it has passed, and a failed build never rewrites the map. Returns one row describing what
was written."""

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

import segmentation
from segmentation.describe import heading
from segmentation.kepler_assets import load
from segmentation.kepler_map import build_payload, read_map_inputs, write_cdn_html, write_html

PROJECT = Path(segmentation.__file__).resolve().parents[1]


def model(dbt: Any, session: duckdb.DuckDBPyConnection) -> pa.Table:
    dbt.config(materialized="table")
    # One dbt.config.get per statement: dbt finds the keys a Python model reads by parsing it.
    map_path_setting = str(dbt.config.get("map_path") or "")
    output_dir = Path(str(dbt.config.get("output_dir")))
    assets_dir = PROJECT / str(dbt.config.get("kepler_assets_dir"))  # a relative folder is the project's
    with_cdn_copy = str(dbt.config.get("map_with_cdn_copy")).lower() == "true"
    with_venues = str(dbt.config.get("map_with_venues")).lower() == "true"
    venue_limit = int(dbt.config.get("map_venue_limit"))

    # Marts not otherwise upstream of the map, read here only so that the map waits for them and
    # their tests.
    dbt.ref("area_overlaps")
    dbt.ref("area_search_circles")
    dbt.ref("postal_codes")
    dbt.ref("postal_code_top_categories_wide")
    dbt.ref("postal_code_clusters")
    dbt.ref("postal_code_clusters_by_k")
    dbt.ref("postal_code_map_features")
    dbt.ref("postal_code_category_frequencies")
    dbt.ref("cluster_model_selection")
    dbt.ref("area_clusters_by_k")

    (area_set,) = dbt.ref("int_area_set_chosen").select("area_set").fetchone()
    settings = _one_row(dbt.ref("cluster_settings"))
    quality = _one_row(dbt.ref("cluster_quality"))
    map_path = (
        Path(map_path_setting) if map_path_setting else output_dir / f"{area_set}_clusters_map.html"
    ).resolve()
    features = dbt.ref("area_map_features")
    all_venues = dbt.ref("area_venues").filter(f"area_set = '{area_set}'")
    venue_total = all_venues.count("*").fetchone()[0]
    venue_layer = with_venues and venue_total <= venue_limit
    areas, venues = read_map_inputs(features, all_venues if venue_layer else None)
    payload = build_payload(areas, venues, heading(settings, quality), min_venues=int(settings["min_venues"]))
    write_html(payload, load(assets_dir), map_path)
    cdn_path = None
    if with_cdn_copy:
        cdn_path = write_cdn_html(payload, map_path.with_name(map_path.stem + "_cdn.html"))
    return pa.table(
        {
            "area_set": [area_set],
            "map_path": [str(map_path)],
            "cdn_map_path": pa.array([str(cdn_path) if cdn_path else None], pa.string()),
            "bytes": [map_path.stat().st_size],
            "area_count": [len(areas)],
            "polygon_count": [sum(area.boundary is not None for area in areas)],
            "clustered_area_count": [sum(area.cluster_id is not None for area in areas)],
            "venue_count": [len(venues or [])],
            "layer_count": [payload.layer_count],
            "title": [payload.title],
            "weak_warning": pa.array([payload.heading.warning], pa.string()),
            "venue_layer": [
                "shown (hidden until switched on)"
                if venue_layer
                else f"left out: {venue_total:,} venues > map_venue_limit {venue_limit:,}"
                if with_venues
                else "left out: map_with_venues is false"
            ],
        }
    )


def _one_row(relation: duckdb.DuckDBPyRelation) -> dict[str, Any] | None:
    row = relation.fetchone()
    return None if row is None else dict(zip(relation.columns, row, strict=True))
