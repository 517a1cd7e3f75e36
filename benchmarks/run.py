"""`make bench`: the project against the seed notebook's pandas approach and a vectorised pandas
version, on the same rows, at 103 / 5,000 / 50,000 areas; and the live fetcher against a sequential
loop. Prints the table and writes docs/benchmarks.md and docs/benchmarks.svg.

Every stage runs in a child process of its own: wall time is measured around it (the median of up
to 3 runs for stages under 30 s) and peak memory is that process's maximum resident set. The dbt
stages start warm (partial parsing done), as a user's repeated runs do.

    python -m benchmarks.run [--sizes 103,5000,50000] [--repeats 3] [--workdir DIR] [--spatial AREAS,PLACES]
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

from benchmarks.generate import FULL_POSTAL_CODE
from benchmarks.live_fetch import run as run_live_fetch
from benchmarks.measure import Measurement, measure, measure_median
from benchmarks.overture import run as run_overture
from benchmarks.spatial import run as run_spatial
from segmentation import plots

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SNAPSHOT = REPO.parent / "shared" / "data" / "snapshots" / "toronto-2020-01"

# The notebook's work (staging -> one-hot -> top 10 -> k-means k = 5) in one dbt run: the same
# models, with model selection cut to the one fit the notebook makes (no other k, no stability).
COMBINED = [
    "run",
    "--select",
    "+area_category_frequencies",
    "+postal_code_top_categories_wide",
    "+area_clusters",
]
NOTEBOOK_WORK = {"preset": "notebook", "k_min": 5, "k_max": 5, "stability_seeds": 0, "stability_resamples": 0}
NOTHING = ["run", "--select", "tag:__nothing__"]  # dbt's own start-up: parse (warm), connect, hooks
BUILD = ["build", "--exclude-resource-type", "unit_test"]  # as `make run` builds
BUILD_WITH_UNIT_TESTS = ["build"]
NODES = ["ls", "--resource-type", "model", "--resource-type", "test", "--resource-type", "seed",
         "--exclude-resource-type", "unit_test", "--output", "name"]  # fmt: skip
PEER_STAGES = ("one-hot and group", "top 10", "clustering")
SPATIAL = {"areas": 50_000, "places": 1_000_000}


@dataclass
class SizeResult:
    areas: int
    venue_rows: int = 0
    land: Measurement | None = None
    land_seconds: float = 0.0
    startup: Measurement | None = None  # a dbt run that selects nothing
    combined: Measurement | None = None
    build: Measurement | None = None
    nodes: int = 0  # models, data tests and seeds in the build `make run` runs
    build_with_unit_tests: Measurement | None = None
    peers: dict[str, tuple[dict[str, float], float]] = field(default_factory=dict)  # timings, peak MB
    floor: dict[str, float] = field(default_factory=dict)  # the DuckDB-only floor (benchmarks.floor)


def dbt(arguments: list[str], database: Path, work: Path, extra: dict | None = None) -> list[str]:
    variables = {
        "postal_code_pattern": FULL_POSTAL_CODE,
        "map_path": str(work / "output" / "map.html"),
        "n_clusters": 5,
        **(extra or {}),
    }
    return [str(BIN / "dbt"), *arguments, "--vars", json.dumps(variables), "--quiet"]


def dbt_env(database: Path, work: Path) -> dict[str, str]:
    return {**os.environ, "DBT_DUCKDB_PATH": str(database), "DBT_TARGET_PATH": str(work / "target"),
            "DBT_LOG_PATH": str(work / "logs"), "DO_NOT_TRACK": "1"}  # fmt: skip


def bench_size(areas: int, repeats: int, workdir: Path) -> SizeResult:
    work = workdir / f"areas-{areas}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    database, rows, responses = work / "warehouse.duckdb", work / "venues.parquet", work / "responses.jsonl"
    result = SizeResult(areas)
    print(f"[{areas} areas] generating and landing", flush=True)
    result.land = measure([BIN / "python", "-m", "benchmarks.generate", "--areas", str(areas), "--database",
                           database, "--venue-rows", rows, "--responses", responses, "--snapshot", SNAPSHOT],
                          cwd=REPO)  # fmt: skip
    landed = json.loads(result.land.output.strip().splitlines()[-1])
    result.venue_rows, result.land_seconds = landed["venue_rows"], landed["land_seconds"]
    env = {**dbt_env(database, work), "SEGMENTATION_OUTPUT_DIR": str(work / "output")}
    measure(dbt(["seed"], database, work), env, REPO)  # also parses the project once: the stages start warm
    result.startup = measure_median(dbt(NOTHING, database, work), repeats, env, REPO)
    result.nodes = len(measure(dbt(NODES, database, work), env, REPO).output.split())
    print(f"[{areas} areas] project: models and clustering in one dbt run", flush=True)
    result.combined = measure_median(dbt(COMBINED, database, work, NOTEBOOK_WORK), repeats, env, REPO)
    print(f"[{areas} areas] project: the whole dbt build", flush=True)
    result.build = measure_median(dbt(BUILD, database, work), repeats, env, REPO)
    result.build_with_unit_tests = measure_median(
        dbt(BUILD_WITH_UNIT_TESTS, database, work), repeats, env, REPO
    )
    print(f"[{areas} areas] DuckDB-only floor", flush=True)
    floor = measure([BIN / "python", "-m", "benchmarks.floor", "--database", database], cwd=REPO)
    result.floor = json.loads(floor.output.strip().splitlines()[-1])
    for peer, source in (("seed", ["--venues", rows]), ("vectorised", ["--venues", rows]),
                         ("vectorised-json", ["--responses", responses])):  # fmt: skip
        print(f"[{areas} areas] peer: {peer}", flush=True)
        run = measure([BIN / "python", "-m", "benchmarks.peers", peer, *source], cwd=REPO)
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


def report(results: list[SizeResult], live: dict, spatial_result: dict, overture: dict, plot: Path) -> str:
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
        "the peers start from the same venue rows already in a pandas DataFrame (loading it is not counted), "
        "and vectorised pandas once more from the same raw JSON responses the project lands (reading and "
        "parsing counted, as the project's landing is). "
        "The seed approach is the notebook's code (`benchmarks/peers.py`); the vectorised one is what a "
        "competent pandas user would write. Peers' memory includes pandas and scikit-learn; the project's "
        f"includes dbt ({results[0].startup.peak_mb:,.0f} MB for a run that selects nothing, measured here).",
        "",
    ]
    for result in results:
        seed, seed_peak = result.peers["seed"]
        vectorised, vectorised_peak = result.peers["vectorised"]
        json_peak = result.peers["vectorised-json"][1]
        combined, build, startup = result.combined, result.build, result.startup
        lines += [
            f"## {result.areas:,} areas, {result.venue_rows:,} venue rows",
            "",
            "| stage | wall | peak |",
            "|---|---:|---:|",
            f"| ingest/land (raw tables) | {seconds(result.land_seconds)} | {result.land.peak_mb:,.0f} MB |",
            f"| dbt's start-up: a run that selects nothing | {seconds(startup.wall_seconds)} | "
            f"{startup.peak_mb:,.0f} MB |",
            f"| the notebook's work in one dbt run (models, top 10, k-means k = 5) | "
            f"{seconds(combined.wall_seconds)} | {combined.peak_mb:,.0f} MB |",
            f"| **the whole `dbt build` as `make run` runs it** ({result.nodes} nodes: every model, data test and "
            f"seed; model selection, stability, map, report) | **{seconds(build.wall_seconds)}** | "
            f"**{build.peak_mb:,.0f} MB** |",
            f"| `dbt build` with the unit tests too | {seconds(result.build_with_unit_tests.wall_seconds)} | "
            f"{result.build_with_unit_tests.peak_mb:,.0f} MB |",
            f"| peer: the seed notebook's code (one-hot, group, per-row top 10, k-means) | "
            f"{seconds(sum(seed[key] for key in PEER_STAGES))} | {seed_peak:,.0f} MB |",
            f"| peer: vectorised pandas from a DataFrame | {seconds(sum(vectorised[key] for key in PEER_STAGES))} | "
            f"{vectorised_peak:,.0f} MB |",
            f"| peer: vectorised pandas from the raw JSON (reading and parsing counted) | "
            f"{seconds(pandas_from_json(result))} | {json_peak:,.0f} MB |",
            f"| the DuckDB-only floor (`benchmarks/floor.py`: the same SQL and one k-means fit, no dbt) | "
            f"{seconds(result.floor['total'])} | |",
            "",
            f"The whole build is {build.wall_seconds / pandas_from_json(result):.1f}× vectorised pandas doing the "
            f"notebook's work from the raw JSON and {build.wall_seconds / startup.wall_seconds:.1f}× dbt's "
            f"start-up; the notebook's work alone in dbt is {speed(sum(seed[key] for key in PEER_STAGES), combined.wall_seconds)} "
            f"than the notebook's code. Floor stages: {floor_text(result)}.",
            "",
        ]
    lines += [
        f"## Places into polygons: {spatial_result['places']:,} places, {spatial_result['areas']:,} areas",
        "",
        "A grid of square areas over Toronto (GeoParquet) and random places (Parquet), landed by `ingest areas` "
        "and `ingest points`; `dbt run --select +area_venues` assigns each place to the polygon that contains "
        "it (a DuckDB spatial join) and materialises `area_venues`, in a process of its own "
        "(`benchmarks/spatial.py`).",
        "",
        "| stage | wall | peak |",
        "|---|---:|---:|",
        f"| land the areas | {seconds(spatial_result['land_areas_seconds'])} | |",
        f"| land the places | {seconds(spatial_result['land_points_seconds'])} | |",
        f"| assign ({spatial_result['assigned']:,} assignments, {spatial_result['areas_with_places']:,} areas with "
        f"places): `dbt run --select +area_venues` | {seconds(spatial_result['assign_seconds'])} | "
        f"{spatial_result['assign_peak_mb']:,.0f} MB |",
        f"| peer: the plain DuckDB join of the same files ({spatial_result['plain_join_assigned']:,} assigned; "
        f"the process {seconds(spatial_result['plain_join_wall_seconds'])}) | "
        f"{seconds(spatial_result['plain_join_seconds'])} | {spatial_result['plain_join_peak_mb']:,.0f} MB |",
        "",
    ]
    lines += targets(results, spatial_result)
    lines += overture_section(results, overture)
    lines += beyond_one_machine(results)
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


def project_from_json(result: SizeResult) -> float:
    return result.land_seconds + result.combined.wall_seconds


def pandas_from_json(result: SizeResult) -> float:
    timings = result.peers["vectorised-json"][0]
    return timings["load and parse JSON"] + sum(timings[key] for key in PEER_STAGES)


def floor_text(result: SizeResult) -> str:
    floor = result.floor
    stages = ", ".join(f"{name} {seconds(value)}" for name, value in floor.items()
                       if name not in ("areas", "categories", "total"))  # fmt: skip
    return f"{seconds(floor['total'])} ({stages})"


def targets(results: list[SizeResult], spatial_result: dict) -> list[str]:
    """Issue 14's targets against what was measured in this run, in one table."""
    smallest, largest = results[0], results[-1]
    build, startup = largest.build, smallest.startup.wall_seconds
    pandas = pandas_from_json(largest)
    spatial_limit = startup + 4 * spatial_result["plain_join_seconds"]
    rows = [
        (f"whole `dbt build` at {largest.areas:,} areas / {largest.venue_rows:,} rows: ≤ 2× vectorised pandas "
         f"from the same raw JSON ({seconds(pandas)} here), ≤ 1 GB peak",
         f"{seconds(build.wall_seconds)} ({build.wall_seconds / pandas:.1f}×), {build.peak_mb:,.0f} MB",
         build.wall_seconds <= 2 * pandas and build.peak_mb <= 1024),
        (f"the build `make run` runs, {smallest.areas:,} areas: ≤ 2× dbt's start-up ({seconds(startup)} here)",
         f"{seconds(smallest.build.wall_seconds)} ({smallest.build.wall_seconds / startup:.1f}×)",
         smallest.build.wall_seconds <= 2 * startup),
        (f"plain `dbt build` (with unit tests), {smallest.areas:,} areas: ≤ 2.5× dbt's start-up",
         f"{seconds(smallest.build_with_unit_tests.wall_seconds)} "
         f"({smallest.build_with_unit_tests.wall_seconds / startup:.1f}×)",
         smallest.build_with_unit_tests.wall_seconds <= 2.5 * startup),
        (f"{spatial_result['places']:,} places into {spatial_result['areas']:,} polygons: ≤ dbt's start-up + 4× "
         f"the plain DuckDB join ({seconds(spatial_limit)} here), ≤ 1 GB",
         f"{seconds(spatial_result['assign_seconds'])}, {spatial_result['assign_peak_mb']:,.0f} MB",
         spatial_result["assign_seconds"] <= spatial_limit and spatial_result["assign_peak_mb"] <= 1024),
        ("dbt nodes in the build `make run` runs (models + data tests + seeds): ≤ 120",
         str(smallest.nodes), smallest.nodes <= 120),
    ]  # fmt: skip
    lines = ["## Targets (issue 14)", "", "| target | measured | |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {'met' if met else '**not met**'} |" for name, value, met in rows]
    return [*lines, ""]


