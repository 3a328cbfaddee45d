"""Writing a changed cell to the terminal without rewriting its line from the widget's edge.

Textual writes a partial update as "chops": each widget's slice of a screen line. It
cuts a chop off after the dirty span but always starts it at the widget's left edge,
so a table whose age cell turns "4m ago" into "5m ago" sends the whole row up to that
cell (~150 bytes) to change six characters. An idle monitor over SSH pays that for
every row whose age moves, every minute.

:func:`install` makes the terminal writer start a chop at the dirty span's first cell
instead: at the segment holding it, cut there too when that segment's characters are
all one cell wide. A segment boundary is always a clean cell boundary (the widget drew
it), and each segment carries its whole style, so what lands on the terminal is
identical; only the unchanged prefix is no longer re-sent.
"""

from __future__ import annotations

from typing import Final

from rich.cells import cell_len
from rich.console import Console
from rich.control import Control
from rich.segment import Segment
from textual._compositor import ChopsUpdate
from textual.strip import Strip

#: Marks the class once patched, so installing twice is harmless.
_PATCHED: Final = "_avala_tui_starts_at_span"


def _from_span(strip: Strip, x: int, x1: int) -> tuple[int, Strip]:
    """Drop what a chop at ``x`` holds before column ``x1``.

    Whole segments go, and the head of the segment holding ``x1`` when every character
    of it is one cell wide.
    """
    segments = list(strip)
    skipped = 0
    for segment in segments:
        width = segment.cell_length
        if x + width > x1:
            break
        x += width
        skipped += 1
    kept = segments[skipped:]
    if kept and x < x1:
        text, style, control = kept[0]
        # A cut through a wide character is no cell boundary: such a segment stays whole.
        if control is None and len(text) == cell_len(text):
            kept[0] = Segment(text[x1 - x :], style)
            x = x1
    return x, Strip(kept)


def render_segments(self: ChopsUpdate, console: Console) -> str:
    """Textual's ``ChopsUpdate.render_segments``, but each chop starts at its dirty span."""
    sequences: list[str] = []
    append = sequences.append
    chops = self.chops
    chop_ends = self.chop_ends
    last_y = self.spans[-1][0]
    for y, x1, x2 in self.spans:
        line = chops[y]
        for end, (x, strip) in zip(chop_ends[y], line.items(), strict=False):
            if strip is None or x > x2 or end <= x1:
                continue
            if x < x1:
                x, strip = _from_span(strip, x, x1)
            if end > x2:
                strip = strip.crop(0, x2 - x)
            append(Control.move_to(x, y).segment.text)
            append(strip.render(console))
        if y != last_y:
            append("\n")
    return "".join(sequences)


def install() -> None:
    """Patch Textual's partial-update writer (once; a no-op if Textual changed shape)."""
    if getattr(ChopsUpdate, _PATCHED, False) or not hasattr(ChopsUpdate, "render_segments"):
        return
    ChopsUpdate.render_segments = render_segments  # type: ignore[method-assign]
    setattr(ChopsUpdate, _PATCHED, True)
