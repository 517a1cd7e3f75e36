"""The peers, on the same venue rows as the project: the seed notebook's pandas approach, and a
vectorised pandas version a competent user would write instead — from the rows already in a
DataFrame (Parquet), or from the same raw JSON responses the project lands (`vectorised-json`:
reading and parsing them counted). Each stage is timed inside the
process; the caller measures the process's peak memory.

    python -m benchmarks.peers seed|vectorised --venues venues.parquet
    python -m benchmarks.peers vectorised-json --responses responses.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

TOP = 10
K = 5


def seed_approach(venues: pd.DataFrame) -> dict[str, float]:
    """The notebook's code: get_dummies, groupby-mean, a per-row sort for the top 10, KMeans k=5.
    (It grouped by neighbourhood name; here by area, so that both sides keep every area.)"""
    timings = {}
    started = time.perf_counter()
    onehot = pd.get_dummies(venues[["Venue Category"]], prefix="", prefix_sep="")
    onehot["Neighborhood"] = venues["Neighborhood"]
    fixed_columns = [onehot.columns[-1], *list(onehot.columns[:-1])]
    onehot = onehot[fixed_columns]
    grouped = onehot.groupby("Neighborhood").mean().reset_index()
    timings["one-hot and group"] = time.perf_counter() - started

    started = time.perf_counter()

    def return_most_common_venues(row: pd.Series, num_top_venues: int) -> np.ndarray:
        row_categories = row.iloc[1:]
        row_categories_sorted = row_categories.sort_values(ascending=False)
        return row_categories_sorted.index.values[0:num_top_venues]

    indicators = ["st", "nd", "rd"]
    columns = ["Neighborhood"]
    for ind in np.arange(TOP):
        try:
            columns.append(f"{ind + 1}{indicators[ind]} Most Common Venue")
        except IndexError:
            columns.append(f"{ind + 1}th Most Common Venue")
    sorted_venues = pd.DataFrame(columns=columns)
    sorted_venues["Neighborhood"] = grouped["Neighborhood"]
    for ind in np.arange(grouped.shape[0]):
        sorted_venues.iloc[ind, 1:] = return_most_common_venues(grouped.iloc[ind, :], TOP)
    timings["top 10"] = time.perf_counter() - started

    started = time.perf_counter()
    clustering = grouped.drop("Neighborhood", axis=1)
    KMeans(n_clusters=K, random_state=0).fit(clustering)
    timings["clustering"] = time.perf_counter() - started
    return timings


def vectorised(venues: pd.DataFrame) -> dict[str, float]:
    """Counts by crosstab-style grouping, shares by division, the top 10 by one argsort over the
    matrix (ties by category name, zero counts left out), KMeans k=5 with 10 restarts."""
    timings = {}
    started = time.perf_counter()
    counts = venues.groupby(["Neighborhood", "Venue Category"], sort=True).size().unstack(fill_value=0)
    shares = counts.div(counts.sum(axis=1), axis=0)
    timings["one-hot and group"] = time.perf_counter() - started

    started = time.perf_counter()
    values = counts.to_numpy()
    order = np.argsort(-values, axis=1, kind="stable")[:, :TOP]  # columns are sorted: ties go by name
    names = np.asarray(counts.columns)[order]
    names = np.where(np.take_along_axis(values, order, axis=1) > 0, names, None)
    pd.DataFrame(names, index=counts.index, columns=[f"top_{rank}" for rank in range(1, TOP + 1)])
    timings["top 10"] = time.perf_counter() - started

    started = time.perf_counter()
    KMeans(n_clusters=K, random_state=0, n_init=10).fit(shares.to_numpy())
    timings["clustering"] = time.perf_counter() - started
    return timings


def venues_from_json(path: str) -> pd.DataFrame:
    """The venue rows from the raw responses, as the seed notebook's getNearbyVenues built them:
    each response parsed, each item's venue and its primary category."""
    rows = []
    with Path(path).open(encoding="utf-8") as file:
        for line in file:
            response = json.loads(line)
            area, latitude, longitude = response["area_id"], response["latitude"], response["longitude"]
            for group in response["body"]["response"]["groups"]:
                for item in group["items"]:
                    venue = item["venue"]
                    category = next(
                        (c for c in venue["categories"] if c.get("primary")), venue["categories"][0]
                    )
                    rows.append((area, latitude, longitude, venue["name"], venue["location"]["lat"],
                                 venue["location"]["lng"], category["name"]))  # fmt: skip
    return pd.DataFrame(rows, columns=[
        "Neighborhood", "Neighborhood Latitude", "Neighborhood Longitude", "Venue", "Venue Latitude",
        "Venue Longitude", "Venue Category"])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers", description=__doc__)
    parser.add_argument("approach", choices=["seed", "vectorised", "vectorised-json"])
    parser.add_argument("--venues", help="Parquet file of venue rows (benchmarks.generate --venue-rows)")
    parser.add_argument("--responses", help="JSON lines of raw responses (benchmarks.generate --responses)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.approach == "vectorised-json":
        venues = venues_from_json(args.responses)
        name = "load and parse JSON"
    else:
        venues = pd.read_parquet(args.venues)
        name = "load rows"
    loaded = time.perf_counter() - started
    timings = (seed_approach if args.approach == "seed" else vectorised)(venues)
    print(json.dumps({name: loaded, **timings}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
