"""The words of the dashboard's status surfaces, as pure functions of the model. No Textual.

The header's health, the status line under the table, the table's footer, the
message shown where rows would be, the terminal title and error paragraphs are
all decided here, so each can be tested without a screen and is computed the
same way wherever it shows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from rich.cells import cell_len

from avala_tui.api.client import RateLimitStatus, Throttle
from avala_tui.api.errors import (
    APIConnectionError,
    AuthenticationError,
    AvalaError,
    PermissionDeniedError,
)
from avala_tui.core.monitor import LiveMonitor, low_budget
from avala_tui.core.text import fit

APP_TITLE = "avala-tui"


def describe_error(error: AvalaError) -> str:
    """One clear paragraph for an error, with the API's own words and what to do."""
    if isinstance(error, AuthenticationError):
        hint = "Check AVALA_API_KEY (or the profile's api_key)."
    elif isinstance(error, PermissionDeniedError):
        hint = "This key may not see it."
    elif isinstance(error, APIConnectionError):
        hint = "Is the network up, and AVALA_BASE_URL right?"
    else:
        hint = ""
    message = error.message.strip()
    if message and message[-1] not in ".!?…":
        # Two sentences, not one run-on: "…failed. Is the network up…"
        message += "."
    return f"{error.kind.capitalize()}: {message} {hint}".strip()


def clock_text(epoch: float | None, *, seconds: bool) -> str:
    """A wall-clock time in local time, "never" for None."""
    if epoch is None:
        return "never"
    return datetime.fromtimestamp(epoch).astimezone().strftime("%H:%M:%S" if seconds else "%H:%M")


def throttle_text(throttle: Throttle, *, monotonic_now: float) -> str | None:
    """While the client's rate gate is closed: what the header says instead of "live"."""
    left = throttle.seconds_left(monotonic_now)
    if left <= 0:
        return None
    capped = " (the server asked for longer)" if throttle.capped else ""
    return f"rate limited — resuming in {math.ceil(left)} s{capped}"


def health_text(
    monitor: LiveMonitor, *, monotonic_now: float, throttle: Throttle | None = None
) -> str:
    """The freshness and health of the data, coarse enough to repaint rarely.

    A closed rate gate comes first: every request waits at it, so "live" would lie.
    """
    if throttle is not None and (held := throttle_text(throttle, monotonic_now=monotonic_now)):
        return held
    wait = monitor.seconds_to_retry(monotonic_now)
    if wait is not None:
        since = clock_text(monitor.last_update, seconds=True)
        return f"{monitor.connection} — retrying in {wait} s (last update {since})"
    if monitor.connection != "online":
        return monitor.connection
    updated = clock_text(monitor.last_update, seconds=False)
    if monitor.paused:
        return f"paused · updated {updated}"
    if not monitor.policy.live:
        return f"updated {updated}"
    return f"live · updated {updated}"


def _first_that_fits(candidates: list[str], width: int | None) -> str:
    """The first candidate no wider than ``width``; else the last one, cut to it."""
    if width is None:
        return candidates[0]
    for text in candidates:
        if cell_len(text) <= width:
            return text
    return fit(candidates[-1], width).rstrip()


def header_text(
    health: str, *, demo: bool, host: str, profile: str, width: int | None = None
) -> str:
    """The header's second part: where the data comes from, and its health.

    When ``width`` is short the host goes first, then the profile, then the health's
    parenthesis ("(last update …)"): the state and its countdown are what a lead
    glancing at a tmux pane needs.
    """
    essential = health.split(" (", 1)[0] if health.endswith(")") else health
    if demo:
        # The demo API's ephemeral loopback port means nothing to the user.
        candidates = [f"demo data · {health}", health, essential]
    else:
        candidates = [
            f"{host} · profile {profile} · {health}",
            f"profile {profile} · {health}",
            health,
            essential,
        ]
    return _first_that_fits(candidates, width)


@dataclass(frozen=True, slots=True)
class ListState:
    """What the status surfaces of the task list are computed from."""

    count: int
    """Rows loaded."""
    exhausted: bool
    """Whether the last page is loaded."""
    loading: bool
    """Whether a further page is on its way."""
    error: AvalaError | None = None
    """The error the list shows, if any."""
    changes: str = ""
    """The change summary ("+3 new · 5 completed"); empty for none."""
    changes_since: float | None = None
    """When the change summary started counting (epoch)."""
    matched: str | None = None
    """The quick filter's "12 of 1,200 loaded match", if filtering."""
    order: str | None = None
    """The sort ("by name ▲"), if sorted."""
    rate: RateLimitStatus | None = None
    """The API's announced budget."""
    way_out: str | None = None
    """What to do about the error, when retrying will not help (a refused filter)."""
    skipped: int = 0
    """Rows the API sent that could not be read, and so are not shown."""
    status: str | None = None
    """The status filter, if any."""
    project: bool = False
    """Whether the list is limited to one project."""


