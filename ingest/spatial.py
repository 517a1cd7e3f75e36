"""DuckDB's spatial extension, loaded from the `duckdb-extension-spatial` wheel on PyPI (pinned to
the DuckDB version), never downloaded at run time. The ingesters load it on their connection; the
dbt profile loads it through the plugin in `segmentation/duckdb_plugin.py`."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.errors import IngestError


class SpatialUnavailableError(IngestError):
    """The spatial extension is not installed for this DuckDB version."""


def extension_path() -> Path:
    try:
        import duckdb_extension_spatial
    except ImportError as error:
        raise SpatialUnavailableError(
            "DuckDB's spatial extension is not installed: `pip install duckdb-extension-spatial=="
            f"{duckdb.__version__}` (make setup installs it)"
        ) from error
    path = (
        Path(duckdb_extension_spatial.__file__).parent
        / "extensions"
        / f"v{duckdb.__version__}"
        / "spatial.duckdb_extension"
    )
    if not path.is_file():
        raise SpatialUnavailableError(
            f"the spatial extension wheel has no build for DuckDB {duckdb.__version__} ({path} is missing): "
            f"install duckdb-extension-spatial=={duckdb.__version__}"
        )
    return path


def load_spatial(connection: duckdb.DuckDBPyConnection) -> None:
    """Load the extension on a connection (a no-op when it is loaded already)."""
    connection.execute(f"load '{extension_path()}'")
