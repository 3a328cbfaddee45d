"""The live monitor's policy: when to refresh, how to back off, what changed. No Textual.

A lead leaves the dashboard open for hours, so the refresh cadence must respect
the API's rate limit (it is shared with everything else the user runs), back off
while the server is away, and come back by itself. What changed between looks
is kept until the user has seen it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

from avala_tui.api.client import RateLimitStatus
from avala_tui.api.errors import AvalaError, RateLimitedError
from avala_tui.api.models import STATUS_COMPLETED

#: Share of the announced per-minute limit the monitor may spend on its own.
BUDGET_SHARE: Final = 0.3
#: The API's documented default limit, assumed until a response announces one.
DEFAULT_LIMIT_PER_MINUTE: Final = 100
#: First wait after a failure; doubles per consecutive failure, up to MAX_BACKOFF.
FIRST_BACKOFF: Final = 2.0
MAX_BACKOFF: Final = 120.0
#: Below this share of the limit left, the budget is shown and refreshes wait for the reset.
LOW_BUDGET_SHARE: Final = 0.1


@dataclass
class RefreshPolicy:
    """Decides how long to wait before the next refresh or retry."""

    interval: float
    """Seconds between refreshes the user asked for; 0 means refresh only to recover."""
    budget_share: float = BUDGET_SHARE
    """Share of the announced rate limit the monitor may use."""
    rng: random.Random = field(default_factory=random.Random)
    """Source of the backoff jitter (seeded in tests)."""
    failures: int = 0
    """Consecutive failed attempts since the last success."""

    @property
    def live(self) -> bool:
        """Whether periodic refresh is on at all."""
        return self.interval > 0

    def budget_interval(self, requests_per_refresh: int, rate: RateLimitStatus | None) -> float:
        """The shortest interval that keeps the monitor within its share of the limit."""
        limit = rate.limit if rate is not None and rate.limit else DEFAULT_LIMIT_PER_MINUTE
        return 60.0 * max(1, requests_per_refresh) / (self.budget_share * limit)

    def next_refresh(
        self, requests_per_refresh: int, rate: RateLimitStatus | None, now: float
    ) -> float:
        """Seconds until the next refresh after a success."""
        self.failures = 0
        delay = max(self.interval, self.budget_interval(requests_per_refresh, rate))
        if low_budget(rate) and rate is not None and rate.reset is not None:
            # Little left in this window: let it reset rather than spend the rest.
            delay = max(delay, rate.reset - now)
        return delay

    def next_retry(self, error: AvalaError) -> float:
        """Seconds until the next attempt after a failure: Retry-After, else jittered backoff."""
        self.failures += 1
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            return max(error.retry_after, 0.0)
        ceiling = min(MAX_BACKOFF, FIRST_BACKOFF * 2.0 ** (self.failures - 1))
        # Half fixed, half random: never hammer, never synchronise with other clients.
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)


def low_budget(rate: RateLimitStatus | None) -> bool:
    """Whether the announced budget is nearly spent."""
    if rate is None or not rate.limit or rate.remaining is None:
        return False
    return rate.remaining <= rate.limit * LOW_BUDGET_SHARE


#: Mark kinds, as the table draws them.
MARK_NEW: Final = "new"
MARK_CHANGED: Final = "changed"


@dataclass
class ChangeLog:
    """What changed since the user last looked: marks per row and a running summary."""

    clock: Callable[[], float]
    """Where "since" times come from."""
    marks: dict[str, str] = field(default_factory=dict)
    """Unseen changes by task uid; the table draws these."""
    since: float = 0.0
    """When the summary started counting."""
    new: int = 0
    completed: int = 0
    changed: int = 0
    left: int = 0

    def __post_init__(self) -> None:
        self.since = self.clock()

    def record(
        self,
        added: Iterable[str],
        status_changed: Iterable[tuple[str, str | None]],
        left: int = 0,
    ) -> None:
        """Note a refresh's changes: new uids, and (uid, new status) pairs."""
        for uid in added:
            self.marks[uid] = MARK_NEW
            self.new += 1
        for uid, status in status_changed:
            if self.marks.get(uid) != MARK_NEW:
                self.marks[uid] = MARK_CHANGED
            if status == STATUS_COMPLETED:
                self.completed += 1
            else:
                self.changed += 1
        self.left += left

    def seen(self, uid: str) -> bool:
        """The user has looked at a row; True when that cleared a mark."""
        return self.marks.pop(uid, None) is not None

    def acknowledge(self) -> None:
        """Clear every mark and start counting afresh."""
        self.marks.clear()
        self.new = self.completed = self.changed = self.left = 0
        self.since = self.clock()

    def forget(self, uids: Iterable[str]) -> None:
        """Drop marks of rows that are gone from the list."""
        for uid in uids:
            self.marks.pop(uid, None)

    @property
    def summary(self) -> str:
        """E.g. "+3 new · 5 completed"; empty when nothing changed."""
        parts = []
        if self.new:
            parts.append(f"+{self.new:,} new")
        if self.completed:
            parts.append(f"{self.completed:,} completed")
        if self.changed:
            parts.append(f"{self.changed:,} changed")
        if self.left:
            parts.append(f"{self.left:,} left this view")
        return " · ".join(parts)
