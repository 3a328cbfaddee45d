"""The fault matrix: every way the API can fail, on the first page and on a later one.

Each fault is queued on the demo API for the list requests until the test lets it
pass. The dashboard's client has retries off (``max_retries=0``) so that the fault
reaches the UI: each test checks that a clear state is shown, the app keeps running,
every row already loaded stays, and loading resumes once the fault has passed (here
the user presses r; that the app also retries by itself, after a backoff, is shown in
test_live_monitor.py). What the client's own retries absorb (the app runs with
``max_retries=2``) is checked at the end.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from textual.pilot import Pilot

from avala_tui.api.models import MAX_TEXT_CHARS
from avala_tui.demo.app import HUGE_PAGE_SIZE
from avala_tui.demo.faults import Fault
from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp
from avala_tui.ui.widgets.task_table import TaskTable
from tests.api.stub_server import Received, Reply, StubServer, json_reply
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import screen_text

SIZE = (120, 36)
PAGE = 100
#: The list endpoint (and, since it is a prefix, get-task: the tests keep the detail quiet).
TASKS = "/tasks/"
#: Times each fault is queued: it lasts until the test lets it pass (``faults.clear()``),
#: whatever the app retries meanwhile.
REPEATS = 3
#: The dashboard's client gives up on a response after this long.
SHORT_TIMEOUT = httpx.Timeout(1.0, connect=1.0)
#: Bounds every wait for the app to go quiet.
SETTLE_ROUNDS = 40
SETTLE_SECONDS = 15.0


@dataclass(frozen=True)
class Failure:
    """A fault that fails the request, and words of the message the user must see."""

    fault: Fault
    shown: str


FAILURES = [
    Failure(Fault.TOO_MANY_REQUESTS, "throttled"),
    Failure(Fault.SERVER_ERROR, "A server error occurred."),
    Failure(Fault.BAD_GATEWAY_HTML, "502 Bad Gateway"),
    Failure(Fault.SERVICE_UNAVAILABLE, "Service temporarily unavailable"),
    Failure(Fault.GATEWAY_TIMEOUT, "504 Gateway Timeout"),
    Failure(Fault.TRUNCATED, "cut off or corrupted"),
    Failure(Fault.WRONG_SHAPE, "without a results list"),
    Failure(Fault.SLOW, "Timed out waiting for the response"),
    Failure(Fault.RESET, "Could not reach"),
]


def dashboard(make_dashboard: MakeDashboard) -> AvalaApp:
    """A dashboard whose detail pane never fetches (so every queued fault hits the list)."""
    return make_dashboard(
        app_options={"detail_debounce": 60.0}, client_options={"timeout": SHORT_TIMEOUT}
    )


async def settle(app: AvalaApp, pilot: Pilot[int]) -> None:
    """Wait until no worker runs and no message is pending, within a bound."""
    deadline = time.monotonic() + SETTLE_SECONDS
    for _ in range(SETTLE_ROUNDS):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if (
            not any(worker.is_running for worker in app.workers)
            and app.dashboard.task_list.feed.in_flight is None
        ):
            return
        assert time.monotonic() < deadline, "the app did not settle"
    raise AssertionError("the app kept working after every settle round")


def uids(app: AvalaApp) -> list[str]:
    return [row.uid for row in app.query_one(TaskTable).rows]


def assert_rows_match_server(app: AvalaApp, demo: DemoServer, at_least: int) -> None:
    """The table holds the server's newest tasks, in its order, and at least so many."""
    loaded = uids(app)
    assert len(loaded) >= at_least
    assert loaded == [task["uid"] for task in demo.api.tasks(limit=len(loaded))]


async def load_next_page(app: AvalaApp, pilot: Pilot[int], demo: DemoServer) -> None:
    """Jump to the last loaded row, which fetches the next page."""
    before = len(uids(app))
    await pilot.press("end")
    await settle(app, pilot)
    assert_rows_match_server(app, demo, before + PAGE)


async def recover(app: AvalaApp, pilot: Pilot[int], demo: DemoServer) -> None:
    """Let the fault pass, then take the user's way back: r."""
    demo.api.faults.clear()
    await pilot.press("r")
    await settle(app, pilot)


