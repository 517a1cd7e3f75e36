"""`make compare`: the segmentation settings side by side on the shared Toronto and New York data —
the table the default was chosen from (docs/segments.md sums it up).

It lands the Toronto snapshot, New York's 306 neighbourhood points and 195 NTA polygons with the
recorded venues into one warehouse (no taxonomy landed by hand: the groups are the shipped seed's,
as any city gets them), builds it once, then fits every setting below with the project's own model
selection (segmentation.selection: the auto rule with the project's defaults, or a fixed k) on each
set's venues, ranks the settings as the auto rule ranks k — among those that meet the rules on
every set, by bootstrap agreement + balance — and writes docs/segmentation_comparison.md.

    python -m benchmarks.compare_settings [--workdir DIR] [--output docs/segmentation_comparison.md]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import numpy as np
import yaml
from scipy import sparse
from sklearn.metrics import adjusted_rand_score

from ingest.spatial import load_spatial
from segmentation import methods
from segmentation.selection import Fit, Settings, evaluate

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
BIN = Path(sys.executable).parent
SETS = ("toronto_fsa", "nyc_neighbourhoods", "nyc_nta")
DEFAULTS = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]


@dataclass(frozen=True)
class Setting:
    name: str
    level: str  # category or group
    features: tuple[str, ...]
    sparse: str  # feature_blocks.SPARSE_AREAS
    method: str = "kmeans"
    n_clusters: str = "auto"
    min_venues: int = 5
    density_weight: float = 1.0


LQ_DENSITY = ("log_lq", "density")
SETTINGS = (
    Setting("notebook (categories, k = 5)", "category", ("shares",), "none", n_clusters="5"),
    Setting("groups, log LQ, shrink (the previous default)", "group", ("log_lq",), "shrink"),
    Setting("groups, log LQ + density ×1, shrink (default)", "group", LQ_DENSITY, "shrink"),
    Setting("groups, log LQ + density ×1.5, shrink", "group", LQ_DENSITY, "shrink", density_weight=1.5),
    Setting("groups, log LQ + density ×2, shrink", "group", LQ_DENSITY, "shrink", density_weight=2.0),
    Setting("groups, log LQ + density ×1, neighbours", "group", LQ_DENSITY, "neighbours"),
    Setting(
        "groups, log LQ + density ×1.5, neighbours", "group", LQ_DENSITY, "neighbours", density_weight=1.5
    ),
    Setting("groups, log LQ + density ×1, none", "group", LQ_DENSITY, "none"),
    Setting("groups, log LQ + density ×1, exclude < 5", "group", LQ_DENSITY, "exclude"),
    Setting("categories, log LQ + density ×1, shrink", "category", LQ_DENSITY, "shrink"),
    Setting("groups, Hellinger + density ×1, shrink", "group", ("hellinger", "density"), "shrink"),
    Setting("groups, log LQ + density ×1, shrink, Ward", "group", LQ_DENSITY, "shrink", method="ward"),
    Setting(
        "groups, log LQ + density ×1, shrink, Gaussian mixture", "group", LQ_DENSITY, "shrink", method="gmm"
    ),
    Setting("groups, log LQ + density ×1, shrink, spatial", "group", LQ_DENSITY, "shrink", method="spatial"),
)
SUBSAMPLE_SHARE = 0.8  # a second build on this share of the places, drawn without replacement
MIN_SUBSAMPLE_AGREEMENT = 0.6
MIN_STATE_AGREEMENT = 0.8  # a build with another random_state (redraws and seeds) agrees
MIN_K = 3


def selection_settings(setting: Setting) -> Settings:
    """The project's defaults (dbt_project.yml vars), with this setting's choices."""
    return Settings(
        features=setting.features, sparse_areas=setting.sparse, density_weight=setting.density_weight,
        methods=(setting.method,), method=setting.method, n_clusters=setting.n_clusters, k_min=DEFAULTS["k_min"],
        k_max=DEFAULTS["k_max"], random_state=DEFAULTS["random_state"], n_init=DEFAULTS["n_init"],
        min_cluster_size=DEFAULTS["min_cluster_size"], min_seed_agreement=DEFAULTS["min_seed_agreement"],
        min_bootstrap_agreement=DEFAULTS["min_bootstrap_agreement"],
        max_largest_share=DEFAULTS["max_largest_share"], stability_seeds=DEFAULTS["stability_seeds"],
        stability_resamples=DEFAULTS["stability_resamples"], sample_size=DEFAULTS["stability_sample_size"],
    )  # fmt: skip


def land_and_build(work: Path) -> Path:
    database = work / "compare.duckdb"
    environment = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(database),
        "SEGMENTATION_OUTPUT_DIR": str(work / "output"),
    }
    nyc = SHARED / "cities" / "nyc"
    commands = [
        ["-m", "ingest", "all", "--snapshot", str(SHARED / "snapshots" / "toronto-2020-01")],
        ["-m", "ingest", "areas", str(nyc / "nta_2010.geojson"), "--area-set", "nyc_nta", "--id-field", "NTACode",
         "--name-field", "NTAName", "--parent-field", "BoroName"],
        ["-m", "ingest", "areas", str(nyc / "newyork_data.json"), "--area-set", "nyc_neighbourhoods",
         "--name-field", "name", "--parent-field", "borough"],
        ["-m", "ingest", "points", str(nyc / "newyork_venues.csv"), "--name-field", "Venue", "--category-field",
         "Venue Category", "--latitude-field", "Venue Latitude", "--longitude-field", "Venue Longitude"],
    ]  # fmt: skip
    for command in commands:
        subprocess.run([sys.executable, *command], check=True, env=environment, cwd=REPO)
    subprocess.run([str(BIN / "dbt"), "build", "--quiet"], check=True, env=environment, cwd=REPO)
    return database


def counts_of(connection: duckdb.DuckDBPyConnection, area_set: str, setting: Setting) -> tuple:
    column = "category_group" if setting.level == "group" else "category"
    threshold = setting.min_venues if setting.sparse == "exclude" else 1
    areas = connection.execute(
        "select area_id, latitude, longitude, sampled_km2, geometry_kind from main.areas "
        "where area_set = ? and venue_count >= ? order by area_id",
        [area_set, threshold],
    ).fetchall()
    rows = connection.execute(
        f"select area_id, {column}, count(*) from main.area_venues where area_set = ? group by all",
        [area_set],
    ).fetchall()
    row_of = {row[0]: i for i, row in enumerate(areas)}
    features = sorted({feature for _, feature, _ in rows})
    column_of = {feature: j for j, feature in enumerate(features)}
    matrix = np.zeros((len(areas), len(features)))
    for area_id, feature, count in rows:
        if area_id in row_of:
            matrix[row_of[area_id], column_of[feature]] = count
    km2 = np.array([np.nan if row[3] is None else row[3] for row in areas])
    graph = None
    if setting.method == "spatial" or setting.sparse == "neighbours":
        if all(row[4] == "polygon" for row in areas):
            pairs = connection.execute(
                "with p as (select area_id, st_geomfromwkb(geometry) as g from main.areas where area_set = ?) "
                "select a.area_id, b.area_id from p a join p b on st_intersects(a.g, b.g) where a.area_id < b.area_id",
                [area_set],
            ).fetchall()
            graph = methods.adjacency_graph(row_of, pairs)
        else:
            graph = methods.neighbour_graph(np.array([[row[1], row[2]] for row in areas]))
    return matrix, km2, graph


@dataclass(frozen=True)
class Result:
    area_set: str
    setting: Setting
    fit: Fit | None
    subsample_agreement: float  # ARI of the chosen clustering and a build on 80 % of the places
    state_agreement: float  # ARI of the chosen clustering and a build with another random_state
    note: str = ""

    @property
    def meets_targets(self) -> bool:
        """The auto rule's own verdict at the chosen k, k at least MIN_K, and the 80 % build and the
        other random_state's build agreeing."""
        return bool(
            self.fit is not None
            and self.fit.meets_rule
            and self.fit.k >= MIN_K
            and self.subsample_agreement >= MIN_SUBSAMPLE_AGREEMENT
            and self.state_agreement >= MIN_STATE_AGREEMENT
        )


