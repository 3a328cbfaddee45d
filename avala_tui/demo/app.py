"""The demo Avala API: a plain ASGI application answering like the real Django REST Framework one.

Endpoints (all GET, trailing slash required, ``X-Avala-Api-Key`` required):
``/api/v1/tasks/`` (``project``, ``status``, ``cursor``, ``limit``), ``/api/v1/tasks/{uid}/``,
``/api/v1/users/me/projects/`` (``cursor``, ``limit``) and ``/api/v1/users/me/projects/{uid}/``.

Where the reference leaves a choice open, DRF's behaviour is followed: an unknown
``project`` filter is a 400 (django-filter's ModelChoiceFilter), an empty filter value is
no filter, a ``limit`` that is not a positive integer is ignored, HEAD is served as GET,
authentication precedes throttling which precedes the 405 for other methods, and a
throttled request is not counted. A uid no object has is Django's get_object_or_404
sentence (``No Task matches the given query.``), which DRF 3.15 on passes on as the
detail. Paths outside the API are Django's, not DRF's: a path that lacks only its
trailing slash is a 301 to it (CommonMiddleware's APPEND_SLASH), any other is Django's
HTML 404 page, both without authentication. tests/drf_server holds the real DRF server
that tests/api/test_against_servers.py holds this one to.

The object also carries the controls tests use (``add_task``, ``set_status``, ``forbid``,
``faults``, ``requests``...); every one is safe to call from another thread than the
server's.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Protocol
from urllib.parse import parse_qsl, urlencode

from avala_tui.demo import clock
from avala_tui.demo.data import FILTER_STATUSES, PENDING, Project, Task, World, dumps, generate
from avala_tui.demo.faults import Fault, FaultInjector, InjectedFault
from avala_tui.demo.pagination import Cursor, InvalidCursor, Page, paginate

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DEFAULT_API_KEY: Final = "demo-key"
#: A key the demo API knows but reports as expired.
EXPIRED_API_KEY: Final = "demo-expired-key"
DEFAULT_PAGE_SIZE: Final = 100
MAX_PAGE_SIZE: Final = 1000
#: The per-minute quota the rate headers report when no rate limit is enforced.
DEFAULT_QUOTA: Final = 100
HUGE_PAGE_SIZE: Final = 10_000
LONG_STRING_LENGTH: Final = 10_000
_WINDOW_SECONDS = 60.0
_MAX_RECORDS = 100_000

_TASKS = re.compile(r"/api/v1/tasks/")
_TASK = re.compile(r"/api/v1/tasks/(?P<uid>[^/]+)/")
_PROJECTS = re.compile(r"/api/v1/users/me/projects/")
_PROJECT = re.compile(r"/api/v1/users/me/projects/(?P<uid>[^/]+)/")

_NO_TASK = {"detail": "No Task matches the given query."}
_NO_PROJECT = {"detail": "No Project matches the given query."}
# Django's own 404 page (django.views.defaults), served when no URL pattern matches.
_DJANGO_NOT_FOUND = (
    b'\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n'
    b"  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n"
    b"</body>\n</html>\n"
)
_HTML = b"text/html; charset=utf-8"
_AUTH_SCHEME = "Api-Key"
# DRF's views add these to every answer; OPTIONS is left out as the demo does not serve it.
_VIEW_HEADERS = (("Allow", "GET, HEAD"), ("Vary", "Accept"))
_NGINX_PAGE = (
    "<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n"
    "<center><h1>{status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
_LONG_NAME = ("frame_000123_cam_front_left occluded pedestrian crossing " * 200)[
    :LONG_STRING_LENGTH
]


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the demo API answered, for tests to assert on."""

    method: str
    path: str
    #: The query parameters, the last value of each (as DRF reads them).
    query: dict[str, str]
    #: Lower-cased names of the request headers.
    header_names: frozenset[str]
    api_key: str | None
    status: int
    #: time.monotonic() when the answer was decided.
    at: float
    #: time.monotonic() when the request arrived (before any latency or fault delay), so
    #: tests can tell which requests were being answered at the same time.
    received: float


