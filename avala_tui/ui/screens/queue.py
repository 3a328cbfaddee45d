"""The Queue screen: one line per project from the census, Enter opens the dashboard on one.

Each line: name, pending, % done (a bar), completions per hour over the last day, a
24-hour sparkline of completions, the oldest pending task's age, the ETA (an estimate,
marked "~") and the stale count. The figures are the census's, so they are exact
counts as of the walk's end; the line above the table says when that was, or how far
a walk is. A new result redraws the lines in place.

The widths are :class:`QueueLayout`'s: the figures keep theirs at any size and the name
takes what is left, so at 80 columns it is the name that is shortened. From 120 and
150 columns the bar and the sparkline widen, in steps that keep a whole number of
sparkline cells per hour, or of hours per cell: a sparkline stretched to any width
would draw some hours wider than others. Counts refined since by changes the live
monitor saw are marked "≈" until a recount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Final

from rich.cells import cell_len
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.renderables.bar import Bar as BarRenderable
from textual.renderables.sparkline import Sparkline as SparklineRenderable
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, ListItem, ListView, Static

from avala_tui.core.census import CensusResult, QueueFigures, counted_at_text, duration_text
from avala_tui.core.text import clean, fit, join_fitting
from avala_tui.ui.widgets.census import CensusService

#: Each column's title, and whether it is aligned right (over a figure).
_TITLES: Final = (
    ("PROJECT", False),
    ("PENDING", True),
    ("% DONE", False),
    ("DONE/H", True),
    ("LAST 24 H", False),
    ("OLDEST", True),
    ("ETA", True),
    ("STALE", True),
)
#: Screen widths from which the bar and the sparkline widen (see :class:`QueueLayout`).
WIDE: Final = 120
WIDER: Final = 150
_EMPTY: Final = QueueFigures(0, 0, {}, 0, 0, 0, 0, (0,) * 24, None, 0)


@dataclass(frozen=True, slots=True)
class QueueChoice:
    """The project the user chose on the Queue screen (None: all projects)."""

    project: str | None


#: The figures' cells, as styles/app.tcss sizes them: a longer text would wrap out of
#: sight, so a count that does not fit is shown in thousands or millions instead.
PENDING_CELLS: Final = 7
PERCENT_CELLS: Final = 5
RATE_CELLS: Final = 6
OLDEST_CELLS: Final = 6
ETA_CELLS: Final = 5
STALE_CELLS: Final = 6
#: The name keeps at least this many cells, whatever the width.
MIN_NAME_CELLS: Final = 8


def count_text(count: int, cells: int) -> str:
    """``count`` with thousands separators, or rounded to k or M when that is too wide."""
    exact = f"{count:,}"
    if len(exact) <= cells:
        return exact
    for divisor, unit in ((1_000, "k"), (1_000_000, "M")):
        for digits in (1, 0):
            short = f"{count / divisor:,.{digits}f}{unit}"
            if len(short) <= cells:
                return short
    return f"{count / 1_000_000:.0f}M"


def rate_text(figures: QueueFigures) -> str:
    """Completions an hour over the last day, in the rate column's cells."""
    rate = figures.completions_per_hour
    if rate < 10:
        return f"{rate:.1f}/h"
    return count_text(round(rate), RATE_CELLS - 2) + "/h"


def eta_text(eta: timedelta | None) -> str:
    """The ETA, marked "~" as an estimate, in the ETA column's 5 cells: past 999 days in
    years (a cut "~1234d" would read as a smaller figure)."""
    if eta is None:
        return "—"
    if eta.days < 1000:
        return "~" + duration_text(eta)
    years = eta.days / 365
    return f"~{years:.0f}y" if years < 100 else ">99y"


@dataclass(frozen=True, slots=True)
class QueueLayout:
    """The cells of each column of a line at one screen width; the name takes the rest."""

    bar: int
    """The progress bar's cells (its percentage follows in :data:`PERCENT_CELLS` more)."""
    spark: int
    """The 24-hour sparkline's cells: two hours a cell, one, or two cells an hour."""

    @classmethod
    def for_width(cls, screen_width: int) -> QueueLayout:
        """The widths on a screen this wide: more room widens the bar and the sparkline."""
        if screen_width >= WIDER:
            return cls(bar=20, spark=48)
        if screen_width >= WIDE:
            return cls(bar=12, spark=24)
        return cls(bar=8, spark=12)

    def cells(self, width: int) -> tuple[int, ...]:
        """Each column's cells in a line ``width`` wide, the name's first; one cell
        separates each column from the next."""
        figures = (
            PENDING_CELLS,
            self.bar + PERCENT_CELLS,
            RATE_CELLS,
            self.spark,
            OLDEST_CELLS,
            ETA_CELLS,
            STALE_CELLS,
        )
        return (max(width - sum(figures) - len(figures), MIN_NAME_CELLS), *figures)


