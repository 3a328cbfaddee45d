"""The dashboard: filter sidebar, lazily paginated task table, get-task detail pane.

The app holds no HTTP code of its own: it is handed an ``AvalaClient`` (see
``make_app``) and talks to it only from background workers, whose results come
back as typed messages. Pagination state lives in the UI-free ``TaskFeed``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import ClassVar, Final
from urllib.parse import urlsplit

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Static

from avala_tui.api.client import AvalaClient
from avala_tui.api.errors import (
    APIConnectionError,
    AuthenticationError,
    AvalaError,
    PermissionDeniedError,
)
from avala_tui.api.models import STATUS_COMPLETED, STATUS_PENDING
from avala_tui.feed import DetailCache, PageClaim, TaskFeed, TaskFilter
from avala_tui.settings import DEMO_API_KEY, Settings
from avala_tui.ui.detail import TaskDetail
from avala_tui.ui.help import HelpScreen
from avala_tui.ui.messages import (
    ProjectsFailed,
    ProjectsPageLoaded,
    TaskDetailFailed,
    TaskDetailLoaded,
    TasksPageFailed,
    TasksPageLoaded,
)
from avala_tui.ui.sidebar import FilterSidebar, ProjectList, StatusList
from avala_tui.ui.task_table import TaskTable
from avala_tui.ui.text import clean

#: Tasks asked for per page: the API's own default.
PAGE_SIZE: Final = 100
#: How long the cursor must rest on a row before get-task is called for it.
DETAIL_DEBOUNCE_SECONDS: Final = 0.15


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
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("p", "focus_projects", "Projects"),
        Binding("s", "focus_statuses", "Status"),
        Binding("t", "focus_table", "Tasks", show=False),
        Binding("r", "reload", "Reload"),
        Binding("d", "toggle_detail", "Detail"),
    ]

    show_detail: reactive[bool] = reactive(True)
    """Whether the detail pane is on screen."""
    connection: reactive[str] = reactive("connecting")
    """The last known state of the link to the API, for the header."""

    def __init__(
        self,
        client: AvalaClient,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.time,
        page_size: int = PAGE_SIZE,
        detail_debounce: float = DETAIL_DEBOUNCE_SECONDS,
    ) -> None:
        super().__init__()
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
                    table.set_rows(self.feed.store)
                    yield table
                    yield Static("", id="status-line", markup=False)
                yield TaskDetail(clock=self.clock, id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self._header_text()
        self._load_projects()
        self._start_loading(self.feed.reset(self.feed.filters))
        self.query_one(TaskTable).focus()
        if self.settings.task:
            self._open_task(self.settings.task)

    async def on_unmount(self) -> None:
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
        host = urlsplit(self.client.base_url).netloc or self.client.base_url
        where = "demo" if self.settings.demo else f"profile {self.settings.profile}"
        return f"{host} · {where} · {self.connection}"

    def watch_connection(self) -> None:
        self.sub_title = self._header_text()

    def watch_show_detail(self, show: bool) -> None:
        self.query_one("#detail").display = show

    # Tasks ------------------------------------------------------------------

    def _start_loading(self, claim: PageClaim) -> None:
        self.table.rows_changed()
        self._render_list_state()
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
        claim = self.feed.claim_next()
        if claim is not None:
            self._render_list_state()
            self._load_next_page(claim)

    @on(TaskTable.NearEnd)
    def _near_end(self) -> None:
        self._load_more()

    @on(TasksPageLoaded)
    def _page_loaded(self, message: TasksPageLoaded) -> None:
        first_page = self.feed.pages_loaded == 0
        if self.feed.page_loaded(message.claim, message.page) is None:
            return
        self._last_error = None
        self.connection = "online"
        table = self.table
        table.rows_changed()
        self._render_list_state()
        if first_page and len(self.feed.store):
            table.cursor_row = 0
        if table.near_end():
            # The screen is taller than what is loaded: keep filling it.
            self._load_more()

    @on(TasksPageFailed)
    def _page_failed(self, message: TasksPageFailed) -> None:
        if not self.feed.is_current(message.claim):
            return
        self.feed.page_failed(message.claim)
        self._last_error = message.error
        if isinstance(message.error, APIConnectionError):
            self.connection = "offline"
        elif isinstance(message.error, AuthenticationError):
            self.connection = "unauthorised"
        else:
            self.connection = "error"
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
        if error is not None:
            footer = f"⚠ {describe_error(error)} — r retries"
        elif feed.exhausted:
            footer = f"end of list: {count:,} tasks"
        elif feed.in_flight is not None:
            footer = "loading more…"
        else:
            footer = ""
        self.table.footer_text = clean(footer, placeholder="")
        if feed.exhausted:
            status = f"{count:,} tasks · all loaded"
        else:
            status = f"{count:,} loaded · more below" if count else ""
        self.query_one("#status-line", Static).update(status)

    # Filters ----------------------------------------------------------------

    @on(FilterSidebar.Changed)
    def _filters_changed(self, message: FilterSidebar.Changed) -> None:
        filters = TaskFilter(message.project, message.status)
        if filters == self.feed.filters and self.feed.pages_loaded:
            return
        self._reload(filters)

    def _reload(self, filters: TaskFilter) -> None:
        self._last_error = None
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
                page = await self.client.list_projects(cursor=cursor)
            except AvalaError as error:
                self.post_message(ProjectsFailed(error))
                return
            self.post_message(ProjectsPageLoaded(page))
            cursor = page.next_cursor
            if cursor is None or cursor in seen:
                return
            seen.add(cursor)

    @on(ProjectsPageLoaded)
    def _add_projects(self, message: ProjectsPageLoaded) -> None:
        for project in message.page.items:
            self.project_names[project.uid] = project.name or project.uid
        self.query_one(ProjectList).add_projects(message.page.items)
        self._all_projects_loaded = not message.page.has_more
        self.table.refresh()

    @on(ProjectsFailed)
    def _projects_failed(self, message: ProjectsFailed) -> None:
        self.query_one(ProjectList).border_subtitle = clean(f"⚠ {message.error.message}")

    # Detail -----------------------------------------------------------------

    @on(TaskTable.Highlighted)
    def _row_highlighted(self, message: TaskTable.Highlighted) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        row = message.row
        if row is None:
            self.detail.show_message("No task selected.")
            return
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
    def _detail_loaded(self, message: TaskDetailLoaded) -> None:
        task = message.task
        self.detail_cache.put(task)
        if task.uid == self.detail.shown_uid:
            self.detail.show_task(task, self.project_names.get(task.project or ""))

    @on(TaskDetailFailed)
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
        """Reload the list from its first page (and retry whatever failed)."""
        self.detail_cache.clear()
        if not self._all_projects_loaded:
            self._load_projects()
        self._reload(self.feed.filters)
        uid = self.table.cursor_uid or self.detail.shown_uid
        if uid is not None:
            self._fetch_detail(uid)

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
) -> AvalaApp:
    """Build the dashboard around a client the caller made (the CLI, a test, a benchmark)."""
    return AvalaApp(
        client, settings, clock=clock, page_size=page_size, detail_debounce=detail_debounce
    )


#: How often the embedded demo world changes, so `--demo` shows a live monitor at work.
DEMO_LIVE_EVERY: Final = 5.0


def run_dashboard(settings: Settings) -> int:
    """Run the dashboard in this terminal until the user quits; returns the exit code."""
    with contextlib.ExitStack() as stack:
        base_url, api_key = settings.base_url, settings.api_key_value
        if settings.demo:
            from avala_tui.demo.server import DemoServer

            server = stack.enter_context(
                DemoServer(api_key=DEMO_API_KEY, live_every=DEMO_LIVE_EVERY)
            )
            base_url, api_key = server.base_url, DEMO_API_KEY
        assert api_key is not None, "the CLI refuses to start without a key"
        app = make_app(settings, AvalaClient(api_key, base_url))
        app.run()
        return app.return_code or 0
