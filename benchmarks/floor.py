"""The DuckDB-only floor: the notebook's work (the venue JSON parsed → counts per area and
category → shares (the one-hot means) → top 10 → k-means k = 5) as plain SQL on the raw table and
one scikit-learn fit, with no dbt: what the project's own run costs above the engine. Each stage
is timed inside the process; the warehouse is read, never written (its raw table is copied into
memory first, untimed).

    python -m benchmarks.floor --database warehouse.duckdb
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb
from scipy import sparse
from sklearn.cluster import KMeans

K = 5
TOP = 10
PARSE = """
create temporary table venues as
with items as (
    select
        area_id,
        unnest(flatten(list_transform(
            json_transform(response, '{"response": {"groups": [{"items": [{"venue": {
                "id": "VARCHAR", "categories": [{"name": "VARCHAR", "primary": "BOOLEAN"}]}}]}]}}'
            ).response.groups, lambda g: g.items))).venue as venue
    from responses
)
select
    area_id,
    coalesce(list_filter(venue.categories, lambda c: c.primary)[1], venue.categories[1]).name as category
from items
"""
COUNTS = """
create temporary table counts as
select area_id, category, count(*) as venue_count,
    count(*) / sum(count(*)) over (partition by area_id) as share
from venues group by area_id, category
"""
TOP_10 = f"""
select area_id, category, rank
from (
    select area_id, category,
        row_number() over (partition by area_id order by venue_count desc, category) as rank
    from counts
)
where rank <= {TOP}
"""


def run(database: Path) -> dict[str, float]:
    connection = duckdb.connect()
    connection.execute(f"attach '{database}' as warehouse (read_only)")
    connection.execute(
        "create temporary table responses as select area_id, response from warehouse.raw.venue_responses"
    )
    timings = {}
    started = time.perf_counter()
    connection.execute(PARSE)
    timings["parse JSON"] = time.perf_counter() - started
    started = time.perf_counter()
    connection.execute(COUNTS)
    rows, columns, shares = (
        connection.execute(
            "select dense_rank() over (order by area_id) - 1, dense_rank() over (order by category) - 1, share "
            "from counts"
        )
        .fetchnumpy()
        .values()
    )
    matrix = sparse.csr_matrix((shares, (rows, columns)))
    timings["counts and shares (sparse one-hot means)"] = time.perf_counter() - started
    started = time.perf_counter()
    connection.execute(TOP_10).fetchnumpy()
    timings["top 10"] = time.perf_counter() - started
    started = time.perf_counter()
    KMeans(n_clusters=K, random_state=0, n_init=10).fit(matrix)
    timings["k-means k = 5"] = time.perf_counter() - started
    return {
        **timings,
        "total": sum(timings.values()),
        "areas": matrix.shape[0],
        "categories": matrix.shape[1],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor", description=__doc__)
    parser.add_argument("--database", type=Path, required=True)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.database)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