def _cell(text: str, cells: int, *, right: bool = False) -> str:
    """``text`` in exactly ``cells`` cells: shortened with "…" when longer, else padded
    (on the left, for a figure aligned right)."""
    if right and cell_len(text) < cells:
        return " " * (cells - cell_len(text)) + text
    return fit(text, cells)


class QueueTitles(Widget):
    """The column titles, laid out as the lines below them."""

    DEFAULT_CSS = "QueueTitles { height: 1; }"

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        cells = QueueLayout.for_width(self.screen.size.width).cells(width)
        text = " ".join(
            _cell(title, cell, right=right)
            for (title, right), cell in zip(_TITLES, cells, strict=True)
        )
        return Strip([Segment(text, self.rich_style)]).adjust_cell_length(width, self.rich_style)


class QueueRow(Widget):
    """One project's figures on one line, drawn as one widget.

    As a row of widgets (labels, a ProgressBar of four widgets, a Sparkline) each line
    cost ~14 widgets to mount and style: the screen took ~0.3 s to show its lines and
    as long again to rebuild them after each census. Here the bar and the sparkline
    are Textual's own renderables, coloured from this widget's component classes.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "queue-row--bar",
        "queue-row--bar-complete",
        "queue-row--spark-max",
        "queue-row--spark-min",
    }

    DEFAULT_CSS = """
    QueueRow {
        height: 1;
        & > .queue-row--bar { color: $primary; background: $surface; }
        & > .queue-row--bar-complete { color: $success; background: $surface; }
        & > .queue-row--spark-max { color: $primary; }
        & > .queue-row--spark-min { color: $primary 30%; }
    }
    """

    def __init__(self, name: str, figures: QueueFigures, now: datetime, *, estimate: bool) -> None:
        super().__init__()
        self._project_name = clean(name)
        self.figures = figures
        """The figures shown."""
        self.now = now
        """The moment the ages are measured from."""
        self.estimate = estimate
        """Whether the counts include changes seen since the census ("≈")."""

    def show(self, figures: QueueFigures, now: datetime, *, estimate: bool) -> None:
        """Show new figures in place."""
        self.figures, self.now, self.estimate = figures, now, estimate
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        layout = QueueLayout.for_width(self.screen.size.width)
        name, pending, _, rate, spark, oldest, eta, stale = layout.cells(width)
        figures = self.figures
        done = figures.completed / max(figures.total, 1)
        mark = "≈" if self.estimate else ""

        def figure(text: str, cells: int) -> list[Segment]:
            return [Segment(_cell(text, cells, right=True), base)]

        columns = [
            [Segment(_cell(self._project_name, name), base)],
            figure(mark + count_text(figures.pending, pending - len(mark)), pending),
            [*self._bar(done, layout.bar), *figure(f"{round(done * 100)}%", PERCENT_CELLS)],
            figure(rate_text(figures), rate),
            self._sparkline(figures, spark),
            figure(duration_text(figures.oldest_pending_age(self.now)), oldest),
            figure(eta_text(figures.eta), eta),
            figure(count_text(figures.stale_pending, stale), stale),
        ]
        # One cell between columns, as between the titles above them.
        gap = Segment(" ", base)
        segments = columns[0] + [part for column in columns[1:] for part in (gap, *column)]
        return Strip(segments).adjust_cell_length(width, base)

    def _segments(self, renderable: RenderableType, width: int) -> list[Segment]:
        """``renderable`` drawn in ``width`` cells, on the line's own background (the
        cursor's, on the line under it)."""
        console = self.app.console
        options = console.options.update(width=width, height=1)
        base = self.rich_style
        return [
            Segment(segment.text, base + segment.style if segment.style else base)
            for segment in console.render_lines(renderable, options, pad=True)[0]
        ]

    def _bar(self, fraction: float, width: int) -> list[Segment]:
        style = self.get_component_rich_style(
            "queue-row--bar-complete" if fraction >= 1 else "queue-row--bar"
        )
        bar = BarRenderable(
            highlight_range=(0, fraction * width),
            highlight_style=Style.from_color(style.color),
            background_style=Style.from_color(style.bgcolor),
        )
        return self._segments(bar, width)

    def _sparkline(self, figures: QueueFigures, width: int) -> list[Segment]:
        _, background = self.background_colors
        low = background + self.get_component_styles("queue-row--spark-min").color
        high = background + self.get_component_styles("queue-row--spark-max").color
        sparkline = SparklineRenderable(
            list(figures.completions_by_hour),
            width=width,
            height=1,
            min_color=low.rich_color,
            max_color=high.rich_color,
            summary_function=max,
        )
        return self._segments(sparkline, width)


