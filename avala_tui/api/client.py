"""The async HTTP client of the Avala API: typed results, typed errors, bounded retries.

Every failure surfaces as one of the errors in :mod:`avala_tui.api.errors`; nothing
from httpx escapes. The API key travels in one header, only ever to the configured
base URL: redirects are not followed and pagination links are never fetched — only
their ``cursor`` is taken, and sent with the caller's own filters to the base URL.

Retries (all requests are idempotent GETs): a 408, a 429, a 5xx, a transport failure
or a body that is not decodable JSON (an HTML page from a proxy, a body cut off in
transit) is retried up to ``max_retries`` times with full-jitter exponential backoff.
No other 4xx is ever retried, not even when its body was cut off: the same request
gets the same refusal. A body of the wrong *shape* is not retried either. A 3xx is an
:class:`APIStatusError` (not a ProtocolError, which is marked retryable) because a
redirect is the server's deliberate, stable answer — usually a wrong base URL — and
following it could hand the key to another host.

One rate gate per client: a throttle applies to the key, not to one request. After a
429 (or a 503 with ``Retry-After``), or a response saying ``X-RateLimit-Remaining: 0``
with a reset ahead, no request of any kind leaves the client until that moment; every
request waits at the gate (:attr:`AvalaClient.throttle` says until when, for the UI).
The wait after a 429/503 is at least 1 s and at most 10 minutes whatever the server
says (:func:`~avala_tui.api._retry.throttle_wait`). A wait longer than
``max_retry_wait`` is not slept through: :class:`RateLimitedError` is raised at once
so the UI can show it instead of hanging.

Every request has a total deadline (``deadline``, 30 s by default) over connecting,
the headers and the whole body: httpx's own timeouts apply per read, so a server
trickling a byte at a time would otherwise hold a request forever.

Text the server controls never reaches a message unbounded: it is redacted first
(the key), then its control characters are escaped, then it is clipped, in that
order so that a key straddling the cut cannot survive in part.

Listings are lenient per row: a row that is not an object, has no usable ``uid``
or cannot be read is skipped and counted in :attr:`Page.skipped`.

Why a small loop rather than a library: tenacity fits (custom ``retry``, ``wait``
and ``stop`` callbacks, injectable ``sleep``), but the three callbacks would each
dig the Retry-After out of the exception and the result is longer and less typed
than the loop. stamina adds, not multiplies, its jitter (no full jitter), and its
sleep cannot be injected (only zeroed in its test mode), so tests could not check
the waits. httpx-retries retries inside the transport, so it cannot see a body cut
off after the headers, and it clamps a long Retry-After to its maximum wait and
retries early rather than giving up. None is worth a dependency for this loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from ipaddress import ip_address
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self, TypeVar
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from avala_tui import __version__
from avala_tui.api._redact import REDACTED, redact_secret
from avala_tui.api._retry import (
    MAX_THROTTLE_WAIT,
    MIN_THROTTLE_WAIT,
    full_jitter_backoff,
    parse_retry_after,
    throttle_wait,
)
from avala_tui.api.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    AvalaError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    RetryLaterError,
    ServerError,
)
from avala_tui.api.models import ApiRecord, Page, Project, Task, UnreadableRow

if TYPE_CHECKING:
    from avala_tui.api.tally import TaskTally

DEFAULT_BASE_URL: Final = "https://api.avala.ai/api/v1"
API_KEY_HEADER: Final = "X-Avala-Api-Key"
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=5.0)
#: Seconds one request may take in all: connecting, the headers and the whole body.
DEFAULT_DEADLINE: Final = 30.0
#: A page of 100 tasks is ~30 KB; anything near this is a broken or hostile server.
MAX_BODY_BYTES: Final = 32 * 1024 * 1024
#: API-provided text longer than this is cut before it becomes an error message.
_MAX_MESSAGE_CHARS: Final = 300
#: Reasons kept on a page for its skipped rows; the count is always exact.
_MAX_SKIP_REASONS: Final = 5

#: What json.loads raises on a body that is not JSON. RecursionError: a deeply nested
#: document is as undecodable as a cut-off one.
_UNDECODABLE: Final = (ValueError, RecursionError)
_STATUS_ERRORS: Final[dict[int, tuple[type[APIStatusError], str]]] = {
    401: (AuthenticationError, "Authentication failed"),
    403: (PermissionDeniedError, "Permission denied"),
    404: (NotFoundError, "Not found"),
    408: (RequestTimeoutError, "The server timed out waiting for the request"),
}

_log = logging.getLogger("avala_tui.api")

ModelT = TypeVar("ModelT", bound=ApiRecord)
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RateLimitStatus:
    """The X-RateLimit-* headers of the newest request whose response carried any.

    "Newest" by when the request was sent, not when its answer arrived: with requests
    in flight together, a slow answer carries an older count and must not replace a
    newer one.
    """

    limit: int | None
    remaining: int | None
    #: When the window resets, in epoch seconds.
    reset: float | None
    #: When the response carrying these headers arrived, in epoch seconds.
    observed_at: float

    def expired(self, now: float) -> bool:
        """Whether the window these figures describe has reset by ``now`` (epoch seconds).

        A "0 left" from a window that has since reset is no longer true; the UI should
        not show it as current.
        """
        return self.reset is not None and now >= self.reset


@dataclass(frozen=True, slots=True)
class Throttle:
    """The client's rate gate: until when no request leaves, and why. Read-only."""

    #: A :func:`time.monotonic` moment; None when the gate has never been closed.
    until: float | None = None
    #: Why, in a few words for a status line ("rate limited (429)"); None when open.
    reason: str | None = None
    #: The wait the server asked for in seconds, before the floor and the ceiling.
    requested: float | None = None
    #: The HTTP status that closed the gate (429, 503), or None for a spent quota.
    status_code: int | None = None

    def seconds_left(self, now: float | None = None) -> float:
        """Seconds until requests may leave again (0 when open); ``now`` is monotonic."""
        if self.until is None:
            return 0.0
        if now is None:
            now = time.monotonic()
        return max(0.0, self.until - now)

    @property
    def capped(self) -> bool:
        """Whether the server asked for longer than the client will wait."""
        return self.requested is not None and self.requested > MAX_THROTTLE_WAIT


