"""The virtual task table, hosted in a small app and driven through the pilot."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Any, overload

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.message import Message
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import Static

from avala_tui.core.store import TaskRow, TaskStore
from avala_tui.core.text import fit
from avala_tui.ui.widgets.task_table import CLOCK_TICK, TaskTable, column_specs, layout_columns

NOW = 1_750_000_000.0
PROJECT = "770a9600-g40d-63f6-c938-668877660000"


def make_row(number: int, **fields: Any) -> TaskRow:
    values: dict[str, Any] = {
        "uid": f"990c1800-i62f-85h8-e150-{number:012d}",
        "name": f"task {number}",
        "type": "image-annotation",
        "status": "pending",
        "project": PROJECT,
        "created": NOW - 42,
        "updated": NOW - 3 * 3600,
    }
    values.update(fields)
    return TaskRow(**values)


def make_store(count: int, start: int = 0) -> TaskStore:
    store = TaskStore()
    store.append_page([make_row(number) for number in range(start, start + count)])
    return store


class TableApp(App[None]):
    """A table beside a 22-cell sidebar, as in the real layout, recording what it posts."""

    CSS = "#sidebar { width: 22; }"

    def __init__(self, rows: Sequence[TaskRow], *, sidebar: bool = True) -> None:
        super().__init__()
        self.rows = rows
        self.sidebar = sidebar
        self.posted: list[Message] = []

    def compose(self) -> ComposeResult:
        with Horizontal():
            if self.sidebar:
                yield Static("projects", id="sidebar")
            yield TaskTable(self.rows, project_names={PROJECT: "Street scenes"}, clock=lambda: NOW)

    def on_task_table_highlighted(self, message: TaskTable.Highlighted) -> None:
        self.posted.append(message)

    def on_task_table_selected(self, message: TaskTable.Selected) -> None:
        self.posted.append(message)

    def on_task_table_near_end(self, message: TaskTable.NearEnd) -> None:
        self.posted.append(message)

    def on_task_table_header_clicked(self, message: TaskTable.HeaderClicked) -> None:
        self.posted.append(message)

    @property
    def table(self) -> TaskTable:
        return self.query_one(TaskTable)

    def taken(self, kind: type[Message]) -> list[Any]:
        """The messages of one kind posted so far, forgetting them."""
        found = [message for message in self.posted if isinstance(message, kind)]
        self.posted = [message for message in self.posted if not isinstance(message, kind)]
        return found


def painted(table: TaskTable) -> list[Strip]:
    """The table's lines as last painted (stale where a needed repaint was never asked for)."""
    width, height = table.scrollable_content_region.size
    return table.render_lines(Region(0, 0, width, height))


def lines(table: TaskTable) -> list[str]:
    return [strip.text for strip in painted(table)]


def cell(table: TaskTable, y: int, key: str) -> str:
    """The text painted in one column of screen line ``y``."""
    column = next(column for column in table.columns if column.key == key)
    return painted(table)[y].crop(column.x, column.x + column.width).text


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.pause()


# ------------------------------------------------------------------- layout


def test_layout_at_80_columns_keeps_the_essentials() -> None:
    # An 80-column terminal minus a 22-cell sidebar and a 1-cell scrollbar, showing the
    # demo's values: names up to "classification", "image" and "video", two statuses.
    content = {"name": 14, "type": 5, "type-compact": 5, "status": 11, "project": 24, "uid": 36}
    columns = layout_columns(57, content)
    assert [column.key for column in columns] == [
        "mark",
        "name",
        "type",
        "status",
        "project",
        "created",
    ]
    widths = {column.key: column.width for column in columns}
    # Every name, type and status whole; the project takes what is left.
    assert widths["name"] >= 14
    assert widths["type"] >= len("image")
    assert widths["status"] == len("✓ completed")
    assert widths["project"] >= 10
    assert columns[-1].x + columns[-1].width == 57


def test_layout_on_a_wide_screen_shows_everything() -> None:
    content = {"name": 30, "type": 19, "type-compact": 6, "status": 11, "project": 24, "uid": 36}
    columns = layout_columns(180, content)
    assert [column.key for column in columns] == [
        "mark",
        "name",
        "type",
        "status",
        "project",
        "created",
        "updated",
        "uid",
    ]
    widths = {column.key: column.width for column in columns}
    # Every value whole, and the uid takes what is left.
    assert widths["name"] == 30
    assert widths["type"] == len("point-cloud-objects")
    assert widths["project"] == 24
    assert widths["uid"] >= 36
    assert columns[-1].x + columns[-1].width == 180


