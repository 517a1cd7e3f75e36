"""What the commands share: the option groups several of them take, the live-only options (refused
with --snapshot), and opening the warehouse, the HTTP session and the retry policy of a run."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import requests

from ingest.errors import IngestError
from ingest.http import RetryPolicy, make_session
from ingest.raw_store import LoadResult
from ingest.settings import TIMEOUT_ENVIRONMENT, environment_number
from ingest.snapshot import Recorder
from ingest.sources import Input
from ingest.warehouse import connect, database_path, in_use_error
from ingest.wikipedia.parse import DEFAULT_MIN_POSTAL_CODES

log = logging.getLogger("ingest")


@dataclasses.dataclass
class Options:
    """The option groups (argparse parents) and the live-only options declared so far (dest -> flag)."""

    common: argparse.ArgumentParser
    database: argparse.ArgumentParser
    landing: argparse.ArgumentParser
    parsing: argparse.ArgumentParser
    live_options: dict[str, str]

    def live(self, parser: argparse.ArgumentParser, *flags: str, **options: Any) -> None:
        """An option only a live fetch reads: --snapshot, which fetches nothing, refuses it."""
        self.live_options[parser.add_argument(*flags, **options).dest] = flags[0]


def options() -> Options:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--database",
        help="DuckDB file to land into (default: env DBT_DUCKDB_PATH, else ./warehouse.duckdb)",
    )
    parsing = argparse.ArgumentParser(add_help=False)
    parsing.add_argument(
        "--min-postal-codes",
        type=int,
        default=DEFAULT_MIN_POSTAL_CODES,
        metavar="N",
        help="refuse a page listing fewer distinct postal codes (default: %(default)s)",
    )
    landing = argparse.ArgumentParser(add_help=False, parents=[common, database])
    made = Options(common, database, landing, parsing, {})
    landing.add_argument(
        "--snapshot",
        type=Path,
        metavar="DIR",
        help="replay a recorded snapshot folder (with manifest.json) instead of fetching live",
    )
    made.live(
        landing,
        "--record",
        type=Path,
        metavar="DIR",
        help="live runs: also write what was fetched into DIR in the snapshot layout",
    )
    made.live(
        landing,
        "--timeout",
        type=positive_float,
        metavar="SECONDS",
        help=f"live runs: how long to wait for an answer (default 60; env {TIMEOUT_ENVIRONMENT})",
    )
    return made


def refuse_live_options_with_snapshot(args: argparse.Namespace) -> None:
    if not args.snapshot:
        return
    given = sorted(flag for name, flag in args.live_options.items() if getattr(args, name) is not None)
    if given:
        raise IngestError(
            f"{', '.join(given)} only apply to a live fetch; with --snapshot nothing is fetched (the snapshot "
            "is already a recording, replayed as it is). Drop them, or drop --snapshot to fetch live."
        )


def connect_to_warehouse(args: argparse.Namespace) -> duckdb.DuckDBPyConnection:
    path = database_path(args.database)
    try:
        return connect(path)
    except duckdb.Error as error:
        raise in_use_error(path, error) from error


def session() -> requests.Session:
    return make_session()


def policy(args: argparse.Namespace) -> RetryPolicy:
    return RetryPolicy().with_read_timeout(args.timeout or environment_number(TIMEOUT_ENVIRONMENT))


def recorder(args: argparse.Namespace) -> Recorder | None:
    return Recorder(args.record) if args.record else None


def report(what: str, source: Input, result: LoadResult) -> None:
    if result.reused:
        log.info("%s: %s is unchanged since load %s; nothing new landed", what, source.source, result.load_id)
    else:
        log.info("%s: landed %d rows from %s as load %s", what, result.rows, source.source, result.load_id)


def duration(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 30m, 12h or 7d")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
    return timedelta(**{unit: float(match.group(1))})


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
    return value
