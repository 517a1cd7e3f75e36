"""`ingest all`: the page and the coordinates (one HTTP session for a live run); from a snapshot
also its area sets, venues and boundaries."""

from __future__ import annotations

import argparse

from ingest import made_areas, overture
from ingest.commands import boundaries, coordinates, postal_codes, shared, venues
from ingest.snapshot import Snapshot


def add(commands: argparse._SubParsersAction, options: shared.Options) -> None:
    command = commands.add_parser(
        "all",
        parents=[
            options.landing,
            postal_codes.page_options(options),
            coordinates.coordinate_options(options),
        ],
        help="postal-codes, then coordinates (with --snapshot: also its venues and boundaries)",
    )
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    shared.refuse_live_options_with_snapshot(args)
    session = None if args.snapshot else shared.session()
    manifest = Snapshot(args.snapshot).manifest if args.snapshot else {}
    if not args.snapshot or "postal_codes" in manifest:  # a recorded city has areas, not a page
        postal_codes.run(args, session)
        coordinates.run(args, session)
    if args.snapshot is None:
        shared.log.info(
            "venues: fetch them live once the areas are built: `dbt build --select +area_search_circles`, "
            "then `python -m ingest venues`"
        )
        return
    if made_areas.SECTION in manifest:
        with shared.connect_to_warehouse(args) as connection:
            made_areas.replay(connection, Snapshot(args.snapshot), lambda line: shared.log.info("%s", line))
    if "venues" in manifest or overture.SECTION in manifest:
        venues.run(args)
    else:
        shared.log.info("venues: the snapshot records none")
    if "boundaries" in manifest:
        boundaries.run(args)
