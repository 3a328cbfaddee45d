"""The avala-tui App: what is app-wide. The dashboard itself is a screen.

The App is handed a client (see :func:`make_app`) and owns what outlives any
screen: the keys that work everywhere, the theme, what is remembered between
runs, the command palette's commands, the terminal title, and closing the
client on exit. :class:`~avala_tui.ui.screens.dashboard.DashboardScreen` does
the browsing and monitoring.
"""

from __future__ import annotations

import platform
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import ClassVar, Final

import textual
from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen

from avala_tui import __version__
from avala_tui.api.client import AvalaClient
from avala_tui.api.errors import ConfigurationError
from avala_tui.api.models import STATUS_COMPLETED, STATUS_PENDING
from avala_tui.api.protocol import TasksAPI
from avala_tui.config.settings import Settings, SettingsError, load_settings
from avala_tui.config.state import AppState, Filters, StateFile, remembered_settings, scope_of
from avala_tui.core.about import about_rows
from avala_tui.core.feed import PAGE_SIZE, TaskFilter
from avala_tui.core.status import APP_TITLE
from avala_tui.core.text import clean
from avala_tui.ui import partial_update
from avala_tui.ui.keys import check_keymap
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
from avala_tui.ui.untrusted import shown
from avala_tui.ui.widgets.detail import DETAIL_DEBOUNCE_SECONDS
from avala_tui.ui.widgets.task_list import TaskListPane

#: The built-in themes offered (in the palette, and when remembered): those whose
#: cursor row stays readable in truecolor, 256 and 16 colours (core/contrast.py;
#: tests/ui/test_themes.py checks this list against every built-in theme). Left
#: out: gruvbox, nord, catppuccin-frappe and rose-pine-dawn.
OFFERED_THEMES: Final = frozenset(
    {
        "ansi-dark",
        "ansi-light",
        "atom-one-dark",
        "atom-one-light",
        "catppuccin-latte",
        "catppuccin-macchiato",
        "catppuccin-mocha",
        "dracula",
        "flexoki",
        "monokai",
        "rose-pine",
        "rose-pine-moon",
        "solarized-dark",
        "solarized-light",
        "textual-dark",
        "textual-light",
        "tokyo-night",
    }
)


