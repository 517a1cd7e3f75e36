"""Fetch venues for every area, politely and resumably, and land each answer as it arrives.

Each area's response is committed on its own, so an interrupted run loses nothing it had
received, and the next run fetches only the areas without a fresh answer to the same request
(`refresh` re-fetches all, `max_age` those older than that). 401/403, a lost network and a
provider that times out for several areas in a row stop the run at once; any other failure is
reported with its area and the run goes on. Ctrl-C stops the run cleanly with its summary.
"""

from __future__ import annotations

import logging
import queue
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

import duckdb
import requests
from tqdm import tqdm

from ingest.errors import FetchError, FetchTimeoutError, IngestError, NetworkUnavailableError, SnapshotError
from ingest.http import RateLimiter, RetryPolicy
from ingest.postal_sets import default_area_set
from ingest.raw_store import new_load_id
from ingest.snapshot import Recorder, Snapshot
from ingest.venues.providers import (
    LICENCES,
    Area,
    AreaFetchError,
    AuthenticationError,
    VenueProvider,
    VenueQuery,
    VenueResponse,
    check_recorded,
)
from ingest.venues.store import (
    land_venue_response,
    land_venue_responses,
    latest_venue_fetches,
    latest_venue_response,
    request_fingerprint,
)

POSTAL_SECTION = "venues"  # a snapshot's venues of its postal set; other sets: "venues.<area set>"
_REPLAY_BATCH = 1000  # recorded responses landed per statement
DEFAULT_MAX_CONSECUTIVE_TIMEOUTS = 3
PROGRESS_EVERY_AREAS = 25
PROGRESS_EVERY_SECONDS = 10.0

log = logging.getLogger(__name__)


@dataclass
class FetchSummary:
    provider: str
    load_id: str
    landed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    not_attempted: list[str] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped early, if it did
    interrupted: bool = False  # stopped by Ctrl-C

    def describe(self) -> str:
        text = (
            f"venues ({self.provider}): {len(self.landed)} areas landed, {len(self.reused)} reused, "
            f"{len(self.failed)} failed, {len(self.not_attempted)} not attempted"
        )
        if self.failed:
            text += "\n" + "\n".join(f"  {code}: {reason}" for code, reason in sorted(self.failed.items()))
        if self.interrupted:
            text += (
                "\ninterrupted (Ctrl-C): what landed is kept; run the same command again to fetch the rest"
            )
        elif self.stopped:
            text += f"\nstopped early: {self.stopped}"
        return text


