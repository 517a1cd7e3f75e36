"""Writing an output file (map, report, GeoJSON) whole or not at all: its pieces go to a hidden file
beside it, which then takes its place, so a reader never opens half a file."""

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