def compare(database: Path) -> list[Result]:
    connection = duckdb.connect(str(database), read_only=True)
    load_spatial(connection)
    results = []
    for area_set in SETS:
        for setting in SETTINGS:
            matrix, km2, graph = counts_of(connection, area_set, setting)
            if "density" in setting.features and np.isnan(km2).any():
                results.append(Result(area_set, setting, None, float("nan"), float("nan"), "no area sizes"))
                continue
            settings = selection_settings(setting)
            chosen = next(fit for fit in evaluate(matrix, km2, settings, graph) if fit.is_chosen)
            other = replace(settings, random_state=settings.random_state + 1)
            again = next(fit for fit in evaluate(matrix, km2, other, graph) if fit.is_chosen)
            results.append(
                Result(
                    area_set, setting, chosen, subsample_agreement(matrix, km2, graph, settings, chosen),
                    float(adjusted_rand_score(chosen.labels, again.labels)),
                )
            )  # fmt: skip
            print(area_set, setting.name, chosen.k, round(chosen.bootstrap_agreement, 2), file=sys.stderr)
    return results


def subsample_agreement(
    counts: np.ndarray, km2: np.ndarray, graph: sparse.spmatrix | None, settings: Settings, chosen: Fit
) -> float:
    """The ARI between the chosen clustering and a second build on SUBSAMPLE_SHARE of the set's
    places (drawn without replacement), over the areas both cluster (an area left with no place —
    or, with exclude, too few — is not clustered by the second build, as a build would not)."""
    generator = np.random.default_rng(DEFAULTS["random_state"])
    cells = counts.ravel().astype(np.int64)
    drawn = generator.multivariate_hypergeometric(cells, int(SUBSAMPLE_SHARE * cells.sum()))
    drawn = drawn.reshape(counts.shape).astype(float)
    least = DEFAULTS["min_venues"] if settings.sparse_areas == "exclude" else 1
    kept = np.flatnonzero(drawn.sum(axis=1) >= least)
    sub_graph = graph[kept][:, kept] if graph is not None else None
    second = next(fit for fit in evaluate(drawn[kept], km2[kept], settings, sub_graph) if fit.is_chosen)
    return float(adjusted_rand_score(chosen.labels[kept], second.labels))


