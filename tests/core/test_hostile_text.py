"""Issue 17, points 4, 5 and 8: oversized strings, combining-mark floods, emoji widths."""

from __future__ import annotations

import io
import time
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from avala_tui.core import text as text_module
from avala_tui.core.text import MAX_MARKS, cell_limit, clean, fit


def _best_of(repeats: int, function: Callable[[], object]) -> float:
    """The fastest of ``repeats`` runs: the least disturbed by other work on the machine."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


# --------------------------------------------------------------- point 5: marks


def _written(text: str) -> int:
    console = Console(file=io.StringIO(), width=80, force_terminal=True, color_system=None)
    console.print(Text(text), end="")
    file = console.file
    assert isinstance(file, io.StringIO)
    return len(file.getvalue().encode())


def test_a_flood_of_combining_marks_writes_a_bounded_number_of_bytes() -> None:
    flood = "e" + "\u0301" * 100_000
    cleaned = clean(flood)
    assert cleaned.startswith("e" + "\u0301" * MAX_MARKS)
    # 18.5 MB reached the terminal before (issue 17); a handful of bytes now.
    assert _written(cleaned) < 32
    assert _written(fit(cleaned, 30)) < 64


def test_marks_are_limited_per_base_character_and_real_text_keeps_them() -> None:
    assert clean("a\u0301\u0302\u0303\u0304b\u0301") == "a\u0301\u0302b\u0301"
    # Vietnamese stacks two marks on a letter (decomposed); both stay.
    vietnamese = unicodedata.normalize("NFD", "Việt Nam")
    assert clean(vietnamese) == vietnamese
    assert clean("Zalgo" + "\u0336\u0335\u0334" * 50) == "Zalgo\u0336\u0335"


def test_the_mark_scan_covers_every_combining_mark_in_unicode() -> None:
    """The fast path's pattern skips CJK and Hangul blocks: none of them holds a mark."""
    pattern = text_module._suspect_pattern()
    for code in range(0x300, 0x110000):
        char = chr(code)
        if unicodedata.category(char)[0] == "M":
            assert pattern.search(char * (MAX_MARKS + 1)), hex(code)


# -------------------------------------------------------- point 4: long strings


@pytest.mark.parametrize(
    "megabyte",
    [
        "W" * 1_000_000,
        "\x1b[31m" * 200_000,
        "漢" * 1_000_000,
        "a\u0301" * 500_000,
    ],
    ids=["ascii", "escapes", "wide", "marks"],
)
def test_clean_and_fit_of_a_megabyte_take_time_of_the_width_not_the_length(
    megabyte: str,
) -> None:
    small = megabyte[:2_000]
    for width in (12, 40):

        def on_megabyte(width: int = width) -> str:
            return fit(clean(megabyte, limit=cell_limit(width)), width)

        def on_small(width: int = width) -> str:
            return fit(clean(small, limit=cell_limit(width)), width)

        assert cell_len(on_megabyte()) == width
        assert on_megabyte().endswith("…") or on_megabyte().rstrip().endswith("…")
        # O(width): a megabyte costs what two thousand characters cost (tolerance for
        # a busy machine), and in absolute terms well under a frame.
        assert _best_of(5, on_megabyte) < 3 * _best_of(5, on_small) + 0.002
    # The default bound of clean (no width known: the detail pane, the sidebar).
    assert _best_of(3, lambda: clean(megabyte)) < 0.25
    assert len(clean(megabyte)) <= text_module.MAX_CHARS + 1
    # fit() alone, on a string nobody cleaned, is bounded by the width too.
    assert _best_of(3, lambda: fit(megabyte, 40)) < 0.01


# ---------------------------------------------------------- point 8: emoji width


def _terminal_width(text: str) -> int:
    """What a terminal that measures code point by code point (tmux, xterm) gives ``text``."""
    width = 0
    for char in text:
        if unicodedata.category(char)[0] == "M" or unicodedata.category(char) == "Cf":
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


#: Sequences whose width Rich (grapheme clusters) and terminals (code points) disagree on.
EMOJI_SEQUENCES = {
    "skin tone": "👍🏽",
    "skin tones, two": "👋🏻👋🏿",
    "VS16 on a text-default symbol": "❤️",
    "VS16 on a wide emoji": "☕️",
    "VS15": "☕︎",
    "keycap": "1️⃣",
    "keycap #": "#️⃣",
    "ZWJ family": "👨‍👩‍👧",
    "ZWJ with skin tones": "👩🏽‍💻",
    "flag": "🇺🇸",
    "lone regional indicator": "🇺",
    "plain emoji": "🚦",
    "CJK": "交通標識",
}


@pytest.mark.parametrize("sequence", EMOJI_SEQUENCES.values(), ids=EMOJI_SEQUENCES.keys())
def test_table_cells_have_the_same_width_for_rich_and_the_terminal(sequence: str) -> None:
    cell = fit(clean(f"a{sequence}b"), 20)
    assert cell_len(cell) == _terminal_width(cell) == 20


def test_the_emoji_rule_keeps_the_emoji_and_drops_its_modifiers() -> None:
    """The rule (see core/text.py)."""
    assert clean("👍🏽") == "👍"
    assert clean("❤️") == "❤"
    assert clean("1️⃣") == "1"
    assert clean("🇺🇸") == "US"


_PIECES = st.sampled_from(
    [
        *("a", "e", " ", "\n", "漢", "\x1b", "\x9b"),
        *("\u0301", "\u0302", "\u20e3", "\ufe0f", "\u200b", "\u200d"),
        *("\U0001f3fd", "\U0001f44d", "\U0001f1fa"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.integers(min_value=1, max_value=30))
def test_clean_is_idempotent_and_never_leaves_more_marks_than_allowed(
    text: str, limit: int
) -> None:
    cleaned = clean(text, limit=limit)
    assert clean(cleaned, limit=limit) == cleaned
    assert len(cleaned) <= limit
    run = 0
    for char in cleaned:
        run = run + 1 if unicodedata.category(char)[0] == "M" else 0
        assert run <= MAX_MARKS, repr(cleaned)
