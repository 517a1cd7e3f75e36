"""How much a clustering is worth: does it come back with another random seed, and with another
draw of the set's places?

- seed agreement: the mean adjusted Rand index between the clustering and the same method run with
  other seeds (1 for a method without a seed);
- bootstrap agreement: the set's places are redrawn (N of its N places, with replacement: each
  area–feature count a draw of the multinomial over all the set's cells), so each area's count
  varies as sampling makes it vary and every feature — its mix and its density alike — is tested by
  the same redraw; the features rebuilt and the method rerun; the mean adjusted Rand index against
  the clustering;
- assignment confidence: per area, the share of those redraws that put it in its cluster, once
  each redraw's clusters are matched to the clustering's (the matching that keeps the most areas
  together, Hungarian algorithm).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score

Refit = Callable[[np.ndarray, int], np.ndarray]  # (features, seed) -> labels 1..k


@dataclass(frozen=True)
class Stability:
    seed_agreement: float
    bootstrap_agreement: float
    confidence: np.ndarray  # per area, 0..1


def seed_agreement(labels: np.ndarray, refit: Refit, matrix: np.ndarray, seeds: Sequence[int]) -> float:
    if not seeds:
        return 1.0
    return float(np.mean([adjusted_rand_score(labels, refit(matrix, seed)) for seed in seeds]))


@dataclass(frozen=True)
class Redraws:
    features: list[np.ndarray]  # the rebuilt features of each redraw
    empty_areas: float  # areas a redraw gave no place, on average (they are clustered as such)


def redraw(
    counts: np.ndarray, rebuild: Callable[[np.ndarray], np.ndarray], *, resamples: int, random_state: int
) -> Redraws:
    """`resamples` redraws of the set's places: N of its N places with replacement, that is each
    area × feature count from the multinomial over all the cells. An area may draw nothing: it
    stays, with the features of an area without places, and is counted. The redraws depend on the
    areas only, so one set serves every k and method."""
    generator = np.random.default_rng(random_state)
    total = round(float(counts.sum()))
    cells = counts.ravel() / total if total else counts.ravel()
    draws, empty = [], 0
    for _ in range(resamples if total else 0):
        redrawn = generator.multinomial(total, cells).reshape(counts.shape).astype(float)
        empty += int((redrawn.sum(axis=1) == 0).sum())
        draws.append(rebuild(redrawn))
    return Redraws(draws, empty / len(draws) if draws else 0.0)


def bootstrap(
    labels: np.ndarray, draws: Sequence[np.ndarray], refit: Refit, *, random_state: int
) -> tuple[float, np.ndarray]:
    """(mean ARI over the redraws (`redraw`), each area's share of redraws that keep it in its
    cluster); redraw i is refitted with seed random_state + 1 + i."""
    if not draws:
        return float("nan"), np.full(len(labels), np.nan)
    agreements, kept = [], np.zeros(len(labels))
    for draw, features in enumerate(draws):
        relabelled = refit(features, random_state + 1 + draw)
        agreements.append(adjusted_rand_score(labels, relabelled))
        kept += matched(labels, relabelled) == labels
    return float(np.mean(agreements)), kept / len(draws)


def matched(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """`other`'s labels renamed to the reference's, by the one-to-one matching of clusters that
    keeps the most areas together."""
    reference_ids, other_ids = np.unique(reference), np.unique(other)
    overlap = np.array([[np.sum((reference == r) & (other == o)) for o in other_ids] for r in reference_ids])
    rows, cols = linear_sum_assignment(-overlap)
    renamed = np.full(len(other_ids), -1, dtype=reference.dtype)
    renamed[cols] = reference_ids[rows]
    return renamed[np.searchsorted(other_ids, other)]
