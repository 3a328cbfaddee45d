"""The loaded tasks, held once, compactly, in the API's order. Imports no Textual.

A lead's project may hold 100,000 tasks, so a row is a slotted record with its
repeated strings interned and its times as epoch floats rather than datetime objects.
The table renders straight from these rows.
"""

from __future__ import annotations

import sys
from collections import Counter
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
        extra = task.extra
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
    #: Rows that left the list (a refresh showed they no longer stand where they were).
    gone: tuple[str, ...] = ()


@dataclass
class TaskStore(Sequence[TaskRow]):
    """Loaded tasks in the API's order (newest first), unique by uid."""

    _rows: list[TaskRow] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)
    #: Loaded rows per (project, status), kept up to date on every change.
    _counts: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)
    #: Bumped by every change but rows appended at the bottom, so a view of the rows
    #: can tell when merging the new tail is not enough and it must be rebuilt.
    edits: int = 0

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

    def tally(self, *, project: str | None = None, status: str | None = None) -> int:
        """Loaded rows of a project and a status (None matches any)."""
        return sum(
            number
            for (row_project, row_status), number in self._counts.items()
            if (project is None or row_project == project)
            and (status is None or row_status == status)
        )

    def projects_counted(self) -> set[str]:
        """Projects with at least one loaded row."""
        return {project for project, _ in self._counts if project is not None}

    def clear(self) -> None:
        """Forget every row (a filter change)."""
        self._rows.clear()
        self._index.clear()
        self._counts.clear()
        self.edits += 1

    def _update(self, position: int, row: TaskRow, changed: list[str], status: list[str]) -> None:
        old = self._rows[position]
        if old.same_content(row):
            return
        if old.status != row.status:
            status.append(row.uid)
        changed.append(row.uid)
        self._counts[old.project, old.status] -= 1
        self._counts[row.project, row.status] += 1
        self.edits += 1
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
                self._counts[row.project, row.status] += 1
                added.append(row.uid)
            else:
                self._update(position, row, changed, status)
        return MergeResult(tuple(added), tuple(changed), tuple(status))

    def merge_refresh(
        self, rows: Sequence[TaskRow], *, first_page: bool = True, last_page: bool = False
    ) -> MergeResult:
        """Merge a re-fetched page, trusting the page's own order over any guess from times.

        Loaded tasks update in place. The page is the truth for the span of the list
        it covers, from its first loaded task to its last (from the top of the list
        for the ``first_page``, to its end for the ``last_page`` of an exhausted
        list): in that span the rows take the page's order, a task not seen before
        goes next to its neighbours as the page lists them, and a loaded task the
        page skipped has left the view. An unseen task after the page's last loaded
        one is left for the next page to bring, unless there is no next page.
        """
        changed: list[str] = []
        status: list[str] = []
        fresh: dict[str, TaskRow] = {}
        for row in rows:
            if row.uid in fresh:
                continue
            fresh[row.uid] = row
            position = self._index.get(row.uid)
            if position is not None:
                self._update(position, row, changed, status)
        order = list(fresh)
        known = [index for index, uid in enumerate(order) if uid in self._index]
        if known:
            positions = [self._index[order[index]] for index in known]
            start, end = min(positions), max(positions) + 1
            # Unseen tasks before the page's first loaded one go right above it; those
            # after its last loaded one only when no further page will bring them.
            span_uids = order if last_page else order[: known[-1] + 1]
        elif first_page:
            start = end = 0
            span_uids = order
        else:
            # Nothing on it is loaded: there is no telling where it belongs.
            return MergeResult((), tuple(changed), tuple(status))
        if first_page:
            start = 0
        if last_page:
            end = len(self._rows)
        span = set(span_uids)
        # A loaded task in the span that the page skipped no longer stands there.
        gone = [row for row in self._rows[start:end] if row.uid not in span]
        added = [uid for uid in span_uids if uid not in self._index]
        replacement = [
            self._rows[self._index[uid]] if uid in self._index else fresh[uid] for uid in span_uids
        ]
        if not added and not gone and self._rows[start:end] == replacement:
            return MergeResult((), tuple(changed), tuple(status))
        self._rows[start:end] = replacement
        for uid in added:
            self._counts[fresh[uid].project, fresh[uid].status] += 1
        self._counts.subtract((row.project, row.status) for row in gone)
        self._reindex()
        return MergeResult(
            tuple(added), tuple(changed), tuple(status), gone=tuple(row.uid for row in gone)
        )

    def _reindex(self) -> None:
        # Rows moved (inserted on top or removed): not an append.
        self.edits += 1
        self._index = {row.uid: position for position, row in enumerate(self._rows)}
