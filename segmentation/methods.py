"""Clustering methods behind one call: k-means (the seed notebook's), Ward agglomerative, a
Gaussian mixture, and a spatially constrained Ward (agglomerative with a connectivity graph:
polygon adjacency, or the nearest neighbours of point areas), so that segments are contiguous
regions, as geosnap's regionalisers make them. Labels come back renumbered 1..k from the largest
cluster (ties: the cluster of the first area), so runs whose raw ids differ give the same ids."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import numpy as np
from scipy import sparse
from sklearn import config_context
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import kneighbors_graph
from threadpoolctl import threadpool_limits

from ingest.settings import project_settings

METHODS = project_settings().setting_choices["method"]  # kmeans, ward, gmm, spatial
SEEDED = frozenset({"kmeans", "gmm"})  # the methods whose result depends on the random seed
NEIGHBOURS = 6  # point areas: each joined to its 6 nearest for the spatial method


class MethodError(ValueError):
    """A method cannot be used as asked."""


def fit(
    method: str,
    matrix: np.ndarray,
    k: int,
    *,
    random_state: int,
    n_init: int = 10,
    connectivity: sparse.spmatrix | None = None,
    limit_threads: bool = True,
    start_on: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(labels 1..k, each area's distance to its cluster's centre where the method has centres).
    limit_threads False: the caller has entered one_thread already. start_on (row indices, k-means
    only): the n_init restarts run on those rows, and the best is refined on every row."""
    if method not in METHODS:
        raise MethodError(f"method is {method!r}; expected one of {', '.join(METHODS)}")
    if not 1 <= k <= len(matrix):
        raise MethodError(f"cannot make {k} clusters of {len(matrix)} areas")
    with one_thread() if limit_threads else nullcontext():
        if method == "kmeans":
            model = KMeans(n_clusters=k, random_state=random_state, n_init=n_init)
            if start_on is not None:
                centres = model.fit(matrix[start_on]).cluster_centers_
                model = KMeans(n_clusters=k, init=centres, n_init=1, random_state=random_state)
            raw = model.fit_predict(matrix)
            distances = model.transform(matrix)[np.arange(len(matrix)), raw]
        elif method == "gmm":
            model = GaussianMixture(
                n_components=k, covariance_type="diag", random_state=random_state, n_init=max(1, n_init // 5),
                reg_covar=1e-4,
            )  # fmt: skip
            raw = model.fit(matrix).predict(matrix)
            distances = None
        else:
            if method == "spatial" and connectivity is None:
                raise MethodError(
                    "the spatial method needs a connectivity graph (polygon adjacency or neighbours)"
                )
            model = AgglomerativeClustering(
                n_clusters=k, linkage="ward", connectivity=connectivity if method == "spatial" else None
            )
            raw = model.fit_predict(matrix)
            distances = None
    labels = renumber_by_size(raw)
    if distances is None:
        centres = np.vstack([matrix[labels == c].mean(axis=0) for c in range(1, labels.max() + 1)])
        distances = np.linalg.norm(matrix - centres[labels - 1], axis=1)
    return labels, distances


def renumber_by_size(raw: np.ndarray) -> np.ndarray:
    """Cluster ids 1..k: 1 the largest, ties broken by the cluster of the first area."""
    values, first, sizes = np.unique(raw, return_index=True, return_counts=True)
    number = np.empty(len(values), dtype=np.int64)
    number[np.lexsort((first, -sizes))] = np.arange(1, len(values) + 1)
    return number[np.searchsorted(values, raw)]


def neighbour_graph(coordinates: np.ndarray, neighbours: int = NEIGHBOURS) -> sparse.csr_matrix:
    """Point areas: each joined to its nearest neighbours (symmetric), on an equirectangular
    projection of (latitude, longitude) that is good enough at city scale."""
    if len(coordinates) <= 1:
        return sparse.csr_matrix((len(coordinates), len(coordinates)))
    latitude = np.radians(coordinates[:, 0])
    projected = np.column_stack([np.radians(coordinates[:, 1]) * np.cos(latitude.mean()), latitude])
    graph = kneighbors_graph(projected, n_neighbors=min(neighbours, len(coordinates) - 1), include_self=False)
    return ((graph + graph.T) > 0).astype(np.float64).tocsr()


def adjacency_graph(index: dict[str, int], pairs: list[tuple[str, str]]) -> sparse.csr_matrix:
    """Polygon areas: joined when they share a border (pairs of area ids)."""
    size = len(index)
    rows = [index[a] for a, b in pairs if a in index and b in index]
    cols = [index[b] for a, b in pairs if a in index and b in index]
    graph = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(size, size))
    return ((graph + graph.T) > 0).astype(np.float64).tocsr()


@contextmanager
def one_thread() -> Iterator[None]:
    """One thread for the fits: small fits lose more to starting threads than they gain, the large
    ones run on the diagnostic sample (selection), the result is the same on every machine, and
    DuckDB keeps the other cores for the models dbt builds alongside. scikit-learn's checks of
    parameters and finite input are skipped too: the inputs are built here, and over hundreds of
    small fits the checks cost as much as the fits. Callers fitting many times enter it once around
    the lot (finding the thread pools costs a few milliseconds)."""
    with threadpool_limits(1), config_context(assume_finite=True, skip_parameter_validation=True):
        yield
