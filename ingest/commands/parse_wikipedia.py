"""`ingest parse-wikipedia`: the rows a saved page would land, as CSV (a debugging aid)."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from ingest.commands import shared
from ingest.errors import IngestError
from ingest.wikipedia.parse import parse_page


def add(commands: argparse._SubParsersAction, options: shared.Options) -> None:
    command = commands.add_parser(
        "parse-wikipedia",
        parents=[options.common, options.parsing],
        help="print the rows a saved page would land, as CSV (a debugging aid for layout changes)",
    )
    command.add_argument("file", type=Path, metavar="FILE")
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    if not args.file.is_file():
        raise IngestError(f"{args.file} is not a file")
    page = parse_page(args.file.read_bytes(), min_postal_codes=args.min_postal_codes)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["postal_code", "borough", "neighbourhood", "layout"])
    for row in page.rows:
        writer.writerow([row.postal_code, row.borough, row.neighbourhood, page.layout])
