"""The dashboard against the demo API: first page, filters, paging, detail, errors, keys."""

from __future__ import annotations

import math

import pytest
from textual.widget import Widget
from textual.widgets import OptionList

from avala_tui.demo.data import EDGE_CASE_PROJECT, MEDIUM_PROJECT, SMALL_PROJECT
from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp
from avala_tui.ui.screens.help import HelpScreen
from avala_tui.ui.widgets.detail import TaskDetail
from avala_tui.ui.widgets.sidebar import ProjectList, StatusList
from avala_tui.ui.widgets.task_table import TaskTable
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import (
    get_task_calls,
    list_queries,
    run_command,
    screen_text,
    settle,
    wait_until,
)

#: A detail debounce short enough not to slow the tests that do not measure it.
QUICK = {"detail_debounce": 0.01}


def _focused(app: AvalaApp) -> Widget | None:
    # A function, so that mypy does not narrow app.focused from one assert to the next.
    return app.focused


def _highlighted(options: OptionList) -> str | None:
    option = options.highlighted_option
    return None if option is None else option.id


async def test_first_page_and_detail(make_dashboard: MakeDashboard, demo: DemoServer) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=(100, 30)) as pilot:
        newest = demo.api.tasks()[0]
        await wait_until(pilot, lambda: app.dashboard.detail.cache.get(newest["uid"]) is not None)
        await settle(pilot)
        table = app.query_one(TaskTable)
        assert len(table.rows) >= 100
        assert table.rows[0].uid == newest["uid"]
        assert app.dashboard.detail.shown_uid == newest["uid"]
        assert len(get_task_calls(demo, newest["uid"])) == 1


# ------------------------------------------------------------------ filters


async def test_choosing_a_project_and_a_status_with_the_keyboard(
    make_dashboard: MakeDashboard, demo: DemoServer
) -> None:
    project = demo.api.project_uid(SMALL_PROJECT)
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        projects = app.query_one(ProjectList)
        assert _focused(app) is projects
        for _ in range(projects.option_count):
            if _highlighted(projects) == project:
                break
            await pilot.press("j")  # as in the table
        demo.api.clear_requests()
        await pilot.press("enter")
        await settle(pilot)
        assert list_queries(demo)[0] == {"project": project, "limit": "100"}
        expected = demo.api.tasks(project, limit=100)
        assert [row.uid for row in app.dashboard.table.rows] == [task["uid"] for task in expected]

        await pilot.press("s")
        assert _focused(app) is app.query_one(StatusList)
        demo.api.clear_requests()
        await pilot.press("down", "down", "k", "enter")
        await settle(pilot)
        assert list_queries(demo)[0] == {"project": project, "status": "pending", "limit": "100"}
        assert {row.status for row in app.dashboard.table.rows} == {"pending"}
        assert {row.project for row in app.dashboard.table.rows} == {project}


async def test_choosing_filters_with_the_mouse(
    make_dashboard: MakeDashboard, demo: DemoServer
) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        projects = app.query_one(ProjectList)
        # Options are one line each, "All projects" first, then the API's order.
        line = next(
            index
            for index in range(projects.option_count)
            if projects.get_option_at_index(index).id == demo.api.projects[1]["uid"]
        )
        demo.api.clear_requests()
        assert await pilot.click(ProjectList, offset=(4, line))
        await settle(pilot)
        project = demo.api.projects[1]["uid"]
        assert list_queries(demo)[0] == {"project": project, "limit": "100"}

        demo.api.clear_requests()
        # "Completed" is the third status.
        assert await pilot.click(StatusList, offset=(4, 2))
        await settle(pilot)
        assert list_queries(demo)[0] == {
            "project": project,
            "status": "completed",
            "limit": "100",
        }
        assert {row.status for row in app.dashboard.table.rows} <= {"completed"}


async def test_cli_flags_preselect_the_filters(
    make_dashboard: MakeDashboard, demo: DemoServer
) -> None:
    project = demo.api.project_uid(MEDIUM_PROJECT)
    app = make_dashboard(project=project, status="completed", app_options=QUICK)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert list_queries(demo)[0] == {"project": project, "status": "completed", "limit": "100"}
        projects = app.query_one(ProjectList)
        statuses = app.query_one(StatusList)
        assert projects.selected_project == project
        assert _highlighted(projects) == project
        assert statuses.selected_status == "completed"
        assert _highlighted(statuses) == "completed"
        first = demo.api.tasks(project, "completed", limit=1)[0]
        assert app.dashboard.table.rows[0].uid == first["uid"]


