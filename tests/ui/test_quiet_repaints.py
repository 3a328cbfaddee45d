"""An idle monitor over SSH writes almost nothing: what a small change costs in bytes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.pilot import Pilot
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Static

from avala_tui.core.store import TaskRow, TaskStore
from avala_tui.ui import partial_update
from avala_tui.ui.widgets.quiet_label import QuietLabel
from avala_tui.ui.widgets.task_table import CLOCK_TICK, TaskTable
from tests.ui.conftest import MakeDashboard

NOW = 1_750_000_000.0


class Written:
    """The bytes each frame of an app would write to its terminal (headless apps write none)."""

    def __init__(self, app: App[Any]) -> None:
        self.frames: list[str] = []
        display = app._display

        def record(screen: Screen[Any], renderable: Any) -> None:
            render_segments = getattr(renderable, "render_segments", None)
            if render_segments is not None:
                self.frames.append(render_segments(app.console))
            display(screen, renderable)

        app._display = record  # type: ignore[method-assign]

    def take(self) -> int:
        """Bytes written since the last call."""
        written = sum(len(frame.encode()) for frame in self.frames)
        self.frames.clear()
        return written


def visible(frames: list[str]) -> str:
    """What the frames put on the screen, without their cursor moves and styles."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", "".join(frames))


async def settle(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.pause()


async def test_a_new_freshness_line_repaints_the_header_only(make_dashboard: MakeDashboard):
    app = make_dashboard()
    written = Written(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        await settle(pilot)
        written.take()
        app.dashboard.sub_title = "updated 10:43"
        await settle(pilot)
        # The whole 80x24 screen is over 4 KB; the header line is about 130 bytes.
        assert 0 < written.take() < 400
        # A minute on, one digit changes, and only it is written.
        app.dashboard.sub_title = "updated 10:44"
        await settle(pilot)
        assert visible(written.frames) == "4"
        assert written.take() < 60  # a move, a style and one character
        # A line of another length moves its centre: the line is written again.
        app.dashboard.sub_title = "offline — retrying in 5 s"
        await settle(pilot)
        assert "offline — retrying in 5 s" in visible(written.frames)


async def test_a_status_line_update_leaves_the_table_scrollbar_alone(
    make_dashboard: MakeDashboard,
):
    app = make_dashboard()
    written = Written(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        await settle(pilot)
        assert app.dashboard.table.show_vertical_scrollbar
        written.take()
        app.query_one("#status-line", Static).update("a different status")
        await settle(pilot)
        # The line itself is about 100 bytes; the scrollbar's column would add 250 more.
        assert 0 < written.take() < 200


async def test_census_progress_writes_only_its_changed_digits(
    make_dashboard: MakeDashboard,
):
    app = make_dashboard()
    written = Written(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        await settle(pilot)
        sidebar = app.dashboard.sidebar
        sidebar.show_progress(12_000)
        await settle(pilot)
        assert "counting · 12,000" in visible(written.frames)
        written.take()
        sidebar._progress_shown_at = 0.0  # as if the next showing were due
        sidebar.show_progress(23_000)
        await settle(pilot)
        assert visible(written.frames) == "23"


def test_a_chop_is_cut_inside_a_segment_only_at_a_clean_cell_boundary() -> None:
    narrow = Strip([Segment("task 12m ago", Style(bold=True))])
    x, cut = partial_update._from_span(narrow, 10, 16)
    assert (x, cut.text) == (16, "2m ago")
    wide = Strip([Segment("名前 12m", Style(bold=True))])
    x, whole = partial_update._from_span(wide, 10, 15)
    assert (x, whole.text) == (10, "名前 12m")


class TableApp(App[None]):
    def __init__(self, rows: TaskStore, clock: list[float]) -> None:
        super().__init__()
        self.rows = rows
        self.clock = clock

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("sidebar", id="side")
            yield TaskTable(self.rows, clock=lambda: self.clock[0])


TableApp.CSS = "#side { width: 24; }"


def row(n: int, created_ago: float, updated_ago: float) -> TaskRow:
    return TaskRow(
        f"uid-{n}",
        f"task {n}",
        "image-annotation",
        "pending",
        "p",
        NOW - created_ago,
        NOW - updated_ago,
    )


async def written_in_a_minute(
    rows: list[TaskRow], *, resize: tuple[int, int] | None = None
) -> tuple[list[str], TaskTable]:
    """What an 80x12 table writes when its clock moves a minute (after ``resize``)."""
    clock = [NOW]
    store = TaskStore()
    store.append_page(rows)
    app = TableApp(store, clock)
    written = Written(app)
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(TaskTable)
        await settle(pilot)
        if resize is not None:
            await pilot.resize_terminal(*resize)
            await settle(pilot)
        written.take()
        clock[0] += 60
        await pilot.pause(CLOCK_TICK * 1.5)
        await settle(pilot)
        return list(written.frames), table


async def test_a_tick_that_ages_only_a_hidden_column_writes_nothing() -> None:
    # Created days ago ("2d ago" for a while); updated minutes ago, in a column 80
    # columns with a sidebar leave out.
    frames, table = await written_in_a_minute([row(n, 2 * 86400, 150 + n) for n in range(5)])
    assert "updated" not in {column.key for column in table.columns}
    assert frames == []


async def test_a_tick_that_ages_a_shown_column_repaints_up_to_that_cell() -> None:
    frames, table = await written_in_a_minute([row(0, 150, 150)])
    text = visible(frames)
    # One span of the one line, up to the changed "3" of "3m ago": not the scrollbar,
    # not the line twice.
    assert text.endswith("3")
    assert text.count("3") == 1
    assert table.cursor_row == 0


@pytest.mark.parametrize("age", [150, 750], ids=["2m to 3m", "12m to 13m"])
async def test_a_tick_writes_only_the_characters_of_an_age_that_changed(age: float) -> None:
    # Textual alone writes the row from the table's left edge (~150 bytes a row a minute).
    partial_update.install()
    frames, _ = await written_in_a_minute([row(0, age, age)])
    assert visible(frames) == "3"


async def test_the_first_tick_after_a_resize_does_not_rewrite_the_table() -> None:
    # A resize leaves Textual's whole-widget repaint mark behind after the reflow
    # painted it; the next small refresh used to rewrite every line (2.4 KB at 80x24).
    partial_update.install()
    frames, _ = await written_in_a_minute(
        [row(n, 150 + n, 2e5) for n in range(40)], resize=(90, 14)
    )
    # Each row's "2m ago" becomes "3m ago": one character a row, no names.
    lines = visible(frames).split()
    assert set(lines) == {"3"}
    assert len(lines) >= 10


async def test_a_label_restyled_with_the_same_text_is_repainted() -> None:
    class LabelApp(App[None]):
        def compose(self) -> ComposeResult:
            yield QuietLabel(Content("counting · 12,000"), id="quiet")

    app = LabelApp()
    written = Written(app)
    async with app.run_test(size=(40, 3)) as pilot:
        await settle(pilot)
        label = app.query_one(QuietLabel)
        written.take()
        label.update(Content.styled("counting · 12,000", "bold"))
        await settle(pilot)
        assert "counting · 12,000" in visible(written.frames)
