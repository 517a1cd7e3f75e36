"""`python -m ingest ...`: land raw inputs in DuckDB, from a recorded snapshot or live."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import duckdb

from ingest.commands import (
    all_inputs,
    areas,
    boundaries,
    check_warehouse,
    coordinates,
    parse_wikipedia,
    points,
    postal_codes,
    shared,
    taxonomy,
    venues,
)
from ingest.errors import IngestError, Interrupted
from ingest.snapshot import Recorder
from ingest.venues.fetch import is_interrupt

EXIT_INTERRUPTED = 130

# The commands (a module of ingest.commands each), in the order `--help` lists them.
COMMANDS = (
    postal_codes,
    coordinates,
    all_inputs,
    venues,
    areas,
    boundaries,
    points,
    taxonomy,
    check_warehouse,
    parse_wikipedia,
)


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
    options = shared.options()
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add(commands, options)
    # What a command leaves out reads as not given (`all` runs other commands' handlers), so handlers
    # read every option as an attribute.
    left_out = {
        "snapshot": None,
        "file": None,
        "postal_area_set": None,
        **dict.fromkeys(options.live_options),
    }
    parser.set_defaults(live_options=options.live_options, **left_out)
    return parser
