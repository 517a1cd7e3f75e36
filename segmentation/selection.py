"""Model selection: every k (and method) fitted once, scored, and checked for stability; the
chosen one kept, so the clusters are never fitted twice.

The auto rule (n_clusters auto) puts stability first: among the k whose clusters all hold at
least `min_cluster_size` areas, whose seed agreement is at least `min_seed_agreement`, whose
bootstrap agreement is at least `min_bootstrap_agreement`, whose largest cluster holds at most
`max_largest_share` of the areas, the k with the best bootstrap agreement + balance; the smaller k
on a tie. Balance is the entropy of the cluster sizes over that of k_max equal clusters (0..1): it
grows with more clusters and more even ones, so a k that merges real segments into two big ones
does not win on stability alone, while the rules keep out the k whose extra clusters do not hold
up. Silhouette is reported, not ranked on: it is not comparable across feature spaces (and the
same score chooses the default among settings, docs/segmentation_comparison.md). When no k
qualifies, the fewest segments (k_min) — claiming the least structure — and the clustering is
reported weak (the most stable k was the rule before: with little structure it jumped between k
from one build to the next, e.g. on 80 % of a set's places).

The bootstrap redraws the set's places themselves (segmentation.stability.redraw), so each area's
count varies as sampling makes it vary: density is tested by the same redraw as the mix. Each fit
also records how much of the variance of the areas' log venue count its clusters explain (eta
squared), which the report and the comparison show.

At large sizes the diagnostics (silhouette, seed and bootstrap agreement, confidence) run on a
fixed random sample of `sample_size` areas (seeded), and the report says so; k-means' restarts run
on that sample too, and the best start is refined on every area, which the clustering assigns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

from segmentation import feature_blocks, methods, stability


class SelectionError(ValueError):
    """Model selection cannot be done as asked."""


@dataclass(frozen=True)
class Settings:
    features: tuple[str, ...]
    sparse_areas: str  # feature_blocks.SPARSE_AREAS
    density_weight: float
    methods: tuple[str, ...]
    method: str
    n_clusters: str
    k_min: int
    k_max: int
    random_state: int
    n_init: int
    min_cluster_size: int
    min_seed_agreement: float
    min_bootstrap_agreement: float
    max_largest_share: float
    stability_seeds: int
    stability_resamples: int
    sample_size: int


@dataclass
class Fit:
    method: str
    k: int
    labels: np.ndarray
    distances: np.ndarray
    inertia: float
    silhouette: float
    calinski_harabasz: float
    davies_bouldin: float
    seed_agreement: float
    bootstrap_agreement: float
    confidence: np.ndarray
    sizes: list[int] = field(default_factory=list)
    venue_count_share: float = 0.0  # eta squared of log venue count by cluster
    redraw_empty_areas: float = 0.0  # areas a bootstrap redraw left without a place, on average
    meets_rule: bool = False
    score: float = float("nan")
    is_chosen: bool = False

    @property
    def largest_share(self) -> float:
        return max(self.sizes) / sum(self.sizes)

    @property
    def smallest(self) -> int:
        return min(self.sizes)

    def balance(self, k_max: int) -> float:
        """The entropy of the cluster sizes over that of k_max equal clusters: 0 for one cluster,
        1 for k_max equal ones."""
        shares = np.asarray(self.sizes, dtype=float) / sum(self.sizes)
        shares = shares[shares > 0]
        return float(-(shares * np.log(shares)).sum() / np.log(max(k_max, 2)))


def evaluate(
    counts: np.ndarray,
    sampled_km2: np.ndarray,
    settings: Settings,
    connectivity: sparse.spmatrix | None = None,
) -> list[Fit]:
    """Fit every method of `settings.methods` at every feasible k (and at n_clusters when it is a
    number), score each, mark the rule's verdict and the chosen fit. `connectivity` (who neighbours
    whom) serves the spatial method and sparse_areas neighbours."""
    # The settings were checked when the run started (macro check_settings) and by cluster_settings.
    # The features in a canonical order (the most places first; ties by their counts), so that the
    # redraws — and so the chosen k — do not depend on the order the columns came in.
    counts = counts[
        :, sorted(range(counts.shape[1]), key=lambda j: (-counts[:, j].sum(), counts[:, j].tobytes()))
    ]
    space = feature_blocks.fit(
        counts, sampled_km2, settings.features, sparse_areas=settings.sparse_areas,
        density_weight=settings.density_weight, graph=connectivity,
    )  # fmt: skip
    matrix = space.transform(counts)
    distinct = len(np.unique(matrix, axis=0))
    sample = _sample(len(matrix), settings.sample_size, settings.random_state)
    fixed = None if settings.n_clusters.strip().lower() == "auto" else _whole(settings.n_clusters)
    ks = sorted(
        {k for k in range(settings.k_min, settings.k_max + 1)} | ({min(fixed, distinct)} if fixed else set())
    )
    ks = [k for k in ks if 2 <= k <= min(distinct, len(matrix) - 1)] or ([1] if len(matrix) else [])
    # The whole set's places are redrawn (a city-level redraw); the diagnostics read the sample's rows.
    draws = stability.redraw(
        counts,
        lambda redrawn: space.transform(redrawn)[sample],
        resamples=settings.stability_resamples,
        random_state=settings.random_state,
    )
    jobs = [(method, k) for method in settings.methods for k in ks]
    with methods.one_thread():
        # Each (method, k) is fitted and checked on its own (its own seeds), one after another:
        # side by side in threads, scikit-learn's Python overhead made small sets slower.
        fits = [
            _fit(
                method,
                k,
                matrix,
                draws.features,
                sample,
                settings,
                connectivity if method == "spatial" else None,
            )
            for method, k in jobs
        ]
    for fit in fits:
        fit.venue_count_share = explained_share(np.log(np.maximum(counts.sum(axis=1), 1)), fit.labels)
        fit.redraw_empty_areas = draws.empty_areas
    _choose(fits, settings, fixed)
    return fits


def _fit(
    method: str,
    k: int,
    matrix: np.ndarray,
    draws: list[np.ndarray],
    sample: np.ndarray,
    settings: Settings,
    connectivity: sparse.spmatrix | None,
) -> Fit:
    # Above the sample size, k-means' restarts run on the sample and the best is refined on every
    # area: as good a fit (inertia within 2 % either way at 50,000 areas), 6× faster.
    start_on = sample if len(sample) < len(matrix) and method == "kmeans" else None
    labels, distances = methods.fit(
        method,
        matrix,
        k,
        random_state=settings.random_state,
        n_init=settings.n_init,
        connectivity=connectivity,
        limit_threads=False,
        start_on=start_on,
    )
    sizes = [int((labels == c).sum()) for c in range(1, k + 1)]
    inertia = float((distances**2).sum())
    if k < 2:
        return Fit(method, k, labels, distances, inertia, float("nan"), float("nan"), float("nan"), 1.0, 1.0,
                   np.ones(len(labels)), sizes)  # fmt: skip
    sub_matrix, sub_labels = matrix[sample], labels[sample]
    sub_graph = connectivity[sample][:, sample] if connectivity is not None else None

    def refit(features: np.ndarray, seed: int, on: np.ndarray | None = None) -> np.ndarray:
        return methods.fit(
            method,
            features,
            k,
            random_state=seed,
            n_init=settings.n_init,
            connectivity=sub_graph,
            limit_threads=False,
            start_on=on,
        )[0]

    multiple = len(np.unique(sub_labels)) > 1
    silhouette = float(silhouette_score(sub_matrix, sub_labels)) if multiple else float("nan")
    seeds = (
        [settings.random_state + 1000 + s for s in range(settings.stability_seeds)]
        if method in methods.SEEDED
        else []
    )
    if start_on is None:
        seed_agreement = stability.seed_agreement(sub_labels, refit, sub_matrix, seeds)
    else:  # the same procedure with another seed: restarts on the sample, refined on every area
        seed_agreement = stability.seed_agreement(
            sub_labels, lambda features, seed: refit(features, seed, sample)[sample], matrix, seeds
        )
    bootstrap_agreement, sample_confidence = stability.bootstrap(
        sub_labels, draws, refit, random_state=settings.random_state
    )
    confidence = np.full(len(labels), np.nan)
    confidence[sample] = sample_confidence
    return Fit(
        method, k, labels, distances, inertia, silhouette,
        float(calinski_harabasz_score(matrix, labels)), float(davies_bouldin_score(matrix, labels)),
        seed_agreement, bootstrap_agreement, confidence, sizes,
    )  # fmt: skip


def _choose(fits: Sequence[Fit], settings: Settings, fixed: int | None) -> None:
    for fit in fits:
        fit.meets_rule = bool(
            fit.smallest >= settings.min_cluster_size
            and fit.seed_agreement >= settings.min_seed_agreement
            and np.nan_to_num(fit.bootstrap_agreement) >= settings.min_bootstrap_agreement
            and fit.largest_share <= settings.max_largest_share
        )
        fit.score = float(np.nan_to_num(fit.bootstrap_agreement) + fit.balance(max(settings.k_max, fit.k)))
    own = [fit for fit in fits if fit.method == settings.method]
    if not own:
        return
    if fixed is not None:
        chosen = next((fit for fit in own if fit.k == fixed), None) or max(own, key=lambda fit: fit.k)
    else:
        qualified = [fit for fit in own if fit.meets_rule]
        if qualified:
            chosen = max(qualified, key=lambda fit: (round(fit.score, 9), -fit.k))
        else:
            chosen = min(own, key=lambda fit: fit.k)
    chosen.is_chosen = True


def explained_share(values: np.ndarray, labels: np.ndarray) -> float:
    """Eta squared: the share of the variance of `values` between the clusters (0: the clusters
    tell nothing of it, 1: each cluster holds one value)."""
    total = float(((values - values.mean()) ** 2).sum())
    if total == 0:
        return 0.0
    within = sum(
        float(((values[labels == c] - values[labels == c].mean()) ** 2).sum()) for c in np.unique(labels)
    )
    return 1 - within / total


def _sample(size: int, limit: int, seed: int) -> np.ndarray:
    if size <= limit:
        return np.arange(size)
    return np.sort(np.random.default_rng(seed).choice(size, limit, replace=False))


def _whole(text: str) -> int:
    try:
        value = int(str(text).strip())
    except ValueError as error:
        raise SelectionError(f"n_clusters is {text!r}; expected a whole number or auto") from error
    return value
