"""The layout at the advertised 80x24: what stays, what gives way, and how many rows."""

from __future__ import annotations

from avala_tui.ui.widgets.task_table import TaskTable
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import header, screen_text, settle, wait_until


async def test_80x24_keeps_fourteen_task_rows_and_d_still_toggles_the_detail(
    make_dashboard: MakeDashboard,
) -> None:
    app = make_dashboard()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(app.dashboard.table.rows) > 20)
        await settle(pilot)
        table = app.dashboard.query_one(TaskTable)
        body = table.scrollable_content_region.height - 1
        # Was 11: the detail took 9 of 24 rows for 8 fields.
        assert body >= 14
        await pilot.press("d")
        await settle(pilot)
        assert not app.dashboard.detail.display
        assert table.scrollable_content_region.height - 1 > body
        await pilot.press("d")
        await settle(pilot)
        assert app.dashboard.detail.display


async def test_the_footer_at_80_columns_shows_whole_hints_only(
    make_dashboard: MakeDashboard,
) -> None:
    app = make_dashboard()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        words = footer.split()
        assert words[:2] == ["?", "Help"]
        for hint in ("Filter", "Projects", "Status", "Reload"):
            assert hint in words
        # No hint cut at the edge: every description is a whole binding description.
        descriptions = {a.binding.description for a in app.dashboard.active_bindings.values()}
        assert set(words[1::2]) <= descriptions


async def test_offline_at_80_columns_keeps_the_state_and_countdown_whole(
    make_dashboard: MakeDashboard,
) -> None:
    app = make_dashboard(base_url="http://127.0.0.1:9/api/v1", refresh=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "retrying in" in header(app))
        top = screen_text(app).splitlines()[0]
        assert "offline — retrying in" in top and " s" in top
        assert "127.0.0.1:9" not in top, "the host gives way first"
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        assert header(app).startswith("127.0.0.1:9 · profile default · offline")
