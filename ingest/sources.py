"""Where the postal-code page and the coordinates come from: a recorded snapshot, or the web
(recorded into a snapshot folder as they are fetched, when a recorder is given)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from ingest.coordinates.read import FORMAT_CSV, FORMAT_GEONAMES_ZIP, FORMATS
from ingest.errors import FetchError, NetworkUnavailableError, SnapshotError
from ingest.http import RetryPolicy, get_bytes
from ingest.settings import URL_ENVIRONMENT
from ingest.snapshot import Recorder, Snapshot

WIKIPEDIA_URL = "https://en.wikipedia.org/wiki/List_of_postal_codes_of_Canada:_M"
WIKIPEDIA_PATH = "wikipedia/List_of_postal_codes_of_Canada_M.html"

PROVIDER_COURSE = "course_csv"
PROVIDER_GEONAMES = "geonames"


@dataclass(frozen=True)
class CoordinateSource:
    """A live coordinates download and where a recording of it goes in a snapshot."""

    provider: str
    url: str
    path: str
    format: str
    license: str

    @property
    def url_environment(self) -> str:
        """The environment variable that points this source elsewhere (a mirror, a test server)."""
        return URL_ENVIRONMENT[self.provider]


COORDINATE_SOURCES = {
    PROVIDER_COURSE: CoordinateSource(
        PROVIDER_COURSE,
        "https://cocl.us/Geospatial_data",
        "coordinates/Geospatial_Coordinates.csv",
        FORMAT_CSV,
        "not stated (IBM Data Science course material)",
    ),
    PROVIDER_GEONAMES: CoordinateSource(
        PROVIDER_GEONAMES,
        "https://download.geonames.org/export/zip/CA.zip",
        "coordinates/geonames_CA.zip",
        FORMAT_GEONAMES_ZIP,
        "CC BY 4.0 (GeoNames)",
    ),
}
COORDINATE_PROVIDERS = tuple(COORDINATE_SOURCES)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Input:
    """Bytes of one input and what they are. A live input also says how to record it: the file
    it becomes in a snapshot and its manifest section."""

    source: str
    content: bytes
    format: str
    provider: str
    columns: dict[str, str] | None = None
    recording: tuple[str, str, dict[str, Any]] | None = None

    def record(self, recorder: Recorder | None) -> None:
        """Write a live input into the snapshot folder; called once the input has been accepted,
        so a bad answer never replaces a good recording."""
        if recorder is None or self.recording is None:
            return
        path, section_name, section = self.recording
        recorder.write(path, self.content)
        recorder.describe(section_name, section)


def page_from_snapshot(snapshot: Snapshot) -> Input:
    section = snapshot.section("postal_codes")
    path = _required(section, "path", "postal_codes")
    return Input(
        str(snapshot.path(path)),
        snapshot.read(path),
        section.get("format", "wikipedia_html"),
        "wikipedia",
    )


def page_from_web(session: requests.Session, url: str, *, policy: RetryPolicy | None = None) -> Input:
    content = get_bytes(session, url, what="the Wikipedia list of postal codes", policy=policy)
    section = {
        "format": "wikipedia_html",
        "path": WIKIPEDIA_PATH,
        "source_url": url,
        "retrieved_at": _now(),
        "license": "CC BY-SA 4.0 (Wikipedia text)",
    }
    return Input(
        url, content, "wikipedia_html", "wikipedia", recording=(WIKIPEDIA_PATH, "postal_codes", section)
    )


def coordinates_from_snapshot(snapshot: Snapshot) -> Input:
    section = snapshot.section("coordinates")
    path = _required(section, "path", "coordinates")
    file_format = section.get("format", FORMAT_CSV)
    if file_format not in FORMATS:
        raise SnapshotError(
            f"the snapshot's coordinates format {file_format!r} is unknown; expected one of {', '.join(FORMATS)}"
        )
    columns = section.get("columns")
    provider = section.get("provider") or (
        PROVIDER_COURSE if file_format == FORMAT_CSV else PROVIDER_GEONAMES
    )
    return Input(str(snapshot.path(path)), snapshot.read(path), file_format, provider, columns)


def coordinates_from_web(
    session: requests.Session, sources: list[CoordinateSource], *, policy: RetryPolicy | None = None
) -> Input:
    """The first source that answers: the course file's URL has gone away before, so GeoNames is
    the fallback."""
    failures: list[FetchError | NetworkUnavailableError] = []
    for source in sources:
        try:
            content = get_bytes(session, source.url, what=f"coordinates ({source.provider})", policy=policy)
        except (FetchError, NetworkUnavailableError) as error:
            log.warning("coordinates: %s failed: %s", source.provider, error)
            failures.append(error)
            continue
        section = {
            "format": source.format,
            "provider": source.provider,
            "path": source.path,
            "source_url": source.url,
            "retrieved_at": _now(),
            "license": source.license,
        }
        return Input(
            source.url,
            content,
            source.format,
            source.provider,
            recording=(source.path, "coordinates", section),
        )
    offline = all(isinstance(failure, NetworkUnavailableError) for failure in failures)
    error_type = NetworkUnavailableError if offline else FetchError
    raise error_type("no coordinates provider answered: " + " | ".join(map(str, failures)))


def _required(section: dict[str, Any], key: str, name: str) -> str:
    value = section.get(key)
    if not isinstance(value, str) or not value:
        raise SnapshotError(f"the snapshot manifest's {name!r} section has no {key!r}")
    return value


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
