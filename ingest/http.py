"""One polite HTTP session: a descriptive User-Agent, timeouts, retries with backoff and jitter."""

from __future__ import annotations

import os

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ingest import __version__
from ingest.errors import FetchError, NetworkUnavailableError

# (connect, read) seconds. A short connect timeout keeps a run without network from hanging.
DEFAULT_TIMEOUT = (5.0, 60.0)
RETRY_STATUSES = (429, 500, 502, 503, 504)

OFFLINE_HINT = (
    "To run offline, replay a recorded snapshot instead: "
    "`make run SNAPSHOT=../shared/data/snapshots/toronto-2020-01` or "
    "`python -m ingest all --snapshot DIR`."
)


def user_agent() -> str:
    """Identify the tool and, if the user set one, how to reach them (Wikimedia and Overpass ask for this)."""
    contact = os.environ.get("INGEST_CONTACT", "").strip()
    agent = f"neighbourhood-segmentation/{__version__} (postal-code segmentation with dbt and DuckDB"
    agent += f"; {contact})" if contact else ")"
    return f"{agent} python-requests/{requests.__version__}"


def make_session(*, retries: int = 4, backoff_seconds: float = 1.0) -> requests.Session:
    """A session that retries connection failures and 429/5xx answers with exponential backoff,
    jitter and `Retry-After`, then hands the last answer back to the caller."""
    retry = Retry(
        total=retries,
        connect=1,
        read=retries,
        status=retries,
        backoff_factor=backoff_seconds,
        backoff_jitter=backoff_seconds / 2,
        backoff_max=120,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=None,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_maxsize=16)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = user_agent()
    return session


def get_bytes(session: requests.Session, url: str, *, what: str) -> bytes:
    """GET a URL and return its body, or raise an error that names `what` was being fetched."""
    try:
        response = session.get(url, timeout=DEFAULT_TIMEOUT)
    except (requests.ConnectionError, requests.Timeout) as error:
        raise NetworkUnavailableError(
            f"could not reach {url} to fetch {what} ({_reason(error)}). {OFFLINE_HINT}"
        ) from error
    if response.status_code != 200:
        raise FetchError(
            f"{url} answered HTTP {response.status_code} when fetching {what}"
            f"{' after retries' if response.status_code in RETRY_STATUSES else ''}."
        )
    return response.content


def _reason(error: Exception) -> str:
    text = str(error)
    return text if len(text) < 300 else text[:300] + "..."
