"""The live monitor's state machine and the status texts, without a screen."""

from __future__ import annotations

import random

from avala_tui.api.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    RateLimitedError,
    ServerError,
)
from avala_tui.core.feed import PageClaim, TaskFilter
from avala_tui.core.monitor import LiveMonitor, RefreshPolicy
from avala_tui.core.status import (
    ListState,
    describe_error,
    header_text,
    health_text,
    list_message,
    status_line,
    table_footer,
    terminal_title,
)

NOW = 1_700_000_000.0


def monitor(refresh: float = 15.0) -> LiveMonitor:
    return LiveMonitor(RefreshPolicy(refresh, rng=random.Random(1)))


def test_a_connection_failure_goes_offline_and_counts_down_to_its_retry() -> None:
    live = monitor()
    live.succeeded(NOW)
    delay = live.failed(APIConnectionError("refused"), monotonic_now=100.0)
    assert delay is not None and 1.0 <= delay <= 2.0
    assert health_text(live, monotonic_now=100.0).startswith("offline")
    assert live.seconds_to_retry(100.0) == round(delay)
    assert health_text(live, monotonic_now=100.0).startswith("offline — retrying in ")
    live.succeeded(NOW + 30)
    assert health_text(live, monotonic_now=100.0).startswith("live")
    assert live.seconds_to_retry(100.0) is None
    assert live.last_error is None


def test_a_wrong_key_waits_for_the_user() -> None:
    live = monitor()
    assert live.failed(AuthenticationError("Invalid API key."), monotonic_now=0.0) is None
    assert live.connection == "unauthorised"
    assert health_text(live, monotonic_now=0.0) == "unauthorised"


def test_a_failed_page_is_retried_before_any_refresh_and_handed_out_once() -> None:
    live = monitor()
    claim = PageClaim(1, TaskFilter(), "cursor-2")
    live.failed(ServerError("boom"), monotonic_now=0.0, page=claim)
    assert live.wake() == "retry"
    assert live.take_failed_page() == claim
    assert live.take_failed_page() is None
    assert live.wake() == "refresh"


def test_paused_or_off_means_no_refresh_but_an_error_still_recovers() -> None:
    live = monitor()
    live.paused = True
    assert live.wake() is None
    off = monitor(refresh=0)
    assert off.wake() is None and off.refresh_delay(1, None, NOW) is None
    off.failed(ServerError("boom"), monotonic_now=0.0)
    assert off.wake() == "refresh"


def test_retry_after_rules_a_429() -> None:
    live = monitor()
    assert live.failed(RateLimitedError("slow", retry_after=12), monotonic_now=0.0) == 12


def test_the_health_words() -> None:
    live = monitor()
    assert health_text(live, monotonic_now=0.0) == "connecting"
    live.succeeded(NOW)
    assert health_text(live, monotonic_now=0.0).startswith("live · updated ")
    live.paused = True
    assert health_text(live, monotonic_now=0.0).startswith("paused · updated ")
    assert header_text("live", demo=True, host="h", profile="p") == "demo data · live"
    assert header_text("live", demo=False, host="h:1", profile="p") == "h:1 · profile p · live"


def test_an_error_paragraph_is_sentences() -> None:
    text = describe_error(APIConnectionError("All connection attempts failed"))
    assert text == (
        "Offline: All connection attempts failed. Is the network up, and AVALA_BASE_URL right?"
    )


def test_the_list_texts() -> None:
    empty = ListState(count=0, exhausted=False, loading=True)
    assert list_message(empty) == "Loading tasks…" and table_footer(empty) == ""
    assert status_line(empty) == ""
    done = ListState(count=1200, exhausted=True, loading=False)
    assert list_message(done) is None
    assert table_footer(done) == "end of list: 1,200 tasks"
    assert status_line(done) == "1,200 tasks · all loaded"
    more = ListState(count=100, exhausted=False, loading=True)
    assert table_footer(more) == "loading more…"
    assert status_line(more) == "100 loaded · more below"
    failing = ListState(count=0, exhausted=False, loading=False, error=ServerError("boom"))
    assert (list_message(failing) or "").startswith("⚠ Server: boom.")
    assert terminal_title(pending=None, exhausted=False) == "avala-tui"
    assert terminal_title(pending=1234, exhausted=False) == "avala-tui · 1,234+ pending"


def test_connection_backoff_is_capped_at_the_refresh_interval() -> None:
    live = monitor(refresh=5.0)
    delays = [live.failed(APIConnectionError("down"), monotonic_now=0.0) for _ in range(10)]
    assert all(delay is not None and delay <= 5.0 for delay in delays)
    throttled = live.failed(RateLimitedError("slow", retry_after=30), monotonic_now=0.0)
    assert throttled == 30, "Retry-After still rules a 429"


def test_a_refused_request_is_not_retried_by_itself() -> None:
    live = monitor()
    assert live.failed(BadRequestError("bad", status_code=400), monotonic_now=0.0) is None
    assert live.connection == "error" and live.retry_at is None
    assert live.failed(APIStatusError("slow", status_code=408), monotonic_now=0.0) is not None