def list_message(state: ListState) -> str | None:
    """The paragraph shown where rows would be, or None while there are rows."""
    if state.count:
        return None
    if state.error is not None:
        return f"⚠ {describe_error(state.error)}\n\n{state.way_out or 'Press r to retry.'}"
    if state.exhausted:
        return empty_message(state.status, project=state.project)
    return "Loading tasks…"


def empty_message(status: str | None, *, project: bool) -> str:
    """Why a fully loaded list is empty, in the words of the filters that made it so."""
    where = " in this project" if project else ""
    if status is None:
        return "This project has no tasks." if project else "There are no tasks yet."
    return f"No {status} tasks{where}."


def table_footer(state: ListState) -> str:
    """The line after the last row: loading, an error, or the end."""
    if state.count == 0:
        return ""  # the message above the table already says it
    if state.error is not None:
        return f"⚠ {describe_error(state.error)} — r retries"
    if state.exhausted:
        return f"end of list: {state.count:,} tasks"
    if state.loading:
        return "loading more…"
    return ""


def status_line(state: ListState, width: int | None = None) -> str:
    """The line under the table: counts, the view, what changed, a nearly spent budget.

    When ``width`` is short, parts go in this order: the time the change summary
    started, the sort, the change summary, the budget; the counts and "more below"
    stay, since they say whether the list is whole.
    """
    count = state.count
    if state.exhausted:
        counts = f"{count:,} tasks · all loaded"
    else:
        counts = f"{count:,} loaded · more below" if count else ""
    if state.matched:
        counts = state.matched if state.exhausted else f"{state.matched} · more below"
    rate = state.rate
    budget = (
        f"rate limit: {rate.remaining}/{rate.limit} left"
        if rate is not None and low_budget(rate)
        else ""
    )
    since = f" since {clock_text(state.changes_since, seconds=False)}"
    changes = state.changes
    order = state.order or ""
    rows = "row" if state.skipped == 1 else "rows"
    skipped = f"{state.skipped:,} unreadable {rows} skipped" if state.skipped else ""
    candidates = [
        [counts, order, changes + since if changes else "", skipped, budget],
        [counts, order, changes, skipped, budget],
        [counts, changes, skipped, budget],
        [counts, skipped, budget],
        [counts, skipped],
        [counts],
    ]
    return _first_that_fits(
        [" · ".join(part for part in parts if part) for parts in candidates], width
    )


def terminal_title(
    *, pending: int | None, exhausted: bool, estimate: bool = False, counted_at: str | None = None
) -> str:
    """The terminal title: the pending count where it is known, so a tmux window shows it.

    ``estimate``: the count was refined by changes seen since it was made ("≈");
    ``counted_at``: it is an earlier session's count, made then.
    """
    if pending is None:
        return APP_TITLE
    more = "" if exhausted else "+"
    about = "≈" if estimate else ""
    when = "" if counted_at is None else f" · counted {counted_at}"
    return f"{APP_TITLE} · {about}{pending:,}{more} pending{when}"


def refused_filter_way_out(fields: Iterable[str], origins: Mapping[str, str]) -> str:
    """Where a refused filter came from and how to leave it, e.g. after a 400 on ``project``."""
    named = [name for name in fields if name in ("project", "status")] or ["project", "status"]
    sources = [f"the {name} filter came from {origins[name]}" for name in named if name in origins]
    said = (sources[0][0].upper() + "; ".join(sources)[1:] + ". ") if sources else ""
    return f"{said}Choose another in the sidebar: p for projects, s for statuses."


#: Footer hints by binding id, most used first: the order in which they give way.
#: Help comes first because it lists every key the footer had no room for.
HINT_ORDER: Final = (
    "help",
    "quick-filter",
    "projects",
    "statuses",
    "reload",
    "open",
    "copy-uid",
    "pause",
    "sort",
    "export",
    "quit",
)
#: Cells between two hints.
HINT_GAP: Final = 2


def hint_text(key: str, description: str) -> str:
    """One footer hint: "/ Filter"."""
    return f"{key} {description}"


def fit_hints(hints: list[tuple[str, str]], width: int) -> list[tuple[str, str]]:
    """The (key, description) hints that fit ``width``, taken in order until one does not.

    A hint is shown whole or not at all, and a less used one never takes the place
    of a more used one that did not fit: the footer reads the same at every width,
    only shorter.
    """
    shown: list[tuple[str, str]] = []
    used = 0
    for key, description in hints:
        needed = cell_len(hint_text(key, description)) + (HINT_GAP if shown else 0)
        if used + needed > width:
            break
        shown.append((key, description))
        used += needed
    return shown