def test_an_unknown_type_is_shown_whole_when_there_is_room() -> None:
    # Seen at 160 columns: "lidar-fusion" cut to "lidar…" in a 6-cell column.
    content = {"name": 14, "type": 12, "type-compact": 12, "status": 11, "project": 20, "uid": 36}
    widths = {column.key: column.width for column in layout_columns(104, content)}
    assert widths["type"] >= len("lidar-fusion")


def test_the_widths_follow_the_content_not_fixed_numbers() -> None:
    short = {"name": 10, "type": 5, "type-compact": 5, "status": 9, "project": 12, "uid": 36}
    long = {**short, "name": 40, "project": 40}
    narrow = {column.key: column.width for column in layout_columns(140, short)}
    wide = {column.key: column.width for column in layout_columns(140, long)}
    assert wide["name"] == 40 and wide["project"] == 40
    assert narrow["project"] == 12 and narrow["uid"] > wide["uid"]


def test_layout_never_overlaps_and_degrades_to_name_alone() -> None:
    for width in range(0, 200):
        columns = layout_columns(width)
        assert [column.key for column in columns][:2] == ["mark", "name"]
        for left, right in pairwise(columns):
            assert left.x + left.width < right.x
    assert [column.key for column in layout_columns(20)] == ["mark", "name"]


async def test_narrow_columns_draw_compact_but_whole_words() -> None:
    rows = [
        make_row(0, status="completed", type="point-cloud-objects"),
        make_row(1, type="point-cloud-annotation"),
        make_row(2, type="lidar-camera-fusion"),
    ]
    app = TableApp(rows)
    async with app.run_test(size=(80, 10)):
        table = app.table
        assert cell(table, 1, "type").rstrip() == "3d-obj"
        # One word per status at every width.
        assert cell(table, 1, "status").rstrip() == "✓ completed"
        assert cell(table, 2, "type").rstrip() == "3d"
        assert cell(table, 2, "status").rstrip() == "○ pending"
        # An undocumented type has no compact word: it is cut, visibly.
        assert cell(table, 3, "type").endswith("…")


@pytest.mark.parametrize(
    ("size", "sidebar", "expected_header"),
    [
        ((80, 10), True, ["name", "type", "status", "project", "created"]),
        ((140, 10), False, ["name", "type", "status", "project", "created", "updated", "uid"]),
    ],
)
async def test_rendered_header_matches_the_width(
    size: tuple[int, int], sidebar: bool, expected_header: list[str]
) -> None:
    app = TableApp(make_store(30), sidebar=sidebar)
    async with app.run_test(size=size):
        table = app.table
        assert table.scrollable_content_region.width == size[0] - (22 if sidebar else 0) - 1
        assert lines(table)[0].split() == expected_header
        for line in lines(table):
            assert cell_len(line) == table.scrollable_content_region.width


# ---------------------------------------------------------------- rendering


async def test_rows_render_from_the_compact_records() -> None:
    rows = [
        make_row(0, status="completed", type="point-cloud-objects"),
        make_row(1, project="a1b2c3d4-unknown-project"),
    ]
    app = TableApp(rows, sidebar=False)
    async with app.run_test(size=(140, 10)):
        table = app.table
        assert cell(table, 1, "name").rstrip() == "task 0"
        assert cell(table, 1, "type").rstrip() == "point-cloud-objects"
        assert cell(table, 1, "status").rstrip() == "✓ completed"
        assert cell(table, 1, "project").rstrip() == "Street scenes"
        assert cell(table, 1, "created").rstrip() == "40s ago"
        assert cell(table, 1, "updated").rstrip() == "3h ago"
        # The uid takes what is left: here, all of it.
        assert cell(table, 1, "uid").rstrip() == "990c1800-i62f-85h8-e150-000000000000"
        assert cell(table, 2, "type").rstrip() == "image"
        assert cell(table, 2, "status").rstrip() == "○ pending"
        # A project missing from project_names shows as a shortened uid.
        assert cell(table, 2, "project").rstrip() == "a1b2c3d4…"
        assert lines(table)[3].strip() == ""