@dataclass(slots=True)
class ClientStats:
    """Counters of the client's traffic, for benchmarks and tests."""

    #: HTTP requests sent, retries included.
    requests: int = 0
    #: Of those, how many were retries.
    retries: int = 0
    #: Requests sent per endpoint kind ("tasks.list", "tasks.get", "projects.list").
    by_kind: dict[str, int] = field(default_factory=dict)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _normalise_base_url(base_url: str) -> str:
    """Check ``base_url`` is safe to send the key to; return it without a trailing slash."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"The base URL {base_url!r} needs an http(s) scheme and a host, "
            f"like {DEFAULT_BASE_URL!r}."
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError("The base URL must not contain a user name or password.")
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"The base URL {base_url!r} must not have a query string or fragment."
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"Refusing plain http:// for {parts.hostname}: the API key would cross the "
            "network unencrypted. Use https:// (http:// is allowed only for loopback hosts)."
        )
    normalised = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    try:
        httpx.URL(normalised)
        _ = parts.port  # urlsplit range-checks the port only when it is read
    except (httpx.InvalidURL, ValueError) as exc:
        raise ConfigurationError(f"The base URL {base_url!r} is not valid: {exc}") from None
    return normalised


def _tls_context(base_url: str) -> ssl.SSLContext | bool:
    """What httpx verifies TLS with: its default (certifi's bundle) unless no TLS is spoken.

    Loading the CA bundle costs ~50 ms of a start measured in hundreds. A plain-http base
    URL (the loopback demo, a local proxy) never opens TLS, as redirects are not followed,
    so it gets a context with verification on and no CA loaded: it would refuse any TLS
    peer rather than trust one unchecked.
    """
    if urlsplit(base_url).scheme == "http":
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return True


def _task_path(uid: str) -> str:
    """The path of one task, with ``uid`` quoted so it stays one segment under /tasks/."""
    if not uid:
        raise ValueError("A task uid cannot be empty.")
    # surrogatepass: a uid the server sent with a lone surrogate (valid JSON) goes back as sent.
    segment = quote(uid, safe="", errors="surrogatepass")
    # quote() leaves dots alone, and httpx resolves "." and ".." segments away.
    if segment in (".", ".."):
        segment = segment.replace(".", "%2E")
    return f"/tasks/{segment}/"


def _status_label(status: int) -> str:
    # The standard phrase, never the server's own reason text, which could be anything.
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _escape_controls(text: str) -> str:
    """``text`` with every non-printable character (C0/C1 controls, bidi overrides,
    zero-width marks, lone surrogates) spelt as a ``\\x1b``-style escape."""
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


def _clip(text: str, secret: str = "") -> str:
    """Server text made fit for a message: key redacted, controls escaped, then clipped.

    The order matters: clipping first could cut the key in two and leave a long piece
    of it that redaction no longer recognises.
    """
    text = redact_secret(text, secret)
    # Cheap pre-cut (the key is gone already) so escaping a huge text stays cheap.
    text = text[: _MAX_MESSAGE_CHARS * 4]
    text = _escape_controls(" ".join(text.split()))
    # Escaping adds characters only; a key of printable ASCII cannot appear, but a
    # second pass costs nothing next to the risk.
    text = redact_secret(text, secret)
    if len(text) > _MAX_MESSAGE_CHARS:
        return text[: _MAX_MESSAGE_CHARS - 1] + "…"
    return text


def _field_errors(body: object) -> dict[str, list[str]]:
    """Per-field messages from a 400/422 body, whichever of the usual shapes it has.

    Django REST Framework sends ``{"field": ["msg", ...]}`` (or a string per field);
    some servers nest that under ``detail``; FastAPI-style servers send a ``detail``
    list of ``{"loc": [...], "msg": ...}``.
    """
    if not isinstance(body, dict):
        return {}
    detail = body.get("detail")
    if isinstance(detail, dict):
        body = detail
    elif isinstance(detail, list):
        errors: dict[str, list[str]] = {}
        for item in detail:
            if isinstance(item, dict) and isinstance(item.get("msg"), str):
                loc = item.get("loc")
                name = str(loc[-1]) if isinstance(loc, list) and loc else "request"
                errors.setdefault(name, []).append(item["msg"])
        return errors
    errors = {}
    for name, messages in body.items():
        if name == "detail":
            continue
        if isinstance(messages, str):
            errors[str(name)] = [messages]
        elif isinstance(messages, list):
            errors[str(name)] = [str(message) for message in messages]
    return errors


def _cursor_from_link(link: object, which: str) -> str | None:
    """The ``cursor`` query parameter of a pagination link; the link itself is never used."""
    if link is None:
        return None
    if not isinstance(link, str):
        raise ProtocolError(f"The server sent a {which} link that is not a string.")
    try:
        query = urlsplit(link).query
    except ValueError:
        # urlsplit refuses some malformed links outright ("http://[x").
        raise ProtocolError(f"The server sent a {which} link that is not a URL.") from None
    values = parse_qs(query).get("cursor")
    if not values or not values[0]:
        raise ProtocolError(f"The server sent a {which} link without a cursor.")
    cursor = values[0]
    try:
        cursor.encode("utf-8")
    except UnicodeEncodeError:
        # JSON allows a lone surrogate ("\ud800") in a link; it could never be sent back.
        raise ProtocolError(f"The server sent a {which} link whose cursor is not text.") from None
    return cursor


def _parse_item(row: object, model: type[ModelT], label: str) -> ModelT:
    """Read one object of ``model``; ``label`` names it in errors ("task #3").

    Messages name the fields, never echo their values: they may be huge or hostile.
    """
    try:
        return model.read(row)
    except UnreadableRow as exc:
        raise ProtocolError(_clip(f"The server sent {label} {exc}.")) from exc


def _parse_page(body: object, model: type[ModelT]) -> Page[ModelT]:
    if not isinstance(body, dict):
        raise ProtocolError("The server sent a listing that is not a JSON object.")
    results = body.get("results")
    if not isinstance(results, list):
        raise ProtocolError("The server sent a listing without a results list.")
    what = model.__name__.lower()
    items: list[ModelT] = []
    skipped = 0
    reasons: list[str] = []
    for number, row in enumerate(results, start=1):
        try:
            items.append(_parse_item(row, model, f"{what} #{number}"))
        except ProtocolError as exc:
            # One odd row must not hide the rest of its page from the user.
            skipped += 1
            if len(reasons) < _MAX_SKIP_REASONS:
                reasons.append(exc.message)
    return Page(
        items=items,
        next_cursor=_cursor_from_link(body.get("next"), "next"),
        previous_cursor=_cursor_from_link(body.get("previous"), "previous"),
        skipped=skipped,
        skip_reasons=reasons,
    )


def _parse_tallies(body: object) -> Page[TaskTally]:
    """A listing read as tallies: the whole page in one strict pass, else row by row."""
    from avala_tui.api.tally import TaskTally, read_tallies

    if isinstance(body, dict) and isinstance(results := body.get("results"), list):
        items = read_tallies(results)
        if items is not None:
            return Page(
                items=items,
                next_cursor=_cursor_from_link(body.get("next"), "next"),
                previous_cursor=_cursor_from_link(body.get("previous"), "previous"),
            )
    page = _parse_page(body, Task)
    return Page(
        items=[TaskTally.of(task) for task in page.items],
        next_cursor=page.next_cursor,
        previous_cursor=page.previous_cursor,
        skipped=page.skipped,
        skip_reasons=page.skip_reasons,
    )


def _header_int(headers: httpx.Headers, name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, ValueError):
        return None


def _header_epoch(headers: httpx.Headers, name: str, now: float) -> float | None:
    try:
        value = float(headers[name])
    except (KeyError, ValueError):
        return None
    if not math.isfinite(value):
        return None
    # The reference says epoch seconds; a small number can only be seconds-from-now.
    return value if value > 1e9 else now + value


class AvalaClient:
    """An async client of the Avala API holding one long-lived HTTP connection pool."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: httpx.Timeout | None = None,
        max_retries: int = 2,
        max_retry_wait: float = 60.0,
        backoff_base: float = 0.5,
        deadline: float = DEFAULT_DEADLINE,
        sleep: Sleep = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        api_key = api_key.strip()
        if not api_key:
            raise ConfigurationError("No API key was given (set AVALA_API_KEY).")
        if not (api_key.isascii() and api_key.isprintable()) or " " in api_key:
            # Never echo the key, not even in this message.
            raise ConfigurationError(
                "The API key contains spaces, control or non-ASCII characters; check its value."
            )
        if max_retries < 0:
            raise ValueError("max_retries cannot be negative.")
        if not deadline > 0:
            raise ValueError("deadline must be positive.")
        self.base_url = _normalise_base_url(base_url)
        self._api_key = api_key
        self._max_retries = max_retries
        self._max_retry_wait = max_retry_wait
        self._backoff_base = backoff_base
        self._deadline = deadline
        self._sleep = sleep
        self.rate_limit: RateLimitStatus | None = None
        self._throttle = Throttle()
        # Requests numbered as they are sent, so that a late answer's rate-limit figures
        # cannot overwrite those of a request sent after it.
        self._sent = 0
        self._rate_limit_seq = -1
        self.stats = ClientStats()
        self._http = httpx.AsyncClient(
            verify=_tls_context(self.base_url),
            headers={
                API_KEY_HEADER: api_key,
                "Accept": "application/json",
                "User-Agent": f"avala-tui/{__version__} (+httpx)",
            },
            timeout=timeout or DEFAULT_TIMEOUT,
            follow_redirects=False,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"AvalaClient(base_url={self.base_url!r})"

    @property
    def host(self) -> str:
        """The base URL's host, with its port when it has one (for a status line)."""
        return urlsplit(self.base_url).netloc

    def redact(self, text: str) -> str:
        """Return ``text`` with this client's API key masked."""
        return redact_secret(text, self._api_key)

    @property
    def throttle(self) -> Throttle:
        """The rate gate: until when no request leaves, and why (a snapshot)."""
        return self._throttle

    def _clip(self, text: str) -> str:
        return _clip(text, self._api_key)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        await self._http.aclose()

    async def list_tasks(
        self,
        *,
        project: str | None = None,
        status: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[Task]:
        """One page of the tasks visible to the key, newest first."""
        params = {"project": project, "status": status, "cursor": cursor, "limit": limit}
        body = await self._get("tasks.list", "/tasks/", params)
        return _parse_page(body, Task)

    async def list_task_tallies(
        self,
        *,
        project: str | None = None,
        status: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[TaskTally]:
        """A page of the same listing, read only as far as a count needs (see TaskTally)."""
        params = {"project": project, "status": status, "cursor": cursor, "limit": limit}
        body = await self._get("tasks.list", "/tasks/", params)
        return _parse_tallies(body)

    async def get_task(self, uid: str) -> Task:
        """One task by uid; a ProtocolError naming ``uid`` when the answer is another task."""
        body = await self._get("tasks.get", _task_path(uid), {})
        task = _parse_item(body, Task, "a task")
        if task.uid != uid:
            # Shown as if it were the asked task, it would mislead; and the detail pane
            # waiting for an answer about ``uid`` would wait forever.
            error = ProtocolError(
                f"Asked for task {self._clip(uid)}, the server answered with another task."
            )
            error.retryable = False
            raise error
        return task

    async def list_projects(
        self, *, cursor: str | None = None, limit: int | None = None
    ) -> Page[Project]:
        """One page of the projects of the key's user."""
        params = {"cursor": cursor, "limit": limit}
        body = await self._get("projects.list", "/users/me/projects/", params)
        return _parse_page(body, Project)

    async def _get(self, kind: str, path: str, params: Mapping[str, str | int | None]) -> object:
        """GET ``path`` under the base URL and decode its JSON, retrying transient faults."""
        query = {name: value for name, value in params.items() if value is not None}
        attempt = 0
        while True:
            await self._pass_gate()
            try:
                return await self._get_once(kind, path, query)
            except AvalaError as exc:
                delay = self._retry_delay(exc, attempt)
                if delay is None:
                    raise
                attempt += 1
                self.stats.retries += 1
                _log.debug(
                    "retry %d/%d of GET %s in %.2f s after %s",
                    attempt,
                    self._max_retries,
                    path,
                    max(delay, self._throttle.seconds_left()),
                    self.redact(repr(exc)),
                )
                if delay:
                    await self._sleep(delay)

    def _retry_delay(self, exc: AvalaError, attempt: int) -> float | None:
        """How long to back off before retrying after ``exc``, or None to give up now.

        A throttle's wait is the gate's, slept at the gate before the retry (so 0 here).
        """
        if attempt >= self._max_retries or not exc.retryable:
            return None
        backoff = full_jitter_backoff(attempt, base=self._backoff_base)
        if isinstance(exc, RetryLaterError) and (
            exc.status_code == 429 or (exc.status_code == 503 and exc.retry_after is not None)
        ):
            if exc.retry_after is None:
                # A 429 without a usable hint: back off as for any fault, above the floor.
                self._close_gate(max(MIN_THROTTLE_WAIT, backoff), exc.status_code, None)
            return None if self._throttle.seconds_left() > self._max_retry_wait else 0.0
        # A 503 without Retry-After is an outage like a 502 or 504, not a throttle.
        return backoff

    def _close_gate(self, wait: float, status: int | None, requested: float | None) -> None:
        """Hold every request for ``wait`` seconds from now (never shortening a longer hold)."""
        until = time.monotonic() + wait
        if self._throttle.until is not None and self._throttle.until >= until:
            return
        if status == 429:
            reason = "rate limited (429)"
        elif status == 503:
            reason = "server unavailable (503)"
        else:
            reason = "rate limit spent"
        self._throttle = Throttle(until, reason, requested, status)

    async def _pass_gate(self) -> None:
        """Wait until the gate opens; raise at once when that is beyond ``max_retry_wait``."""
        while True:
            held = self._throttle
            left = held.seconds_left()
            if left <= 0:
                return
            if left > self._max_retry_wait:
                raise self._gate_error(held, left)
            await self._sleep(left)
            if self._throttle is held:
                # Not closed again meanwhile. Trusting the sleep, rather than checking the
                # clock again, lets a test's recorded sleep stand in for the passing time.
                return

    def _gate_error(self, held: Throttle, left: float) -> AvalaError:
        message = f"Held back: {held.reason}; resuming in {math.ceil(left)} s."
        if held.capped and held.requested is not None:
            message += f" (The server asked for {held.requested:,.0f} s.)"
        later = ServerError if held.status_code == 503 else RateLimitedError
        return later(message, retry_after=left, requested_wait=held.requested)

    def _build(self, path: str, query: Mapping[str, str | int]) -> httpx.Request:
        """The request, or a typed error when its URL cannot be made (nothing was sent)."""
        url = self.base_url + path
        try:
            return self._http.build_request("GET", url, params=query)
        except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
            reason = self._clip(str(exc)) or type(exc).__name__
        # Blame the server's cursor when the request builds without it; else the caller.
        cursor_to_blame = False
        if "cursor" in query:
            without_cursor = {name: value for name, value in query.items() if name != "cursor"}
            try:
                self._http.build_request("GET", url, params=without_cursor)
                cursor_to_blame = True
            except (httpx.InvalidURL, UnicodeError, ValueError):
                pass
        error: AvalaError
        if cursor_to_blame:
            error = ProtocolError(f"The server's cursor cannot be sent back: {reason}")
        else:
            error = ConfigurationError(f"The request to {path} cannot be made: {reason}")
        error.retryable = False
        raise error

    async def _get_once(self, kind: str, path: str, query: Mapping[str, str | int]) -> object:
        request = self._build(path, query)
        self.stats.requests += 1
        self.stats.by_kind[kind] = self.stats.by_kind.get(kind, 0) + 1
        self._sent += 1
        sequence = self._sent
        started = time.perf_counter()
        status: int | None = None
        detached: AvalaError | None = None
        try:
            async with asyncio.timeout(self._deadline):
                response = await self._http.send(request, stream=True)
                status = response.status_code
                try:
                    body = await self._read_body(response)
                finally:
                    await response.aclose()
        except httpx.HTTPError as exc:
            _log.debug("GET %s failed: %s", self._describe(request), self.redact(repr(exc)))
            error = self._transport_error(exc, status)
            if self.redact(str(exc)) == str(exc):
                raise error from exc
            # httpx quoted server bytes holding the key (a hostile status line): raised
            # outside this block, the error carries no link to that exception.
            detached = error
        except TimeoutError:
            _log.debug("GET %s passed its %g s deadline", self._describe(request), self._deadline)
            raise APITimeoutError(
                f"No complete answer from {self.host} within {self._deadline:g} s.",
                status_code=status,
            ) from None
        finally:
            # The spent request is reachable from a chained httpx exception (exc.request);
            # httpx masks only Authorization in reprs, so mask our header ourselves.
            request.headers[API_KEY_HEADER] = REDACTED
        if detached is not None:
            raise detached

        elapsed_ms = (time.perf_counter() - started) * 1000
        _log.debug(
            "GET %s -> %d (%.1f ms, %d bytes)",
            self._describe(request),
            response.status_code,
            elapsed_ms,
            len(body),
        )
        self._record_rate_limit(response.headers, sequence)
        if not response.is_success:
            raise self._status_error(response, body)
        try:
            return json.loads(body)
        except _UNDECODABLE as exc:
            content_type = response.headers.get("content-type", "no content type")
            if "json" not in content_type.lower():
                message = f"The server sent {self._clip(content_type)} where JSON was expected."
            else:
                message = "The server sent JSON that is cut off or corrupted."
            raise ProtocolError(message, status_code=response.status_code) from exc

    async def _read_body(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise ProtocolError(
                    f"The server's response is larger than {MAX_BODY_BYTES:,} bytes.",
                    status_code=response.status_code,
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _describe(self, request: httpx.Request) -> str:
        # The raw (percent-encoded) target: a uid holding a newline cannot forge a log line.
        return self.redact(request.url.raw_path.decode("ascii"))

    def _transport_error(self, exc: httpx.HTTPError, status: int | None) -> AvalaError:
        """The typed error for ``exc``; ``status`` is set when it cut a response's body short."""
        detail = self._clip(str(exc)) or type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            phase = {
                httpx.ConnectTimeout: "connecting",
                httpx.ReadTimeout: "waiting for the response",
                httpx.WriteTimeout: "sending the request",
                httpx.PoolTimeout: "waiting for a free connection",
            }.get(type(exc), "waiting")
            return APITimeoutError(f"Timed out {phase} ({self.host}).", status_code=status)
        if isinstance(exc, httpx.DecodingError):
            return ProtocolError(
                f"The server's response could not be decoded: {detail}", status_code=status
            )
        return APIConnectionError(f"Could not reach {self.host}: {detail}", status_code=status)

    def _record_rate_limit(self, headers: httpx.Headers, sequence: int) -> None:
        now = time.time()
        limit = _header_int(headers, "X-RateLimit-Limit")
        remaining = _header_int(headers, "X-RateLimit-Remaining")
        reset = _header_epoch(headers, "X-RateLimit-Reset", now)
        if limit is None and remaining is None and reset is None:
            return
        if sequence < self._rate_limit_seq:
            return  # an answer to an older request: its count is stale
        self._rate_limit_seq = sequence
        self.rate_limit = RateLimitStatus(limit, remaining, reset, observed_at=now)
        if remaining is not None and remaining <= 0 and reset is not None and reset > now:
            # The next request would be refused: hold them all until the window resets.
            self._close_gate(min(reset - now, MAX_THROTTLE_WAIT), None, reset - now)

    def _status_error(self, response: httpx.Response, body: bytes) -> APIStatusError:
        status = response.status_code
        label = _status_label(status)
        try:
            payload: Any = json.loads(body)
        except _UNDECODABLE:
            payload = None
        detail = payload.get("detail") if isinstance(payload, dict) else None
        api_message = self._clip(detail) if isinstance(detail, str) and detail else None

        if 300 <= status < 400:
            location = self._clip(response.headers.get("location", "nowhere"))
            return APIStatusError(
                f"The server redirected ({label}) to {location}; redirects are not "
                "followed, so the API key stays with the base URL. Check the base URL.",
                status_code=status,
            )
        if status in (400, 422):
            field_errors = {
                self._clip(name): [self._clip(message) for message in messages]
                for name, messages in _field_errors(payload).items()
            }
            summary = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in field_errors.items()
            )
            message = api_message or self._clip(summary) or f"Bad request ({label})"
            return BadRequestError(message, status_code=status, field_errors=field_errors)
        header = response.headers.get("retry-after")
        requested = parse_retry_after(header, now=time.time())
        if status == 429 or (status == 503 and requested is not None):
            # A throttle applies to the key: close the gate for every request, not only
            # for this one's retry. Without a usable hint a 429 still holds the floor.
            wait = throttle_wait(requested)
            self._close_gate(wait, status, requested)
            retry_after = None if requested is None else wait
            shown_header = None if header is None else self._clip(header)
            later, generic = (
                (ServerError, "Server error")
                if status == 503
                else (RateLimitedError, "Rate limited")
            )
            return later(
                api_message or f"{generic} ({label})",
                status_code=status,
                retry_after=retry_after,
                requested_wait=requested,
                retry_after_header=shown_header,
            )
        error_class: type[APIStatusError]
        if status >= 500:
            error_class, generic = ServerError, "Server error"
        else:
            error_class, generic = _STATUS_ERRORS.get(
                status, (APIStatusError, "Unexpected response")
            )
        return error_class(api_message or f"{generic} ({label})", status_code=status)
