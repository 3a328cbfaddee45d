"""A quick-filtered, sorted view of the loaded tasks. Imports no Textual.

The table shows either the store itself (no filter, no sort: the API's order at
no cost) or a ``TaskView`` of it. The view is rebuilt in O(n log n) only when its
query or sort changes or the store is edited; a page appended at the bottom is
merged in place (filtered, then inserted by binary search when sorted), so
loading pages stays cheap at 100,000 rows.
"""

from __future__ import annotations

import math
from bisect import insort_left, insort_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Final, overload

from avala_tui.core.store import TaskRow, TaskStore

#: Columns the view sorts by, in the order a key cycles through them.
SORT_COLUMNS: Final = ("name", "type", "status", "project", "created", "updated", "uid")


@dataclass(frozen=True, slots=True)
class Sort:
    """Sort by one column; ties keep the API's order (newest first) either way."""

    column: str
    reverse: bool = False

    def __post_init__(self) -> None:
        if self.column not in SORT_COLUMNS:
            raise ValueError(f"cannot sort by {self.column!r}")


def next_sort(current: Sort | None) -> Sort | None:
    """The sort after ``current`` in the cycle: each column, then the API's order again."""
    if current is None:
        return Sort(SORT_COLUMNS[0])
    position = SORT_COLUMNS.index(current.column) + 1
    return Sort(SORT_COLUMNS[position], current.reverse) if position < len(SORT_COLUMNS) else None


def header_sort(current: Sort | None, column: str) -> Sort | None:
    """What a click on a column's header does: sort by it, then reverse, then the API's order."""
    if column not in SORT_COLUMNS:
        return current
    if current is None or current.column != column:
        return Sort(column)
    return None if current.reverse else Sort(column, reverse=True)


SortValue = str | float
#: Ascending and descending, as the table's header draws them.
SORT_ARROWS: Final = ("▲", "▼")


def sort_value(
    column: str, project_names: Mapping[str, str]
) -> Callable[[TaskRow], SortValue | None]:
    """What a column sorts by: text case-insensitively, a project by its name; None if unset."""
    if column in ("name", "type", "status", "uid"):
        read = attrgetter(column)

        def text(row: TaskRow) -> str | None:
            value: str | None = read(row)
            return None if value is None else value.casefold()

        return text
    if column == "project":

        def project(row: TaskRow) -> str | None:
            uid = row.project
            return None if uid is None else project_names.get(uid, uid).casefold()

        return project
    if column in ("created", "updated"):
        moment: Callable[[TaskRow], float | None] = attrgetter(column)
        return moment
    raise ValueError(f"cannot sort by {column!r}")


def _refines(new: str, old: str) -> bool:
    """Whether every task matching ``new`` also matches ``old`` (typing on narrows)."""
    new_terms = new.casefold().split()
    old_terms = old.casefold().split()
    return bool(old_terms) and all(
        any(term in longer for longer in new_terms) for term in old_terms
    )


def matcher(query: str, project_names: Mapping[str, str]) -> Callable[[TaskRow], bool] | None:
    """A test for the quick filter, or None when the query is blank.

    Every word of the query must appear, case-insensitively, in the task's name,
    uid, type, status or project name (the uid while the name is unknown).
    """
    terms = query.casefold().split()
    if not terms:
        return None

    def matches(row: TaskRow) -> bool:
        uid = row.project
        project = "" if uid is None else project_names.get(uid, uid)
        # Joined by a newline, which no word of a query holds: a word never spans two fields.
        fields = f"{row.name or ''}\n{row.uid}\n{row.type or ''}\n{row.status or ''}\n{project}"
        text = fields.casefold()
        # A plain loop, not all(): this runs once per loaded row on each keystroke.
        for term in terms:  # noqa: SIM110
            if term not in text:
                return False
        return True

    return matches