class _Progress:
    """A progress bar in a terminal; elsewhere a log line every N areas or S seconds."""

    def __init__(self, total: int, provider: str, bar: bool) -> None:
        self.total, self.provider, self.done = total, provider, 0
        self.started = self.last_line = time.monotonic()
        self.bar = tqdm(total=total, desc=f"venues ({provider})", unit="area") if bar else None

    def update(self, summary: FetchSummary) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update()
            return
        now = time.monotonic()
        if self.done % PROGRESS_EVERY_AREAS == 0 or now - self.last_line >= PROGRESS_EVERY_SECONDS:
            self.last_line = now
            log.info(
                "venues (%s): %d of %d areas done (%d landed, %d failed), %.0f s elapsed",
                self.provider, self.done, self.total, len(summary.landed), len(summary.failed), now - self.started,
            )  # fmt: skip

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def fetch_venues(
    connection: duckdb.DuckDBPyConnection,
    provider: VenueProvider,
    areas: Sequence[Area],
    query: VenueQuery,
    *,
    session: requests.Session,
    policy: RetryPolicy | None = None,
    refresh: bool = False,
    max_age: timedelta | None = None,
    recorder: Recorder | None = None,
    progress: bool = True,
    max_consecutive_timeouts: int = DEFAULT_MAX_CONSECUTIVE_TIMEOUTS,
    postal_area_set: str | None = None,
) -> FetchSummary:
    """Fetch the areas that need it, `provider.concurrency` at a time, landing each answer as it
    arrives. Workers are daemon threads: a Ctrl-C returns at once with the summary (interrupted),
    whatever requests are still in flight. A recording puts the postal set's answers where a
    snapshot's are (venues/<provider>/), another set's under venues/<set>/<provider>/."""
    summary = FetchSummary(provider.name, new_load_id())
    todo = _areas_to_fetch(connection, provider, areas, query, refresh, max_age, summary)
    if recorder:
        _record_reused(connection, recorder, provider.name, areas, summary.reused, postal_area_set)
    limiter = RateLimiter(provider.requests_per_second)
    area_policy = provider.retry_policy(policy or RetryPolicy())
    stop = threading.Event()
    pending: queue.Queue[Area] = queue.Queue()
    for area in todo:
        pending.put(area)
    # (area, its answer, why the fetch stops there or None), in the order the answers came.
    answers: queue.Queue[tuple[Area, VenueResponse | BaseException, str | None]] = queue.Queue()
    answering = threading.Lock()
    timeouts_in_a_row: list[str] = []

    def work() -> None:
        while not stop.is_set():
            try:
                area = pending.get_nowait()
            except queue.Empty:
                return
            answer: VenueResponse | BaseException
            try:
                answer = provider.fetch(session, area, query, area_policy, limiter)
            except Exception as error:  # reported with its area by the main thread
                answer = error
            with answering:  # a stop is decided as its answer is queued: no worker starts a request after it
                if isinstance(answer, FetchTimeoutError):
                    timeouts_in_a_row.append(area.area_id)
                else:
                    timeouts_in_a_row.clear()
                stops = _why_stop(provider.name, answer, timeouts_in_a_row, max_consecutive_timeouts)
                if stops:
                    stop.set()
                answers.put((area, answer, stops))

    workers = [
        threading.Thread(target=work, name=f"venues-{number}", daemon=True)
        for number in range(max(1, min(provider.concurrency, len(todo))))
    ]
    log.info(
        "venues (%s): %d areas to fetch, %d answered before; at most %d in flight, %g requests/s",
        provider.name, len(todo), len(summary.reused), len(workers), provider.requests_per_second,
    )  # fmt: skip
    progress_bar = _Progress(len(todo), provider.name, bar=progress and sys.stderr.isatty())
    finished: set[str] = set()
    # Ctrl-C sets a flag the loop reads: a KeyboardInterrupt raised while DuckDB lands an answer can
    # be swallowed by it (DuckDB checks for signals as a statement runs).
    ctrl_c = threading.Event()
    catches_ctrl_c = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, lambda *_: ctrl_c.set()) if catches_ctrl_c else None
    try:
        for worker in workers:
            worker.start()
        while len(finished) < len(todo) and not ctrl_c.is_set():
            try:
                area, answer, stops = answers.get(timeout=0.5)
            except queue.Empty:
                if not any(worker.is_alive() for worker in workers) and answers.empty():
                    break  # the workers stopped early (a stop): the rest is not attempted
                continue
            if isinstance(answer, VenueResponse):
                if recorder:  # recorded before landing: an area landed is always in the recording
                    recorder.write(
                        _recorded_path(provider.name, area, postal_area_set),
                        answer.body.encode("utf-8"),
                        flush=False,
                    )
                land_venue_response(connection, summary.load_id, answer)
                summary.landed.append(area.area_id)
                finished.add(area.area_id)
            else:
                finished.add(area.area_id)
                summary.failed[area.area_id] = getattr(answer, "reason", None) or str(answer)
                if stops:
                    summary.stopped = stops
                    break
                if not isinstance(answer, FetchError):
                    log.debug("%s: unexpected %r", area.area_id, answer)
            progress_bar.update(summary)
        summary.interrupted = ctrl_c.is_set()
    finally:
        stop.set()
        if catches_ctrl_c:
            signal.signal(signal.SIGINT, previous)
        progress_bar.close()
        summary.not_attempted = [area.area_id for area in todo if area.area_id not in finished]
        if recorder:
            _describe_recording(recorder, provider, query, areas, summary, postal_area_set)
    return summary


def _why_stop(
    provider: str, answer: VenueResponse | BaseException, timeouts_in_a_row: Sequence[str], max_timeouts: int
) -> str | None:
    """Why a fetch stops at this answer: a refused key or no network, or max_timeouts areas in a row
    that timed out (0: never); None when it goes on."""
    if isinstance(answer, AuthenticationError | NetworkUnavailableError):
        return str(answer)
    if max_timeouts and len(timeouts_in_a_row) >= max_timeouts:
        return (
            f"{provider} did not answer in time for {len(timeouts_in_a_row)} areas in a row "
            f"({', '.join(timeouts_in_a_row)}); giving up on it: it is down or overloaded. Try "
            "again later, another --endpoint, or a longer --timeout (--max-timeouts changes how "
            "many in a row are tolerated)"
        )
    return None


