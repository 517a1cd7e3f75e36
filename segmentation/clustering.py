"""KMeans with stable cluster ids, and model selection over a range of k."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from threadpoolctl import threadpool_limits

MIN_CLUSTER_SIZE = 2  # the auto rule: no cluster smaller than this many areas
# Below this many areas KMeans runs on one thread: starting threads costs more than they save, and
# the result is then the same on every machine, whatever its cores.
SINGLE_THREAD_BELOW = 10_000


class ClusteringError(ValueError):
    """Clustering cannot be done as asked."""


@dataclass(frozen=True)
class Clustering:
    k: int
    labels: np.ndarray  # cluster ids 1..k: 1 is the largest cluster, ties broken by the first area
    distances: np.ndarray  # each area's distance to its cluster's centre
    inertia: float

    @property
    def sizes(self) -> list[int]:
        return [int((self.labels == cluster).sum()) for cluster in range(1, self.k + 1)]


@dataclass(frozen=True)
class Candidate:
    """How well k clusters fit: the four criteria, the cluster sizes and (from `evaluate`) the
    clustering itself."""

    k: int
    inertia: float
    silhouette: float
    calinski_harabasz: float
    davies_bouldin: float
    cluster_sizes: list[int]
    clustering: Clustering | None = None

    @property
    def smallest_cluster(self) -> int:
        return min(self.cluster_sizes)


def fit_kmeans(matrix: np.ndarray, k: int, *, random_state: int, n_init: int) -> Clustering:
    """KMeans (k-means++, `n_init` restarts, fixed seed), ids renumbered by cluster size so that
    two runs, or runs whose raw ids differ, give the same ids."""
    if n_init < 10:
        raise ClusteringError(f"n_init is {n_init}; use at least 10 restarts")
    if not 1 <= k <= len(matrix):
        raise ClusteringError(f"cannot make {k} clusters of {len(matrix)} areas with venues")
    distinct = distinct_rows(matrix)
    if k > distinct:
        raise ClusteringError(
            f"cannot make {k} clusters: the {len(matrix)} areas with venues have only {distinct} distinct "
            "mixes of venue categories; set n_clusters to at most that"
        )
    model = KMeans(n_clusters=k, random_state=random_state, n_init=n_init)
    with _threads_for(matrix):
        raw = model.fit_predict(matrix)
        distances = model.transform(matrix)[np.arange(len(matrix)), raw]
    order = sorted(
        range(k), key=lambda cluster: (-int((raw == cluster).sum()), int(np.argmax(raw == cluster)))
    )
    renumber = np.empty(k, dtype=np.int64)
    renumber[order] = np.arange(1, k + 1)
    return Clustering(k, renumber[raw], distances, float(model.inertia_))


def evaluate(
    matrix: np.ndarray,
    ks: Iterable[int],
    *,
    random_state: int,
    n_init: int,
    silhouette_sample_size: int | None = None,
) -> list[Candidate]:
    """Fit each feasible k (2 <= k < number of areas, and no more than the distinct rows) and score
    it. The silhouette is computed on a fixed random sample of `silhouette_sample_size` areas when
    there are more than that."""
    candidates = []
    distinct = distinct_rows(matrix) if len(matrix) else 0
    for k in ks:
        if not 2 <= k < len(matrix) or k > distinct:
            continue
        clustering = fit_kmeans(matrix, k, random_state=random_state, n_init=n_init)
        sample = (
            silhouette_sample_size
            if silhouette_sample_size and len(matrix) > silhouette_sample_size
            else None
        )
        candidates.append(
            Candidate(
                k=k,
                inertia=clustering.inertia,
                silhouette=float(
                    silhouette_score(matrix, clustering.labels, sample_size=sample, random_state=random_state)
                ),
                calinski_harabasz=float(calinski_harabasz_score(matrix, clustering.labels)),
                davies_bouldin=float(davies_bouldin_score(matrix, clustering.labels)),
                cluster_sizes=clustering.sizes,
                clustering=clustering,
            )
        )
    return candidates


def _threads_for(matrix: np.ndarray) -> AbstractContextManager:
    return threadpool_limits(1) if len(matrix) < SINGLE_THREAD_BELOW else nullcontext()


def distinct_rows(matrix: np.ndarray) -> int:
    return len(np.unique(matrix, axis=0))


def choose_k(candidates: Sequence[Candidate], min_cluster_size: int = MIN_CLUSTER_SIZE) -> Candidate | None:
    """The auto rule: the best silhouette among the k whose clusters all hold at least
    `min_cluster_size` areas, the smaller k on a tie; if no k qualifies, the best silhouette."""
    if not candidates:
        return None
    qualified = [c for c in candidates if c.smallest_cluster >= min_cluster_size] or list(candidates)
    return max(qualified, key=lambda c: (round(c.silhouette, 12), -c.k))


def resolve_k(setting: str | int, candidates: Sequence[Candidate]) -> int:
    """n_clusters as configured: a number, or `auto` (the model selection's choice)."""
    text = str(setting).strip().lower()
    if text == "auto":
        chosen = choose_k(candidates)
        if chosen is None:
            raise ClusteringError("n_clusters is auto but model selection has no candidate k (too few areas)")
        return chosen.k
    try:
        k = int(text)
    except ValueError as error:
        raise ClusteringError(f"n_clusters is {setting!r}; expected a whole number or auto") from error
    if k < 1:
        raise ClusteringError(f"n_clusters is {k}; expected at least 1")
    return k
