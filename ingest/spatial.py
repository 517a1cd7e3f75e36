"""DuckDB's extensions (spatial, httpfs), loaded from their `duckdb-extension-<name>` wheels on PyPI
(pinned to the DuckDB version), never downloaded at run time. The ingesters load spatial on their
connection (and httpfs to read Overture's release); the dbt profile loads spatial through the
plugin in `segmentation/duckdb_plugin.py`."""

from __future__ import annotations

import importlib
from pathlib import Path

import duckdb

from ingest.errors import IngestError


class SpatialUnavailableError(IngestError):
    """A DuckDB extension is not installed for this DuckDB version."""


def extension_path(name: str = "spatial") -> Path:
    """The extension file in its wheel's folder."""
    try:
        module = importlib.import_module(f"duckdb_extension_{name}")
    except ImportError as error:
        raise SpatialUnavailableError(
            f"DuckDB's {name} extension is not installed: `pip install duckdb-extension-{name}=="
            f"{duckdb.__version__}` (make setup installs it)"
        ) from error
    path = Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.is_file():
        raise SpatialUnavailableError(
            f"the {name} extension wheel has no build for DuckDB {duckdb.__version__} ({path} is missing): "
            f"install duckdb-extension-{name}=={duckdb.__version__}"
        )
    return path


def load_spatial(connection: duckdb.DuckDBPyConnection) -> None:
    """Load the extension on a connection (a no-op when it is loaded already)."""
    connection.execute(f"load '{extension_path()}'")
