"""`ingest taxonomy`: category hierarchies, so that categories roll up to groups."""

from __future__ import annotations

import argparse
from pathlib import Path

from ingest.commands import shared
from ingest.taxonomy import KINDS, land_taxonomy, write_seed


def add(commands: argparse._SubParsersAction, options: shared.Options) -> None:
    command = commands.add_parser(
        "taxonomy",
        parents=[options.common, options.database],
        help="land category hierarchies (Foursquare v2, Foursquare OS Places, openpoiservice's OSM groups, "
        "Overture's places taxonomy)",
        description="Land category hierarchies, so that categories roll up to groups (dbt var feature_level). "
        "The project ships Foursquare OS Places', openpoiservice's and Overture's as the seed category_taxonomies; "
        "a landed file of a kind replaces the seed's.",
    )
    command.add_argument("files", type=Path, nargs="+", metavar="FILE")
    command.add_argument("--kind", choices=KINDS, help="the file's kind (default: recognised by its content)")
    command.add_argument(
        "--write-seed",
        type=Path,
        metavar="CSV",
        help="write the files' categories to this seed CSV (seeds/category_taxonomies.csv) instead of landing them",
    )
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    if args.write_seed:
        rows = write_seed(args.files, args.write_seed)
        shared.log.info(
            "taxonomy: wrote %d categories of %d files to %s", rows, len(args.files), args.write_seed
        )
        return
    with shared.connect_to_warehouse(args) as connection:
        for file in args.files:
            kind, result = land_taxonomy(connection, file, args.kind)
            if result.reused:
                shared.log.info(
                    "taxonomy: %s (%s) is unchanged since load %s; nothing new landed",
                    file,
                    kind,
                    result.load_id,
                )
            else:
                shared.log.info(
                    "taxonomy: landed %d %s categories from %s as load %s",
                    result.rows,
                    kind,
                    file,
                    result.load_id,
                )