class TaskView(Sequence[TaskRow]):
    """The store's rows that match a quick filter, in a chosen order, built lazily.

    Reading it (``len``, an index) first brings it up to date with the store, so
    whoever mutates the store only needs to tell the table, as without a view.
    Tasks missing the sorted value come last in either direction.
    """

    def __init__(self, store: TaskStore, project_names: Mapping[str, str]) -> None:
        self._store = store
        self._names = project_names
        self._query = ""
        self._sort: Sort | None = None
        # Ascending, tasks without a value after the rest. A reversed sort is kept
        # ascending too, with those tasks before the rest and ties in reverse API order,
        # and read backwards: ties then come out in API order, and an appended row is
        # placed by a plain binary search.
        self._rows: list[TaskRow] = []
        self._unset = 0
        self._index: dict[str, int] | None = None
        self._stale = True
        self._narrowing = False
        self._edits = -1
        self._seen = 0
        self._names_seen = 0

    # ------------------------------------------------------------- settings

    @property
    def query(self) -> str:
        """The quick filter's text; blank for none."""
        return self._query

    @query.setter
    def query(self, query: str) -> None:
        if query == self._query:
            return
        if not self._stale and _refines(query, self._query):
            # Typing on only narrows what is shown: filter the shown rows, keep their order.
            self._narrowing = True
        else:
            self._stale = True
        self._query = query

    @property
    def sort(self) -> Sort | None:
        """The order; None for the API's (newest first)."""
        return self._sort

    @sort.setter
    def sort(self, sort: Sort | None) -> None:
        if sort != self._sort:
            self._sort = sort
            self._stale = True

    @property
    def filtering(self) -> bool:
        """Whether the quick filter holds a query."""
        return bool(self._query.split())

    @property
    def active(self) -> bool:
        """Whether the view differs from the store (otherwise show the store itself)."""
        return self.filtering or self._sort is not None

    @property
    def store(self) -> TaskStore:
        """The rows the view is of."""
        return self._store

    def describe(self, *, all_loaded: bool) -> tuple[str | None, str | None]:
        """Status-line texts: how many rows match ("12 of 1,200 loaded match"), the order."""
        matched = None
        if self.filtering:
            scope = "" if all_loaded else " loaded"
            matched = f"{len(self):,} of {len(self._store):,}{scope} match"
        order = None
        if self._sort is not None:
            order = f"by {self._sort.column} {SORT_ARROWS[self._sort.reverse]}"
        return matched, order

    # ------------------------------------------------------------- sequence

    @property
    def _backwards(self) -> bool:
        return self._sort is not None and self._sort.reverse

    def __len__(self) -> int:
        return len(self._current())

    @overload
    def __getitem__(self, index: int) -> TaskRow: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[TaskRow]: ...
    def __getitem__(self, index: int | slice) -> TaskRow | Sequence[TaskRow]:
        rows = self._current()
        if not self._backwards:
            return rows[index]
        if isinstance(index, slice):
            return [rows[-1 - position] for position in range(*index.indices(len(rows)))]
        if index < 0:
            index += len(rows)
        if not 0 <= index < len(rows):
            raise IndexError("view index out of range")
        return rows[-1 - index]

    def __iter__(self) -> Iterator[TaskRow]:
        rows = self._current()
        return reversed(rows) if self._backwards else iter(rows)

    def __contains__(self, uid: object) -> bool:
        return isinstance(uid, str) and self.index_of(uid) is not None

    def index_of(self, uid: str) -> int | None:
        """Position of a task in the view, or None when it is not shown."""
        self._current()
        if self._index is None:
            self._index = {row.uid: position for position, row in enumerate(self)}
        return self._index.get(uid)

    # -------------------------------------------------------------- upkeep

    def _names_matter(self) -> bool:
        return self.filtering or (self._sort is not None and self._sort.column == "project")

    def _current(self) -> list[TaskRow]:
        store = self._store
        if (
            self._stale
            or store.edits != self._edits
            or len(store) < self._seen
            or (self._names_matter() and len(self._names) != self._names_seen)
        ):
            self._rebuild()
        else:
            if self._narrowing:
                self._narrow()
            if len(store) > self._seen:
                self._take_appended()
        return self._rows

    def _value(self) -> Callable[[TaskRow], Any] | None:
        # Typed Any: one column yields only strings or only floats, which mypy cannot see.
        return None if self._sort is None else sort_value(self._sort.column, self._names)

    def _rebuild(self) -> None:
        store = self._store
        test = matcher(self._query, self._names)
        rows = list(store) if test is None else [row for row in store if test(row)]
        value = self._value()
        if value is None:
            self._rows, self._unset = rows, 0
        else:
            if self._backwards:
                rows.reverse()
            # Each value computed once; plain strings or floats as the keys, which timsort
            # compares far faster than the tuples that would place the missing ones.
            values = list(map(value, rows))
            order = [position for position, key in enumerate(values) if key is not None]
            order.sort(key=values.__getitem__)
            keyed = [rows[position] for position in order]
            unset = [row for row, key in zip(rows, values, strict=True) if key is None]
            self._rows = unset + keyed if self._backwards else keyed + unset
            self._unset = len(unset)
        self._index = None
        self._stale = False
        self._narrowing = False
        self._edits = store.edits
        self._seen = len(store)
        self._names_seen = len(self._names)

    def _narrow(self) -> None:
        self._narrowing = False
        test = matcher(self._query, self._names)
        if test is None:
            return
        value = self._value()
        self._rows = [row for row in self._rows if test(row)]
        self._unset = 0 if value is None else sum(value(row) is None for row in self._rows)
        self._index = None

    def _take_appended(self) -> None:
        store = self._store
        test = matcher(self._query, self._names)
        tail = store[self._seen :]
        new = list(tail) if test is None else [row for row in tail if test(row)]
        self._seen = len(store)
        if not new:
            return
        self._index = None
        rows = self._rows
        value = self._value()
        if value is None:
            rows.extend(new)
            return
        if len(new) * math.log2(len(rows) + 2) > len(rows):
            # Many rows onto few: sorting them all again is as cheap.
            self._rebuild()
            return
        # Each appended row is later in the API's order than every row before it, so
        # among equal values it goes last (first where the list is read backwards).
        backwards = self._backwards
        for row in new:
            if value(row) is None:
                if backwards:
                    rows.insert(0, row)
                else:
                    rows.append(row)
                self._unset += 1
            elif backwards:
                insort_left(rows, row, lo=self._unset, key=value)
            else:
                insort_right(rows, row, hi=len(rows) - self._unset, key=value)
