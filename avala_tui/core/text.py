"""Turning API values into text that is safe and compact to draw in a terminal cell.

Everything the API sends is data. A task named ``[bold]x[/]`` or holding ``\\x1b[31m``
must appear as those characters: never parsed as markup, never reaching the
terminal as a control sequence, never reordering the line with bidi overrides.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from datetime import datetime
from typing import Final

from rich.cells import cell_len, chop_cells, set_cell_size
from rich.style import StyleType
from rich.text import Text

from avala_tui.api.models import KNOWN_TYPES, STATUS_COMPLETED, STATUS_PENDING

PLACEHOLDER: Final = "—"
ELLIPSIS: Final = "…"

# Characters that end or break a line in some terminal or in Unicode's own rules.
_LINE_BREAKS: Final = "\t\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029"
_REPLACEMENT: Final = "\N{REPLACEMENT CHARACTER}"


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # C0 controls and DEL become their Unicode "control picture" so `x\x1b[31my` reads
    # as `x␛[31my`: visibly odd, one cell wide, and inert.
    for code in range(0x20):
        table[code] = chr(0x2400 + code)
    table[0x7F] = "\N{SYMBOL FOR DELETE}"
    # C1 controls have no pictures; some terminals act on them (0x9B is a CSI).
    for code in range(0x80, 0xA0):
        table[code] = _REPLACEMENT
    for char in _LINE_BREAKS:
        table[ord(char)] = " "
    return table


_TABLE: Final = _build_table()

#: Combining marks kept on one base character. Real text needs at most two (Vietnamese
#: stacks two); a name of one letter and 100,000 accents must not be written out whole.
MAX_MARKS: Final = 2
#: Characters of one value considered at all. No surface draws more (the client bounds
#: what it receives at a few KB too); cutting first keeps cleaning O(limit), not O(input).
MAX_CHARS: Final = 16_384

# Emoji sequences whose width terminals disagree on (Rich counts a cluster, tmux and
# most terminals count code points, each their own way). Dropping the modifier keeps
# the emoji and gives it the width everyone agrees on:
#   VS15/VS16 (U+FE0E/U+FE0F): "❤️" becomes "❤", one cell in the text presentation;
#   skin tones (U+1F3FB–U+1F3FF): "👍🏽" becomes "👍", two cells;
#   the keycap mark (U+20E3): "1️⃣" becomes "1";
#   ZWJ (a format character, removed with the rest): "👨‍👩" becomes "👨👩".
# Regional indicators become their letters ("🇺🇸" is "US"): a lone one or a pair is one
# or two cells depending on the terminal.
_EMOJI_DROPPED: Final = frozenset({0xFE0E, 0xFE0F, 0x20E3, *range(0x1F3FB, 0x1F400)})
_REGIONAL_A: Final = 0x1F1E6
_REGIONAL_Z: Final = 0x1F1FF
# The same, but a line break stays one (any of them becomes "\n").
_MULTILINE_TABLE: Final = {**_TABLE, **{ord(char): "\n" for char in "\n\v\f\r\x85\u2028\u2029"}}


def _clean_char(char: str, table: dict[int, str] = _TABLE) -> str:
    mapped = table.get(ord(char))
    if mapped is not None:
        return mapped
    category = unicodedata.category(char)
    if category == "Cf":
        # Format characters are invisible: bidi overrides and isolates (U+202A–U+202E,
        # U+2066–U+2069) can make a name read backwards, zero-width ones hide text.
        # ZWJ goes too: terminals (tmux above all) disagree on the width of joined
        # emoji, which would shift every column after it; the joined parts still show.
        return ""
    if category == "Cs":
        # A lone surrogate (JSON allows "\ud800") cannot be encoded to the terminal.
        return _REPLACEMENT
    return char


# Where combining marks can be: all of Unicode's below U+20000 but the CJK ideographs
# and Hangul syllables (half the scan, and none there), and the variation selectors.
_MARK_BLOCKS: Final = (
    range(0x300, 0x3400),
    range(0x4DC0, 0x4E00),
    range(0xA000, 0xAC00),
    range(0xD7A4, 0x20000),
    range(0xE0100, 0xE01F0),
)


@functools.cache
def _suspect_pattern() -> re.Pattern[str]:
    """What sends a printable string down the slow path: a run of marks, or an emoji modifier.

    Built on first use (a scan of the Unicode tables takes tens of milliseconds), and
    only for non-ASCII text.
    """
    marks = [
        chr(code)
        for block in _MARK_BLOCKS
        for code in block
        if unicodedata.category(chr(code))[0] == "M"
    ]
    mark_class = "".join(re.escape(char) for char in marks)
    emoji = "".join(re.escape(chr(code)) for code in sorted(_EMOJI_DROPPED))
    regional = f"{re.escape(chr(_REGIONAL_A))}-{re.escape(chr(_REGIONAL_Z))}"
    return re.compile(f"[{mark_class}]{{{MAX_MARKS + 1}}}|[{emoji}{regional}]")


#: Up to this many characters a non-ASCII string is cleaned character by character, as
#: cheaply as it would be checked: building the pattern above costs a scan of the
#: Unicode tables (~35 ms), which the first frame would otherwise wait for as soon as a
#: project is named "LiDAR — Bay".
_CHECKED_BY_CHAR: Final = 64


def _clean_chars(text: str, table: dict[int, str]) -> str:
    kept: list[str] = []
    marks = 0
    for char in text:
        code = ord(char)
        if code in _EMOJI_DROPPED:
            continue
        if _REGIONAL_A <= code <= _REGIONAL_Z:
            kept.append(chr(code - _REGIONAL_A + ord("A")))
            marks = 0
            continue
        if unicodedata.category(char)[0] == "M":
            marks += 1
            if marks > MAX_MARKS:
                continue
            kept.append(char)
            continue
        cleaned = _clean_char(char, table)
        if cleaned:
            # A removed format character between marks must not restart the count.
            marks = 0
            kept.append(cleaned)
    return "".join(kept)


def clean(
    value: object | None,
    *,
    placeholder: str = PLACEHOLDER,
    keep_newlines: bool = False,
    limit: int = MAX_CHARS,
) -> str:
    """Make any API value safe to draw: no controls, no format characters, one line.

    With ``keep_newlines`` every line break survives, as "\\n" (for multi-line messages).
    At most ``limit`` characters of the value are kept (a cut ends in "…"), at most
    :data:`MAX_MARKS` combining marks per character, and emoji modifiers are dropped.
    """
    if value is None:
        return placeholder
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:
        # A value whose __str__ fails must not take the screen down with it.
        return _REPLACEMENT
    suffix = ""
    if len(text) > limit:
        # One short of the limit with the ellipsis: cleaning the result again keeps it.
        text = text[: max(limit - 1, 0)]
        suffix = ELLIPSIS
    # isprintable() is False for every category removed here (and for some kept, such
    # as no-break space), so most names take this fast path.
    if text.isprintable() and (
        text.isascii() or (len(text) > _CHECKED_BY_CHAR and _suspect_pattern().search(text) is None)
    ):
        return text + suffix
    if keep_newlines:
        return _clean_chars(text.replace("\r\n", "\n"), _MULTILINE_TABLE) + suffix
    return _clean_chars(text, _TABLE) + suffix


def literal(value: object | None, style: StyleType = "", *, placeholder: str = PLACEHOLDER) -> Text:
    """A Rich Text showing ``clean(value)`` as it is; markup in it stays plain characters."""
    return Text(clean(value, placeholder=placeholder), style=style)


#: Unicode's base for showing a combining mark on its own.
DOTTED_CIRCLE: Final = "\N{DOTTED CIRCLE}"


def cell_limit(width: int) -> int:
    """Characters of a value that can matter in a cell ``width`` wide (for ``clean(limit=)``)."""
    return (MAX_MARKS + 2) * (max(width, 0) + 1)


def fit(text: str, width: int) -> str:
    """Pad or truncate ``text`` to exactly ``width`` terminal cells, marking a cut with "…".

    A value starting with a zero-width character (a combining accent, a skin-tone
    modifier) would join the cell before it, the gap between columns, and shift the
    line; it gets a dotted circle to sit on, as Unicode shows lone marks.
    """
    if width <= 0:
        return ""
    if text and cell_len(text[0]) == 0:
        text = DOTTED_CIRCLE + text
    # Only what fits can show: measuring a 1 MB name whole would cost a whole frame. A
    # cell holds at most 1 + MAX_MARKS characters of cleaned text; the window is generous.
    window = cell_limit(width)
    if len(text) <= window:
        if cell_len(text) <= width:
            return set_cell_size(text, width)
    else:
        text = text[:window]
    # The ellipsis goes right after the kept text; a double-width character that would
    # straddle the edge is dropped and the gap padded after the ellipsis.
    lines = chop_cells(text, width - 1) if width > 1 else []
    kept = lines[0] if lines else ""
    return set_cell_size(kept + ELLIPSIS, width)


def short_uid(uid: str | None, length: int = 8) -> str:
    """The first ``length`` characters of a uid, with "…" when there is more."""
    text = clean(uid)
    return text if len(text) <= length else text[:length] + ELLIPSIS


_TYPE_SUFFIX: Final = "-annotation"


def short_type(task_type: str | None) -> str:
    """A documented task type without its redundant "-annotation" suffix; others as they are."""
    if task_type is not None and task_type in KNOWN_TYPES:
        return task_type.removesuffix(_TYPE_SUFFIX)
    return clean(task_type)


def status_parts(status: str | None) -> tuple[str, str]:
    """A status as glyph and word, readable without colour, and its kind for styling.

    The kind is "pending", "completed" or "other"; statuses the API does not document
    (``in_progress``) are shown as they are, behind a "?".
    """
    if status == STATUS_PENDING:
        return "○ pending", "pending"
    if status == STATUS_COMPLETED:
        return "✓ completed", "completed"
    if status is None:
        return PLACEHOLDER, "other"
    return f"? {clean(status)}", "other"


def status_label(status: str | None, style: StyleType = "") -> Text:
    """A status as glyph and word in a Rich Text."""
    return Text(status_parts(status)[0], style=style)


_MINUTE: Final = 60
_HOUR: Final = 60 * _MINUTE
_DAY: Final = 24 * _HOUR
_WEEK: Final = 7 * _DAY
#: Clock skew tolerated before a future time is shown as a date instead of "now".
_SKEW: Final = _MINUTE
#: Seconds are shown in steps of this many: a new task's age changes six times in its
#: first minute, not sixty, and each change is bytes to a terminal over SSH.
_SECONDS_STEP: Final = 10


def changed_span(before: str, after: str) -> tuple[int, int] | None:
    """The cells ``[start, end)`` where two texts of one cell width differ, or None.

    What a repaint needs to write when a cell's text changes: "12m ago" → "13m ago"
    differs in one cell. Texts holding wide characters (or of other widths) count
    as changed whole, since a cut through a wide character is no cell boundary.
    """
    if before == after:
        return None
    width = cell_len(after)
    if not (len(before) == len(after) == width == cell_len(before)):
        return (0, max(width, cell_len(before)))
    start = next(i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b)
    end = next(i for i in range(width, 0, -1) if before[i - 1] != after[i - 1])
    return (start, end)


def join_fitting(parts: list[str], width: int, separator: str = " · ") -> str:
    """The leading ``parts`` that fit ``width`` cells joined, whole; the first always."""
    line = ""
    for part in parts:
        longer = f"{line}{separator}{part}" if line else part
        if line and cell_len(longer) > width:
            break
        line = longer
    return line


def relative_time(epoch: float | None, now: float) -> str:
    """How long ago ``epoch`` was: "now", "40s ago", "5m ago", "3h ago", "2d ago", "6w ago".

    Times older than eight weeks, or more than a minute in the future, show as a
    local ISO date, since "37w ago" is harder to place than a date.
    """
    if epoch is None:
        return PLACEHOLDER
    elapsed = now - epoch
    if not math.isfinite(elapsed):
        return PLACEHOLDER
    if elapsed < -_SKEW or elapsed >= 8 * _WEEK:
        try:
            return datetime.fromtimestamp(epoch).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return PLACEHOLDER
    if elapsed < _SECONDS_STEP:
        return "now"
    if elapsed < _MINUTE:
        return f"{int(elapsed // _SECONDS_STEP) * _SECONDS_STEP}s ago"
    if elapsed < _HOUR:
        return f"{int(elapsed // _MINUTE)}m ago"
    if elapsed < _DAY:
        return f"{int(elapsed // _HOUR)}h ago"
    if elapsed < 2 * _WEEK:
        return f"{int(elapsed // _DAY)}d ago"
    return f"{int(elapsed // _WEEK)}w ago"
