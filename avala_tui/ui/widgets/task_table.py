"""A virtual table of tasks on Textual's Line API.

A lead's project holds up to 100,000 tasks. Textual's DataTable keeps a renderable
per cell and does work proportional to every loaded row on each append and cursor
move; this table keeps nothing per row. It reads the app's own sequence of compact
``TaskRow`` records and renders only the lines on screen, caching a few hundred
rendered rows, so appending a page, moving the cursor and scrolling cost the same at
100 rows as at 100,000.

Rows are treated as immutable: the store replaces a row object to update it, and
the cache is keyed by the object's identity.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import ClassVar, Final, NamedTuple, Protocol, runtime_checkable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size, clamp
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from avala_tui.api.models import (
    TYPE_IMAGE,
    TYPE_POINT_CLOUD,
    TYPE_POINT_CLOUD_OBJECTS,
    TYPE_VIDEO,
)
from avala_tui.core.changes import MARK_GLYPHS
from avala_tui.core.store import TaskRow
from avala_tui.core.text import (
    PLACEHOLDER,
    cell_limit,
    changed_span,
    clean,
    fit,
    relative_time,
    short_type,
    short_uid,
    status_parts,
)
from avala_tui.core.view import SORT_ARROWS

#: Lines above the first row: the column labels.
HEADER_HEIGHT: Final = 1
#: Characters of a project name kept in a row's cache key: more than any column shows.
_KEY_LIMIT: Final = 1024
#: Blank cells between two columns.
GAP: Final = 1
#: How often the relative times ("40s ago") are brought up to date, in seconds.
CLOCK_TICK: Final = 1.0

#: The documented task types as a narrow type column draws them (the detail has them in full).
COMPACT_TYPES: Final[Mapping[str, str]] = {
    TYPE_IMAGE: "image",
    TYPE_VIDEO: "video",
    TYPE_POINT_CLOUD: "3d",
    TYPE_POINT_CLOUD_OBJECTS: "3d-obj",
}
COMPACT_TYPE_WIDTH: Final = max(map(len, COMPACT_TYPES.values()))
#: Width of the longest documented type as the table writes it in full.
FULL_TYPE_WIDTH: Final = len("point-cloud-objects")
#: Width of "✓ completed": a status reads the same word in every place and at every width.
FULL_STATUS_WIDTH: Final = 11
COMPACT_STATUS_WIDTH: Final = FULL_STATUS_WIDTH


class ColumnSpec(NamedTuple):
    """A column the table can show and how much room it wants."""

    key: str
    label: str
    #: The narrowest the column is drawn (in compact words for documented types).
    min_width: int
    #: A comfortable width: optional columns join only when all the columns can
    #: have this much.
    width: int


class Column(NamedTuple):
    """A column as laid out for one table width."""

    key: str
    label: str
    x: int
    width: int


#: What the loaded rows need to be shown whole, per column; "type-compact" is the
#: type column with the documented types abbreviated.
ContentWidths = Mapping[str, int]

#: The widest any one value makes its column: a 10,000-character name must not push
#: every other column off the screen.
MAX_CONTENT_WIDTH: Final = 48
#: Until rows are measured: the widths of the demo's typical values.
DEFAULT_CONTENT: Final[ContentWidths] = {
    "name": 16,
    "type": FULL_TYPE_WIDTH,
    "type-compact": COMPACT_TYPE_WIDTH,
    "status": FULL_STATUS_WIDTH,
    "project": 20,
    "uid": 9,
}
_TIME_WIDTH: Final = len("2025-01-10")


def column_specs(content: ContentWidths) -> tuple[ColumnSpec, ...]:
    """The columns and their widths, for values of these widths."""

    def want(key: str, floor: int = 1) -> int:
        return max(floor, min(content.get(key, DEFAULT_CONTENT[key]), MAX_CONTENT_WIDTH))

    name = want("name", len("name"))
    compact_type = want("type-compact", len("type"))
    return (
        ColumnSpec("mark", "", 1, 1),
        # Ten cells at least: a refresh may rename a task, and only a page remeasures.
        ColumnSpec("name", "name", max(10, min(16, name)), max(10, min(16, name))),
        # An undocumented type has no short word; up to 12 cells it keeps its own.
        ColumnSpec("type", "type", min(compact_type, COMPACT_TYPE_WIDTH), min(compact_type, 12)),
        # A documented status always fits whole (a refresh may complete a task); a long
        # undocumented one is cut when space is short, and grows whole with the spare.
        ColumnSpec(
            "status",
            "status",
            FULL_STATUS_WIDTH,
            min(want("status", FULL_STATUS_WIDTH), 2 * FULL_STATUS_WIDTH),
        ),
        ColumnSpec("project", "project", 10, max(10, min(20, want("project")))),
        ColumnSpec("created", "created", _TIME_WIDTH, _TIME_WIDTH),
        ColumnSpec("updated", "updated", _TIME_WIDTH, _TIME_WIDTH),
        ColumnSpec("uid", "uid", 9, 9),
    )


#: Columns given up, first to last, when the table is too narrow for all of them.
DROP_ORDER: Final = ("uid", "updated", "type", "project", "created", "status")
#: Columns shown only when every column can also have its comfortable width.
OPTIONAL_COLUMNS: Final = frozenset({"uid", "updated"})
#: Columns that grow only all the way to their target: a type column shows either
#: every type in full or every one in its compact word, never a mix of the two.
WHOLE_STEPS: Final = frozenset({"type"})


def _growth(content: ContentWidths) -> tuple[tuple[str, int], ...]:
    """How spare width is handed out: each column in turn grows up to a width.

    First the project (names are worth reading whole), then the task name, then the
    documented types in full, then every value whole; the uid takes what is left.
    """
    whole = {
        key: min(content.get(key, DEFAULT_CONTENT[key]), MAX_CONTENT_WIDTH)
        for key in DEFAULT_CONTENT
    }
    return (
        ("name", min(16, whole["name"])),
        # An undocumented status shown whole before anything else grows.
        ("status", min(max(whole["status"], FULL_STATUS_WIDTH), 2 * FULL_STATUS_WIDTH)),
        # An undocumented type shown as the API spells it, up to 12 cells, early.
        ("type", min(max(whole["type-compact"], len("type")), 12)),
        ("project", min(20, whole["project"])),
        ("name", min(24, whole["name"])),
        ("type", max(whole["type"], len("type"))),
        ("project", whole["project"]),
        ("name", whole["name"]),
        ("status", max(whole["status"], FULL_STATUS_WIDTH)),
        ("uid", max(whole["uid"], 9)),
    )


def layout_columns(width: int, content: ContentWidths = DEFAULT_CONTENT) -> tuple[Column, ...]:
    """Choose and size the columns for a table ``width`` cells wide showing ``content``.

    Like k9s: a value is shown whole whenever the width allows it, and what is left
    over on a wide screen goes to the uid (or, without one, to the name).
    """
    specs = list(column_specs(content))

    def needed(chosen: list[ColumnSpec], full: bool) -> int:
        widths = (spec.width if full else spec.min_width for spec in chosen)
        return sum(widths) + GAP * (len(chosen) - 1)

    for key in DROP_ORDER:
        if needed(specs, full=key in OPTIONAL_COLUMNS) <= width:
            break
        specs = [spec for spec in specs if spec.key != key]
    widths = {spec.key: spec.min_width for spec in specs}
    spare = width - needed(specs, full=False)
    for key, target in _growth(content):
        if key in widths and spare > 0:
            step = clamp(target - widths[key], 0, spare)
            if key in WHOLE_STEPS and widths[key] + step < target:
                continue
            widths[key] += step
            spare -= step
    # Whatever is left goes to the uid, or to the name; a negative spare (a very
    # narrow table) shrinks the name, and the line is cropped.
    rest = "uid" if "uid" in widths and spare > 0 else "name"
    widths[rest] = max(1, widths[rest] + spare)
    columns: list[Column] = []
    x = 0
    for spec in specs:
        columns.append(Column(spec.key, spec.label, x, widths[spec.key]))
        x += widths[spec.key] + GAP
    return tuple(columns)


def measure_rows(
    rows: Sequence[TaskRow], indices: Iterable[int], into: dict[str, int], projects: set[str]
) -> None:
    """Widen ``into`` to what the rows at ``indices`` need to be shown whole.

    The rows' projects are added to ``projects``: their names may arrive later.
    """
    name = into.get("name", 0)
    full_type = into.get("type", 0)
    compact_type = into.get("type-compact", 0)
    status = into.get("status", 0)
    uid = into.get("uid", 0)
    for index in indices:
        row = rows[index]
        name = max(name, cell_len(clean(row.name)))
        shown_type = short_type(row.type)
        full_type = max(full_type, cell_len(shown_type))
        compact_type = max(compact_type, cell_len(COMPACT_TYPES.get(row.type or "", shown_type)))
        status = max(status, cell_len(status_parts(row.status)[0]))
        uid = max(uid, cell_len(clean(row.uid)))
        if row.project:
            projects.add(row.project)
    into.update(
        {
            "name": name,
            "type": full_type,
            "type-compact": compact_type,
            "status": status,
            "uid": uid,
        }
    )


class _Palette(NamedTuple):
    """The resolved component styles one repaint uses."""

    base: Style
    cursor: Style
    header: Style
    footer: Style
    status: Mapping[str, Style]
    marks: Mapping[str, Style]


@runtime_checkable
class _IndexedByUid(Protocol):
    def index_of(self, uid: str) -> int | None: ...


_RowKey = tuple[int, bool, str | None, str, str, str]
#: Where a row key holds the texts that change with the clock alone, and their columns.
_AGING_COLUMNS: Final = ((4, "created"), (5, "updated"))
_FIRST_AGING: Final = 4
_AGING_KEYS: Final = frozenset(key for _, key in _AGING_COLUMNS)


class TaskTable(ScrollView, can_focus=True):
    """A scrolling table of tasks that renders only what is on screen."""

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j,down", "cursor_down", "Down", show=False, id="down", tooltip="next task (or line)"
        ),
        Binding("k,up", "cursor_up", "Up", show=False, id="up", tooltip="previous task (or line)"),
        Binding(
            "pagedown,ctrl+f",
            "page_down",
            "Page down",
            show=False,
            id="page-down",
            tooltip="a screen down",
        ),
        Binding(
            "pageup,ctrl+b", "page_up", "Page up", show=False, id="page-up", tooltip="a screen up"
        ),
        Binding("g,home", "cursor_first", "First", show=False, id="first", tooltip="first task"),
        Binding(
            "G,end",
            "cursor_last",
            "Last",
            show=False,
            id="last",
            tooltip="last loaded task (loads the next page)",
        ),
        Binding(
            "enter",
            "select_cursor",
            "Open",
            show=False,
            id="select",
            tooltip="read the task in the detail pane",
        ),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "task-table--header",
        "task-table--cursor",
        "task-table--footer",
        "task-table--status-pending",
        "task-table--status-completed",
        "task-table--status-other",
        "task-table--mark-new",
        "task-table--mark-changed",
    }

    DEFAULT_CSS = """
    TaskTable {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        background: $surface;
        color: $foreground;

        & > .task-table--header {
            background: $panel;
            color: $foreground;
            text-style: bold;
        }
        & > .task-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .task-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        /* Without colour only the focused table's cursor is inverted. */
        &:nocolor:focus > .task-table--cursor {
            text-style: reverse;
        }
        & > .task-table--footer {
            color: $text-muted;
            text-style: italic;
        }
        & > .task-table--status-pending {
            color: $text-warning;
        }
        & > .task-table--status-completed {
            color: $text-success;
        }
        & > .task-table--status-other {
            color: $text-secondary;
        }
        & > .task-table--mark-new {
            color: $text-accent;
        }
        & > .task-table--mark-changed {
            color: $text-warning;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, repaint=False, init=False)
    """Index into the rows of the task under the cursor."""
    footer_text: reactive[str] = reactive("", repaint=False, init=False)
    """A line after the last row ("loading more…"); empty for none. Never selectable."""
    sort_key: reactive[str | None] = reactive[str | None](None, repaint=False, init=False)
    """Key of the column the rows are sorted by, marked with an arrow in the header."""
    sort_reverse: reactive[bool] = reactive(False, repaint=False, init=False)
    """Whether that sort is descending."""

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another task, or the task under it was updated."""

        table: TaskTable
        index: int
        row: TaskRow | None
        #: Whether a key or click of the user's moved the cursor (not a load or refresh).
        by_user: bool = False

        @property
        def control(self) -> TaskTable:
            """The table that posted this."""
            return self.table

    @dataclass
    class Selected(Message):
        """The task under the cursor was chosen (enter, or a click on the cursor row)."""

        table: TaskTable
        index: int
        row: TaskRow

        @property
        def control(self) -> TaskTable:
            """The table that posted this."""
            return self.table

    @dataclass
    class NearEnd(Message):
        """The cursor or the viewport is within a screen of the last row: time to load more."""

        table: TaskTable

        @property
        def control(self) -> TaskTable:
            """The table that posted this."""
            return self.table

    @dataclass
    class HeaderClicked(Message):
        """A column label was clicked (the app decides whether it sorts)."""

        table: TaskTable
        column_key: str

        @property
        def control(self) -> TaskTable:
            """The table that posted this."""
            return self.table

    def __init__(
        self,
        rows: Sequence[TaskRow] = (),
        *,
        project_names: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._rows: Sequence[TaskRow] = rows
        self._project_names: Mapping[str, str] = {} if project_names is None else project_names
        self._marks: dict[str, str] = {}
        self.clock = clock
        """Returns the current epoch time; injectable for deterministic output."""
        # Values hold the row so its id() cannot be reused while its entry exists.
        self._row_cache: LRUCache[_RowKey, tuple[TaskRow, Strip]] = LRUCache(256)
        self._columns: tuple[Column, ...] = ()
        self._columns_width = -1
        self._palette: _Palette | None = None
        # What each screen line last showed, to repaint only the lines that differ.
        self._painted: dict[int, tuple[TaskRow | None, Hashable]] = {}
        self._announced: TaskRow | None = None
        # Set by the user's keys and clicks until the next announcement says so.
        self._moved_by_user = False
        # Set while the cursor moves without the view following it (a monitor at the top).
        self._hold_view = False
        self._sync_pending = False
        # The sizes the last reflow of the screen gave, to tell a reflow that changed nothing.
        self._laid_out: tuple[Size, Size, Size] | None = None
        self._cursor_was_shown = True
        # What the rows measured so far need (see measure_rows), and how far that
        # measuring got: which sequence, and how many of its rows.
        self._content: dict[str, int] = {}
        self._measured: tuple[int, int] = (0, 0)
        self._projects_seen: set[str] = set()
        self._measure()

    # ----------------------------------------------------------------- data

    @property
    def rows(self) -> Sequence[TaskRow]:
        """The rows shown, in display order (the app's store or a view of it)."""
        return self._rows

    def set_rows(self, rows: Sequence[TaskRow]) -> None:
        """Show another sequence of rows; the cursor keeps its index, clamped."""
        self._rows = rows
        # A quick filter or a sort shows a subset of rows already measured: the
        # columns keep their widths (and each keystroke stays free of a full walk).
        if isinstance(rows, _IndexedByUid) or not self._content:
            self._measure()
        self.rows_changed()

    def rows_changed(self) -> None:
        """Take in a mutation of the rows (or of ``marks``/``project_names`` in place).

        Costs the same at any row count: nothing here walks the rows. Visible lines
        that would now look different are repainted; a change off screen repaints none.
        """
        self._update_virtual_size()
        self._measure()
        last = max(len(self._rows) - 1, 0)
        if self.cursor_row > last:
            self.cursor_row = last
        self._refresh_stale_lines()
        self._schedule_sync()

    @property
    def project_names(self) -> Mapping[str, str]:
        """Project uid to name; projects not in it show a shortened uid."""
        return self._project_names

    @project_names.setter
    def project_names(self, names: Mapping[str, str]) -> None:
        self._project_names = names
        self.names_changed()

    def names_changed(self) -> None:
        """Take in project names added to ``project_names`` in place."""
        self._measure_projects()
        self._refresh_stale_lines()

    @property
    def marks(self) -> dict[str, str]:
        """Task uid to "new" or "changed", drawn as a glyph in the first column."""
        return self._marks

    @marks.setter
    def marks(self, marks: dict[str, str]) -> None:
        self._marks = marks
        self._refresh_stale_lines()

    @property
    def columns(self) -> tuple[Column, ...]:
        """The columns as laid out for the current width."""
        return self._layout(self.scrollable_content_region.width)

    @property
    def cursor_task(self) -> TaskRow | None:
        """The row under the cursor, if there are any rows."""
        rows = self._rows
        return rows[self.cursor_row] if self.cursor_row < len(rows) else None

    @property
    def cursor_uid(self) -> str | None:
        """The uid of the task under the cursor."""
        row = self.cursor_task
        return None if row is None else row.uid

    def move_cursor_to_uid(
        self, uid: str, keep_screen_position: bool = True, *, hold_view: bool = False
    ) -> bool:
        """Put the cursor on a task; False when it is not in the rows.

        With ``keep_screen_position`` the view scrolls by as many lines as the task
        moved, so after rows were inserted above it nothing on screen jumps. With
        ``hold_view`` the view does not move at all, even if the cursor leaves it.
        """
        index = self._index_of(uid)
        if index is None:
            return False
        if keep_screen_position and not hold_view:
            self._update_virtual_size()
            screen_line = self.cursor_row - self.scroll_offset.y
            self.scroll_to(y=index - screen_line, animate=False, force=True)
        self._hold_view = hold_view
        try:
            self.cursor_row = index
        finally:
            self._hold_view = False
        return True

    def _index_of(self, uid: str) -> int | None:
        rows = self._rows
        if isinstance(rows, _IndexedByUid):
            position: int | None = rows.index_of(uid)
            return position
        # A plain list (a filtered or sorted view): rows inserted above push the task
        # down, so look from the cursor onwards first.
        start = min(self.cursor_row, len(rows))
        for index in chain(range(start, len(rows)), range(start)):
            if rows[index].uid == uid:
                return index
        return None

    # --------------------------------------------------------------- layout

    @property
    def _body_height(self) -> int:
        """Rows that fit on screen below the header."""
        return max(self.scrollable_content_region.height - HEADER_HEIGHT, 0)

    def _update_virtual_size(self) -> None:
        footer = 1 if self.footer_text else 0
        # Width 0: columns always fit the widget, so there is nothing to scroll sideways.
        self.virtual_size = Size(0, HEADER_HEIGHT + len(self._rows) + footer)

    def _measure(self) -> None:
        """Widen the columns' wants to the rows that arrived since the last measure.

        Only new rows are read (a page, or a refresh's new tasks at the top), so a
        page costs the same at any row count; widths never change while scrolling.
        """
        rows = self._rows
        sequence, count = self._measured
        total = len(rows)
        if sequence != id(rows) or total < count:
            count = 0
        if total == count:
            return
        grown = total - count
        fresh = range(count, total) if count == 0 else chain(range(grown), range(count, total))
        content = dict(self._content)
        measure_rows(rows, fresh, content, self._projects_seen)
        self._measured = (id(rows), total)
        self._set_content(content)
        self._measure_projects()

    def _measure_projects(self) -> None:
        names = self._project_names
        width = max(
            (
                cell_len(clean(names.get(project) or short_uid(project)))
                for project in self._projects_seen
                if project
            ),
            default=0,
        )
        if width > self._content.get("project", 0):
            self._set_content({**self._content, "project": width})

    def _set_content(self, content: dict[str, int]) -> None:
        if content != self._content:
            self._content = content
            # Lay the columns out again at the next paint, and paint every line.
            self._columns_width = -1
            if self.is_mounted:
                self.refresh()

    def _layout(self, width: int) -> tuple[Column, ...]:
        if width != self._columns_width:
            self._columns = layout_columns(width, {**DEFAULT_CONTENT, **self._content})
            self._columns_width = width
            self._row_cache.clear()
        return self._columns

    def _scroll_cursor_into_view(self) -> None:
        body = self._body_height
        if not body:
            return
        top = self.scroll_offset.y
        row = self.cursor_row
        # On the last row, bring the footer ("end of list") into view with it.
        bottom = row + 1 if row == len(self._rows) - 1 and self.footer_text else row
        if row < top:
            self.scroll_to(y=row, animate=False, force=True)
        elif bottom >= top + body:
            self.scroll_to(y=bottom - body + 1, animate=False, force=True)

    def near_end(self) -> bool:
        """Whether the cursor or the viewport's bottom is within a screen of the last row."""
        body = self._body_height
        if not body:
            return False
        threshold = len(self._rows) - 1 - body
        last_visible = self.scroll_offset.y + body - 1
        return self.cursor_row >= threshold or last_visible >= threshold

    # ------------------------------------------------------------ reactions

    def validate_cursor_row(self, value: int) -> int:
        return clamp(value, 0, max(len(self._rows) - 1, 0))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh_line(old + HEADER_HEIGHT)
        self.refresh_line(new + HEADER_HEIGHT)
        if not self._hold_view:
            self._scroll_cursor_into_view()
        self._schedule_sync()

    def watch_footer_text(self) -> None:
        # A view showing the last row follows the footer, so "loading more…" is seen.
        at_bottom = self.scroll_offset.y >= self.max_scroll_y
        self._update_virtual_size()
        if at_bottom:
            self.scroll_to(y=self.max_scroll_y, animate=False, force=True)
        self.refresh_line(HEADER_HEIGHT + len(self._rows))
        self._schedule_sync()

    def watch_sort_key(self) -> None:
        self._refresh_header()

    def watch_sort_reverse(self) -> None:
        self._refresh_header()

    def _refresh_header(self) -> None:
        self.refresh(Region(0, 0, self.size.width, HEADER_HEIGHT))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self._schedule_sync()

    def _on_mount(self, event: events.Mount) -> None:
        self._update_virtual_size()
        self.set_interval(CLOCK_TICK, self._refresh_stale_lines, name="task table clock")
        self._schedule_sync()

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # ScrollView compares the layout's virtual size with this table's own, which counts
        # rows and so never matches, and repaints the scrollbar on every reflow of the
        # screen: each status line update would write the scrollbar's column again.
        laid_out = (size, container_size, self.virtual_size)
        if laid_out == self._laid_out:
            return False
        previous, self._laid_out = self._laid_out, laid_out
        # A view held at the top while arrivals push the cursor's task down stays held
        # through a resize (a tmux pane split); a cursor that was on screen stays on it.
        body = max(previous[0].height - HEADER_HEIGHT, 0) if previous is not None else 0
        top = self.scroll_offset.y
        self._cursor_was_shown = not body or top <= self.cursor_row < top + body
        resized = super()._size_updated(size, virtual_size, container_size, layout)
        if previous is None or previous[0] != size:
            # A new size marks the whole table for repaint, but the reflow that brought it
            # repaints the table's region anyway and leaves that mark behind: the next
            # small refresh (an age changing, a minute later) would rewrite the table.
            self._repaint_regions.clear()
        return resized

    def _on_resize(self) -> None:
        if self._cursor_was_shown:
            self._scroll_cursor_into_view()
        self._schedule_sync()

    def _schedule_sync(self) -> None:
        # A keypress can move the cursor and scroll in one go: announce once per turn
        # of the message loop, after all of it.
        if not self._sync_pending:
            self._sync_pending = True
            self.call_next(self._sync)

    def _sync(self) -> None:
        self._sync_pending = False
        row = self.cursor_task
        if row is not self._announced:
            self._announced = row
            self.post_message(
                self.Highlighted(self, self.cursor_row, row, by_user=self._moved_by_user)
            )
        self._moved_by_user = False
        if self.near_end():
            self.post_message(self.NearEnd(self))

    # --------------------------------------------------------------- events

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        x, y = offset
        if y < HEADER_HEIGHT:
            for column in self.columns:
                if column.label and column.x <= x < column.x + column.width + GAP:
                    self.post_message(self.HeaderClicked(self, column.key))
                    break
            return
        index = y - HEADER_HEIGHT + self.scroll_offset.y
        if index >= len(self._rows):
            return
        event.stop()
        if index == self.cursor_row:
            self.action_select_cursor()
        else:
            self._moved_by_user = True
            self.cursor_row = index

    def action_select_cursor(self) -> None:
        """Post Selected for the task under the cursor."""
        row = self.cursor_task
        if row is not None:
            self.post_message(self.Selected(self, self.cursor_row, row))

    def action_cursor_up(self) -> None:
        """Move the cursor up a row."""
        self._moved_by_user = True
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        """Move the cursor down a row."""
        self._moved_by_user = True
        self.cursor_row += 1

    def action_cursor_first(self) -> None:
        """Move the cursor to the first row."""
        self._moved_by_user = True
        self.cursor_row = 0

    def action_cursor_last(self) -> None:
        """Move the cursor to the last loaded row."""
        self._moved_by_user = True
        self.cursor_row = len(self._rows) - 1

    def action_page_up(self) -> None:
        """Move the cursor and the view up a screen."""
        self._page(-1)

    def action_page_down(self) -> None:
        """Move the cursor and the view down a screen."""
        self._page(1)

    def _page(self, direction: int) -> None:
        self._moved_by_user = True
        target = self.validate_cursor_row(self.cursor_row + direction * max(self._body_height, 1))
        # Scrolling by the same amount keeps the cursor on its screen line.
        self.scroll_to(y=self.scroll_offset.y + target - self.cursor_row, animate=False, force=True)
        self.cursor_row = target

    # ------------------------------------------------------------ rendering

    def notify_style_update(self) -> None:
        # Focus (the cursor has a :focus style) and theme changes land here.
        super().notify_style_update()
        self._palette = None
        self._row_cache.clear()

    def _resolve_palette(self) -> _Palette:
        component = self.get_component_rich_style
        return _Palette(
            base=self.rich_style,
            cursor=component("task-table--cursor"),
            header=component("task-table--header"),
            footer=component("task-table--footer"),
            status={
                kind: component(f"task-table--status-{kind}", partial=True)
                for kind in ("pending", "completed", "other")
            },
            marks={
                mark: component(f"task-table--mark-{mark}", partial=True) for mark in MARK_GLYPHS
            },
        )

    def _get_palette(self) -> _Palette:
        # Resolving the styles costs most of a millisecond: once per style change, then.
        if self._palette is None:
            self._palette = self._resolve_palette()
        return self._palette

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        columns = self._layout(width)
        palette = self._get_palette()
        if y < HEADER_HEIGHT:
            return self._render_header(columns, width, palette)
        index = y - HEADER_HEIGHT + self.scroll_offset.y
        if index < len(self._rows):
            row = self._rows[index]
            key = self._row_key(row, index)
            self._painted[y] = (row, key)
            return self._render_row(row, key, columns, width, palette)
        footer = self._footer_key(index)
        self._painted[y] = (None, footer)
        if footer is not None:
            # Indented to line up with the names above it.
            indent = " " * (columns[1].x if len(columns) > 1 else 0)
            text = fit(indent + clean(self.footer_text), width)
            return Strip([Segment(text, palette.base + palette.footer)], width)
        return Strip.blank(width, palette.base)

    def _row_key(self, row: TaskRow, index: int) -> _RowKey:
        """Everything besides the row itself that decides how its line looks."""
        now = self.clock()
        project = row.project
        return (
            id(row),
            index == self.cursor_row,
            self._marks.get(row.uid),
            PLACEHOLDER
            if project is None
            else clean(self._project_names.get(project) or short_uid(project), limit=_KEY_LIMIT),
            relative_time(row.created, now),
            relative_time(row.updated, now),
        )

    def _footer_key(self, index: int) -> tuple[str, str] | None:
        if index == len(self._rows) and self.footer_text:
            return ("footer", self.footer_text)
        return None

    def _line_content(self, y: int) -> tuple[TaskRow | None, Hashable]:
        """What screen line ``y`` (below the header) shows, and a key for how it looks."""
        index = y - HEADER_HEIGHT + self.scroll_offset.y
        if index < len(self._rows):
            row = self._rows[index]
            return row, self._row_key(row, index)
        return None, self._footer_key(index)

    def _refresh_stale_lines(self) -> None:
        """Repaint the visible lines that would now be drawn differently."""
        if not self.is_mounted:
            return
        width = self.scrollable_content_region.width
        for y in range(HEADER_HEIGHT, HEADER_HEIGHT + self._body_height):
            painted = self._painted.get(y)
            row, key = self._line_content(y)
            if painted is None or painted[0] is not row:
                self.refresh(Region(0, y, width, 1))
            elif painted[1] != key:
                stale = self._stale_cells(y, painted[1], key, width, row is not None)
                if stale is not None:
                    self.refresh(stale)

    def _stale_cells(
        self, y: int, old: Hashable, new: Hashable, width: int, is_row: bool
    ) -> Region | None:
        """What to repaint of line ``y``: only the changed characters of the time cells
        when only the clock moved.

        An idle monitor over SSH must write almost nothing: a tick that turns "4m ago"
        into "5m ago" repaints "5" alone (the cell starts a segment, ui/partial_update.py
        writes from there and the span's end cuts it), and nothing for a column left out.
        """
        if not (is_row and isinstance(old, tuple) and isinstance(new, tuple)):
            return Region(0, y, width, 1)
        if old[:_FIRST_AGING] != new[:_FIRST_AGING]:
            return Region(0, y, width, 1)
        aged = {
            key: (old[position], new[position])
            for position, key in _AGING_COLUMNS
            if old[position] != new[position]
        }
        cells = []
        for column in self._layout(width):
            if column.key in aged:
                before, after = aged[column.key]
                span = changed_span(fit(before, column.width), fit(after, column.width))
                if span is not None:
                    start, end = span
                    cells.append(Region(column.x + start, y, end - start, 1))
        # One span: two on a line would each be written from the left edge.
        return Region.from_union(cells) if cells else None

    def _render_header(self, columns: tuple[Column, ...], width: int, palette: _Palette) -> Strip:
        style = palette.header
        segments: list[Segment] = []
        for column in columns:
            label = column.label
            if column.key == self.sort_key and column.width > 2:
                arrow = SORT_ARROWS[self.sort_reverse]
                label = f"{fit(label, column.width - 2).rstrip()} {arrow}"
            segments.append(Segment(fit(label, column.width) + " " * GAP, style))
        return Strip(segments).adjust_cell_length(width, style)

    def _render_row(
        self,
        row: TaskRow,
        key: _RowKey,
        columns: tuple[Column, ...],
        width: int,
        palette: _Palette,
    ) -> Strip:
        cached = self._row_cache.get(key)
        if cached is not None:
            return cached[1]
        _, is_cursor, mark, project, created, updated = key
        status_text, status_kind = status_parts(row.status)
        row_style = palette.base + palette.cursor if is_cursor else palette.base
        segments: list[Segment] = []
        aging_from = len(columns) * 2
        for column in columns:
            style = row_style
            column_key = column.key
            if column_key in _AGING_KEYS:
                aging_from = min(aging_from, len(segments))
            if column_key == "mark":
                text = " " if mark is None else MARK_GLYPHS.get(mark, " ")
                if mark is not None and mark in palette.marks and not is_cursor:
                    style = row_style + palette.marks[mark]
            elif column_key == "name":
                # Cleaning all of a 1 MB name for a 30-cell column would cost a frame.
                text = clean(row.name, limit=cell_limit(column.width))
            elif column_key == "type":
                text = short_type(row.type)
                if column.width < FULL_TYPE_WIDTH:
                    text = COMPACT_TYPES.get(row.type or "", text)
            elif column_key == "status":
                text = status_text
                if not is_cursor:
                    style = row_style + palette.status[status_kind]
            elif column_key == "project":
                text = project
            elif column_key == "created":
                text = created
            elif column_key == "updated":
                text = updated
            else:
                text = clean(row.uid)
            segments.append(Segment(fit(text, column.width), style))
            segments.append(Segment(" " * GAP, row_style))
        line = list(Strip(segments).adjust_cell_length(width, row_style))
        # The ages start a segment of their own: a terminal write of a changed age then
        # starts at that cell, not at the row's left edge (see ui/partial_update.py).
        strip = Strip([*Segment.simplify(line[:aging_from]), *Segment.simplify(line[aging_from:])])
        self._row_cache[key] = (row, strip)
        return strip