def overture_section(results: list[SizeResult], overture: dict) -> list[str]:
    """Issue 16's targets (a city's extract from a release on a local S3 server, a city end to end) and
    issue 23's (a grid over a box, a city by name)."""
    land, copy = overture["land_seconds"], overture["copy_wall_seconds"]
    toronto = results[0].build.wall_seconds
    rows = [
        (f"landing a city's extract ({overture['places']:,} places in the release, {overture['landed']:,} in the "
         f"extent): ≤ 2× DuckDB's own `COPY (select … where bbox …) TO parquet` of the same rows, a process each "
         f"({seconds(copy)} here; the COPY itself {seconds(overture['copy_seconds'])})",
         f"{seconds(land)} ({land / copy:.1f}×), {overture['land_peak_mb']:,.0f} MB", land <= 2 * copy),
        (f"a city from Overture end to end (`ingest areas` + `ingest venues --provider overture` + `dbt build`) at "
         f"{overture['areas']} polygons / {overture['inside']:,} places: ≤ 3× the Toronto snapshot build "
         f"({seconds(toronto)} here)",
         f"{seconds(overture['end_to_end_seconds'])} ({overture['end_to_end_seconds'] / toronto:.1f}×; build "
         f"{seconds(overture['city_build_seconds'])}, {overture['assigned']:,} places assigned)",
         overture["end_to_end_seconds"] <= 3 * toronto),
        (f"an h3:8 grid over a 40 × 40 km box ({overture['grid_areas']:,} cells) with {overture['places']:,} places "
         f"in the release's box (`ingest areas --grid` + `ingest venues --provider overture` + `dbt build`): ≤ 3× "
         f"the Toronto snapshot build",
         f"{seconds(overture['grid_end_to_end_seconds'])} ({overture['grid_end_to_end_seconds'] / toronto:.1f}×; "
         f"build {seconds(overture['grid_build_seconds'])}, {overture['grid_assigned']:,} places assigned)",
         overture["grid_end_to_end_seconds"] <= 3 * toronto),
        ("landing the cells alone (`ingest areas --grid h3:8 --bbox`, a process): ≤ 2 s",
         seconds(overture["grid_land_areas_seconds"]), overture["grid_land_areas_seconds"] <= 2),
        (f"a city by name end to end (`ingest areas --division Toronto`: {overture['named_areas']} neighbourhoods, "
         "+ places + `dbt build`): ≤ 3× the Toronto snapshot build",
         f"{seconds(overture['named_end_to_end_seconds'])} ({overture['named_end_to_end_seconds'] / toronto:.1f}×; "
         f"build {seconds(overture['named_build_seconds'])}, {overture['named_assigned']:,} places assigned)",
         overture["named_end_to_end_seconds"] <= 3 * toronto),
    ]  # fmt: skip
    lines = [
        "## Overture places and areas from a release on a local S3 server (issues 16 and 23)",
        "",
        "`benchmarks/overture.py`: a release in Overture's schema served by moto on 127.0.0.1, sorted west to "
        "east in row groups of 10,000 as Overture sorts its files; the city a grid over Toronto. A second release: "
        "its places all in a 40 × 40 km box over Toronto, its divisions made from the shared boundary files.",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {value} | {'met' if met else '**not met**'} |" for name, value, met in rows]
    return [*lines, ""]


def growth(sizes: list[float], values: list[float]) -> tuple[float, float]:
    """(fixed, per area) of value = fixed + per_area * areas, through the two largest sizes measured
    (a straight line: the models scan, join and fit in time linear in the rows; conservative for
    the fixed costs such as dbt's start-up)."""
    (x1, y1), (x2, y2) = sorted(zip(sizes, values, strict=True))[-2:]
    per_area = max((y2 - y1) / (x2 - x1), 0.0) if x2 != x1 else 0.0
    return y2 - per_area * x2, per_area


def beyond_one_machine(results: list[SizeResult]) -> list[str]:
    """How far one machine goes, extrapolated from the measured growth, and what a user does past it."""
    areas = [float(result.areas) for result in results]
    time_fixed, time_slope = growth(areas, [result.build.wall_seconds for result in results])
    memory_fixed, memory_slope = growth(areas, [result.build.peak_mb for result in results])
    rows_per_area = results[-1].venue_rows / results[-1].areas
    memory_total = next((int(line.split()[1]) / 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                         if line.startswith("MemTotal")), 0.0)  # fmt: skip

    def areas_at(value: float, fixed: float, slope: float) -> float:
        return (value - fixed) / slope if slope > 0 else float("inf")

    def count(value: float) -> str:
        return "beyond what these sizes can tell" if value == float("inf") else f"{value:,.0f}"

    lines = ["## Beyond one machine", "",
             f"The whole build grew by {time_slope * 1000:,.2f} s and {memory_slope * 1000:,.1f} MB per 1,000 areas "
             f"between the two largest sizes (about {rows_per_area:.0f} venue rows an area); extrapolated on a "
             "straight line on this machine:", "", "| areas | venue rows | whole build | peak memory |",
             "|---:|---:|---:|---:|"]  # fmt: skip
    for size in (50_000, 200_000, 1_000_000, 5_000_000):
        lines.append(f"| {size:,} | {size * rows_per_area:,.0f} | {seconds(time_fixed + time_slope * size)} | "
                     f"{(memory_fixed + memory_slope * size) / 1024:,.1f} GB |")  # fmt: skip
    hour = areas_at(3600, time_fixed, time_slope)
    memory_limit = areas_at(0.8 * memory_total, memory_fixed, memory_slope)
    lines += [
        "",
        f"One machine like this one stays practical up to about **{count(min(hour, memory_limit))} areas**: "
        f"the build reaches an hour at about {count(hour)} areas and 80 % of its {memory_total / 1024:,.0f} GiB "
        f"at about {count(memory_limit)}. The SQL spills to disk past DuckDB's `memory_limit`; the Python models "
        "(model selection, map, report) hold the chosen set's feature matrix and the map's rows in memory, "
        "and the map itself stops being useful to a browser well before that (`map_venue_limit`).",
        "",
        "Past one machine, the same dbt project runs elsewhere through its adapter:",
        "",
        "- **A shared DuckDB service (MotherDuck, through dbt-duckdb).** `path: md:<database>` in "
        "`profiles.yml` and a token from the environment (`motherduck_token`); the SQL models run unchanged "
        "(DuckDB SQL, the spatial extension is available there). The Python models "
        "(`cluster_model_selection`, `segmentation_outputs`) still run in the dbt process, "
        "reading their inputs over the network: the feature matrix is areas × groups (10 columns), small "
        "enough to pull; the map and report write local files. The raw JSON staging "
        "(`json_transform`) and the `PIVOT` are DuckDB's and run as they are.",
        "- **A Spark-class engine (dbt-spark / dbt-databricks).** What changes: the staging models' "
        "`json_transform(...)` with struct types becomes `from_json(col, schema)` and `explode` in place of "
        "`unnest` / `flatten` / `list_transform` / `list_filter` (lambda syntax differs); the dynamic `PIVOT "
        "... on column_name` of `area_category_frequencies` becomes Spark's `PIVOT` with an explicit value "
        "list (read first from `area_category_counts`, as the column comments already are) — or the wide "
        "table is dropped and users read the long `area_category_counts`; the spatial models "
        "(`ST_Contains`, `ST_Transform`, `ST_Area_Spheroid`) need Apache Sedona or Databricks' H3/ST "
        "functions; DuckDB-only syntax (`columns(...)`, `exclude`, `group by all` where unsupported, "
        "`qualify` on older Spark) is rewritten; the publish macro (rename each mart and repoint "
        "the views in main, in one transaction) becomes a view swap over Delta tables. The Python "
        "models become dbt Python models on Spark (PySpark DataFrames): k-means from Spark MLlib "
        "(`pyspark.ml.clustering.KMeans`) for the fit at scale, with the diagnostics (silhouette, stability) "
        "on the fixed sample already used above `stability_sample_size`, collected to the driver; the map "
        "and report are written by a separate step from the marts, since Spark Python models cannot "
        "write local files.",
        "",
    ]
    return lines


def draw(results: list[SizeResult], path: Path) -> None:
    rows = [result.venue_rows for result in results]
    series = {
        "project: the notebook's work (one dbt run)": [r.combined.wall_seconds for r in results],
        "project: whole dbt build": [r.build.wall_seconds for r in results],
        "seed notebook (pandas)": [sum(r.peers["seed"][0][k] for k in PEER_STAGES) for r in results],
        "vectorised pandas": [sum(r.peers["vectorised"][0][k] for k in PEER_STAGES) for r in results],
        "project from raw JSON (landing + one dbt run)": [project_from_json(r) for r in results],
        "vectorised pandas from raw JSON": [pandas_from_json(r) for r in results],
    }
    panel = plots.line(
        {label: list(zip(rows, values, strict=True)) for label, values in series.items()},
        title="wall seconds against venue rows (log scales)", x_label="venue rows", y_label="wall seconds",
        log_x=True, log_y=True,
    )  # fmt: skip
    figure = plots.figure([panel], columns=1, title="One-hot, top 10 and KMeans (k=5) against input size")
    path.write_text(figure, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--sizes", default="103,5000,50000", help="numbers of areas (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="where the warehouses go (default: a temporary folder)")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--spatial", default=f"{SPATIAL['areas']},{SPATIAL['places']}",
                        help="polygon areas,places for the spatial join (default: %(default)s)")  # fmt: skip
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="segmentation-bench-"))
    results = [bench_size(int(size), args.repeats, workdir) for size in args.sizes.split(",")]
    spatial_areas, spatial_places = (int(value) for value in args.spatial.split(","))
    print(f"spatial: {spatial_places:,} places into {spatial_areas:,} polygons", flush=True)
    spatial_result = run_spatial(workdir / "spatial", spatial_areas, spatial_places, args.repeats)
    print("overture: a city's extract from a release on a local S3 server", flush=True)
    overture = run_overture(workdir / "overture")
    print("live fetch", flush=True)
    live = run_live_fetch(SNAPSHOT)
    plot = args.output.with_suffix(".svg")
    draw(results, plot)
    text = report(results, live, spatial_result, overture, plot)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
