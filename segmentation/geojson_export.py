"""Every area of a set as one GeoJSON FeatureCollection (RFC 7946: longitude, latitude, WGS 84)
for geopandas, QGIS and folium: its polygon (or its centre as a point), its cluster and label, or
why it has none."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from segmentation.output_file import write_pieces

PROPERTIES = (
    "area_set", "area_id", "name", "parent_name", "cluster_id", "cluster_label", "status", "status_reason",
    "is_sparse", "venue_count", "assignment_confidence", "top_categories",
)  # fmt: skip


def feature(area: Mapping[str, Any]) -> dict[str, Any]:
    if area.get("boundary_geojson"):
        geometry = json.loads(area["boundary_geojson"])
    elif area.get("latitude") is not None and area.get("longitude") is not None:
        geometry = {"type": "Point", "coordinates": [area["longitude"], area["latitude"]]}
    else:
        geometry = None  # kept, with a null geometry, so that the file lists every area
    return {"type": "Feature", "id": str(area["area_id"]), "geometry": geometry,
            "properties": {name: area.get(name) for name in PROPERTIES}}  # fmt: skip


def write(areas: Iterable[Mapping[str, Any]], path: Path) -> Path:
    """The collection written a feature at a time (50,000 areas never stand in memory as one
    document)."""
    return write_pieces(path, _pieces(areas))


def _pieces(areas: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    yield '{"type": "FeatureCollection", "features": ['
    for number, area in enumerate(areas):
        yield (", " if number else "") + json.dumps(
            feature(area), ensure_ascii=False, allow_nan=False, default=str
        )
    yield "]}"
