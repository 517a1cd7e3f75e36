"""Writing an output file (map, report, GeoJSON, plot) whole or not at all: its pieces go to a hidden
file beside it, which then takes its place, so a reader never opens half a file.

The build's outputs are written aside (`pending`: the same name in an `unpublished` folder beside
the file, where a browser still opens it) and moved into place by `publish` when the build's marts
are published (macros/publish_build.sql, through the function the dbt plugin registers): a build
that fails, or is killed, before it publishes leaves the map and report of the last published build."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def write_pieces(path: Path, pieces: Iterable[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as file:
        file.writelines(pieces)
    temporary.replace(path)
    return path


def pending(path: Path) -> Path:
    """Where the build writes `path` until it is published."""
    return path.parent / "unpublished" / path.name


def publish(path: str | None) -> bool:
    """Move `path`'s pending file into place (one rename); False when there is none."""
    if not path:
        return False
    waiting = pending(Path(path))
    if not waiting.exists():
        return False
    waiting.replace(path)
    if not any(waiting.parent.iterdir()):
        waiting.parent.rmdir()
    return True
