"""`ingest coordinates`: the postal codes' centroids."""

from __future__ import annotations

import argparse
import dataclasses

import requests

from ingest.commands import shared
from ingest.coordinates.read import read_coordinates
from ingest.coordinates.store import land_coordinates
from ingest.errors import CoordinatesFormatError
from ingest.settings import live_url
from ingest.snapshot import Snapshot
from ingest.sources import (
    COORDINATE_PROVIDERS,
    COORDINATE_SOURCES,
    CoordinateSource,
    coordinates_from_snapshot,
    coordinates_from_web,
)


def coordinate_options(options: shared.Options) -> argparse.ArgumentParser:
    """The coordinates' options (`coordinates` and `all`)."""
    group = argparse.ArgumentParser(add_help=False)
    options.live(
        group,
        "--provider",
        action="append",
        choices=COORDINATE_PROVIDERS,
        dest="providers",
        help="live coordinates source, tried in the order given (default: course_csv, then geonames)",
    )
    for provider, source in COORDINATE_SOURCES.items():
        options.live(
            group,
            f"--{provider.replace('_', '-')}-url",
            metavar="URL",
            help=f"where to download the {provider} file (default: env {source.url_environment}, else {source.url})",
        )
    return group


def add(commands: argparse._SubParsersAction, options: shared.Options) -> None:
    command = commands.add_parser(
        "coordinates",
        parents=[options.landing, coordinate_options(options)],
        help="land postal-code centroids (raw.coordinate_files, raw.coordinates)",
    )
    command.set_defaults(handler=run)


def run(args: argparse.Namespace, session: requests.Session | None = None) -> None:
    shared.refuse_live_options_with_snapshot(args)
    coordinates = (
        coordinates_from_snapshot(Snapshot(args.snapshot))
        if args.snapshot
        else coordinates_from_web(session or shared.session(), _sources(args), policy=shared.policy(args))
    )
    try:
        rows = read_coordinates(coordinates.content, coordinates.format, coordinates.columns)
    except CoordinatesFormatError as error:
        raise CoordinatesFormatError(
            f"{coordinates.source} ({coordinates.provider}, {coordinates.format}): {error}"
        ) from error
    coordinates.record(shared.recorder(args))
    with shared.connect_to_warehouse(args) as connection:
        result = land_coordinates(
            connection,
            provider=coordinates.provider,
            file_format=coordinates.format,
            source=coordinates.source,
            content=coordinates.content,
            columns=coordinates.columns,
            rows=rows,
        )
    shared.report("coordinates", coordinates, result)


def _sources(args: argparse.Namespace) -> list[CoordinateSource]:
    """The live sources to try, in order: a URL from the command line, else from the source's
    environment variable, else the public one."""
    sources = []
    for provider in args.providers or COORDINATE_PROVIDERS:
        source = COORDINATE_SOURCES[provider]
        url = getattr(args, f"{provider}_url") or live_url(provider, source.url)
        sources.append(dataclasses.replace(source, url=url))
    return sources
