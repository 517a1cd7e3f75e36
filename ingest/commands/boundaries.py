"""`ingest boundaries`: area polygons for the map (a GeoJSON FeatureCollection)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ingest.boundaries import boundaries_from_snapshot, land_boundaries
from ingest.commands import shared
from ingest.errors import IngestError
from ingest.snapshot import Snapshot


def add(commands: argparse._SubParsersAction, options: shared.Options) -> None:
    command = commands.add_parser(
        "boundaries",
        parents=[options.common, options.database],
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
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    if args.snapshot:
        source, content, key_property = boundaries_from_snapshot(Snapshot(args.snapshot))
    else:
        file = args.file
        if not file or not file.is_file():
            raise IngestError("give a boundary GeoJSON file, or --snapshot DIR with a boundaries section")
        source, key_property = str(file), args.key_property
        content = file.read_bytes()
    with shared.connect_to_warehouse(args) as connection:
        result = land_boundaries(connection, source=source, content=content, key_property=key_property)
    if result.reused:
        shared.log.info(
            "boundaries: %s is unchanged since load %s; nothing new landed", source, result.load_id
        )
    else:
        shared.log.info(
            "boundaries: landed %d features from %s as load %s", result.rows, source, result.load_id
        )
