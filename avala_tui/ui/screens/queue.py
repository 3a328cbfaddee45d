"""The Queue screen: one line per project from the census, Enter opens the dashboard on one.

Each line: name, pending, % done (a ProgressBar), completions per hour over the last
day, a 24-hour Sparkline of completions, the oldest pending task's age, the ETA (an
estimate, marked "~") and the stale count. The figures are the census's, so they are
exact counts as of the walk's end; the line above the table says when that was, or how
far a walk is.

The widths are styles/app.tcss's: the figures keep theirs at any size and the name
takes what is left, so at 80 columns it is the name that is shortened. The screen's
width classes (``HORIZONTAL_BREAKPOINTS``) widen the bar and the sparkline in steps
that keep a whole number of sparkline cells per hour, or of hours per cell: a
sparkline stretched to any width would draw some hours wider than others.
Counts refined since by changes the live monitor saw are marked "≈" until a recount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Final

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Label, ListItem, ListView, ProgressBar, Sparkline, Static

from avala_tui.core.census import CensusResult, QueueFigures, counted_at_text, duration_text
from avala_tui.core.text import clean, fit, join_fitting
from avala_tui.ui.untrusted import shown
from avala_tui.ui.widgets.census import CensusService

#: Each column's title and class; a title shares its column's class, so its width too.
_COLUMNS: Final = (
    ("PROJECT", "queue-name"),
    ("PENDING", "queue-pending"),
    ("% DONE", "queue-done"),
    ("DONE/H", "queue-rate"),
    ("LAST 24 H", "queue-spark"),
    ("OLDEST", "queue-oldest"),
    ("ETA", "queue-eta"),
    ("STALE", "queue-stale"),
)
_EMPTY: Final = QueueFigures(0, 0, {}, 0, 0, 0, 0, (0,) * 24, None, 0)


@dataclass(frozen=True, slots=True)
class QueueChoice:
    """The project the user chose on the Queue screen (None: all projects)."""

    project: str | None


#: The figures' cells, as styles/app.tcss sizes them: a longer text would wrap out of
#: sight, so a count that does not fit is shown in thousands or millions instead.
PENDING_CELLS: Final = 7
RATE_CELLS: Final = 6
STALE_CELLS: Final = 6


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


class FittedName(Widget):
    """A project's name shortened to whatever width the layout gives it."""

    def __init__(self, name: str, *, classes: str) -> None:
        super().__init__(classes=classes)
        self._text = clean(name)

    def render(self) -> Content:
        return shown(fit(self._text, self.size.width))


class QueueLine(ListItem):
    """One project's line."""

    def __init__(
        self,
        project: str | None,
        name: str,
        figures: QueueFigures,
        now: datetime,
        *,
        estimate: bool = False,
    ) -> None:
        super().__init__()
        self.project = project
        """The project's uid; None for the all-projects line."""
        self.estimate = estimate
        """Whether the counts include changes seen since the census ("≈")."""
        self._project_name = name
        self._figures = figures
        self._now = now

    def compose(self) -> ComposeResult:
        figures = self._figures
        with Horizontal(classes="queue-line"):
            yield FittedName(self._project_name, classes="queue-name")
            mark = "≈" if self.estimate else ""
            pending = mark + count_text(figures.pending, PENDING_CELLS - len(mark))
            yield Label(pending.rjust(PENDING_CELLS), classes="queue-pending")
            bar = ProgressBar(total=max(figures.total, 1), show_eta=False, classes="queue-done")
            bar.progress = figures.completed
            yield bar
            yield Label(rate_text(figures), classes="queue-rate")
            yield Sparkline(list(figures.completions_by_hour), classes="queue-spark")
            yield Label(
                duration_text(figures.oldest_pending_age(self._now)), classes="queue-oldest"
            )
            yield Label(eta_text(figures.eta), classes="queue-eta")
            yield Label(count_text(figures.stale_pending, STALE_CELLS), classes="queue-stale")


class QueueScreen(Screen[QueueChoice | None]):
    """Queue health per project, from the census."""

    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (120, "-wide"),
        (150, "-wider"),
    ]

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
        with Horizontal(id="queue-titles", classes="queue-line"):
            for title, column in _COLUMNS:
                yield Label(title, classes=column, markup=False)
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
        index = lines.index
        lines.clear()
        if result is None:
            return
        now = datetime.fromtimestamp(self.census.clock(), UTC)
        estimated = result.estimated
        items = [QueueLine(None, "All projects", result.total, now, estimate=bool(estimated))]
        uids = list(self.project_names) + [
            uid for uid in result.projects if uid is not None and uid not in self.project_names
        ]
        for uid in uids:
            figures = result.projects.get(uid, _EMPTY)
            name = self.project_names.get(uid, uid)
            items.append(QueueLine(uid, name, figures, now, estimate=uid in estimated))
        lines.extend(items)
        # The cursor stays on the line it was on as the figures are redrawn.
        lines.index = 0 if index is None else min(index, len(items) - 1)

    @on(ListView.Selected, "#queue-lines")
    def _chosen(self, event: ListView.Selected) -> None:
        event.stop()
        item = event.item
        if isinstance(item, QueueLine):
            self.dismiss(QueueChoice(item.project))

    def action_close(self) -> None:
        """Back to the dashboard as it was."""
        self.dismiss(None)
