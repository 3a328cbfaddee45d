"""The avala-tui App: what is app-wide. The dashboard itself is a screen.

The App is handed a client (see :func:`make_app`) and owns what outlives any
screen: the keys that work everywhere, the theme, what is remembered between
runs, the command palette's commands, the terminal title, and closing the
client on exit. :class:`~avala_tui.ui.screens.dashboard.DashboardScreen` does
the browsing and monitoring.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from avala_tui.api.models import STATUS_COMPLETED, STATUS_PENDING
from avala_tui.api.protocol import TasksAPI
from avala_tui.config.settings import Settings
from avala_tui.config.state import AppState, Filters, StateFile, scope_of
from avala_tui.core.feed import PAGE_SIZE, TaskFilter
from avala_tui.core.status import APP_TITLE
from avala_tui.core.text import clean
from avala_tui.ui import partial_update
from avala_tui.ui.screens.dashboard import DashboardOptions, DashboardScreen
from avala_tui.ui.terminal import (
    alert_sequence,
    inside_tmux,
    osc52,
    served_by_browser,
    title_sequence,
    tmux_passthrough,
    write_to_terminal,
)
from avala_tui.ui.widgets.detail import DETAIL_DEBOUNCE_SECONDS
from avala_tui.ui.widgets.task_list import TaskListPane


def styles_path() -> Path:
    """The app's stylesheet: packaged beside the code in a wheel, at the top of a checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "styles" / "app.tcss"
    return packaged if packaged.exists() else package.parent / "styles" / "app.tcss"


