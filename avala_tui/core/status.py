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

from avala_tui.api.client import RateLimitStatus, Throttle
from avala_tui.api.errors import (
    APIConnectionError,
    AuthenticationError,
    AvalaError,
    PermissionDeniedError,
)
from avala_tui.core.monitor import LiveMonitor, low_budget

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


def header_text(health: str, *, demo: bool, host: str, profile: str) -> str:
    """The header's second part: where the data comes from, and its health."""
    if demo:
        # The demo API's ephemeral loopback port means nothing to the user.
        return f"demo data · {health}"
    return f"{host} · profile {profile} · {health}"


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


def list_message(state: ListState) -> str | None:
    """The paragraph shown where rows would be, or None while there are rows."""
    if state.count:
        return None
    if state.error is not None:
        return f"⚠ {describe_error(state.error)}\n\n{state.way_out or 'Press r to retry.'}"
    if state.exhausted:
        return "No tasks match these filters."
    return "Loading tasks…"


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


def status_line(state: ListState) -> str:
    """The line under the table: counts, the view, what changed, a nearly spent budget."""
    count = state.count
    if state.exhausted:
        parts = [f"{count:,} tasks · all loaded"]
    elif state.changes:
        # Room is short at 80 columns: what changed matters more than "more below".
        parts = [f"{count:,} loaded"]
    else:
        parts = [f"{count:,} loaded · more below"] if count else []
    if state.matched:
        parts[:1] = [state.matched]
    if state.order:
        parts.insert(1, state.order)
    if state.changes:
        parts.append(f"{state.changes} since {clock_text(state.changes_since, seconds=False)}")
    if state.skipped:
        rows = "row" if state.skipped == 1 else "rows"
        parts.append(f"{state.skipped:,} unreadable {rows} skipped")
    rate = state.rate
    if low_budget(rate) and rate is not None:
        parts.append(f"rate limit: {rate.remaining}/{rate.limit} left")
    return " · ".join(parts)


def terminal_title(*, pending: int | None, exhausted: bool) -> str:
    """The terminal title: the pending count where it is known, so a tmux window shows it."""
    if pending is None:
        return APP_TITLE
    more = "" if exhausted else "+"
    return f"{APP_TITLE} · {pending:,}{more} pending"


def refused_filter_way_out(fields: Iterable[str], origins: Mapping[str, str]) -> str:
    """Where a refused filter came from and how to leave it, e.g. after a 400 on ``project``."""
    named = [name for name in fields if name in ("project", "status")] or ["project", "status"]
    sources = [f"the {name} filter came from {origins[name]}" for name in named if name in origins]
    said = (sources[0][0].upper() + "; ".join(sources)[1:] + ". ") if sources else ""
    return f"{said}Choose another in the sidebar: p for projects, s for statuses."
