"""The census in the dashboard: exact sidebar counts and title, and the Queue screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.renderables.sparkline import Sparkline

from avala_tui.core.census import QueueFigures
from avala_tui.demo.data import EMPTY_PROJECT, LARGE_PROJECT
from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp
from avala_tui.ui.screens.queue import (
    PENDING_CELLS,
    STALE_CELLS,
    QueueLine,
    QueueScreen,
    count_text,
    eta_text,
    rate_text,
)
from avala_tui.ui.widgets.sidebar import MIN_LABEL_CELLS, Count, ProjectList
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import census_of, screen_text, settle, wait_until

#: The glyphs a sparkline draws with, one a cell.
SPARK_BARS = Sparkline.BARS


async def test_sidebar_and_title_become_exact_once_counted(
    make_dashboard: MakeDashboard, fast_demo: DemoServer
) -> None:
    app = make_dashboard(app_options={"census": True})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        projects = app.dashboard.query_one(ProjectList)
        # Before the census ends only what is loaded is known: a lower bound.
        assert any(projects.count_text(uid).endswith("+") for uid in projects._counts)
        await wait_until(pilot, lambda: census_of(app).result is not None, within=60)
        await pilot.pause()

        result = census_of(app).result
        assert result is not None and result.complete
        expected = fast_demo.api.counts()
        assert result.total.pending == expected["pending"]
        assert not any(projects.count_text(uid).endswith("+") for uid in projects._counts)
        large = fast_demo.api.project_uid(LARGE_PROJECT)
        assert projects.count_text(large) == f"{fast_demo.api.counts(large)['pending']:,}"
        assert app._terminal_title == f"avala-tui · {expected['pending']:,} pending"
        list_calls = [r for r in fast_demo.api.requests if r.query.get("limit") == "1000"]
        assert len(list_calls) == -(-sum(expected.values()) // 1000)


async def test_the_queue_screen_lists_every_project_and_enter_opens_one(
    make_dashboard: MakeDashboard, fast_demo: DemoServer
) -> None:
    app = make_dashboard(app_options={"census": True})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: census_of(app).result is not None, within=60)
        await pilot.press("H")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        lines = list(app.screen.query(QueueLine))
        assert [line.project for line in lines] == [None] + [
            project["uid"] for project in fast_demo.api.projects
        ]
        text = screen_text(app)
        pending = fast_demo.api.counts(fast_demo.api.project_uid(LARGE_PROJECT))["pending"]
        row = next(line for line in text.splitlines() if "Dashcam night" in line)
        assert f"{pending:,}" in row
        assert "~" in row  # the ETA, an estimate
        empty = next(line for line in text.splitlines() if EMPTY_PROJECT[:12] in line)
        assert empty.split()[-3:] == ["—", "—", "0"]  # oldest, ETA, stale

        target = next(i for i, line in enumerate(lines) if line.project is not None)
        for _ in range(target):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen_stack[-1] is app.dashboard
        assert app.dashboard.task_list.feed.filters.project == lines[target].project


async def test_queue_health_is_in_the_palette_and_off_without_a_census(
    make_dashboard: MakeDashboard,
) -> None:
    app = make_dashboard()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Queue health" in titles
        assert app.dashboard.census is None
        await pilot.press("H")
        await pilot.pause()
        assert not isinstance(app.screen, QueueScreen)


def _rows(app: AvalaApp) -> dict[str | None, str]:
    """Each project's line as drawn, by uid (None: all projects)."""
    lines = list(app.screen.query(QueueLine))
    text = screen_text(app).splitlines()
    return {line.project: text[line.region.y] for line in lines}


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_every_figure_is_whole_and_the_name_takes_what_is_left(
    make_dashboard: MakeDashboard, fast_demo: DemoServer, size: tuple[int, int]
) -> None:
    app = make_dashboard(app_options={"census": True})
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: census_of(app).result is not None, within=60)
        await pilot.press("H")
        await settle(pilot)
        result = census_of(app).result
        assert result is not None
        names = {project["uid"]: project["name"] for project in fast_demo.api.projects}
        rows = _rows(app)
        for uid, row in rows.items():
            figures = result.total if uid is None else result.projects.get(uid)
            pending = 0 if figures is None else figures.pending
            stale = 0 if figures is None else figures.stale_pending
            # The figures are whole, the last one ending the line, whatever the width.
            assert f" {pending:,} " in row
            assert row.rstrip().endswith(f" {stale:,}")
        long_names = [uid for uid, name in names.items() if len(name) > 20]
        assert long_names, "the demo has names longer than an 80-column line leaves them"
        # The sparkline's cells, in every line: two hours a cell, or two cells an hour.
        spark = {sum(row.count(bar) for bar in SPARK_BARS) for row in rows.values()}
        if size[0] >= 160:
            # The room goes to the name and the sparkline: names whole, two cells an hour.
            assert all(names[uid] in rows[uid] for uid in long_names)
            assert spark == {48}
        else:
            assert all(names[uid] not in rows[uid] and "…" in rows[uid] for uid in long_names)
            assert spark == {12}


def test_figures_too_wide_for_their_cells_are_rounded_not_cut() -> None:
    assert count_text(12_350, PENDING_CELLS) == "12,350"
    assert count_text(1_234_567, PENDING_CELLS) == "1,235k"
    assert count_text(123_456, STALE_CELLS) == "123.5k"
    assert count_text(12_345_678, STALE_CELLS) == "12.3M"
    figures = QueueFigures(0, 0, {}, 0, 0, 0, 24 * 12_345, (0,) * 24, None, 0)
    assert rate_text(figures) == "12k/h"
    assert eta_text(None) == "—"
    assert eta_text(timedelta(days=999, hours=5)) == "~999d"
    assert eta_text(timedelta(days=5000)) == "~14y"
    assert eta_text(timedelta(days=365 * 250)) == ">99y"


@pytest.mark.parametrize(
    ("size", "number", "shown"),
    [
        ((80, 24), 12_350, "12,350"),
        ((160, 45), 1_234_567, "1,234,567"),
        # At 80 columns the name would keep fewer than MIN_LABEL_CELLS: shortened.
        ((80, 24), 1_234_567, "1234k"),
    ],
)
async def test_sidebar_counts_are_exact_where_the_name_keeps_its_room(
    make_dashboard: MakeDashboard, size: tuple[int, int], number: int, shown: str
) -> None:
    app = make_dashboard()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        projects = app.dashboard.query_one(ProjectList)
        large = next(uid for uid, label in projects._labels.items() if label == LARGE_PROJECT)
        projects.set_counts({large: Count(number, lower_bound=False)})
        await settle(pilot)
        assert projects.count_text(large) == shown
        line = next(line for line in screen_text(app).splitlines() if f" {shown}" in line)
        assert LARGE_PROJECT[: MIN_LABEL_CELLS - 1] in line
