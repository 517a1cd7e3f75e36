"""`make bench`: the project against the seed notebook's pandas approach and a vectorised pandas
version, on the same rows, at 103 / 5,000 / 50,000 areas; and the live fetcher against a sequential
loop. Prints the table and writes docs/benchmarks.md and docs/benchmarks.png.

Every stage runs in a child process of its own: wall time is measured around it (the median of up
to 3 runs for stages under 30 s) and peak memory is that process's maximum resident set. The dbt
stages start warm (partial parsing done), as a user's repeated runs do.

    python -m benchmarks.run [--sizes 103,5000,50000] [--repeats 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from matplotlib.figure import Figure

from benchmarks.generate import FULL_POSTAL_CODE
from benchmarks.live_fetch import run as run_live_fetch
from benchmarks.measure import Measurement, measure, measure_median

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SNAPSHOT = REPO.parent / "shared" / "data" / "snapshots" / "toronto-2020-01"

PROJECT_STAGES = {
    "dbt models (SQL: staging → one-hot pivot, top 10)": [
        "run", "--select", "+area_category_frequencies", "+postal_code_top_categories_wide"],
    "clustering at k=5": ["run", "--select", "area_clusters"],
    "model selection (k = 2..12)": ["run", "--select", "cluster_model_selection"],
    "map export": ["run", "--select", "stg_boundaries__fsa_polygons", "cluster_categories", "cluster_profiles",
                   "area_map_features", "area_map"],
}  # fmt: skip
COMBINED = ["run", "--select", "+area_clusters", "+postal_code_top_categories_wide"]
NOTHING = ["run", "--select", "tag:__nothing__"]  # dbt's own start-up: parse (warm), connect, hooks
BUILD = ["build"]
BUILD_WITHOUT_UNIT_TESTS = ["build", "--exclude-resource-type", "unit_test"]
TIGHT_MEMORY = "400MB"  # DUCKDB_MEMORY_LIMIT for the memory-bounded run
PEER_STAGES = ("one-hot and group", "top 10", "clustering")


@dataclass
class SizeResult:
    areas: int
    venue_rows: int = 0
    land: Measurement | None = None
    land_seconds: float = 0.0
    startup: Measurement | None = None  # a dbt run that selects nothing
    project: dict[str, Measurement] = field(default_factory=dict)
    combined: Measurement | None = None
    combined_tight: Measurement | None = None
    build: Measurement | None = None
    build_without_unit_tests: Measurement | None = None
    peers: dict[str, tuple[dict[str, float], float]] = field(default_factory=dict)  # timings, peak MB


def dbt(arguments: list[str], database: Path, work: Path) -> list[str]:
    variables = {
        "postal_code_pattern": FULL_POSTAL_CODE,
        "map_path": str(work / "output" / "map.html"),
        "n_clusters": 5,
    }
    return [str(BIN / "dbt"), *arguments, "--vars", json.dumps(variables), "--quiet"]


def dbt_env(database: Path, work: Path) -> dict[str, str]:
    return {**os.environ, "DBT_DUCKDB_PATH": str(database), "DBT_TARGET_PATH": str(work / "target"),
            "DBT_LOG_PATH": str(work / "logs"), "DO_NOT_TRACK": "1"}  # fmt: skip


def bench_size(areas: int, repeats: int, workdir: Path) -> SizeResult:
    work = workdir / f"areas-{areas}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    database, rows = work / "warehouse.duckdb", work / "venues.parquet"
    result = SizeResult(areas)
    print(f"[{areas} areas] generating and landing", flush=True)
    result.land = measure([BIN / "python", "-m", "benchmarks.generate", "--areas", str(areas), "--database",
                           database, "--venue-rows", rows, "--snapshot", SNAPSHOT], cwd=REPO)  # fmt: skip
    landed = json.loads(result.land.output.strip().splitlines()[-1])
    result.venue_rows, result.land_seconds = landed["venue_rows"], landed["land_seconds"]
    env = dbt_env(database, work)
    measure(dbt(["seed"], database, work), env, REPO)  # also parses the project once: the stages start warm
    result.startup = measure_median(dbt(NOTHING, database, work), repeats, env, REPO)
    for name, arguments in PROJECT_STAGES.items():
        print(f"[{areas} areas] project: {name}", flush=True)
        result.project[name] = measure_median(dbt(arguments, database, work), repeats, env, REPO)
    print(f"[{areas} areas] project: models and clustering in one dbt run", flush=True)
    result.combined = measure_median(dbt(COMBINED, database, work), repeats, env, REPO)
    print(
        f"[{areas} areas] project: models and clustering, DuckDB memory capped at {TIGHT_MEMORY}", flush=True
    )
    tight = {**env, "DUCKDB_MEMORY_LIMIT": TIGHT_MEMORY}
    result.combined_tight = measure_median(dbt(COMBINED, database, work), repeats, tight, REPO)
    print(f"[{areas} areas] project: the whole dbt build", flush=True)
    result.build = measure_median(dbt(BUILD, database, work), repeats, env, REPO)
    result.build_without_unit_tests = measure_median(
        dbt(BUILD_WITHOUT_UNIT_TESTS, database, work), repeats, env, REPO
    )
    for peer in ("seed", "vectorised"):
        print(f"[{areas} areas] peer: {peer}", flush=True)
        run = measure([BIN / "python", "-m", "benchmarks.peers", peer, "--venues", rows], cwd=REPO)
        result.peers[peer] = (json.loads(run.output.strip().splitlines()[-1]), run.peak_mb)
    shutil.rmtree(work / "output", ignore_errors=True)
    return result


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)  # fmt: skip
    import dbt.version
    import duckdb
    import pandas
    import sklearn

    return (
        f"{cpu}, {os.cpu_count()} cores, {memory} GiB RAM; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, dbt-core {dbt.version.__version__}, "
        f"pandas {pandas.__version__}, scikit-learn {sklearn.__version__}"
    )


def seconds(value: float) -> str:
    return f"{value:,.1f} s" if value >= 1 else f"{value:.2f} s"


def speed(peer_seconds: float, project_seconds: float) -> str:
    ratio = peer_seconds / project_seconds
    return f"{ratio:,.1f}× faster" if ratio >= 1 else f"{1 / ratio:,.1f}× slower"


def report(results: list[SizeResult], live: dict, plot: Path) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {datetime.now(UTC):%Y-%m-%d}: {machine()}.",
        "",
        "Each stage runs in a process of its own; wall time is the median of up to 3 runs (1 for stages over "
        "30 s), peak memory that process's maximum resident set. The project's stages are dbt invocations "
        f"(each pays dbt's start-up: {seconds(results[0].startup.wall_seconds)} for a run that selects "
        "nothing, measured here) on the rows the generator landed in the raw tables "
        "(`benchmarks/generate.py`: the snapshot's 2,226 venue rows copied to new areas with moved centres); "
        "the peers start from the same venue rows already in a pandas DataFrame (loading it is not counted). "
        "The seed approach is the notebook's code (`benchmarks/peers.py`); the vectorised one is what a "
        "competent pandas user would write. Peers' memory includes pandas and scikit-learn; the project's "
        f"includes dbt ({results[0].startup.peak_mb:,.0f} MB for a run that selects nothing, measured here).",
        "",
    ]
    for result in results:
        seed, seed_peak = result.peers["seed"]
        vectorised, vectorised_peak = result.peers["vectorised"]
        lines += [
            f"## {result.areas:,} areas, {result.venue_rows:,} venue rows",
            "",
            "| stage | project | peak | seed notebook | peak | vectorised pandas | peak |",
            "|---|---:|---:|---:|---:|---:|---:|",
            f"| ingest/land (raw tables) | {seconds(result.land_seconds)} | {result.land.peak_mb:,.0f} MB | — | | — | |",
        ]
        project_rows = list(result.project.items())
        peer_for = {0: ("one-hot and group", "top 10"), 1: ("clustering",)}
        for index, (name, measured) in enumerate(project_rows):
            keys = peer_for.get(index, ())
            seed_cell = seconds(sum(seed[key] for key in keys)) if keys else "—"
            vectorised_cell = seconds(sum(vectorised[key] for key in keys)) if keys else "—"
            label = name + (" / peers: " + " + ".join(keys) if keys else "")
            lines.append(
                f"| {label} | {seconds(measured.wall_seconds)} | {measured.peak_mb:,.0f} MB | {seed_cell} | "
                f"{seed_peak:,.0f} MB | {vectorised_cell} | {vectorised_peak:,.0f} MB |"
                if keys else
                f"| {label} | {seconds(measured.wall_seconds)} | {measured.peak_mb:,.0f} MB | — | | — | |"
            )  # fmt: skip
        seed_total = sum(seed[key] for key in PEER_STAGES)
        vectorised_total = sum(vectorised[key] for key in PEER_STAGES)
        combined = result.combined
        lines += [
            f"| **models + clustering at k=5, one dbt run** / peers: all three steps | "
            f"**{seconds(combined.wall_seconds)}** | **{combined.peak_mb:,.0f} MB** | **{seconds(seed_total)}** | "
            f"**{seed_peak:,.0f} MB** | **{seconds(vectorised_total)}** | **{vectorised_peak:,.0f} MB** |",
            f"| models + clustering at k=5, DuckDB memory capped (`DUCKDB_MEMORY_LIMIT={TIGHT_MEMORY}`) | "
            f"{seconds(result.combined_tight.wall_seconds)} | {result.combined_tight.peak_mb:,.0f} MB | | | | |",
            f"| the whole `dbt build` (every model, data test and unit test, the map) | "
            f"{seconds(result.build.wall_seconds)} | {result.build.peak_mb:,.0f} MB | | | | |",
            f"| `dbt build --exclude-resource-type unit_test` (unit tests are for CI) | "
            f"{seconds(result.build_without_unit_tests.wall_seconds)} | "
            f"{result.build_without_unit_tests.peak_mb:,.0f} MB | | | | |",
            "",
            f"Project against the seed approach: **{speed(seed_total, combined.wall_seconds)}**, peak memory "
            f"**{combined.peak_mb / seed_peak:.0%}** of the seed's. Against vectorised pandas: "
            f"{speed(vectorised_total, combined.wall_seconds)}, {combined.peak_mb / vectorised_peak:.0%} of its "
            f"memory. With DuckDB's memory capped at {TIGHT_MEMORY}: "
            f"{speed(seed_total, result.combined_tight.wall_seconds)} than the seed, peak memory "
            f"**{result.combined_tight.peak_mb / seed_peak:.0%}** of the seed's.",
            "",
        ]
    lines += targets(results, live)
    lines += [
        "## Live fetch: 103 areas, limit 100 (two pages each), 300 ms latency",
        "",
        "| fetcher | wall | requests |",
        "|---|---:|---:|",
        f"| project (`ingest venues`: {live['concurrency']} in flight, at most "
        f"{live['requests_per_second_limit']:.0f} requests/s) | {seconds(live['project_first_seconds'])} | "
        f"{live['project_first_requests']} |",
        f"| project, run again (every area already answered) | {seconds(live['project_second_seconds'])} | "
        f"{live['project_second_requests']} |",
        f"| sequential loop like the seed notebook's | {seconds(live['sequential_seconds'])} | "
        f"{live['sequential_requests']} |",
        "",
        f"![Time against size]({plot.name})",
        "",
    ]
    return "\n".join(lines)


def targets(results: list[SizeResult], live: dict) -> list[str]:
    """The issue's targets against what was measured."""
    smallest, largest = results[0], results[-1]
    seed_total = sum(largest.peers["seed"][0][key] for key in PEER_STAGES)
    seed_peak = largest.peers["seed"][1]
    rows = [
        (f"{largest.venue_rows:,} rows: models + clustering ≥ 10× faster than the seed",
         f"{seed_total / largest.combined.wall_seconds:,.1f}×", seed_total / largest.combined.wall_seconds >= 10),
        (f"{largest.venue_rows:,} rows: peak memory ≤ 1/3 of the seed's ({seed_peak:,.0f} MB)",
         f"{largest.combined.peak_mb / seed_peak:.0%} by default; "
         f"{largest.combined_tight.peak_mb / seed_peak:.0%} with DUCKDB_MEMORY_LIMIT={TIGHT_MEMORY}",
         largest.combined_tight.peak_mb <= seed_peak / 3),
        (f"{smallest.venue_rows:,} rows: the whole `dbt build` ≤ 10 s", seconds(smallest.build.wall_seconds),
         smallest.build.wall_seconds <= 10),
        ("live fetch of 103 areas at 300 ms ≤ 6 s; the re-run 0 requests",
         f"{seconds(live['project_first_seconds'])}; {live['project_second_requests']} requests",
         live["project_first_seconds"] <= 6 and live["project_second_requests"] == 0),
        (f"{largest.venue_rows:,} rows: peak memory of `dbt build` ≤ 2 GB", f"{largest.build.peak_mb:,.0f} MB",
         largest.build.peak_mb <= 2048),
    ]  # fmt: skip
    lines = ["## Targets", "", "| target | measured | |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {'met' if met else '**not met**'} |" for name, value, met in rows]
    return [*lines, ""]


