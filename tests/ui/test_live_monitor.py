"""The live monitor against the demo API: refresh, marks, offline and recovery, 429 waits."""

from __future__ import annotations

import asyncio
import time

import pytest
from textual.widgets import Static

from avala_tui.core.status import health_text
from avala_tui.demo.app import RequestRecord
from avala_tui.demo.data import SMALL_PROJECT
from avala_tui.demo.faults import Fault
from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp
from avala_tui.ui.widgets.task_table import TaskTable
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import header, wait_until

#: Every wait below is bounded by this; refreshes run every 0.2-0.3 s in these tests.
TIMEOUT = 10.0


def _uids(app: AvalaApp) -> list[str]:
    return [row.uid for row in app.query_one(TaskTable).rows]


async def test_new_task_and_status_change_appear_within_one_refresh(
    make_dashboard: MakeDashboard, own_demo: DemoServer
) -> None:
    project = own_demo.api.project_uid(SMALL_PROJECT)
    app = make_dashboard(base_url=own_demo.base_url, project=project, refresh=0.3)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: len(_uids(app)) > 0, within=TIMEOUT)
        table = app.query_one(TaskTable)
        table.cursor_row = 3
        await pilot.pause()
        watched = table.cursor_uid
        pending = next(row for row in table.rows[5:] if row.status == "pending")

        new = own_demo.api.add_task(project, name="fresh-task")
        own_demo.api.set_status(pending.uid, "completed")
        await wait_until(pilot, lambda: new["uid"] in _uids(app), within=TIMEOUT)

        assert _uids(app)[0] == new["uid"], "new tasks appear at the top"
        row = app.dashboard.task_list.feed.store.get(pending.uid)
        assert row is not None and row.status == "completed", "changed rows update in place"
        assert app.dashboard.task_list.changes.marks == {new["uid"]: "new", pending.uid: "changed"}
        assert "+1 new · 1 completed since" in str(app.query_one("#status-line", Static).content)
        assert table.cursor_uid == watched, "the cursor stays on its task"

        table.cursor_row = table.rows.index(row)
        await pilot.pause()
        assert pending.uid not in app.dashboard.task_list.changes.marks, (
            "passing over a row marks it seen"
        )
        await pilot.press("a")
        assert (
            app.dashboard.task_list.changes.marks == {}
            and app.dashboard.task_list.changes.summary == ""
        )


async def test_a_task_leaving_a_status_filter_leaves_the_list(
    make_dashboard: MakeDashboard, own_demo: DemoServer
) -> None:
    project = own_demo.api.project_uid(SMALL_PROJECT)
    app = make_dashboard(base_url=own_demo.base_url, project=project, status="pending", refresh=0.3)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: len(_uids(app)) > 2, within=TIMEOUT)
        leaving = _uids(app)[1]
        own_demo.api.set_status(leaving, "completed")
        await wait_until(pilot, lambda: leaving not in _uids(app), within=TIMEOUT)
        expected = [task["uid"] for task in own_demo.api.tasks(project, "pending")]
        assert _uids(app) == expected[: len(_uids(app))]
        assert "1 left this view" in app.dashboard.task_list.changes.summary


async def test_offline_keeps_rows_and_recovers_without_a_keypress(
    make_dashboard: MakeDashboard, own_demo: DemoServer
) -> None:
    app = make_dashboard(base_url=own_demo.base_url, refresh=0.3)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(
            pilot,
            lambda: app.dashboard.task_list.monitor.connection == "online" and len(_uids(app)) > 0,
            within=TIMEOUT,
        )
        loaded = _uids(app)
        own_demo.stop()
        await wait_until(
            pilot, lambda: app.dashboard.task_list.monitor.connection == "offline", within=TIMEOUT
        )
        # The header follows the monitor by one message (StateChanged), not at once.
        await wait_until(pilot, lambda: "offline — retrying in" in header(app), within=2)
        assert "last update" in header(app)
        assert _uids(app) == loaded, "rows stay on screen while offline"
        own_demo.start()
        await wait_until(
            pilot, lambda: app.dashboard.task_list.monitor.connection == "online", within=15
        )
        await wait_until(
            pilot,
            lambda: header(app).endswith(
                health_text(app.dashboard.task_list.monitor, monotonic_now=time.monotonic())
            ),
            within=2,
        )
        assert "live · updated" in header(app)


async def test_a_429_waits_out_its_retry_after(
    make_dashboard: MakeDashboard, demo: DemoServer
) -> None:
    # No get-task while this runs: the queued 429 must meet a list request.
    app = make_dashboard(refresh=0.2, app_options={"detail_debounce": 60})
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(
            pilot, lambda: app.dashboard.task_list.monitor.connection == "online", within=TIMEOUT
        )
        demo.api.faults.queue(Fault.TOO_MANY_REQUESTS, count=1, path_prefix="/tasks/")

        def list_requests() -> list[RequestRecord]:
            return [r for r in demo.api.requests if r.path.endswith("/tasks/")]

        await wait_until(
            pilot, lambda: [r.status for r in list_requests()][-2:] == [429, 200], within=TIMEOUT
        )
        await wait_until(
            pilot, lambda: app.dashboard.task_list.monitor.connection == "online", within=TIMEOUT
        )
        throttled, retried = list_requests()[-2:]
        waited = retried.at - throttled.at
        assert waited >= 1.0, f"retried after {waited:.2f} s despite Retry-After: 1"


async def test_paused_monitor_sends_nothing(
    make_dashboard: MakeDashboard, demo: DemoServer
) -> None:
    app = make_dashboard(refresh=0.2, app_options={"detail_debounce": 60})
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(
            pilot, lambda: app.dashboard.task_list.monitor.connection == "online", within=TIMEOUT
        )
        await pilot.press("space")
        assert app.dashboard.task_list.paused and "paused" in header(app)
        await app.workers.wait_for_complete()
        before = len(demo.api.requests)
        await asyncio.sleep(0.8)
        assert len(demo.api.requests) == before
        await pilot.press("space")
        await wait_until(pilot, lambda: len(demo.api.requests) > before, within=TIMEOUT)


@pytest.mark.parametrize(
    "fault", [Fault.SERVICE_UNAVAILABLE, Fault.RESET, Fault.TRUNCATED], ids=lambda f: f.name
)
async def test_a_failed_later_page_is_retried_by_itself_keeping_every_row(
    make_dashboard: MakeDashboard, demo: DemoServer, fault: Fault
) -> None:
    # Live refresh off: recovering from a failure does not depend on it.
    app = make_dashboard(app_options={"detail_debounce": 60})
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: len(_uids(app)) >= 100, within=TIMEOUT)
        loaded = _uids(app)
        demo.api.faults.queue(fault, count=1, path_prefix="/tasks/")
        await pilot.press("end")
        await wait_until(
            pilot,
            lambda: app.dashboard.task_list.monitor.connection in ("error", "offline"),
            within=TIMEOUT,
        )
        assert _uids(app) == loaded, "every loaded row stays"
        assert "retrying in" in header(app)
        await wait_until(pilot, lambda: len(_uids(app)) > len(loaded), within=TIMEOUT)
        assert _uids(app)[: len(loaded)] == loaded
        assert app.dashboard.task_list.monitor.connection == "online"
        pages = [r.query.get("cursor") for r in demo.api.requests if r.path.endswith("/tasks/")]
        assert len(pages) == len(set(pages)) + 1, "only the failed page was asked for twice"
