"""DRF's CursorPagination over an in-memory index, ordered ``-created_at`` with uid breaking ties.

The behaviour follows Django REST Framework's ``CursorPagination``: a cursor holds a
position (the ``created_at`` of a marker row), an offset past the rows that share the
boundary position, and a direction. Because rows are only ever selected *strictly* past
the position, rows created after a cursor was issued never shift the pages that follow
it. Cursors are standard base64, so ``+``, ``/`` and ``=`` travel percent-encoded in the
links, and they are read as leniently as DRF reads them: characters outside the alphabet
are skipped (``***`` is the first page). One deliberate difference: a position that names
no moment is an "Invalid cursor" 404 here, where DRF fails with a 500.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar
from urllib.parse import parse_qs, urlencode

from avala_tui.demo import clock

#: DRF's ``offset_cutoff``: a cursor may skip at most this many rows.
OFFSET_CUTOFF = 1000


class InvalidCursor(ValueError):
    """The ``cursor`` parameter does not decode to a cursor."""


class Ordered(Protocol):
    """A row the index can order: newest first, uid ascending among equal times."""

    @property
    def uid(self) -> str: ...

    @property
    def created_us(self) -> int: ...


RowT = TypeVar("RowT", bound=Ordered)


def _forward_key(row: Ordered) -> tuple[int, str]:
    return (-row.created_us, row.uid)


def _negated_time(row: Ordered) -> int:
    return -row.created_us


@dataclass(frozen=True, slots=True)
class Cursor:
    """A decoded DRF cursor."""

    offset: int = 0
    reverse: bool = False
    position: str | None = None

    def encode(self) -> str:
        """The cursor as it travels in a ``cursor`` query parameter."""
        tokens: dict[str, str] = {}
        if self.offset:
            tokens["o"] = str(self.offset)
        if self.reverse:
            tokens["r"] = "1"
        if self.position is not None:
            tokens["p"] = self.position
        return base64.b64encode(urlencode(tokens).encode("ascii")).decode("ascii")

    @classmethod
    def decode(cls, encoded: str) -> Cursor:
        """Parse a ``cursor`` parameter; InvalidCursor when it is not one."""
        try:
            # Not validated, as in DRF: b64decode drops what is outside the alphabet.
            decoded = base64.b64decode(encoded.encode("ascii")).decode("ascii")
            tokens = parse_qs(decoded, keep_blank_values=True)
            offset = int(tokens.get("o", ["0"])[0])
            reverse = bool(int(tokens.get("r", ["0"])[0]))
            position = tokens.get("p", [None])[0]
            if position is not None:
                clock.parse_position(position)
        except (UnicodeError, binascii.Error, ValueError) as error:
            raise InvalidCursor(encoded) from error
        if offset < 0:
            raise InvalidCursor(encoded)
        return cls(min(offset, OFFSET_CUTOFF), reverse, position)


class OrderedIndex(Generic[RowT]):
    """Rows in the API's order (newest first), searchable by creation time."""

    def __init__(self, rows: Iterable[RowT] = ()) -> None:
        self._rows: list[RowT] = sorted(rows, key=_forward_key)

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[RowT]:
        return iter(self._rows)

    def insert(self, row: RowT) -> None:
        """Add a row at its place in the order."""
        bisect.insort(self._rows, row, key=_forward_key)

    def newest(self) -> RowT | None:
        """The first row of the listing, or None when the index is empty."""
        return self._rows[0] if self._rows else None

    def older_than(self, us: int | None) -> Iterator[RowT]:
        """Rows created strictly before ``us`` (all rows when None), newest first."""
        start = 0 if us is None else bisect.bisect_right(self._rows, -us, key=_negated_time)
        return itertools.islice(self._rows, start, None)

    def newer_than(self, us: int | None) -> Iterator[RowT]:
        """Rows created strictly after ``us`` (all rows when None), oldest first."""
        rows = self._rows
        end = len(rows) if us is None else bisect.bisect_left(rows, -us, key=_negated_time)
        return (rows[index] for index in range(end - 1, -1, -1))