def is_interrupt(error: BaseException) -> bool:
    """Ctrl-C while DuckDB was running a statement: it stops the statement (rolled back) and raises
    its own error — an InterruptException, or an error that says KeyboardInterrupt (an insert from a
    Python relation) — caused by the KeyboardInterrupt."""
    return isinstance(error, KeyboardInterrupt | duckdb.InterruptException) or (
        isinstance(error, RuntimeError | duckdb.Error)
        and (
            isinstance(error.__cause__, KeyboardInterrupt)
            or "interrupted" in str(error).lower()
            or str(error).startswith("KeyboardInterrupt")
        )
    )


def replay_venues(
    connection: duckdb.DuckDBPyConnection, snapshot: Snapshot, postal_area_set: str | None
) -> list[FetchSummary]:
    """Land the recorded venue responses of a snapshot, one load per recorded area set: the section
    "venues" holds the postal set's (its areas are the page's postal codes), "venues.<set>" another
    set's. One file per area per provider."""
    sections = sorted(
        name for name in snapshot.manifest if name == POSTAL_SECTION or name.startswith(POSTAL_SECTION + ".")
    )
    if not sections:
        snapshot.section(POSTAL_SECTION)  # raises, naming what the manifest has
    summaries = []
    for name in sections:
        section = snapshot.section(name)
        area_set = section.get("area_set") or (
            (postal_area_set or _postal_set_of_recording(snapshot, section))
            if name == POSTAL_SECTION
            else name.split(".", 1)[1]
        )
        summaries.append(_replay_section(connection, snapshot, name, section, area_set))
    return summaries


def _replay_section(
    connection: duckdb.DuckDBPyConnection, snapshot: Snapshot, name: str, section: dict, area_set: str
) -> FetchSummary:
    provider = section.get("provider")
    folder = section.get("dir") or f"venues/{provider}"
    pattern = section.get("file_per_area", "{area_id}.json").replace("{postal_code}", "{area_id}")
    if not provider or "{area_id}" not in pattern:
        raise SnapshotError(
            f"the snapshot's {name} section needs a provider and a file_per_area with {{area_id}}"
        )
    prefix, suffix = pattern.split("{area_id}", 1)
    directory = snapshot.path(folder)
    if not directory.is_dir():
        raise SnapshotError(f"the snapshot {snapshot.root} lacks the folder {folder} its manifest names")
    summary = FetchSummary(provider, new_load_id())
    base_request = {"endpoint": section.get("endpoint"), **section.get("request", {})}
    requests_by_area = section.get("requests", {})
    fetched_at = _parse_time(section.get("retrieved_at"))
    batch: list[VenueResponse] = []
    for file in sorted(directory.iterdir()):
        if not (file.is_file() and file.name.startswith(prefix) and file.name.endswith(suffix)):
            continue
        area_id = unquote(file.name[len(prefix) : len(file.name) - len(suffix)])
        body = snapshot.read(f"{folder}/{file.name}").decode("utf-8", errors="replace")
        try:
            check_recorded(provider, area_id, body)
        except AreaFetchError as error:
            summary.failed[area_id] = f"{error.reason} (file {file})"
            continue
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
            summary.failed[area_id] = f"could not be read as a {provider} response ({error!r}) (file {file})"
            continue
        batch.append(
            VenueResponse(
                provider, area_set, area_id, requests_by_area.get(area_id, base_request), 200, str(file), body,
                fetched_at,
            )
        )  # fmt: skip
        if len(batch) >= _REPLAY_BATCH:
            _land_replayed(connection, summary, batch)
    _land_replayed(connection, summary, batch)
    if not summary.landed and not summary.reused and not summary.failed:
        raise SnapshotError(f"{directory} holds no recorded responses named {pattern}")
    return summary


