"""Snapshot folders: replay recorded inputs offline, and record live inputs in the same layout.

A snapshot is a folder with a ``manifest.json`` that names each input's file and format, and the
sha256 of every file (see ../shared/data/README.md):

    manifest.json
    wikipedia/List_of_postal_codes_of_Canada_M.html
    coordinates/Geospatial_Coordinates.csv
    venues/<provider>/<postal code>.json
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ingest.errors import SnapshotError

MANIFEST = "manifest.json"
T = TypeVar("T")

log = logging.getLogger(__name__)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class Snapshot:
    """A recorded snapshot folder, read-only."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        manifest_path = self.root / MANIFEST
        if not manifest_path.is_file():
            raise SnapshotError(
                f"{self.root} is not a snapshot folder: it has no {MANIFEST}. A snapshot is what "
                "`python -m ingest all --record DIR` writes, e.g. ../shared/data/snapshots/toronto-2020-01."
            )
        try:
            self.manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise SnapshotError(f"{manifest_path} is not valid JSON: {error}") from error
        if not isinstance(self.manifest, dict):
            raise SnapshotError(f"{manifest_path} should hold a JSON object")

    def section(self, name: str) -> dict[str, Any]:
        section = self.manifest.get(name)
        if not isinstance(section, dict):
            raise SnapshotError(
                f"the snapshot {self.root} has no {name!r} section in its {MANIFEST}; "
                f"it records {sorted(k for k, v in self.manifest.items() if isinstance(v, dict))}"
            )
        return section

    def entries(self, name: str, key: str, fields: Callable[[dict[str, Any]], T]) -> list[tuple[T, Path]]:
        """Each entry of a section's list `key` (a recorded file and what it is), as `fields` reads
        it, with the file it names; an entry `fields` cannot read, or whose file is missing, fails."""
        entries = []
        for entry in self.section(name).get(key, []):
            try:
                entries.append((fields(entry), self.path(str(entry["file"]))))
            except (KeyError, TypeError, ValueError) as error:
                raise SnapshotError(
                    f"{self.root}: an entry of the {name!r} section is incomplete: {entry}"
                ) from error
            file = entries[-1][1]
            if not file.is_file():
                raise SnapshotError(
                    f"the snapshot {self.root} lacks {entry['file']}, which its {MANIFEST} names"
                )
            self._check_digest(str(entry["file"]), file, file.read_bytes())
        return entries

    def path(self, relative: str) -> Path:
        resolved = (self.root / relative).resolve()
        if not resolved.is_relative_to(self.root.resolve()):
            raise SnapshotError(f"{MANIFEST} names {relative!r}, which lies outside {self.root}")
        return resolved

    def read(self, relative: str) -> bytes:
        """A file's bytes. A file that differs from the manifest's sha256 is used as it is, with a
        warning: users swap files in a copied snapshot to try other inputs."""
        file = self.path(relative)
        if not file.is_file():
            raise SnapshotError(f"the snapshot {self.root} lacks {relative}, which its {MANIFEST} names")
        content = file.read_bytes()
        self._check_digest(relative, file, content)
        return content

    def _check_digest(self, relative: str, file: Path, content: bytes) -> None:
        expected = self.manifest.get("sha256", {}).get(relative)
        if expected and expected != sha256(content):
            log.warning("%s differs from the sha256 recorded in %s; using the file as it is", file, MANIFEST)


class Recorder:
    """Writes fetched inputs into a snapshot folder, so a live run can be replayed offline.

    Files are written at once; their sha256 and the manifest sections are merged into
    manifest.json by `flush()` (`write` flushes unless told not to, so a run recording many
    files rewrites the manifest once, not once a file)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._digests: dict[str, str] = {}
        self._sections: dict[str, dict[str, Any]] = {}

    def check(self) -> None:
        """Refuse a folder that cannot be recorded into (under a file, not writable, or with a
        manifest.json that is not a JSON object) before anything is fetched."""
        manifest = self.root / MANIFEST
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.root):
                pass
            if manifest.exists():
                try:
                    content = json.loads(manifest.read_text(encoding="utf-8"))
                except ValueError as error:
                    raise ValueError(f"its {MANIFEST} is not JSON: {error}") from error
                if not isinstance(content, dict):
                    raise ValueError(f"its {MANIFEST} is not a JSON object")
        except (OSError, ValueError) as error:
            raise SnapshotError(
                f"--record {self.root}: cannot record into it ({error}); give a folder that can be written, "
                "new or holding a snapshot"
            ) from error

    def write(self, relative: str, content: bytes, *, flush: bool = True) -> Path:
        target = self.root / relative
        _atomic_write(target, content)
        self._digests[relative] = sha256(content)
        if flush:
            self.flush()
        return target

    def describe(self, name: str, section: dict[str, Any]) -> None:
        """Set a manifest section (what a file is, where it came from, request parameters)."""
        self._sections[name] = section
        self.flush()

    def flush(self) -> None:
        if not self._digests and not self._sections:
            return
        path = self.root / MANIFEST
        manifest: dict[str, Any] = {}
        if path.is_file():
            manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest.setdefault("name", self.root.name)
        manifest.update(self._sections)
        digests = {**manifest.get("sha256", {}), **self._digests}
        manifest["sha256"] = dict(sorted(digests.items()))
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        _atomic_write(path, text.encode("utf-8"))
        self._digests.clear()
        self._sections.clear()


def _atomic_write(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
