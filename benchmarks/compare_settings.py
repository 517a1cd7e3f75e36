"""`make compare`: the segmentation settings side by side on the shared Toronto and New York data —
the table the README's "Segments" section shows and the default was chosen from.

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
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import yaml

from ingest.spatial import load_spatial
from segmentation import feature_blocks, methods
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
    sparse: str  # none, shrink or exclude
    method: str = "kmeans"
    n_clusters: str = "auto"
    min_venues: int = 5
    # Ranked with the others: not when bootstrap agreement cannot test it (a redraw keeps each
    # area's venue count, so a feature of the count, density, agrees with itself by construction).
    ranked: bool = True


SETTINGS = (
    Setting("notebook (categories, k = 5)", "category", ("shares",), "none", n_clusters="5"),
    Setting("categories, shares", "category", ("shares",), "none"),
    Setting("categories, log LQ, shrink", "category", ("log_lq",), "shrink"),
    Setting("groups, shares, shrink (the previous default)", "group", ("shares",), "shrink"),
    Setting("groups, Hellinger, shrink", "group", ("hellinger",), "shrink"),
    Setting("groups, log LQ, shrink (default)", "group", ("log_lq",), "shrink"),
    Setting("groups, log LQ, exclude < 5", "group", ("log_lq",), "exclude"),
    Setting("groups, log LQ, none", "group", ("log_lq",), "none"),
    Setting("groups, log LQ + density, shrink", "group", ("log_lq", "density"), "shrink", ranked=False),
    Setting("groups, log LQ, shrink, Ward", "group", ("log_lq",), "shrink", method="ward"),
    Setting("groups, log LQ, shrink, Gaussian mixture", "group", ("log_lq",), "shrink", method="gmm"),
    Setting("groups, log LQ, shrink, spatial", "group", ("log_lq",), "shrink", method="spatial"),
)
DEFAULT = SETTINGS[5]


def selection_settings(setting: Setting) -> Settings:
    """The project's defaults (dbt_project.yml vars), with this setting's choices."""
    return Settings(
        features=setting.features, shrink=setting.sparse == "shrink", methods=(setting.method,),
        method=setting.method, n_clusters=setting.n_clusters, k_min=DEFAULTS["k_min"], k_max=DEFAULTS["k_max"],
        random_state=DEFAULTS["random_state"], n_init=DEFAULTS["n_init"],
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
    if setting.method == "spatial":
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


def compare(database: Path) -> list[tuple[str, Setting, Fit | None, str]]:
    connection = duckdb.connect(str(database), read_only=True)
    load_spatial(connection)
    results = []
    for area_set in SETS:
        for setting in SETTINGS:
            matrix, km2, graph = counts_of(connection, area_set, setting)
            if "density" in setting.features and np.isnan(km2).any():
                results.append((area_set, setting, None, "no area sizes"))
                continue
            fits = evaluate(matrix, km2, selection_settings(setting), graph)
            chosen = next(fit for fit in fits if fit.is_chosen)
            results.append((area_set, setting, chosen, ""))
            print(area_set, setting.name, chosen.k, round(chosen.silhouette, 3), file=sys.stderr)
    return results


SUBSAMPLE_SIZES = (1, 2, 3, 5, 10, 20)
RICH = 30  # areas with at least this many venues stand for "the truth"
DRAWS = 20


def evidence_needed(database: Path) -> list[tuple[str, int, int, float, float]]:
    """How many venues an area needs before its mix says which segment it is in: the set is
    clustered as the default does (at the auto k); then, for the areas with at least RICH venues,
    n of each one's venues are drawn (without replacement, DRAWS times), the draw's features built
    (without and with the default's shrinkage) and assigned to the nearest cluster centre. The
    table gives, per n, how often the draw lands in the area's own cluster."""
    connection = duckdb.connect(str(database), read_only=True)
    generator = np.random.default_rng(42)
    rows = []
    for area_set in SETS:
        matrix, km2, _ = counts_of(connection, area_set, DEFAULT)
        chosen = next(fit for fit in evaluate(matrix, km2, selection_settings(DEFAULT)) if fit.is_chosen)
        strength = feature_blocks.shrinkage_strength(matrix)
        mix = feature_blocks.city_mix(matrix)

        def features(
            counts: np.ndarray, shrink: bool, strength: float = strength, mix: np.ndarray = mix
        ) -> np.ndarray:
            return feature_blocks.build(counts, np.full(len(counts), np.nan), DEFAULT.features, shrink=shrink,
                                        strength=strength, mix=mix)  # fmt: skip

        space = features(matrix, True)
        centres = np.vstack([space[chosen.labels == c].mean(axis=0) for c in range(1, chosen.k + 1)])
        rich = np.flatnonzero(matrix.sum(axis=1) >= RICH)
        for size in SUBSAMPLE_SIZES:
            draws = np.vstack([generator.multivariate_hypergeometric(matrix[area].astype(np.int64), size)
                               for area in rich for _ in range(DRAWS)]).astype(float)  # fmt: skip
            own = np.repeat(chosen.labels[rich], DRAWS)
            hits = []
            for shrink in (False, True):
                drawn = features(draws, shrink)
                nearest = ((drawn[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1) + 1
                hits.append(float((nearest == own).mean()))
            rows.append((area_set, chosen.k, size, hits[0], hits[1]))
    return rows


def ranking(results: list[tuple[str, Setting, Fit | None, str]]) -> list[tuple[Setting, int, float, float]]:
    """Each setting: the sets whose chosen clustering meets the targets, mean bootstrap agreement and
    mean balance; best first (every set met, then bootstrap agreement + balance)."""
    rows = []
    for setting in SETTINGS:
        fits = [fit for _, s, fit, _ in results if s == setting and fit is not None]
        if not fits or not setting.ranked:
            continue
        met = sum(fit.meets_rule for fit in fits)  # the targets are the auto rule's
        bootstrap = float(np.mean([fit.bootstrap_agreement for fit in fits]))
        balance = float(np.mean([fit.balance(DEFAULTS["k_max"]) for fit in fits]))
        rows.append((setting, met, bootstrap, balance))
    return sorted(rows, key=lambda row: (-row[1], -(row[2] + row[3])))


def markdown(
    results: list[tuple[str, Setting, Fit | None, str]], evidence: list[tuple[str, int, int, float, float]]
) -> str:
    lines = [
        "# Segmentation settings compared",
        "",
        "Written by `make compare` (`benchmarks/compare_settings.py`): each setting fitted with the project's own",
        "model selection on the shared data, with no taxonomy landed by hand (groups from the shipped seed",
        "`category_taxonomies`, as any city gets them); k by the auto rule unless fixed, seeds and bootstrap",
        "redraws as the defaults. *Targets*: every cluster at least "
        f"{DEFAULTS['min_cluster_size']} areas, the largest at most {100 * DEFAULTS['max_largest_share']:.0f} %,",
        f"seed agreement at least {DEFAULTS['min_seed_agreement']} and bootstrap agreement at least "
        f"{DEFAULTS['min_bootstrap_agreement']} at the chosen k. *Count η²* is the share of the variance of the areas'",
        "log venue count the clusters explain: a bootstrap redraw keeps each area's count, so clusters that are bands",
        "of venue count look stable without being alike by their places. *Balance* is the entropy of the cluster sizes over",
        f"that of k_max = {DEFAULTS['k_max']} equal clusters (0..1: higher with more clusters of more even sizes), as the",
        "auto rule scores it. Silhouette is shown, not ranked on: it is not comparable across feature spaces.",
        "",
        "## Ranking",
        "",
        "Settings ranked as the auto rule ranks k: those meeting the targets on every set first, then by mean",
        "bootstrap agreement + mean balance. The default is the first ranked.",
        "Not ranked: settings with the density block (a bootstrap redraw keeps each area's venue count, so",
        "density agrees with itself by construction and its agreement says nothing).",
        "",
        "| setting | sets meeting the targets | mean bootstrap ARI | mean balance |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {setting.name} | {met} of {len(SETS)} | {bootstrap:.2f} | {balance:.2f} |"
        for setting, met, bootstrap, balance in ranking(results)
    ]
    lines += [
        "",
        "## Every setting on every set",
        "",
        "| set | setting | areas | k | sizes | balance | silhouette | seed ARI | bootstrap ARI | count η² | targets |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for area_set, setting, fit, note in results:
        if fit is None:
            lines.append(f"| {area_set} | {setting.name} | | | | | | | | | {note} |")
            continue
        lines.append(
            f"| {area_set} | {setting.name} | {len(fit.labels)} | {fit.k} | {'/'.join(map(str, fit.sizes))} | "
            f"{fit.balance(DEFAULTS['k_max']):.2f} | {fit.silhouette:.3f} | {fit.seed_agreement:.2f} | {fit.bootstrap_agreement:.2f} | "
            f"{fit.venue_count_share:.2f} | "
            f"{'yes' if fit.meets_rule else 'no'} |"
        )
    lines += [
        "",
        "## How many venues an area needs",
        "",
        "Each set clustered as the default does (at the auto k); then, for its areas with at least",
        f"{RICH} venues, n of each one's venues drawn ({DRAWS} times, without replacement), the draw's features",
        "built and assigned to the nearest cluster centre. *Own cluster* is how often the draw lands in the area's",
        "own cluster, without and with the default's shrinkage of sparse areas toward the city's mix.",
        "",
        "| set | k | venues drawn | own cluster, not shrunk | own cluster, shrunk |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {a} | {k} | {n} | {raw:.0%} | {shrunk:.0%} |" for a, k, n, raw, shrunk in evidence]
    return "\n".join(lines) + "\n"


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
        text = markdown(compare(database), evidence_needed(database))
    arguments.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
