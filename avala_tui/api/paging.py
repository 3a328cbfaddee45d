"""Walking a cursor-paginated listing without looping forever.

A server may answer with pages that never end: a cursor that comes back (A, A or
A, B, A), empty pages that still carry a ``next``, or pages of rows already seen.
Followed blindly, each is an endless loop of requests (issue 17 measured hundreds
per second). The progress rule here stops such a walk with :class:`PagingLoopError`:

* a ``next`` cursor that was already requested in this walk means a loop: stop;
* a page that adds nothing (no rows, or only rows already seen) yet has a ``next``
  is tolerated once in a row, then the walk stops.

Why tolerate one: an honest server can send one such page. Rows deleted between
two requests can leave a page empty with a ``next``; tasks created at the top while
paging shift the following rows down, so a page can repeat rows already listed.
Two in a row no longer look like the data moving but like the server going nowhere.

:func:`iter_pages` applies the rule to a loop (``tasks --all``, a census of every
project). :class:`PageProgress` is the same rule for a caller that fetches one page
at a time itself (the dashboard, which loads the next page as the user scrolls).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Container, Hashable
from typing import Any, Final, TypeVar

from avala_tui.api.errors import ProtocolError
from avala_tui.api.models import Page

ItemT = TypeVar("ItemT")

#: Pages in a row that add nothing, tolerated before the walk stops (see the module doc).
MAX_FRUITLESS_PAGES: Final = 1


class PagingLoopError(ProtocolError):
    """The server's pages make no progress: a cursor came back, or pages add nothing.

    Not retryable: asking again walks into the same loop.
    """

    kind = "paging loop"
    retryable = False


def _uid(item: Any) -> Hashable:
    uid: Hashable = item.uid
    return uid


class PageProgress:
    """The progress rule, applied page by page by a caller that fetches them itself.

    Call :meth:`check` with each page and the cursor it was fetched with (None for the
    first). It returns None while the walk makes progress, or the error saying why the
    page's ``next`` must not be followed. The page's own rows are sound either way: a
    caller keeps them and stops asking for more. ``key`` names an item (its uid).
    """

    def __init__(self, *, key: Callable[[Any], Hashable] = _uid) -> None:
        self._key = key
        self._cursors: set[str | None] = set()
        self._seen: set[Hashable] = set()
        self._fruitless = 0
        #: Pages checked so far.
        self.pages = 0

    def check(self, cursor: str | None, page: Page[Any]) -> PagingLoopError | None:
        """Record ``page`` (fetched with ``cursor``); the reason to stop, or None."""
        self._cursors.add(cursor)
        new = {self._key(item) for item in page.items} - self._seen
        self._seen |= new
        return self.judge(page, added=len(new), fetched=self._cursors)

    def judge(
        self, page: Page[Any], *, added: int, fetched: Container[str | None]
    ) -> PagingLoopError | None:
        """The rule itself, for a caller that already knows what a page added and which
        cursors it fetched (the dashboard's feed keeps both): the reason to stop, or None."""
        self.pages += 1
        if page.next_cursor is None:
            return None
        if page.next_cursor in fetched:
            return PagingLoopError(
                f"The server's pages loop: page {self.pages} points back to a page already "
                "fetched. Stopped there."
            )
        if added:
            self._fruitless = 0
            return None
        self._fruitless += 1
        if self._fruitless > MAX_FRUITLESS_PAGES:
            what = "no rows" if not page.items else "only rows already listed"
            return PagingLoopError(
                f"The server's pages make no progress: {self._fruitless} pages in a row with "
                f"{what} still point to more (page {self.pages}). Stopped there."
            )
        return None

    def reset(self) -> None:
        """Forget the walk: the listing is fetched again from its first page."""
        self._cursors.clear()
        self._seen.clear()
        self._fruitless = 0
        self.pages = 0


async def iter_pages(
    fetch: Callable[[str | None], Awaitable[Page[ItemT]]],
    *,
    start: str | None = None,
    max_pages: int | None = None,
) -> AsyncIterator[Page[ItemT]]:
    """Each page of a listing, ``fetch(cursor)`` after ``fetch(start)``, until it ends.

    Stops quietly after ``max_pages`` pages. A page whose ``next`` breaks the progress
    rule is still yielded (its rows are sound); :class:`PagingLoopError` is raised
    instead of fetching what it points to. Errors of ``fetch`` propagate.
    """
    if max_pages is not None and max_pages < 0:
        raise ValueError("max_pages cannot be negative.")
    progress = PageProgress()
    cursor = start
    while max_pages is None or progress.pages < max_pages:
        page = await fetch(cursor)
        stop = progress.check(cursor, page)
        yield page
        if stop is not None:
            raise stop
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
