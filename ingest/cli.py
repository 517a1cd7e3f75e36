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
from typing import Any

import duckdb
import requests

from ingest import h3_grid, made_areas, overture
from ingest.areas import FORMATS as AREA_FORMATS
from ingest.areas import AreaOptions, land_areas
from ingest.boundaries import boundaries_from_snapshot, land_boundaries
from ingest.coordinates import read_coordinates
from ingest.coordinates_store import land_coordinates
from ingest.divisions import LEVELS
from ingest.errors import (
    CoordinatesFormatError,
    IngestError,
    Interrupted,
    VenueFetchFailed,
)
from ingest.http import RetryPolicy, make_session
from ingest.points import PointFields, land_points
from ingest.raw_store import LoadResult
from ingest.settings import (
    RATE_ENVIRONMENT,
    TIMEOUT_ENVIRONMENT,
    environment_number,
    live_url,
    project_settings,
)
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
from ingest.taxonomy import KINDS as TAXONOMY_KINDS
from ingest.taxonomy import land_taxonomy
from ingest.taxonomy import write_seed as write_taxonomy_seed
from ingest.venue_fetch import DEFAULT_MAX_CONSECUTIVE_TIMEOUTS, fetch_venues, is_interrupt, replay_venues
from ingest.venue_providers import LIVE as LIVE_VENUE_PROVIDERS
from ingest.venue_providers import VenueQuery, make_provider
from ingest.warehouse import areas_to_fetch, connect, database_path, in_use_error, known_area_sets
from ingest.wikipedia import DEFAULT_MIN_POSTAL_CODES, parse_page
from ingest.wikipedia_store import land_postal_codes, postal_area_set

log = logging.getLogger("ingest")

EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
        stream=sys.stderr,
    )
    try:
        if args.record and not args.snapshot:
            Recorder(args.record).check()  # before anything is fetched
        args.handler(args)
    except Interrupted as interrupted:
        print(f"{interrupted}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (KeyboardInterrupt, duckdb.Error, RuntimeError) as error:
        if not is_interrupt(error):
            raise
        print("interrupted (Ctrl-C); what had landed before is kept", file=sys.stderr)
        return EXIT_INTERRUPTED
    except IngestError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    return 0


def _parser() -> argparse.ArgumentParser:
    # The options only a live fetch reads (dest -> flag), declared with `live`: refused with --snapshot,
    # which fetches nothing (a snapshot replays its recorded answers as they are).
    live_options: dict[str, str] = {}

    def live(parser: argparse.ArgumentParser, *flags: str, **options: Any) -> None:
        live_options[parser.add_argument(*flags, **options).dest] = flags[0]

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="log more detail")

    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--database",
        help="DuckDB file to land into (default: env DBT_DUCKDB_PATH, else ./warehouse.duckdb)",
    )

    landing = argparse.ArgumentParser(add_help=False, parents=[common, database])
    landing.add_argument(
        "--snapshot",
        type=Path,
        metavar="DIR",
        help="replay a recorded snapshot folder (with manifest.json) instead of fetching live",
    )
    live(
        landing,
        "--record",
        type=Path,
        metavar="DIR",
        help="live runs: also write what was fetched into DIR in the snapshot layout",
    )
    live(
        landing,
        "--timeout",
        type=_positive_float,
        metavar="SECONDS",
        help=f"live runs: how long to wait for an answer (default 60; env {TIMEOUT_ENVIRONMENT})",
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
    live(
        page_options,
        "--url",
        help=f"live page URL, any letter's list (default: env INGEST_WIKIPEDIA_URL, else {WIKIPEDIA_URL})",
    )
    page_options.add_argument(
        "--area-set",
        dest="postal_area_set",
        metavar="NAME",
        help="name of the page's area set (default: by its postal codes' first letter, e.g. M: toronto_fsa, "
        "H: montreal_fsa; seeds/canadian_postal_regions.csv)",
    )

    coordinate_options = argparse.ArgumentParser(add_help=False)
    live(
        coordinate_options,
        "--provider",
        action="append",
        choices=COORDINATE_PROVIDERS,
        dest="providers",
        help="live coordinates source, tried in the order given (default: course_csv, then geonames)",
    )
    for provider, source in COORDINATE_SOURCES.items():
        live(
            coordinate_options,
            f"--{provider.replace('_', '-')}-url",
            metavar="URL",
            help=f"where to download the {provider} file (default: env {source.url_environment}, else {source.url})",
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
        "all",
        parents=[landing, page_options, coordinate_options],
        help="postal-codes, then coordinates (with --snapshot: also its venues and boundaries)",
    )
    command.set_defaults(handler=_run_all)

    defaults = project_settings()
    venue_options = argparse.ArgumentParser(add_help=False)
    live(
        venue_options,
        "--provider",
        dest="venue_provider",
        choices=("auto", *LIVE_VENUE_PROVIDERS, overture.PROVIDER),
        help="live venue source (default auto: foursquare when FOURSQUARE_API_KEY is set, else overpass); "
        "overture: every place of Overture Maps' public release in the set's extent (no key)",
    )
    live(
        venue_options,
        "--release",
        metavar="RELEASE",
        help="overture: latest (default, from the STAC catalog; env INGEST_OVERTURE_STAC_URL) or YYYY-MM-DD.N "
        "(env INGEST_OVERTURE_S3_ENDPOINT=host:port reads from an S3-compatible mirror)",
    )
    live(
        venue_options,
        "--min-confidence",
        type=float,
        metavar="C",
        help=f"overture: places below this confidence are kept flagged, not used (default "
        f"{overture.DEFAULT_MIN_CONFIDENCE})",
    )
    live(
        venue_options,
        "--bbox",
        metavar="W,S,E,N",
        help="overture: this extent instead of the area set's, in degrees (write --bbox=W,S,E,N when W is negative)",
    )
    live(
        venue_options,
        "--radius",
        type=int,
        metavar="M",
        help=f"metres around each centre (default {defaults.venue_radius_m})",
    )
    live(
        venue_options,
        "--limit",
        type=int,
        metavar="N",
        help=f"venues per area at most (default {defaults.venue_limit})",
    )
    live(
        venue_options,
        "--refresh",
        action="store_true",
        default=None,
        help="re-fetch every area, fresh or not",
    )
    live(
        venue_options,
        "--max-age",
        type=_duration,
        metavar="AGE",
        help="re-fetch areas fetched longer ago than AGE (e.g. 7d, 12h)",
    )
    live(venue_options, "--concurrency", type=int, metavar="N", help="requests in flight (foursquare: 16)")
    live(
        venue_options,
        "--rate",
        type=_positive_float,
        metavar="PER_SECOND",
        help=f"request starts per second at most (env {RATE_ENVIRONMENT}; foursquare 50, overpass 0.5)",
    )
    live(
        venue_options,
        "--endpoint",
        metavar="URL",
        help="the provider's endpoint, a mirror or a local server "
        "(default: env INGEST_FOURSQUARE_ENDPOINT / INGEST_OVERPASS_ENDPOINT, else the public one)",
    )
    live(
        venue_options,
        "--max-timeouts",
        type=int,
        metavar="N",
        help=f"give up on the provider after N areas in a row time out (default {DEFAULT_MAX_CONSECUTIVE_TIMEOUTS})",
    )
    venue_options.add_argument("--no-progress", action="store_true", help="no progress bar")
    live(
        venue_options,
        "--area-set",
        metavar="NAME",
        help="the area set to fetch venues for (default: the postal set of the latest page). A polygon "
        "area is fetched as the circle that covers it; the models keep what falls inside",
    )

    command = commands.add_parser(
        "venues",
        parents=[landing, venue_options],
        help="land venue responses for every area of a set (area_search_circles) in raw.venue_responses",
    )
    command.set_defaults(handler=_run_venues)

    command = commands.add_parser(
        "areas",
        parents=[landing],
        help="land an area set: a file of areas (GeoJSON, GeoPackage, Shapefile, GeoParquet), an H3 grid, or "
        "Overture's divisions",
        description="Land an area set: any file of areas DuckDB's spatial extension reads (polygons, in which "
        "venues are counted, or points, around which they are; reprojected to WGS84 from the CRS the file "
        "declares, or --crs); or the H3 cells over a box or a division (--grid); or the polygons of Overture's "
        "divisions under a named one (--division). Grids and divisions record (--record) and replay "
        "(--snapshot) like places.",
    )
    command.add_argument(
        "file", type=Path, nargs="?", metavar="FILE", help=f"one of {', '.join(sorted(AREA_FORMATS))}"
    )
    command.add_argument("--area-set", metavar="NAME", help="the set's name, e.g. nyc_nta")
    command.add_argument(
        "--id-field",
        metavar="F",
        help="the field holding each area's id, unique in the set (default: the feature's own id, else its position)",
    )
    command.add_argument("--name-field", metavar="F", help="the field holding each area's name")
    command.add_argument("--parent-field", metavar="F", help="the field holding the borough or district")
    command.add_argument(
        "--crs",
        metavar="EPSG:N",
        help="the CRS of the file's coordinates, when it declares none (or declares it wrongly)",
    )
    command.add_argument(
        "--grid",
        metavar="h3:RES",
        help=f"the H3 cells (RES {h3_grid.RESOLUTIONS[0]} to {h3_grid.RESOLUTIONS[-1]}) overlapping --bbox or a "
        f"division (--within-division / --division-id), at most {h3_grid.MAX_CELLS:,}",
    )
    command.add_argument(
        "--bbox",
        metavar="W,S,E,N",
        help="with --grid: the box, in degrees (write --bbox=W,S,E,N when W is negative)",
    )
    command.add_argument(
        "--within-division",
        metavar="NAME",
        help="with --grid: the division (by its name) whose land it covers",
    )
    command.add_argument(
        "--division",
        metavar="NAME",
        help="Overture's divisions at --level under the division of this name (names.primary)",
    )
    command.add_argument(
        "--division-id", metavar="ID", help="the division by its Overture id (when its name is ambiguous)"
    )
    command.add_argument(
        "--country", metavar="CC", help="the division's country (ISO 3166-1 alpha-2, e.g. CA)"
    )
    command.add_argument(
        "--level",
        choices=LEVELS,
        help="the divisions' subtype to make areas of (default: the finest that has polygons)",
    )
    command.add_argument(
        "--release",
        metavar="RELEASE",
        help="divisions: latest (default, from the STAC catalog; env INGEST_OVERTURE_STAC_URL) or YYYY-MM-DD.N",
    )
    command.set_defaults(handler=_run_areas)

    command = commands.add_parser(
        "boundaries",
        parents=[common, database],
        help="land area polygons for the map: a GeoJSON FeatureCollection (raw.boundary_features)",
    )
    command.add_argument(
        "file", type=Path, nargs="?", metavar="FILE", help="GeoJSON file (or use --snapshot)"
    )
    command.add_argument("--snapshot", type=Path, metavar="DIR", help="the boundary file of a snapshot")
    command.add_argument(
        "--key-property",
        default="CFSAUID",
        help="feature property holding the postal code (default: %(default)s)",
    )
    command.set_defaults(handler=_run_boundaries)

    command = commands.add_parser(
        "points",
        parents=[common, database],
        help="land bulk files of places (GeoJSON points, CSV, Parquet) for the points provider",
    )
    command.add_argument("files", type=Path, nargs="+", metavar="FILE")
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
        "taxonomy",
        parents=[common, database],
        help="land category hierarchies (Foursquare v2, Foursquare OS Places, openpoiservice's OSM groups, "
        "Overture's places taxonomy)",
        description="Land category hierarchies, so that categories roll up to groups (dbt var feature_level). "
        "The project ships Foursquare OS Places', openpoiservice's and Overture's as the seed category_taxonomies; "
        "a landed file of a kind replaces the seed's.",
    )
    command.add_argument("files", type=Path, nargs="+", metavar="FILE")
    command.add_argument(
        "--kind", choices=TAXONOMY_KINDS, help="the file's kind (default: recognised by its content)"
    )
    command.add_argument(
        "--write-seed",
        type=Path,
        metavar="CSV",
        help="write the files' categories to this seed CSV (seeds/category_taxonomies.csv) instead of landing them",
    )
    command.set_defaults(handler=_run_taxonomy)

    command = commands.add_parser(
        "check-warehouse",
        parents=[common, database],
        help="say in one line whether another process holds the warehouse (and make its raw tables if need be)",
    )
    command.set_defaults(handler=_run_check_warehouse)

    command = commands.add_parser(
        "parse-wikipedia",
        parents=[common, parsing],
        help="print the rows a saved page would land, as CSV (a debugging aid for layout changes)",
    )
    command.add_argument("file", type=Path, metavar="FILE")
    command.set_defaults(handler=_run_parse_wikipedia)
    # What a command leaves out reads as not given (`all` runs other commands' handlers), so handlers
    # read every option as an attribute.
    shared = {"snapshot": None, "file": None, "postal_area_set": None, **dict.fromkeys(live_options)}
    parser.set_defaults(live_options=live_options, **shared)
    return parser


