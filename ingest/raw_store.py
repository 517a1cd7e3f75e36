"""The core of the DuckDB `raw` schema: opening the warehouse, load ids, and appending.

Every load gets a `load_id` and `loaded_at`; nothing is ever updated or deleted. Landing input
identical to the latest load (same bytes, read the same way) is skipped, so re-runs are idempotent;
the staging models read the latest load of each source. Each source's tables and landing live
beside its reader (wikipedia.store, coordinates.store, venues.store, points, boundaries, areas);
`ingest.warehouse.connect` opens the warehouse with all of them.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ingest.errors import IngestError, WarehouseInUseError

DEFAULT_DATABASE = "warehouse.duckdb"


@dataclass(frozen=True)
class LoadResult:
    load_id: str
    rows: int
    reused: bool


def database_path(explicit: str | None = None) -> Path:
    """`--database`, else env `DBT_DUCKDB_PATH` (as dbt's profile reads it), else ./warehouse.duckdb."""
    return Path(explicit or os.environ.get("DBT_DUCKDB_PATH") or DEFAULT_DATABASE)


def open_database(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection; another process holding the file is a `WarehouseInUseError` that
    names the process."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = duckdb.connect(str(path))
    except duckdb.Error as error:
        raise in_use_error(path, error) from error
    # A missing table is an error, never a Python variable of the same name (DuckDB's replacement scans).
    connection.execute("set python_enable_replacements = false")
    return connection


def in_use_error(path: Path, error: duckdb.Error) -> IngestError:
    """One line that says which process holds the file, or why the file cannot be opened."""
    text = str(error)
    holder = re.search(r"Conflicting lock is held in (.*?) \(PID (\d+)\)", text)
    if holder:
        command = _command_line(int(holder.group(2))) or holder.group(1)
        return WarehouseInUseError(
            f"the warehouse {path} is in use by process {holder.group(2)} ({command}); close it (a DuckDB "
            "shell, a notebook, another dbt or ingest run) and try again"
        )
    return IngestError(f"cannot open the DuckDB file {path}: {text.splitlines()[0]}")


def new_load_id() -> str:
    """Sortable by time, unique across processes."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"


# Raw tables are append-only and the newest load wins (ties by load id): the one order of loads, as
# the dbt macro latest_load orders them too.
NEWEST_FIRST = "loaded_at desc, load_id desc"


def latest_load(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    columns: str,
    where: str = "true",
    parameters: Sequence[Any] | None = None,
) -> tuple | None:
    """`columns` of the newest load of `table` among the rows matching `where`, or None."""
    query = f"select {columns} from {table} where {where} order by {NEWEST_FIRST} limit 1"
    return connection.execute(query, parameters).fetchone()


def latest_load_matches(
    connection: duckdb.DuckDBPyConnection, table: str, digest: str, column: str, value: str
) -> str | None:
    """The latest load's id if it landed these same bytes read the same way (`column` = `value`):
    landing them again would change nothing."""
    latest = latest_load(connection, table, f"load_id, sha256, {column}")
    return latest[0] if latest and latest[1:] == (digest, value) else None


@contextmanager
def transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """`with transaction(con):` commits on success and rolls back on any error."""
    connection.execute("begin transaction")
    try:
        yield
    except BaseException:
        connection.execute("rollback")
        raise
    connection.execute("commit")


def append(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Bulk insert through Arrow (one statement, however many rows)."""
    rows = list(rows)
    if not rows:
        return
    import pyarrow as pa  # here, not at the top: most commands never append rows

    batch = pa.Table.from_arrays(
        [pa.array(values) for values in zip(*rows, strict=True)], names=list(columns)
    )
    connection.register("_batch", batch)
    try:
        connection.execute(f"insert into {table} ({', '.join(columns)}) select * from _batch")
    finally:
        connection.unregister("_batch")


def literal(value: str | int | datetime | None) -> str:
    """`value` as a SQL literal. Where a command must start fast, it builds its SQL with these rather than
    binding parameters: DuckDB imports pandas (~1 s) to bind any."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'::timestamptz"
    return "'" + str(value).replace("'", "''") + "'"


def _command_line(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return " ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)[:200] or None
