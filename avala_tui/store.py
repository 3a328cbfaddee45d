"""The loaded tasks, held once, compactly, in the API's order. Imports no Textual.

A lead's project may hold 100,000 tasks, so a row is a slotted record with its
repeated strings interned and its times as epoch floats (about a quarter of a
pydantic model's footprint). The table renders straight from these rows.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, overload

from avala_tui.api.models import Task


def _intern(value: str | None) -> str | None:
    # Types, statuses and project uids repeat across thousands of rows.
    return None if value is None else sys.intern(value)


def _epoch(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


@dataclass(slots=True)
class TaskRow:
    """One loaded task, as compact as the table can render it from."""

    uid: str
    name: str | None
    type: str | None
    status: str | None
    project: str | None
    created: float | None
    updated: float | None
    #: Undocumented fields the server sent, or None when there were none.
    extra: dict[str, Any] | None = None

    @classmethod
    def from_task(cls, task: Task) -> TaskRow:
        """Compact a parsed task into a row."""
        extra = task.model_extra
        return cls(
            uid=task.uid,
            name=task.name,
            type=_intern(task.type),
            status=_intern(task.status),
            project=_intern(task.project),
            created=_epoch(task.created_at),
            updated=_epoch(task.updated_at),
            extra=dict(extra) if extra else None,
        )

    def same_content(self, other: TaskRow) -> bool:
        """Whether two rows for the same uid show the same thing."""
        return (
            self.name == other.name
            and self.type == other.type
            and self.status == other.status
            and self.project == other.project
            and self.created == other.created
            and self.updated == other.updated
            and self.extra == other.extra
        )


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What a merge changed, by uid."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    #: Rows whose status is not what it was (a subset of ``changed``).
    status_changed: tuple[str, ...] = ()


@dataclass
class TaskStore(Sequence[TaskRow]):
    """Loaded tasks in the API's order (newest first), unique by uid."""

    _rows: list[TaskRow] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> TaskRow: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[TaskRow]: ...
    def __getitem__(self, index: int | slice) -> TaskRow | Sequence[TaskRow]:
        return self._rows[index]

    def __iter__(self) -> Iterator[TaskRow]:
        return iter(self._rows)

    def __contains__(self, uid: object) -> bool:
        return uid in self._index

    def index_of(self, uid: str) -> int | None:
        """Position of a task, or None when it is not loaded."""
        return self._index.get(uid)

    def get(self, uid: str) -> TaskRow | None:
        """The loaded row for a uid, if any."""
        position = self._index.get(uid)
        return None if position is None else self._rows[position]

    def clear(self) -> None:
        """Forget every row (a filter change)."""
        self._rows.clear()
        self._index.clear()

    def _update(self, position: int, row: TaskRow, changed: list[str], status: list[str]) -> None:
        old = self._rows[position]
        if old.same_content(row):
            return
        if old.status != row.status:
            status.append(row.uid)
        changed.append(row.uid)
        self._rows[position] = row

    def append_page(self, rows: Iterable[TaskRow]) -> MergeResult:
        """Add a further page at the bottom; rows already loaded are updated in place."""
        added: list[str] = []
        changed: list[str] = []
        status: list[str] = []
        for row in rows:
            position = self._index.get(row.uid)
            if position is None:
                self._index[row.uid] = len(self._rows)
                self._rows.append(row)
                added.append(row.uid)
            else:
                self._update(position, row, changed, status)
        return MergeResult(tuple(added), tuple(changed), tuple(status))

    def merge_refresh(self, rows: Sequence[TaskRow]) -> MergeResult:
        """Merge a re-fetched page: unseen tasks go on top, known ones update in place.

        New tasks keep the order the server gave them, above every loaded row,
        since the API lists newest first.
        """
        added_rows: list[TaskRow] = []
        added_uids: set[str] = set()
        changed: list[str] = []
        status: list[str] = []
        for row in rows:
            position = self._index.get(row.uid)
            if position is None:
                if row.uid not in added_uids:
                    added_uids.add(row.uid)
                    added_rows.append(row)
            else:
                self._update(position, row, changed, status)
        if added_rows:
            self._rows[0:0] = added_rows
            self._index = {row.uid: position for position, row in enumerate(self._rows)}
        return MergeResult(tuple(row.uid for row in added_rows), tuple(changed), tuple(status))