def _run_all(args: argparse.Namespace) -> None:
    """The page and the coordinates (one HTTP session for a live run); from a snapshot also its
    area sets, venues and boundaries."""
    _refuse_live_options_with_snapshot(args)
    session = None if args.snapshot else make_session()
    manifest = Snapshot(args.snapshot).manifest if args.snapshot else {}
    if not args.snapshot or "postal_codes" in manifest:  # a recorded city has areas, not a page
        _run_postal_codes(args, session)
        _run_coordinates(args, session)
    if args.snapshot is None:
        log.info(
            "venues: fetch them live once the areas are built: `dbt build --select +area_search_circles`, "
            "then `python -m ingest venues`"
        )
        return
    if made_areas.SECTION in manifest:
        with _connect(args) as connection:
            made_areas.replay(connection, Snapshot(args.snapshot), lambda line: log.info("%s", line))
    if "venues" in manifest or overture.SECTION in manifest:
        _run_venues(args)
    else:
        log.info("venues: the snapshot records none")
    if "boundaries" in manifest:
        _run_boundaries(args)


def _run_venues(args: argparse.Namespace) -> None:
    _refuse_live_options_with_snapshot(args)
    if not args.snapshot and args.venue_provider == overture.PROVIDER:
        _run_overture(args)
        return
    with _connect(args) as connection:
        if args.snapshot:
            snapshot = Snapshot(args.snapshot)
            if overture.SECTION in snapshot.manifest:
                for load in overture.replay_extracts(connection, snapshot):
                    log.info("%s", load.describe())
                if not any(name.split(".")[0] == "venues" for name in snapshot.manifest):
                    return
            summaries = replay_venues(connection, snapshot, postal_area_set(connection))
            failures = [summary for summary in summaries if summary.failed]
            for summary in summaries:
                if summary not in failures:
                    log.info("%s", summary.describe())
            if failures:
                raise VenueFetchFailed("\n".join(summary.describe() for summary in failures))
            return
        else:
            defaults = project_settings()
            timeout = args.timeout or environment_number(TIMEOUT_ENVIRONMENT)
            provider = make_provider(
                args.venue_provider or "auto",
                endpoint=args.endpoint,
                concurrency=args.concurrency,
                requests_per_second=args.rate or environment_number(RATE_ENVIRONMENT),
                read_timeout=timeout,
            )
            areas = areas_to_fetch(connection, args.area_set)
            summary = fetch_venues(
                connection,
                provider,
                areas,
                VenueQuery(
                    radius_m=args.radius or defaults.venue_radius_m, limit=args.limit or defaults.venue_limit
                ),
                session=make_session(),
                policy=RetryPolicy().with_read_timeout(timeout),
                refresh=bool(args.refresh),
                max_age=args.max_age,
                recorder=_recorder(args),
                progress=not args.no_progress,
                max_consecutive_timeouts=(
                    DEFAULT_MAX_CONSECUTIVE_TIMEOUTS if args.max_timeouts is None else args.max_timeouts
                ),
                postal_area_set=postal_area_set(connection),
            )
    if summary.interrupted:
        raise Interrupted(summary.describe())
    if summary.failed or summary.stopped:
        raise VenueFetchFailed(summary.describe())
    log.info("%s", summary.describe())


