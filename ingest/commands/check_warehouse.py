"""`ingest check-warehouse`: one line saying whether another process holds the warehouse."""

from __future__ import annotations

import argparse

from ingest.commands import shared
from ingest.warehouse import database_path


def add(commands: argparse._SubParsersAction, options: shared.Options) -> None:
    command = commands.add_parser(
        "check-warehouse",
        parents=[options.common, options.database],
        help="say in one line whether another process holds the warehouse (and make its raw tables if need be)",
    )
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    path = database_path(args.database)
    with shared.connect_to_warehouse(args):
        pass
    shared.log.info("the warehouse %s is free", path)
