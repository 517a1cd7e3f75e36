"""`ingest venues`: the venues of every area of a set, from a live provider, Overture's release or a
snapshot."""

from __future__ import annotations

import argparse

from ingest import overture
from ingest.commands import shared
from ingest.errors import IngestError, Interrupted, VenueFetchFailed
from ingest.settings import RATE_ENVIRONMENT, TIMEOUT_ENVIRONMENT, environment_number, project_settings
from ingest.snapshot import Snapshot
from ingest.venues.fetch import DEFAULT_MAX_CONSECUTIVE_TIMEOUTS, fetch_venues, replay_venues
from ingest.venues.providers import LIVE as LIVE_VENUE_PROVIDERS
from ingest.venues.providers import VenueQuery, make_provider
from ingest.warehouse import areas_to_fetch, known_area_sets
from ingest.wikipedia.store import postal_area_set


def add(commands: argparse._SubParsersAction, options: shared.Options) -> None:
    defaults = project_settings()
    group = argparse.ArgumentParser(add_help=False)
    live = options.live
    live(
        group,
        "--provider",
        dest="venue_provider",
        choices=("auto", *LIVE_VENUE_PROVIDERS, overture.PROVIDER),
        help="live venue source (default auto: foursquare when FOURSQUARE_API_KEY is set, else overpass); "
        "overture: every place of Overture Maps' public release in the set's extent (no key)",
    )
    live(
        group,
        "--release",
        metavar="RELEASE",
        help="overture: latest (default, from the STAC catalog; env INGEST_OVERTURE_STAC_URL) or YYYY-MM-DD.N "
        "(env INGEST_OVERTURE_S3_ENDPOINT=host:port reads from an S3-compatible mirror)",
    )
    live(
        group,
        "--min-confidence",
        type=float,
        metavar="C",
        help=f"overture: places below this confidence are kept flagged, not used (default "
        f"{overture.DEFAULT_MIN_CONFIDENCE})",
    )
    live(
        group,
        "--bbox",
        metavar="W,S,E,N",
        help="overture: this extent instead of the area set's, in degrees (write --bbox=W,S,E,N when W is negative)",
    )
    live(
        group,
        "--radius",
        type=int,
        metavar="M",
        help=f"metres around each centre (default {defaults.venue_radius_m})",
    )
    live(
        group,
        "--limit",
        type=int,
        metavar="N",
        help=f"venues per area at most (default {defaults.venue_limit})",
    )
    live(group, "--refresh", action="store_true", default=None, help="re-fetch every area, fresh or not")
    live(
        group,
        "--max-age",
        type=shared.duration,
        metavar="AGE",
        help="re-fetch areas fetched longer ago than AGE (e.g. 7d, 12h)",
    )
    live(group, "--concurrency", type=int, metavar="N", help="requests in flight (foursquare: 16)")
    live(
        group,
        "--rate",
        type=shared.positive_float,
        metavar="PER_SECOND",
        help=f"request starts per second at most (env {RATE_ENVIRONMENT}; foursquare 50, overpass 0.5)",
    )
    live(
        group,
        "--endpoint",
        metavar="URL",
        help="the provider's endpoint, a mirror or a local server "
        "(default: env INGEST_FOURSQUARE_ENDPOINT / INGEST_OVERPASS_ENDPOINT, else the public one)",
    )
    live(
        group,
        "--max-timeouts",
        type=int,
        metavar="N",
        help=f"give up on the provider after N areas in a row time out (default {DEFAULT_MAX_CONSECUTIVE_TIMEOUTS})",
    )
    group.add_argument("--no-progress", action="store_true", help="no progress bar")
    live(
        group,
        "--area-set",
        metavar="NAME",
        help="the area set to fetch venues for (default: the postal set of the latest page). A polygon "
        "area is fetched as the circle that covers it; the models keep what falls inside",
    )
    command = commands.add_parser(
        "venues",
        parents=[options.landing, group],
        help="land venue responses for every area of a set (area_search_circles) in raw.venue_responses",
    )
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    shared.refuse_live_options_with_snapshot(args)
    if not args.snapshot and args.venue_provider == overture.PROVIDER:
        _run_overture(args)
        return
    with shared.connect_to_warehouse(args) as connection:
        if args.snapshot:
            snapshot = Snapshot(args.snapshot)
            if overture.SECTION in snapshot.manifest:
                for load in overture.replay_extracts(connection, snapshot):
                    shared.log.info("%s", load.describe())
                if not any(name.split(".")[0] == "venues" for name in snapshot.manifest):
                    return
            summaries = replay_venues(connection, snapshot, postal_area_set(connection))
            failures = [summary for summary in summaries if summary.failed]
            for summary in summaries:
                if summary not in failures:
                    shared.log.info("%s", summary.describe())
            if failures:
                raise VenueFetchFailed("\n".join(summary.describe() for summary in failures))
            return
        else:
            defaults = project_settings()
            provider = make_provider(
                args.venue_provider or "auto",
                endpoint=args.endpoint,
                concurrency=args.concurrency,
                requests_per_second=args.rate or environment_number(RATE_ENVIRONMENT),
                read_timeout=args.timeout or environment_number(TIMEOUT_ENVIRONMENT),
            )
            areas = areas_to_fetch(connection, args.area_set)
            summary = fetch_venues(
                connection,
                provider,
                areas,
                VenueQuery(
                    radius_m=args.radius or defaults.venue_radius_m, limit=args.limit or defaults.venue_limit
                ),
                session=shared.session(),
                policy=shared.policy(args),
                refresh=bool(args.refresh),
                max_age=args.max_age,
                recorder=shared.recorder(args),
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
    shared.log.info("%s", summary.describe())


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
    with shared.connect_to_warehouse(args) as connection:
        if args.bbox:
            extents = [(None, overture.Extent.parse(args.bbox))]
        else:
            sets = [args.area_set] if args.area_set else known_area_sets(connection)
            extents = [(area_set, overture.extent_of(connection, area_set)) for area_set in sets]
        for area_set, extent in extents:
            load = overture.land_extract(
                connection, release=release, extent=extent, min_confidence=min_confidence, area_set=area_set
            )
            shared.log.info("%s", load.describe())
            if args.record:
                shared.log.info(
                    "overture: recorded into %s", overture.record_extract(connection, load, args.record)
                )
