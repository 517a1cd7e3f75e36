"""The segmentation's parts on small data made here: feature blocks, methods with stable ids,
stability, the auto rule, and the words, report and GeoJSON that explain a clustering."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from bs4 import BeautifulSoup

from segmentation import describe, feature_blocks, geojson_export, methods, report, stability
from segmentation.feature_blocks import FeatureBlockError
from segmentation.methods import MethodError
from segmentation.selection import Fit, SelectionError, Settings, _choose, evaluate

HOSTILE = "</script><script>alert(1)</script>"


def mixes(sizes: tuple[int, ...] = (12, 8, 5), venues: int = 30, seed: int = 7) -> np.ndarray:
    """Venue counts of areas of three kinds (mostly food, mostly parks, mostly shops) over 4 features."""
    generator = np.random.default_rng(seed)
    kinds = np.array([[0.8, 0.1, 0.05, 0.05], [0.1, 0.8, 0.05, 0.05], [0.05, 0.1, 0.8, 0.05]])
    return np.vstack(
        [generator.multinomial(venues, kind, size) for kind, size in zip(kinds, sizes, strict=True)]
    ).astype(float)


def settings(**changes) -> Settings:
    base = dict(features=("shares",), sparse_areas="none", density_weight=1.0, methods=("kmeans",), method="kmeans", n_clusters="auto",
                k_min=2, k_max=6, random_state=42, n_init=10, min_cluster_size=3, min_seed_agreement=0.8,
                min_bootstrap_agreement=0.6, max_largest_share=0.7, stability_seeds=3, stability_resamples=5, sample_size=2000)  # fmt: skip
    return Settings(**{**base, **changes})


# --- feature blocks ------------------------------------------------------------------------------


def features(
    counts: np.ndarray,
    km2: np.ndarray,
    blocks: list[str],
    *,
    shrink: bool = False,
    density_weight: float = 1.0,
) -> np.ndarray:
    """The features of these counts in their own space."""
    space = feature_blocks.fit(
        counts, km2, blocks, sparse_areas="shrink" if shrink else "none", density_weight=density_weight
    )
    return space.transform(counts)


def test_shares_are_the_notebooks_one_hot_means():
    counts = np.array([[3.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, 2.0]])
    assert features(counts, np.full(3, np.nan), ["shares"]).tolist() == [
        [0.75, 0.25, 0.0],
        [0.0, 0.0, 0.0],
        [0.25, 0.25, 0.5],
    ]


def test_shrinkage_pulls_sparse_areas_toward_the_city_mix_more_than_rich_ones():
    counts = mixes()
    counts[0] = [1, 0, 0, 0]  # one venue: its raw share (100 % food) is noise
    strength = feature_blocks.shrinkage_strength(counts)
    assert 0 < strength < 1000
    mix = feature_blocks.city_mix(counts)
    shrunk = features(counts, np.full(len(counts), np.nan), ["shares"], shrink=True)
    raw = feature_blocks.shares(counts)
    assert np.allclose(shrunk.sum(axis=1), 1)
    moved = np.abs(shrunk - raw).sum(axis=1) / np.abs(mix - raw).sum(axis=1)
    # Each area moves toward the mix by strength / (its venues + strength): the one-venue area
    # far more than the 30-venue areas.
    assert np.allclose(moved, strength / (counts.sum(axis=1) + strength))
    assert moved[0] > 10 * moved[1:].max()


def test_model_selection_fits_the_shrunk_features():
    """With shrink on, the clusters are fitted on the shrunk matrix: each area's distance is to its
    cluster's mean in that space (with shrinkage switched off it would be the raw one's)."""
    counts = mixes()
    counts[:4] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 2, 0], [1, 1, 0, 0]]  # sparse areas
    (chosen,) = [
        fit for fit in evaluate(counts, np.full(25, np.nan), settings(sparse_areas="shrink")) if fit.is_chosen
    ]
    for shrink, matches in ((True, True), (False, False)):
        matrix = features(counts, np.full(25, np.nan), ["shares"], shrink=shrink)
        centres = np.vstack([matrix[chosen.labels == c].mean(axis=0) for c in range(1, chosen.k + 1)])
        distances = np.linalg.norm(matrix - centres[chosen.labels - 1], axis=1)
        assert np.allclose(distances, chosen.distances, atol=1e-6) == matches


def test_shrinkage_strength_is_large_when_areas_differ_only_by_noise():
    generator = np.random.default_rng(1)
    alike = generator.multinomial(20, [0.25, 0.25, 0.25, 0.25], 200).astype(float)
    assert feature_blocks.shrinkage_strength(alike) > 50 * feature_blocks.shrinkage_strength(mixes())


def test_tfidf_weighs_down_what_every_area_has_and_rows_are_unit_length():
    counts = np.array([[5.0, 5.0, 0.0], [5.0, 0.0, 5.0], [5.0, 5.0, 0.0]])
    scaled = features(counts, np.full(3, np.nan), ["tfidf"])
    assert np.allclose(np.linalg.norm(scaled, axis=1), 1.0)
    assert scaled[1, 0] < scaled[1, 2]  # everywhere (column 0) counts less than rare (column 2)


def test_blocks_combine_at_equal_weight_density_at_its_own_and_density_needs_sizes():
    counts = mixes()
    counts[:, 0] *= np.arange(1, len(counts) + 1)  # the first column far wider than the others
    km2 = np.linspace(1, 5, len(counts))
    for weight in (1.0, 1.5):
        combined = features(counts, km2, ["shares", "density", "diversity"], density_weight=weight)
        assert combined.shape == (len(counts), 4 + 1 + 1)
        # Each column standardised, each block a total variance of 1; density weight² × the others'.
        assert np.allclose(combined[:, :4].var(axis=0), 0.25)
        assert combined[:, 5].var() == pytest.approx(1.0)
        assert combined[:, 4].var() == pytest.approx(2 * weight**2)
    with pytest.raises(FeatureBlockError, match="needs every area's size"):
        features(counts, np.full(len(counts), np.nan), ["density"])
    with pytest.raises(FeatureBlockError, match="expected some of shares, log_lq, hellinger, tfidf, density"):
        features(counts, km2, ["zscore"])


def test_log_location_quotients_compare_each_area_with_its_city():
    # Food is 80 % of the city's venues and of area 0's: LQ 1 (log 0); area 1 has twice the
    # city's share of parks (LQ 2); an absent feature has a finite, negative log LQ.
    counts = np.array([[800.0, 100, 100, 0], [800, 200, 0, 0], [800, 0, 100, 100]])
    lq = features(counts, np.full(3, np.nan), ["log_lq"])
    assert lq[0, 0] == pytest.approx(0.0, abs=0.01) and lq[1, 1] == pytest.approx(np.log(2), abs=0.01)
    assert np.isfinite(lq).all() and lq[0, 3] < -2.5
    # Shrunk all the way toward the city's mix, every area has LQ 1 everywhere.
    shrunk = feature_blocks.log_location_quotients(counts, 1e9, feature_blocks.city_mix(counts))
    assert np.allclose(shrunk, 0.0, atol=1e-5)
    # The pseudo-count is spread by the city's mix: an area with 3 venues keeps most of its
    # evidence but sits nearer LQ 1 than one with 1,000 of the same mix.
    mix = feature_blocks.city_mix(counts)
    few, many = feature_blocks.log_location_quotients(np.array([[3.0, 0, 0, 0], [1000, 0, 0, 0]]), 0.0, mix)
    assert 0 < few[0] < many[0] == pytest.approx(np.log(1 / 0.8), abs=0.01)
    assert np.allclose(np.exp(lq[1]) * mix, (counts[1] + 2 * mix) / (1000 + 2))


# --- methods -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["kmeans", "ward", "gmm"])
def test_cluster_ids_follow_size_whatever_the_seed(method: str):
    matrix = feature_blocks.shares(mixes())
    first, distances = methods.fit(method, matrix, 3, random_state=1)
    second, _ = methods.fit(method, matrix, 3, random_state=99)
    assert np.bincount(first)[1:].tolist() == [12, 8, 5]  # 1 = the largest
    assert (first == second).all()
    assert len(distances) == len(matrix) and (distances >= 0).all()


def test_the_spatial_method_makes_contiguous_regions():
    # 20 areas in a row, each joined to the next; their mixes alternate, so only contiguity keeps
    # a region together: every cluster is one unbroken run of neighbours.
    matrix = np.array([[i % 2, 1 - i % 2] for i in range(20)], dtype=float) + np.linspace(0, 3, 20)[:, None]
    graph = methods.adjacency_graph({str(i): i for i in range(20)}, [(str(i), str(i + 1)) for i in range(19)])
    labels, _ = methods.fit("spatial", matrix, 4, random_state=1, connectivity=graph)
    runs = [label for i, label in enumerate(labels) if i == 0 or label != labels[i - 1]]
    assert sorted(runs) == [1, 2, 3, 4]
    unconstrained, _ = methods.fit("ward", matrix, 4, random_state=1)
    assert len([1 for i in range(1, 20) if unconstrained[i] != unconstrained[i - 1]]) > 3
    with pytest.raises(MethodError, match="needs a connectivity graph"):
        methods.fit("spatial", matrix, 4, random_state=1)


def test_neighbour_graph_is_symmetric_and_joins_near_points():
    points = np.array([[43.60, -79.40], [43.61, -79.40], [43.90, -79.00], [43.91, -79.00]])
    graph = methods.neighbour_graph(points, neighbours=1).toarray()
    assert (graph == graph.T).all()
    assert graph[0, 1] and graph[2, 3] and not graph[0, 2]


def test_methods_refuse_what_cannot_be_done():
    with pytest.raises(MethodError, match="cannot make 30 clusters of 25 areas"):
        methods.fit("kmeans", mixes(), 30, random_state=1)
    with pytest.raises(MethodError, match="expected one of kmeans, ward, gmm, spatial"):
        methods.fit("dbscan", mixes(), 3, random_state=1)


# --- stability -----------------------------------------------------------------------------------


def test_stability_is_high_for_real_structure_and_low_for_noise():
    def refit(matrix: np.ndarray, seed: int) -> np.ndarray:
        return methods.fit("kmeans", matrix, 3, random_state=seed)[0]

    clear = mixes(venues=60)
    labels = refit(feature_blocks.shares(clear), 42)
    assert stability.seed_agreement(labels, refit, feature_blocks.shares(clear), [1, 2, 3]) == 1.0
    draws = stability.redraw(clear, feature_blocks.shares, resamples=10, random_state=3).features
    agreement, confidence = stability.bootstrap(labels, draws, refit, random_state=3)
    assert agreement > 0.9 and confidence.min() >= 0.8

    noise = np.random.default_rng(5).multinomial(4, [0.25] * 4, 60).astype(float)
    labels = refit(feature_blocks.shares(noise), 42)
    draws = stability.redraw(noise, feature_blocks.shares, resamples=10, random_state=3).features
    agreement, confidence = stability.bootstrap(labels, draws, refit, random_state=3)
    assert agreement < 0.3 and confidence.mean() < 0.7


def test_a_redraw_resamples_the_places_so_each_areas_count_varies_and_empty_areas_are_counted():
    """N of the set's N places with replacement: the total stays N, each area's count varies (a
    redraw that kept each area's count could not test density), an area may draw nothing — it stays,
    and is counted."""
    counts = np.array([[40.0, 10, 0], [1, 0, 0], [0, 0, 1], [20, 20, 8]])
    seen = []
    redraws = stability.redraw(
        counts, lambda redrawn: seen.append(redrawn) or redrawn, resamples=50, random_state=1
    )
    totals = np.array([drawn.sum(axis=1) for drawn in seen])
    assert len(redraws.features) == 50 and (totals.sum(axis=1) == counts.sum()).all()
    assert totals[:, 0].std() > 3  # the 50-place area's count varies (about ±6)
    empty = (totals == 0).sum(axis=1)
    assert empty.sum() > 0 and redraws.empty_areas == pytest.approx(empty.mean())
    assert all(drawn.shape == counts.shape for drawn in redraws.features)


def test_density_is_tested_by_the_redraw():
    """Areas that differ by density alone: clusters of density hold under the redraw of places (they
    would be untestable if each area kept its count), and a density made of noise does not."""

    def refit(matrix: np.ndarray, seed: int) -> np.ndarray:
        return methods.fit("kmeans", matrix, 2, random_state=seed)[0]

    generator = np.random.default_rng(4)
    same_mix = [0.4, 0.3, 0.2, 0.1]
    for totals, expect_stable in ((np.repeat([10, 200], 20), True), (generator.poisson(60, 40), False)):
        counts = np.vstack([generator.multinomial(total, same_mix) for total in totals]).astype(float)
        space = feature_blocks.fit(counts, np.ones(len(counts)), ["density"])
        labels = refit(space.transform(counts), 42)
        draws = stability.redraw(counts, space.transform, resamples=10, random_state=2).features
        agreement, _ = stability.bootstrap(labels, draws, refit, random_state=2)
        assert (agreement > 0.9) == expect_stable, agreement


def test_neighbours_lend_a_sparse_area_their_mix():
    """sparse_areas neighbours: the evidence lent to an area with one place is its neighbours' pooled
    mix (spatial empirical Bayes), not the city's; a rich area hardly moves."""
    from scipy import sparse

    counts = np.array([[1.0, 0, 0], [0, 30, 0], [0, 30, 0], [30, 0, 0], [0, 0, 30], [0, 0, 30]])
    graph = sparse.csr_matrix(np.array([
        [0, 1, 1, 0, 0, 0], [1, 0, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0],
        [0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 0, 1], [0, 0, 0, 1, 1, 0],
    ]))  # fmt: skip
    km2 = np.ones(len(counts))
    near = feature_blocks.fit(counts, km2, ["log_lq"], sparse_areas="neighbours", graph=graph).transform(
        counts
    )
    city = feature_blocks.fit(counts, km2, ["log_lq"], sparse_areas="shrink").transform(counts)
    assert near[0, 1] > city[0, 1] + 0.5 and near[0, 1] > near[0, 2] + 1  # its neighbours are all feature 1
    assert abs(near[3, 0] - city[3, 0]) < 0.1
    with pytest.raises(FeatureBlockError, match="needs a neighbour graph"):
        feature_blocks.fit(counts, km2, ["shares"], sparse_areas="neighbours")


def test_seed_agreement_varies_the_seed_and_the_bootstrap_matches_labels():
    """Noise gives fits that disagree across seeds (so a seed that never varied, agreement 1,
    would show); a refit that returns the same clusters under other ids keeps every area's
    confidence at 1 (so a confidence that ignored the matching would show)."""
    noise = feature_blocks.shares(np.random.default_rng(3).multinomial(6, [0.25] * 4, 80).astype(float))

    def refit(matrix: np.ndarray, seed: int) -> np.ndarray:
        return methods.fit("kmeans", matrix, 4, random_state=seed, n_init=1)[0]

    labels = refit(noise, 42)
    assert stability.seed_agreement(labels, refit, noise, [1, 2, 3, 4, 5]) < 0.9

    clear = feature_blocks.shares(mixes(venues=60))
    reference = methods.fit("kmeans", clear, 3, random_state=42)[0]
    permuted = {1: 3, 2: 1, 3: 2}
    agreement, confidence = stability.bootstrap(
        reference,
        [clear, clear],
        lambda _matrix, _seed: np.array([permuted[v] for v in reference]),
        random_state=1,
    )
    assert agreement == 1.0 and confidence.tolist() == [1.0] * len(reference)


def test_matching_renames_clusters_to_the_reference():
    reference = np.array([1, 1, 2, 2, 3, 3])
    other = np.array([3, 3, 1, 1, 2, 2])
    assert stability.matched(reference, other).tolist() == reference.tolist()


# --- model selection and the auto rule -----------------------------------------------------------


def test_model_selection_finds_the_three_kinds_and_marks_one_fit():
    fits = evaluate(mixes(), np.full(25, np.nan), settings())
    assert [fit.k for fit in fits] == [2, 3, 4, 5, 6]
    (chosen,) = [fit for fit in fits if fit.is_chosen]
    assert chosen.k == 3 and chosen.sizes == [12, 8, 5] and chosen.meets_rule
    assert chosen.seed_agreement == 1.0 and chosen.bootstrap_agreement > 0.9
    assert len(chosen.confidence) == 25 and set(chosen.labels.tolist()) == {1, 2, 3}


def test_model_selection_does_not_depend_on_the_order_of_the_columns():
    """The redraws are drawn over the cells in a canonical order: the same areas with their features
    in another order give the same agreements (the build orders features by column name, the
    comparison by name)."""
    counts = mixes(venues=12)
    first, second = (
        evaluate(columns, np.full(25, np.nan), settings(stability_resamples=3))
        for columns in (counts, counts[:, [2, 0, 3, 1]])
    )
    assert [(f.k, f.bootstrap_agreement, f.sizes) for f in first] == [
        (f.k, f.bootstrap_agreement, f.sizes) for f in second
    ]


def test_above_the_sample_size_restarts_run_on_the_sample_and_every_area_is_assigned():
    """At 1,200 areas and a sample of 100: the kinds are found among all areas, as well as 10 full
    restarts find them, and the diagnostics (confidence) cover the sample alone."""
    counts = mixes((600, 400, 200), seed=11)
    kinds = np.repeat([1, 2, 3], [600, 400, 200])
    fits = evaluate(counts, np.full(1200, np.nan), settings(sample_size=100, k_max=4))
    (chosen,) = [fit for fit in fits if fit.is_chosen]
    assert chosen.k == 3 and chosen.sizes == [600, 400, 200] and (chosen.labels == kinds).all()
    assert chosen.seed_agreement == 1.0 and np.isnan(chosen.confidence).sum() == 1100
    full, _ = methods.fit("kmeans", feature_blocks.shares(counts), 3, random_state=42)
    assert (full == chosen.labels).all()


def fit(k: int, silhouette: float, sizes: list[int], seed: float = 1.0, bootstrap: float = 0.5) -> Fit:
    labels = np.repeat(np.arange(1, k + 1), sizes)
    return Fit("kmeans", k, labels, np.zeros(len(labels)), 0.0, silhouette, 1.0, 1.0, seed, bootstrap,
               np.ones(len(labels)), sizes)  # fmt: skip


def test_the_auto_rule_puts_stability_first_then_balance():
    fits = [
        fit(2, 0.30, [90, 10], bootstrap=0.95),  # one cluster holds 90 %: out
        fit(
            3, 0.45, [49, 49, 2], bootstrap=0.95
        ),  # the best score, but a cluster of 2 areas: out on size alone
        fit(4, 0.40, [50, 30, 15, 5], seed=0.7, bootstrap=0.9),  # changes with the seed: out
        fit(5, 0.35, [20, 20, 20, 20, 20], bootstrap=0.55),  # changes with a redraw of the venues: out
        fit(6, 0.10, [20, 20, 15, 15, 15, 15], bootstrap=0.65),  # balanced
        fit(7, 0.50, [40, 20, 10, 10, 10, 5, 5], bootstrap=0.70),  # more stable, far less balanced
    ]
    _choose(fits, settings(), None)
    assert [f.meets_rule for f in fits] == [False, False, False, False, True, True]
    assert fits[5].score < fits[4].score  # silhouette does not count
    assert [f.k for f in fits if f.is_chosen] == [6]
    three, four = fit(3, 0.1, [10, 10, 10], bootstrap=0.8), fit(4, 0.9, [10, 10, 10, 10])
    four.bootstrap_agreement = 0.8 + three.balance(6) - four.balance(6)  # more clusters, less stable: a tie
    tie = [three, four]
    _choose(tie, settings(), None)
    assert tie[0].score == pytest.approx(tie[1].score)
    assert [f.k for f in tie if f.is_chosen] == [3]  # the smaller k on a tie
    none_qualify = [
        fit(2, 0.1, [99, 1], bootstrap=0.5),
        fit(3, 0.2, [98, 1, 1], bootstrap=0.55),
        fit(4, 0.3, [97, 1, 1, 1]),
    ]
    _choose(none_qualify, settings(), None)
    assert [f.k for f in none_qualify if f.is_chosen] == [2]  # the fewest segments, reported weak
    fixed = [fit(2, 0.3, [60, 40]), fit(3, 0.2, [50, 30, 20])]
    _choose(fixed, settings(n_clusters="2"), 2)
    assert [f.k for f in fixed if f.is_chosen] == [2]


def test_a_fixed_k_is_fitted_even_outside_the_range_and_bad_values_are_named():
    fits = evaluate(mixes(), np.full(25, np.nan), settings(n_clusters="8", k_max=4))
    assert [f.k for f in fits] == [2, 3, 4, 8] and [f.k for f in fits if f.is_chosen] == [8]
    with pytest.raises(SelectionError, match="n_clusters is 'five'; expected a whole number or auto"):
        evaluate(mixes(), np.full(25, np.nan), settings(n_clusters="five"))


def test_identical_areas_make_one_cluster():
    same = np.tile([3.0, 1.0, 0.0, 0.0], (6, 1))
    fits = evaluate(same, np.full(6, np.nan), settings())
    assert [(f.k, f.is_chosen) for f in fits] == [(1, True)]


# --- the words, the report and the GeoJSON -------------------------------------------------------

SETTINGS_ROW = {
    "area_set": "toronto_fsa", "preset": "default", "feature_level": "group", "group_mapped_share": 0.98,
    "features": ["shares", "diversity"], "sparse_areas": "shrink", "min_venues": 5, "method": "kmeans",
    "n_clusters": "auto", "random_state": 42, "min_cluster_size": 3, "min_seed_agreement": 0.8,
    "min_bootstrap_agreement": 0.6, "max_largest_share": 0.7, "k_max": 10, "label_min_lift": 1.25,
    "label_min_venues": 10,
}  # fmt: skip
QUALITY = {"k": 2, "method": "kmeans", "feature_level": "group", "silhouette": 0.05, "seed_agreement": 0.7,
           "bootstrap_agreement": 0.3, "is_weak": True,
           "weak_reasons": ["silhouette 0.05 is below 0.1", "seed agreement 0.7 is below 0.8"]}  # fmt: skip


def test_the_heading_names_the_settings_and_the_weakness():
    heading = describe.heading(SETTINGS_ROW, QUALITY)
    assert heading.title == "toronto_fsa: 2 segments by the places in them"
    assert heading.details[0] == "k-means, k = 2 (auto rule); preset default"
    assert heading.details[1] == "features: shares of category groups + category diversity (Shannon entropy)"
    assert heading.details[2].startswith(
        "every area's mix shrunk toward the city's, the more the fewer its venues"
    )
    assert "fewer than 5 venues flagged" in heading.details[2]
    assert heading.warning == (
        "Weak clustering — treat these segments with care: silhouette 0.05 is below 0.1; seed agreement 0.7 is "
        "below 0.8."
    )
    assert describe.heading(SETTINGS_ROW, {**QUALITY, "is_weak": False}).warning is None


def report_inputs() -> report.ReportInputs:
    areas = [
        {"area_id": "M5A", "name": HOSTILE, "cluster_id": 1, "status": "clustered",
         "status_label": "Clustered", "is_sparse": False,
         "assignment_confidence": 0.9, "venue_count": 30},
        {"area_id": "M5B", "name": "Garden District", "cluster_id": 2, "status": "clustered_shrunk",
         "status_label": "Clustered on fewer than 5 venues (shares shrunk)", "is_sparse": True, "assignment_confidence": 0.4, "venue_count": 2},
        {"area_id": "M1X", "name": "Upper Rouge", "cluster_id": None, "status": "no_venues",
         "status_label": "No venues", "is_sparse": True,
         "assignment_confidence": None, "venue_count": 0},
    ]  # fmt: skip
    selection = [
        {"method": "kmeans", "k": k, "silhouette": s, "calinski_harabasz": 10.0, "davies_bouldin": 1.0,
         "seed_agreement": 0.7, "bootstrap_agreement": 0.3, "largest_share": 0.5, "cluster_sizes": [1, 1],
         "meets_rule": False, "is_chosen": k == 2}
        for k, s in ((2, 0.05), (3, 0.04))
    ]  # fmt: skip
    profiles = [
        {"cluster_id": c, "area_count": 1, "venue_count": v, "label": label, "display_label": f"Cluster {c}: {label}",
         "mean_assignment_confidence": 0.5, "density": density, "median_venues_per_km2": per_km2,
         "at_venue_limit_count": limit, "label_features": named, "label_lifts": [1.4] * len(named),
         "label_venue_counts": [25] * len(named)}
        for c, v, label, density, per_km2, limit, named in (
            (1, 30, f"dense — Food {HOSTILE}", "dense", 38.2, 1, [f"Food {HOSTILE}"]),
            (2, 2, "sparse — mixed", "sparse", 2.5, 0, []),
        )
    ]  # fmt: skip
    features = [
        {"cluster_id": 1, "feature": "Food", "venue_count": 25, "area_count": 1, "cluster_share": 0.83,
         "overall_share": 0.78, "lift": 1.06, "may_name": True, "commonness_rank": 1},
        {"cluster_id": 1, "feature": "Park", "venue_count": 5, "area_count": 1, "cluster_share": 0.17,
         "overall_share": 0.22, "lift": 0.77, "may_name": True, "commonness_rank": 2},
    ]  # fmt: skip
    return report.ReportInputs(SETTINGS_ROW, QUALITY, selection, profiles, features, areas)


def test_the_report_is_one_self_contained_page_that_explains_each_segment(tmp_path):
    path = report.write(report_inputs(), tmp_path / "toronto_fsa_segmentation_report.html")
    text = path.read_text(encoding="utf-8")
    page = BeautifulSoup(text, "lxml")
    assert not page.select("script, link[href], iframe") and HOSTILE not in text  # no script; names escaped
    assert page.find(string=re.compile("Weak clustering — treat these segments with care"))
    # The figures, drawn as SVG: each criterion a line through k = 2 and 3 with the chosen k = 2
    # marked where its point is; the histogram of the clustered areas' confidences (0.9 and 0.4).
    selection_figure, stability_figure = page.select("figure[role=img] > svg")
    for panel in selection_figure.find_all("g", recursive=False):
        points = sorted(float(circle["cx"]) for circle in panel.select("circle"))
        assert len(panel.select("polyline")) == 1 and len(points) == 2
        assert float(panel.select("line[stroke-dasharray]")[0]["x1"]) == points[0]
    histogram = stability_figure.find_all("g", recursive=False)[2].select("rect[stroke=white]")
    assert [i for i, bar in enumerate(histogram) if float(bar["height"]) > 0] == [4, 9]
    # Cluster 1's profile against the city, as HTML: Food over-represented (×1.06, a bar from the
    # middle to the right), Park under (×0.77, to the left), on a log scale (÷0.77 is 4.5× ×1.06).
    bars = page.select("section.cluster")[0].select("figure.bars .bar-row")
    assert [row.select_one(".bar-name").get_text() for row in bars] == ["Food", "Park"]
    (food,), (park,) = (row.select(".bar") for row in bars)
    place = [dict(re.findall(r"(left|width):([\d.]+)%", bar["style"])) for bar in (food, park)]
    assert "over" in food["class"] and float(place[0]["left"]) == 50
    assert "under" in park["class"] and float(place[1]["left"]) + float(place[1]["width"]) == pytest.approx(
        50
    )
    assert float(place[1]["width"]) == pytest.approx(4.5 * float(place[0]["width"]), rel=0.05)
    clusters = [section.h3.get_text() for section in page.select("section.cluster")]
    assert clusters == [f"Cluster 1: dense — Food {HOSTILE}", "Cluster 2: sparse — mixed"]
    # A planner's page first: the segments (name, size, density, what names them), then the evidence.
    assert [h2.get_text() for h2 in page.select("h2")] == ["Segments", "The evidence"]
    overview = [
        [cell.get_text() for cell in row.select("td")] for row in page.select("table.segments tr")[1:]
    ]
    assert overview == [
        [
            "1",
            f"dense — Food {HOSTILE}",
            "1 (50 %)",
            "30",
            "dense (38 places/km²)",
            f"Food {HOSTILE} ×1.40 (25 places)",
        ],
        ["2", "sparse — mixed", "1 (50 %)", "2", "sparse (2 places/km²)", "no feature stands out: mixed"],
    ]
    assert (
        "1 of them reached the provider's limit"
        in page.select_one("table.segments").find_next("p").get_text()
    )
    assert page.find(string=re.compile("at least 1.25× the city's, with at least 10 places"))
    first = page.select("section.cluster")[0]
    assert [cell.get_text() for cell in first.select("table tr")[1].select("td")] == [
        "Food", "25", "1", "83.0 %", "78.0 %", "1.06", "yes",
    ]  # fmt: skip
    assert f"M5A {HOSTILE}" in first.details.get_text()
    evidence = page.find("h3", string="Areas").find_next("ul").get_text()
    assert "No venues: 1" in evidence and "Clustered on fewer than 5 venues (shares shrunk): 1" in evidence


def test_the_geojson_lists_every_area_with_its_cluster_or_why_not(tmp_path):
    areas = [
        {"area_set": "s", "area_id": "A", "latitude": 43.6, "longitude": -79.4, "cluster_id": 1,
         "cluster_label": "Cluster 1: Food (1 area)", "status": "clustered",
         "boundary_geojson": json.dumps({"type": "Polygon", "coordinates": [[[-79.5, 43.5], [-79.3, 43.5],
                                                                              [-79.3, 43.7], [-79.5, 43.5]]]})},
        {"area_set": "s", "area_id": "B", "latitude": 43.7, "longitude": -79.2, "cluster_id": None,
         "cluster_label": "No venues", "status": "no_venues", "boundary_geojson": None},
        {"area_set": "s", "area_id": "C", "latitude": None, "longitude": None, "cluster_id": None,
         "cluster_label": "No venues", "status": "no_venues", "boundary_geojson": None},
    ]  # fmt: skip
    written = json.loads(geojson_export.write(areas, tmp_path / "s_clusters.geojson").read_text())
    assert [feature["id"] for feature in written["features"]] == ["A", "B", "C"]
    assert [(f["geometry"] or {}).get("type") for f in written["features"]] == ["Polygon", "Point", None]
    assert written["features"][1]["geometry"]["coordinates"] == [-79.2, 43.7]  # longitude first
    assert written["features"][1]["properties"]["status"] == "no_venues"
    assert set(written["features"][0]["properties"]) == set(geojson_export.PROPERTIES)
