"""What model selection is fitted on, read from the marts: the chosen set's areas that are
clustered (with at least one venue; at least min_venues when sparse areas are excluded), their
venue counts by feature (long counts turned into a matrix here, never a wide pivot), the ground
the venues were counted on, and — for the spatial method and sparse_areas neighbours — who
neighbours whom."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
from scipy import sparse

from segmentation import methods


@dataclass(frozen=True)
class TrainingData:
    area_ids: list[str]
    features: list[str]  # feature column names, sorted
    counts: np.ndarray  # area × feature venue counts
    sampled_km2: np.ndarray
    connectivity: sparse.csr_matrix | None


def read_training_data(
    counts: duckdb.DuckDBPyRelation, areas: duckdb.DuckDBPyRelation, settings: dict[str, Any]
) -> TrainingData:
    """`counts` is area_feature_counts (area × feature it has), `areas` the areas mart."""
    chosen = areas.filter(
        f"area_set = '{settings['area_set']}' and venue_count >= {int(settings['clustered_min_venues'])}"
    )
    clustered = (
        chosen.order("area_id")
        .select("area_id, latitude, longitude, sampled_km2, geometry_kind")
        .fetchnumpy()
    )
    area_ids = [str(area_id) for area_id in clustered["area_id"]]
    long = counts.select("area_id, column_name, venue_count").fetchnumpy()
    columns = sorted({str(name) for name in long["column_name"]})
    row_of = {area_id: i for i, area_id in enumerate(area_ids)}
    column_of = {name: j for j, name in enumerate(columns)}
    rows = np.array([row_of.get(str(area_id), -1) for area_id in long["area_id"]], dtype=int)
    cols = np.array([column_of[str(name)] for name in long["column_name"]], dtype=int)
    kept = rows >= 0
    matrix = np.zeros((len(area_ids), len(columns)))
    matrix[rows[kept], cols[kept]] = np.asarray(long["venue_count"], dtype=float)[kept]
    sampled = np.array(
        [np.nan if value is None else value for value in clustered["sampled_km2"]], dtype=float
    )
    connectivity = None
    if ("spatial" in settings["selection_methods"] or settings["sparse_areas"] == "neighbours") and area_ids:
        if all(kind == "polygon" for kind in clustered["geometry_kind"]):
            connectivity = methods.adjacency_graph(row_of, _adjacent_pairs(chosen))
        else:
            points = np.column_stack([clustered["latitude"], clustered["longitude"]]).astype(float)
            connectivity = methods.neighbour_graph(points)
    return TrainingData(area_ids, columns, matrix, sampled, connectivity)


def _adjacent_pairs(polygons: duckdb.DuckDBPyRelation) -> list[tuple[str, str]]:
    """Pairs of polygon areas that share a border (or overlap): the spatial method's graph."""
    return polygons.query(
        "polygons",
        "select one.area_id, other.area_id from polygons as one inner join polygons as other "
        "on one.area_id < other.area_id "
        "and st_intersects(st_geomfromwkb(one.geometry), st_geomfromwkb(other.geometry))",
    ).fetchall()