class AvalaApp(App[int]):
    """The avala-tui dashboard."""

    TITLE = APP_TITLE
    CSS_PATH = styles_path()
    # The detail pane moves beside the table when there is room for both.
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (140, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit", tooltip="quit"),
        # Textual only hints at ctrl+q; over SSH a lead expects Ctrl+C to leave. Not a
        # priority binding: in a text field Ctrl+C still copies.
        Binding("ctrl+c", "quit", "Quit", show=False, id="quit-ctrl-c"),
        Binding("question_mark", "help", "Help", key_display="?", id="help", tooltip="this help"),
    ]

    def __init__(
        self,
        client: TasksAPI,
        settings: Settings,
        options: DashboardOptions | None = None,
        *,
        state: StateFile | None = None,
    ) -> None:
        super().__init__()
        partial_update.install()
        self.client = client
        self.settings = settings
        self.options = options or DashboardOptions()
        """How the dashboard runs beyond the settings (clock, page size, debounce)."""
        #: Where the last filters, sort and theme are kept; None remembers nothing (tests).
        self.state_file = state
        self.remembered = AppState() if state is None else state.load()
        self._terminal_title = ""

    def get_default_screen(self) -> DashboardScreen:
        # The dashboard is the app's base screen: it exists from the first frame.
        return DashboardScreen(self.client, self.settings, self.options, sort=self.remembered.sort)

    def on_mount(self) -> None:
        theme = self.remembered.theme
        if theme is not None and theme in self.available_themes:
            self.theme = theme
        self.watch(self, "theme", self._theme_changed, init=False)

    async def on_unmount(self) -> None:
        await self.client.aclose()

    @property
    def dashboard(self) -> DashboardScreen:
        """The dashboard screen (under any dialog pushed over it)."""
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen):
                return screen
        raise LookupError("the dashboard is not running")

    # Remembered state -------------------------------------------------------

    def _remember(self, state: AppState) -> None:
        if state != self.remembered:
            self.remembered = state
            if self.state_file is not None:
                self.state_file.save(state)

    def _theme_changed(self, theme: str) -> None:
        self._remember(replace(self.remembered, theme=theme))

    @on(TaskListPane.FilterAccepted)
    def _filter_accepted(self, message: TaskListPane.FilterAccepted) -> None:
        # Only what the API accepted is remembered: a refused filter must not come back.
        filters = Filters(message.filters.project, message.filters.status)
        self._remember(self.remembered.with_filters(scope_of(self.settings), filters))

    @on(TaskListPane.FilterRefused)
    def _filter_refused(self, message: TaskListPane.FilterRefused) -> None:
        scope = scope_of(self.settings)
        refused = Filters(message.filters.project, message.filters.status)
        if self.remembered.filters.get(scope) == refused:
            self._remember(self.remembered.without_filters(scope))

    @on(DashboardScreen.SortApplied)
    def _sort_applied(self, message: DashboardScreen.SortApplied) -> None:
        self._remember(replace(self.remembered, sort=message.sort))

    # The terminal -------------------------------------------------------------

    @on(DashboardScreen.TitleChanged)
    def _title_changed(self, message: DashboardScreen.TitleChanged) -> None:
        """Put the pending count in the terminal title, so a tmux window name shows it."""
        title = message.title
        if title == self._terminal_title:
            return
        self._terminal_title = title
        if not self.is_headless:
            write_to_terminal(self, title_sequence(clean(title), tmux=inside_tmux()))

    @on(DashboardScreen.AlertRaised)
    def _alert_raised(self, message: DashboardScreen.AlertRaised) -> None:
        """Ring the bell, ask for a desktop notification (OSC 9) and show a toast."""
        text = clean(f"avala-tui: {message.alert.message}")
        write_to_terminal(self, alert_sequence(text, tmux=inside_tmux()))
        self.notify(text, title="Alert", severity="warning", markup=False)
        if self.settings.notify_command:
            self._run_notify_command(self.settings.notify_command, text)

    @work(thread=True, group="alerts", exit_on_error=False)
    def _run_notify_command(self, command: str, text: str) -> None:
        """Run the user's program with the message as its one argument: no shell, no input."""
        try:
            subprocess.run(
                [command, text],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            self.call_from_thread(
                self.notify,
                clean(f"notify_command failed: {error}"),
                severity="error",
                markup=False,
            )

    def copy_to_clipboard(self, text: str) -> None:
        """Copy through OSC 52 (works over SSH); inside tmux also wrapped for passthrough."""
        super().copy_to_clipboard(text)
        if inside_tmux() and not served_by_browser(self):
            write_to_terminal(self, tmux_passthrough(osc52(text)))

    # App-wide actions ---------------------------------------------------------

    def action_help(self) -> None:
        """Show every key."""
        from avala_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        dashboard = self.dashboard
        filters: TaskFilter = dashboard.task_list.feed.filters
        for status, label in (
            (None, "every status"),
            (STATUS_PENDING, "pending"),
            (STATUS_COMPLETED, "completed"),
        ):
            yield SystemCommand(
                f"Status: {label}",
                f"Show tasks of {label}" if status is None else f"Show {label} tasks",
                partial(dashboard.apply_filters, project=filters.project, status=status),
            )
        yield SystemCommand(
            "Project: all projects",
            "Show tasks of every project",
            partial(dashboard.apply_filters, project=None, status=filters.status),
        )
        for uid, name in dashboard.project_names.items():
            yield SystemCommand(
                f"Project: {clean(name)}",
                f"Show only this project's tasks ({clean(uid)})",
                partial(dashboard.apply_filters, project=uid, status=filters.status),
            )
        yield SystemCommand(
            "Queue health",
            "Exact counts, throughput, oldest pending and ETA per project (H)",
            dashboard.action_queue,
        )
        yield SystemCommand("Reload", "Reload the task list", dashboard.action_reload)
        yield SystemCommand(
            "Toggle detail", "Show or hide the detail pane", dashboard.action_toggle_detail
        )


def make_app(
    settings: Settings,
    client: TasksAPI,
    *,
    clock: Callable[[], float] = time.time,
    page_size: int = PAGE_SIZE,
    detail_debounce: float = DETAIL_DEBOUNCE_SECONDS,
    state: StateFile | None = None,
    census: bool = False,
) -> AvalaApp:
    """Build the dashboard around a client the caller made (the CLI, a test, a benchmark).

    ``census``: count every task in the background; off unless asked, as its requests
    would otherwise mix with what a test or benchmark counts and injects.
    """
    options = DashboardOptions(
        clock=clock, page_size=page_size, detail_debounce=detail_debounce, census=census
    )
    return AvalaApp(client, settings, options, state=state)
