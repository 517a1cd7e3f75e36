"""Venue providers: who is asked for the venues around an area's centre, and how.

Each provider returns the response body exactly as received (for a paged provider, the JSON array
of its pages' bodies, each as received), the request parameters without secrets, and the status.
Parsing the venues out of the JSON is the dbt staging models' job; here a body is only checked
to be the JSON the provider documents, so that an error page or a cut-off answer lands nothing.

- ``foursquare_v2``: the retired v2 ``venues/explore`` endpoint; replay of recorded responses only.
- ``foursquare``: today's Places API, ``GET https://places-api.foursquare.com/places/search`` with
  ``Authorization: Bearer <key>`` and ``X-Places-Api-Version: 2025-06-17``; ``limit`` is at most 50,
  so the ``link`` header's ``rel="next"`` cursor is followed up to the requested limit; 50
  queries/s at most (Pay-as-you-go). Key from env ``FOURSQUARE_API_KEY``.
- ``overpass``: OpenStreetMap through an Overpass API instance, no key: named amenity, shop,
  leisure and tourism features within the radius (``around:``), ``[out:json]``, ``out center``.
  The public instance wants a descriptive User-Agent, no parallel requests and >= 30 s after a 429.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from ingest.errors import FetchError, IngestError
from ingest.http import RateLimiter, RetryPolicy, send
from ingest.settings import live_url, project_settings

FOURSQUARE_KEY_ENV = "FOURSQUARE_API_KEY"


class AreaFetchError(FetchError):
    """One area's venues could not be fetched; the run goes on with the others."""

    def __init__(self, area_id: str, provider: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{area_id}: {provider} {reason}")
        self.area_id = area_id
        self.status = status
        self.reason = reason


class AuthenticationError(AreaFetchError):
    """The provider refused the key (401/403): retrying every area would only repeat it."""


class MissingKeyError(IngestError):
    """A provider that needs a key was chosen without one."""


@dataclass(frozen=True)
class Area:
    """An area to fetch venues for: its centre, and for a polygon area the radius of the circle
    that covers it (None: the query's radius, as for a point area)."""

    area_id: str
    latitude: float
    longitude: float
    area_set: str
    radius_m: int | None = None


@dataclass(frozen=True)
class VenueQuery:
    radius_m: int = 500
    limit: int = 100


@dataclass(frozen=True)
class VenueResponse:
    """What lands in raw.venue_responses for one area."""

    provider: str
    area_set: str
    area_id: str
    request: dict[str, Any]
    http_status: int
    source: str
    body: str
    fetched_at: datetime | None = field(default_factory=lambda: datetime.now(UTC))


class VenueProvider(Protocol):
    name: str
    concurrency: int
    requests_per_second: float

    def retry_policy(self, base: RetryPolicy) -> RetryPolicy: ...

    def request(self, area: Area, query: VenueQuery) -> dict[str, Any]: ...

    def fetch(
        self,
        session: requests.Session,
        area: Area,
        query: VenueQuery,
        policy: RetryPolicy,
        limiter: RateLimiter,
    ) -> VenueResponse: ...

    def check(self, area_id: str, body: str) -> None: ...


def parse_json(area_id: str, provider: str, text: str, content_type: str = "") -> Any:
    """The body as JSON, or an `AreaFetchError` that says what came instead."""
    stripped = text.lstrip()
    if "html" in content_type.lower() or stripped.startswith("<"):
        raise AreaFetchError(area_id, provider, f"answered HTML instead of JSON: {_snippet(text)}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise AreaFetchError(
            area_id,
            provider,
            f"answered invalid or truncated JSON ({error.msg} at character {error.pos})",
        ) from error


class FoursquareV2:
    """Foursquare's retired v2 venues/explore. New keys get HTTP 410: replay only."""

    name = "foursquare_v2"
    concurrency = 1
    requests_per_second = 1.0

    def retry_policy(self, base: RetryPolicy) -> RetryPolicy:
        return base

    def request(self, area: Area, query: VenueQuery) -> dict[str, Any]:
        return {
            "latitude": area.latitude,
            "longitude": area.longitude,
            "radius_m": area.radius_m or query.radius_m,
            "limit": query.limit,
        }

    def fetch(self, *_: object) -> VenueResponse:
        raise IngestError(
            "Foursquare's v2 API is retired (new keys get HTTP 410); replay recorded v2 responses with "
            "--snapshot, or fetch live with --provider foursquare or --provider overpass"
        )

    @classmethod
    def check(cls, area_id: str, body: str) -> None:
        envelope = parse_json(area_id, cls.name, body)
        meta = envelope.get("meta") if isinstance(envelope, dict) else None
        if not isinstance(meta, dict):
            raise AreaFetchError(
                area_id, cls.name, f"answered JSON of the wrong shape (no meta object): {_snippet(body)}"
            )
        if meta.get("code") != 200:
            raise AreaFetchError(
                area_id,
                cls.name,
                f"response has meta.code {meta.get('code')!r}: {meta.get('errorDetail', '')}",
            )
        response = envelope.get("response")
        groups = response.get("groups") if isinstance(response, dict) else None
        if not isinstance(groups, list) or not all(
            isinstance(group, dict)
            and isinstance(group.get("items"), list)
            and all(isinstance(item, dict) and isinstance(item.get("venue"), dict) for item in group["items"])
            for group in groups
        ):
            raise AreaFetchError(
                area_id,
                cls.name,
                f"answered JSON of the wrong shape: expected response.groups[].items[].venue, got {_snippet(body)}",
            )


class FoursquarePlaces:
    """Today's Foursquare Places API (version 2025-06-17)."""

    name = "foursquare"
    endpoint_default = "https://places-api.foursquare.com/places/search"
    api_version = "2025-06-17"
    page_limit = 50
    fields: ClassVar[str] = "fsq_place_id,name,latitude,longitude,distance,categories"

    def __init__(
        self,
        api_key: str,
        *,
        endpoint: str | None = None,
        concurrency: int = 16,
        requests_per_second: float = 50.0,
    ) -> None:
        if not api_key:
            raise MissingKeyError(
                f"the foursquare provider needs a Places API key in the environment variable "
                f"{FOURSQUARE_KEY_ENV} (https://foursquare.com/developers); or use --provider overpass, "
                "which needs no key"
            )
        self._api_key = api_key
        self.endpoint = endpoint or self.endpoint_default
        self.concurrency = concurrency
        self.requests_per_second = requests_per_second

    def __repr__(self) -> str:  # never show the key
        return f"FoursquarePlaces(endpoint={self.endpoint!r})"

    def retry_policy(self, base: RetryPolicy) -> RetryPolicy:
        return base

    def request(self, area: Area, query: VenueQuery) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "api_version": self.api_version,
            "ll": f"{area.latitude:.7f},{area.longitude:.7f}",
            "latitude": area.latitude,
            "longitude": area.longitude,
            "radius_m": area.radius_m or query.radius_m,
            "limit": query.limit,
            "sort": "DISTANCE",
            "fields": self.fields,
        }

    def fetch(
        self,
        session: requests.Session,
        area: Area,
        query: VenueQuery,
        policy: RetryPolicy,
        limiter: RateLimiter,
    ) -> VenueResponse:
        request = self.request(area, query)
        headers = {
            "Authorization": f"Bearer {self._api_key}",
            "X-Places-Api-Version": self.api_version,
            "Accept": "application/json",
        }
        url = _with_query(
            self.endpoint,
            {
                "ll": request["ll"],
                "radius": str(request["radius_m"]),
                "limit": str(min(self.page_limit, query.limit)),
                "sort": request["sort"],
                "fields": self.fields,
            },
        )
        pages: list[str] = []
        found = 0
        while True:
            response = send(
                session, "GET", url, what=f"venues for {area.area_id}", policy=policy,
                limiter=limiter, headers=headers,
            )  # fmt: skip
            _judge_status(response, area.area_id, self.name)
            page = parse_json(
                area.area_id, self.name, response.text, response.headers.get("Content-Type", "")
            )
            self._check_page(area.area_id, page)
            pages.append(response.text)
            found += len(page["results"])
            following = response.links.get("next", {}).get("url")
            if not following or not page["results"] or found >= query.limit:
                break
            url = _next_page(
                self.endpoint, following, min(self.page_limit, query.limit - found), area, self.name
            )
        request["pages"] = len(pages)
        return VenueResponse(
            self.name, area.area_set, area.area_id, request, 200, self.endpoint, "[" + ",".join(pages) + "]"
        )

    @classmethod
    def check(cls, area_id: str, body: str) -> None:
        pages = parse_json(area_id, cls.name, body)
        if not isinstance(pages, list) or not pages:
            raise AreaFetchError(area_id, cls.name, "recording should be a JSON array of response pages")
        for page in pages:
            cls._check_page(area_id, page)

    @classmethod
    def _check_page(cls, area_id: str, page: Any) -> None:
        results = page.get("results") if isinstance(page, dict) else None
        if not isinstance(results, list):
            raise AreaFetchError(
                area_id, cls.name, f"answered JSON without a results list: {_snippet(str(page))}"
            )
        if not all(isinstance(place, dict) for place in results):
            raise AreaFetchError(
                area_id, cls.name, f"answered results that are not places: {_snippet(str(results))}"
            )