async def test_hostile_names_are_drawn_literally() -> None:
    names = ["[bold red]x[/]", "a[/]b", "[@click=app.quit]", "x\x1b[31my", "left\u202eright"]
    app = TableApp([make_row(number, name=name) for number, name in enumerate(names)])
    async with app.run_test(size=(120, 12)) as pilot:
        table = app.table
        drawn = [cell(table, y, "name").rstrip() for y in range(1, 6)]
        assert drawn == ["[bold red]x[/]", "a[/]b", "[@click=app.quit]", "x␛[31my", "leftright"]
        for y in range(1, 6):
            for segment in painted(table)[y]:
                assert segment.style is None or not segment.style.meta
        # Clicking the would-be link only moves the cursor: no action runs.
        await pilot.click(TaskTable, offset=(5, 3))
        await settle(pilot)
        assert app.is_running
        assert table.cursor_row == 2


async def test_unknown_values_pass_through_and_missing_ones_show_a_dash() -> None:
    row = TaskRow(
        uid="x-1",
        name=None,
        type="lidar-annotation",
        status="in_progress",
        project=None,
        created=None,
        updated=None,
    )
    app = TableApp([row], sidebar=False)
    async with app.run_test(size=(140, 6)):
        table = app.table
        assert cell(table, 1, "name").rstrip() == "—"
        assert cell(table, 1, "type").rstrip() == "lidar-annotation"
        assert cell(table, 1, "status").rstrip() == "? in_progress"
        assert cell(table, 1, "project").rstrip() == "—"
        assert cell(table, 1, "created").rstrip() == "—"
        assert cell(table, 1, "updated").rstrip() == "—"
        assert cell(table, 1, "uid").rstrip() == "x-1"


async def test_wide_characters_keep_the_columns_aligned() -> None:
    names = ["日本語のタスク名がとても長い場合", "emoji 👩\u200d👩\u200d👧 team", "plain"]
    app = TableApp([make_row(number, name=name) for number, name in enumerate(names)])
    async with app.run_test(size=(80, 8)):
        table = app.table
        type_width = next(column.width for column in table.columns if column.key == "type")
        for y in range(1, 4):
            assert cell(table, y, "type") == fit("image", type_width)
            assert cell(table, y, "status").rstrip() == "○ pending"
        assert cell(table, 1, "name").rstrip().endswith("…")


async def test_marks_footer_and_sort_arrow() -> None:
    rows = make_store(3)
    app = TableApp(rows, sidebar=False)
    async with app.run_test(size=(140, 8)) as pilot:
        table = app.table
        table.marks = {rows[1].uid: "new", rows[2].uid: "changed"}
        table.footer_text = "end of list: 3 tasks"
        table.sort_key = "created"
        table.sort_reverse = True
        await settle(pilot)
        assert [cell(table, y, "mark") for y in (1, 2, 3)] == [" ", "●", "◆"]
        assert lines(table)[4].strip() == "end of list: 3 tasks"
        assert cell(table, 0, "created").rstrip() == "created ▼"
        table.sort_reverse = False
        table.marks.clear()
        table.rows_changed()
        await settle(pilot)
        assert cell(table, 0, "created").rstrip() == "created ▲"
        assert [cell(table, y, "mark") for y in (1, 2, 3)] == [" ", " ", " "]
        # The footer is not a row: the cursor stops on the last task.
        await pilot.press("G", "down")
        assert table.cursor_row == 2


def backgrounds(strip: Strip) -> set[Any]:
    return {None if segment.style is None else segment.style.bgcolor for segment in strip}


def first_color(strip: Strip) -> Any:
    style = next(iter(strip)).style
    return None if style is None else style.color