@dataclass(frozen=True, slots=True)
class LiveChange:
    """What one live step did, as the API now shows the tasks it touched."""

    created: tuple[dict[str, Any], ...]
    completed: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class _Request:
    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    headers: dict[str, str]
    host: str

    @classmethod
    def from_scope(cls, scope: Scope) -> _Request:
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope["headers"]
        }
        server = scope.get("server") or ("127.0.0.1", 80)
        query = scope.get("query_string", b"").decode("latin-1")
        return cls(
            method=scope["method"],
            path=scope["path"],
            params=tuple(parse_qsl(query, keep_blank_values=True, errors="replace")),
            headers=headers,
            host=headers.get("host", f"{server[0]}:{server[1]}"),
        )

    def param(self, name: str) -> str | None:
        """The last value of a query parameter, as Django's QueryDict.get() gives it."""
        found = None
        for key, value in self.params:
            if key == name:
                found = value
        return found

    @property
    def api_key(self) -> str | None:
        return self.headers.get("x-avala-api-key")


@dataclass(slots=True)
class _Response:
    status: int
    body: bytes
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    content_type: bytes = b"application/json"


class _ApiError(Exception):
    """An error answer, raised from deep in a handler like DRF's APIException."""

    def __init__(self, status: int, payload: object, headers: Iterable[tuple[str, str]] = ()):
        super().__init__(status)
        self.status = status
        self.payload = payload
        self.headers = list(headers)

    def response(self) -> _Response:
        headers = [(name.encode(), value.encode()) for name, value in self.headers]
        return _Response(self.status, dumps(self.payload), headers)


#: Faults that corrupt the rows of an otherwise good answer.
_SHAPE_FAULTS: Final = (Fault.WRONG_SHAPE, Fault.MISSING_UID, Fault.LONG_STRINGS)


class _Row(Protocol):
    def as_dict(self) -> dict[str, Any]: ...

    def json(self) -> bytes: ...


def _throttled(wait: int) -> _ApiError:
    unit = "second" if wait == 1 else "seconds"
    detail = f"Request was throttled. Expected available in {wait} {unit}."
    return _ApiError(429, {"detail": detail}, [("Retry-After", str(wait))])


