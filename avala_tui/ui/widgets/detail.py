"""The detail pane: every field of one task, as get-task returned it.

The pane owns its get-task worker, the debounce that keeps a held ``j`` from
sending a request per row, and a short cache so moving back and forth is free.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, ClassVar, Final

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from avala_tui.api.errors import AvalaError, NotFoundError, PermissionDeniedError
from avala_tui.api.models import Task
from avala_tui.api.protocol import TasksAPI
from avala_tui.core.detail_cache import DetailCache
from avala_tui.core.status import describe_error
from avala_tui.core.store import TaskRow
from avala_tui.core.text import clean, literal, short_uid, status_label


def format_time(value: datetime | float | None, now: float) -> str:
    """Absolute local time, e.g. "2025-01-10 08:00:00 UTC".

    How long ago is the table's to say, in its own column on the row right beside:
    one relative time, one rounding, and a pane that an idle minute does not repaint.
    """
    if value is None:
        return "—"
    epoch = value if isinstance(value, float) else value.timestamp()
    local = datetime.fromtimestamp(epoch).astimezone()
    return f"{local:%Y-%m-%d %H:%M:%S %Z}"


def _value_text(value: Any) -> Text:
    if isinstance(value, str | int | float | bool) or value is None:
        return literal(value)
    # Nested undocumented data is shown as compact JSON, still as plain text.
    return literal(json.dumps(value, ensure_ascii=False, default=str))


#: How long the cursor must rest on a row before get-task is called for it.
DETAIL_DEBOUNCE_SECONDS: Final = 0.15
#: A pane this many lines high or fewer is compact: it leaves out what the table's
#: row already shows (name, status, project name), so 80x24 keeps 14 task rows.
COMPACT_HEIGHT: Final = 6


@dataclass
class _Loaded(Message):
    """get-task answered."""

    task: Task


@dataclass
class _Failed(Message):
    """get-task failed for a task."""

    uid: str
    error: AvalaError


class TaskDetail(VerticalScroll, can_focus=True):
    """Shows one task in full; scrolls when the fields do not fit."""

    # The same keys as in the table: j and k scroll wherever there is something to scroll.
    BINDINGS: ClassVar[list[BindingType]] = [
        # The table's ids: a keymap that moves the table's cursor moves this pane's lines too.
        Binding("j", "scroll_down", "Down", show=False, id="down"),
        Binding("k", "scroll_up", "Up", show=False, id="up"),
    ]

    DEFAULT_CSS = """
    TaskDetail > Static { width: 1fr; height: auto; }
    """

    def __init__(
        self,
        client: TasksAPI | None = None,
        *,
        project_names: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        debounce: float = DETAIL_DEBOUNCE_SECONDS,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.client = client
        self._project_names: Mapping[str, str] = {} if project_names is None else project_names
        self._clock = clock
        self.debounce = debounce
        self.cache = DetailCache()
        """get-task answers of the last few seconds."""
        self.fetching = 0
        """get-task requests in flight (a newer one may start before a cancelled one ends)."""
        self._debounce_timer: Timer | None = None
        self._body = Static("Select a task to see it in full.", markup=False)
        #: The uid of the task shown, so late answers for other tasks can be ignored.
        self.shown_uid: str | None = None
        #: A task opened by uid (``--task``): shown until the user moves the cursor.
        self.pinned_uid: str | None = None
        # What _show last drew from, to redraw it as the clock or the height moves.
        self._shown: tuple[TaskRow, str | None, RenderableType] | None = None
        self._drawn_key: tuple[object, ...] = ()

    # What the screen asks of the pane -----------------------------------------

    def follow(self, row: TaskRow | None, *, by_user: bool = True) -> None:
        """The cursor moved to ``row``: show what the list knows, then get-task once it rests.

        A task opened by uid stays on screen through loads and refreshes; the user's
        own move of the cursor lets the pane follow it again.
        """
        if self.pinned_uid is not None:
            if not by_user:
                return
            self.pinned_uid = None
        self._stop_debounce()
        if row is None:
            self.show_message("No task selected.")
            return
        project_name = self._name_of(row.project)
        cached = self.cache.get(row.uid)
        if cached is not None:
            self.show_task(cached, project_name)
            return
        self.show_row(row, project_name)
        # Holding j must not fire a request per row: only a row the cursor rests on is fetched.
        self._debounce_timer = self.set_timer(self.debounce, partial(self.fetch, row.uid))

    def open_task(self, uid: str) -> None:
        """Show a task that may not be loaded in the list (``--task``)."""
        self._stop_debounce()
        self.show_message(f"Fetching task {clean(uid)}…")
        self.shown_uid = self.pinned_uid = uid
        self.fetch(uid)

    def reload(self) -> None:
        """Forget cached answers and fetch the shown task again."""
        self.cache.clear()
        if self.shown_uid is not None:
            self.fetch(self.shown_uid)

    def _stop_debounce(self) -> None:
        if self._debounce_timer is not None:
            self._debounce_timer.stop()
            self._debounce_timer = None

    def _name_of(self, project: str | None) -> str | None:
        return None if project is None else self._project_names.get(project)

    @work(group="detail", exclusive=True, exit_on_error=False)
    async def fetch(self, uid: str) -> None:
        """get-task for the row the cursor rests on; a newer row cancels it."""
        if self.client is None:
            return
        self.fetching += 1
        try:
            task = await self.client.get_task(uid)
        except AvalaError as error:
            self.post_message(_Failed(uid, error))
        else:
            self.post_message(_Loaded(task))
        finally:
            self.fetching -= 1

    @on(_Loaded)
    def _loaded(self, message: _Loaded) -> None:
        message.stop()
        task = message.task
        self.cache.put(task)
        if task.uid == self.shown_uid:
            self.show_task(task, self._name_of(task.project))

    @on(_Failed)
    def _failed(self, message: _Failed) -> None:
        message.stop()
        error = message.error
        # The API's own sentence, naming the task: never "Not found: Not found.".
        reason = (
            error.message
            if isinstance(error, NotFoundError | PermissionDeniedError)
            else describe_error(error)
        )
        self.show_error(message.uid, f"Task {short_uid(message.uid)}: {reason}")

    # Drawing --------------------------------------------------------------------

    def compose(self) -> Iterable[Static]:
        yield self._body

    def on_resize(self) -> None:
        self._redraw()

    @property
    def compact(self) -> bool:
        """Whether the pane is too short for every field (a 24-row terminal)."""
        return 0 < self.size.height <= COMPACT_HEIGHT

    def _grid(self, rows: Iterable[tuple[str, Text]]) -> Table:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in rows:
            grid.add_row(literal(label), value)
        return grid

    def show_message(self, message: str) -> None:
        """Show a plain note instead of a task."""
        self.shown_uid = None
        self._shown = None
        self._body.update(literal(message, placeholder=""))

    def _fields(
        self, row: TaskRow, project_name: str | None, now: float, *, compact: bool = False
    ) -> list[tuple[str, Text]]:
        """Every documented field, then every undocumented one, as the server sent it.

        Compact, the fields the table's row already shows (status, the project's name)
        are left out: the pane has four lines, and the cursor row is right above.
        """
        fields = [("UID", literal(row.uid)), ("Type", literal(row.type))]
        if not compact:
            fields += [
                ("Status", status_label(row.status)),
                ("Project", self._project(row.project, project_name)),
            ]
        fields += [
            ("Created", Text(format_time(row.created, now))),
            ("Updated", Text(format_time(row.updated, now))),
        ]
        fields += [(clean(key), _value_text(value)) for key, value in (row.extra or {}).items()]
        return fields

    def show_row(self, row: TaskRow, project_name: str | None) -> None:
        """Show what the list already knows while get-task is on its way."""
        self._show(row, project_name, Text("fetching task…", style="dim italic"))

    def show_task(self, task: Task, project_name: str | None) -> None:
        """Show get-task's answer in full."""
        fetched = datetime.fromtimestamp(self._clock()).astimezone()
        footer = Text(f"get-task · {fetched:%H:%M:%S}", style="dim")
        self._show(TaskRow.from_task(task), project_name, footer)

    def show_error(self, uid: str, message: str) -> None:
        """Show why get-task failed for the task under the cursor."""
        if uid != self.shown_uid:
            return
        self._shown = None
        body = Group(
            Text("⚠ ", style="bold").append(literal(message)),
            Text("r retries", style="dim"),
        )
        self._body.update(body)

    def _project(self, uid: str | None, name: str | None) -> Text:
        if uid is None:
            return literal(None)
        if name is None:
            return literal(uid)
        return literal(name).append(f"  {clean(uid)}", style="dim")

    def _show(self, row: TaskRow, project_name: str | None, footer: RenderableType) -> None:
        self.shown_uid = row.uid
        self._shown = (row, project_name, footer)
        self._drawn_key = ()
        self._redraw()

    def _redraw(self) -> None:
        """Draw the shown task again if the pane's height changed what fits."""
        if self._shown is None:
            return
        row, project_name, footer = self._shown
        now = self._clock()
        compact = self.compact
        # Only what changes the drawing: an idle pane over SSH must write nothing.
        key = (id(row), compact)
        if key == self._drawn_key:
            return
        self._drawn_key = key
        grid = self._grid(self._fields(row, project_name, now, compact=compact))
        if compact:
            self._body.update(Group(grid, footer))
            return
        title = literal(row.name, placeholder="(no name)")
        title.stylize("bold")
        self._body.update(Group(title, grid, footer))
