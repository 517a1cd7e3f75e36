"""The clustering features: each area's category frequencies, the columns chosen explicitly."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
from sklearn.feature_extraction.text import TfidfTransformer

SCALINGS = ("none", "tfidf")
FEATURE_PREFIX = "cat_"
_BATCH_ROWS = 8192


class FeatureError(ValueError):
    """The features are not what the models promise."""


@dataclass(frozen=True)
class Features:
    """Rows are the areas with venues, ordered by area id; columns are categories."""

    area_ids: list[str]
    columns: list[str]
    matrix: np.ndarray


def read_features(frequencies: duckdb.DuckDBPyRelation, categories: duckdb.DuckDBPyRelation) -> Features:
    """The frequency columns listed in `categories` (area_set_categories), for the areas with
    venues. Only those columns are read, so neither the key nor a count nor a label can become a
    feature."""
    columns = [name for (name,) in categories.order("column_name").select("column_name").fetchall()]
    present = set(frequencies.columns)
    missing = [name for name in columns if name not in present]
    if missing:
        raise FeatureError(f"area_category_frequencies lacks the category columns {missing[:5]}")
    stray = sorted(name for name in present if name.startswith(FEATURE_PREFIX) and name not in set(columns))
    if stray:
        raise FeatureError(f"area_category_frequencies has columns no category names: {stray[:5]}")
    rows = frequencies.filter("venue_count > 0").order("area_id")
    area_ids = [area_id for (area_id,) in rows.select("area_id").fetchall()]
    matrix = np.zeros((len(area_ids), len(columns)))
    if not columns or not area_ids:
        return Features(area_ids, columns, matrix)
    # Filled batch by batch from Arrow, so the features are held once, not once per copy.
    reader = rows.select(*[_quoted(name) for name in columns]).to_arrow_reader(_BATCH_ROWS)
    start = 0
    for batch in reader:
        for position, column in enumerate(batch.columns):
            matrix[start : start + batch.num_rows, position] = column.to_numpy(zero_copy_only=False)
        start += batch.num_rows
    return Features(area_ids, columns, matrix)


def scale(matrix: np.ndarray, method: str) -> np.ndarray:
    """`none`: the shares as they are (the seed notebook's one-hot means). `tfidf`: weigh each
    category by its inverse document frequency across areas, so that ubiquitous categories (coffee
    shops) tell less than rare ones, then normalise each area to unit length."""
    if method == "none":
        return matrix
    if method == "tfidf":
        if matrix.size == 0:
            return matrix
        return TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True).fit_transform(matrix).toarray()
    raise FeatureError(f"feature_scaling is {method!r}; expected one of {', '.join(SCALINGS)}")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