async def test_the_command_palette_offers_the_filters(
    make_dashboard: MakeDashboard, demo: DemoServer
) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        demo.api.clear_requests()
        await run_command(pilot, "Status: pending", "Status: pending")
        assert list_queries(demo)[0] == {"status": "pending", "limit": "100"}

        demo.api.clear_requests()
        await run_command(pilot, "onboarding", f"Project: {EDGE_CASE_PROJECT}")
        project = demo.api.project_uid(EDGE_CASE_PROJECT)
        assert list_queries(demo)[0] == {"project": project, "status": "pending", "limit": "100"}


# --------------------------------------------------------------- pagination


@pytest.mark.parametrize("how", ["end key", "scrolling"])
async def test_scrolling_to_the_end_fetches_each_page_once(
    make_dashboard: MakeDashboard, demo: DemoServer, how: str
) -> None:
    project = demo.api.project_uid(MEDIUM_PROJECT)
    expected = [task["uid"] for task in demo.api.tasks(project)]
    page_size = 200
    app = make_dashboard(project=project, app_options={"page_size": page_size, **QUICK})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.dashboard.table
        for _ in range(2 * math.ceil(len(expected) / page_size)):
            if app.dashboard.task_list.feed.exhausted:
                break
            if how == "end key":
                await pilot.press("G")
            else:
                table.scroll_end(animate=False, immediate=True)
            await settle(pilot)
        assert app.dashboard.task_list.feed.exhausted
        queries = list_queries(demo)
        assert len(queries) == math.ceil(len(expected) / page_size)
        cursors = [query.get("cursor") for query in queries]
        assert len(set(cursors)) == len(cursors)
        assert all(query["project"] == project for query in queries)
        assert [row.uid for row in table.rows] == expected
        await pilot.press("G")
        await settle(pilot)
        assert table.cursor_uid == expected[-1]
        text = screen_text(app)
        assert f"end of list: {len(expected):,} tasks" in text
        assert f"{len(expected):,} tasks · all loaded" in text


@pytest.mark.parametrize(("page_size", "pages"), [(100, 1), (20, 5)])
async def test_pages_load_until_the_screen_is_full_and_no_further(
    make_dashboard: MakeDashboard, demo: DemoServer, page_size: int, pages: int
) -> None:
    app = make_dashboard(app_options={"page_size": page_size, **QUICK})
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.pause(0.1)
        await settle(pilot)
        # 41 rows fit: pages load while the last loaded row is within a screen of view.
        assert len(list_queries(demo)) == pages
        assert len(app.dashboard.table.rows) == page_size * pages


async def test_end_loads_the_next_page_and_home_goes_back(
    make_dashboard: MakeDashboard, demo: DemoServer
) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.dashboard.table
        assert len(table.rows) == 100
        assert "100 loaded · more below" in screen_text(app)
        [first] = list_queries(demo)
        demo.api.clear_requests()
        await pilot.press("end")
        await settle(pilot)
        [second] = list_queries(demo)
        assert "cursor" in second
        assert "cursor" not in first
        assert len(table.rows) == 200
        assert table.cursor_row == 99
        await pilot.press("G")
        await settle(pilot)
        assert table.cursor_row == 199
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("G", "g")
        assert table.cursor_row == 0


# ------------------------------------------------------------------- detail


async def test_the_detail_shows_get_tasks_data_with_undocumented_fields(
    make_dashboard: MakeDashboard, demo: DemoServer
) -> None:
    project = demo.api.project_uid(EDGE_CASE_PROJECT)
    tasks = demo.api.tasks(project)
    index, task = next((i, t) for i, t in enumerate(tasks) if "assignee" in t)
    app = make_dashboard(project=project, app_options=QUICK)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.dashboard.table.cursor_row = index
        await wait_until(pilot, lambda: app.dashboard.detail.cache.get(task["uid"]) is not None)
        await pilot.pause()
        text = screen_text(app)
        assert task["uid"] in text
        assert EDGE_CASE_PROJECT in text
        assert "image-annotation" in text or task["type"] in text
        assert "priority" in text
        assert '"email": "mara@example.com"' in text
        assert "get-task" in text
        assert len(get_task_calls(demo, task["uid"])) == 1