@dataclass(frozen=True, slots=True)
class Page(Generic[RowT]):
    """One page of rows in the API's order, with the cursors of its neighbours."""

    rows: list[RowT]
    next: Cursor | None
    previous: Cursor | None


def _position_of(row: Ordered) -> str:
    return clock.position(row.created_us)


def paginate(
    index: OrderedIndex[RowT],
    cursor: Cursor | None,
    page_size: int,
    keep: Callable[[RowT], bool] | None = None,
) -> Page[RowT]:
    """The page ``cursor`` designates (the first page when None), as DRF would cut it."""
    current = cursor or Cursor()
    at_us = None if current.position is None else clock.parse_position(current.position)
    # A reverse cursor walks the index backwards, so its rows lie after its position.
    source = index.newer_than(at_us) if current.reverse else index.older_than(at_us)
    if keep is not None:
        source = filter(keep, source)
    # One row past the page tells whether a page follows and where it starts.
    fetched = list(itertools.islice(source, current.offset, current.offset + page_size + 1))
    rows = fetched[:page_size]
    following = _position_of(fetched[-1]) if len(fetched) > page_size else None
    started_past_top = current.position is not None or current.offset > 0

    if current.reverse:
        rows.reverse()
        has_next, next_position = started_past_top, current.position
        has_previous, previous_position = following is not None, following
    else:
        has_next, next_position = following is not None, following
        has_previous, previous_position = started_past_top, current.position

    bounds = _Bounds(
        rows, current, page_size, has_next, has_previous, next_position, previous_position
    )
    return Page(
        rows,
        bounds.next_cursor() if has_next else None,
        bounds.previous_cursor() if has_previous else None,
    )


@dataclass(frozen=True, slots=True)
class _Bounds(Generic[RowT]):
    """What DRF needs to place the cursors of the pages either side of a page."""

    rows: list[RowT]
    cursor: Cursor
    page_size: int
    has_next: bool
    has_previous: bool
    next_position: str | None
    previous_position: str | None

    def next_cursor(self) -> Cursor:
        """Mark the next page with the last row whose position differs from the row after it."""
        rows, cursor = self.rows, self.cursor
        compare: str | None
        if rows and cursor.reverse and cursor.offset:
            # Turning round from an offset reverse cursor: the following position is unknown.
            compare = _position_of(rows[-1])
        else:
            compare = self.next_position
        offset, position = _marker(reversed(rows), compare)
        if rows and position is None:
            # Every row shares one position, so no row can serve as the marker.
            if not self.has_previous:
                offset, position = self.page_size, None
            elif cursor.reverse:
                offset, position = 0, self.previous_position
            else:
                offset, position = cursor.offset + self.page_size, self.previous_position
        if not rows:
            position = self.next_position
        return Cursor(offset, False, position)

    def previous_cursor(self) -> Cursor:
        """The mirror image of next_cursor, scanning the page from its first row."""
        rows, cursor = self.rows, self.cursor
        compare: str | None
        if rows and not cursor.reverse and cursor.offset:
            compare = _position_of(rows[0])
        else:
            compare = self.previous_position
        offset, position = _marker(iter(rows), compare)
        if rows and position is None:
            if not self.has_next:
                offset, position = self.page_size, None
            elif cursor.reverse:
                offset, position = cursor.offset + self.page_size, self.next_position
            else:
                offset, position = 0, self.next_position
        if not rows:
            position = self.previous_position
        return Cursor(offset, True, position)


def _marker(rows: Iterator[Ordered], compare: str | None) -> tuple[int, str | None]:
    """The first position in ``rows`` that differs from its successor, and the rows skipped."""
    skipped = 0
    for row in rows:
        position = _position_of(row)
        if position != compare:
            return skipped, position
        compare = position
        skipped += 1
    return skipped, None
