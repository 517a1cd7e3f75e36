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

One block is used as it is (so the notebook's features are the notebook's); several are each
scaled to a total variance of 1 (single columns standardised) before they are put side by side,
so that no block outweighs another by its number of columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfTransformer

BLOCKS = ("shares", "log_lq", "hellinger", "tfidf", "density", "diversity")
# log_lq: pseudo-venues per feature, spread by the city's mix (G features: 0.5 G venues in all).
LQ_PSEUDO_COUNT = 0.5


class FeatureBlockError(ValueError):
    """Features cannot be built as asked."""


@dataclass(frozen=True)
class AreaCounts:
    """Venue counts of the areas that are clustered (rows) by feature (columns)."""

    area_ids: list[str]
    features: list[str]
    counts: np.ndarray  # area × feature venue counts
    sampled_km2: np.ndarray  # per area; nan where unknown

    @property
    def totals(self) -> np.ndarray:
        return self.counts.sum(axis=1)


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
    totals = counts.sum(axis=1)
    if strength > 0:
        prior = city_mix(counts) if mix is None else mix
        return (counts + strength * prior) / (totals[:, None] + strength)
    return np.divide(
        counts, totals[:, None], out=np.zeros_like(counts, dtype=float), where=totals[:, None] > 0
    )


def log_location_quotients(counts: np.ndarray, strength: float, mix: np.ndarray) -> np.ndarray:
    """log((c + w·m) / (n + w) / m) per area and feature, w = strength + LQ_PSEUDO_COUNT·G: the
    area's shares pulled toward the city's mix m (shrinkage strength and the pseudo-count
    together), over m. A feature no clustered area has (m = 0) is 0."""
    weight = strength + LQ_PSEUDO_COUNT * counts.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        quotients = (counts + weight * mix) / (counts.sum(axis=1)[:, None] + weight) / mix
        return np.where(mix > 0, np.log(quotients), 0.0)


def build(
    counts: np.ndarray,
    sampled_km2: np.ndarray,
    blocks: Sequence[str],
    *,
    shrink: bool = False,
    strength: float | None = None,
    mix: np.ndarray | None = None,
) -> np.ndarray:
    """The feature matrix of these counts. `strength`/`mix` fix the shrinkage (a bootstrap redraw
    reuses the original data's); by default they are estimated from `counts`."""
    unknown = [block for block in blocks if block not in BLOCKS]
    if unknown or not blocks:
        raise FeatureBlockError(f"features {list(blocks)}: expected some of {', '.join(BLOCKS)}")
    counts = np.asarray(counts, dtype=float)
    if shrink and strength is None:
        strength = shrinkage_strength(counts)
    mix = city_mix(counts) if mix is None else mix
    area_shares = shares(counts, strength or 0.0, mix) if shrink else shares(counts)
    parts = []
    for block in blocks:
        if block == "shares":
            parts.append(area_shares)
        elif block == "log_lq":
            parts.append(log_location_quotients(counts, (strength or 0.0) if shrink else 0.0, mix))
        elif block == "hellinger":
            parts.append(np.sqrt(area_shares))
        elif block == "tfidf":
            parts.append(
                TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True).fit_transform(counts).toarray()
            )
        elif block == "density":
            if np.isnan(sampled_km2).any():
                raise FeatureBlockError("the density feature needs every area's size (sampled_km2)")
            parts.append(np.log1p(counts.sum(axis=1) / sampled_km2)[:, None])
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                logs = np.where(area_shares > 0, np.log(area_shares), 0.0)
            parts.append(-(area_shares * logs).sum(axis=1)[:, None])
    if len(parts) == 1:
        return parts[0]
    return np.hstack([_unit_variance(part) for part in parts])


def _unit_variance(block: np.ndarray) -> np.ndarray:
    centred = block - block.mean(axis=0)
    total = float(centred.var(axis=0).sum())
    return centred / np.sqrt(total) if total > 0 else centred