def _run_overture(args: argparse.Namespace) -> None:
    """Overture places for the extent of each area set asked for (--area-set, else every set), or
    of --bbox."""
    min_confidence = overture.DEFAULT_MIN_CONFIDENCE if args.min_confidence is None else args.min_confidence
    if not 0 <= min_confidence <= 1:  # nan too
        raise IngestError(f"--min-confidence is {args.min_confidence}; a confidence is a number from 0 to 1")
    if args.bbox and args.area_set:
        raise IngestError(
            "give --area-set or --bbox, not both: --area-set lands its set's extent, --bbox a box of its own"
        )
    release = overture.resolve_release(args.release or "latest", overture.stac_url(), args.timeout or 30)
    with _connect(args) as connection:
        if args.bbox:
            extents = [(None, overture.Extent.parse(args.bbox))]
        else:
            sets = [args.area_set] if args.area_set else known_area_sets(connection)
            extents = [(area_set, overture.extent_of(connection, area_set)) for area_set in sets]
        for area_set, extent in extents:
            load = overture.land_extract(
                connection, release=release, extent=extent, min_confidence=min_confidence, area_set=area_set
            )
            log.info("%s", load.describe())
            if args.record:
                log.info("overture: recorded into %s", overture.record_extract(connection, load, args.record))


