"""The census: exact counts from a walk of every page, resumable, paced, bounded in memory."""

from __future__ import annotations

import json
import tracemalloc
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from avala_tui.api.client import AvalaClient, RateLimitStatus
from avala_tui.api.errors import APIConnectionError
from avala_tui.api.models import Page, Task
from avala_tui.api.tally import TaskTally
from avala_tui.core.census import (
    EMPTY_FIGURES,
    NO_STATUS,
    Census,
    CensusResult,
    QueueFigures,
    SeenChange,
    census_share,
    duration_text,
    next_delay,
    refine,
    refresh_per_minute,
    request_interval,
    result_from_json,
    result_json,
)
from avala_tui.core.feed import FIRST_PAGE, TaskFeed, TaskFilter
from avala_tui.core.refresh import apply_refresh
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.server import DemoServer
from tests.conftest import ANCHOR

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


def _task(
    number: int, project: str, status: str | None, created_h: float, updated_h: float
) -> Task:
    return Task(
        uid=f"t{number}",
        project=project,
        status=status,
        created_at=NOW - timedelta(hours=created_h),
        updated_at=NOW - timedelta(hours=updated_h),
    )


class FakePages:
    """Tasks served ``size`` at a time; cursors are offsets; faults and loops on request."""

    def __init__(self, tasks: list[Task], size: int = 3) -> None:
        self.tasks = tasks
        self.size = size
        self.fail_at: set[int] = set()
        self.loop_after: int | None = None
        self.asked: list[tuple[str | None, str | None, int | None]] = []
        self.rate_limit: RateLimitStatus | None = None

    async def list_task_tallies(
        self,
        *,
        project: str | None = None,
        status: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[TaskTally]:
        self.asked.append((project, cursor, limit))
        start = int(cursor or 0)
        if start in self.fail_at:
            self.fail_at.discard(start)
            raise APIConnectionError("down")
        rows = [task for task in self.tasks if project is None or task.project == project]
        end = start + self.size
        following: str | None = str(end) if end < len(rows) else None
        if self.loop_after is not None and end > self.loop_after:
            following = "0"
        return Page(items=[TaskTally.of(task) for task in rows[start:end]], next_cursor=following)


def _sample() -> list[Task]:
    return [
        _task(1, "a", "pending", 0.5, 0.5),
        _task(2, "a", "completed", 2.0, 0.2),
        _task(3, "a", "completed", 30.0, 23.5),
        _task(4, "a", "completed", 80.0, 40.0),
        _task(5, "a", "pending", 50.0, 30.0),
        _task(6, "b", "pending", 100.0, 99.0),
        _task(7, "b", "in_progress", 3.0, 3.0),
        _task(8, "b", None, 1.5, 1.5),
    ]


async def test_counts_per_project_status_and_hour() -> None:
    source = FakePages(_sample())
    census = Census(source, now=NOW)
    result = await census.run(sleep=_no_wait)

    a, b = result.projects["a"], result.projects["b"]
    assert (a.pending, a.completed, a.other) == (2, 3, {})
    assert (b.pending, b.completed, b.other) == (1, 0, {"in_progress": 1, NO_STATUS: 1})
    assert (a.created_last_hour, a.created_last_24h) == (1, 2)
    assert (a.completed_last_hour, a.completed_last_24h) == (1, 2)
    assert a.completions_by_hour[-1] == 1 and a.completions_by_hour[0] == 1
    assert a.oldest_pending_created_at == NOW - timedelta(hours=50)
    assert (a.stale_pending, b.stale_pending) == (1, 1)
    assert a.percent_done == 60.0
    # 2 completions in 24 h: 1/12 per hour, 2 pending -> 24 hours.
    assert a.eta == timedelta(hours=24)
    assert b.eta is None
    total = result.total
    assert (total.pending, total.completed, total.total) == (3, 3, 8)
    assert total.oldest_pending_created_at == NOW - timedelta(hours=100)
    assert (result.counted, result.complete) == (8, True)
    assert [limit for _, _, limit in source.asked] == [1000, 1000, 1000]


async def test_one_project_and_the_stale_threshold() -> None:
    census = Census(FakePages(_sample()), now=NOW, project="a", stale_after=timedelta(hours=20))
    result = await census.run(sleep=_no_wait)

    assert list(result.projects) == ["a"]
    assert result.projects["a"].stale_pending == 1
    census = Census(FakePages(_sample()), now=NOW, project="a", stale_after=timedelta(hours=31))
    assert (await census.run(sleep=_no_wait)).projects["a"].stale_pending == 0


async def test_a_failed_page_is_retried_at_its_cursor_and_counted_once() -> None:
    source = FakePages(_sample())
    source.fail_at = {3}
    census = Census(source, now=NOW)
    with pytest.raises(APIConnectionError):
        await census.run(sleep=_no_wait)
    assert (census.counted, census.cursor, census.done) == (3, "3", False)

    result = await census.run(sleep=_no_wait)
    assert result.counted == 8
    assert result.total.total == 8
    assert [cursor for _, cursor, _ in source.asked] == [None, "3", "3", "6"]


async def test_a_repeated_cursor_ends_the_walk() -> None:
    source = FakePages(_sample())
    source.loop_after = 5
    census = Census(source, now=NOW)
    result = await census.run(sleep=_no_wait)

    assert census.looped
    assert result.complete
    assert len(source.asked) == 3


async def test_requests_are_spaced_to_the_share_of_the_announced_limit() -> None:
    source = FakePages(_sample(), size=1)
    source.rate_limit = RateLimitStatus(limit=100, remaining=90, reset=None, observed_at=0.0)
    clock = _Clock()
    census = Census(source, now=NOW)
    await census.run(share=0.2, sleep=clock.sleep, clock=clock.now)

    # 20% of 100/min: one request every 3 s, the first at once.
    assert clock.slept == [3.0] * 7
    assert census.requests == 8


async def test_a_nearly_spent_window_waits_for_its_reset() -> None:
    source = FakePages(_sample(), size=8)
    source.rate_limit = RateLimitStatus(limit=100, remaining=5, reset=1_040.0, observed_at=0.0)
    clock = _Clock()
    census = Census(source, now=NOW)
    await census.run(share=0.2, sleep=clock.sleep, clock=clock.now, wall_clock=lambda: 1_000.0)

    assert clock.slept == [40.0]


def test_the_census_and_the_refresh_share_thirty_percent() -> None:
    # 100/min and a refresh of 12/min: 18/min left for the census.
    assert census_share(100, 12) == pytest.approx(0.18)
    assert census_share(None, 40) == 0.0
    assert request_interval(0.18, None) == pytest.approx(60 / 18)
    assert request_interval(0.0, None) == float("inf")


def test_the_refresh_rate_is_capped_by_its_own_budget_and_the_delay_waits_for_a_reset() -> None:
    assert refresh_per_minute(15, 2, 100) == 8.0
    assert refresh_per_minute(1, 2, 100) == 30.0
    assert refresh_per_minute(0, 2, 100) == 0.0
    rate = RateLimitStatus(limit=100, remaining=50, reset=None, observed_at=0.0)
    assert next_delay(0.2, rate, since_last=None, wall_now=0) == 0.0
    assert next_delay(0.2, rate, since_last=1.0, wall_now=0) == 2.0
    spent = RateLimitStatus(limit=100, remaining=3, reset=130.0, observed_at=0.0)
    assert next_delay(0.2, spent, since_last=None, wall_now=100.0) == 30.0


def test_durations_read_at_a_glance() -> None:
    assert [
        duration_text(span)
        for span in (None, timedelta(minutes=59), timedelta(hours=47), timedelta(days=12.5))
    ] == ["—", "59m", "47h", "12d"]


def test_figures_without_pending_or_completions() -> None:
    empty = QueueFigures(0, 0, {}, 0, 0, 0, 0, (0,) * 24, None, 0)
    assert (empty.percent_done, empty.eta, empty.oldest_pending_age(NOW)) == (None, None, None)


async def test_memory_stays_under_100_bytes_per_task() -> None:
    tasks = [
        _task(number, f"p{number % 5}", ("pending", "completed")[number % 2], number % 90, 1)
        for number in range(20_000)
    ]
    source = FakePages(tasks, size=1000)
    census = Census(source, now=NOW)
    # Only the census's own state is measured: the pages exist before and after it.
    tracemalloc.start()
    try:
        await census.run(sleep=_no_wait)
        size, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert census.counted == 20_000
    assert size / census.counted < 100


async def test_exact_against_the_demo_over_loopback(demo: DemoServer) -> None:
    rows = demo.api.tasks()
    async with AvalaClient(DEFAULT_API_KEY, demo.base_url) as client:
        result = await Census(client, now=ANCHOR).run(share=1e9, sleep=_no_wait)

    assert result.counted == len(rows) > 60_000
    expected = _expected(rows)
    assert {uid: _comparable(figures) for uid, figures in result.projects.items()} == expected
    lists = [record.query for record in demo.api.requests if record.path == "/api/v1/tasks/"]
    assert len(lists) == -(-len(rows) // 1000)
    assert {query["limit"] for query in lists} == {"1000"}


def _expected(rows: list[dict[str, Any]]) -> dict[str | None, tuple[Any, ...]]:
    """The figures computed straight from the demo's rows, independently of the census."""
    anchor = ANCHOR.timestamp()
    out: dict[str | None, tuple[Any, ...]] = {}
    for project in dict.fromkeys(row["project"] for row in rows):
        own = [row for row in rows if row["project"] == project]
        statuses = Counter(row["status"] or NO_STATUS for row in own)

        def hours_ago(text: str) -> float:
            return (anchor - datetime.fromisoformat(text).timestamp()) / 3600

        created = [hours_ago(row["created_at"]) for row in own]
        completed = [
            hours_ago(row["updated_at"])
            for row in own
            if row["status"] == "completed" and row["updated_at"]
        ]
        pending = [row for row in own if row["status"] == "pending"]
        oldest = min((datetime.fromisoformat(row["created_at"]) for row in pending), default=None)
        stale = sum(hours_ago(row["updated_at"] or row["created_at"]) > 24 for row in pending)
        out[project] = (
            statuses["pending"],
            statuses["completed"],
            {s: n for s, n in statuses.items() if s not in ("pending", "completed")},
            sum(0 <= h < 1 for h in created),
            sum(0 <= h < 24 for h in created),
            sum(0 <= h < 24 for h in completed),
            tuple(sum(23 - hour <= h < 24 - hour for h in completed) for hour in range(24)),
            oldest,
            stale,
        )
    return out


def _comparable(figures: QueueFigures) -> tuple[Any, ...]:
    return (
        figures.pending,
        figures.completed,
        figures.other,
        figures.created_last_hour,
        figures.created_last_24h,
        figures.completed_last_24h,
        figures.completions_by_hour,
        figures.oldest_pending_created_at,
        figures.stale_pending,
    )


async def _no_wait(seconds: float) -> None:
    return None


class _Clock:
    def __init__(self) -> None:
        self.time = 0.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.time += seconds


async def test_the_first_project_is_exact_early_and_nothing_is_counted_twice() -> None:
    source = FakePages(_sample())
    census = Census(source, now=NOW, first="b")
    assert census.first_figures() is None
    while not census.first_done:
        await census.step()
    early = census.first_figures()
    assert early is not None and not census.done
    assert (early.pending, early.other) == (1, {"in_progress": 1, NO_STATUS: 1})
    assert census.requests == 1  # b's 3 tasks: one page of 3

    result = await census.run(sleep=_no_wait)
    plain = await Census(FakePages(_sample()), now=NOW).run(sleep=_no_wait)
    assert result.projects["b"] == plain.projects["b"] == early
    assert result.projects["a"] == plain.projects["a"]
    assert result.total == plain.total and result.counted == plain.counted == 8
    # b's own page, then every page of all tasks (b's tasks fetched again, not counted).
    assert [(project, cursor) for project, cursor, _ in source.asked] == [
        ("b", None),
        (None, None),
        (None, "3"),
        (None, "6"),
    ]


async def test_a_first_project_without_tasks_is_exact_as_empty() -> None:
    census = Census(FakePages(_sample()), now=NOW, first="c")
    await census.step()
    early = census.first_figures()
    assert early is not None and early.total == 0
    result = await census.run(sleep=_no_wait)
    assert "c" not in result.projects and result.counted == 8


def _done(**changes: Any) -> CensusResult:
    counted = CensusResult(
        as_of=NOW,
        projects={"a": _figures(pending=5, completed=10), "b": _figures(pending=1, completed=0)},
        total=_figures(pending=6, completed=10),
        counted=16,
        complete=True,
        ended_at=NOW + timedelta(minutes=2),
    )
    return replace(counted, **changes)


def _figures(*, pending: int, completed: int) -> QueueFigures:
    return replace(EMPTY_FIGURES, pending=pending, completed=completed)


def _at(minutes: float) -> float:
    return (NOW + timedelta(minutes=minutes)).timestamp()


def test_a_seen_completion_moves_one_from_pending_to_completed_in_the_newest_hour() -> None:
    flip = SeenChange("t1", "a", "pending", "completed", _at(5))
    refined = refine(_done(), [flip])
    a = refined.projects["a"]
    assert (a.pending, a.completed) == (4, 11)
    assert (a.completed_last_hour, a.completed_last_24h) == (1, 1)
    assert a.completions_by_hour == (0,) * 23 + (1,)
    assert (refined.total.pending, refined.total.completed) == (5, 11)
    assert refined.projects["b"] == _done().projects["b"]
    assert (refined.estimated, refined.refined_by) == (frozenset({"a"}), 1)


def test_an_arrival_adds_a_pending_task_and_an_arrival() -> None:
    arrival = SeenChange("t9", "b", None, "pending", _at(1), arrival=True)
    new_project = SeenChange("t10", "z", None, "pending", _at(1), arrival=True)
    refined = refine(_done(), [arrival, new_project])
    b, z = refined.projects["b"], refined.projects["z"]
    assert (b.pending, b.created_last_hour, b.created_last_24h) == (2, 1, 1)
    assert (z.pending, z.total) == (1, 1)
    assert (refined.total.pending, refined.total.created_last_24h) == (8, 2)
    assert refined.estimated == {"b", "z"}


def test_other_flips_move_between_the_statuses_as_spelt() -> None:
    changes = [
        SeenChange("t1", "a", "pending", "in_progress", _at(5)),
        SeenChange("t2", "a", "completed", "pending", _at(6)),
        SeenChange("t3", "b", "in_progress", None, _at(6)),  # the walk never saw it so
    ]
    refined = refine(_done(), changes)
    a, b = refined.projects["a"], refined.projects["b"]
    assert (a.pending, a.completed, a.other) == (5, 9, {"in_progress": 1})
    assert a.completed_last_24h == 0  # going back to pending is no completion
    assert (b.pending, b.other) == (1, {NO_STATUS: 1})


def test_changes_the_walk_may_have_counted_are_left_out() -> None:
    changes = [
        # Made before the walk ended: its page may have been counted after it.
        SeenChange("t1", "a", "pending", "completed", _at(1)),
        # Created before the walk began: the walk saw it.
        SeenChange("t2", "a", None, "pending", _at(-1), arrival=True),
        SeenChange("t3", "a", "pending", "completed", None),
    ]
    result = _done()
    assert refine(result, changes) is result
    assert refine(
        _done(ended_at=None), [SeenChange("t", "a", "pending", "x", _at(9))]
    ).estimated == (frozenset())


def test_a_result_goes_to_json_and_back_unchanged() -> None:
    result = CensusResult(
        as_of=NOW,
        projects={"a": _figures(pending=2, completed=1), None: _figures(pending=1, completed=0)},
        total=_figures(pending=3, completed=1),
        counted=4,
        complete=True,
        ended_at=NOW + timedelta(seconds=30),
        stale_after=timedelta(hours=48),
    )
    document = json.loads(json.dumps(result_json(result)))
    assert result_from_json(document) == result


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.update(format=0),
        lambda d: d.pop("total"),
        lambda d: d.update(projects={"a": {}}),
        lambda d: d["total"].update(pending=-1),
        lambda d: d["total"].update(pending="5"),
        lambda d: d["total"].update(completions_by_hour=[1]),
        lambda d: d.update(as_of="yesterday"),
        lambda d: d.update(as_of="2025-03-01T12:00:00"),
        lambda d: d.update(stale_after_seconds=0),
        lambda d: d["projects"].append([3, {}]),
    ],
)
def test_a_damaged_or_older_result_is_none(damage: Any) -> None:
    document = json.loads(json.dumps(result_json(_done())))
    damage(document)
    assert result_from_json(document) is None
    others: tuple[object, ...] = (None, [], "x", 1, {"format": 1})
    assert [result_from_json(other) for other in others] == [None] * len(others)


def test_an_arrival_seen_twice_is_one_arrival() -> None:
    arrival = SeenChange("t9", "b", None, "pending", _at(1), arrival=True)
    refined = refine(_done(), [arrival, SeenChange("t9", "b", None, "pending", _at(1), True)])
    assert (refined.projects["b"].pending, refined.refined_by) == (2, 1)


def test_a_refresh_says_which_tasks_arrived_and_flipped_from_what() -> None:
    feed = TaskFeed()
    claim = feed.reset(TaskFilter())
    first = [_task(1, "a", "pending", 2, 2), _task(2, "b", "pending", 3, 3)]
    feed.page_loaded(claim, Page(items=first, next_cursor=None))
    flipped = _task(2, "b", "completed", 3, 0.1)
    arrived = _task(3, "a", "pending", 0.2, 0.2)
    result = apply_refresh(
        feed.store,
        [(FIRST_PAGE, Page(items=[arrived, first[0], flipped], next_cursor=None))],
        exhausted=True,
    )
    assert result.seen == (
        SeenChange("t2", "b", "pending", "completed", (NOW - timedelta(hours=0.1)).timestamp()),
        SeenChange("t3", "a", None, "pending", (NOW - timedelta(hours=0.2)).timestamp(), True),
    )
