"""The dashboard against the demo API: first page, filters, paging, detail, errors."""

from __future__ import annotations

from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp
from avala_tui.ui.task_table import TaskTable
from tests.ui.conftest import MakeDashboard


async def _settle(app: AvalaApp, pilot: object) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def test_first_page_and_detail(make_dashboard: MakeDashboard, demo: DemoServer) -> None:
    app = make_dashboard(app_options={"detail_debounce": 0.01})
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(app, pilot)
        await pilot.pause(0.05)
        await _settle(app, pilot)
        table = app.query_one(TaskTable)
        assert len(table.rows) >= 100
        newest = demo.api.tasks()[0]
        assert table.rows[0].uid == newest["uid"]
        assert app.detail.shown_uid == newest["uid"]
        gets = [r for r in demo.api.requests if r.path.endswith(f"/tasks/{newest['uid']}/")]
        assert len(gets) == 1
