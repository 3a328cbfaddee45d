"""The DRF cursor pagination of the demo API, against a brute-force reading of the same rows."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avala_tui.demo import clock
from avala_tui.demo.pagination import (
    OFFSET_CUTOFF,
    Cursor,
    InvalidCursor,
    OrderedIndex,
    paginate,
)

SECOND = clock.US_PER_SECOND


@dataclass(frozen=True)
class Row:
    uid: str
    created_us: int
    kept: bool = True


def api_order(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: (-row.created_us, row.uid))


def walk_forward(index: OrderedIndex[Row], size: int, filtered: bool) -> list[Row]:
    keep = (lambda row: row.kept) if filtered else None
    seen: list[Row] = []
    cursor: Cursor | None = None
    for _ in range(len(index) + 2):
        page = paginate(index, cursor, size, keep)
        seen += page.rows
        if page.next is None:
            return seen
        # A cursor travels as text: decode what the client would send back.
        cursor = Cursor.decode(page.next.encode())
    raise AssertionError("the pages never ended")


rows_strategy = st.lists(
    st.builds(
        Row,
        uid=st.text("abcdefghij", min_size=6, max_size=6),
        # Few distinct seconds, so ties (and offset cursors) are common.
        created_us=st.integers(0, 12).map(lambda second: second * SECOND),
        kept=st.booleans(),
    ),
    max_size=40,
    unique_by=lambda row: row.uid,
)


@settings(max_examples=150, deadline=None)
@given(rows=rows_strategy, size=st.integers(1, 7), filtered=st.booleans())
def test_forward_pages_hold_every_row_once_in_order(rows: list[Row], size: int, filtered: bool):
    expected = [row for row in api_order(rows) if row.kept or not filtered]

    assert walk_forward(OrderedIndex(rows), size, filtered) == expected


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(st.integers(0, 10_000), max_size=40, unique=True).map(
        lambda seconds: [Row(f"u{second}", second * SECOND) for second in seconds]
    ),
    size=st.integers(1, 7),
)
def test_previous_links_walk_back_to_the_first_row(rows: list[Row], size: int):
    index = OrderedIndex(rows)
    page = paginate(index, None, size)
    while page.next is not None:
        page = paginate(index, page.next, size)
    seen = list(page.rows)
    for _ in range(len(rows) + 2):
        if page.previous is None:
            break
        page = paginate(index, page.previous, size)
        seen = page.rows + seen

    assert page.previous is None
    assert seen == api_order(rows)


def test_rows_created_after_a_cursor_do_not_shift_later_pages():
    rows = [Row(f"u{second:03}", second * SECOND) for second in range(100)]
    index = OrderedIndex(rows)
    first = paginate(index, None, 10)
    for second in range(200, 230):
        index.insert(Row(f"new{second}", second * SECOND))
    assert first.next is not None

    second_page = paginate(index, first.next, 10)

    assert second_page.rows == api_order(rows)[10:20]


def test_a_page_of_equal_times_moves_on_by_offset():
    rows = [Row(f"u{number:02}", 5 * SECOND) for number in range(25)]
    index = OrderedIndex(rows)

    first = paginate(index, None, 10)
    assert first.next == Cursor(offset=10)
    second = paginate(index, first.next, 10)
    assert second.next == Cursor(offset=20)
    assert first.rows + second.rows == api_order(rows)[:20]


def test_the_first_page_has_no_previous_and_the_last_no_next():
    index = OrderedIndex([Row("a", SECOND), Row("b", 2 * SECOND)])

    page = paginate(index, None, 5)

    assert (page.next, page.previous) == (None, None)
    assert [row.uid for row in page.rows] == ["b", "a"]


def test_an_empty_index_has_one_empty_page():
    page = paginate(OrderedIndex[Row](), None, 100)

    assert (page.rows, page.next, page.previous) == ([], None, None)


def test_a_cursor_is_standard_base64_of_drf_tokens():
    cursor = Cursor(offset=3, reverse=True, position="2025-01-10 08:00:00+00:00")

    encoded = cursor.encode()

    # The standard alphabet, as DRF's b64encode (though URL-encoded tokens never need + or /).
    assert encoded == base64.b64encode(b"o=3&r=1&p=2025-01-10+08%3A00%3A00%2B00%3A00").decode()
    assert Cursor.decode(encoded) == cursor
    assert Cursor().encode() == ""


def test_characters_outside_the_alphabet_are_skipped_like_drf():
    encoded = base64.b64encode(b"o=2").decode()

    assert Cursor.decode(f"*{encoded[:2]}%%{encoded[2:]}") == Cursor(offset=2)
    assert Cursor.decode("***") == Cursor()


def test_a_large_offset_is_cut_off_like_drf():
    encoded = base64.b64encode(b"o=999999").decode()

    assert Cursor.decode(encoded).offset == OFFSET_CUTOFF


@pytest.mark.parametrize(
    "tokens",
    [b"o=-1", b"o=x", b"r=yes", b"p=not-a-time", b"p=2025-13-40"],
)
def test_cursors_with_bad_tokens_are_invalid(tokens: bytes):
    with pytest.raises(InvalidCursor):
        Cursor.decode(base64.b64encode(tokens).decode())


@pytest.mark.parametrize("encoded", ["abc", "é", base64.b64encode(b"\xff\xfe").decode()])
def test_text_that_is_not_base64_ascii_is_an_invalid_cursor(encoded: str):
    with pytest.raises(InvalidCursor):
        Cursor.decode(encoded)