def ranking(results: list[Result]) -> list[tuple[Setting, int, float, float, float]]:
    """Each setting: the sets whose chosen clustering meets the targets, mean bootstrap agreement,
    mean balance and mean 80 % agreement; best first (most sets met, then bootstrap agreement +
    balance, as the auto rule ranks k)."""
    rows = []
    for setting in SETTINGS:
        own = [result for result in results if result.setting == setting and result.fit is not None]
        if not own:
            continue
        met = sum(result.meets_targets for result in own)
        bootstrap = float(np.mean([result.fit.bootstrap_agreement for result in own]))
        balance = float(np.mean([result.fit.balance(DEFAULTS["k_max"]) for result in own]))
        subsample = float(np.mean([result.subsample_agreement for result in own]))
        rows.append((setting, met, bootstrap, balance, subsample))
    return sorted(rows, key=lambda row: (-row[1], -(row[2] + row[3])))


def markdown(results: list[Result], labels: dict[str, list[str]]) -> str:
    lines = [
        "# Segmentation settings compared",
        "",
        "Written by `make compare` (`benchmarks/compare_settings.py`): each setting fitted with the project's own",
        "model selection on the shared data, with no taxonomy landed by hand (groups from the shipped seed",
        "`category_taxonomies`, as any city gets them); k by the auto rule unless fixed, seeds and bootstrap",
        "redraws as the defaults.",
        "",
        "**The redraw.** Bootstrap agreement is measured by redrawing the set's *places*: N of its N places with",
        "replacement (each area × feature count a draw of the multinomial over all the set's cells), features",
        "rebuilt in the space fitted on the real data, the method rerun, the mean adjusted Rand index against the",
        f"clustering over {DEFAULTS['stability_resamples']} redraws. Each area's count varies as sampling makes it vary, so density and the",
        "mix are tested by the same redraw (the redraw this replaced kept each area's count, which could not test",
        "density and left it out). An area a redraw leaves without a place is kept, with the features of an empty area,",
        "and counted (`cluster_model_selection.redraw_empty_areas`).",
        "",
        "**Density** is log(1 + places per km² searched) — the polygon's area, or the search circle's for a point or",
        "postal set — standardised, with a variance of `density_weight`² times that of the composition block",
        "(each block is scaled to a total variance of 1 first). Areas at the provider's limit (100 a search circle) are",
        "censored: their density is a floor; `area_clusters.is_at_venue_limit` flags them and the report counts them.",
        "",
        f"*Targets*: chosen k at least {MIN_K}; every cluster at least {DEFAULTS['min_cluster_size']} areas; the largest at most "
        f"{100 * DEFAULTS['max_largest_share']:.0f} %; seed agreement at least {DEFAULTS['min_seed_agreement']}; bootstrap agreement at least "
        f"{DEFAULTS['min_bootstrap_agreement']};",
        f"a second build on {100 * SUBSAMPLE_SHARE:.0f} % of the places (drawn without replacement) agrees with the full one at ARI ≥ "
        f"{MIN_SUBSAMPLE_AGREEMENT} (*80 % ARI*, over the areas both cluster); a build with random_state + 1 (other seeds and",
        f"other redraws, so k may change) agrees at ARI ≥ {MIN_STATE_AGREEMENT} (*state ARI*).",
        f"k runs from k_min = {DEFAULTS['k_min']} (two segments are a split, not a segmentation) to k_max = {DEFAULTS['k_max']}; when no k",
        "meets the rules the build takes the fewest segments tried and says the clustering is weak (taking the most stable",
        "k instead made a build on 80 % of a set's places jump to another k).",
        "*Balance* is the entropy of the cluster sizes over",
        f"that of k_max = {DEFAULTS['k_max']} equal clusters (0..1), as the auto rule scores it. *Count η²* is the share of the",
        "variance of the areas' log venue count the clusters explain. Silhouette is shown, not ranked on: it is not",
        "comparable across feature spaces.",
        "",
        "## Ranking",
        "",
        "Settings ranked as the auto rule ranks k: most sets meeting the targets first, then mean bootstrap",
        "agreement + mean balance. The default is the first ranked.",
        "",
        "| setting | sets meeting the targets | mean bootstrap ARI | mean balance | mean 80 % ARI |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {setting.name} | {met} of {len(SETS)} | {bootstrap:.2f} | {balance:.2f} | {subsample:.2f} |"
        for setting, met, bootstrap, balance, subsample in ranking(results)
    ]
    lines += [
        "",
        "## Every setting on every set",
        "",
        "| set | setting | areas | k | sizes | balance | silhouette | seed ARI | bootstrap ARI | 80 % ARI | state ARI | count η² | targets |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        fit = result.fit
        if fit is None:
            lines.append(f"| {result.area_set} | {result.setting.name} | | | | | | | | | | | {result.note} |")
            continue
        lines.append(
            f"| {result.area_set} | {result.setting.name} | {len(fit.labels)} | {fit.k} | {'/'.join(map(str, fit.sizes))} | "
            f"{fit.balance(DEFAULTS['k_max']):.2f} | {fit.silhouette:.3f} | {fit.seed_agreement:.2f} | "
            f"{fit.bootstrap_agreement:.2f} | {result.subsample_agreement:.2f} | {result.state_agreement:.2f} | "
            f"{fit.venue_count_share:.2f} | "
            f"{'yes' if result.meets_targets else 'no'} |"
        )
    lines += [
        "",
        "## The default's segments, as a build names them",
        "",
        "Each set built with the defaults (`dbt build`, `--vars area_set`); the labels of `cluster_profiles`: density",
        "(where the segment's median area falls among the set's areas) and up to three features whose pooled lift is at",
        f"least {DEFAULTS['label_min_lift']} with at least {DEFAULTS['label_min_venues']} places in the segment.",
        "",
        "| set | segments | distinct |",
        "|---|---|---|",
    ]
    lines += [
        f"| {area_set} | {'<br>'.join(names)} | {'yes' if len(set(names)) == len(names) else 'no'} |"
        for area_set, names in labels.items()
    ]
    return "\n".join(lines) + "\n"


def built_labels(database: Path, work: Path) -> dict[str, list[str]]:
    """Each set built with the defaults; its segments' display labels."""
    environment = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(database),
        "SEGMENTATION_OUTPUT_DIR": str(work / "output"),
    }
    labels = {}
    for area_set in SETS:
        subprocess.run(
            [str(BIN / "dbt"), "build", "--quiet", "--select", "cluster_settings+", "--exclude", "segmentation_outputs",
             "--vars", json.dumps({"area_set": area_set})],
            check=True, env=environment, cwd=REPO,
        )  # fmt: skip
        with duckdb.connect(str(database), read_only=True) as connection:
            rows = connection.execute(
                "select display_label from build.cluster_profiles order by cluster_id"
            ).fetchall()
        labels[area_set] = [label for (label,) in rows]
    return labels


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="keep the warehouse here (default: a temporary folder)")
    parser.add_argument("--database", type=Path, help="a warehouse already landed and built as above")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "segmentation_comparison.md")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="compare-") as temporary:
        work = arguments.workdir or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        database = arguments.database or land_and_build(work)
        text = markdown(compare(database), built_labels(database, work))
    arguments.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
