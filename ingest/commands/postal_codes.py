"""`ingest postal-codes`: the Wikipedia list of postal codes."""

from __future__ import annotations

import argparse

import requests

from ingest.commands import shared
from ingest.settings import live_url
from ingest.snapshot import Snapshot
from ingest.sources import WIKIPEDIA_URL, page_from_snapshot, page_from_web
from ingest.wikipedia.store import land_postal_codes


def page_options(options: shared.Options) -> argparse.ArgumentParser:
    """The page's options (`postal-codes` and `all`)."""
    group = argparse.ArgumentParser(add_help=False, parents=[options.parsing])
    options.live(
        group,
        "--url",
        help=f"live page URL, any letter's list (default: env INGEST_WIKIPEDIA_URL, else {WIKIPEDIA_URL})",
    )
    group.add_argument(
        "--area-set",
        dest="postal_area_set",
        metavar="NAME",
        help="name of the page's area set (default: by its postal codes' first letter, e.g. M: toronto_fsa, "
        "H: montreal_fsa; seeds/canadian_postal_regions.csv)",
    )
    return group


def add(commands: argparse._SubParsersAction, options: shared.Options) -> None:
    command = commands.add_parser(
        "postal-codes",
        parents=[options.landing, page_options(options)],
        help="land the Wikipedia list of postal codes (raw.wikipedia_pages, raw.wikipedia_postal_code_rows)",
    )
    command.set_defaults(handler=run)


def run(args: argparse.Namespace, session: requests.Session | None = None) -> None:
    shared.refuse_live_options_with_snapshot(args)
    if args.snapshot:
        page = page_from_snapshot(Snapshot(args.snapshot))
    else:
        url = args.url or live_url("wikipedia", WIKIPEDIA_URL)
        page = page_from_web(session or shared.session(), url, policy=shared.policy(args))
    with shared.connect_to_warehouse(args) as connection:
        result = land_postal_codes(
            connection, page, min_postal_codes=args.min_postal_codes, area_set=args.postal_area_set
        )
    page.record(shared.recorder(args))
    shared.report("postal codes", page, result)