class _RateLimiter:
    """DRF's sliding-window throttle per API key, with the X-RateLimit-* headers it enforces."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._history: dict[str, deque[float]] = {}

    @property
    def quota(self) -> int:
        return self.limit or DEFAULT_QUOTA

    def _window(self, key: str, now: float) -> deque[float]:
        history = self._history.get(key) or deque(maxlen=self.quota)
        while history and history[0] <= now - _WINDOW_SECONDS:
            history.popleft()
        return history

    def hit(self, key: str, now: float) -> int | None:
        """Count a request; the wait in seconds instead when the enforced limit is reached."""
        history = self._history[key] = self._window(key, now)
        if self.limit is not None and len(history) >= self.limit:
            return max(1, math.ceil(history[0] + _WINDOW_SECONDS - now))
        history.append(now)
        return None

    def headers(self, key: str, now: float) -> list[tuple[str, str]]:
        """The X-RateLimit-* headers for ``key``, counting nothing; none without a limit.

        Announcing a quota that is not enforced would show a client "0 left" while
        every request still succeeds: a figure that is simply wrong.
        """
        if self.limit is None:
            return []
        history = self._window(key, now)
        # The window frees a slot when its oldest request leaves it.
        reset = math.ceil(history[0] + _WINDOW_SECONDS if history else now)
        return [
            ("X-RateLimit-Limit", str(self.quota)),
            ("X-RateLimit-Remaining", str(max(0, self.quota - len(history)))),
            ("X-RateLimit-Reset", str(reset)),
        ]


class DemoApi:
    """The demo Avala API (an ASGI callable) and the controls tests drive it with."""

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        expired_keys: Iterable[str] = (EXPIRED_API_KEY,),
        seed: int = 7,
        anchor: datetime | None = None,
        live_every: float | None = None,
        rate_limit: int | None = None,
        faults: float = 0.0,
        latency: float = 0.0,
    ) -> None:
        self.api_key = api_key
        self.seed = seed
        if anchor is None:
            anchor = clock.hour_floor(datetime.now(UTC))
        #: Every generated timestamp is at or before this moment (default: this hour, UTC).
        self.anchor = anchor if anchor.tzinfo else anchor.replace(tzinfo=UTC)
        self.live_every = live_every
        #: Seconds added to every request.
        self.latency = latency
        self.faults = FaultInjector(faults, seed=seed)
        #: Origin (``scheme://host[:port]``) for next/previous links instead of the Host header.
        self.link_origin: str | None = None
        self._lock = threading.Lock()
        self._world: World = generate(seed, clock.to_us(self.anchor))
        self._expired = set(expired_keys)
        self._forbidden: set[str] = set()
        self._limiter = _RateLimiter(rate_limit)
        self._records: deque[RequestRecord] = deque(maxlen=_MAX_RECORDS)

    # --- controls -------------------------------------------------------------------

    @property
    def rate_limit(self) -> int | None:
        """Requests per minute per key before a 429, or None for no enforcement."""
        return self._limiter.limit

    @rate_limit.setter
    def rate_limit(self, limit: int | None) -> None:
        with self._lock:
            self._limiter = _RateLimiter(limit)

    def add_task(
        self,
        project_uid: str,
        *,
        name: str | None = "box",
        type: str | None = "image-annotation",
        status: str | None = PENDING,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create a task, newest of all; KeyError for an unknown project."""
        with self._lock:
            task = self._world.add_task(
                project_uid,
                type_=type,
                name=name,
                status=status,
                at_us=clock.now_us(),
                extra=extra,
            )
            return task.as_dict()

    def set_status(self, uid: str, status: str) -> dict[str, Any]:
        """Change a task's status now; KeyError for an unknown uid."""
        with self._lock:
            return self._world.set_status(uid, status, clock.now_us()).as_dict()

    def forbid(self, uid: str) -> None:
        """Answer 403 for this task's detail from now on; KeyError for an unknown uid."""
        with self._lock:
            if uid not in self._world.task_by_uid:
                raise KeyError(uid)
            self._forbidden.add(uid)

    def expire_key(self, key: str) -> None:
        """Answer 401 ``API key has expired.`` to ``key`` from now on."""
        with self._lock:
            self._expired.add(key)

    def live_step(self, now: datetime | None = None) -> LiveChange:
        """One tick of live activity, as of ``now`` (default: the wall clock)."""
        at_us = clock.now_us() if now is None else clock.to_us(now)
        with self._lock:
            created, completed = self._world.live_step(at_us)
            return LiveChange(
                tuple(task.as_dict() for task in created),
                tuple(task.as_dict() for task in completed),
            )

    # --- inspection -----------------------------------------------------------------

    @property
    def projects(self) -> list[dict[str, Any]]:
        """Every project, in the API's order."""
        with self._lock:
            return [project.as_dict() for project in self._world.projects]

    def project_uid(self, name: str) -> str:
        """The uid of the project called ``name``; KeyError when there is none."""
        with self._lock:
            return self._world.project_named(name).uid

    def tasks(
        self, project: str | None = None, status: str | None = None, *, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The first ``limit`` (default all) tasks the API lists for these filters, in its order.

        Any status is accepted, ``in_progress`` included; KeyError for an unknown project.
        """
        with self._lock:
            index = self._world.tasks if project is None else self._world.tasks_by_project[project]
            kept = (task for task in index if status is None or task.status == status)
            return [task.as_dict() for task in itertools.islice(kept, limit)]

    def task(self, uid: str) -> dict[str, Any]:
        """A task as the API returns it; KeyError for an unknown uid."""
        with self._lock:
            return self._world.task_by_uid[uid].as_dict()

    def counts(self, project: str | None = None) -> dict[str, int]:
        """How many tasks have each status, in one project or all."""
        with self._lock:
            index = self._world.tasks if project is None else self._world.tasks_by_project[project]
            return dict(Counter(str(task.status) for task in index))

    @property
    def requests(self) -> list[RequestRecord]:
        """The requests answered so far (the latest 100,000), oldest first."""
        with self._lock:
            return list(self._records)

    def clear_requests(self) -> None:
        """Forget the requests answered so far."""
        with self._lock:
            self._records.clear()

    # --- ASGI -----------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        live: asyncio.Task[None] | None = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.live_every:
                    live = asyncio.create_task(self._live_loop(self.live_every))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if live is not None:
                    live.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await live
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _live_loop(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            self.live_step()

    async def _http(self, scope: Scope, send: Send) -> None:
        received = time.monotonic()
        request = _Request.from_scope(scope)
        if self.latency:
            await asyncio.sleep(self.latency)
        fault = self.faults.draw(request.path)
        if fault is not None and fault.kind is Fault.SLOW:
            await asyncio.sleep(fault.delay)
        response = self._respond(request, fault, received)
        body = response.body
        if fault is not None and fault.kind is Fault.TRUNCATED:
            body = body[: len(body) // 2]
        headers = [
            (b"content-type", response.content_type),
            (b"content-length", str(len(body)).encode()),
            *response.headers,
        ]
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        if fault is not None and fault.kind is Fault.RESET:
            # Returning mid-body makes the server drop the connection: a reset to the client.
            await send(
                {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
            )
            return
        await send({"type": "http.response.body", "body": body})

    # --- answers --------------------------------------------------------------------

    def _respond(
        self, request: _Request, fault: InjectedFault | None, received: float
    ) -> _Response:
        """Decide the whole answer under the lock, and record the request."""
        kind = None if fault is None else fault.kind
        now = time.time()
        with self._lock:
            matched = _match(request.path)
            response = _proxy_page(kind)
            if response is None:
                if matched is None:
                    response = _django_page(request)
                else:
                    response = self._api_response(request, matched, kind, now)
            self._records.append(
                RequestRecord(
                    request.method,
                    request.path,
                    dict(request.params),
                    frozenset(request.headers),
                    request.api_key,
                    response.status,
                    time.monotonic(),
                    received,
                )
            )
            return response

    def _api_response(
        self, request: _Request, matched: re.Match[str], fault: Fault | None, now: float
    ) -> _Response:
        """A DRF view's answer, with the headers DRF and the throttle add to each."""
        try:
            response = _Response(200, self._route(request, matched, fault, now))
        except _ApiError as error:
            response = error.response()
        extra = list(_VIEW_HEADERS)
        if fault is Fault.TOO_MANY_REQUESTS and self._limiter.limit is None:
            # An injected throttle speaks as a real one would: the quota is spent.
            extra += [
                ("X-RateLimit-Limit", str(DEFAULT_QUOTA)),
                ("X-RateLimit-Remaining", "0"),
                # Rounded down: a reset later than its Retry-After would hold clients longer.
                ("X-RateLimit-Reset", str(math.floor(now) + 1)),
            ]
        else:
            extra += self._limiter.headers(request.api_key or "", now)
        response.headers += [(name.encode(), value.encode()) for name, value in extra]
        return response

    def _route(
        self, request: _Request, matched: re.Match[str], fault: Fault | None, now: float
    ) -> bytes:
        """The body of a 200 answer, or an _ApiError, in the order DRF checks things."""
        failure = _app_fault(fault)
        if failure is not None:
            raise failure
        self._authenticate(request.api_key)
        wait = self._limiter.hit(request.api_key or "", now)
        if wait is not None:
            raise _throttled(wait)
        if request.method not in ("GET", "HEAD"):
            raise _ApiError(405, {"detail": f'Method "{request.method}" not allowed.'})
        if matched.re is _TASKS:
            return self._list_tasks(request, fault)
        if matched.re is _TASK:
            return self._task_detail(matched["uid"], fault)
        if matched.re is _PROJECTS:
            return self._list_projects(request, fault)
        return self._project_detail(matched["uid"], fault)

    def _authenticate(self, key: str | None) -> None:
        if not key:
            detail = "Authentication credentials were not provided."
        elif key in self._expired:
            detail = "API key has expired."
        elif key != self.api_key:
            detail = "Invalid API key."
        else:
            return
        raise _ApiError(401, {"detail": detail}, [("WWW-Authenticate", _AUTH_SCHEME)])

    def _list_tasks(self, request: _Request, fault: Fault | None) -> bytes:
        world = self._world
        errors: dict[str, list[str]] = {}
        project = request.param("project") or None
        if project is not None and project not in world.project_by_uid:
            errors["project"] = [
                "Select a valid choice. That choice is not one of the available choices."
            ]
        status = request.param("status") or None
        if status is not None and status not in FILTER_STATUSES:
            errors["status"] = [
                f"Select a valid choice. {status} is not one of the available choices."
            ]
        if errors:
            raise _ApiError(400, errors)
        index = world.tasks if project is None else world.tasks_by_project[project]
        keep = None if status is None else _status_is(status)
        page = paginate(index, _cursor(request), _page_size(request, fault), keep)
        return self._page_body(request, page, fault)

    def _task_detail(self, uid: str, fault: Fault | None) -> bytes:
        task = self._world.task_by_uid.get(uid)
        if task is None:
            raise _ApiError(404, _NO_TASK)
        if uid in self._forbidden:
            raise _ApiError(403, {"detail": "You do not have permission to perform this action."})
        return _detail_body(task, fault)

    def _list_projects(self, request: _Request, fault: Fault | None) -> bytes:
        page = paginate(self._world.projects, _cursor(request), _page_size(request, fault))
        return self._page_body(request, page, fault)

    def _project_detail(self, uid: str, fault: Fault | None) -> bytes:
        project = self._world.project_by_uid.get(uid)
        if project is None:
            raise _ApiError(404, _NO_PROJECT)
        return _detail_body(project, fault)

    def _page_body(
        self, request: _Request, page: Page[Task] | Page[Project], fault: Fault | None
    ) -> bytes:
        head = b'{"next":%s,"previous":%s,"results":' % (
            dumps(self._link(request, page.next)),
            dumps(self._link(request, page.previous)),
        )
        if fault in _SHAPE_FAULTS:
            rows = [row.as_dict() for row in page.rows]
            if fault is Fault.WRONG_SHAPE:
                return head + dumps(rows[0] if rows else {}) + b"}"
            if fault is Fault.LONG_STRINGS:
                for row in rows:
                    row["name"] = _LONG_NAME
            elif rows:
                del rows[len(rows) // 2]["uid"]
            return head + dumps(rows) + b"}"
        return head + b"[" + b",".join(row.json() for row in page.rows) + b"]}"

    def _link(self, request: _Request, cursor: Cursor | None) -> str | None:
        """An absolute next/previous URL: the request's own, with the cursor replaced."""
        if cursor is None:
            return None
        params: dict[str, list[str]] = {}
        for name, value in request.params:
            params.setdefault(name, []).append(value)
        params["cursor"] = [cursor.encode()]
        origin = self.link_origin or f"http://{request.host}"
        return f"{origin}{request.path}?{urlencode(sorted(params.items()), doseq=True)}"


def _match(path: str) -> re.Match[str] | None:
    return (
        _TASKS.fullmatch(path)
        or _TASK.fullmatch(path)
        or _PROJECTS.fullmatch(path)
        or _PROJECT.fullmatch(path)
    )


def _django_page(request: _Request) -> _Response:
    """What Django answers, before any DRF view, for a path outside the API's routes."""
    if not request.path.endswith("/") and _match(request.path + "/") is not None:
        query = urlencode(request.params)
        location = request.path + "/" + (f"?{query}" if query else "")
        return _Response(301, b"", [(b"location", location.encode())], _HTML)
    return _Response(404, _DJANGO_NOT_FOUND, [], _HTML)


def _status_is(status: str) -> Callable[[Task], bool]:
    return lambda task: task.status == status


def _cursor(request: _Request) -> Cursor | None:
    encoded = request.param("cursor")
    if encoded is None:
        return None
    try:
        return Cursor.decode(encoded)
    except InvalidCursor:
        raise _ApiError(404, {"detail": "Invalid cursor"}) from None


def _page_size(request: _Request, fault: Fault | None) -> int:
    """DRF's page size: a positive integer ``limit``, capped, else the default."""
    if fault is Fault.HUGE_PAGE:
        return HUGE_PAGE_SIZE
    try:
        size = int(request.param("limit") or "")
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return min(size, MAX_PAGE_SIZE) if size > 0 else DEFAULT_PAGE_SIZE


def _detail_body(row: _Row, fault: Fault | None) -> bytes:
    fields = row.as_dict()
    if fault is Fault.WRONG_SHAPE:
        return dumps([fields])
    if fault is Fault.LONG_STRINGS:
        fields["name"] = _LONG_NAME
    elif fault is Fault.MISSING_UID:
        del fields["uid"]
    return dumps(fields)


def _app_fault(fault: Fault | None) -> _ApiError | None:
    """What the application answers for a fault it raises itself."""
    if fault is Fault.TOO_MANY_REQUESTS:
        return _throttled(1)
    if fault is Fault.SERVER_ERROR:
        return _ApiError(500, {"detail": "A server error occurred."})
    if fault is Fault.SERVICE_UNAVAILABLE:
        return _ApiError(503, {"detail": "Service temporarily unavailable, try again later."})
    return None


def _proxy_page(fault: Fault | None) -> _Response | None:
    """What the reverse proxy in front of the API answers for a gateway fault."""
    status = {
        Fault.BAD_GATEWAY_HTML: "502 Bad Gateway",
        Fault.GATEWAY_TIMEOUT: "504 Gateway Time-out",
    }
    if fault not in status:
        return None
    text = status[fault]
    return _Response(
        int(text[:3]),
        _NGINX_PAGE.format(status=text).encode(),
        [(b"server", b"nginx")],
        b"text/html",
    )
