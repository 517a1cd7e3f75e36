"""The features areas are clustered on, from the long counts (area × feature, where a feature is
a category or a category group): blocks that can be combined.

- ``shares``: each feature's share of the area's venues (the seed notebook's one-hot mean); with
  empirical-Bayes shrinkage, an area with few venues is pulled toward the city's mix, as far as the
  spread of the data says such areas deserve (a Dirichlet-multinomial precision estimated by the
  method of moments);
- ``log_lq``: the log location quotient, log(area's share / city's share) of each feature: how
  over- (> 0) or under-represented (< 0) it is in the area against the set's own mix, so that a
  feature common everywhere (Dining and Drinking) does not decide every split. The area's shares
  carry a pseudo-count of LQ_PSEUDO_COUNT venues per feature spread by the city's mix (on top of
  any shrinkage), so a feature the area lacks has a finite LQ and an area with no evidence sits
  at LQ 1 (log 0) everywhere. Spread by the mix, not evenly: an even pseudo-count pulls a sparse
  area toward equal shares, so every sparse area looks alike (rare features high, common ones
  low) and the clusters follow how many venues each area has (docs/segmentation_comparison.md);
- ``hellinger``: the square roots of the shares (k-means on them clusters by Hellinger distance,
  which weighs differences in rare features more than raw shares do);
- ``tfidf``: each feature weighed by its inverse frequency across areas, rows at unit length, so
  that ubiquitous features tell less than rare ones;
- ``density``: the logarithm of venues per km² of the ground they were counted on;
- ``diversity``: the Shannon entropy of the area's shares.

One block is used as it is (so the notebook's features are the notebook's). Several are each
standardised column by column and scaled to a total variance of 1, so that no block
outweighs another by its number of columns — except density, whose variance is density_weight²
times that of all the others together: it is one column beside many, and how many places an area
has is as much what sets it apart as their mix (docs/segmentation_comparison.md measures the weight).

A `FeatureSpace` is fitted on the set's counts (shrinkage strength, the city's mix, each block's
centre and scale) and applied unchanged to redraws of them, so a redraw is seen in the same space.

Sparse areas lend evidence from elsewhere: ``shrink`` pulls an area's shares toward the city's mix,
``neighbours`` toward the pooled mix of its neighbours (spatial empirical Bayes, as PySAL's esda
smooths rates: the neighbours' counts, themselves pulled toward the city's mix, are the prior), by the
same strength; the pseudo-count of log_lq is spread by that prior too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

from ingest.settings import project_settings

BLOCKS = project_settings().setting_choices[
    "features"
]  # shares, log_lq, hellinger, tfidf, density, diversity
SPARSE_AREAS = project_settings().setting_choices["sparse_areas"]  # how sparse areas are treated
# log_lq: pseudo-venues per feature, spread by the city's mix (G features: 0.5 G venues in all).
LQ_PSEUDO_COUNT = 0.5


class FeatureBlockError(ValueError):
    """Features cannot be built as asked."""


def city_mix(counts: np.ndarray) -> np.ndarray:
    totals = counts.sum(axis=0)
    return totals / totals.sum() if totals.sum() else totals


def shrinkage_strength(counts: np.ndarray) -> float:
    """The Dirichlet-multinomial precision A by the method of moments: over areas and features,
    Var(p) = mu(1 - mu) [1/n + (1 - 1/n) / (A + 1)]. A large A: areas differ little beyond their
    sampling noise, so small areas are pulled hard toward the city's mix; a small A: they differ."""
    totals = counts.sum(axis=1)
    used = totals > 0
    counts, totals = counts[used], totals[used]
    if len(totals) < 2:
        return 0.0
    mix = city_mix(counts)
    shares = counts / totals[:, None]
    spread = float(((shares - mix) ** 2).sum())
    expected = float(1 - (mix**2).sum())
    noise = float((expected / totals).sum())
    beyond = float((expected * (1 - 1 / totals)).sum())
    if beyond <= 0:
        return 0.0
    rho = min(max((spread - noise) / beyond, 1e-6), 1.0)
    return 1 / rho - 1


def shares(counts: np.ndarray, strength: float = 0.0, mix: np.ndarray | None = None) -> np.ndarray:
    """Each feature's share of the area's venues, pulled toward `mix` (the city's, or a prior per
    area) by `strength` pseudo-venues."""
    totals = counts.sum(axis=1)
    if strength > 0:
        prior = city_mix(counts) if mix is None else mix
        return (counts + strength * prior) / (totals[:, None] + strength)
    return np.divide(
        counts, totals[:, None], out=np.zeros_like(counts, dtype=float), where=totals[:, None] > 0
    )


