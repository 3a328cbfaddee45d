"""The task list pane: the table, its paging and live refresh, the quick filter and status line.

The pane owns its workers and its model (a :class:`TaskFeed` for paging, a
:class:`TaskView` for the quick filter and sort, a :class:`ChangeLog` and a
:class:`LiveMonitor`); the screen above it sets filters by method calls and
hears back through :class:`TaskListPane.StateChanged`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from avala_tui.api.errors import AvalaError, BadRequestError
from avala_tui.api.models import STATUS_PENDING
from avala_tui.api.protocol import TasksAPI
from avala_tui.core.census import SeenChange
from avala_tui.core.changes import ChangeLog
from avala_tui.core.feed import FIRST_PAGE, PAGE_SIZE, PageClaim, TaskFeed, TaskFilter
from avala_tui.core.monitor import LiveMonitor, RefreshPolicy
from avala_tui.core.refresh import apply_refresh
from avala_tui.core.status import (
    ListState,
    list_message,
    refused_filter_way_out,
    status_line,
    table_footer,
)
from avala_tui.core.text import clean
from avala_tui.core.view import Sort, TaskView
from avala_tui.ui.messages import RefreshFailed, RefreshLoaded, TasksPageFailed, TasksPageLoaded
from avala_tui.ui.untrusted import shown
from avala_tui.ui.widgets.quick_filter import QuickFilter
from avala_tui.ui.widgets.task_table import TaskTable


class TaskListPane(Vertical):
    """The loaded tasks of one filter, kept fresh while the dashboard is open."""

    @dataclass
    class StateChanged(Message):
        """Counts, health or the change summary moved: the header and sidebar follow."""

        pane: TaskListPane

        @property
        def control(self) -> TaskListPane:
            """The pane that posted this."""
            return self.pane

    @dataclass
    class ChangesSeen(Message):
        """A live refresh saw tasks arrive or change status (the census refines its count)."""

        changes: tuple[SeenChange, ...]

    @dataclass
    class FilterAccepted(Message):
        """The API answered a filter's first page: worth remembering."""

        filters: TaskFilter

    @dataclass
    class FilterRefused(Message):
        """The API refused a filter (a 400): never worth remembering."""

        filters: TaskFilter

    def __init__(
        self,
        client: TasksAPI,
        *,
        filters: TaskFilter,
        origins: Mapping[str, str] | None = None,
        refresh: float,
        project_names: Mapping[str, str],
        clock: Callable[[], float] = time.time,
        page_size: int = PAGE_SIZE,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.client = client
        self.clock = clock
        self.page_size = page_size
        self.project_names = project_names
        self.feed = TaskFeed(filters=filters)
        """Which pages of the current filter are loaded, and the rows themselves."""
        self.view = TaskView(self.feed.store, project_names)
        """The quick filter and sort over the loaded rows (the table shows the store without)."""
        self.changes = ChangeLog(clock)
        """New and changed rows since the user last looked; the table draws their marks."""
        self.monitor = LiveMonitor(RefreshPolicy(refresh))
        """The link's health and the one pending refresh or retry."""
        #: Where the current filters came from (a flag, a profile, remembered state).
        self.origins: Mapping[str, str] = origins or {}
        self._wake_timer: Timer | None = None
        #: A task to put the cursor on once its row is loaded (``--task``).
        self._sought: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("Loading tasks…", id="table-message", markup=False)
        table = TaskTable(id="tasks", clock=self.clock, project_names=self.project_names)
        table.marks = self.changes.marks
        table.set_rows(self.feed.store)
        yield table
        yield QuickFilter(id="quick-filter")
        yield Static("", id="status-line", markup=False)

    def on_mount(self) -> None:
        self._start_loading(self.feed.reset(self.feed.filters))

    def on_resize(self) -> None:
        # The status line keeps what fits its width: recompute it, not just cut it.
        self._render_state()

    @property
    def table(self) -> TaskTable:
        """The task table."""
        return self.query_one("#tasks", TaskTable)

    # Paging -----------------------------------------------------------------

    def _start_loading(self, claim: PageClaim) -> None:
        self.table.rows_changed()
        self._render_state()
        self._load_first_page(claim)

    async def _fetch_page(self, claim: PageClaim) -> None:
        try:
            page = await self.client.list_tasks(
                project=claim.filters.project,
                status=claim.filters.status,
                cursor=claim.api_cursor,
                limit=self.page_size,
            )
        except AvalaError as error:
            self.post_message(TasksPageFailed(claim, error))
        else:
            self.post_message(TasksPageLoaded(claim, page))

    @work(group="tasks", exclusive=True, exit_on_error=False)
    async def _load_first_page(self, claim: PageClaim) -> None:
        """Fetch a filter's first page; a newer filter cancels it (latest wins)."""
        await self._fetch_page(claim)

    @work(group="tasks", exit_on_error=False)
    async def _load_next_page(self, claim: PageClaim) -> None:
        """Fetch a further page; the feed's claim guarantees one in flight at a time."""
        await self._fetch_page(claim)

    def _load_more(self) -> None:
        if self.view.filtering:
            # The quick filter narrows what is loaded; it never pages through the server.
            return
        if self.monitor.failed_page is not None:
            # A failed page is retried by the backoff timer (or r), not by scrolling.
            return
        claim = self.feed.claim_next()
        if claim is not None:
            self._render_state()
            self._load_next_page(claim)

    @on(TaskTable.NearEnd)
    def _near_end(self, message: TaskTable.NearEnd) -> None:
        message.stop()
        # The message may be stale: posted while the list was empty, handled after the
        # first page arrived. Only a table still near its end needs the next page.
        if self.table.near_end():
            self._load_more()

    @on(TasksPageLoaded)
    def _page_loaded(self, message: TasksPageLoaded) -> None:
        message.stop()
        first_page = self.feed.pages_loaded == 0
        if self.feed.page_loaded(message.claim, message.page) is None:
            return
        self._succeeded()
        table = self.table
        table.rows_changed()
        self._render_state()
        if first_page:
            if len(self.feed.store):
                table.cursor_row = 0
            self._schedule_refresh()
            self.post_message(self.FilterAccepted(message.claim.filters))
        self._find_sought()
        if table.near_end():
            # The screen is taller than what is loaded: keep filling it.
            self._load_more()

    @on(TasksPageFailed)
    def _page_failed(self, message: TasksPageFailed) -> None:
        message.stop()
        if not self.feed.is_current(message.claim):
            return
        self.feed.page_failed(message.claim)
        self._failed(message.error, message.claim)
        if isinstance(message.error, BadRequestError) and self.feed.pages_loaded == 0:
            self.post_message(self.FilterRefused(message.claim.filters))
        self._render_state()

    # What the list shows about itself ---------------------------------------

    def seek(self, uid: str) -> None:
        """Put the cursor on a task as soon as its row is loaded (now, if it is)."""
        self._sought = uid
        self._find_sought()

    def _find_sought(self) -> None:
        if self._sought is not None and self.table.move_cursor_to_uid(
            self._sought, keep_screen_position=False
        ):
            self._sought = None

    def list_state(self) -> ListState:
        """The inputs of the status texts, as they stand."""
        feed = self.feed
        matched, order = self.view.describe(all_loaded=feed.exhausted)
        return ListState(
            count=len(feed.store),
            exhausted=feed.exhausted,
            loading=feed.in_flight is not None,
            error=self.monitor.last_error or feed.halted,
            changes=self.changes.summary,
            changes_since=self.changes.since,
            matched=matched,
            order=order,
            rate=self.client.rate_limit,
            way_out=self._way_out(),
            skipped=feed.skipped,
            status=feed.filters.status,
            project=feed.filters.project is not None,
        )

    def _way_out(self) -> str | None:
        error = self.monitor.last_error
        if not isinstance(error, BadRequestError) or self.feed.pages_loaded:
            return None
        return refused_filter_way_out(error.field_errors, self.origins)

    def _render_state(self) -> None:
        """Show where the list stands: loading, empty, an error, the end, or more below."""
        state = self.list_state()
        message = self.query_one("#table-message", Static)
        paragraph = list_message(state)
        if paragraph is not None:
            message.update(shown(paragraph, keep_newlines=True))
        message.display = paragraph is not None
        self.table.footer_text = clean(table_footer(state), placeholder="")
        line = self.query_one("#status-line", Static)
        # The Static's padding takes a cell each side.
        text = status_line(state, width=max(line.size.width - 2, 1) if line.size.width else None)
        if text != str(line.content):
            line.update(shown(text))
        self.post_message(self.StateChanged(self))

    def pending_count(self) -> int | None:
        """Loaded pending tasks, where the filter lets them be counted; None otherwise."""
        feed = self.feed
        if feed.filters.status not in (None, STATUS_PENDING) or not feed.pages_loaded:
            return None
        return feed.store.tally(status=STATUS_PENDING)

    # Live monitor -----------------------------------------------------------

    def _succeeded(self) -> None:
        self.monitor.succeeded(self.clock())

    def _failed(self, error: AvalaError, page: PageClaim | None = None) -> None:
        """Keep the rows, say what is wrong, and try again by itself after a backoff."""
        delay = self.monitor.failed(error, time.monotonic(), page)
        if delay is None:
            self._cancel_wake()
            return
        self._set_wake(delay)

    def _cancel_wake(self) -> None:
        if self._wake_timer is not None:
            self._wake_timer.stop()
            self._wake_timer = None

    def _set_wake(self, delay: float) -> None:
        self._cancel_wake()
        self._wake_timer = self.set_timer(max(delay, 0.05), self._wake, name="live-tick")

    def _schedule_refresh(self) -> None:
        delay = self.monitor.refresh_delay(
            len(self._refresh_cursors()), self.client.rate_limit, self.clock()
        )
        if delay is not None:
            self._set_wake(delay)

    def _refresh_cursors(self) -> list[str]:
        """The pages to re-fetch: the first, and those holding the rows on screen."""
        table = self.table
        top = int(table.scroll_y)
        on_screen = table.rows[top : top + table.size.height]
        # Under a sort or filter the screen shows view positions: map them back to the store.
        positions = [
            position
            for row in on_screen
            if (position := self.feed.store.index_of(row.uid)) is not None
        ]
        if not positions:
            return self.feed.cursors_covering(0, 0)
        return self.feed.cursors_covering(min(positions), max(positions))

    def _wake(self) -> None:
        self._wake_timer = None
        action = self.monitor.wake()
        if action == "retry":
            self.monitor.take_failed_page()
            claim = self.feed.retry_claim()
            if claim is not None:
                self._render_state()
                if claim.cursor == FIRST_PAGE:
                    self._load_first_page(claim)
                else:
                    self._load_next_page(claim)
                return
            action = self.monitor.wake()
        if action == "refresh":
            self._refresh(self.feed.generation, self.feed.filters, self._refresh_cursors())

    @work(group="refresh", exclusive=True, exit_on_error=False)
    async def _refresh(self, generation: int, filters: TaskFilter, cursors: list[str]) -> None:
        """Re-fetch the first page and the pages on screen, for the live monitor."""
        pages = []
        try:
            for cursor in cursors:
                page = await self.client.list_tasks(
                    project=filters.project,
                    status=filters.status,
                    cursor=cursor or None,
                    limit=self.page_size,
                )
                pages.append((cursor, page))
        except AvalaError as error:
            self.post_message(RefreshFailed(generation, error))
        else:
            self.post_message(RefreshLoaded(generation, pages))

    @on(RefreshLoaded)
    def _refresh_loaded(self, message: RefreshLoaded) -> None:
        message.stop()
        if message.generation != self.feed.generation:
            return
        table = self.table
        cursor_uid = table.cursor_uid
        # A monitor watched from the top must show arrivals: it stays at the top, however
        # many arrive, and the cursor moves down with its task (off screen if pushed so;
        # the detail pane still shows it). Scrolled down, the view stays on its tasks.
        at_top = table.scroll_offset.y == 0
        result = apply_refresh(self.feed.store, message.pages, exhausted=self.feed.exhausted)
        self.changes.record(result.added, result.status_changed, len(result.gone))
        self.changes.forget(result.gone)
        if result.seen:
            self.post_message(self.ChangesSeen(result.seen))
        self._succeeded()
        table.rows_changed()
        if cursor_uid is not None and not table.move_cursor_to_uid(
            cursor_uid, keep_screen_position=not at_top, hold_view=at_top
        ):
            table.cursor_row = min(table.cursor_row, max(len(self.feed.store) - 1, 0))
        self._find_sought()
        self._render_state()
        self._schedule_refresh()

    @on(RefreshFailed)
    def _refresh_failed(self, message: RefreshFailed) -> None:
        message.stop()
        if message.generation == self.feed.generation:
            self._failed(message.error)
            self._render_state()

    # What the screen asks of the list ---------------------------------------

    def set_filters(self, filters: TaskFilter) -> None:
        """Show another filter's tasks, from its first page (nothing when it is already shown)."""
        if filters == self.feed.filters and self.feed.pages_loaded:
            return
        self.origins = {"project": "your choice", "status": "your choice"}
        self._reload(filters)

    def _reload(self, filters: TaskFilter) -> None:
        self.monitor.reset()
        self._cancel_wake()
        self.workers.cancel_group(self, "refresh")
        self.changes.acknowledge()
        self.table.cursor_row = 0
        self._start_loading(self.feed.reset(filters))

    def reload(self) -> None:
        """Retry a failed page now, keeping what is loaded; otherwise reload from the top."""
        if self.monitor.failed_page is not None and self.feed.pages_loaded:
            self.monitor.retry_now()
            self._set_wake(0)
        else:
            self._reload(self.feed.filters)

    @property
    def paused(self) -> bool:
        """Whether live refresh is paused."""
        return self.monitor.paused

    def toggle_pause(self) -> None:
        """Pause or resume live refresh."""
        monitor = self.monitor
        monitor.paused = not monitor.paused
        if not monitor.paused and self._wake_timer is None and self.feed.pages_loaded:
            self._set_wake(0)
        self.post_message(self.StateChanged(self))

    def acknowledge(self) -> None:
        """Mark every change as seen."""
        self.changes.acknowledge()
        self.table.rows_changed()
        self._render_state()

    def seen(self, uid: str) -> None:
        """The cursor passed over a row: its mark is cleared."""
        if self.changes.seen(uid):
            self.table.rows_changed()
            self._render_state()

    def projects_changed(self) -> None:
        """Project names arrived: the table draws them, and the view may match other rows."""
        if self.view.active:
            # The quick filter and the project sort read names: rows may come or go.
            self.table.rows_changed()
            self._render_state()
        # Whole project names may widen the project column.
        self.table.names_changed()
        self.table.refresh()

    def _show_view(self, anchor: str | None) -> None:
        """Show the view (the store itself without query or sort), the cursor on ``anchor``."""
        table = self.table
        table.set_rows(self.view if self.view.active else self.feed.store)
        if anchor is None or not table.move_cursor_to_uid(anchor, keep_screen_position=False):
            table.cursor_row = 0
            table.scroll_to(y=0, animate=False)
        self._render_state()

    def set_sort(self, sort: Sort | None) -> None:
        """Sort the loaded rows (None: the API's order); the list starts at its new top."""
        self.view.sort = sort
        self.table.sort_key = None if sort is None else sort.column
        self.table.sort_reverse = sort is not None and sort.reverse
        # A new order starts at its top. Following the task instead would often land on
        # the last row, and that asks for the next page, which lands above it, and so on.
        self._show_view(None)

    def open_quick_filter(self) -> None:
        """Open the quick filter over the loaded tasks."""
        self.query_one(QuickFilter).open()

    def set_quick_filter(self, query: str) -> None:
        """Filter the loaded tasks by ``query`` at once, the filter line showing it."""
        self.query_one(QuickFilter).set_query(query)
        self.table.focus()

    def clear_quick_filter(self) -> None:
        """Clear and close the quick filter, if it is open."""
        quick_filter = self.query_one(QuickFilter)
        if quick_filter.is_open:
            quick_filter.action_clear()

    @on(QuickFilter.Changed)
    def _quick_filter_changed(self, message: QuickFilter.Changed) -> None:
        message.stop()
        anchor = self.table.cursor_uid
        self.view.query = message.query
        self._show_view(anchor)

    @on(QuickFilter.Done)
    def _quick_filter_done(self, message: QuickFilter.Done) -> None:
        message.stop()
        self.table.focus()