async def test_status_and_cursor_styles_come_from_component_classes() -> None:
    app = TableApp([make_row(0, status="completed"), make_row(1, status="pending")])
    async with app.run_test(size=(80, 6)) as pilot:
        table = app.table
        table.blur()
        await settle(pilot)
        blurred = table.get_component_rich_style("task-table--cursor").bgcolor
        assert backgrounds(painted(table)[1]) == {blurred}

        table.focus()
        await settle(pilot)
        focused = table.get_component_rich_style("task-table--cursor").bgcolor
        assert focused != blurred
        assert backgrounds(painted(table)[1]) == {focused}
        assert focused not in backgrounds(painted(table)[2])

        status_x = next(column.x for column in table.columns if column.key == "status")
        pending = table.get_component_rich_style("task-table--status-pending", partial=True)
        completed = table.get_component_rich_style("task-table--status-completed", partial=True)
        assert pending.color != completed.color
        pending_cell = painted(table)[2].crop(status_x, status_x + 1)
        assert first_color(pending_cell) == pending.color

        # Moving on repaints the old cursor line as an ordinary, coloured row.
        await pilot.press("down")
        await settle(pilot)
        assert focused not in backgrounds(painted(table)[1])
        assert backgrounds(painted(table)[2]) == {focused}
        completed_cell = painted(table)[1].crop(status_x, status_x + 1)
        assert first_color(completed_cell) == completed.color


async def test_a_theme_change_repaints_with_the_new_styles() -> None:
    app = TableApp(make_store(3))
    async with app.run_test(size=(80, 6)) as pilot:
        table = app.table
        table.focus()
        app.theme = "textual-dark"
        await settle(pilot)
        dark = table.get_component_rich_style("task-table--cursor").bgcolor
        assert backgrounds(painted(table)[1]) == {dark}
        app.theme = "textual-light"
        await settle(pilot)
        light = table.get_component_rich_style("task-table--cursor").bgcolor
        assert light != dark
        assert backgrounds(painted(table)[1]) == {light}


async def test_without_colour_the_cursor_is_reversed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = TableApp(make_store(3))
    async with app.run_test(size=(80, 6)) as pilot:
        app.table.focus()
        await settle(pilot)
        lines_painted = painted(app.table)
        assert {segment.style.reverse for segment in lines_painted[1] if segment.style} == {True}
        assert True not in {segment.style.reverse for segment in lines_painted[2] if segment.style}


async def test_a_footer_appearing_under_the_last_row_is_scrolled_into_view() -> None:
    app = TableApp(make_store(50))
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.table
        table.focus()
        await pilot.press("G")
        table.footer_text = "loading more…"
        await settle(pilot)
        assert lines(table)[-2].split()[0:2] == ["task", "49"]
        assert lines(table)[-1].strip() == "loading more…"
        # Away from the bottom, the footer appearing does not move the view.
        await pilot.press("g")
        table.footer_text = "end of list: 50 tasks"
        await settle(pilot)
        assert table.scroll_offset.y == 0


# ------------------------------------------------------------ cursor & keys


async def test_cursor_keys_move_and_announce() -> None:
    app = TableApp(make_store(200))
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.table
        table.focus()
        await settle(pilot)
        assert [message.index for message in app.taken(TaskTable.Highlighted)] == [0]
        body = table.scrollable_content_region.height - 1

        await pilot.press("down", "j", "j")
        assert table.cursor_row == 3
        await pilot.press("up", "k")
        assert table.cursor_row == 1
        await pilot.press("pagedown")
        assert table.cursor_row == 1 + body
        await pilot.press("ctrl+f")
        assert table.cursor_row == 1 + 2 * body
        await pilot.press("pageup", "ctrl+b")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == 199
        await pilot.press("down")
        assert table.cursor_row == 199
        await pilot.press("g", "up")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == 199
        await pilot.press("home")
        assert table.cursor_row == 0
        await settle(pilot)
        highlighted = app.taken(TaskTable.Highlighted)
        assert highlighted[-1].index == 0
        assert highlighted[-1].row is table.rows[0]
        assert {message.index for message in highlighted} >= {3, 1, 199}


async def test_cursor_stays_in_view_below_the_header() -> None:
    app = TableApp(make_store(100))
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.table
        table.focus()
        body = table.scrollable_content_region.height - 1
        await pilot.press(*["down"] * (body + 5))
        await settle(pilot)
        # The cursor is on the last screen line, the header still on the first.
        assert table.scroll_offset.y == body + 5 - body + 1
        assert cell(table, body, "name").rstrip() == f"task {body + 5}"
        assert lines(table)[0].split()[0] == "name"
        await pilot.press("G")
        await settle(pilot)
        assert cell(table, body, "name").rstrip() == "task 99"
        await pilot.press("g")
        await settle(pilot)
        assert table.scroll_offset.y == 0
        assert cell(table, 1, "name").rstrip() == "task 0"