def draw(results: list[SizeResult], path: Path) -> None:
    figure = Figure(figsize=(8, 5), layout="constrained")
    axis = figure.subplots()
    rows = [result.venue_rows for result in results]
    series = {
        "project: models + clustering (one dbt run)": [r.combined.wall_seconds for r in results],
        "project: whole dbt build": [r.build.wall_seconds for r in results],
        "seed notebook (pandas)": [sum(r.peers["seed"][0][k] for k in PEER_STAGES) for r in results],
        "vectorised pandas": [sum(r.peers["vectorised"][0][k] for k in PEER_STAGES) for r in results],
    }
    for label, values in series.items():
        axis.plot(rows, values, marker="o", label=label)
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("venue rows")
    axis.set_ylabel("wall seconds")
    axis.set_title("One-hot, top 10 and KMeans (k=5) against input size")
    axis.grid(alpha=0.3, which="both")
    axis.legend()
    figure.savefig(path, dpi=100, metadata={"Software": None})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--sizes", default="103,5000,50000", help="numbers of areas (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="where the warehouses go (default: a temporary folder)")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="segmentation-bench-"))
    results = [bench_size(int(size), args.repeats, workdir) for size in args.sizes.split(",")]
    print("live fetch", flush=True)
    live = run_live_fetch(SNAPSHOT)
    plot = args.output.with_suffix(".png")
    draw(results, plot)
    text = report(results, live, plot)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