class Overpass:
    """OpenStreetMap features through an Overpass API instance."""

    name = "overpass"
    endpoint_default = "https://overpass-api.de/api/interpreter"
    concurrency = 1  # the public instance allows no parallel requests

    def __init__(
        self,
        *,
        endpoint: str | None = None,
        requests_per_second: float = 0.5,
        timeout_seconds: int = 60,
        min_wait_after_429: float = 30.0,
    ) -> None:
        self.endpoint = endpoint or self.endpoint_default
        self.requests_per_second = requests_per_second
        self.timeout_seconds = timeout_seconds
        self.min_wait_after_429 = min_wait_after_429
        # The tags that make a place a venue, shared with the dbt models (dbt_project.yml).
        self.tag_keys = project_settings().osm_tag_keys

    def retry_policy(self, base: RetryPolicy) -> RetryPolicy:
        """The server may take its own timeout (`[timeout:N]`) to answer, and asks for a pause after
        a 429. A read timeout the user chose is kept as it is."""
        read_timeout = (
            base.timeout[1] if base.timeout_from_user else max(base.timeout[1], self.timeout_seconds + 30.0)
        )
        return dataclasses.replace(
            base,
            min_wait_after_429=max(base.min_wait_after_429, self.min_wait_after_429),
            timeout=(base.timeout[0], read_timeout),
        )

    def query(self, area: Area, query: VenueQuery) -> str:
        around = f"around:{area.radius_m or query.radius_m},{area.latitude:.7f},{area.longitude:.7f}"
        selectors = "".join(f'  nwr({around})["name"]["{key}"];\n' for key in self.tag_keys)
        return f"[out:json][timeout:{self.timeout_seconds}];\n(\n{selectors});\nout center tags;\n"

    def request(self, area: Area, query: VenueQuery) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "query": self.query(area, query),
            "latitude": area.latitude,
            "longitude": area.longitude,
            "radius_m": area.radius_m or query.radius_m,
            "limit": query.limit,
        }

    def fetch(
        self,
        session: requests.Session,
        area: Area,
        query: VenueQuery,
        policy: RetryPolicy,
        limiter: RateLimiter,
    ) -> VenueResponse:
        request = self.request(area, query)
        response = send(
            session, "POST", self.endpoint, what=f"venues for {area.area_id}", policy=policy,
            limiter=limiter, data={"data": request["query"]},
        )  # fmt: skip
        _judge_status(response, area.area_id, self.name)
        self.check(area.area_id, response.text, response.headers.get("Content-Type", ""))
        return VenueResponse(
            self.name, area.area_set, area.area_id, request, 200, self.endpoint, response.text
        )

    @classmethod
    def check(cls, area_id: str, body: str, content_type: str = "") -> None:
        answer = parse_json(area_id, cls.name, body, content_type)
        elements = answer.get("elements") if isinstance(answer, dict) else None
        if not isinstance(elements, list) or not all(isinstance(element, dict) for element in elements):
            raise AreaFetchError(
                area_id, cls.name, f"answered JSON without an elements list: {_snippet(body)}"
            )
        remark = str(answer.get("remark", ""))
        if "error" in remark.lower():
            # Overpass reports a timeout or out-of-memory as HTTP 200 with a partial result.
            raise AreaFetchError(area_id, cls.name, f"reported an incomplete result: {remark}")


