"""The live monitor: when to refresh, how to back off, and the state of the link. No Textual.

A lead leaves the dashboard open for hours, so the refresh cadence must respect
the API's rate limit (it is shared with everything else the user runs), back off
while the server is away, and come back by itself. :class:`LiveMonitor` is the
state machine the task list drives: it is told of every success and failure and
answers with the one thing to do next and when; the widget holds the one timer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final, Literal

from avala_tui.api.client import RateLimitStatus
from avala_tui.api.errors import (
    APIConnectionError,
    AuthenticationError,
    AvalaError,
    RateLimitedError,
)
from avala_tui.core.feed import PageClaim

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
        if self.live:
            # A monitor must be live again within one interval of the API's return.
            ceiling = min(ceiling, max(self.interval, FIRST_BACKOFF))
        # Half fixed, half random: never hammer, never synchronise with other clients.
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)


def refused(error: AvalaError) -> bool:
    """Whether the API refused the request itself (a 4xx other than 408 and 429)."""
    status = error.status_code
    return status is not None and 400 <= status < 500 and status not in (408, 429)


def low_budget(rate: RateLimitStatus | None) -> bool:
    """Whether the announced budget is nearly spent."""
    if rate is None or not rate.limit or rate.remaining is None:
        return False
    return rate.remaining <= rate.limit * LOW_BUDGET_SHARE


#: The states of the link to the API that the header names.
Connection = Literal["connecting", "online", "offline", "error", "unauthorised"]
#: What the monitor's one pending wake-up is for.
Wake = Literal["retry", "refresh"]


@dataclass
class LiveMonitor:
    """The link's state, the one pending refresh or retry, the failed page, and the backoff.

    Times: ``now`` arguments are wall-clock epochs (shown to the user as "updated
    10:42"); ``retry_at`` is on the monotonic clock, since a countdown must not
    jump with the wall clock.
    """

    policy: RefreshPolicy
    """Cadence, budget and backoff."""
    connection: Connection = "connecting"
    """The last known state of the link to the API."""
    paused: bool = False
    """Whether the user paused live refresh."""
    last_update: float | None = None
    """Wall-clock time of the last successful answer for the task list."""
    last_error: AvalaError | None = None
    """The error the list is showing, until the next success."""
    failed_page: PageClaim | None = None
    """A list page whose request failed, retried before any refresh."""
    retry_at: float | None = None
    """Monotonic time of the scheduled retry, for the header's countdown."""

    def reset(self) -> None:
        """Forget the failure state (a new filter starts afresh)."""
        self.last_error = None
        self.failed_page = None
        self.retry_at = None

    def succeeded(self, now: float) -> None:
        """An answer came: the link is up, nothing is pending a retry."""
        self.last_error = None
        self.retry_at = None
        self.last_update = now
        self.connection = "online"

    def failed(
        self, error: AvalaError, monotonic_now: float, page: PageClaim | None = None
    ) -> float | None:
        """Record a failure; the delay before retrying by itself, or None to wait for the user.

        ``page`` is the list page whose request failed, if it was one: it is retried
        before any refresh.
        """
        self.last_error = error
        if page is not None:
            self.failed_page = page
        if isinstance(error, AuthenticationError):
            # A wrong key will not fix itself: wait for the user's r.
            self.connection = "unauthorised"
            self.retry_at = None
            return None
        if refused(error):
            # The same request gets the same refusal: asking again by itself is spam.
            self.connection = "error"
            self.retry_at = None
            return None
        self.connection = "offline" if isinstance(error, APIConnectionError) else "error"
        delay = self.policy.next_retry(error)
        self.retry_at = monotonic_now + delay
        return delay

    def refresh_delay(self, pages: int, rate: RateLimitStatus | None, now: float) -> float | None:
        """After a success: seconds until the next refresh, or None when live refresh is off."""
        if not self.policy.live:
            return None
        return self.policy.next_refresh(pages, rate, now)

    def retry_now(self) -> None:
        """The user asked to retry (r): the next attempt is not a backed-off one."""
        self.policy.failures = 0

    def take_failed_page(self) -> PageClaim | None:
        """The failed page to retry now, handed out once."""
        page, self.failed_page = self.failed_page, None
        return page

    def wake(self) -> Wake | None:
        """What the pending wake-up should do now: retry a failure, refresh, or nothing."""
        if self.failed_page is not None:
            return "retry"
        if self.paused or (not self.policy.live and self.last_error is None):
            return None
        return "refresh"

    def seconds_to_retry(self, monotonic_now: float) -> int | None:
        """Whole seconds until the scheduled retry, while failing; None otherwise."""
        if self.connection not in ("offline", "error") or self.retry_at is None:
            return None
        return max(0, round(self.retry_at - monotonic_now))
