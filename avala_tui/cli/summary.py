"""``avala-tui summary``: the queue's exact figures on stdout, for scripts and cron. No Textual.

Runs a census of every task (or one project's) and prints one line per project and
one for the total. Formats: ``table`` (for people) and ``json`` (JSON Lines: one
object per project, then one whose ``project`` is null holding the totals). Like
``tasks --all`` it asks page after page without pacing, as a one-off command the
user started, but it still waits for the rate window to reset when the announced
budget is nearly spent. Exit codes are those of ``tasks``.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, TextIO

from avala_tui.api.client import AvalaClient
from avala_tui.cli.headless import run_headless
from avala_tui.config.settings import Settings
from avala_tui.core.census import (
    DEFAULT_STALE_AFTER,
    Census,
    CensusResult,
    QueueFigures,
    duration_text,
)
from avala_tui.core.text import clean, fit

SummaryFormat = Literal["table", "json"]
SUMMARY_FORMATS: Final[tuple[SummaryFormat, ...]] = ("table", "json")

_TABLE: Final = (
    ("PROJECT", 30),
    ("PENDING", 8),
    ("DONE", 8),
    ("OTHER", 6),
    ("%DONE", 6),
    ("IN 24H", 7),
    ("OUT 24H", 7),
    ("OLDEST PENDING", 20),
    ("STALE", 6),
    ("ETA", 8),
)
_GAP: Final = "  "


def current_time() -> datetime:
    """The moment the figures are measured from (a seam for tests of a fixed world)."""
    return datetime.now(UTC)


def iso_z(moment: datetime | None) -> str | None:
    """A time as ISO 8601 in UTC with a Z, the API's own spelling; None stays None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def figures_record(
    uid: str | None,
    name: str | None,
    figures: QueueFigures,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
) -> dict[str, Any]:
    """One JSON line of the summary: the documented keys first, then the rest."""
    eta = figures.eta
    return {
        "project": uid,
        "name": name,
        "pending": figures.pending,
        "completed": figures.completed,
        "other": figures.other,
        "oldest_pending_created_at": iso_z(figures.oldest_pending_created_at),
        "created_last_24h": figures.created_last_24h,
        "completed_last_24h": figures.completed_last_24h,
        # Pending tasks not updated for longer than ``stale_after_hours`` (--stale-after).
        "stale": figures.stale_pending,
        "stale_after_hours": round(stale_after.total_seconds() / 3600, 4),
        "total": figures.total,
        "percent_done": None if figures.percent_done is None else round(figures.percent_done, 2),
        "created_last_hour": figures.created_last_hour,
        "completed_last_hour": figures.completed_last_hour,
        "completions_by_hour": list(figures.completions_by_hour),
        # An estimate (pending ÷ the last 24 hours' rate), hence the name.
        "eta_hours_estimate": None if eta is None else round(eta.total_seconds() / 3600, 2),
    }


def _rows(
    result: CensusResult, names: Mapping[str, str | None], only: str | None
) -> list[tuple[str | None, str | None, QueueFigures]]:
    """Every project the user sees (counted or empty), in the API's order, then strays."""
    empty = QueueFigures(0, 0, {}, 0, 0, 0, 0, (0,) * 24, None, 0)
    uids: list[str] = [uid for uid in names if only is None or uid == only]
    uids += [uid for uid in result.projects if uid is not None and uid not in names]
    return [(uid, names.get(uid), result.projects.get(uid, empty)) for uid in uids]


def write_summary(
    result: CensusResult,
    names: Mapping[str, str | None],
    out: TextIO,
    *,
    fmt: SummaryFormat,
    only: str | None = None,
) -> None:
    """Print the census as a table or JSON Lines."""
    rows = _rows(result, names, only)
    if fmt == "json":
        stale_after = result.stale_after
        for uid, name, figures in rows:
            record = figures_record(uid, name, figures, stale_after)
            out.write(json.dumps(record, ensure_ascii=True) + "\n")
        out.write(json.dumps(figures_record(None, None, result.total, stale_after)) + "\n")
        return
    # Numbers are right-aligned, and so are their titles.
    titles = [
        fit(title, width) if width in (20, 30) or title == "ETA" else title.rjust(width)
        for title, width in _TABLE
    ]
    print(_GAP.join(titles).rstrip(), file=out)
    for uid, name, figures in [*rows, (None, "All projects", result.total)]:
        label = name if name is not None else (uid or "")
        percent = figures.percent_done
        cells = (
            fit(clean(label), 30),
            f"{figures.pending:>8,}",
            f"{figures.completed:>8,}",
            f"{sum(figures.other.values()):>6,}",
            "     —" if percent is None else f"{percent:>5.1f}%",
            f"{figures.created_last_24h:>7,}",
            f"{figures.completed_last_24h:>7,}",
            fit(iso_z(figures.oldest_pending_created_at) or "—", 20),
            f"{figures.stale_pending:>6,}",
            # "~": the ETA is an estimate from the last day's rate.
            fit("—" if figures.eta is None else "~" + duration_text(figures.eta), 8),
        )
        print(_GAP.join(cells).rstrip(), file=out)
    # The STALE column's threshold, which --stale-after and the profile can change.
    print(f"(stale: pending, not updated for {duration_text(result.stale_after)})", file=out)
    if not result.complete:
        print("(partial: the walk did not reach the last page)", file=out)


async def project_names(client: AvalaClient) -> dict[str, str | None]:
    """Every project of the user, uid → name, in the API's order."""
    names: dict[str, str | None] = {}
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        page = await client.list_projects(cursor=cursor)
        names.update((project.uid, project.name) for project in page.items)
        cursor = page.next_cursor
        if cursor is None or cursor in seen:
            return names
        seen.add(cursor)


def run_summary(
    settings: Settings,
    *,
    fmt: SummaryFormat = "table",
    now: datetime | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the ``summary`` command; returns the exit status. ``now``: the figures' moment."""
    out = sys.stdout if out is None else out

    async def command(client: AvalaClient) -> None:
        names = await project_names(client)
        census = Census(
            client,
            now=now or current_time(),
            project=settings.project,
            stale_after=settings.stale_after,
        )
        result = await census.run(share=math.inf)
        write_summary(result, names, out, fmt=fmt, only=settings.project)
        out.flush()

    return run_headless(settings, command, out=out, err=sys.stderr if err is None else err)