def _run_boundaries(args: argparse.Namespace) -> None:
    if args.snapshot:
        source, content, key_property = boundaries_from_snapshot(Snapshot(args.snapshot))
    else:
        file = args.file
        if not file or not file.is_file():
            raise IngestError("give a boundary GeoJSON file, or --snapshot DIR with a boundaries section")
        source, key_property = str(file), args.key_property
        content = file.read_bytes()
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
        results = land_points(connection, args.files, fields)
    for result in results:
        (log.warning if result.unplaceable or result.swapped else log.info)("%s", result.describe())


def _run_areas(args: argparse.Namespace) -> None:
    if args.snapshot:
        _refuse_options(args, "--snapshot", FILE_OPTIONS + MADE_OPTIONS + ("area_set",))
        with _connect(args) as connection:
            made_areas.replay(connection, Snapshot(args.snapshot), lambda line: log.info("%s", line))
        return
    if not args.area_set:
        raise IngestError("give the set a name: --area-set NAME (lower-case letters, digits and _)")
    if args.file is None:
        _run_made_areas(args)
        return
    _refuse_options(args, "a FILE", MADE_OPTIONS)
    options = AreaOptions(
        area_set=args.area_set,
        id_field=args.id_field,
        name_field=args.name_field,
        parent_field=args.parent_field,
        crs=args.crs,
    )
    with _connect(args) as connection:
        result = land_areas(connection, args.file, options)
    log.info("%s", result.describe(str(args.file), args.area_set))


# `ingest areas` options of a file of areas, and of the sets it makes (grids, divisions).
FILE_OPTIONS = ("file", "id_field", "name_field", "parent_field", "crs")
MADE_OPTIONS = (
    "grid",
    "bbox",
    "within_division",
    "division",
    "division_id",
    "country",
    "level",
    "release",
    "record",
)


def _run_made_areas(args: argparse.Namespace) -> None:
    """An H3 grid over a box or a division, or the divisions under one."""
    _refuse_options(args, "--grid or --division", FILE_OPTIONS)
    if args.grid:
        if bool(args.bbox) == bool(args.within_division or args.division_id) or args.division or args.level:
            raise IngestError(
                "--grid covers one of --bbox=W,S,E,N or --within-division NAME [--country CC] (or --division-id "
                "ID); --division and --level are for divisions, not grids"
            )
    elif not (args.division or args.division_id) or args.bbox or args.within_division:
        raise IngestError(
            "give a FILE of areas, --grid h3:RES (with --bbox or --within-division), or --division NAME "
            "(or --division-id ID)"
        )
    request = made_areas.Request(
        area_set=args.area_set, grid=args.grid, bbox=args.bbox, division=args.division or args.within_division,
        division_id=args.division_id, country=args.country, level=args.level, release=args.release or "latest",
        timeout=args.timeout or 30,
    )  # fmt: skip
    with _connect(args) as connection:
        made_areas.land(connection, request, args.record)


def _refuse_options(args: argparse.Namespace, given: str, names: Sequence[str]) -> None:
    flags = [
        f"--{name.replace('_', '-')}" if name != "file" else "FILE" for name in names if getattr(args, name)
    ]
    if flags:
        raise IngestError(f"{', '.join(flags)} do not apply with {given}; drop them")