@pytest.mark.parametrize("failure", FAILURES, ids=lambda failure: failure.fault.name.lower())
async def test_a_failed_first_page_is_explained_and_recovers(
    make_dashboard: MakeDashboard, demo: DemoServer, failure: Failure
) -> None:
    demo.api.faults.queue(failure.fault, REPEATS, path_prefix=TASKS)
    app = dashboard(make_dashboard)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.is_running
        assert uids(app) == []
        shown = screen_text(app)
        assert failure.shown in shown
        assert "retr" in shown  # "r retries", "Press r to retry" or "retrying in 2 s"
        assert demo.api.faults.pending < REPEATS

        await recover(app, pilot, demo)
        assert_rows_match_server(app, demo, PAGE)
        assert failure.shown not in screen_text(app)
        await load_next_page(app, pilot, demo)


@pytest.mark.parametrize("failure", FAILURES, ids=lambda failure: failure.fault.name.lower())
async def test_a_failed_later_page_keeps_every_loaded_row_and_recovers(
    make_dashboard: MakeDashboard, demo: DemoServer, failure: Failure
) -> None:
    app = dashboard(make_dashboard)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await load_next_page(app, pilot, demo)
        loaded = uids(app)

        demo.api.faults.queue(failure.fault, REPEATS, path_prefix=TASKS)
        await pilot.press("end")
        await settle(app, pilot)
        assert app.is_running
        assert uids(app) == loaded
        assert failure.shown in screen_text(app)
        assert demo.api.faults.pending < REPEATS

        await recover(app, pilot, demo)
        assert failure.shown not in screen_text(app)
        # Each step loads a page or fails, so this pages past the failed page.
        for _ in range(len(loaded) // PAGE + 1):
            if len(uids(app)) > len(loaded):
                break
            await load_next_page(app, pilot, demo)
        assert len(uids(app)) > len(loaded)


@pytest.mark.parametrize("later", [False, True], ids=["first page", "later page"])
async def test_ten_thousand_character_names_are_cut_in_the_table(
    make_dashboard: MakeDashboard, demo: DemoServer, later: bool
) -> None:
    app = dashboard(make_dashboard)
    loaded: list[str] = []
    if not later:
        demo.api.faults.queue(Fault.LONG_STRINGS, path_prefix=TASKS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        if later:
            await load_next_page(app, pilot, demo)
            loaded = uids(app)
            demo.api.faults.queue(Fault.LONG_STRINGS, path_prefix=TASKS)
            await pilot.press("end")
            await settle(app, pilot)

        rows = app.query_one(TaskTable).rows
        assert [row.uid for row in rows[: len(loaded)]] == loaded
        long_rows = rows[len(loaded) : len(loaded) + PAGE]
        assert len(long_rows) == PAGE
        # Bounded when received: 4,096 characters, the cut marked, the length as sent kept.
        assert all(len(row.name or "") == MAX_TEXT_CHARS for row in long_rows)
        assert all((row.name or "").endswith("…") for row in long_rows)
        # The cursor ends on the last long row, so the next page comes after them all.
        await load_next_page(app, pilot, demo)
        # The table cuts each name to its column.
        shown = screen_text(app)
        assert "frame_000123_cam_front_left" in shown
        assert all(len(line) <= SIZE[0] for line in shown.splitlines())


@pytest.mark.parametrize("later", [False, True], ids=["first page", "later page"])
async def test_a_ten_thousand_row_page_is_taken_whole(
    make_dashboard: MakeDashboard, demo: DemoServer, later: bool
) -> None:
    app = dashboard(make_dashboard)
    before = 0
    if not later:
        demo.api.faults.queue(Fault.HUGE_PAGE, path_prefix=TASKS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        if later:
            before = len(uids(app))
            demo.api.faults.queue(Fault.HUGE_PAGE, path_prefix=TASKS)
            await pilot.press("end")
            await settle(app, pilot)

        assert_rows_match_server(app, demo, before + HUGE_PAGE_SIZE)
        assert f"{len(uids(app)):,} loaded" in screen_text(app)
        # The next page follows on from the huge one's cursor.
        await load_next_page(app, pilot, demo)


#: Faults that pass when the same request is simply sent again.
TRANSIENT = [
    Fault.TOO_MANY_REQUESTS,
    Fault.SERVER_ERROR,
    Fault.BAD_GATEWAY_HTML,
    Fault.SERVICE_UNAVAILABLE,
    Fault.GATEWAY_TIMEOUT,
    Fault.TRUNCATED,
    Fault.SLOW,
    Fault.RESET,
]


@pytest.mark.parametrize("fault", TRANSIENT, ids=lambda fault: fault.name.lower())
async def test_the_apps_own_retries_hide_a_passing_fault(
    make_dashboard: MakeDashboard, demo: DemoServer, fault: Fault
) -> None:
    """With the retries the app runs with, one transient fault never reaches the screen."""
    app = make_dashboard(
        max_retries=2,
        app_options={"detail_debounce": 60.0},
        client_options={"timeout": SHORT_TIMEOUT},
    )
    demo.api.faults.queue(fault, path_prefix=TASKS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert_rows_match_server(app, demo, PAGE)
        assert app.client.stats.retries == 1
        assert "⚠" not in screen_text(app)


async def test_a_page_of_the_wrong_shape_is_not_retried(
    make_dashboard: MakeDashboard, demo: DemoServer
) -> None:
    """The same request gets the same wrong answer: the app says so instead of hammering."""
    app = make_dashboard(max_retries=2, app_options={"detail_debounce": 60.0})
    demo.api.faults.queue(Fault.WRONG_SHAPE, REPEATS, path_prefix=TASKS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert uids(app) == []
        assert app.client.stats.retries == 0
        assert "⚠" in screen_text(app)


@pytest.mark.parametrize("later", [False, True], ids=["first page", "later page"])
async def test_a_row_without_a_uid_costs_that_row_not_the_page(
    make_dashboard: MakeDashboard, demo: DemoServer, later: bool
) -> None:
    app = dashboard(make_dashboard)
    if not later:
        demo.api.faults.queue(Fault.MISSING_UID, path_prefix=TASKS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        if later:
            demo.api.faults.queue(Fault.MISSING_UID, path_prefix=TASKS)
            await pilot.press("end")
            await settle(app, pilot)
        expected = 2 * PAGE - 1 if later else PAGE - 1
        assert len(uids(app)) == expected
        assert "1 unreadable row skipped" in screen_text(app)
        assert "⚠" not in screen_text(app)


async def test_odd_values_cost_one_field_not_the_page(
    make_dashboard: MakeDashboard, own_demo: DemoServer
) -> None:
    project = own_demo.api.project_uid("Retail shelf audit")
    odd = own_demo.api.add_task(project, extra={"name": 5, "created_at": "yesterday"})
    app = make_dashboard(base_url=own_demo.base_url, app_options={"detail_debounce": 0.01})
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.05)
        await settle(app, pilot)
        table = app.query_one(TaskTable)
        assert len(table.rows) >= PAGE
        first = table.rows[0]
        assert (first.uid, first.name, first.created) == (odd["uid"], "5", None)
        assert app.dashboard.detail.shown_uid == odd["uid"]
        shown = screen_text(app)
        assert "created_at (as sent)" in shown
        assert "yesterday" in shown


@pytest.mark.parametrize("kind", ["empty pages", "a cursor that comes back"])
async def test_pages_that_go_nowhere_stop_the_dashboard_asking(
    make_dashboard: MakeDashboard, kind: str
) -> None:
    """Endless empty pages with a next, or A, B, A: a handful of requests and a reason."""

    def answer(request: Received) -> Reply:
        if "/users/me/projects/" in request.target:
            return json_reply(200, {"next": None, "previous": None, "results": []})
        cursor = parse_qs(urlsplit(request.target).query).get("cursor", ["A"])[0]
        following = {"A": "B", "B": "A"}[cursor] if kind != "empty pages" else cursor + "x"
        rows = [] if kind == "empty pages" else [{"uid": f"task-{cursor}"}]
        link = f"http://127.0.0.1/api/v1/tasks/?cursor={following}"
        return json_reply(200, {"next": link, "previous": None, "results": rows})

    async with StubServer(answer) as stub:
        app = make_dashboard(base_url=stub.base_url, app_options={"detail_debounce": 60.0})
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await asyncio.sleep(0.5)
            await settle(app, pilot)
            requested = len([r for r in stub.requests if "/tasks/" in r.target])
            assert requested <= 4
            shown = screen_text(app)
            assert "Paging loop" in shown or "make no progress" in shown
