"""`python -m ingest ...`: land raw inputs in DuckDB, from a recorded snapshot or live."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import logging
import re
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import duckdb

from ingest.boundaries import boundaries_from_snapshot, land_boundaries
from ingest.coordinates import read_coordinates
from ingest.errors import IngestError, VenueFetchFailed, WikipediaPageError
from ingest.http import make_session
from ingest.points import PointFields, land_points
from ingest.snapshot import Recorder, Snapshot
from ingest.sources import (
    COORDINATE_PROVIDERS,
    COORDINATE_SOURCES,
    WIKIPEDIA_URL,
    CoordinateSource,
    Input,
    coordinates_from_snapshot,
    coordinates_from_web,
    page_from_snapshot,
    page_from_web,
)
from ingest.venue_fetch import fetch_venues, replay_venues
from ingest.venue_providers import VenueQuery, make_provider
from ingest.warehouse import (
    LoadResult,
    connect,
    database_path,
    land_coordinates,
    land_rejected_page,
    land_wikipedia_page,
    postal_code_centres,
)
from ingest.wikipedia import DEFAULT_MIN_POSTAL_CODES, parse_page

log = logging.getLogger("ingest")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        args.handler(args)
    except IngestError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    return 0


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="log more detail")

    landing = argparse.ArgumentParser(add_help=False, parents=[common])
    landing.add_argument(
        "--database",
        help="DuckDB file to land into (default: env DBT_DUCKDB_PATH, else ./warehouse.duckdb)",
    )
    landing.add_argument(
        "--snapshot",
        type=Path,
        metavar="DIR",
        help="replay a recorded snapshot folder (with manifest.json) instead of fetching live",
    )
    landing.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="live runs: also write what was fetched into DIR in the snapshot layout",
    )

    parsing = argparse.ArgumentParser(add_help=False)
    parsing.add_argument(
        "--min-postal-codes",
        type=int,
        default=DEFAULT_MIN_POSTAL_CODES,
        metavar="N",
        help="refuse a page listing fewer distinct postal codes (default: %(default)s)",
    )

    page_options = argparse.ArgumentParser(add_help=False, parents=[parsing])
    page_options.add_argument("--url", default=WIKIPEDIA_URL, help="live page URL (default: %(default)s)")

    coordinate_options = argparse.ArgumentParser(add_help=False)
    coordinate_options.add_argument(
        "--provider",
        action="append",
        choices=COORDINATE_PROVIDERS,
        dest="providers",
        help="live coordinates source, tried in the order given (default: course_csv, then geonames)",
    )
    for provider, source in COORDINATE_SOURCES.items():
        coordinate_options.add_argument(
            f"--{provider.replace('_', '-')}-url",
            default=source.url,
            metavar="URL",
            help=f"where to download the {provider} file (default: %(default)s)",
        )

    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    command = commands.add_parser(
        "postal-codes",
        parents=[landing, page_options],
        help="land the Wikipedia list of postal codes (raw.wikipedia_pages, raw.wikipedia_postal_code_rows)",
    )
    command.set_defaults(handler=_run_postal_codes)

    command = commands.add_parser(
        "coordinates",
        parents=[landing, coordinate_options],
        help="land postal-code centroids (raw.coordinate_files, raw.coordinates)",
    )
    command.set_defaults(handler=_run_coordinates)

    command = commands.add_parser(
        "all", parents=[landing, page_options, coordinate_options], help="postal-codes, then coordinates"
    )
    command.set_defaults(handler=_run_all)

    venue_options = argparse.ArgumentParser(add_help=False)
    venue_options.add_argument(
        "--provider",
        dest="venue_provider",
        default="auto",
        choices=("auto", "foursquare", "overpass"),
        help="live venue source (default auto: foursquare when FOURSQUARE_API_KEY is set, else overpass)",
    )
    venue_options.add_argument(
        "--radius", type=int, default=500, metavar="M", help="metres around each centre (default 500)"
    )
    venue_options.add_argument(
        "--limit", type=int, default=100, metavar="N", help="venues per area at most (default 100)"
    )
    venue_options.add_argument("--refresh", action="store_true", help="re-fetch every area, fresh or not")
    venue_options.add_argument(
        "--max-age",
        type=_duration,
        metavar="AGE",
        help="re-fetch areas fetched longer ago than AGE (e.g. 7d, 12h)",
    )
    venue_options.add_argument(
        "--concurrency", type=int, metavar="N", help="requests in flight (foursquare: 16)"
    )
    venue_options.add_argument(
        "--rate", type=float, metavar="PER_SECOND", help="request starts per second at most"
    )
    venue_options.add_argument(
        "--endpoint", metavar="URL", help="the provider's endpoint (a mirror, a local server)"
    )
    venue_options.add_argument("--no-progress", action="store_true", help="no progress bar")

    command = commands.add_parser(
        "venues",
        parents=[landing, venue_options],
        help="land venue responses for every area of the postal_codes table (raw.venue_responses)",
    )
    command.set_defaults(handler=_run_venues)

    command = commands.add_parser(
        "boundaries",
        parents=[landing],
        help="land area polygons for the map: a GeoJSON FeatureCollection (raw.boundary_features)",
    )
    command.add_argument(
        "file", type=Path, nargs="?", metavar="FILE", help="GeoJSON file (or use --snapshot)"
    )
    command.add_argument(
        "--key-property",
        default="CFSAUID",
        help="feature property holding the postal code (default: %(default)s)",
    )
    command.set_defaults(handler=_run_boundaries)

    command = commands.add_parser(
        "points",
        parents=[common],
        help="land a bulk file of places (GeoJSON points, CSV, Parquet) for the points provider",
    )
    command.add_argument("files", type=Path, nargs="+", metavar="FILE")
    command.add_argument(
        "--database", help="DuckDB file (default: env DBT_DUCKDB_PATH, else ./warehouse.duckdb)"
    )
    for name in ("id", "name", "category", "latitude", "longitude"):
        default = name if name in ("name", "category") else None
        command.add_argument(
            f"--{name}-field",
            default=default,
            metavar="FIELD",
            help=f"property or column holding the {name} (default: {default or 'guessed'})",
        )
    command.set_defaults(handler=_run_points)

    command = commands.add_parser(
        "parse-wikipedia",
        parents=[common, parsing],
        help="print the rows a saved page would land, as CSV (a debugging aid for layout changes)",
    )
    command.add_argument("file", type=Path, metavar="FILE")
    command.set_defaults(handler=_run_parse_wikipedia)
    return parser


def _run_all(args: argparse.Namespace) -> None:
    _run_postal_codes(args)
    _run_coordinates(args)
    if args.snapshot is None:
        log.info(
            "venues: fetch them live once the postal_codes table is built: `dbt build`, then `python -m ingest venues`"
        )
        return
    manifest = Snapshot(args.snapshot).manifest
    if "venues" in manifest:
        _run_venues(args)
    else:
        log.info("venues: the snapshot records none")
    if "boundaries" in manifest:
        _run_boundaries(args)


def _run_venues(args: argparse.Namespace) -> None:
    with _connect(args) as connection:
        if args.snapshot:
            summary = replay_venues(connection, Snapshot(args.snapshot))
        else:
            provider = make_provider(
                args.venue_provider,
                endpoint=args.endpoint,
                concurrency=args.concurrency,
                requests_per_second=args.rate,
            )
            summary = fetch_venues(
                connection,
                provider,
                postal_code_centres(connection),
                VenueQuery(radius_m=args.radius, limit=args.limit),
                session=make_session(),
                refresh=args.refresh,
                max_age=args.max_age,
                recorder=_recorder(args),
                progress=not args.no_progress,
            )
    if summary.failed or summary.stopped:
        raise VenueFetchFailed(summary.describe())
    log.info("%s", summary.describe())


def _run_boundaries(args: argparse.Namespace) -> None:
    if args.snapshot:
        source, content, key_property = boundaries_from_snapshot(Snapshot(args.snapshot))
    else:
        source, key_property = str(args.file), args.key_property
        if not args.file or not args.file.is_file():
            raise IngestError("give a boundary GeoJSON file, or --snapshot DIR with a boundaries section")
        content = args.file.read_bytes()
    with _connect(args) as connection:
        result = land_boundaries(connection, source=source, content=content, key_property=key_property)
    if result.reused:
        log.info("boundaries: %s is unchanged since load %s; nothing new landed", source, result.load_id)
    else:
        log.info("boundaries: landed %d features from %s as load %s", result.rows, source, result.load_id)


def _run_points(args: argparse.Namespace) -> None:
    fields = PointFields(
        id=args.id_field,
        name=args.name_field,
        category=args.category_field,
        latitude=args.latitude_field,
        longitude=args.longitude_field,
    )
    with _connect(args) as connection:
        result = land_points(connection, args.files, fields)
    log.info(
        "points: landed %d places from %d files as load %s", result.rows, len(args.files), result.load_id
    )


def _duration(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 30m, 12h or 7d")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
    return timedelta(**{unit: float(match.group(1))})


def _run_postal_codes(args: argparse.Namespace) -> None:
    page = (
        page_from_snapshot(Snapshot(args.snapshot))
        if args.snapshot
        else page_from_web(make_session(), args.url)
    )
    with _connect(args) as connection:
        result = land_postal_codes(connection, page, min_postal_codes=args.min_postal_codes)
    page.record(_recorder(args))
    _report("postal codes", page, result)


def _run_coordinates(args: argparse.Namespace) -> None:
    coordinates = (
        coordinates_from_snapshot(Snapshot(args.snapshot))
        if args.snapshot
        else coordinates_from_web(make_session(), _coordinate_sources(args))
    )
    rows = read_coordinates(coordinates.content, coordinates.format, coordinates.columns)
    coordinates.record(_recorder(args))
    with _connect(args) as connection:
        result = land_coordinates(
            connection,
            provider=coordinates.provider,
            file_format=coordinates.format,
            source=coordinates.source,
            content=coordinates.content,
            columns=coordinates.columns,
            rows=rows,
        )
    _report("coordinates", coordinates, result)


def land_postal_codes(
    connection: duckdb.DuckDBPyConnection, page: Input, *, min_postal_codes: int
) -> LoadResult:
    """Parse and land a page; a refused page is kept in raw.wikipedia_rejected_pages."""
    try:
        parsed = parse_page(page.content, min_postal_codes=min_postal_codes)
    except WikipediaPageError as error:
        load_id = land_rejected_page(connection, source=page.source, content=page.content, error=str(error))
        raise type(error)(
            f"{error} (nothing was landed; the page is kept in raw.wikipedia_rejected_pages, "
            f"load_id {load_id})"
        ) from error
    log.info(
        "postal codes: %s layout, revision %s, %d rows, %d postal codes",
        parsed.layout,
        parsed.revision_id or "unknown",
        len(parsed.rows),
        len(parsed.postal_codes),
    )
    return land_wikipedia_page(connection, source=page.source, content=page.content, page=parsed)


def _run_parse_wikipedia(args: argparse.Namespace) -> None:
    if not args.file.is_file():
        raise IngestError(f"{args.file} is not a file")
    page = parse_page(args.file.read_bytes(), min_postal_codes=args.min_postal_codes)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["postal_code", "borough", "neighbourhood", "layout"])
    for row in page.rows:
        writer.writerow([row.postal_code, row.borough, row.neighbourhood, page.layout])


def _coordinate_sources(args: argparse.Namespace) -> list[CoordinateSource]:
    """The live sources to try, in order, with any URL the user overrode."""
    return [
        dataclasses.replace(COORDINATE_SOURCES[provider], url=getattr(args, f"{provider}_url"))
        for provider in args.providers or COORDINATE_PROVIDERS
    ]


def _recorder(args: argparse.Namespace) -> Recorder | None:
    return Recorder(args.record) if args.record else None


def _connect(args: argparse.Namespace) -> duckdb.DuckDBPyConnection:
    path = database_path(args.database)
    try:
        return connect(path)
    except duckdb.IOException as error:
        raise IngestError(
            f"cannot open the DuckDB file {path}: {error}. Is another process (dbt, a SQL shell) "
            "holding it open?"
        ) from error


def _report(what: str, source: Input, result: LoadResult) -> None:
    if result.reused:
        log.info("%s: %s is unchanged since load %s; nothing new landed", what, source.source, result.load_id)
    else:
        log.info("%s: landed %d rows from %s as load %s", what, result.rows, source.source, result.load_id)
