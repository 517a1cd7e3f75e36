"""A dbt-duckdb plugin (profiles.yml `plugins`) that loads DuckDB's spatial extension from the
`duckdb-extension-spatial` wheel on every connection dbt opens: nothing is downloaded at run time."""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from ingest.spatial import load_spatial


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        load_spatial(conn)