class QueueLine(ListItem):
    """One project's line: a list item holding its :class:`QueueRow`."""

    def __init__(
        self,
        project: str | None,
        name: str,
        figures: QueueFigures,
        now: datetime,
        *,
        estimate: bool = False,
    ) -> None:
        super().__init__(QueueRow(name, figures, now, estimate=estimate))
        self.project = project
        """The project's uid; None for the all-projects line."""

    @property
    def row(self) -> QueueRow:
        """The line's figures, drawn."""
        return self.query_one(QueueRow)

    @property
    def estimate(self) -> bool:
        """Whether the counts include changes seen since the census ("≈")."""
        return self.row.estimate


class QueueScreen(Screen[QueueChoice | None]):
    """Queue health per project, from the census."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="queue-back", tooltip="back to the dashboard"),
        Binding("H", "close", "Back", show=False, id="queue-close", tooltip="back"),
    ]

    def __init__(self, census: CensusService, project_names: dict[str, str]) -> None:
        super().__init__()
        self.census = census
        self.project_names = project_names

    def compose(self) -> ComposeResult:
        yield Static("", id="queue-status", markup=False)
        yield QueueTitles(id="queue-titles")
        yield ListView(id="queue-lines")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.watch(self.census, "result", self._show, init=False)
        self.watch(self.census, "counting", self._show_status, init=False)
        self._show(self.census.result)
        self.query_one(ListView).focus()

    def _show_status(self, _: object = None) -> None:
        counting = self.census.counting
        result = self.census.result
        parts = []
        if counting is not None:
            parts.append(f"counting · {counting:,} tasks")
        if result is not None:
            now = datetime.fromtimestamp(self.census.clock(), UTC)
            when = counted_at_text(result.as_of, now)
            # A count read from disk is an earlier session's: said, not passed off as now.
            earlier = " (last session)" if self.census.restored else ""
            parts.append(f"counted {when}{earlier}")
            if result.estimated:
                parts.append(f"≈ {result.refined_by:,} seen since")
            stale = duration_text(result.stale_after)
            parts.append(f"{result.total.stale_pending:,} stale > {stale}")
            parts.append(f"{result.counted:,} tasks · ~ = estimate")
        elif counting is None:
            parts.append("waiting for the first count…")
        status = self.query_one("#queue-status", Static)
        # Most telling first, and only whole parts: what does not fit is left out.
        status.update(join_fitting(parts, self.size.width - status.styles.gutter.width))

    def on_resize(self) -> None:
        # Which parts fit depends on the width.
        self._show_status()

    def _show(self, result: CensusResult | None) -> None:
        self._show_status()
        lines = self.query_one(ListView)
        if result is None:
            lines.clear()
            return
        now = datetime.fromtimestamp(self.census.clock(), UTC)
        estimated = result.estimated
        uids = list(self.project_names) + [
            uid for uid in result.projects if uid is not None and uid not in self.project_names
        ]
        shown: list[tuple[str | None, str, QueueFigures, bool]] = [
            (None, "All projects", result.total, bool(estimated))
        ]
        for uid in uids:
            figures = result.projects.get(uid, _EMPTY)
            shown.append((uid, self.project_names.get(uid, uid), figures, uid in estimated))
        current = list(lines.query(QueueLine))
        if [line.project for line in current] == [uid for uid, *_ in shown]:
            # The same projects: new figures drawn in place, the cursor where it was.
            for line, (_, _, figures, estimate) in zip(current, shown, strict=True):
                line.row.show(figures, now, estimate=estimate)
            return
        index = lines.index
        lines.clear()
        lines.extend(
            QueueLine(uid, name, figures, now, estimate=estimate)
            for uid, name, figures, estimate in shown
        )
        lines.index = 0 if index is None else min(index, len(shown) - 1)

    @on(ListView.Selected, "#queue-lines")
    def _chosen(self, event: ListView.Selected) -> None:
        event.stop()
        item = event.item
        if isinstance(item, QueueLine):
            self.dismiss(QueueChoice(item.project))

    def action_close(self) -> None:
        """Back to the dashboard as it was."""
        self.dismiss(None)
