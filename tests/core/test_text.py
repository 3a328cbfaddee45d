"""Making API values safe and compact to draw: clean, literal, fit and the labels."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from avala_tui.core.text import (
    _CHECKED_BY_CHAR,
    _TABLE,
    MAX_CHARS,
    MAX_MARKS,
    _clean_chars,
    _suspect_pattern,
    changed_span,
    clean,
    fit,
    join_fitting,
    literal,
    relative_time,
    short_type,
    short_uid,
    status_label,
    status_parts,
)

#: Characters the cleaner exists for, mixed into generated text so they turn up often.
NASTY = [
    "\x00",
    "\x07",
    "\x1b",
    "\x1b[31m",
    "\x1b]8;;http://x\x1b\\",
    "\x9b",
    "\x85",
    "\x7f",
    "\r\n",
    "\t",
    "\u2028",
    "\u2029",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\U000e0041",
    "\ud800",
    "[bold]",
    "[/]",
    "[@click=app.quit]",
    "日本",
    "👩\u200d👩\u200d👧",
]
hostile_text = st.lists(
    st.one_of(
        st.characters(exclude_categories=()),
        st.characters(categories=["Cs"]),
        st.sampled_from(NASTY),
    ),
    max_size=40,
).map("".join)

# Cc: C0/C1 controls and DEL. Cf: bidi overrides/isolates, zero-width characters and ZWJ
# (removed on purpose: terminals disagree on the width of joined emoji). Cs: lone
# surrogates, which cannot be encoded. Zl/Zp: line and paragraph separators.
FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


@given(hostile_text)
def test_clean_leaves_no_control_format_or_surrogate_character(text: str) -> None:
    cleaned = clean(text)
    assert not {unicodedata.category(char) for char in cleaned} & FORBIDDEN_CATEGORIES
    cleaned.encode("utf-8")


def _untouched_by_the_width_rules(text: str) -> bool:
    """No emoji modifier, variation selector, keycap mark or flag letter, and no more
    than MAX_MARKS combining marks in a row: what clean() rewrites so widths agree."""
    marks = 0
    for char in text:
        code = ord(char)
        if (
            code in (0xFE0E, 0xFE0F, 0x20E3)
            or 0x1F1E6 <= code <= 0x1F1FF
            or 0x1F3FB <= code < 0x1F400
        ):
            return False
        marks = marks + 1 if unicodedata.category(char).startswith("M") else 0
        if marks > MAX_MARKS:
            return False
    return len(text) <= MAX_CHARS


@given(hostile_text)
def test_clean_is_idempotent_and_keeps_printable_text(text: str) -> None:
    cleaned = clean(text)
    assert clean(cleaned) == cleaned
    if text.isprintable() and _untouched_by_the_width_rules(text):
        assert cleaned == text


@given(hostile_text)
def test_literal_is_exactly_the_cleaned_text_with_no_markup_applied(text: str) -> None:
    rendered = literal(text)
    assert rendered.plain == clean(text)
    assert rendered.spans == []


@given(hostile_text, st.integers(min_value=0, max_value=30))
def test_fit_fills_exactly_the_width(text: str, width: int) -> None:
    fitted = fit(clean(text), width)
    assert cell_len(fitted) == width
    if cell_len(clean(text)) > width > 0:
        assert fitted.rstrip(" ").endswith("…")


@pytest.mark.parametrize(
    "markup", ["[bold]x[/]", "[bold red]x[/]", "a[/]b", "[@click=app.quit]", ":smile:"]
)
def test_markup_survives_verbatim(markup: str) -> None:
    assert clean(markup) == markup
    text = literal(markup, style="bold")
    assert text.plain == markup
    console = Console(width=80, color_system=None, file=None, record=True)
    with console.capture() as capture:
        console.print(text, end="")
    assert capture.get() == markup


def test_escape_sequences_are_shown_inert() -> None:
    assert clean("x\x1b[31my") == "x␛[31my"
    assert clean("a\x00b\x7fc") == "a␀b␡c"
    assert clean("a\x9bb") == "a\ufffdb"


def test_line_breaks_and_tabs_become_spaces() -> None:
    assert clean("a\nb\r\nc\td\u2028e") == "a b  c d e"


def test_keep_newlines_keeps_one_line_break_per_break() -> None:
    assert clean("a\r\nb\rc\nd\u2028e\tf\x1b", keep_newlines=True) == "a\nb\nc\nd\ne f␛"


def test_bidi_and_zero_width_characters_are_removed() -> None:
    # U+202E would display "txt.exe" reversed as "exe.txt".
    assert clean("invoice\u202etxt.exe") == "invoicetxt.exe"
    assert clean("\u2066a\u2069\u200bb\ufeff") == "ab"


def test_lone_surrogate_is_replaced() -> None:
    assert clean("a\ud800b") == "a\ufffdb"


def test_none_and_non_strings() -> None:
    assert clean(None) == "—"
    assert clean(None, placeholder="") == ""
    assert clean(42) == "42"

    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    assert clean(Broken()) == "\ufffd"
    assert literal(None).plain == "—"


def test_fit_truncates_by_cells_not_characters() -> None:
    assert fit("abcdef", 4) == "abc…"
    assert fit("ab", 4) == "ab  "
    # A double-width character that would straddle the edge is dropped, not halved.
    assert fit("日本語テキスト", 6) == "日本… "
    assert fit("日本語テキスト", 5) == "日本…"
    assert fit("abc", 1) == "…"
    assert fit("abc", 0) == ""


def test_short_uid() -> None:
    assert short_uid("990c1800-i62f-85h8-e150-880099880000") == "990c1800…"
    assert short_uid("abc") == "abc"
    assert short_uid(None) == "—"
    assert short_uid("\x1b[2J12345678") == "␛[2J1234…"


def test_short_type_drops_the_suffix_of_documented_types_only() -> None:
    assert short_type("image-annotation") == "image"
    assert short_type("point-cloud-annotation") == "point-cloud"
    assert short_type("point-cloud-objects") == "point-cloud-objects"
    assert short_type("lidar-annotation") == "lidar-annotation"
    assert short_type(None) == "—"


def test_status_labels_read_without_colour() -> None:
    assert status_parts("pending") == ("○ pending", "pending")
    assert status_parts("completed") == ("✓ completed", "completed")
    assert status_parts("in_progress") == ("? in_progress", "other")
    assert status_parts("[red]x\x1b") == ("? [red]x␛", "other")
    assert status_parts(None) == ("—", "other")
    assert status_label("pending").plain == "○ pending"


NOW = 1_750_000_000.0


@pytest.mark.parametrize(
    ("elapsed", "label"),
    [
        (0, "now"),
        (4.9, "now"),
        (-30, "now"),
        (9.9, "now"),
        (10, "10s ago"),
        (42, "40s ago"),
        (59.9, "50s ago"),
        (60, "1m ago"),
        (5 * 60 + 59, "5m ago"),
        (3600, "1h ago"),
        (3 * 3600 + 10, "3h ago"),
        (86400, "1d ago"),
        (13 * 86400, "13d ago"),
        (14 * 86400, "2w ago"),
        (6 * 7 * 86400, "6w ago"),
        (8 * 7 * 86400 - 1, "7w ago"),
    ],
)
def test_relative_time(elapsed: float, label: str) -> None:
    assert relative_time(NOW - elapsed, NOW) == label


def test_old_and_future_times_show_a_local_date() -> None:
    old = NOW - 8 * 7 * 86400
    future = NOW + 3600
    assert relative_time(old, NOW) == datetime.fromtimestamp(old).date().isoformat()
    assert relative_time(future, NOW) == datetime.fromtimestamp(future).date().isoformat()


def test_relative_time_of_nothing_or_nonsense() -> None:
    assert relative_time(None, NOW) == "—"
    assert relative_time(float("nan"), NOW) == "—"
    assert relative_time(1e300, NOW) == "—"


def test_a_value_starting_with_a_zero_width_mark_keeps_to_its_cell() -> None:
    # A skin-tone modifier or a combining accent would join the gap before the cell.
    assert (
        fit("\N{EMOJI MODIFIER FITZPATRICK TYPE-1-2}x", 4)
        == "◌\N{EMOJI MODIFIER FITZPATRICK TYPE-1-2}x  "
    )
    assert fit("\u0301a", 3) == "◌\u0301a "
    assert fit("ab", 3) == "ab "


@pytest.mark.parametrize(
    ("before", "after", "span"),
    [
        ("12m ago ", "13m ago ", (1, 2)),
        ("9m ago  ", "10m ago ", (0, 7)),
        ("3h ago  ", "3h ago  ", None),
        ("59m ago ", "1h ago  ", (0, 7)),
        # A wide character: no cut inside it, the cell is changed whole.
        ("名 1m   ", "名 2m   ", (0, 8)),
    ],
)
def test_changed_span_is_the_cells_a_repaint_must_write(
    before: str, after: str, span: tuple[int, int] | None
) -> None:
    assert changed_span(before, after) == span


marks_and_modifiers = st.lists(
    st.one_of(
        st.characters(categories=["Mn", "Mc", "Me"]),
        st.sampled_from(["a", "é", "—", "\U0001f3fb", "\U0001f1e6", "\U0001f1ff", "日"]),
    ),
    max_size=_CHECKED_BY_CHAR,
).map("".join)


@given(marks_and_modifiers)
def test_short_text_is_judged_by_its_characters_as_the_pattern_judges_it(text: str) -> None:
    # Short names skip the pattern (a scan of the Unicode tables) and are cleaned
    # character by character: that changes them exactly where the pattern would match.
    assert len(text) <= _CHECKED_BY_CHAR
    assert (_clean_chars(text, _TABLE) != text) == (_suspect_pattern().search(text) is not None)


def test_join_fitting_keeps_the_leading_parts_whole() -> None:
    parts = ["counting · 9,000 tasks", "counted 08:37", "≈ 11 seen since", "14,028 stale"]
    assert join_fitting(parts, 80) == " · ".join(parts)
    assert join_fitting(parts, 60) == "counting · 9,000 tasks · counted 08:37 · ≈ 11 seen since"
    assert join_fitting(parts, 30) == "counting · 9,000 tasks"
    # The first part is kept even when it alone is too wide: the Static cuts it.
    assert join_fitting(parts, 5) == "counting · 9,000 tasks"
    assert join_fitting([], 10) == ""
