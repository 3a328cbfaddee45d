"""The detail pane: every field of one task, as get-task returned it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from avala_tui.api.models import Task
from avala_tui.store import TaskRow
from avala_tui.ui.text import clean, literal, relative_time, status_label


def format_time(value: datetime | float | None, now: float) -> str:
    """Absolute local time and how long ago, e.g. "2025-01-10 08:00:00 UTC · 3h ago"."""
    if value is None:
        return "—"
    epoch = value if isinstance(value, float) else value.timestamp()
    local = datetime.fromtimestamp(epoch).astimezone()
    return f"{local:%Y-%m-%d %H:%M:%S %Z} · {relative_time(epoch, now)}"


def _value_text(value: Any) -> Text:
    if isinstance(value, str | int | float | bool) or value is None:
        return literal(value)
    # Nested undocumented data is shown as compact JSON, still as plain text.
    return literal(json.dumps(value, ensure_ascii=False, default=str))


class TaskDetail(VerticalScroll, can_focus=True):
    """Shows one task in full; scrolls when the fields do not fit."""

    DEFAULT_CSS = """
    TaskDetail > Static { width: 1fr; height: auto; }
    """

    def __init__(self, *, clock: Callable[[], float] = time.time, id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._body = Static("Select a task to see it in full.", markup=False)
        #: The uid of the task shown, so late answers for other tasks can be ignored.
        self.shown_uid: str | None = None

    def compose(self) -> Iterable[Static]:
        yield self._body

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
        self._body.update(literal(message, placeholder=""))

    def _fields(self, row: TaskRow, project_name: str | None, now: float) -> list[tuple[str, Text]]:
        """Every documented field, then every undocumented one, as the server sent it."""
        fields = [
            ("UID", literal(row.uid)),
            ("Type", literal(row.type)),
            ("Status", status_label(row.status)),
            ("Project", self._project(row.project, project_name)),
            ("Created", Text(format_time(row.created, now))),
            ("Updated", Text(format_time(row.updated, now))),
        ]
        fields += [(clean(key), _value_text(value)) for key, value in (row.extra or {}).items()]
        return fields

    def show_row(self, row: TaskRow, project_name: str | None) -> None:
        """Show what the list already knows while get-task is on its way."""
        fields = self._fields(row, project_name, self._clock())
        self._show(row.uid, row.name, fields, Text("fetching task…", style="dim italic"))

    def show_task(self, task: Task, project_name: str | None) -> None:
        """Show get-task's answer in full."""
        now = self._clock()
        fields = self._fields(TaskRow.from_task(task), project_name, now)
        fetched = datetime.fromtimestamp(now).astimezone()
        footer = Text(f"get-task · {fetched:%H:%M:%S}", style="dim")
        self._show(task.uid, task.name, fields, footer)

    def show_error(self, uid: str, message: str) -> None:
        """Show why get-task failed for the task under the cursor."""
        if uid != self.shown_uid:
            return
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

    def _show(
        self, uid: str, name: str | None, rows: list[tuple[str, Text]], footer: RenderableType
    ) -> None:
        self.shown_uid = uid
        title = literal(name, placeholder="(no name)")
        title.stylize("bold")
        self._body.update(Group(title, self._grid(rows), footer))
