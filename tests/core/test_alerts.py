"""--notify: reading the kinds, and when each alert speaks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from avala_tui.core.alerts import (
    AlertWatch,
    NotifyRules,
    NotifySpecError,
    parse_duration,
    parse_notify,
)


def test_the_kinds_are_read_in_any_order() -> None:
    assert parse_notify("offline, stale-over=48h,new,pending-over=500") == NotifyRules(
        new=True, pending_over=500, stale_over=timedelta(hours=48), offline=True
    )
    assert parse_notify(None) == NotifyRules()
    assert not parse_notify("").any
    assert parse_duration("90s") == timedelta(seconds=90)
    assert parse_duration("2d") == timedelta(days=2)


@pytest.mark.parametrize("spec", ["news", "pending-over=lots", "stale-over=2w", "new=1", "x"])
def test_a_typo_is_refused(spec: str) -> None:
    with pytest.raises(NotifySpecError):
        parse_notify(spec)


def test_new_tasks_accumulate_while_the_minute_is_not_over() -> None:
    watch = AlertWatch(parse_notify("new"))
    assert [a.message for a in watch.observe(0, new_total=2)] == ["2 new tasks"]
    assert watch.observe(10, new_total=5) == []
    # The user marked changes seen: the log restarts at 0 and counts 1 more.
    assert watch.observe(30, new_total=1) == []
    assert [a.message for a in watch.observe(61, new_total=1)] == ["4 new tasks"]
    assert watch.observe(200, new_total=1) == []


def test_thresholds_alert_when_crossed_not_while_they_hold() -> None:
    watch = AlertWatch(parse_notify("pending-over=100,stale-over=48h"))
    assert watch.observe(0, pending=90, oldest_pending_age=timedelta(hours=10)) == []
    alerts = watch.observe(1, pending=101, oldest_pending_age=timedelta(hours=49))
    assert [a.kind for a in alerts] == ["pending-over", "stale-over"]
    assert alerts[0].message == "101 pending (over 100)"
    assert watch.observe(100, pending=150, oldest_pending_age=timedelta(hours=60)) == []
    assert watch.observe(200, pending=50) == []
    assert [a.kind for a in watch.observe(300, pending=120)] == ["pending-over"]


def test_at_most_one_per_kind_per_minute() -> None:
    watch = AlertWatch(parse_notify("pending-over=10"))
    assert len(watch.observe(0, pending=11)) == 1
    watch.observe(5, pending=1)
    assert watch.observe(30, pending=11) == []


def test_offline_only_after_a_minute_away() -> None:
    watch = AlertWatch(parse_notify("offline"))
    assert watch.observe(0, offline=True) == []
    assert watch.observe(59, offline=True) == []
    assert [a.kind for a in watch.observe(61, offline=True)] == ["offline"]
    assert watch.observe(120, offline=True) == []
    assert watch.observe(130, offline=False) == []
    assert watch.observe(150, offline=True) == []
    assert [a.kind for a in watch.observe(211, offline=True)] == ["offline"]


def test_nothing_is_watched_that_was_not_asked_for() -> None:
    watch = AlertWatch(parse_notify("new"))
    assert watch.observe(0, pending=10**6, offline=True, new_total=0) == []
