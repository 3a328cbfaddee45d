"""One-line labels whose updates repaint only the characters that changed.

An idle monitor over SSH rewrites a few words now and then: "updated 07:23" becomes
"updated 07:24", "counting · 12,000" becomes "counting · 23,000". Textual repaints
the whole widget for any update, so the terminal gets the whole line again (about
200 bytes for the header) to change one digit. These widgets work out which cells
an update of the same width changed and repaint just those; ui/partial_update.py
then writes from the first of them. Any other update (a new width, more lines,
content Textual lays out differently) repaints the whole widget as before.
"""

from __future__ import annotations

from typing import Self

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.content import Content
from textual.geometry import Region
from textual.visual import VisualType
from textual.widgets import Header, Label, Static

# Textual exports Header but not the title line it composes; subclassing it keeps the
# header's look and its own query for the title.
from textual.widgets._header import HeaderClock, HeaderClockSpace, HeaderIcon, HeaderTitle

from avala_tui.core.text import changed_span


class QuietStatic(Static):
    """A one-line Static whose same-width updates repaint only the cells that changed."""

    _holding_refresh = False

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        before, before_styles = self._line_text(), self._styles_of_line()
        # Static.update repaints the whole widget: hold that, and choose the region after.
        self._holding_refresh = True
        try:
            super().update(content, layout=False)
        finally:
            self._holding_refresh = False
        after = self._line_text()
        if before_styles != self._styles_of_line():
            # The same characters in other styles: all of it (Content's == compares text).
            super().refresh(layout=layout)
            return
        if before is not None and before == after:
            return
        region = self._changed_region(before, after)
        if region is None:
            super().refresh(layout=layout)
        else:
            super().refresh(region)

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if self._holding_refresh:
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _styles_of_line(self) -> tuple[object, ...] | None:
        visual = self.visual
        return tuple(visual.spans) if isinstance(visual, Content) else None

    def _line_text(self) -> str | None:
        """The plain text shown, when it is one line of content; None otherwise."""
        visual = self.visual
        if not isinstance(visual, Content) or "\n" in visual.plain:
            return None
        return visual.plain

    def _changed_region(self, before: str | None, after: str | None) -> Region | None:
        """The cells (in content coordinates) an update changed; None for "all of it"."""
        if before is None or after is None or not self.is_mounted:
            return None
        width, height = self.content_size
        # Wide characters or a new width move what follows: those repaint whole.
        length = len(after)
        if not (height == 1 and len(before) == cell_len(before) == length == cell_len(after)):
            return None
        if length > width:
            return None
        span = changed_span(before, after)
        if span is None:
            return None
        start, end = span
        # Where Textual puts a shorter line (Content.align): the same arithmetic here.
        excess = width - length
        align = self.styles.content_align_horizontal
        offset = {"left": 0, "center": excess // 2, "right": excess}.get(align)
        if offset is None or self.styles.text_align not in ("start", "left"):
            return None
        return Region(offset + start, 0, end - start, 1)


# The Textual class comes first: CSS type selectors (and the Header's own query for its
# title) follow the first base, and neither overrides what QuietStatic does.
class QuietLabel(Label, QuietStatic):
    """A Label whose same-width updates repaint only the cells that changed."""


class QuietHeaderTitle(HeaderTitle, QuietStatic):
    """The header's title line, repainting only what a new sub-title changed."""


class QuietHeader(Header):
    """Textual's Header, whose title line repaints only what a new sub-title changed."""

    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield QuietHeaderTitle()
        yield (
            HeaderClock().data_bind(Header.time_format) if self._show_clock else HeaderClockSpace()
        )
