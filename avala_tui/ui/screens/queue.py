"""The Queue screen: one line per project from the census, Enter opens the dashboard on one.

Each line: name, pending, % done (a ProgressBar), completions per hour over the last
day, a 24-hour Sparkline of completions, the oldest pending task's age and the ETA
(an estimate, marked "~"). The figures are the census's, so they are exact counts as
of the walk's end; the line above the table says when that was, or how far a walk is.
Counts refined since by changes the live monitor saw are marked "≈" until a recount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar, Final

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Label, ListItem, ListView, ProgressBar, Sparkline, Static

from avala_tui.core.census import CensusResult, QueueFigures, counted_at_text, duration_text
from avala_tui.core.text import clean, fit
from avala_tui.ui.widgets.census import CensusService

_NAME_WIDTH: Final = 18
# The columns' titles, at the widths styles/app.tcss gives the columns (gaps included).
_TITLES: Final = (
    f"{'PROJECT':<{_NAME_WIDTH}} {'PENDING':>7} {'% DONE':<15} {'DONE/H':>7} "
    f"{'LAST 24 H':<12} {'OLDEST':>6} {'ETA':>6}"
)
_EMPTY: Final = QueueFigures(0, 0, {}, 0, 0, 0, 0, (0,) * 24, None, 0)


@dataclass(frozen=True, slots=True)
class QueueChoice:
    """The project the user chose on the Queue screen (None: all projects)."""

    project: str | None


def _rate_text(figures: QueueFigures) -> str:
    rate = figures.completions_per_hour
    return f"{rate:,.0f}/h" if rate >= 10 else f"{rate:.1f}/h"


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
        self._name = name
        self._figures = figures
        self._now = now

    def compose(self) -> ComposeResult:
        figures = self._figures
        eta = figures.eta
        with Horizontal(classes="queue-line"):
            yield Label(fit(clean(self._name), _NAME_WIDTH), classes="queue-name", markup=False)
            mark = "≈" if self.estimate else ""
            yield Label(f"{mark}{figures.pending:,}".rjust(7), classes="queue-pending")
            bar = ProgressBar(total=max(figures.total, 1), show_eta=False, classes="queue-done")
            bar.progress = figures.completed
            yield bar
            yield Label(_rate_text(figures).rjust(7), classes="queue-rate")
            yield Sparkline(list(figures.completions_by_hour), classes="queue-spark")
            yield Label(
                duration_text(figures.oldest_pending_age(self._now)).rjust(6),
                classes="queue-oldest",
            )
            yield Label(
                ("—" if eta is None else "~" + duration_text(eta)).rjust(6), classes="queue-eta"
            )


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
        yield Static(_TITLES, id="queue-titles", markup=False)
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
            # Most telling first: one line, cut at the screen's edge.
            parts.append(f"counted {when}{earlier}")
            if result.estimated:
                parts.append(f"≈ {result.refined_by:,} seen since")
            stale = duration_text(result.stale_after)
            parts.append(f"{result.total.stale_pending:,} stale > {stale}")
            parts.append(f"{result.counted:,} tasks · ~ = estimate")
        elif counting is None:
            parts.append("waiting for the first count…")
        self.query_one("#queue-status", Static).update(" · ".join(parts))

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