async def test_the_cursor_stays_visible_when_the_terminal_shrinks() -> None:
    app = TableApp(make_store(100))
    async with app.run_test(size=(80, 30)) as pilot:
        table = app.table
        table.focus()
        table.cursor_row = 20
        await pilot.resize_terminal(80, 10)
        await settle(pilot)
        assert table.scroll_offset.y > 0
        assert any(line.split()[:2] == ["task", "20"] for line in lines(table)[1:])


async def test_enter_and_clicks_select() -> None:
    app = TableApp(make_store(20))
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.table
        await pilot.click(TaskTable, offset=(5, 4))
        await settle(pilot)
        assert table.cursor_row == 3
        assert app.taken(TaskTable.Selected) == []
        await pilot.click(TaskTable, offset=(5, 4))
        await settle(pilot)
        [selected] = app.taken(TaskTable.Selected)
        assert (selected.index, selected.row.uid) == (3, table.rows[3].uid)
        await pilot.press("down", "enter")
        await settle(pilot)
        [selected] = app.taken(TaskTable.Selected)
        assert selected.index == 4
        assert selected.control is table


async def test_header_click_posts_the_column_key() -> None:
    app = TableApp(make_store(5), sidebar=False)
    async with app.run_test(size=(140, 8)) as pilot:
        table = app.table
        # The first cell of each label, and the gap after it, belong to that column.
        for column in table.columns[1:]:
            await pilot.click(TaskTable, offset=(column.x, 0))
            await pilot.click(TaskTable, offset=(min(column.x + column.width, 139), 0))
        await settle(pilot)
        clicked = [message.column_key for message in app.taken(TaskTable.HeaderClicked)]
        assert clicked == [column.key for column in table.columns[1:] for _ in range(2)]
        assert table.cursor_row == 0


# ------------------------------------------------------------------ NearEnd


async def test_near_end_is_posted_near_the_end_only() -> None:
    app = TableApp(make_store(500))
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.table
        table.focus()
        await settle(pilot)
        await pilot.press("down", "down", "pagedown")
        await settle(pilot)
        assert app.taken(TaskTable.NearEnd) == []
        assert not table.near_end()

        await pilot.press("G")
        await settle(pilot)
        assert len(app.taken(TaskTable.NearEnd)) == 1
        assert table.near_end()

        # A page arrives: the cursor is far from the new end again, so no NearEnd.
        assert isinstance(table.rows, TaskStore)
        table.rows.append_page([make_row(number) for number in range(500, 600)])
        table.rows_changed()
        await settle(pilot)
        assert app.taken(TaskTable.NearEnd) == []


async def test_near_end_when_the_first_page_fits_on_screen() -> None:
    store = TaskStore()
    app = TableApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.taken(TaskTable.NearEnd)
        store.append_page([make_row(number) for number in range(5)])
        app.table.rows_changed()
        await settle(pilot)
        # Posted once for the change, not once per row or per line drawn.
        assert len(app.taken(TaskTable.NearEnd)) == 1


async def test_scrolling_the_view_near_the_end_posts_near_end() -> None:
    app = TableApp(make_store(300))
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.table
        await settle(pilot)
        app.taken(TaskTable.NearEnd)
        table.scroll_to(y=295, animate=False)
        await settle(pilot)
        assert len(app.taken(TaskTable.NearEnd)) == 1
        assert table.cursor_row == 0


# ------------------------------------------------------- updates & refreshes


async def test_move_cursor_to_uid_keeps_the_screen_line_when_rows_arrive_above() -> None:
    store = make_store(200, start=100)
    app = TableApp(store)
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.table
        table.focus()
        table.cursor_row = 40
        # Off the edges, so that merely keeping the cursor in view cannot pass for this.
        table.cursor_row = 35
        await settle(pilot)
        uid = table.cursor_uid
        assert uid is not None
        screen_line = table.cursor_row - table.scroll_offset.y
        before = lines(table)
        app.taken(TaskTable.Highlighted)

        store.merge_refresh([make_row(number) for number in range(7)])
        table.rows_changed()
        assert table.move_cursor_to_uid(uid)
        await settle(pilot)

        assert table.cursor_uid == uid
        assert table.cursor_row == 42
        assert table.cursor_row - table.scroll_offset.y == screen_line
        assert lines(table) == before
        # Still the same task under the cursor: nothing to announce.
        assert app.taken(TaskTable.Highlighted) == []