def _postal_set_of_recording(snapshot: Snapshot, section: dict) -> str:
    """The postal set's default name, from the recorded areas' postal codes, when no page has
    landed to name it."""
    folder = snapshot.path(section.get("dir") or f"venues/{section.get('provider')}")
    codes = [file.stem for file in folder.iterdir() if file.is_file()] if folder.is_dir() else []
    try:
        return default_area_set(codes)
    except IngestError as error:
        raise SnapshotError(
            f"the snapshot's venues section is for the postal set, but no postal page has landed to name it, "
            f"and its files are not named by postal codes ({error}): land the page first"
        ) from error


def _land_replayed(
    connection: duckdb.DuckDBPyConnection, summary: FetchSummary, batch: list[VenueResponse]
) -> None:
    landed = set(land_venue_responses(connection, summary.load_id, batch))
    for response in batch:
        (summary.landed if response.area_id in landed else summary.reused).append(response.area_id)
    batch.clear()


def _areas_to_fetch(
    connection: duckdb.DuckDBPyConnection,
    provider: VenueProvider,
    areas: Sequence[Area],
    query: VenueQuery,
    refresh: bool,
    max_age: timedelta | None,
    summary: FetchSummary,
) -> list[Area]:
    latest = {
        area_set: latest_venue_fetches(connection, provider.name, area_set)
        for area_set in {a.area_set for a in areas}
    }
    now = datetime.now(UTC)
    todo: list[Area] = []
    for area in areas:
        previous = latest[area.area_set].get(area.area_id)
        same_request = previous is not None and previous[0] == request_fingerprint(
            provider.request(area, query)
        )
        young = previous is not None and (
            max_age is None or (previous[1] is not None and now - previous[1] <= max_age)
        )
        if same_request and young and not refresh:
            summary.reused.append(area.area_id)
        else:
            todo.append(area)
    return todo


def _record_reused(
    connection: duckdb.DuckDBPyConnection,
    recorder: Recorder,
    provider: str,
    areas: Sequence[Area],
    reused: Sequence[str],
    postal_area_set: str | None,
) -> None:
    """Areas answered by an earlier run go into the recording too, so that it replays whole."""
    by_id = {area.area_id: area for area in areas}
    for area_id in reused:
        area = by_id[area_id]
        path = _recorded_path(provider, area, postal_area_set)
        if (recorder.root / path).is_file():
            continue
        body = latest_venue_response(connection, provider, area.area_set, area_id)
        if body is not None:
            recorder.write(path, body.encode("utf-8"), flush=False)


def _recorded_folder(provider: str, area_set: str, postal_area_set: str | None) -> str:
    return f"venues/{provider}" if area_set == postal_area_set else f"venues/{area_set}/{provider}"


def _recorded_path(provider: str, area: Area, postal_area_set: str | None) -> str:
    return f"{_recorded_folder(provider, area.area_set, postal_area_set)}/{quote(area.area_id, safe='')}.json"


def _describe_recording(
    recorder: Recorder,
    provider: VenueProvider,
    query: VenueQuery,
    areas: Sequence[Area],
    summary: FetchSummary,
    postal_area_set: str | None,
) -> None:
    """The manifest's venues section of the set, with each recorded area's request (never a secret)."""
    area_set = areas[0].area_set if areas else postal_area_set
    name = POSTAL_SECTION if area_set == postal_area_set else f"{POSTAL_SECTION}.{area_set}"
    manifest_path = recorder.root / "manifest.json"
    previous = Snapshot(recorder.root).manifest.get(name, {}) if manifest_path.is_file() else {}
    requests_by_area = previous.get("requests", {}) if previous.get("provider") == provider.name else {}
    recorded = set(summary.landed) | set(summary.reused)  # a reused answer was asked the same way
    requests_by_area.update(
        {area.area_id: provider.request(area, query) for area in areas if area.area_id in recorded}
    )
    recorder.describe(
        name,
        {
            "provider": provider.name,
            "area_set": area_set,
            "endpoint": getattr(provider, "endpoint", None),
            "dir": _recorded_folder(provider.name, area_set, postal_area_set),
            "file_per_area": "{area_id}.json",
            "request": {"radius_m": query.radius_m, "limit": query.limit},
            "retrieved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "license": LICENCES.get(provider.name, ""),
            "requests": dict(sorted(requests_by_area.items())),
        },
    )


def _parse_time(value: object) -> datetime | None:
    """A manifest time such as 2020-01-15T19:42Z, or the start of an interval a/b."""
    if not isinstance(value, str) or not value:
        return None
    text = value.split("/")[0].strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