def log_location_quotients(
    counts: np.ndarray, strength: float, mix: np.ndarray, prior: np.ndarray | None = None
) -> np.ndarray:
    """log((c + w·p) / (n + w) / m) per area and feature, w = strength + LQ_PSEUDO_COUNT·G: the
    area's shares pulled toward the prior p (the city's mix m unless given per area; shrinkage
    strength and the pseudo-count together), over m. A feature no clustered area has (m = 0) is 0."""
    weight = strength + LQ_PSEUDO_COUNT * counts.shape[1]
    prior = mix if prior is None else prior
    with np.errstate(divide="ignore", invalid="ignore"):
        quotients = (counts + weight * prior) / (counts.sum(axis=1)[:, None] + weight) / mix
        return np.where(mix > 0, np.log(quotients), 0.0)


def neighbours_mix(
    counts: np.ndarray, graph: sparse.spmatrix, strength: float, mix: np.ndarray
) -> np.ndarray:
    """Each area's prior under spatial empirical Bayes: its neighbours' venues pooled, pulled toward
    the city's mix by `strength` + the log LQ pseudo-count (an area without neighbours, or whose
    neighbours have no venues, gets the city's mix)."""
    pooled = np.asarray(graph @ counts, dtype=float)
    weight = strength + LQ_PSEUDO_COUNT * counts.shape[1]
    return (pooled + weight * mix) / (pooled.sum(axis=1)[:, None] + weight)


@dataclass(frozen=True)
class FeatureSpace:
    """The features of one set: fitted on its counts (`fit`), applied unchanged to redraws of them."""

    blocks: tuple[str, ...]
    sampled_km2: np.ndarray
    sparse_areas: str
    strength: float
    mix: np.ndarray
    density_weight: float
    graph: sparse.spmatrix | None
    centres: tuple[np.ndarray, ...] = ()
    scales: tuple[np.ndarray, ...] = ()  # per column

    def raw(self, counts: np.ndarray) -> list[np.ndarray]:
        counts = np.asarray(counts, dtype=float)
        prior = (
            neighbours_mix(counts, self.graph, self.strength, self.mix)
            if self.sparse_areas == "neighbours"
            else self.mix
        )
        area_shares = shares(counts, self.strength, prior)
        parts = []
        for block in self.blocks:
            if block == "shares":
                parts.append(area_shares)
            elif block == "log_lq":
                parts.append(log_location_quotients(counts, self.strength, self.mix, prior))
            elif block == "hellinger":
                parts.append(np.sqrt(area_shares))
            elif block == "tfidf":
                parts.append(
                    TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True).fit_transform(counts).toarray()
                )
            elif block == "density":
                parts.append(np.log1p(counts.sum(axis=1) / self.sampled_km2)[:, None])
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    logs = np.where(area_shares > 0, np.log(area_shares), 0.0)
                parts.append(-(area_shares * logs).sum(axis=1)[:, None])
        return parts

    def transform(self, counts: np.ndarray) -> np.ndarray:
        parts = self.raw(counts)
        if len(parts) == 1:
            return parts[0]
        return np.hstack(
            [
                (part - centre) / scale
                for part, centre, scale in zip(parts, self.centres, self.scales, strict=True)
            ]
        )


def fit(
    counts: np.ndarray,
    sampled_km2: np.ndarray,
    blocks: Sequence[str],
    *,
    sparse_areas: str = "none",
    density_weight: float = 1.0,
    graph: sparse.spmatrix | None = None,
) -> FeatureSpace:
    """The feature space of these counts: shrinkage strength and the city's mix estimated from
    them; with several blocks, each block's centre and scale (density: density_weight² times the
    variance of all the others together)."""
    unknown = [block for block in blocks if block not in BLOCKS]
    if unknown or not blocks:
        raise FeatureBlockError(f"features {list(blocks)}: expected some of {', '.join(BLOCKS)}")
    if sparse_areas not in SPARSE_AREAS:
        raise FeatureBlockError(
            f"sparse_areas is {sparse_areas!r}: expected one of {', '.join(SPARSE_AREAS)}"
        )
    if "density" in blocks and np.isnan(sampled_km2).any():
        raise FeatureBlockError("the density feature needs every area's size (sampled_km2)")
    if sparse_areas == "neighbours" and graph is None:
        raise FeatureBlockError(
            "sparse_areas neighbours needs a neighbour graph (polygon adjacency or nearest)"
        )
    counts = np.asarray(counts, dtype=float)
    space = FeatureSpace(
        tuple(blocks), sampled_km2, sparse_areas,
        shrinkage_strength(counts) if sparse_areas in ("shrink", "neighbours") else 0.0,
        city_mix(counts), density_weight, graph,
    )  # fmt: skip
    if len(blocks) == 1:
        return space
    parts = space.raw(counts)
    centres = tuple(part.mean(axis=0) for part in parts)
    # Each column standardised, then each block to a total variance of 1 (density: density_weight²
    # times the number of other blocks).
    spreads = [np.where(part.std(axis=0) > 0, part.std(axis=0), 1.0) for part in parts]
    others = sum(1 for block in blocks if block != "density")
    scales = tuple(
        spread
        * np.sqrt(part.shape[1])
        / (density_weight * np.sqrt(max(others, 1)) if block == "density" else 1.0)
        for block, part, spread in zip(blocks, parts, spreads, strict=True)
    )
    return replace(space, centres=centres, scales=scales)