async def test_move_cursor_to_uid_in_a_plain_list() -> None:
    rows = list(make_store(50))
    app = TableApp(rows)
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.table
        assert table.move_cursor_to_uid(rows[30].uid, keep_screen_position=False)
        await settle(pilot)
        assert table.cursor_row == 30
        assert cell(table, table.scrollable_content_region.height - 1, "name").startswith("task 30")
        assert not table.move_cursor_to_uid("missing")
        assert table.cursor_row == 30


async def test_replacing_the_row_under_the_cursor_announces_it() -> None:
    store = make_store(10)
    app = TableApp(store)
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.table
        await settle(pilot)
        app.taken(TaskTable.Highlighted)
        store.append_page([make_row(0, status="completed", name="renamed")])
        table.rows_changed()
        await settle(pilot)
        [highlighted] = app.taken(TaskTable.Highlighted)
        assert highlighted.index == 0
        assert highlighted.row is store[0]
        assert cell(table, 1, "name").rstrip() == "renamed"
        assert cell(table, 1, "status").rstrip() == "✓ completed"


async def test_rows_shrinking_clamps_the_cursor() -> None:
    store = make_store(30)
    app = TableApp(store)
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.table
        table.focus()
        await pilot.press("G")
        store.clear()
        table.rows_changed()
        await settle(pilot)
        assert table.cursor_row == 0
        assert table.cursor_task is None
        assert app.taken(TaskTable.Highlighted)[-1].row is None
        assert all(line.strip() == "" for line in lines(table)[1:])


async def test_project_names_and_the_clock_repaint_the_visible_rows() -> None:
    clock = [NOW]
    app = TableApp([make_row(0, project="p-2")])
    async with app.run_test(size=(80, 6)) as pilot:
        table = app.table
        table.clock = lambda: clock[0]
        table.project_names = {"p-2": "Harbour"}
        await settle(pilot)
        assert cell(table, 1, "project").rstrip() == "Harbour"
        assert cell(table, 1, "created").rstrip() == "40s ago"
        clock[0] = NOW + 3600
        table.rows_changed()
        await settle(pilot)
        assert cell(table, 1, "created").rstrip() == "1h ago"


async def test_relative_times_age_on_their_own() -> None:
    clock = [NOW]
    app = TableApp([make_row(0)])
    async with app.run_test(size=(80, 6)) as pilot:
        table = app.table
        table.clock = lambda: clock[0]
        await settle(pilot)
        assert cell(table, 1, "created").rstrip() == "40s ago"
        clock[0] = NOW + 60
        await pilot.pause(CLOCK_TICK * 1.5)
        await settle(pilot)
        assert cell(table, 1, "created").rstrip() == "1m ago"


class CountingRows(Sequence[TaskRow]):
    """A row sequence that counts how often the table reads it."""

    def __init__(self, rows: list[TaskRow]) -> None:
        self.rows = rows
        self.reads = 0

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> TaskRow: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[TaskRow]: ...
    def __getitem__(self, index: int | slice) -> TaskRow | Sequence[TaskRow]:
        self.reads += 1
        return self.rows[index]

    def __iter__(self) -> Iterator[TaskRow]:
        raise AssertionError("the table must never walk all the rows")


async def test_work_per_change_depends_on_the_screen_not_the_row_count() -> None:
    rows = CountingRows([make_row(number) for number in range(20_000)])
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.focus()
        await settle(pilot)
        screen = table.scrollable_content_region.height

        rows.reads = 0
        rows.rows.extend(make_row(number) for number in range(20_000, 20_100))
        table.rows_changed()
        await settle(pilot)
        # The screen, and the new page measured for the column widths (twice at most:
        # new tasks may be at either end).
        assert rows.reads <= 4 * screen + 2 * 100

        rows.reads = 0
        await pilot.press("down", "down", "G", "up", "pageup")
        await settle(pilot)
        assert rows.reads <= 5 * 4 * screen


def test_a_column_s_comfortable_width_is_never_below_its_minimum() -> None:
    # A one-letter project once made "updated" look affordable at 80 columns.
    for value in (0, 1, 5, 12, 30, 200):
        content = dict.fromkeys(("name", "type", "type-compact", "status", "project", "uid"), value)
        for spec in column_specs(content):
            assert spec.width >= spec.min_width, spec
