"""A dbt-duckdb plugin (profiles.yml `plugins`) that loads DuckDB's spatial extension from the
`duckdb-extension-spatial` wheel on every connection dbt opens: nothing is downloaded at run time.
It also says in one line which process holds the warehouse when another one does, and gives the
publish macro `publish_output_file(path)`, which moves a written-aside output into place."""

from __future__ import annotations

import contextlib
from typing import Any

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError

from ingest.raw_store import in_use_error
from ingest.spatial import load_spatial
from segmentation import output_file


class Plugin(BasePlugin):
    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        """Called just before dbt opens the warehouse: try it first, so that another process holding
        it stops dbt with one line naming that process (dbt's own error is three chained tracebacks)."""
        path = str(creds.path)
        if path == ":memory:" or ":" in path.split("/")[0]:  # in memory, md:, s3: … hold no local lock
            return
        try:
            duckdb.connect(path).close()
        except duckdb.Error as error:
            raise DbtRuntimeError(str(in_use_error(creds.path, error))) from None

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        load_spatial(conn)
        # Already there after a first dbt invocation in this process on the same database.
        with contextlib.suppress(duckdb.CatalogException):
            conn.create_function(
                "publish_output_file", output_file.publish, ["VARCHAR"], "BOOLEAN", null_handling="special",
                side_effects=True,
            )  # fmt: skip
