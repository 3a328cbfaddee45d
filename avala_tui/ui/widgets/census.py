"""The census service: an invisible widget that owns the census worker and its timer.

One page per worker run, the next one scheduled on a timer: a walk of 60 pages at
the census's share of the rate limit takes minutes, and a worker sleeping that long
would hold up everything that waits for workers to finish (a quit, a test). After a
failure the same walk resumes at its cursor after a backoff; after a complete walk
the next one starts on a schedule, to correct the drift of what the live refresh
cannot see. The last complete result stays shown while a recount runs.

The last complete result is kept on disk per API (:class:`CensusMemory`) and shown
at once on the next start, as of its time, until the first walk there ends. Between
walks the changes the live monitor saw refine it (:func:`refine`: estimates, marked
so). A page is never sent while the user's own page or get-task request is in
flight (``busy``): the census tries again a moment later, so it never makes the user
wait behind a 1,000-task page.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from textual import work
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from avala_tui.api.errors import AuthenticationError, AvalaError
from avala_tui.api.protocol import TasksAPI
from avala_tui.config.state import CensusMemory
from avala_tui.core.census import (
    DEFAULT_STALE_AFTER,
    EMPTY_FIGURES,
    Census,
    CensusResult,
    QueueFigures,
    SeenChange,
    ShownFigures,
    counted_at_text,
    counts_after,
    next_delay,
    refine,
)
from avala_tui.core.monitor import RefreshPolicy

#: Seconds between complete walks: drift of what the live refresh cannot see is corrected.
RECOUNT_EVERY: Final = 15 * 60.0
#: Seconds after mounting before the first page: the user's first pages go first.
START_DELAY: Final = 2.0
#: Seconds before looking again when the user's own request is in flight.
YIELD_DELAY: Final = 0.2
#: Changes kept to refine the last result with; a recount is due long before this many.
MAX_SEEN_CHANGES: Final = 10_000


def _never_busy() -> bool:
    return False


def _no_first() -> str | None:
    return None


class CensusService(Widget):
    """Counts every task in the background; its ``result`` is the last complete census."""

    DEFAULT_CSS = "CensusService { display: none; }"

    result: reactive[CensusResult | None] = reactive[CensusResult | None](None, init=False)
    """The last complete census refined by the changes seen since; None before any."""
    counting: reactive[int | None] = reactive[int | None](None, init=False)
    """Tasks counted so far by the walk under way; None while none runs."""
    first: reactive[tuple[str, QueueFigures] | None] = reactive[tuple[str, QueueFigures] | None](
        None, init=False
    )
    """The selected project's exact figures from the walk under way, once counted."""

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
        stale_after: timedelta = DEFAULT_STALE_AFTER,
        memory: CensusMemory | None = None,
        first: Callable[[], str | None] = _no_first,
        busy: Callable[[], bool] = _never_busy,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.client = client
        self._share = share
        self._stale_after = stale_after
        self._memory = memory
        self._first = first
        self._busy = busy
        self.exact: CensusResult | None = None
        """The last complete walk's result, as counted (or as saved by an earlier run)."""
        self.restored = False
        """Whether ``exact`` was read from disk, not counted in this session."""
        # Every change seen, numbered in the order seen, until a count includes it.
        self._seen: list[tuple[int, SeenChange]] = []
        self._observed = 0
        self._walk_seen_from = 0
        self.yielded = 0
        """Times a page waited for the user's own request (for tests and benchmarks)."""
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

    def shown(self, project: str | None) -> ShownFigures | None:
        """A project's (or all projects') figures: the walk under way's own when it has
        counted that project, else the last count, refined by what was seen since."""
        first = self.first
        if first is not None and project is not None and first[0] == project:
            return ShownFigures(first[1], estimate=False, counted_at=None)
        result = self.result
        if result is None:
            return None
        if project is None:
            figures, estimate = result.total, bool(result.estimated)
        else:
            # A project the census found no task in has none.
            figures = result.projects.get(project, EMPTY_FIGURES)
            estimate = project in result.estimated
        counted_at = None
        if self.restored:
            now = datetime.fromtimestamp(self.clock(), UTC)
            counted_at = counted_at_text(result.as_of, now)
        return ShownFigures(figures, estimate, counted_at, refined_by=result.refined_by)

    def on_mount(self) -> None:
        if self._memory is not None:
            saved = self._memory.load()
            if saved is not None:
                self.restored = True
                self._set_exact(saved)
                self.post_message(self.Updated(self))
        self._schedule(self._start_delay)

    def _set_exact(self, result: CensusResult, *, seen_from: int = 0) -> None:
        self.exact = result
        # Seen before the walk began, a change was there for the walk to count, whatever
        # the clocks say; seen since, it counts if its time says the walk missed it.
        self._seen = [
            (number, change)
            for number, change in self._seen
            if number >= seen_from and counts_after(change, result)
        ]
        self.result = refine(result, (change for _, change in self._seen))

    def observe(self, changes: Iterable[SeenChange]) -> None:
        """Changes the live monitor saw: the last count is refined by them until the next."""
        fresh = list(changes)
        if not fresh:
            return
        numbered = [(self._observed + offset, change) for offset, change in enumerate(fresh)]
        self._observed += len(fresh)
        self._seen = (self._seen + numbered)[-MAX_SEEN_CHANGES:]
        if self.exact is not None:
            self.result = refine(self.exact, (change for _, change in self._seen))
            self.post_message(self.Updated(self))

    def _schedule(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(max(delay, 0.01), self._count_page, name="census-tick")

    @work(group="census", exclusive=True, exit_on_error=False)
    async def _count_page(self) -> None:
        """Count one page, then schedule the next (or the next walk)."""
        if self._busy():
            # The user's own page or task is on its way: it goes first, alone.
            self.yielded += 1
            self._schedule(YIELD_DELAY)
            return
        census = self._census
        if census is None or census.done:
            census = self._census = Census(
                self.client,
                now=datetime.fromtimestamp(self.clock(), UTC),
                first=self._first(),
                stale_after=self._stale_after,
                clock=self.clock,
            )
            self._walk_seen_from = self._observed
            self.first = None
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
        if census.first is not None and self.first is None:
            figures = census.first_figures()
            if figures is not None:
                self.first = (census.first, figures)
        if done:
            self.counting = None
            # The whole count has the first project too (and refinements on top of it).
            self.first = None
            result = census.result()
            self.restored = False
            self._set_exact(result, seen_from=self._walk_seen_from)
            if self._memory is not None:
                self._save(self._memory, result)
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

    @work(thread=True, group="census-save", exit_on_error=False)
    def _save(self, memory: CensusMemory, result: CensusResult) -> None:
        """Keep the result for the next start, off the event loop (it fsyncs)."""
        memory.save(result)

    def recount(self) -> None:
        """Start a fresh walk now (the user reloaded)."""
        if self._census is not None and not self._census.done:
            return  # a walk is under way: it continues where it is
        self._schedule(0)