def _run_taxonomy(args: argparse.Namespace) -> None:
    if args.write_seed:
        rows = write_taxonomy_seed(args.files, args.write_seed)
        log.info("taxonomy: wrote %d categories of %d files to %s", rows, len(args.files), args.write_seed)
        return
    with _connect(args) as connection:
        for file in args.files:
            kind, result = land_taxonomy(connection, file, args.kind)
            if result.reused:
                log.info(
                    "taxonomy: %s (%s) is unchanged since load %s; nothing new landed",
                    file,
                    kind,
                    result.load_id,
                )
            else:
                log.info(
                    "taxonomy: landed %d %s categories from %s as load %s",
                    result.rows,
                    kind,
                    file,
                    result.load_id,
                )


def _run_check_warehouse(args: argparse.Namespace) -> None:
    path = database_path(args.database)
    with _connect(args):
        pass
    log.info("the warehouse %s is free", path)


def _duration(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 30m, 12h or 7d")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
    return timedelta(**{unit: float(match.group(1))})


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
    return value


def _run_postal_codes(args: argparse.Namespace, session: requests.Session | None = None) -> None:
    _refuse_live_options_with_snapshot(args)
    if args.snapshot:
        page = page_from_snapshot(Snapshot(args.snapshot))
    else:
        page = page_from_web(
            session or make_session(), args.url or live_url("wikipedia", WIKIPEDIA_URL), policy=_policy(args)
        )
    with _connect(args) as connection:
        result = land_postal_codes(
            connection,
            page,
            min_postal_codes=args.min_postal_codes,
            area_set=args.postal_area_set,
        )
    page.record(_recorder(args))
    _report("postal codes", page, result)


def _run_coordinates(args: argparse.Namespace, session: requests.Session | None = None) -> None:
    _refuse_live_options_with_snapshot(args)
    coordinates = (
        coordinates_from_snapshot(Snapshot(args.snapshot))
        if args.snapshot
        else coordinates_from_web(session or make_session(), _coordinate_sources(args), policy=_policy(args))
    )
    try:
        rows = read_coordinates(coordinates.content, coordinates.format, coordinates.columns)
    except CoordinatesFormatError as error:
        raise CoordinatesFormatError(
            f"{coordinates.source} ({coordinates.provider}, {coordinates.format}): {error}"
        ) from error
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


def _run_parse_wikipedia(args: argparse.Namespace) -> None:
    if not args.file.is_file():
        raise IngestError(f"{args.file} is not a file")
    page = parse_page(args.file.read_bytes(), min_postal_codes=args.min_postal_codes)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["postal_code", "borough", "neighbourhood", "layout"])
    for row in page.rows:
        writer.writerow([row.postal_code, row.borough, row.neighbourhood, page.layout])


def _coordinate_sources(args: argparse.Namespace) -> list[CoordinateSource]:
    """The live sources to try, in order: a URL from the command line, else from the source's
    environment variable, else the public one."""
    sources = []
    for provider in args.providers or COORDINATE_PROVIDERS:
        source = COORDINATE_SOURCES[provider]
        url = getattr(args, f"{provider}_url") or live_url(provider, source.url)
        sources.append(dataclasses.replace(source, url=url))
    return sources


def _policy(args: argparse.Namespace) -> RetryPolicy:
    return RetryPolicy().with_read_timeout(args.timeout or environment_number(TIMEOUT_ENVIRONMENT))


def _refuse_live_options_with_snapshot(args: argparse.Namespace) -> None:
    if not args.snapshot:
        return
    given = sorted(flag for name, flag in args.live_options.items() if getattr(args, name) is not None)
    if given:
        raise IngestError(
            f"{', '.join(given)} only apply to a live fetch; with --snapshot nothing is fetched (the snapshot "
            "is already a recording, replayed as it is). Drop them, or drop --snapshot to fetch live."
        )


def _recorder(args: argparse.Namespace) -> Recorder | None:
    return Recorder(args.record) if args.record else None


def _connect(args: argparse.Namespace) -> duckdb.DuckDBPyConnection:
    path = database_path(args.database)
    try:
        return connect(path)
    except duckdb.Error as error:
        raise in_use_error(path, error) from error


def _report(what: str, source: Input, result: LoadResult) -> None:
    if result.reused:
        log.info("%s: %s is unchanged since load %s; nothing new landed", what, source.source, result.load_id)
    else:
        log.info("%s: landed %d rows from %s as load %s", what, result.rows, source.source, result.load_id)