PROVIDERS: dict[str, type[FoursquareV2] | type[FoursquarePlaces] | type[Overpass]] = {
    FoursquareV2.name: FoursquareV2,
    FoursquarePlaces.name: FoursquarePlaces,
    Overpass.name: Overpass,
}

# The providers `ingest venues --provider` fetches from (Overture's release too, ingest.overture);
# FoursquareV2's answers are replayed only. Every name is one of var venue_providers (tested).
LIVE = (FoursquarePlaces.name, Overpass.name)

LICENCES = {
    FoursquareV2.name: "Foursquare data, Foursquare API terms; for testing only, never redistribute",
    FoursquarePlaces.name: "Foursquare data, Foursquare Places API terms; never redistribute",
    Overpass.name: "© OpenStreetMap contributors, ODbL 1.0",
}


def check_recorded(provider: str, area_id: str, body: str) -> None:
    """Check a recorded response as the provider's live answers are checked."""
    if provider not in PROVIDERS:
        raise IngestError(
            f"unknown venue provider {provider!r} in the snapshot; expected one of {sorted(PROVIDERS)}"
        )
    PROVIDERS[provider].check(area_id, body)


def make_provider(
    name: str,
    *,
    endpoint: str | None = None,
    concurrency: int | None = None,
    requests_per_second: float | None = None,
    read_timeout: float | None = None,
) -> VenueProvider:
    """A provider by name; `auto` is foursquare when a key is set, else overpass. The endpoint is
    `endpoint`, else the provider's environment variable (INGEST_FOURSQUARE_ENDPOINT,
    INGEST_OVERPASS_ENDPOINT), else its public default."""
    key = os.environ.get(FOURSQUARE_KEY_ENV, "").strip()
    if name == "auto":
        name = FoursquarePlaces.name if key else Overpass.name
    if name == FoursquarePlaces.name:
        return FoursquarePlaces(
            key,
            endpoint=endpoint or live_url(name, FoursquarePlaces.endpoint_default),
            concurrency=concurrency or 16,
            requests_per_second=requests_per_second or 50.0,
        )
    if name == Overpass.name:
        if concurrency and concurrency > 1:
            raise IngestError("the public Overpass instance allows no parallel requests: drop --concurrency")
        return Overpass(
            endpoint=endpoint or live_url(name, Overpass.endpoint_default),
            requests_per_second=requests_per_second or 0.5,
            # Ask the server to stop before the client gives up on it.
            timeout_seconds=max(1, min(60, int(read_timeout) - 5)) if read_timeout else 60,
        )
    if name == FoursquareV2.name:
        return FoursquareV2()
    raise IngestError(f"unknown venue provider {name!r}; expected one of {', '.join(PROVIDERS)}")


def _judge_status(response: requests.Response, area_id: str, provider: str) -> None:
    status = response.status_code
    if status in (401, 403):
        raise AuthenticationError(
            area_id, provider,
            f"refused the request with HTTP {status}: check the API key (env {FOURSQUARE_KEY_ENV}) "
            "and its permissions; stopping the run",
            status,
        )  # fmt: skip
    if status != 200:
        raise AreaFetchError(area_id, provider, f"answered HTTP {status}: {_snippet(response.text)}", status)


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    merged = dict(parse_qsl(parts.query))
    merged.update(params)
    return urlunsplit(parts._replace(query=urlencode(merged)))


def _next_page(endpoint: str, following: str, limit: int, area: Area, provider: str) -> str:
    """The next page's URL from the `link` header, on the same origin (the key goes with it)."""
    start, link = urlsplit(endpoint), urlsplit(following)
    if (link.scheme, link.netloc) != (start.scheme, start.netloc):
        raise AreaFetchError(area.area_id, provider, f"sent a next-page link to another host: {link.netloc}")
    return _with_query(following, {"limit": str(limit)})


def _snippet(text: str, length: int = 120) -> str:
    flat = " ".join(text.split())
    return repr(flat[:length] + ("..." if len(flat) > length else ""))
