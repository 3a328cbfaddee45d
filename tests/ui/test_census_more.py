"""The census beyond one walk: the last count on disk, the selected project first,
changes the monitor saw, and yielding to the user's own requests (issue 13)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from avala_tui.config.state import StateFile
from avala_tui.core.census import CensusResult, QueueFigures, ShownFigures
from avala_tui.demo.app import DEFAULT_API_KEY, RequestRecord
from avala_tui.demo.data import LARGE_PROJECT, SMALL_PROJECT
from avala_tui.demo.server import DemoServer
from avala_tui.ui.screens.queue import QueueLine, QueueScreen
from avala_tui.ui.widgets.census import CensusService
from avala_tui.ui.widgets.sidebar import ProjectList, StatusList
from avala_tui.ui.widgets.task_table import TaskTable
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import TASKS_PATH, census_of, screen_text, settle, wait_until

TIMEOUT = 60.0


def _census_requests(server: DemoServer) -> list[RequestRecord]:
    return [
        r for r in server.api.requests if r.path == TASKS_PATH and r.query.get("limit") == "1000"
    ]


def _census_files(folder: Path) -> list[Path]:
    return list(folder.glob("census-*.json"))


def _read(path: Path) -> str:
    return path.read_text()


def _refined_by(census: CensusService) -> int | None:
    return None if census.result is None else census.result.refined_by


def _with_census(state: Path | None = None, **options: Any) -> dict[str, Any]:
    return {"census": True, "state": None if state is None else StateFile(state), **options}


async def test_a_restart_shows_the_last_count_at_once_marked_with_its_time(
    make_dashboard: MakeDashboard, fast_demo: DemoServer, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    first = make_dashboard(app_options=_with_census(state))
    async with first.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: census_of(first).result is not None, within=TIMEOUT)
        saved = census_of(first).result
        await wait_until(pilot, lambda: _census_files(tmp_path), within=TIMEOUT)
    files = _census_files(tmp_path)
    assert len(files) == 1
    assert DEFAULT_API_KEY not in _read(files[0])
    assert saved is not None

    fast_demo.api.clear_requests()
    again = make_dashboard(app_options=_with_census(state))
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        census = census_of(again)
        # Before the first census page: the saved count, as of its time.
        assert _census_requests(fast_demo) == []
        assert census.restored and census.result == saved
        await pilot.pause()
        projects = again.dashboard.query_one(ProjectList)
        large = fast_demo.api.project_uid(LARGE_PROJECT)
        assert projects.count_text(large) == f"{saved.projects[large].pending:,}"
        assert again._terminal_title == (
            f"avala-tui · {saved.total.pending:,} pending · counted 13:00"
        )
        assert "counted 13:00" in screen_text(again)
        await pilot.press("H")
        await pilot.pause()
        assert isinstance(again.screen, QueueScreen)
        assert "counted 13:00 (last session)" in screen_text(again)
        await pilot.press("escape")
        # The recount replaces it: this session's count, no longer marked.
        await wait_until(pilot, lambda: not census.restored, within=TIMEOUT)
        await pilot.pause()
        assert _census_requests(fast_demo)
        assert again._terminal_title == f"avala-tui · {saved.total.pending:,} pending"
        assert "counted 13:00" not in screen_text(again)


async def test_profiles_and_apis_do_not_see_each_others_count(
    make_dashboard: MakeDashboard, fast_demo: DemoServer, own_demo: DemoServer, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    app = make_dashboard(app_options=_with_census(state))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: _census_files(tmp_path), within=TIMEOUT)
    for other in (
        make_dashboard(app_options=_with_census(state), profile="other"),
        make_dashboard(app_options=_with_census(state), base_url=own_demo.base_url),
    ):
        async with other.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            census = census_of(other)
            assert (census.restored, census.result) == (False, None)
    same = make_dashboard(app_options=_with_census(state))
    async with same.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert census_of(same).restored


async def test_the_selected_project_is_counted_first_and_nothing_twice(
    make_dashboard: MakeDashboard, fast_demo: DemoServer
) -> None:
    large = fast_demo.api.project_uid(LARGE_PROJECT)
    expected = fast_demo.api.counts(large)
    app = make_dashboard(app_options=_with_census(), project=large)
    async with app.run_test(size=(100, 30)) as pilot:
        census = census_of(app)
        await wait_until(pilot, lambda: census.first is not None, within=TIMEOUT)
        first = census.first
        # The whole census has not ended, yet this project's count is exact.
        assert census.result is None and first is not None
        assert first[0] == large
        figures = first[1]
        assert (figures.pending, figures.completed, figures.total) == (
            expected.get("pending", 0),
            expected.get("completed", 0),
            sum(expected.values()),
        )
        await pilot.pause()
        pending = f"{expected['pending']:,}"
        assert app.dashboard.query_one(ProjectList).count_text(large) == pending
        statuses = app.dashboard.query_one(StatusList)
        assert statuses.count_text("__all__") == f"{sum(expected.values()):,}"
        assert app._terminal_title == f"avala-tui · {expected['pending']:,} pending"

        await wait_until(pilot, lambda: census.result is not None, within=TIMEOUT)
        result = census.result
        assert result is not None and result.complete
        everything = fast_demo.api.counts()
        total = result.total
        assert (total.pending, total.completed, total.total) == (
            everything["pending"],
            everything["completed"],
            sum(everything.values()),
        )
        for project in fast_demo.api.projects:
            counts = fast_demo.api.counts(project["uid"])
            figures = result.projects.get(project["uid"])
            assert (0 if figures is None else figures.total) == sum(counts.values())
        # The project's pages, then every page of all tasks.
        asked = [r.query.get("project") for r in _census_requests(fast_demo)]
        own_pages = -(-sum(expected.values()) // 1000)
        assert asked == [large] * own_pages + [None] * -(-sum(everything.values()) // 1000)


async def test_flips_and_arrivals_the_monitor_sees_refine_the_count_until_a_recount(
    make_dashboard: MakeDashboard, own_demo: DemoServer
) -> None:
    own_demo.api.rate_limit = 100_000
    small = own_demo.api.project_uid(SMALL_PROJECT)
    app = make_dashboard(app_options=_with_census(), base_url=own_demo.base_url, refresh=0.3)
    async with app.run_test(size=(100, 30)) as pilot:
        census = census_of(app)
        table = app.query_one(TaskTable)
        await wait_until(pilot, lambda: census.result is not None, within=TIMEOUT)
        counted = census.result
        assert counted is not None and not counted.estimated
        # A row on screen: the live refresh re-fetches the pages holding those.
        pending_on_top = next(row for row in table.rows[:10] if row.status == "pending")
        before = counted.projects[pending_on_top.project]
        own_demo.api.set_status(pending_on_top.uid, "completed")
        arrival = own_demo.api.add_task(small, name="arrival")
        await wait_until(pilot, lambda: _refined_by(census) == 2, within=TIMEOUT)
        refined = census.result
        assert refined is not None
        flipped = refined.projects[pending_on_top.project]
        assert (flipped.pending, flipped.completed) == (before.pending - 1, before.completed + 1)
        assert flipped.completions_by_hour[-1] == before.completions_by_hour[-1] + 1
        assert flipped.completed_last_hour == before.completed_last_hour + 1
        grown = refined.projects[small]
        was = counted.projects[small] if small != pending_on_top.project else before
        assert grown.created_last_hour == was.created_last_hour + 1
        assert refined.total.pending == counted.total.pending  # one left, one came
        assert refined.total.completed == counted.total.completed + 1
        assert refined.estimated == {pending_on_top.project, small}
        await pilot.pause()
        assert app._terminal_title == f"avala-tui · ≈{refined.total.pending:,} pending"
        await pilot.press("H")
        await pilot.pause()
        lines = {line.project: line for line in app.screen.query(QueueLine)}
        assert lines[None].estimate and lines[small].estimate
        assert "≈ 2 seen since" in screen_text(app)
        await pilot.press("escape")

        # A recount replaces the estimates with exact counts.
        census.recount()
        await wait_until(pilot, lambda: _refined_by(census) == 0, within=TIMEOUT)
        recounted = census.result
        assert recounted is not None and recounted is not refined
        everything = own_demo.api.counts()
        assert (recounted.total.pending, recounted.total.completed) == (
            everything["pending"],
            everything["completed"],
        )
        assert recounted.projects[small].total == was.total + 1
        assert arrival["project"] == small
        await pilot.pause()
        assert app._terminal_title == f"avala-tui · {everything['pending']:,} pending"


async def test_the_census_sends_no_page_while_the_users_own_request_is_in_flight(
    make_dashboard: MakeDashboard, own_demo: DemoServer
) -> None:
    # A server of its own: the walk is left mid-way, its last page still being answered.
    fast_demo = own_demo
    fast_demo.api.rate_limit = 100_000
    latency = 0.15
    fast_demo.api.latency = latency
    app = make_dashboard(
        app_options=_with_census(detail_debounce=0.01, page_size=20),
        base_url=own_demo.base_url,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        census = census_of(app)
        table = app.query_one(TaskTable)
        await wait_until(pilot, lambda: census.counting is not None, within=TIMEOUT)
        # The user pages down and rests on rows while the census walks: each rest is a
        # get-task, each end of the loaded rows a further page.
        for _ in range(6):
            await pilot.press("end")
            await wait_until(pilot, lambda: table.cursor_row > 0, within=TIMEOUT)
            await pilot.pause(latency * 3)
        # Keys pause the walk too (for half a second each): once they stop, it goes on.
        await wait_until(pilot, lambda: len(_census_requests(fast_demo)) >= 3, within=TIMEOUT)
        await settle(pilot)
        records = fast_demo.api.requests
        walk = _census_requests(fast_demo)
        users = [
            r for r in records if r.path.startswith(TASKS_PATH) and r.query.get("limit") != "1000"
        ]
        assert len(walk) >= 3 and len(users) >= 6
        assert census.yielded > 0
        # A census page that arrives while a user's request is being answered was sent
        # while it was in flight. Allowed: one sent in the same instant as the user's
        # (both decided at once, the user's arriving first), hence 50 ms of the 150.
        same_instant = 0.05
        for page in walk:
            for own in users:
                assert not own.received + same_instant < page.received < own.at, (page, own)


async def test_the_census_waits_while_the_user_presses_keys(
    make_dashboard: MakeDashboard, own_demo: DemoServer
) -> None:
    # Unpaced (a limit this high leaves the census a page every few milliseconds), the
    # walk would meet every keypress; held keys keep it waiting instead.
    own_demo.api.rate_limit = 100_000
    app = make_dashboard(app_options=_with_census(), base_url=own_demo.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        census = census_of(app)
        await wait_until(pilot, lambda: census.counting is not None, within=TIMEOUT)
        await pilot.press("j")
        await pilot.pause()
        sent_before = len(_census_requests(own_demo))
        for _ in range(15):
            await pilot.press("j", "k")
            await pilot.pause(0.1)
        # At most the page already on its way when the first key came.
        assert len(_census_requests(own_demo)) - sent_before <= 1
        assert census.yielded > 0
        await wait_until(
            pilot, lambda: len(_census_requests(own_demo)) > sent_before + 1, within=TIMEOUT
        )


def test_both_notes_on_the_counts_fit_one_line_of_a_narrow_sidebar() -> None:
    nothing = QueueFigures(0, 0, {}, 0, 0, 0, 0, (0,) * 24, None, 0)
    result = CensusResult(
        as_of=datetime(2026, 12, 1, 8, 37, tzinfo=UTC),
        projects={},
        total=nothing,
        counted=0,
        complete=True,
        refined_by=115,
    )
    both = ShownFigures(result.total, estimate=True, counted_at="08:37", refined_by=115)
    assert both.notes() == (
        "counted 08:37 · ≈ 115 seen since",
        "counted 08:37 ≈+115",
    )
    fresh = ShownFigures(result.total, estimate=True, counted_at=None, refined_by=115)
    assert fresh.notes() == ("≈ 115 seen since", None)
    assert replace(fresh, estimate=False).notes() == (None, None)
