"""The live monitor's policy: rate-limit budget, backoff, Retry-After, change summary."""

from __future__ import annotations

import itertools
import random

from avala_tui.api.client import RateLimitStatus
from avala_tui.api.errors import APIConnectionError, RateLimitedError
from avala_tui.core.changes import ChangeLog
from avala_tui.core.monitor import MAX_BACKOFF, RefreshPolicy, low_budget


def _rate(limit: int | None, remaining: int | None, reset: float | None = None) -> RateLimitStatus:
    return RateLimitStatus(limit=limit, remaining=remaining, reset=reset, observed_at=0.0)


def test_refresh_stays_within_thirty_percent_of_the_announced_limit() -> None:
    policy = RefreshPolicy(interval=1.0)
    # 100/min: 30 requests a minute for the monitor; 3 pages a refresh -> every 6 s at most.
    assert policy.next_refresh(3, _rate(100, 90), now=0) == 6.0
    # A generous limit lets the user's own interval rule.
    assert policy.next_refresh(1, _rate(10_000, 9_000), now=0) == 1.0
    # No header yet: the documented default of 100/min is assumed.
    assert policy.budget_interval(1, None) == 2.0


def test_low_budget_waits_for_the_window_to_reset() -> None:
    policy = RefreshPolicy(interval=15.0)
    rate = _rate(100, 5, reset=1_000.0 + 40)
    assert low_budget(rate)
    assert policy.next_refresh(1, rate, now=1_000.0) == 40.0
    assert not low_budget(_rate(100, 50))
    assert not low_budget(None)


def test_retry_after_is_honoured_and_backoff_grows_with_jitter_up_to_a_cap() -> None:
    # Live refresh off: nothing caps the backoff below MAX_BACKOFF (with it on, the
    # interval does: see test_live_monitor's cap test).
    policy = RefreshPolicy(interval=0.0, rng=random.Random(1))
    assert policy.next_retry(RateLimitedError("slow down", retry_after=7)) == 7
    waits = [policy.next_retry(APIConnectionError("down")) for _ in range(12)]
    assert 2.0 <= waits[0] <= 4.0  # the second failure in a row: ceiling 4 s, half fixed
    assert all(later >= earlier / 2 for earlier, later in itertools.pairwise(waits))
    assert max(waits) <= MAX_BACKOFF
    assert waits[-1] >= MAX_BACKOFF / 2
    assert len(set(waits)) > 1, "jittered"
    policy.next_refresh(1, None, now=0)
    assert policy.failures == 0, "a success resets the backoff"


def test_change_log_marks_until_seen_and_summarises() -> None:
    now = [100.0]
    log = ChangeLog(lambda: now[0])
    log.record(["a", "b"], [("c", "completed"), ("a", "completed"), ("d", "in_progress")], left=1)
    assert log.marks == {"a": "new", "b": "new", "c": "changed", "d": "changed"}
    assert log.summary == "+2 new · 2 completed · 1 changed · 1 left this view"
    assert log.seen("a") and not log.seen("a")
    now[0] = 200.0
    log.acknowledge()
    assert log.marks == {} and log.summary == "" and log.since == 200.0
