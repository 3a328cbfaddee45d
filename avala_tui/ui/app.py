"""The dashboard: filter sidebar, lazily paginated task table, get-task detail pane.

The app holds no HTTP code of its own: it is handed an ``AvalaClient`` (see
``make_app``) and talks to it only from background workers, whose results come
back as typed messages. Pagination state lives in the UI-free ``TaskFeed``.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from functools import partial, wraps
from pathlib import Path
from typing import ClassVar, Final, Literal, TypeVar
from urllib.parse import urlsplit

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static

from avala_tui.api.client import AvalaClient
from avala_tui.api.errors import (
    APIConnectionError,
    AuthenticationError,
    AvalaError,
    PermissionDeniedError,
)
from avala_tui.api.models import STATUS_COMPLETED, STATUS_PENDING
from avala_tui.export import ExportFormat, export_rows, row_record, task_record
from avala_tui.feed import (
    FIRST_PAGE,
    PAGE_SIZE,
    DetailCache,
    PageClaim,
    TaskFeed,
    TaskFilter,
)
from avala_tui.monitor import ChangeLog, RefreshPolicy, low_budget
from avala_tui.prefetch import FirstPages
from avala_tui.settings import Settings
from avala_tui.state import AppState, Filters, StateFile, scope_of
from avala_tui.store import TaskRow
from avala_tui.ui.detail import TaskDetail
from avala_tui.ui.dialogs import ExportScreen, LinkScreen
from avala_tui.ui.help import HelpScreen
from avala_tui.ui.messages import (
    ProjectsFailed,
    ProjectsPageLoaded,
    RefreshFailed,
    RefreshLoaded,
    TaskDetailFailed,
    TaskDetailLoaded,
    TasksPageFailed,
    TasksPageLoaded,
)
from avala_tui.ui.quick_filter import QuickFilter
from avala_tui.ui.sidebar import FilterSidebar, ProjectList, StatusList
from avala_tui.ui.task_table import TaskTable
from avala_tui.ui.terminal import (
    has_local_browser,
    inside_tmux,
    osc52,
    served_by_browser,
    task_url,
    title_sequence,
    tmux_passthrough,
    write_to_terminal,
)
from avala_tui.ui.text import clean
from avala_tui.view import Sort, TaskView, header_sort, next_sort

#: How long the cursor must rest on a row before get-task is called for it.
DETAIL_DEBOUNCE_SECONDS: Final = 0.15


#: The states of the link to the API that the header names.
Connection = Literal["connecting", "online", "offline", "error", "unauthorised"]

AppT = TypeVar("AppT", bound=App[int])
MessageT = TypeVar("MessageT", bound=Message)


def _while_running(
    handler: Callable[[AppT, MessageT], None],
) -> Callable[[AppT, MessageT], None]:
    """Drop a message that lands while the app shuts down: its widgets are gone."""

    @wraps(handler)
    def handle(app: AppT, message: MessageT) -> None:
        if app.is_running:
            handler(app, message)

    return handle


def styles_path() -> Path:
    """The app's stylesheet: packaged beside the code in a wheel, at the top of a checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "styles" / "app.tcss"
    return packaged if packaged.exists() else package.parent / "styles" / "app.tcss"


def describe_error(error: AvalaError) -> str:
    """One clear paragraph for an error, with the API's own words and what to do."""
    if isinstance(error, AuthenticationError):
        hint = "Check AVALA_API_KEY (or the profile's api_key)."
    elif isinstance(error, PermissionDeniedError):
        hint = "This key may not see it."
    elif isinstance(error, APIConnectionError):
        hint = "Is the network up, and AVALA_BASE_URL right?"
    else:
        hint = ""
    label = error.kind.capitalize()
    return f"{label}: {error.message} {hint}".strip()


