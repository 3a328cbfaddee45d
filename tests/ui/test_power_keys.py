"""The power keys against the demo API: / filter, , . sort, y Y copy, o open, e export, state."""

from __future__ import annotations

import base64
import csv
import json
import re
import webbrowser
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from avala_tui.config.state import StateFile, remembered_settings
from avala_tui.core.export import CSV_COLUMNS, unprotect_cell
from avala_tui.core.view import Sort
from avala_tui.demo.data import MEDIUM_PROJECT
from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp
from avala_tui.ui.screens.dialogs import ExportScreen, LinkScreen
from avala_tui.ui.widgets.quick_filter import QuickFilter
from avala_tui.ui.widgets.task_table import TaskTable
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import list_queries, settle, terminal_output, wait_until

#: A detail debounce short enough not to slow the tests down.
QUICK = {"detail_debounce": 0.01}
SIZE = (120, 30)
OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")
SSH_VARIABLES = ("SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT")


@pytest.fixture
def terminal_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the app writes to its terminal once ``_capture`` hooked it (outside tmux)."""
    monkeypatch.delenv("TMUX", raising=False)
    return []


def _capture(app: AvalaApp, writes: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    driver = app._driver
    assert driver is not None
    monkeypatch.setattr(driver, "write", writes.append)


def _copied(writes: list[str]) -> list[str]:
    """The texts sent with plain OSC 52, oldest first."""
    found = OSC52.findall("".join(w for w in writes if not w.startswith("\x1bPtmux;")))
    return [base64.b64decode(payload).decode() for payload in found]


def _exports(directory: Path, pattern: str = "avala-tasks-*") -> list[Path]:
    return sorted(directory.glob(pattern))


def _toasts(app: AvalaApp) -> list[str]:
    """The notifications shown (Textual keeps them privately; a toast wraps on screen)."""
    return [notification.message for notification in app._notifications]


def _status_line(app: AvalaApp) -> str:
    return str(app.query_one("#status-line").render())


async def _type(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text)


# ---------------------------------------------------------------- quick filter


async def test_slash_filters_the_loaded_rows_enter_returns_esc_clears(
    make_dashboard: MakeDashboard, demo: DemoServer
) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one(TaskTable)
        loaded = len(app.dashboard.task_list.feed.store)
        await pilot.press("slash")
        quick_filter = app.query_one(QuickFilter)
        assert quick_filter.is_open
        assert isinstance(app.focused, Input)
        await _type(pilot, "POLY")
        await wait_until(pilot, lambda: app.dashboard.task_list.view.query == "POLY")
        names = [row.name for row in table.rows]
        assert names and all("poly" in (name or "").casefold() for name in names)
        assert len(names) < loaded
        assert _status_line(app).startswith(f"{len(names)} of {loaded} loaded match")
        # The filter narrows what is loaded: going to the end fetches nothing.
        requests = len(list_queries(demo))
        await pilot.press("enter")
        assert table.has_focus
        assert quick_filter.is_open
        await pilot.press("end")
        await settle(pilot)
        assert len(list_queries(demo)) == requests
        await pilot.press("slash", "escape")
        assert not quick_filter.is_open
        assert app.focused is table
        assert table.rows is app.dashboard.task_list.feed.store
        assert "match" not in _status_line(app)


async def test_typing_right_after_the_slash_lands_in_the_filter(
    make_dashboard: MakeDashboard, demo: DemoServer
) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # As a fast typist's keys arrive: all queued before the first is handled.
        for key, character in (("slash", "/"), ("b", "b"), ("o", "o"), ("x", "x")):
            app.post_message(events.Key(key, character))
        await wait_until(pilot, lambda: app.dashboard.task_list.view.query == "box")
        # Typed in the field, "/" is text, not the key that opens the filter.
        await pilot.press("slash")
        await wait_until(pilot, lambda: app.dashboard.task_list.view.query == "box/")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.dashboard.task_list.view.query == "")
        assert not app.query_one(QuickFilter).is_open


async def test_escape_on_the_table_clears_the_filter(make_dashboard: MakeDashboard) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"box", "enter")
        await wait_until(pilot, lambda: app.dashboard.task_list.view.filtering)
        assert app.focused is app.dashboard.table
        await pilot.press("escape")
        assert not app.dashboard.task_list.view.filtering
        assert app.dashboard.table.rows is app.dashboard.task_list.feed.store


# ---------------------------------------------------------------------- sort


async def test_comma_sorts_period_reverses_and_the_order_survives_a_page(
    make_dashboard: MakeDashboard,
) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one(TaskTable)
        await pilot.press("comma")
        assert (table.sort_key, table.sort_reverse) == ("name", False)
        names = [(row.name or "").casefold() for row in table.rows]
        assert names == sorted(names)
        assert table.cursor_row == 0
        await pilot.press("full_stop")
        assert (table.sort_key, table.sort_reverse) == ("name", True)
        names = [(row.name or "").casefold() for row in table.rows]
        assert names == sorted(names, reverse=True)
        assert "by name ▼" in _status_line(app)
        loaded = len(app.dashboard.task_list.feed.store)
        await pilot.press("end")
        await wait_until(pilot, lambda: len(app.dashboard.task_list.feed.store) > loaded)
        await settle(pilot)
        names = [(row.name or "").casefold() for row in table.rows]
        assert len(names) == len(app.dashboard.task_list.feed.store)
        assert names == sorted(names, reverse=True)
        for _ in range(7):
            await pilot.press("comma")
        assert app.dashboard.task_list.view.sort is None
        assert table.sort_key is None
        assert table.rows is app.dashboard.task_list.feed.store


async def test_period_without_a_sort_shows_the_oldest_loaded_first(
    make_dashboard: MakeDashboard,
) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("full_stop")
        assert app.dashboard.task_list.view.sort == Sort("created")
        assert [row.uid for row in app.dashboard.table.rows] == [
            row.uid for row in app.dashboard.task_list.feed.store
        ][::-1]


async def test_clicking_a_header_sorts_reverses_and_restores(
    make_dashboard: MakeDashboard,
) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one(TaskTable)
        status = next(column for column in table.columns if column.key == "status")
        for expected in (Sort("status"), Sort("status", reverse=True), None):
            await pilot.click(TaskTable, offset=(status.x + 1, 0))
            await pilot.pause()
            assert app.dashboard.task_list.view.sort == expected
        assert table.rows is app.dashboard.task_list.feed.store


# ---------------------------------------------------------------------- copy


async def test_y_copies_the_uid_with_osc52(
    make_dashboard: MakeDashboard,
    terminal_writes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _capture(app, terminal_writes, monkeypatch)
        uid = app.dashboard.table.cursor_uid
        assert uid is not None
        await pilot.press("y")
        payload = base64.b64encode(uid.encode()).decode()
        assert f"\x1b]52;c;{payload}\x07" in terminal_writes
        assert not any("tmux" in write for write in terminal_writes)
        assert app.clipboard == uid
        assert _toasts(app) == [f"Copied uid {uid} (OSC 52)."]


async def test_inside_tmux_the_copy_is_also_wrapped_for_passthrough(
    make_dashboard: MakeDashboard,
    terminal_writes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _capture(app, terminal_writes, monkeypatch)
        monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,4242,0")
        uid = app.dashboard.table.cursor_uid
        assert uid is not None
        await pilot.press("y")
        payload = base64.b64encode(uid.encode()).decode()
        plain = f"\x1b]52;c;{payload}\x07"
        wrapped = f"\x1bPtmux;\x1b\x1b]52;c;{payload}\x07\x1b\\"
        sent = [w for w in terminal_writes if "52;c;" in w]
        assert sent == [plain, wrapped]
        assert _toasts(app) == [f"Copied uid {uid} (OSC 52 through tmux)."]


async def test_capital_y_copies_the_json_of_get_task_or_the_row(
    make_dashboard: MakeDashboard,
    demo: DemoServer,
    terminal_writes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _capture(app, terminal_writes, monkeypatch)
        uid = app.dashboard.table.cursor_uid
        assert uid is not None
        await wait_until(pilot, lambda: app.dashboard.detail.cache.get(uid) is not None)
        await pilot.press("Y")
        assert json.loads(_copied(terminal_writes)[-1]) == demo.api.task(uid)
        assert f"the JSON of {uid} (get-task," in _toasts(app)[-1]
        app.dashboard.detail.cache.clear()
        await pilot.press("Y")
        assert json.loads(_copied(terminal_writes)[-1]) == demo.api.task(uid)
        assert f"the JSON of {uid} (list row," in _toasts(app)[-1]


# ---------------------------------------------------------------------- open


async def test_o_over_ssh_shows_a_hyperlink_and_copies_it(
    make_dashboard: MakeDashboard,
    demo: DemoServer,
    terminal_writes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")
    monkeypatch.setenv("DISPLAY", ":0")
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *args, **kwargs: opened.append(url))
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _capture(app, terminal_writes, monkeypatch)
        uid = app.dashboard.table.cursor_uid
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, LinkScreen))
        url = f"{demo.base_url.removesuffix('/api/v1')}/tasks/{uid}"
        assert isinstance(app.screen, LinkScreen) and app.screen.url == url
        assert _copied(terminal_writes) == [url]
        assert opened == []
        # The link is an OSC 8 hyperlink in what reaches the terminal.
        assert re.search(rf"\x1b\]8;[^;]*;{re.escape(url)}\x1b\\", terminal_output(app))
        await pilot.press("escape")
        assert not isinstance(app.screen, LinkScreen)


async def test_o_with_a_local_browser_opens_the_profiles_web_url(
    make_dashboard: MakeDashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in SSH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *args, **kwargs: opened.append(url))
    app = make_dashboard(
        app_options=QUICK, web_url="https://avala.example/projects/{project}/tasks/{uid}"
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = app.dashboard.table.cursor_task
        assert row is not None
        await pilot.press("o")
        await pilot.pause()
        assert opened == [f"https://avala.example/projects/{row.project}/tasks/{row.uid}"]
        assert not isinstance(app.screen, LinkScreen)


# -------------------------------------------------------------------- export


async def test_e_exports_the_filtered_rows_to_csv(
    make_dashboard: MakeDashboard,
    demo: DemoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"box", "enter", "comma")
        await wait_until(pilot, lambda: app.dashboard.task_list.view.filtering)
        shown = [row.uid for row in app.dashboard.table.rows]
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("c")
        await wait_until(pilot, lambda: _exports(tmp_path))
        await settle(pilot)
        (path,) = _exports(tmp_path)
        assert re.fullmatch(r"avala-tasks-\d{8}-\d{6}\.csv", path.name)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            lines = list(csv.DictReader(handle))
        assert list(lines[0]) == list(CSV_COLUMNS)
        assert [line["uid"] for line in lines] == shown
        for line in lines:
            task = demo.api.task(line["uid"])
            assert unprotect_cell(line["name"]) == task["name"]
            assert line["created_at"] == task["created_at"]
            assert line["project_name"] == app.dashboard.project_names[task["project"]]
        # The file name on a line of its own, so the toast never wraps it mid-word.
        assert _toasts(app) == [f"Exported {len(shown)} tasks to\n{path.name}\nin {path.parent}"]


async def test_e_exports_json_with_every_field_and_esc_cancels(
    make_dashboard: MakeDashboard,
    demo: DemoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e", "escape")
        await settle(pilot)
        assert _exports(tmp_path, "*") == []
        await pilot.press("e", "j")
        await wait_until(pilot, lambda: _exports(tmp_path))
        await settle(pilot)
        (path,) = _exports(tmp_path)
        assert path.suffix == ".json"
        exported = json.loads(path.read_text(encoding="utf-8"))
        assert [task["uid"] for task in exported] == [
            row.uid for row in app.dashboard.task_list.feed.store
        ]
        assert exported == [demo.api.task(task["uid"]) for task in exported]


# -------------------------------------------------------------- remembered


async def _choose_theme(pilot: Pilot[Any], theme: str) -> None:
    """Change the theme the way a user does: the command palette's theme command."""
    app = pilot.app
    for search, expected in (("theme", "Theme"), (theme, theme)):
        if not isinstance(app.screen, CommandPalette):
            await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        app.screen.query_one(Input).value = search
        options = app.screen.query_one(OptionList)
        await wait_until(
            pilot,
            lambda: options.option_count and expected in str(options.get_option_at_index(0).prompt),  # noqa: B023
        )
        await pilot.press("enter")
        await pilot.pause()
    await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette))


async def test_filters_sort_and_theme_come_back_on_the_next_start(
    make_dashboard: MakeDashboard, demo: DemoServer, tmp_path: Path
) -> None:
    state = StateFile(tmp_path / "state.json")
    project = demo.api.project_uid(MEDIUM_PROJECT)
    app = make_dashboard(app_options={**QUICK, "state": state}, api_key="demo-key")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.dashboard.apply_filters(project=project, status="pending")
        await settle(pilot)
        await pilot.press("comma", "comma")
        await _choose_theme(pilot, "dracula")
        assert app.theme == "dracula"
    remembered = state.load()
    assert remembered.sort == Sort("type")
    assert remembered.theme == "dracula"
    assert "demo-key" not in state.path.read_text(encoding="utf-8")

    settings = remembered_settings(
        app.settings, remembered, project_given=False, status_given=False
    )
    again = make_dashboard(
        app_options={**QUICK, "state": state},
        project=settings.project,
        status=settings.status,
    )
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "dracula"
        assert again.dashboard.table.sort_key == "type"
        assert again.dashboard.task_list.feed.filters.project == project
        assert again.dashboard.task_list.feed.filters.status == "pending"
        types = [row.type or "" for row in again.dashboard.table.rows]
        assert types == sorted(types)