def styles_path() -> Path:
    """The app's stylesheet: packaged beside the code in a wheel, at the top of a checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "styles" / "app.tcss"
    return packaged if packaged.exists() else package.parent / "styles" / "app.tcss"


#: Characters of a project name in a palette prompt: a prompt wraps, it is never cut.
_PALETTE_NAME_LIMIT = 200


class ProjectCommands(Provider):
    """The palette's commands to filter by one project, each name shown literally.

    Not SystemCommands: Textual parses a SystemCommand's title as markup (in the
    prompt and when highlighting a match), and a project name is the API's text.
    """

    def _commands(self) -> list[tuple[Content, Callable[[], object]]]:
        app = self.app
        if not isinstance(app, AvalaApp):
            return []
        dashboard = app.dashboard
        status = dashboard.task_list.feed.filters.status
        return [
            (
                Content("Project: ") + shown(name, limit=_PALETTE_NAME_LIMIT),
                partial(dashboard.apply_filters, project=uid, status=status),
            )
            for uid, name in dashboard.project_names.items()
        ]

    async def discover(self) -> Hits:
        for title, callback in self._commands():
            yield DiscoveryHit(title, callback, text=title.plain, help=_PROJECT_HELP)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback in self._commands():
            # Matcher.highlight() parses its candidate as markup: highlight by hand.
            score, offsets = matcher.fuzzy_search.match(matcher.query, title.plain)
            if score <= 0:
                continue
            for offset in offsets:
                title = title.stylize(matcher.match_style, offset, offset + 1)
            yield Hit(score, title, callback, text=title.plain, help=_PROJECT_HELP)


# Help text is always parsed as markup by the palette, so it holds no API text.
_PROJECT_HELP = "Show only this project's tasks"


class AvalaApp(App[int]):
    """The avala-tui dashboard."""

    TITLE = APP_TITLE
    COMMANDS = App.COMMANDS | {ProjectCommands}
    CSS_PATH = styles_path()
    # The detail pane moves beside the table when there is room for both.
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (140, "-wide"),
    ]
    # At 24 rows the detail pane shrinks to what the table row does not show.
    VERTICAL_BREAKPOINTS = [
        (0, "-short"),
        (30, "-tall"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit", tooltip="quit"),
        # Textual only hints at ctrl+q; over SSH a lead expects Ctrl+C to leave. Not a
        # priority binding: in a text field Ctrl+C still copies.
        Binding("ctrl+c", "quit", "Quit", show=False, id="quit-ctrl-c"),
        Binding(
            "f2",
            "about",
            "About",
            show=False,
            id="about",
            tooltip="about: version, profile, API, files, rate limit, last error",
        ),
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
        for theme in list(self.available_themes):
            if theme not in OFFERED_THEMES:
                self.unregister_theme(theme)
        # Before anything runs: a bad keymap is a configuration error, not a half-working app.
        check_keymap(settings.keys, settings.config_source)
        self.set_keymap(settings.keys)
        partial_update.install()
        self.client = client
        self.settings = settings
        self.options = options or DashboardOptions()
        """How the dashboard runs beyond the settings (clock, page size, debounce)."""
        #: Where the last filters, sort and theme are kept; None remembers nothing (tests).
        self.state_file = state
        self.remembered = AppState() if state is None else state.load()
        #: What the state file holds now; written by one thread worker at a time.
        self._saved = self.remembered
        self._save_lock = threading.Lock()
        self._terminal_title = ""
        #: When the last error was shown and what it said, for the About screen.
        self.last_error: tuple[float, str] | None = None

    def get_default_screen(self) -> DashboardScreen:
        # The dashboard is the app's base screen: it exists from the first frame.
        return self._new_dashboard()

    def _new_dashboard(self) -> DashboardScreen:
        return DashboardScreen(self.client, self.settings, self.options, sort=self.remembered.sort)

    def on_mount(self) -> None:
        theme = self.remembered.theme
        if theme is not None and theme in self.available_themes:
            self.theme = theme
        self.watch(self, "theme", self._theme_changed, init=False)

    async def on_unmount(self) -> None:
        # A save still queued when the app exits is done now (worker threads die with it).
        self._write_state()
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
                self._save_state()

    @work(thread=True, group="state", exit_on_error=False)
    def _save_state(self) -> None:
        """Write the state off the event loop: an fsync per sort change froze the screen."""
        self._write_state()

    def _write_state(self) -> None:
        # Whichever writer runs last writes the newest state; the others find it written.
        with self._save_lock:
            state = self.remembered
            if self.state_file is None or state is self._saved:
                return
            self.state_file.save(state)
            self._saved = state

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

    @on(DashboardScreen.ErrorShown)
    def _error_shown(self, message: DashboardScreen.ErrorShown) -> None:
        self.last_error = (self.options.clock(), message.text)

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
        """Show every key (as the profile's keymap has them)."""
        from avala_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.settings.keys))

    def about(self) -> list[tuple[str, str]]:
        """What the About screen shows."""
        return about_rows(
            version=__version__,
            textual_version=textual.__version__,
            python_version=platform.python_version(),
            settings=self.settings,
            base_url=self.client.base_url,
            state_file=None if self.state_file is None else self.state_file.path,
            rate=self.client.rate_limit,
            last_error=self.last_error,
        )

    def action_about(self) -> None:
        """Show versions, profile, API, files, rate limit and the last error."""
        # Imported when first shown: nothing off screen is built before the first frame.
        from avala_tui.ui.screens.about import AboutScreen

        if not isinstance(self.screen, AboutScreen):
            self.push_screen(AboutScreen(self.about()))

    async def switch_profile(self, name: str) -> None:
        """Run on another profile of the config file: its own client, a fresh dashboard."""
        try:
            settings = load_settings(
                flags={"profile": name, "refresh": self.settings.refresh},
                path=self.settings.config_file,
            )
            check_keymap(settings.keys, settings.config_source)
            if not settings.api_key_value:
                raise SettingsError(f"Profile {name!r} has no API key (nor has AVALA_API_KEY).")
            client = AvalaClient(settings.api_key_value, settings.base_url)
        except (SettingsError, ConfigurationError) as error:
            self.notify(clean(str(error)), severity="error", markup=False, timeout=10)
            return
        settings = remembered_settings(
            settings, self.remembered, project_given=False, status_given=False
        )
        old = self.client
        self.client, self.settings = client, settings
        self.last_error = None
        self.set_keymap(settings.keys)
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.dashboard.use(client, settings)
        await old.aclose()
        self.notify(clean(f"Profile {name}: {settings.base_url}"), markup=False)

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
        # "Project: <name>" commands come from ProjectCommands (their names are API text).
        yield SystemCommand(
            "Queue health",
            "Exact counts, throughput, oldest pending and ETA per project (H)",
            dashboard.action_queue,
        )
        for view in self.settings.views:
            yield SystemCommand(
                f"View: {escape(clean(view.name))}",
                "Open this saved view of the config file",
                partial(dashboard.apply_view, view),
            )
        for profile in self.settings.profiles:
            if profile != self.settings.profile or self.settings.demo:
                yield SystemCommand(
                    f"Profile: {escape(clean(profile))}",
                    "Switch to this profile of the config file (its API and key)",
                    partial(self.switch_profile, profile),
                )
        yield SystemCommand("About", "Version, profile, API, files, rate limit", self.action_about)
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
    alert_clock: Callable[[], float] = time.monotonic,
) -> AvalaApp:
    """Build the dashboard around a client the caller made (the CLI, a test, a benchmark).

    ``census``: count every task in the background; off unless asked, as its requests
    would otherwise mix with what a test or benchmark counts and injects.
    ``alert_clock``: the monotonic clock of the --notify rules (see DashboardOptions).
    """
    options = DashboardOptions(
        clock=clock,
        page_size=page_size,
        detail_debounce=detail_debounce,
        census=census,
        alert_clock=alert_clock,
        state_file=None if state is None else state.path,
    )
    return AvalaApp(client, settings, options, state=state)
