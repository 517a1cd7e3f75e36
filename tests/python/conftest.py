"""Shared fixtures: the real data, a writable copy of the snapshot, a build in a temp folder."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from overture_release import Release
from support import SHARED_DATA, SNAPSHOT, Build, ingest, run_dbt


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real, read-only inputs in ../shared/data. Their absence is a failure, not a skip."""
    if not (SNAPSHOT / "manifest.json").is_file():
        pytest.fail(f"the real data is expected in {SHARED_DATA} (set SHARED_DATA to move it)")
    return SHARED_DATA


@pytest.fixture
def snapshot_copy(shared_data: Path, tmp_path: Path) -> Path:
    """A writable copy of the Toronto snapshot, for tests that swap or break one of its files."""
    target = tmp_path / "snapshot"
    shutil.copytree(SNAPSHOT, target)
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


@pytest.fixture
def build(tmp_path: Path) -> Build:
    """Ingest a snapshot (and the taxonomies, as `make run` does) into a new DuckDB file and
    `dbt build` it."""

    def _build(snapshot: Path, *arguments: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
        database = tmp_path / "warehouse" / "warehouse.duckdb"
        assert ingest("all", "--snapshot", snapshot, "--database", database) == 0
        return database, run_dbt(database, "build", *arguments)

    return _build


@pytest.fixture(scope="session")
def snapshot_build(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The shared Toronto snapshot ingested and built once for the session, as `make run` does (the
    taxonomies are the shipped seed's); read it, never change it."""
    database = tmp_path_factory.mktemp("snapshot-build") / "warehouse.duckdb"
    assert ingest("all", "--snapshot", SNAPSHOT, "--database", database) == 0
    return database, run_dbt(database, "build")


@pytest.fixture
def built_copy(snapshot_build: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path) -> Path:
    """A private copy of the session's built warehouse, for tests that land more and rebuild."""
    database, result = snapshot_build
    assert result.returncode == 0, result.stdout
    target = tmp_path / "warehouse" / "warehouse.duckdb"
    target.parent.mkdir(parents=True)
    shutil.copy(database, target)
    return target


@pytest.fixture
def release(tmp_path: Path) -> Iterator[Release]:
    """A local stand-in for Overture's release (overture_release.Release), stopped after the test."""
    serving = Release(tmp_path)
    try:
        yield serving
    finally:
        serving.stop()
