"""The live monitor and the detail pane in the positions a lead actually leaves them (issue 11).

Each test here failed on the dashboard as it was: arrivals hidden above a view
sitting at the top, ``--task`` replaced by the first row, a refused filter
remembered and retried forever, a focus trap in the detail pane. The ones that
depend on the server's behaviour run against the demo API and against the server
built on Django REST Framework (``api_server``), which the real API is.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from avala_tui.config.state import StateFile, scope_of
from avala_tui.core.text import short_uid
from avala_tui.demo.data import SMALL_PROJECT
from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp
from avala_tui.ui.widgets.detail import TaskDetail
from avala_tui.ui.widgets.task_table import TaskTable
from tests.api_servers import ApiServer
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import screen_text, settle, wait_until

TIMEOUT = 10.0
QUICK = {"detail_debounce": 0.01}


def _detail_text(app: AvalaApp) -> str:
    """What the detail pane shows, as text (it sits right of the table at 160 columns)."""
    detail = app.query_one(TaskDetail)
    left = detail.region.x
    return "\n".join(line[left:] for line in screen_text(app).splitlines())


def _dashboard(make_dashboard: MakeDashboard, api_server: ApiServer, **settings: Any) -> AvalaApp:
    """A dashboard on ``api_server``, with its key and a short detail debounce."""
    settings.setdefault("app_options", QUICK)
    return make_dashboard(base_url=api_server.base_url, api_key=api_server.api_key, **settings)


async def test_arrivals_show_on_screen_while_the_view_sits_at_the_top(
    make_dashboard: MakeDashboard, api_server: ApiServer
) -> None:
    project = api_server.big_project
    app = _dashboard(make_dashboard, api_server, project=project, refresh=0.3)
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(TaskTable)
        await wait_until(pilot, lambda: len(table.rows) > 5, within=TIMEOUT)
        watched = table.cursor_uid
        assert table.scroll_offset.y == 0 and table.cursor_row == 0
        arrivals = [api_server.add_task(project, name=f"arrival-{n}") for n in range(3)]
        await wait_until(pilot, lambda: table.rows[0].uid == arrivals[-1]["uid"], within=TIMEOUT)
        await pilot.pause()
        assert table.scroll_offset.y == 0, "a view at the top stays at the top"
        assert table.cursor_uid == watched and table.cursor_row == 3, "the cursor kept its task"
        text = screen_text(app)
        for task in arrivals:
            line = next(line for line in text.splitlines() if task["name"] in line)
            assert "●" in line, line
        # More than a screenful: the top still shows the newest, the cursor keeps its task.
        flood = [api_server.add_task(project, name=f"flood-{n}") for n in range(40)]
        await wait_until(pilot, lambda: table.rows[0].uid == flood[-1]["uid"], within=TIMEOUT)
        await pilot.pause()
        assert table.scroll_offset.y == 0
        assert table.cursor_uid == watched and table.cursor_row == 43
        assert "flood-39" in screen_text(app)
        # A resize (a tmux pane split) keeps the view where the lead left it.
        await pilot.resize_terminal(100, 26)
        await pilot.pause()
        assert table.scroll_offset.y == 0
        assert "flood-39" in screen_text(app)


async def test_arrivals_do_not_move_a_view_scrolled_down(
    make_dashboard: MakeDashboard, api_server: ApiServer
) -> None:
    project = api_server.big_project
    app = _dashboard(make_dashboard, api_server, project=project, refresh=0.3)
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(TaskTable)
        await wait_until(pilot, lambda: len(table.rows) > 40, within=TIMEOUT)
        await pilot.press(*["j"] * 30)
        await pilot.pause()
        top_uid = table.rows[table.scroll_offset.y].uid
        watched = table.cursor_uid
        screen_line = table.cursor_row - table.scroll_offset.y
        arrival = api_server.add_task(project, name="arrival")
        await wait_until(pilot, lambda: table.rows[0].uid == arrival["uid"], within=TIMEOUT)
        await pilot.pause()
        assert table.rows[table.scroll_offset.y].uid == top_uid
        assert table.cursor_uid == watched
        assert table.cursor_row - table.scroll_offset.y == screen_line


async def test_task_flag_opens_that_task_and_keeps_it_until_the_user_moves(
    make_dashboard: MakeDashboard, api_server: ApiServer
) -> None:
    project = api_server.big_project
    far = api_server.tasks(project, None)[250]
    app = _dashboard(make_dashboard, api_server, project=project, task=far["uid"])
    async with app.run_test(size=(160, 45)) as pilot:
        table = app.query_one(TaskTable)
        await wait_until(pilot, lambda: len(table.rows) > 0, within=TIMEOUT)
        await settle(pilot)
        await asyncio.sleep(0.1)
        await settle(pilot)
        detail = app.query_one(TaskDetail)
        assert detail.shown_uid == far["uid"], "a task from page three stays in the detail"
        assert far["uid"] in _detail_text(app)
        assert table.cursor_uid != far["uid"]
        await pilot.press("j")
        await wait_until(pilot, lambda: detail.shown_uid == table.cursor_uid, within=TIMEOUT)


async def test_task_flag_highlights_its_row_once_loaded(
    make_dashboard: MakeDashboard, api_server: ApiServer
) -> None:
    project = api_server.big_project
    near = api_server.tasks(project, None)[19]
    app = _dashboard(make_dashboard, api_server, project=project, task=near["uid"])
    async with app.run_test(size=(160, 45)) as pilot:
        table = app.query_one(TaskTable)
        await wait_until(pilot, lambda: table.cursor_uid == near["uid"], within=TIMEOUT)
        await settle(pilot)
        assert app.query_one(TaskDetail).shown_uid == near["uid"]


@pytest.mark.parametrize(
    ("which", "words"),
    [("hidden_uid", "No Task matches the given query."), ("forbidden_uid", "permission")],
)
async def test_task_flag_for_a_missing_task_names_it_with_the_apis_words(
    make_dashboard: MakeDashboard, api_server: ApiServer, which: str, words: str
) -> None:
    missing = getattr(api_server, which)
    app = _dashboard(make_dashboard, api_server, task=missing)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_until(pilot, lambda: short_uid(missing) in _detail_text(app), within=TIMEOUT)
        await settle(pilot)
        await asyncio.sleep(0.2)
        await settle(pilot)
        text = " ".join(_detail_text(app).replace("▏", " ").split())
        assert f"Task {short_uid(missing)}: " in text
        assert words in text
        assert "Not found: Not found" not in text


async def test_a_refused_filter_is_neither_remembered_nor_retried(
    make_dashboard: MakeDashboard, api_server: ApiServer, tmp_path: Path
) -> None:
    state = StateFile(tmp_path / "state.json")
    app = _dashboard(
        make_dashboard,
        api_server,
        project="not-a-project",
        refresh=0.2,
        origins={"project": "the --project flag"},
        app_options={**QUICK, "state": state},
    )
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(
            pilot,
            lambda: "--project flag" in str(app.query_one("#table-message", Static).content),
            within=TIMEOUT,
        )
        asked = app.client.stats.by_kind["tasks.list"]
        await asyncio.sleep(1.5)
        await settle(pilot)
        again = app.client.stats.by_kind["tasks.list"]
        assert again == asked, "a 400 is not retried by itself"
        message = str(app.query_one("#table-message", Static).content)
        assert "The project filter came from the --project flag." in message
        assert "Choose another in the sidebar: p for projects" in message
    remembered = json.loads(state.path.read_text()) if state.path.exists() else {}
    assert "not-a-project" not in json.dumps(remembered)


async def test_an_accepted_filter_is_remembered(
    make_dashboard: MakeDashboard, demo: DemoServer, tmp_path: Path
) -> None:
    state = StateFile(tmp_path / "state.json")
    project = demo.api.project_uid(SMALL_PROJECT)
    app = make_dashboard(app_options={**QUICK, "state": state})
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.dashboard.apply_filters(project=project, status="pending")
        await settle(pilot)
    filters = state.load().filters[scope_of(app.settings)]
    assert (filters.project, filters.status) == (project, "pending")


async def test_escape_leaves_the_detail_pane_and_j_scrolls_it(
    make_dashboard: MakeDashboard, demo: DemoServer
) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        detail = app.query_one(TaskDetail)
        assert app.focused is detail
        await settle(pilot)  # get-task's answer lands first, not over the long text
        detail.show_message(" ".join(f"word{n}" for n in range(600)))  # wraps to many lines
        await pilot.pause()
        await pilot.press("j", "j")
        await pilot.pause()
        assert detail.scroll_y > 0, "j scrolls the detail pane"
        await pilot.press("escape")
        table: object = app.query_one(TaskTable)
        assert app.focused is table
