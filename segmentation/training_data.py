"""What model selection is fitted on, read from the marts: the chosen set's areas that are
clustered (with at least one venue; at least min_venues when sparse areas are excluded), their
venue counts by feature (long counts turned into a matrix here, never a wide pivot), the ground
the venues were counted on, and — for the spatial method — who neighbours whom."""

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
    counts: duckdb.DuckDBPyRelation,
    features: duckdb.DuckDBPyRelation,
    areas: duckdb.DuckDBPyRelation,
    adjacency: duckdb.DuckDBPyRelation,
    settings: dict[str, Any],
) -> TrainingData:
    threshold = int(settings["min_venues"]) if settings["sparse_areas"] == "exclude" else 1
    clustered = (
        areas.filter(f"area_set = '{settings['area_set']}' and venue_count >= {threshold}")
        .order("area_id")
        .select("area_id, latitude, longitude, sampled_km2, geometry_kind")
        .fetchall()
    )
    area_ids = [row[0] for row in clustered]
    columns = [name for (name,) in features.order("column_name").select("column_name").fetchall()]
    row_of = {area_id: i for i, area_id in enumerate(area_ids)}
    column_of = {name: j for j, name in enumerate(columns)}
    matrix = np.zeros((len(area_ids), len(columns)))
    for area_id, column, venue_count in counts.select("area_id, column_name, venue_count").fetchall():
        if area_id in row_of:
            matrix[row_of[area_id], column_of[column]] = venue_count
    sampled = np.array([np.nan if row[3] is None else row[3] for row in clustered], dtype=float)
    connectivity = None
    if "spatial" in settings["selection_methods"] and area_ids:
        if all(row[4] == "polygon" for row in clustered):
            pairs = adjacency.select("area_id, other_area_id").fetchall()
            connectivity = methods.adjacency_graph(row_of, pairs)
        else:
            connectivity = methods.neighbour_graph(np.array([[row[1], row[2]] for row in clustered]))
    return TrainingData(area_ids, columns, matrix, sampled, connectivity)
