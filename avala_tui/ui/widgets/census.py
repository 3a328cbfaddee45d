"""The census service: an invisible widget that owns the census worker and its timer.

One page per worker run, the next one scheduled on a timer: a walk of 60 pages at
the census's share of the rate limit takes minutes, and a worker sleeping that long
would hold up everything that waits for workers to finish (a quit, a test). After a
failure the same walk resumes at its cursor after a backoff; after a complete walk
the next one starts on a schedule, to correct the drift of what the live refresh
cannot see. The last complete result stays shown while a recount runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from textual import work
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from avala_tui.api.errors import AuthenticationError, AvalaError
from avala_tui.api.protocol import TasksAPI
from avala_tui.core.census import Census, CensusResult, next_delay
from avala_tui.core.monitor import RefreshPolicy

#: Seconds between complete walks: drift of what the live refresh cannot see is corrected.
RECOUNT_EVERY: Final = 15 * 60.0
#: Seconds after mounting before the first page: the user's first pages go first.
START_DELAY: Final = 2.0


class CensusService(Widget):
    """Counts every task in the background; its ``result`` is the last complete census."""

    DEFAULT_CSS = "CensusService { display: none; }"

    result: reactive[CensusResult | None] = reactive[CensusResult | None](None, init=False)
    """The last complete census, None until the first walk ends."""
    counting: reactive[int | None] = reactive[int | None](None, init=False)
    """Tasks counted so far by the walk under way; None while none runs."""

    @dataclass
    class Updated(Message):
        """The census moved: a page was counted or a walk ended."""

        service: CensusService

    def __init__(
        self,
        client: TasksAPI,
        *,
        share: Callable[[], float],
        clock: Callable[[], float] = time.time,
        recount_every: float = RECOUNT_EVERY,
        start_delay: float = START_DELAY,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.client = client
        self._share = share
        self.clock = clock
        """Wall-clock epoch seconds: the moment each walk's figures are measured from."""
        self._recount_every = recount_every
        self._start_delay = start_delay
        self._census: Census | None = None
        self._last_request: float | None = None
        self._timer: Timer | None = None
        self._backoff = RefreshPolicy(interval=0)
        self.last_error: AvalaError | None = None
        """The failure the walk is waiting out, until the next page arrives."""

    def on_mount(self) -> None:
        self._schedule(self._start_delay)

    def _schedule(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(max(delay, 0.01), self._count_page, name="census-tick")

    @work(group="census", exclusive=True, exit_on_error=False)
    async def _count_page(self) -> None:
        """Count one page, then schedule the next (or the next walk)."""
        census = self._census
        if census is None or census.done:
            census = self._census = Census(
                self.client, now=datetime.fromtimestamp(self.clock(), UTC)
            )
        self._last_request = time.monotonic()
        try:
            done = await census.step()
        except AvalaError as error:
            self.last_error = error
            if isinstance(error, AuthenticationError):
                return  # a wrong key will not fix itself; the list shows why
            self._schedule(self._backoff.next_retry(error))
            self.post_message(self.Updated(self))
            return
        self.last_error = None
        self._backoff.failures = 0
        if done:
            self.counting = None
            self.result = census.result()
            self._schedule(self._recount_every)
        else:
            self.counting = census.counted
            self._schedule(
                next_delay(
                    self._share(),
                    self.client.rate_limit,
                    since_last=time.monotonic() - self._last_request,
                    wall_now=time.time(),  # the rate window runs on real time
                )
            )
        self.post_message(self.Updated(self))

    def recount(self) -> None:
        """Start a fresh walk now (the user reloaded)."""
        if self._census is not None and not self._census.done:
            return  # a walk is under way: it continues where it is
        self._schedule(0)