class AvalaApp(App[int]):
    """The avala-tui dashboard."""

    TITLE = "avala-tui"
    CSS_PATH = styles_path()
    # The detail pane moves beside the table when there is room for both.
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (140, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        # In footer order: what fits at 80 columns comes first; ? lists every key.
        Binding("q", "quit", "Quit"),
        # Textual only hints at ctrl+q; over SSH a lead expects Ctrl+C to leave. Not a
        # priority binding: in a text field Ctrl+C still copies.
        Binding("ctrl+c", "quit", "Quit", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        # Priority: handled before the keys typed after it are dispatched (see check_action).
        Binding("slash", "quick_filter", "Filter", key_display="/", priority=True),
        Binding("p", "focus_projects", "Projects"),
        Binding("s", "focus_statuses", "Status"),
        Binding("r", "reload", "Reload"),
        Binding("space", "toggle_pause", "Pause", key_display="space"),
        Binding("comma", "sort_next", "Sort", key_display=","),
        Binding("y", "copy_uid", "Copy"),
        Binding("o", "open_task", "Open"),
        Binding("e", "export", "Export"),
        Binding("t", "focus_table", "Tasks", show=False),
        Binding("d", "toggle_detail", "Detail", show=False),
        Binding("a", "acknowledge", "Seen", show=False),
        Binding("full_stop", "sort_reverse", "Reverse sort", key_display=".", show=False),
        Binding("Y", "copy_json", "Copy JSON", show=False),
        Binding("escape", "clear_quick_filter", "Clear filter", show=False),
    ]

    show_detail: reactive[bool] = reactive(True)
    """Whether the detail pane is on screen."""
    connection: reactive[Connection] = reactive[Connection]("connecting")
    """The last known state of the link to the API, for the header."""
    paused: reactive[bool] = reactive(False)
    """Whether the user has paused live refresh."""
    # Textual's own sub_title repaints the whole screen on every change (about 5 KB at
    # 80x24); the header watches it and repaints its one line, which is all that changed.
    sub_title: reactive[str] = reactive("", repaint=False, init=False)
    """The header's second part: where the data comes from, and how fresh it is."""

    def __init__(
        self,
        client: AvalaClient,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.time,
        page_size: int = PAGE_SIZE,
        detail_debounce: float = DETAIL_DEBOUNCE_SECONDS,
        state: StateFile | None = None,
        first_pages: FirstPages | None = None,
    ) -> None:
        super().__init__()
        #: First pages the launcher requested before the app existed, taken once.
        self.first_pages = first_pages or FirstPages()
        self.client = client
        self.settings = settings
        self.clock = clock
        self.page_size = page_size
        self.detail_debounce = detail_debounce
        self.feed = TaskFeed(filters=TaskFilter(settings.project, settings.status))
        self.detail_cache = DetailCache()
        #: Project names by uid, shared with the table, filled as project pages arrive.
        self.project_names: dict[str, str] = {}
        self._all_projects_loaded = False
        self._detail_timer: Timer | None = None
        self._last_error: AvalaError | None = None
        self.policy = RefreshPolicy(settings.refresh)
        #: New and changed rows since the user last looked; the table draws its marks.
        self.changes = ChangeLog(clock)
        #: The one pending refresh or retry; there is never more than one.
        self._tick_timer: Timer | None = None
        #: Wall-clock time of the last successful answer for the task list.
        self._last_update: float | None = None
        #: Monotonic time of the scheduled retry while offline, for the countdown.
        self._retry_at: float | None = None
        self._countdown: Timer | None = None
        #: A list page whose request failed, to be retried before any refresh.
        self._failed_page: PageClaim | None = None
        self._terminal_title = ""
        #: The quick filter and sort over the loaded rows (the table shows the store without).
        self.view = TaskView(self.feed.store, self.project_names)
        #: Where the last filters, sort and theme are kept; None remembers nothing (tests).
        self.state_file = state
        self.remembered = AppState() if state is None else state.load()

    # Layout -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with Horizontal(id="body"):
            yield FilterSidebar(
                project=self.settings.project, status=self.settings.status, id="sidebar"
            )
            with Vertical(id="workspace"):
                with Vertical(id="table-area"):
                    yield Static("Loading tasks…", id="table-message", markup=False)
                    table = TaskTable(id="tasks")
                    table.clock = self.clock
                    table.project_names = self.project_names
                    table.marks = self.changes.marks
                    table.set_rows(self.feed.store)
                    yield table
                    yield QuickFilter(id="quick-filter")
                    yield Static("", id="status-line", markup=False)
                yield TaskDetail(clock=self.clock, id="detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = self._header_text()
        self._load_projects()
        self._start_loading(self.feed.reset(self.feed.filters))
        self.query_one(TaskTable).focus()
        self._restore_state()
        if self.settings.task:
            self._open_task(self.settings.task)

    async def on_unmount(self) -> None:
        self._remember_filters(self.feed.filters)
        await self.client.aclose()

    @property
    def table(self) -> TaskTable:
        """The task table."""
        return self.query_one("#tasks", TaskTable)

    @property
    def detail(self) -> TaskDetail:
        """The detail pane."""
        return self.query_one("#detail", TaskDetail)

    def _header_text(self) -> str:
        if self.settings.demo:
            # The demo API's ephemeral loopback port means nothing to the user.
            return f"demo data · {self._health()}"
        host = urlsplit(self.client.base_url).netloc or self.client.base_url
        return f"{host} · profile {self.settings.profile} · {self._health()}"

    def _health(self) -> str:
        """The freshness and health of the data, coarse enough to repaint rarely."""
        updated = self._clock_text(self._last_update, seconds=False)
        if self.connection in ("offline", "error") and self._retry_at is not None:
            wait = max(0, round(self._retry_at - time.monotonic()))
            since = self._clock_text(self._last_update, seconds=True)
            return f"{self.connection} — retrying in {wait} s (last update {since})"
        if self.connection != "online":
            return self.connection
        if self.paused:
            return f"paused · updated {updated}"
        if not self.policy.live:
            return f"updated {updated}"
        return f"live · updated {updated}"

    def _clock_text(self, epoch: float | None, *, seconds: bool) -> str:
        if epoch is None:
            return "never"
        return (
            datetime.fromtimestamp(epoch).astimezone().strftime("%H:%M:%S" if seconds else "%H:%M")
        )

    def _update_header(self) -> None:
        text = self._header_text()
        # Assigning the same text still repaints the header: over SSH every byte counts.
        if text != self.sub_title:
            self.sub_title = text

    def watch_connection(self) -> None:
        self._update_header()

    def watch_paused(self) -> None:
        self._update_header()

    def watch_show_detail(self, show: bool) -> None:
        self.query_one("#detail").display = show

    # Tasks ------------------------------------------------------------------

    def _start_loading(self, claim: PageClaim) -> None:
        self.table.rows_changed()
        self._render_list_state()
        self._load_first_page(claim)

    async def _fetch_page(self, claim: PageClaim) -> None:
        try:
            page = await self.first_pages.list_tasks(
                self.client,
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
        if self._failed_page is not None:
            # A failed page is retried by the backoff timer (or r), not by scrolling.
            return
        claim = self.feed.claim_next()
        if claim is not None:
            self._render_list_state()
            self._load_next_page(claim)

    @on(TaskTable.NearEnd)
    def _near_end(self) -> None:
        # The message may be stale: posted while the list was empty, handled after the
        # first page arrived. Only a table still near its end needs the next page.
        if self.table.near_end():
            self._load_more()

    @on(TasksPageLoaded)
    @_while_running
    def _page_loaded(self, message: TasksPageLoaded) -> None:
        first_page = self.feed.pages_loaded == 0
        if self.feed.page_loaded(message.claim, message.page) is None:
            return
        self._succeeded()
        table = self.table
        table.rows_changed()
        self._render_list_state()
        if first_page:
            if len(self.feed.store):
                table.cursor_row = 0
            self._schedule_refresh()
        if table.near_end():
            # The screen is taller than what is loaded: keep filling it.
            self._load_more()

    @on(TasksPageFailed)
    @_while_running
    def _page_failed(self, message: TasksPageFailed) -> None:
        if not self.feed.is_current(message.claim):
            return
        self.feed.page_failed(message.claim)
        self._failed_page = message.claim
        self._failed(message.error)
        self._render_list_state()

    def _render_list_state(self) -> None:
        """Show where the list stands: loading, empty, an error, the end, or more below."""
        feed = self.feed
        count = len(feed.store)
        message = self.query_one("#table-message", Static)
        error = self._last_error
        if count == 0:
            if error is not None:
                text = f"⚠ {describe_error(error)}\n\nPress r to retry."
            elif feed.exhausted:
                text = "No tasks match these filters."
            else:
                text = "Loading tasks…"
            message.update(clean(text, keep_newlines=True))
        message.display = count == 0
        if count == 0:
            footer = ""  # the message above the table already says it
        elif error is not None:
            footer = f"⚠ {describe_error(error)} — r retries"
        elif feed.exhausted:
            footer = f"end of list: {count:,} tasks"
        elif feed.in_flight is not None:
            footer = "loading more…"
        else:
            footer = ""
        self.table.footer_text = clean(footer, placeholder="")
        summary = self.changes.summary
        if feed.exhausted:
            parts = [f"{count:,} tasks · all loaded"]
        elif summary:
            # Room is short at 80 columns: what changed matters more than "more below".
            parts = [f"{count:,} loaded"]
        else:
            parts = [f"{count:,} loaded · more below"] if count else []
        matched, order = self.view.describe(all_loaded=feed.exhausted)
        if matched:
            parts[:1] = [matched]
        if order:
            parts.insert(1, order)
        if summary:
            since = self._clock_text(self.changes.since, seconds=False)
            parts.append(f"{summary} since {since}")
        rate = self.client.rate_limit
        if low_budget(rate) and rate is not None:
            parts.append(f"rate limit: {rate.remaining}/{rate.limit} left")
        status_line = self.query_one("#status-line", Static)
        text = " · ".join(parts)
        if text != str(status_line.content):
            status_line.update(text)
        self._update_terminal_title()
        self._update_counts()

    # Live monitor -----------------------------------------------------------

    def _succeeded(self) -> None:
        self._last_error = None
        self._retry_at = None
        if self._countdown is not None:
            self._countdown.stop()
            self._countdown = None
        self._last_update = self.clock()
        self.connection = "online"
        self._update_header()

    def _failed(self, error: AvalaError) -> None:
        """Keep the rows, say what is wrong, and try again by itself after a backoff."""
        self._last_error = error
        if isinstance(error, APIConnectionError):
            self.connection = "offline"
        elif isinstance(error, AuthenticationError):
            # A wrong key will not fix itself: wait for the user's r.
            self.connection = "unauthorised"
            self._cancel_tick()
            return
        else:
            self.connection = "error"
        delay = self.policy.next_retry(error)
        self._retry_at = time.monotonic() + delay
        self._set_tick(delay)
        if self._countdown is None:
            # The countdown is the one thing repainted every second, and only while offline.
            self._countdown = self.set_interval(1.0, self._update_header)
        self._update_header()

    def _cancel_tick(self) -> None:
        if self._tick_timer is not None:
            self._tick_timer.stop()
            self._tick_timer = None

    def _set_tick(self, delay: float) -> None:
        self._cancel_tick()
        self._tick_timer = self.set_timer(max(delay, 0.05), self._tick, name="live-tick")

    def _schedule_refresh(self) -> None:
        if not self.policy.live:
            return
        pages = len(self._refresh_cursors())
        delay = self.policy.next_refresh(pages, self.client.rate_limit, self.clock())
        self._set_tick(delay)

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

    def _tick(self) -> None:
        self._tick_timer = None
        if not self.is_running:
            # A timer that fired while the app shuts down: its widgets are gone.
            return
        if self._failed_page is not None:
            # The last page request failed: retry it rather than refresh.
            self._failed_page = None
            claim = self.feed.retry_claim()
            if claim is not None:
                self._render_list_state()
                if claim.cursor == FIRST_PAGE:
                    self._load_first_page(claim)
                else:
                    self._load_next_page(claim)
                return
        if self.paused or (not self.policy.live and self._last_error is None):
            return
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
    @_while_running
    def _refresh_loaded(self, message: RefreshLoaded) -> None:
        if message.generation != self.feed.generation:
            return
        store = self.feed.store
        table = self.table
        cursor_uid = table.cursor_uid
        added: list[str] = []
        status_changed: list[str] = []
        gone: list[str] = []
        for cursor, page in message.pages:
            rows = [TaskRow.from_task(task) for task in page.items]
            first_page = cursor == FIRST_PAGE
            result = store.merge_refresh(
                rows, insert_new=first_page, bottom_open=not self.feed.exhausted
            )
            added += result.added
            status_changed += result.status_changed
            created = [row.created for row in rows if row.created is not None]
            if created or (first_page and not page.has_more):
                gone += store.remove_missing(
                    rows,
                    newer_than=min(created) if page.has_more else None,
                    older_than=None if first_page or not created else max(created),
                )
        new_statuses = [(uid, row.status) for uid in status_changed if (row := store.get(uid))]
        self.changes.record(added, new_statuses, len(gone))
        self.changes.forget(gone)
        self._succeeded()
        table.rows_changed()
        if cursor_uid is not None and not table.move_cursor_to_uid(cursor_uid):
            table.cursor_row = min(table.cursor_row, max(len(store) - 1, 0))
        self._render_list_state()
        self._schedule_refresh()

    @on(RefreshFailed)
    @_while_running
    def _refresh_failed(self, message: RefreshFailed) -> None:
        if message.generation == self.feed.generation:
            self._failed(message.error)
            self._render_list_state()

    def _update_terminal_title(self) -> None:
        """Put the pending count in the terminal title, so a tmux window name shows it."""
        feed = self.feed
        title = "avala-tui"
        if feed.filters.status in (None, STATUS_PENDING) and feed.pages_loaded:
            pending = feed.store.tally(status=STATUS_PENDING)
            more = "" if feed.exhausted else "+"
            title = f"avala-tui · {pending:,}{more} pending"
        if title == self._terminal_title:
            return
        self._terminal_title = title
        if not self.is_headless:
            write_to_terminal(self, title_sequence(clean(title), tmux=inside_tmux()))

    def _update_counts(self) -> None:
        """Counts of what is loaded, in the sidebar; "+" while more pages remain."""
        store = self.feed.store
        lower_bound = not self.feed.exhausted
        self.query_one(FilterSidebar).show_counts(
            {
                project: store.tally(project=project, status=STATUS_PENDING)
                for project in store.projects_counted()
            },
            pending=store.tally(status=STATUS_PENDING),
            completed=store.tally(status=STATUS_COMPLETED),
            total=len(store),
            lower_bound=lower_bound,
        )

    def action_toggle_pause(self) -> None:
        """Pause or resume live refresh."""
        self.paused = not self.paused
        if not self.paused and self._tick_timer is None and self.feed.pages_loaded:
            self._set_tick(0)

    def action_acknowledge(self) -> None:
        """Mark every change as seen."""
        self.changes.acknowledge()
        self.table.rows_changed()
        self._render_list_state()

    # Filters ----------------------------------------------------------------

    @on(FilterSidebar.Changed)
    def _filters_changed(self, message: FilterSidebar.Changed) -> None:
        filters = TaskFilter(message.project, message.status)
        if filters == self.feed.filters and self.feed.pages_loaded:
            return
        self._reload(filters)

    def _reload(self, filters: TaskFilter) -> None:
        self._last_error = None
        self._failed_page = None
        self._cancel_tick()
        self.workers.cancel_group(self, "refresh")
        self.changes.acknowledge()
        self.table.cursor_row = 0
        self._start_loading(self.feed.reset(filters))

    def apply_filters(self, *, project: str | None, status: str | None) -> None:
        """Set the filters as if the user had chosen them in the sidebar."""
        self.query_one(FilterSidebar).apply(project=project, status=status)

    # Projects ---------------------------------------------------------------

    @work(group="projects", exclusive=True, exit_on_error=False)
    async def _load_projects(self) -> None:
        """Fetch every page of the user's projects, handing each to the sidebar as it comes."""
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            try:
                page = await self.first_pages.list_projects(self.client, cursor=cursor)
            except AvalaError as error:
                self.post_message(ProjectsFailed(error))
                return
            self.post_message(ProjectsPageLoaded(page))
            cursor = page.next_cursor
            if cursor is None or cursor in seen:
                return
            seen.add(cursor)

    @on(ProjectsPageLoaded)
    @_while_running
    def _add_projects(self, message: ProjectsPageLoaded) -> None:
        for project in message.page.items:
            self.project_names[project.uid] = project.name or project.uid
        self.query_one(ProjectList).add_projects(message.page.items)
        self._all_projects_loaded = not message.page.has_more
        if self.view.active:
            # The quick filter and the project sort read names: rows may come or go.
            self.table.rows_changed()
            self._render_list_state()
        self.table.refresh()

    @on(ProjectsFailed)
    @_while_running
    def _projects_failed(self, message: ProjectsFailed) -> None:
        self.query_one(ProjectList).border_subtitle = clean(f"⚠ {message.error.message}")

    # Detail -----------------------------------------------------------------

    @on(TaskTable.Highlighted)
    @_while_running
    def _row_highlighted(self, message: TaskTable.Highlighted) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        row = message.row
        if row is None:
            self.detail.show_message("No task selected.")
            return
        if self.changes.seen(row.uid):
            self.table.rows_changed()
            self._render_list_state()
        project_name = self.project_names.get(row.project or "")
        cached = self.detail_cache.get(row.uid)
        if cached is not None:
            self.detail.show_task(cached, project_name)
            return
        self.detail.show_row(row, project_name)
        # Holding j must not fire a request per row: only a row the cursor rests on is fetched.
        self._detail_timer = self.set_timer(
            self.detail_debounce, partial(self._fetch_detail, row.uid)
        )

    @on(TaskTable.Selected)
    def _row_selected(self) -> None:
        self.show_detail = True
        self.detail.focus()

    def _open_task(self, uid: str) -> None:
        self.detail.show_message(f"Fetching task {clean(uid)}…")
        self.detail.shown_uid = uid
        self._fetch_detail(uid)

    @work(group="detail", exclusive=True, exit_on_error=False)
    async def _fetch_detail(self, uid: str) -> None:
        """get-task for the row the cursor rests on; a newer row cancels it."""
        try:
            task = await self.client.get_task(uid)
        except AvalaError as error:
            self.post_message(TaskDetailFailed(uid, error))
        else:
            self.post_message(TaskDetailLoaded(task))

    @on(TaskDetailLoaded)
    @_while_running
    def _detail_loaded(self, message: TaskDetailLoaded) -> None:
        task = message.task
        self.detail_cache.put(task)
        if task.uid == self.detail.shown_uid:
            self.detail.show_task(task, self.project_names.get(task.project or ""))

    @on(TaskDetailFailed)
    @_while_running
    def _detail_failed(self, message: TaskDetailFailed) -> None:
        self.detail.show_error(message.uid, describe_error(message.error))

    # Actions ----------------------------------------------------------------

    def action_help(self) -> None:
        """Show every key."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_focus_projects(self) -> None:
        """Move to the project list."""
        self.query_one(ProjectList).focus()

    def action_focus_statuses(self) -> None:
        """Move to the status filter."""
        self.query_one(StatusList).focus()

    def action_focus_table(self) -> None:
        """Move to the task table."""
        self.table.focus()

    def action_toggle_detail(self) -> None:
        """Show or hide the detail pane."""
        self.show_detail = not self.show_detail

    def action_reload(self) -> None:
        """Retry a failed page now, keeping what is loaded; otherwise reload from the top."""
        self.detail_cache.clear()
        if not self._all_projects_loaded:
            self._load_projects()
        if self._failed_page is not None and self.feed.pages_loaded:
            self.policy.failures = 0
            self._set_tick(0)
        else:
            self._reload(self.feed.filters)
        uid = self.table.cursor_uid or self.detail.shown_uid
        if uid is not None:
            self._fetch_detail(uid)

    # Quick filter, sort, copy, open, export, remembered state --------------

    def _restore_state(self) -> None:
        """Bring back the remembered theme and sort (the filters came in the settings)."""
        theme = self.remembered.theme
        if theme is not None and theme in self.available_themes:
            self.theme = theme
        self.watch(self, "theme", self._theme_changed, init=False)
        if self.remembered.sort is not None:
            self._set_sort(self.remembered.sort)

    def _remember(self, state: AppState) -> None:
        if state != self.remembered:
            self.remembered = state
            if self.state_file is not None:
                self.state_file.save(state)

    def _theme_changed(self, theme: str) -> None:
        self._remember(replace(self.remembered, theme=theme))

    def _remember_filters(self, filters: TaskFilter) -> None:
        remembered = Filters(filters.project, filters.status)
        self._remember(self.remembered.with_filters(scope_of(self.settings), remembered))

    @on(FilterSidebar.Changed)
    def _filters_chosen(self, message: FilterSidebar.Changed) -> None:
        self._remember_filters(TaskFilter(message.project, message.status))

    def _show_view(self, anchor: str | None) -> None:
        """Show the view (the store itself without query or sort), the cursor on ``anchor``."""
        table = self.table
        table.set_rows(self.view if self.view.active else self.feed.store)
        if anchor is None or not table.move_cursor_to_uid(anchor, keep_screen_position=False):
            table.cursor_row = 0
            table.scroll_to(y=0, animate=False)
        self._render_list_state()

    def _set_sort(self, sort: Sort | None) -> None:
        self.view.sort = sort
        self.table.sort_key = None if sort is None else sort.column
        self.table.sort_reverse = sort is not None and sort.reverse
        # A new order starts at its top. Following the task instead would often land on
        # the last row, and that asks for the next page, which lands above it, and so on.
        self._show_view(None)
        self._remember(replace(self.remembered, sort=sort))

    def action_sort_next(self) -> None:
        """Sort by the next column; after the last, back to the API's order."""
        self._set_sort(next_sort(self.view.sort))

    def action_sort_reverse(self) -> None:
        """Reverse the sort; the API's order (newest first) reversed is oldest first."""
        sort = self.view.sort
        self._set_sort(Sort("created") if sort is None else Sort(sort.column, not sort.reverse))

    @on(TaskTable.HeaderClicked)
    def _header_clicked(self, message: TaskTable.HeaderClicked) -> None:
        self._set_sort(header_sort(self.view.sort, message.column_key))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "quick_filter":
            # Over SSH keys arrive in bursts: "/box" in one read. A priority binding moves
            # the focus before "box" is dispatched, but must leave "/" to text fields and
            # to dialogs and the command palette.
            return len(self.screen_stack) == 1 and not isinstance(self.focused, Input)
        return True

    def action_quick_filter(self) -> None:
        """Open the quick filter over the loaded tasks."""
        self.query_one(QuickFilter).open()

    def action_clear_quick_filter(self) -> None:
        """Clear and close the quick filter."""
        quick_filter = self.query_one(QuickFilter)
        if quick_filter.is_open:
            quick_filter.action_clear()

    @on(QuickFilter.Changed)
    def _quick_filter_changed(self, message: QuickFilter.Changed) -> None:
        anchor = self.table.cursor_uid
        self.view.query = message.query
        self._show_view(anchor)

    @on(QuickFilter.Done)
    def _quick_filter_done(self) -> None:
        self.table.focus()

    def copy_to_clipboard(self, text: str) -> None:
        """Copy through OSC 52 (works over SSH); inside tmux also wrapped for passthrough."""
        super().copy_to_clipboard(text)
        if inside_tmux() and not served_by_browser(self):
            write_to_terminal(self, tmux_passthrough(osc52(text)))

    def _highlighted(self) -> TaskRow | None:
        row = self.table.cursor_task
        if row is None:
            self.notify("No task is highlighted.", severity="warning", markup=False)
        return row

    def _copy(self, text: str, what: str) -> None:
        self.copy_to_clipboard(text)
        route = "OSC 52 through tmux" if inside_tmux() else "OSC 52"
        route = "browser clipboard" if served_by_browser(self) else route
        self.notify(clean(f"Copied {what} ({route})."), markup=False)

    def action_copy_uid(self) -> None:
        """Copy the highlighted task's uid to the terminal's clipboard."""
        if (row := self._highlighted()) is not None:
            self._copy(row.uid, f"uid {row.uid}")

    def action_copy_json(self) -> None:
        """Copy the highlighted task as JSON: get-task's answer if at hand, else the row."""
        if (row := self._highlighted()) is None:
            return
        task = self.detail_cache.get(row.uid)
        text = json.dumps(
            row_record(row) if task is None else task_record(task), ensure_ascii=False, indent=2
        )
        source = "list row" if task is None else "get-task"
        self._copy(text, f"the JSON of {row.uid} ({source}, {len(text):,} characters)")

    def action_open_task(self) -> None:
        """Open the highlighted task in Avala's web app, or show and copy its link."""
        if (row := self._highlighted()) is None:
            return
        url = task_url(
            row.uid, row.project, base_url=self.client.base_url, web_url=self.settings.web_url
        )
        if served_by_browser(self):
            self.open_url(url)  # a new tab of the browser the dashboard is in
            self.notify(f"Opened {url} in a new tab", markup=False)
        elif has_local_browser():
            self.open_url(url)
            self.notify(f"Opened {url}", markup=False)
        else:
            # Over SSH a browser would open on the wrong machine: hand the link over instead.
            self.copy_to_clipboard(url)
            self.push_screen(LinkScreen(url, copied=True))

    def action_export(self) -> None:
        """Export the loaded (and quick-filtered) tasks to CSV or JSON."""
        self.push_screen(
            ExportScreen(len(self.table.rows), filtered=self.view.filtering), self._export_chosen
        )

    def _export_chosen(self, fmt: ExportFormat | None) -> None:
        if fmt is not None:
            self._export(list(self.table.rows), fmt, dict(self.project_names))

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, rows: list[TaskRow], fmt: ExportFormat, names: dict[str, str]) -> None:
        """Write the file off the event loop: 100,000 rows take a moment."""
        served = served_by_browser(self)
        folder = Path(tempfile.mkdtemp(prefix="avala-tui-")) if served else Path.cwd()
        try:
            path, count = export_rows(rows, fmt, folder, names, now=datetime.now())
        except OSError as error:
            self.notify(clean(f"Export failed: {error}"), severity="error", markup=False)
        else:
            if served:  # a download in the browser, not a file on the server
                from avala_tui.serve import deliver_export

                self.call_from_thread(deliver_export, self, path)
                path = Path(path.name)
            self.notify(clean(f"Exported {count:,} tasks to {path}"), markup=False)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        project = self.feed.filters.project
        for status, label in (
            (None, "all statuses"),
            (STATUS_PENDING, "pending"),
            (STATUS_COMPLETED, "completed"),
        ):
            yield SystemCommand(
                f"Status: {label}",
                f"Show {label} tasks",
                partial(self.apply_filters, project=project, status=status),
            )
        status = self.feed.filters.status
        yield SystemCommand(
            "Project: all projects",
            "Show tasks of every project",
            partial(self.apply_filters, project=None, status=status),
        )
        for uid, name in self.project_names.items():
            yield SystemCommand(
                f"Project: {clean(name)}",
                f"Show only this project's tasks ({clean(uid)})",
                partial(self.apply_filters, project=uid, status=status),
            )
        yield SystemCommand("Reload", "Reload the task list", self.action_reload)
        yield SystemCommand(
            "Toggle detail", "Show or hide the detail pane", self.action_toggle_detail
        )


def make_app(
    settings: Settings,
    client: AvalaClient,
    *,
    clock: Callable[[], float] = time.time,
    page_size: int = PAGE_SIZE,
    detail_debounce: float = DETAIL_DEBOUNCE_SECONDS,
    state: StateFile | None = None,
    first_pages: FirstPages | None = None,
) -> AvalaApp:
    """Build the dashboard around a client the caller made (the CLI, a test, a benchmark)."""
    return AvalaApp(
        client,
        settings,
        clock=clock,
        page_size=page_size,
        detail_debounce=detail_debounce,
        state=state,
        first_pages=first_pages,
    )