async def test_holding_j_through_twenty_rows_makes_few_get_task_calls(
    make_dashboard: MakeDashboard, demo: DemoServer
) -> None:
    app = make_dashboard()  # the real debounce
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        rows = app.dashboard.table.rows
        await wait_until(pilot, lambda: app.dashboard.detail.cache.get(rows[0].uid) is not None)
        demo.api.clear_requests()
        await pilot.press(*["j"] * 20)
        target = rows[20].uid
        assert app.dashboard.table.cursor_uid == target
        await wait_until(pilot, lambda: app.dashboard.detail.cache.get(target) is not None)
        await settle(pilot)
        assert app.dashboard.detail.shown_uid == target
        assert len(get_task_calls(demo, target)) == 1
        # Only a row the cursor rested on is fetched: the last, and at most a stray one.
        assert len(get_task_calls(demo)) <= 2


# ------------------------------------------------------------------- errors


async def test_a_wrong_key_is_shown_and_r_recovers(
    make_dashboard: MakeDashboard, own_demo: DemoServer
) -> None:
    app = make_dashboard(api_key="not-my-key", base_url=own_demo.base_url, app_options=QUICK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert len(app.dashboard.table.rows) == 0
        text = screen_text(app)
        assert "Invalid API key." in text
        assert "r to retry" in text
        assert "unauthorised" in text
        # The key is put right on the server's side; r tries again.
        own_demo.api.api_key = "not-my-key"
        await pilot.press("r")
        await settle(pilot)
        assert len(app.dashboard.table.rows) == 100
        text = screen_text(app)
        assert "Invalid API key." not in text
        assert app.dashboard.task_list.monitor.connection == "online"


async def test_a_stopped_server_is_shown_and_r_recovers(
    make_dashboard: MakeDashboard, own_demo: DemoServer
) -> None:
    app = make_dashboard(base_url=own_demo.base_url, app_options=QUICK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert len(app.dashboard.table.rows) == 100
        own_demo.stop()
        await pilot.press("r")
        await settle(pilot)
        text = screen_text(app)
        assert app.dashboard.task_list.monitor.connection == "offline"
        assert "offline" in text
        assert "AVALA_BASE_URL" in text
        own_demo.start()
        await pilot.press("r")
        await settle(pilot)
        assert len(app.dashboard.table.rows) == 100
        # Read afresh: mypy would keep the narrowing of the assert above.
        recovered: str = app.dashboard.task_list.monitor.connection
        assert recovered == "online"
        assert "AVALA_BASE_URL" not in screen_text(app)


# --------------------------------------------------------------- keys, mouse


async def test_help_screen(make_dashboard: MakeDashboard) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for keys in ("G / End", "Enter", "Tab", "Ctrl+P", "q"):
            assert keys in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_keys_move_the_focus_between_panes(make_dashboard: MakeDashboard) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table, detail = app.dashboard.table, app.query_one(TaskDetail)
        projects, statuses = app.query_one(ProjectList), app.query_one(StatusList)
        assert _focused(app) is table
        await pilot.press("enter")
        assert _focused(app) is detail
        await pilot.press("p")
        assert _focused(app) is projects
        await pilot.press("s")
        assert _focused(app) is statuses
        await pilot.press("t")
        assert _focused(app) is table
        seen = []
        for _ in range(4):
            await pilot.press("tab")
            seen.append(_focused(app))
        assert seen[-1] is table
        assert {id(widget) for widget in seen} == set(map(id, (table, detail, projects, statuses)))


async def test_clicking_rows(make_dashboard: MakeDashboard) -> None:
    app = make_dashboard(app_options=QUICK)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.dashboard.table
        # Line 0 is the column labels: line 3 is the third task.
        assert await pilot.click(TaskTable, offset=(5, 3))
        assert table.cursor_row == 2
        assert _focused(app) is table
        await wait_until(pilot, lambda: app.dashboard.detail.shown_uid == table.rows[2].uid)
        # A click on the row under the cursor opens it in the detail pane.
        assert await pilot.click(TaskTable, offset=(5, 3))
        assert _focused(app) is app.dashboard.detail
