"""The kepler.gl UMD bundle and its globals (React, ReactDOM, Redux, ReactRedux, styled), fetched
from the npm registry at pinned versions with their integrity checked, for the self-contained map.

    python -m segmentation.kepler_assets fetch [--dest DIR]    # what `make` runs at set-up
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

LOCK = Path(__file__).with_name("kepler_assets.json")
DEFAULT_DIR = Path(".cache") / "kepler-assets"


class AssetError(RuntimeError):
    """The map's JavaScript and CSS are missing or not what the lock file pins."""


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str
    scripts: tuple[str, ...]
    styles: tuple[str, ...]
    licence: str

    @property
    def folder(self) -> str:
        return f"{self.name}@{self.version}"

    def files(self) -> tuple[str, ...]:
        return (*self.scripts, *self.styles, self.licence)


@dataclass(frozen=True)
class Assets:
    """The files to inline, in load order."""

    scripts: list[tuple[str, str]]  # (package, code)
    styles: list[tuple[str, str]]
    licences: list[tuple[str, str]]


def packages() -> list[Package]:
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    return [
        Package(
            p["name"], p["version"], p["integrity"], tuple(p["scripts"]), tuple(p["styles"]), p["licence"]
        )
        for p in lock["packages"]
    ]


def fetch(destination: Path = DEFAULT_DIR, npm: str = "npm") -> list[Path]:
    """`npm pack` each pinned package, check its sha512 against the lock, extract the files used."""
    destination.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for package in packages():
        target = destination / package.folder
        if all((target / name).is_file() for name in package.files()):
            continue
        with tempfile.TemporaryDirectory() as work:
            try:
                subprocess.run(
                    [
                        npm,
                        "pack",
                        f"{package.name}@{package.version}",
                        "--silent",
                        "--pack-destination",
                        work,
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
            except FileNotFoundError as error:
                raise AssetError(
                    "npm is needed to fetch the map's JavaScript (install Node.js and npm)"
                ) from error
            except subprocess.CalledProcessError as error:
                raise AssetError(f"npm pack {package.folder} failed: {error.stderr.strip()}") from error
            tarball = next(Path(work).glob("*.tgz"))
            _check_integrity(tarball, package)
            staging = Path(work) / "extracted"
            with tarfile.open(tarball) as archive:
                members = [archive.getmember(name) for name in package.files()]
                archive.extractall(staging, members=members, filter="data")
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(staging, target)
        written.append(target)
    return written


def load(directory: Path = DEFAULT_DIR) -> Assets:
    scripts, styles, licences = [], [], []
    for package in packages():
        folder = directory / package.folder
        missing = [name for name in package.files() if not (folder / name).is_file()]
        if missing:
            raise AssetError(
                f"the map's JavaScript is missing from {directory} ({package.folder}: {', '.join(missing)}); "
                "fetch it with `make assets` (runs `python -m segmentation.kepler_assets fetch`, needs npm)"
            )
        scripts += [(package.folder, (folder / name).read_text(encoding="utf-8")) for name in package.scripts]
        styles += [(package.folder, (folder / name).read_text(encoding="utf-8")) for name in package.styles]
        licences.append((package.folder, (folder / package.licence).read_text(encoding="utf-8")))
    return Assets(scripts, styles, licences)


def _check_integrity(tarball: Path, package: Package) -> None:
    algorithm, _, expected = package.integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode("ascii")
    if digest != expected:
        raise AssetError(
            f"{package.folder} from the npm registry does not match the pinned integrity "
            f"({package.integrity}); refusing to use it"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m segmentation.kepler_assets", description=__doc__)
    parser.add_argument("command", choices=["fetch"])
    parser.add_argument(
        "--dest", type=Path, default=DEFAULT_DIR, help="where to keep them (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        fetched = fetch(args.dest)
    except AssetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"kepler.gl assets in {args.dest} ({len(fetched)} fetched, the rest already there)", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
