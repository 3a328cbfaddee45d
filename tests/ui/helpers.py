"""Driving the dashboard in pilot tests, and reading back what it drew."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from textual.app import App
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList
from textual.worker import WorkerCancelled

from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp
from avala_tui.ui.widgets.census import CensusService

TASKS_PATH = "/api/v1/tasks/"
#: Bounds settle(): each round ends with a worker done or cancelled.
SETTLE_ROUNDS = 50


async def settle(pilot: Pilot[Any]) -> None:
    """Let every worker finish and the messages they posted be handled."""
    for _ in range(SETTLE_ROUNDS):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            # A newer request replaced one (latest wins): wait for what is left.
            continue
        break
    await pilot.pause()


async def wait_until(
    pilot: Pilot[Any], predicate: Callable[[], object], *, within: float = 5.0
) -> None:
    """Pause until ``predicate()`` holds (timers such as the detail debounce included)."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {within} s: {predicate}")
        await pilot.pause(0.01)


def list_queries(server: DemoServer) -> list[dict[str, str]]:
    """The query of every list-tasks request the demo API answered, oldest first."""
    return [record.query for record in server.api.requests if record.path == TASKS_PATH]


def get_task_calls(server: DemoServer, uid: str | None = None) -> list[str]:
    """The paths of the get-task requests (for one uid, or all), oldest first."""
    paths = [
        record.path
        for record in server.api.requests
        if record.path.startswith(TASKS_PATH) and record.path != TASKS_PATH
    ]
    return paths if uid is None else [path for path in paths if path == f"{TASKS_PATH}{uid}/"]


def census_of(app: AvalaApp) -> CensusService:
    """The dashboard's census service (the test turned the census on)."""
    census = app.dashboard.census
    assert census is not None
    return census


def header(app: AvalaApp) -> str:
    """The header's second part: where the data comes from and its health."""
    return app.dashboard.sub_title or ""


def _render_screen(app: App[Any], console: Console) -> None:
    # The full-screen update a terminal would get, as export_screenshot() renders it.
    console.print(app.screen._compositor.render_update(full=True))


def terminal_output(app: App[Any]) -> str:
    """What the app writes to a terminal to paint its whole screen now, escape codes and all."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
        safe_box=False,
    )
    _render_screen(app, console)
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


def screen_text(app: App[Any]) -> str:
    """The screen as plain text, one line per terminal row."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    _render_screen(app, console)
    return console.export_text(styles=False)


async def run_command(pilot: Pilot[Any], search: str, expected: str) -> None:
    """Open the command palette, search, and run the first command once it is ``expected``."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    # As if typed, in one go: a key at a time costs the test a second.
    app.screen.query_one(Input).value = search
    options = app.screen.query_one(OptionList)

    def first_prompt() -> str:
        return str(options.get_option_at_index(0).prompt) if options.option_count else ""

    await wait_until(pilot, lambda: expected in first_prompt())
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette))
    await settle(pilot)
