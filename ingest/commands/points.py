"""`ingest points`: bulk files of places (GeoJSON points, CSV, Parquet) for the points provider."""

from __future__ import annotations

import argparse
from pathlib import Path

from ingest.commands import shared
from ingest.points import PointFields, land_points


def add(commands: argparse._SubParsersAction, options: shared.Options) -> None:
    command = commands.add_parser(
        "points",
        parents=[options.common, options.database],
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
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    fields = PointFields(
        id=args.id_field,
        name=args.name_field,
        category=args.category_field,
        latitude=args.latitude_field,
        longitude=args.longitude_field,
    )
    with shared.connect_to_warehouse(args) as connection:
        results = land_points(connection, args.files, fields)
    for result in results:
        (shared.log.warning if result.unplaceable or result.swapped else shared.log.info)(
            "%s", result.describe()
        )
