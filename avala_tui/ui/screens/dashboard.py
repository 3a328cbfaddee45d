"""The dashboard screen: filter sidebar, task list and detail pane, and the keys that work on them.

The screen composes the panes, hands them what they need (the client, the shared
project names, the initial filters) and routes what they say to each other: a
filter chosen in the sidebar goes to the task list, a row the cursor rests on to
the detail pane, the list's health to the header. Each pane does its own work.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Final
from urllib.parse import urlsplit

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input

from avala_tui.api.protocol import TasksAPI
from avala_tui.config.settings import NUMBERED_VIEWS, SavedView, Settings
from avala_tui.config.state import CensusMemory, census_scope
from avala_tui.core.alerts import Alert, AlertWatch, parse_notify
from avala_tui.core.census import ShownFigures, census_share, refresh_per_minute
from avala_tui.core.feed import PAGE_SIZE, TaskFilter
from avala_tui.core.status import APP_TITLE, header_text, health_text, terminal_title
from avala_tui.core.store import TaskRow
from avala_tui.core.text import clean
from avala_tui.core.view import Sort, header_sort, next_sort
from avala_tui.ui.terminal import inside_tmux, served_by_browser
from avala_tui.ui.untrusted import notify_literal
from avala_tui.ui.widgets.census import CensusService
from avala_tui.ui.widgets.detail import DETAIL_DEBOUNCE_SECONDS, TaskDetail
from avala_tui.ui.widgets.key_hints import KeyHints
from avala_tui.ui.widgets.quiet_label import QuietHeader
from avala_tui.ui.widgets.sidebar import FilterSidebar, ProjectList, StatusList
from avala_tui.ui.widgets.task_list import TaskListPane
from avala_tui.ui.widgets.task_table import TaskTable

if TYPE_CHECKING:
    # Off screen until asked for: imported when first used, not before the first frame.
    from avala_tui.core.export import ExportFormat
    from avala_tui.ui.screens.queue import QueueChoice

#: How often the header's countdowns (a retry after a failure, the rate gate) are redrawn.
COUNTDOWN_TICK: Final = 1.0
#: Seconds after the user's last key before the census sends its next page: reading a
#: page of 1,000 tasks holds the event loop for a few milliseconds, which a held j
#: should not meet.
INPUT_QUIET: Final = 0.5
#: The header's icon: a plain glyph that is none of the table's change marks.
HEADER_ICON: Final = "≡"
#: Header cells that are not the title: the icon on the left and its mirror on the
#: right (styles/app.tcss narrows Textual's 8 and 10 so 80 columns keep the health).
HEADER_CHROME: Final = 6
#: What precedes the header's second part: "avala-tui — ".
HEADER_PREFIX: Final = len(APP_TITLE) + len(" — ")


@dataclass(frozen=True)
class DashboardOptions:
    """How the dashboard runs, beyond the user's settings (tests and benchmarks set these)."""

    clock: Callable[[], float] = time.time
    """Returns the wall-clock epoch; injectable for deterministic screens."""
    page_size: int = PAGE_SIZE
    """Tasks asked for per page."""
    detail_debounce: float = DETAIL_DEBOUNCE_SECONDS
    """How long the cursor must rest on a row before get-task is called for it."""
    census: bool = False
    """Whether a census counts every task in the background (the CLI turns it on)."""
    alert_clock: Callable[[], float] = time.monotonic
    """Monotonic seconds for --notify (the offline threshold, one per kind a minute);
    injectable so a test can let minutes pass in an instant."""
    state_file: Path | None = None
    """The state file; the census keeps its last result beside it (None: nowhere)."""


