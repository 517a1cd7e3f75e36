"""One polite HTTP session for every live source: a descriptive User-Agent, timeouts, a client-side
rate limit, and retries with exponential backoff and jitter that honour `Retry-After`."""

from __future__ import annotations

import dataclasses
import logging
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import requests
import tenacity
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from ingest import __version__
from ingest.errors import FetchError, FetchTimeoutError, NetworkUnavailableError
from ingest.settings import TIMEOUT_ENVIRONMENT

# (connect, read) seconds. A short connect timeout keeps a run without network from hanging.
DEFAULT_TIMEOUT = (5.0, 60.0)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

log = logging.getLogger(__name__)

OFFLINE_HINT = (
    "To run offline, replay a recorded snapshot instead: "
    "`make run SNAPSHOT=../shared/data/snapshots/toronto-2020-01` or "
    "`python -m ingest all --snapshot DIR`."
)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Waits grow as backoff, 2*backoff, 4*backoff ... (at most max_backoff), plus
    up to `jitter` seconds at random; a `Retry-After` answer waits at least that long."""

    attempts: int = 5
    connect_attempts: int = 2  # when the host cannot be reached at all, retrying rarely helps
    timeout_attempts: int = 2  # a server that let one read time out is slow: one more try, not four
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 60.0
    jitter_seconds: float = 1.0
    min_wait_after_429: float = 0.0  # the public Overpass instance asks for 30 s
    max_retry_after_seconds: float = 600.0  # a server asking for longer is an error, not a wait
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    timeout_from_user: bool = False  # a read timeout the user chose; providers keep it as it is
    sleep: Callable[[float], None] = time.sleep

    def with_read_timeout(self, seconds: float | None) -> RetryPolicy:
        """This policy with the user's read timeout, if they gave one."""
        if seconds is None:
            return self
        return dataclasses.replace(
            self, timeout=(min(self.timeout[0], seconds), seconds), timeout_from_user=True
        )


class RateLimiter:
    """At most `per_second` request starts per second, across threads."""

    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


def user_agent() -> str:
    """Identify the tool and, if the user set one, how to reach them (Wikimedia and Overpass ask for this)."""
    contact = os.environ.get("INGEST_CONTACT", "").strip()
    agent = f"neighbourhood-segmentation/{__version__} (postal-code segmentation with dbt and DuckDB"
    agent += f"; {contact})" if contact else ")"
    return f"{agent} python-requests/{requests.__version__}"


def make_session(*, pool_size: int = 16) -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = user_agent()
    return session


class _RetryableAnswer(Exception):
    def __init__(self, response: requests.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    what: str,
    policy: RetryPolicy | None = None,
    limiter: RateLimiter | None = None,
    **kwargs: Any,
) -> requests.Response:
    """Send a request, retrying connection failures, timeouts and 429/5xx answers. Returns the last
    answer whatever its status (the caller judges it); raises `NetworkUnavailableError` when the
    host cannot be reached and `FetchError` when every attempt timed out."""
    policy = policy or RetryPolicy()

    def attempt() -> requests.Response:
        if limiter:
            limiter.acquire()
        response = session.request(method, url, timeout=policy.timeout, **kwargs)
        if response.status_code in RETRY_STATUSES:
            raise _RetryableAnswer(response)
        return response

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(
            (_RetryableAnswer, requests.ConnectionError, requests.Timeout)
        ),
        stop=lambda state: _should_stop(state, policy),
        wait=lambda state: _wait_seconds(state, policy),
        before_sleep=lambda state: _log_wait(state, policy, what),
        sleep=policy.sleep,
        reraise=True,
    )
    try:
        return retrying(attempt)
    except _RetryableAnswer as answer:
        return answer.response
    except (requests.ConnectionError, requests.Timeout) as error:
        if _unreachable(error):
            raise NetworkUnavailableError(
                f"could not reach {url} to fetch {what} ({_short(error)}). {OFFLINE_HINT}"
            ) from error
        attempts = policy.timeout_attempts if isinstance(error, requests.Timeout) else policy.attempts
        raise FetchTimeoutError(
            f"{url} did not answer in time for {what} ({attempts} attempts, read timeout "
            f"{policy.timeout[1]:g} s; --timeout or {TIMEOUT_ENVIRONMENT} changes it)"
        ) from error


def get_bytes(session: requests.Session, url: str, *, what: str, policy: RetryPolicy | None = None) -> bytes:
    """GET a URL and return its body, or raise an error that names `what` was being fetched."""
    response = send(session, "GET", url, what=what, policy=policy)
    if response.status_code != 200:
        retried = " after retries" if response.status_code in RETRY_STATUSES else ""
        raise FetchError(f"{url} answered HTTP {response.status_code} when fetching {what}{retried}.")
    return response.content


def retry_after_seconds(response: requests.Response) -> float | None:
    """The `Retry-After` header as seconds (it may be a number or an HTTP date)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _should_stop(state: tenacity.RetryCallState, policy: RetryPolicy) -> bool:
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, _RetryableAnswer):
        asked = retry_after_seconds(error.response)
        if asked is not None and asked > policy.max_retry_after_seconds:
            return True
    return state.attempt_number >= _attempt_limit(error, policy)


def _attempt_limit(error: BaseException | None, policy: RetryPolicy) -> int:
    if _unreachable(error):
        return policy.connect_attempts
    if isinstance(error, requests.Timeout):
        return policy.timeout_attempts
    return policy.attempts


def _log_wait(state: tenacity.RetryCallState, policy: RetryPolicy, what: str) -> None:
    """Every backoff is said, with its reason and length (a long run must never wait in silence)."""
    error = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    if isinstance(error, _RetryableAnswer):
        reason = f"HTTP {error.response.status_code}"
        asked = retry_after_seconds(error.response)
        if asked is not None:
            reason += f", Retry-After {asked:g} s"
    elif isinstance(error, requests.Timeout):
        reason = "no answer in time"
    else:
        reason = f"connection failed: {type(error).__name__}"
    log.info(
        "%s: waiting %.1f s before attempt %d of %d (%s)",
        what, wait, state.attempt_number + 1, _attempt_limit(error, policy), reason,
    )  # fmt: skip


def _wait_seconds(state: tenacity.RetryCallState, policy: RetryPolicy) -> float:
    backoff = min(policy.max_backoff_seconds, policy.backoff_seconds * 2 ** (state.attempt_number - 1))
    wait = backoff + random.uniform(0, policy.jitter_seconds)
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, _RetryableAnswer):
        wait = max(wait, retry_after_seconds(error.response) or 0.0)
        if error.response.status_code == 429:
            wait = max(wait, policy.min_wait_after_429)
    return wait


def _unreachable(error: BaseException | None) -> bool:
    """True when the connection could not be made at all (no DNS, refused, connect timeout)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if not isinstance(error, requests.ConnectionError):
        return False
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _short(error: Exception) -> str:
    text = str(error)
    return text if len(text) < 300 else text[:300] + "..."
