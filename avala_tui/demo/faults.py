"""Faults the demo API injects: at random for soak runs, or queued one by one for tests."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Fault(StrEnum):
    """A way a response can go wrong, named as ``faults.queue()`` accepts it."""

    #: 429 with ``Retry-After: 1`` and DRF's throttled body.
    TOO_MANY_REQUESTS = "429"
    #: 500 with a JSON ``detail``.
    SERVER_ERROR = "500"
    #: 502 from the reverse proxy: an nginx HTML page, not JSON.
    BAD_GATEWAY_HTML = "502_html"
    #: 503 with a JSON ``detail``.
    SERVICE_UNAVAILABLE = "503"
    #: 504 from the reverse proxy: an nginx HTML page.
    GATEWAY_TIMEOUT = "504"
    #: The real response cut in half, with a Content-Length that matches the cut body.
    TRUNCATED = "truncated"
    #: 200 whose ``results`` is an object (a detail body becomes a list).
    WRONG_SHAPE = "wrong_shape"
    #: 200 with one row (the detail object) lacking ``uid``.
    MISSING_UID = "missing_uid"
    #: 200 with every name 10,000 characters long.
    LONG_STRINGS = "long_strings"
    #: 200 with up to 10,000 rows in one page, whatever ``limit`` asked.
    HUGE_PAGE = "huge_page"
    #: The real response, after a delay.
    SLOW = "slow"
    #: Headers announce the full body, half of it is sent, then the connection closes.
    RESET = "reset"


#: What a request may get when the random fault rate strikes.
RANDOM_FAULTS: Final = (
    Fault.TOO_MANY_REQUESTS,
    Fault.SERVER_ERROR,
    Fault.BAD_GATEWAY_HTML,
    Fault.SERVICE_UNAVAILABLE,
    Fault.GATEWAY_TIMEOUT,
    Fault.TRUNCATED,
    Fault.SLOW,
    Fault.RESET,
)

_API_PREFIX = "/api/v1"


@dataclass(frozen=True, slots=True)
class InjectedFault:
    """The fault one request gets."""

    kind: Fault
    #: Seconds a SLOW fault waits before answering.
    delay: float


@dataclass(slots=True)
class _Queued:
    kind: Fault
    remaining: int
    path_prefix: str | None
    delay: float

    def matches(self, path: str) -> bool:
        prefix = self.path_prefix
        return (
            prefix is None
            or path.startswith(prefix)
            or path.removeprefix(_API_PREFIX).startswith(prefix)
        )


class FaultInjector:
    """Decides which requests fail, and how; safe to drive from any thread."""

    def __init__(self, rate: float = 0.0, *, seed: int = 7, slow_delay: float = 2.0) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Queued] = []
        self._rng = random.Random(f"faults:{seed}")
        self.rate = rate
        #: Seconds a random SLOW fault waits.
        self.slow_delay = slow_delay

    @property
    def rate(self) -> float:
        """The chance, in [0, 1], that a request with no queued fault gets a random one."""
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"fault rate must be within [0, 1], not {value}")
        self._rate = value

    def queue(
        self,
        kind: Fault | str,
        count: int = 1,
        *,
        path_prefix: str | None = None,
        delay: float = 2.0,
    ) -> None:
        """Give the next ``count`` requests under ``path_prefix`` the fault ``kind``.

        ``path_prefix`` matches the full path or the path after ``/api/v1`` (so
        ``"/tasks/"`` works); None matches every request. Queued faults are served in
        the order queued, one per request.
        """
        if count < 1:
            raise ValueError(f"count must be at least 1, not {count}")
        with self._lock:
            self._queue.append(_Queued(Fault(kind), count, path_prefix, delay))

    def clear(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._queue.clear()

    @property
    def pending(self) -> int:
        """How many queued faults are still to be served."""
        with self._lock:
            return sum(entry.remaining for entry in self._queue)

    def draw(self, path: str) -> InjectedFault | None:
        """The fault the request for ``path`` gets, if any."""
        with self._lock:
            for entry in self._queue:
                if entry.matches(path):
                    entry.remaining -= 1
                    if not entry.remaining:
                        self._queue.remove(entry)
                    return InjectedFault(entry.kind, entry.delay)
            if self._rate and self._rng.random() < self._rate:
                return InjectedFault(self._rng.choice(RANDOM_FAULTS), self.slow_delay)
        return None