class DashboardScreen(Screen[None]):
    """Browse and monitor tasks: the one screen the dashboard runs on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # In footer order: what fits at 80 columns comes first; ? lists every key.
        # Priority: handled before the keys typed after it are dispatched (see check_action).
        Binding(
            "slash",
            "quick_filter",
            "Filter",
            key_display="/",
            priority=True,
            id="quick-filter",
            tooltip="filter the loaded tasks (Enter: back to them, Esc: clear)",
        ),
        Binding("p", "focus_projects", "Projects", id="projects", tooltip="projects"),
        Binding("s", "focus_statuses", "Status", id="statuses", tooltip="status filter"),
        Binding("r", "reload", "Reload", id="reload", tooltip="reload (and retry after an error)"),
        Binding(
            "space",
            "toggle_pause",
            "Pause",
            key_display="space",
            id="pause",
            tooltip="pause / resume live refresh",
        ),
        Binding(
            "comma",
            "sort_next",
            "Sort",
            key_display=",",
            id="sort",
            tooltip="sort by the next column (or click a column)",
        ),
        Binding(
            "y",
            "copy_uid",
            "Copy",
            id="copy-uid",
            tooltip="copy the task's uid (OSC 52: SSH and tmux too)",
        ),
        Binding(
            "o",
            "open_task",
            "Open",
            id="open",
            tooltip="open in Avala (over SSH: show and copy the link)",
        ),
        Binding(
            "e",
            "export",
            "Export",
            id="export",
            tooltip="export the loaded (filtered) tasks: CSV or JSON",
        ),
        Binding(
            "t", "focus_table", "Tasks", show=False, id="tasks", tooltip="back to the task table"
        ),
        Binding(
            "d",
            "toggle_detail",
            "Detail",
            show=False,
            id="detail",
            tooltip="show or hide the detail pane",
        ),
        Binding(
            "a",
            "acknowledge",
            "Seen",
            show=False,
            id="seen",
            tooltip="mark every change seen (● new, ◆ changed)",
        ),
        Binding(
            "full_stop",
            "sort_reverse",
            "Reverse sort",
            key_display=".",
            show=False,
            id="sort-reverse",
            tooltip="reverse the sort",
        ),
        Binding(
            "Y",
            "copy_json",
            "Copy JSON",
            show=False,
            id="copy-json",
            tooltip="copy the task's JSON",
        ),
        Binding(
            "tab",
            "app.focus_next",
            "Next pane",
            show=False,
            id="next-pane",
            tooltip="next pane",
        ),
        Binding(
            "shift+tab",
            "app.focus_previous",
            "Previous pane",
            show=False,
            id="previous-pane",
            tooltip="previous pane",
        ),
        Binding(
            "H",
            "queue",
            "Queue",
            show=False,
            id="queue",
            tooltip="queue health: exact counts, throughput, oldest pending, ETA per project",
        ),
        Binding(
            "escape",
            "back_to_tasks",
            "Back",
            show=False,
            id="back",
            tooltip="clear the quick filter; back to the task table",
        ),
        *(
            Binding(
                str(number),
                f"open_view({number})",
                f"View {number}",
                show=False,
                id=f"view-{number}",
                tooltip="open saved view 1–9 (in the config's order)",
            )
            for number in range(1, NUMBERED_VIEWS + 1)
        ),
    ]

    # Textual's own sub_title repaints the whole screen on every change (about 5 KB at
    # 80x24); the header watches it and repaints its one line, which is all that changed.
    sub_title: reactive[str | None] = reactive[str | None](None, repaint=False, init=False)
    """The header's second part: where the data comes from, and how fresh it is."""

    @dataclass
    class SortApplied(Message):
        """The user sorted the list: the app remembers it."""

        sort: Sort | None

    @dataclass
    class AlertRaised(Message):
        """An alert --notify asked for is due: the app rings, notifies and shows it."""

        alert: Alert

    @dataclass
    class TitleChanged(Message):
        """The terminal title should change (the pending count moved)."""

        title: str

    @dataclass
    class ErrorShown(Message):
        """The task list shows an error: the app keeps the last one for the About screen."""

        text: str

    def __init__(
        self,
        client: TasksAPI,
        settings: Settings,
        options: DashboardOptions | None = None,
        *,
        sort: Sort | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.settings = settings
        self.options = options or DashboardOptions()
        """How the dashboard runs beyond the settings (clock, page size, debounce)."""
        self.project_names: dict[str, str] = {}
        """Project names by uid, shared by the sidebar (which fills it) and the table."""
        self._initial_sort = sort
        self._header_text = ""
        rules = parse_notify(settings.notify)
        self.alerts: AlertWatch | None = AlertWatch(rules) if rules.any else None
        """What --notify asked to watch; None when no alert is on."""
        self._error_shown: object = None
        self._last_key_at = float("-inf")

    def compose(self) -> ComposeResult:
        settings = self.settings
        yield QuietHeader(icon=HEADER_ICON)
        with Horizontal(id="body"):
            yield FilterSidebar(
                self.client,
                project_names=self.project_names,
                project=settings.project,
                status=settings.status,
                id="sidebar",
            )
            with Vertical(id="workspace"):
                yield TaskListPane(
                    self.client,
                    filters=TaskFilter(settings.project, settings.status),
                    origins=settings.origins,
                    refresh=settings.refresh,
                    project_names=self.project_names,
                    clock=self.options.clock,
                    page_size=self.options.page_size,
                    id="table-area",
                )
                yield TaskDetail(
                    self.client,
                    project_names=self.project_names,
                    clock=self.options.clock,
                    debounce=self.options.detail_debounce,
                    id="detail",
                )
        if self.options.census:
            state_file = self.options.state_file
            yield CensusService(
                self.client,
                share=self._census_share,
                clock=self.options.clock,
                stale_after=settings.stale_after,
                memory=None
                if state_file is None
                else CensusMemory.beside(state_file, census_scope(settings, self.client.base_url)),
                first=self._selected_project,
                busy=self._user_busy,
                id="census",
            )
        yield KeyHints(id="key-hints")

    def _census_share(self) -> float:
        """The census's share of the rate limit: what the live refresh leaves of 30%."""
        rate = self.client.rate_limit
        limit = None if rate is None else rate.limit
        # Up to two pages a refresh: the first page and the one on screen below it.
        return census_share(limit, refresh_per_minute(self.settings.refresh, 2, limit))

    def _selected_project(self) -> str | None:
        """The project the census walks first: the one the list shows."""
        return self.task_list.feed.filters.project

    def _user_busy(self) -> bool:
        """Whether the user is at work: pressing keys, or waiting for their own page or
        task. The census's next page waits (its pages are the user's to go without)."""
        return (
            time.monotonic() - self._last_key_at < INPUT_QUIET
            or self.task_list.feed.in_flight is not None
            or self.detail.fetching > 0
        )

    def on_key(self) -> None:
        # Every key reaches the screen, bound or not, before Textual looks for a binding.
        self._last_key_at = time.monotonic()

    @property
    def census(self) -> CensusService | None:
        """The census service, when it runs."""
        found = self.query(CensusService)
        return found.first() if found else None

    def on_mount(self) -> None:
        self._start()

    def _start(self) -> None:
        self.table.focus()
        view = self.settings.start_view
        if view is not None:
            # --view chose the filters already (they are settings); the rest is the view's.
            self.task_list.set_sort(_view_sort(view))
            if view.query:
                self.task_list.set_quick_filter(view.query)
        elif self._initial_sort is not None:
            self.task_list.set_sort(self._initial_sort)
        if self.settings.task:
            self.detail.open_task(self.settings.task)
            self.task_list.seek(self.settings.task)
        self._update_header()
        # The countdowns move with time, not with messages (the rate gate holds requests
        # inside the client): look once a second. The header repaints only when its
        # words change, so an idle, healthy monitor writes nothing for this.
        self.set_interval(COUNTDOWN_TICK, self._update_header, name="countdowns")
        if self.alerts is not None and self.alerts.rules.offline:
            # Being offline is noticed by time passing, not only by a failed request.
            self.set_interval(5.0, self._check_alerts, name="alert-tick")

    def on_resize(self) -> None:
        # What the header can keep depends on the width: recompute, not just cut.
        self._update_header()

    async def use(self, client: TasksAPI, settings: Settings) -> None:
        """Start over on another API (a profile switch): new panes, nothing carried over."""
        self.client, self.settings = client, settings
        # The panes share this dict; new panes must not see the old account's names.
        self.project_names = {}
        self._header_text = ""
        self._error_shown = None
        # Removing the old panes cancels their workers, so nothing uses the old client after.
        await self.recompose()
        self._start()

    # The panes ----------------------------------------------------------------

    @property
    def task_list(self) -> TaskListPane:
        """The task list pane."""
        return self.query_one(TaskListPane)

    @property
    def table(self) -> TaskTable:
        """The task table."""
        return self.query_one("#tasks", TaskTable)

    @property
    def detail(self) -> TaskDetail:
        """The detail pane."""
        return self.query_one("#detail", TaskDetail)

    @property
    def sidebar(self) -> FilterSidebar:
        """The filter sidebar."""
        return self.query_one(FilterSidebar)

    # Routing between the panes ---------------------------------------------------

    @on(FilterSidebar.Changed)
    def _filters_changed(self, message: FilterSidebar.Changed) -> None:
        message.stop()
        self.task_list.set_filters(TaskFilter(message.project, message.status))

    @on(FilterSidebar.ProjectsChanged)
    def _projects_changed(self, message: FilterSidebar.ProjectsChanged) -> None:
        message.stop()
        self.task_list.projects_changed()

    @on(TaskTable.Highlighted)
    def _row_highlighted(self, message: TaskTable.Highlighted) -> None:
        message.stop()
        if message.row is not None:
            self.task_list.seen(message.row.uid)
        self.detail.follow(message.row, by_user=message.by_user)

    @on(TaskTable.Selected)
    def _row_selected(self, message: TaskTable.Selected) -> None:
        message.stop()
        self.detail.display = True
        self.detail.focus()

    @on(TaskTable.HeaderClicked)
    def _header_clicked(self, message: TaskTable.HeaderClicked) -> None:
        message.stop()
        self._set_sort(header_sort(self.task_list.view.sort, message.column_key))

    @on(TaskListPane.StateChanged)
    def _list_state_changed(self, message: TaskListPane.StateChanged) -> None:
        message.stop()
        self._update_header()
        self._update_counts()
        self._update_title()
        self._note_error()
        self._check_alerts()

    @on(TaskListPane.ChangesSeen)
    def _changes_seen(self, message: TaskListPane.ChangesSeen) -> None:
        message.stop()
        if (census := self.census) is not None:
            census.observe(message.changes)

    @on(CensusService.Updated)
    def _census_updated(self, message: CensusService.Updated) -> None:
        message.stop()
        self._update_counts()
        self._update_title()
        self._check_alerts()

    def _check_alerts(self) -> None:
        """Give the alerts --notify asked for, from what the panes and the census know."""
        if self.alerts is None:
            return
        pane = self.task_list
        filters = pane.feed.filters
        shown = self._shown_figures(filters.project)
        # Loaded pending is a lower bound: when it is over the limit, so is the true count.
        pending = shown.figures.pending if shown is not None else pane.pending_count()
        oldest_age = None
        if shown is not None:
            now = datetime.fromtimestamp(self.options.clock(), UTC)
            oldest_age = shown.figures.oldest_pending_age(now)
        for alert in self.alerts.observe(
            self.options.alert_clock(),
            new_total=pane.changes.new,
            pending=pending,
            oldest_pending_age=oldest_age,
            offline=pane.monitor.connection == "offline",
        ):
            self.post_message(self.AlertRaised(alert))

    def _shown_figures(self, project: str | None) -> ShownFigures | None:
        """A project's (or all projects') census figures as shown; None without a census."""
        census = self.census
        return None if census is None else census.shown(project)

    def _note_error(self) -> None:
        """Tell the app of an error newly shown, for the About screen's "last error"."""
        error = self.task_list.monitor.last_error
        if error is not None and error is not self._error_shown:
            self.post_message(self.ErrorShown(f"{error.kind}: {error.message}"))
        self._error_shown = error

    def _update_title(self) -> None:
        pane = self.task_list
        filters = pane.feed.filters
        shown = self._shown_figures(filters.project)
        if shown is not None and filters.status in (None, "pending"):
            title = terminal_title(
                pending=shown.figures.pending,
                exhausted=True,
                estimate=shown.estimate,
                counted_at=shown.counted_at,
            )
        else:
            title = terminal_title(pending=pane.pending_count(), exhausted=pane.feed.exhausted)
        self.post_message(self.TitleChanged(title))

    def _update_header(self) -> None:
        pane = self.task_list
        health = health_text(
            pane.monitor, monotonic_now=time.monotonic(), throttle=self.client.throttle
        )
        base_url = self.client.base_url
        # Host and profile come from the user's files and flags: drawn cleaned all the same.
        text = clean(
            header_text(
                health,
                demo=self.settings.demo,
                host=urlsplit(base_url).netloc or base_url,
                profile=self.settings.profile,
                width=max(self.size.width - HEADER_CHROME - HEADER_PREFIX, 1),
            )
        )
        # Assigning the same text still repaints the header: over SSH every byte counts.
        if text != self._header_text:
            self._header_text = text
            self.sub_title = text

    def _update_counts(self) -> None:
        """Exact counts once a census has ended; else what is loaded, "+" while more remain."""
        census = self.census
        self.sidebar.show_progress(None if census is None else census.counting)
        result = None if census is None else census.result
        shown = self._shown_figures(self.task_list.feed.filters.project)
        notes = (None, None) if shown is None else shown.notes()
        self.sidebar.show_counted_at(*notes)
        if census is not None and shown is not None:
            by_project = (
                {}
                if result is None
                else {
                    project: figures.pending
                    for project, figures in result.projects.items()
                    if project is not None
                }
            )
            if census.first is not None:
                # Counted first in the walk under way: fresher than the last count.
                by_project[census.first[0]] = census.first[1].pending
            figures = shown.figures
            self.sidebar.show_counts(
                by_project,
                pending=figures.pending,
                completed=figures.completed,
                total=figures.total,
                lower_bound=False,
            )
            return
        store = self.task_list.feed.store
        self.sidebar.show_counts(
            {
                project: store.tally(project=project, status="pending")
                for project in store.projects_counted()
            },
            pending=store.tally(status="pending"),
            completed=store.tally(status="completed"),
            total=len(store),
            lower_bound=not self.task_list.feed.exhausted,
        )

    def apply_filters(self, *, project: str | None, status: str | None) -> None:
        """Set the filters as if the user had chosen them in the sidebar."""
        self.sidebar.apply(project=project, status=status)

    def apply_view(self, view: SavedView) -> None:
        """Open a saved view: its filters, quick filter and sort."""
        project = view.project
        if project is not None and project not in self.project_names:
            # A name, as in the config file: the sidebar has the names by now.
            project = next(
                (uid for uid, name in self.project_names.items() if name == project), project
            )
        self.apply_filters(project=project, status=view.status)
        self._set_sort(_view_sort(view))
        if view.query:
            self.task_list.set_quick_filter(view.query)
        else:
            self.task_list.clear_quick_filter()
        self.notify(clean(f"View {view.name}"), markup=False, timeout=2)

    # Actions ----------------------------------------------------------------------

    def action_open_view(self, number: int) -> None:
        """Open the saved view of this number (1 is the first the config file defines)."""
        views = self.settings.views
        if not 1 <= number <= len(views):
            defined = f"{len(views)} are" if len(views) != 1 else "1 is"
            self.notify(
                f"No saved view {number}: {defined} defined in the config file.",
                severity="warning",
                markup=False,
            )
            return
        self.apply_view(views[number - 1])

    def action_focus_projects(self) -> None:
        """Move to the project list."""
        self.query_one(ProjectList).focus()

    def action_focus_statuses(self) -> None:
        """Move to the status filter."""
        self.query_one(StatusList).focus()

    def action_focus_table(self) -> None:
        """Move to the task table."""
        self.table.focus()

    def action_queue(self) -> None:
        """Show queue health per project (from the census)."""
        census = self.census
        if census is None:
            self.notify("The census is off in this session.", markup=False)
            return
        from avala_tui.ui.screens.queue import QueueScreen

        self.app.push_screen(QueueScreen(census, self.project_names), self._queue_chosen)

    def _queue_chosen(self, choice: QueueChoice | None) -> None:
        if choice is not None:
            self.apply_filters(project=choice.project, status=self.task_list.feed.filters.status)
            self.table.focus()

    def action_toggle_detail(self) -> None:
        """Show or hide the detail pane."""
        self.detail.display = not self.detail.display

    def action_reload(self) -> None:
        """Retry what failed now, keeping what is loaded; otherwise reload from the top."""
        self.sidebar.reload()
        if (census := self.census) is not None:
            census.recount()
        self.task_list.reload()
        self.detail.reload()

    def action_toggle_pause(self) -> None:
        """Pause or resume live refresh."""
        self.task_list.toggle_pause()

    def action_acknowledge(self) -> None:
        """Mark every change as seen."""
        self.task_list.acknowledge()

    def _set_sort(self, sort: Sort | None) -> None:
        self.task_list.set_sort(sort)
        self.post_message(self.SortApplied(sort))

    def action_sort_next(self) -> None:
        """Sort by the next column; after the last, back to the API's order."""
        self._set_sort(next_sort(self.task_list.view.sort))

    def action_sort_reverse(self) -> None:
        """Reverse the sort; the API's order (newest first) reversed is oldest first."""
        sort = self.task_list.view.sort
        self._set_sort(Sort("created") if sort is None else Sort(sort.column, not sort.reverse))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "quick_filter":
            # Over SSH keys arrive in bursts: "/box" in one read. A priority binding moves
            # the focus before "box" is dispatched, but must leave "/" to text fields and
            # to dialogs and the command palette.
            return self.app.screen is self and not isinstance(self.focused, Input)
        return True

    def action_quick_filter(self) -> None:
        """Open the quick filter over the loaded tasks."""
        self.task_list.open_quick_filter()

    def action_back_to_tasks(self) -> None:
        """Clear the quick filter if it is open; otherwise go back to the task table."""
        self.task_list.clear_quick_filter()
        self.table.focus()

    def _highlighted(self) -> TaskRow | None:
        row = self.table.cursor_task
        if row is None:
            self.notify("No task is highlighted.", severity="warning", markup=False)
        return row

    def _copy(self, text: str, what: str) -> None:
        self.app.copy_to_clipboard(text)
        route = "OSC 52 through tmux" if inside_tmux() else "OSC 52"
        route = "browser clipboard" if served_by_browser(self.app) else route
        notify_literal(self, f"Copied {what} ({route}).")

    def action_copy_uid(self) -> None:
        """Copy the highlighted task's uid to the terminal's clipboard."""
        if (row := self._highlighted()) is not None:
            # The clipboard gets what the screen shows: a uid holding ESC or BEL would
            # act on a terminal without bracketed paste when pasted.
            uid = clean(row.uid)
            self._copy(uid, f"uid {uid}")

    def action_copy_json(self) -> None:
        """Copy the highlighted task as JSON: get-task's answer if at hand, else the row."""
        if (row := self._highlighted()) is None:
            return
        from avala_tui.core.export import json_text, row_record, task_record

        task = self.detail.cache.get(row.uid)
        # Control and format characters as \\u escapes: the same JSON, inert when pasted.
        text = json_text(row_record(row) if task is None else task_record(task), indent=2)
        source = "list row" if task is None else "get-task"
        self._copy(text, f"the JSON of {row.uid} ({source}, {len(text):,} characters)")

    def action_open_task(self) -> None:
        """Open the highlighted task in Avala's web app, or show and copy its link."""
        if (row := self._highlighted()) is None:
            return
        from avala_tui.core.links import has_local_browser, task_url
        from avala_tui.ui.screens.dialogs import LinkScreen

        url = task_url(
            row.uid, row.project, base_url=self.client.base_url, web_url=self.settings.web_url
        )
        if served_by_browser(self.app):
            self.app.open_url(url)  # a new tab of the browser the dashboard is in
            self.notify(f"Opened {url} in a new tab", markup=False)
        elif has_local_browser():
            self.app.open_url(url)
            notify_literal(self, f"Opened {url}")
        else:
            # Over SSH a browser would open on the wrong machine: hand the link over instead.
            self.app.copy_to_clipboard(url)
            self.app.push_screen(LinkScreen(url, copied=True))

    def action_export(self) -> None:
        """Export the loaded (and quick-filtered) tasks to CSV or JSON."""
        from avala_tui.ui.screens.dialogs import ExportScreen

        self.app.push_screen(
            ExportScreen(len(self.table.rows), filtered=self.task_list.view.filtering),
            self._export_chosen,
        )

    def _export_chosen(self, fmt: ExportFormat | None) -> None:
        if fmt is not None:
            self._export(list(self.table.rows), fmt, dict(self.project_names))

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, rows: list[TaskRow], fmt: ExportFormat, names: dict[str, str]) -> None:
        """Write the file off the event loop: 100,000 rows take a moment."""
        from avala_tui.core.export import export_rows

        served = served_by_browser(self.app)
        folder = Path(tempfile.mkdtemp(prefix="avala-tui-")) if served else Path.cwd()
        try:
            path, count = export_rows(rows, fmt, folder, names, now=datetime.now())
        except OSError as error:
            notify_literal(self, f"Export failed: {error}", severity="error")
        else:
            where = f"in {path.parent}"
            if served:  # a download in the browser, not a file on the server
                from avala_tui.cli.serve import deliver_export

                self.app.call_from_thread(deliver_export, self.app, path)
                where = "as a download of your browser"
            # The file name on a line of its own: a toast wraps long lines mid-word.
            notify_literal(
                self, f"Exported {count:,} tasks to\n{path.name}\n{where}", keep_newlines=True
            )


def _view_sort(view: SavedView) -> Sort | None:
    return None if view.sort is None else Sort(view.sort, view.reverse)
