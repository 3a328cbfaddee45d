"""Pagination state of the task list, free of any UI so it can be tested on its own.

The dashboard's workers ask the feed which cursor to fetch next and hand it every
page they get back. The feed's guard makes sure a page is never fetched twice and
that a page loaded for an old filter is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from avala_tui.api.models import Page, Task
from avala_tui.api.paging import PageProgress, PagingLoopError
from avala_tui.core.store import MergeResult, TaskRow, TaskStore

#: Tasks asked for per page: the API's own default.
PAGE_SIZE: Final = 100
#: Stands for "the first page", which has no cursor.
FIRST_PAGE: Final = ""


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """The filters of the task list, as the API takes them."""

    project: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class PageClaim:
    """A permission to fetch one page for one generation of the feed."""

    generation: int
    filters: TaskFilter
    cursor: str

    @property
    def api_cursor(self) -> str | None:
        """The cursor to send, None for the first page."""
        return self.cursor or None


@dataclass
class TaskFeed:
    """Which pages of the current filter are loaded, in flight, or still to come."""

    filters: TaskFilter = field(default_factory=TaskFilter)
    store: TaskStore = field(default_factory=TaskStore)
    #: Bumped on every reset, so results for an older filter can be recognised and dropped.
    generation: int = 0
    next_cursor: str | None = None
    exhausted: bool = False
    in_flight: PageClaim | None = None
    _requested: set[str] = field(default_factory=set)
    #: Pages fetched so far for this generation, for the status line and benchmarks.
    pages_loaded: int = 0
    #: Rows the API sent for this generation that could not be read (skipped, counted).
    skipped: int = 0
    #: Why paging stopped short of the end: the server's pages went nowhere.
    halted: PagingLoopError | None = None
    _progress: PageProgress = field(default_factory=PageProgress)
    #: (cursor, uid of its first task) of every loaded page, top to bottom, so a
    #: refresh can re-fetch exactly the pages whose rows are on screen.
    _page_starts: list[tuple[str, str]] = field(default_factory=list)

    def reset(self, filters: TaskFilter) -> PageClaim:
        """Forget everything for a new filter and claim its first page."""
        self.filters = filters
        self.generation += 1
        self.store.clear()
        self.next_cursor = None
        self.exhausted = False
        self.pages_loaded = 0
        self.skipped = 0
        self.halted = None
        self._progress.reset()
        self._page_starts.clear()
        self._requested.clear()
        self.in_flight = None
        claim = self._claim(FIRST_PAGE)
        assert claim is not None
        return claim

    def _claim(self, cursor: str) -> PageClaim | None:
        if self.in_flight is not None or cursor in self._requested:
            return None
        self._requested.add(cursor)
        self.in_flight = PageClaim(self.generation, self.filters, cursor)
        return self.in_flight

    def claim_next(self) -> PageClaim | None:
        """Claim the next page; None when one is in flight, at the end, or already fetched."""
        if self.exhausted or self.next_cursor is None:
            return None
        return self._claim(self.next_cursor)

    def is_current(self, claim: PageClaim) -> bool:
        """Whether a claim still belongs to the live generation."""
        return claim.generation == self.generation

    def page_loaded(self, claim: PageClaim, page: Page[Task]) -> MergeResult | None:
        """Take a page in; None when it belongs to an older filter and was dropped."""
        if not self.is_current(claim):
            return None
        if self.in_flight == claim:
            self.in_flight = None
        self.pages_loaded += 1
        self.skipped += page.skipped
        self.next_cursor = page.next_cursor
        self.exhausted = page.next_cursor is None
        if page.items:
            self._page_starts.append((claim.cursor, page.items[0].uid))
        merged = self.store.append_page(TaskRow.from_task(task) for task in page.items)
        # The store knows what the page added and the claims which cursors were fetched:
        # the progress rule needs no sets of its own (a uid set costs ~40 B per row).
        halted = self._progress.judge(page, added=len(merged.added), fetched=self._requested)
        if halted is not None:
            # Following this page's next would loop: keep its rows, ask for no more.
            self.halted = halted
            self.next_cursor = None
        return merged

    def cursors_covering(self, first: int, last: int) -> list[str]:
        """Cursors of the loaded pages holding rows ``first``..``last``, the first page always.

        Tasks that arrived since are above the first page's old start, so they
        count as the first page's; a page whose first task has left the list is
        folded into the page above.
        """
        starts = sorted(
            (position, cursor)
            for cursor, uid in self._page_starts
            if (position := self.store.index_of(uid)) is not None
        )
        cursors = [FIRST_PAGE]
        for number, (position, cursor) in enumerate(starts):
            end = starts[number + 1][0] if number + 1 < len(starts) else len(self.store)
            if cursor != FIRST_PAGE and position <= last and end > first:
                cursors.append(cursor)
        return cursors

    def page_failed(self, claim: PageClaim) -> None:
        """Release a claim whose request failed, so a retry may claim it again."""
        if not self.is_current(claim):
            return
        self._requested.discard(claim.cursor)
        if self.in_flight == claim:
            self.in_flight = None

    def retry_claim(self) -> PageClaim | None:
        """Claim whatever should be fetched after a failure: the first page or the next."""
        if self.pages_loaded == 0:
            return self._claim(FIRST_PAGE)
        return self.claim_next()
