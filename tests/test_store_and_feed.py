"""The UI-free data layer: compact rows, merge rules and the page guard."""

from __future__ import annotations

from datetime import UTC, datetime

from avala_tui.api.models import Page, Task
from avala_tui.feed import FIRST_PAGE, DetailCache, TaskFeed, TaskFilter
from avala_tui.store import TaskRow, TaskStore


def _task(uid: str, status: str = "pending", **extra: object) -> Task:
    return Task.model_validate(
        {
            "uid": uid,
            "type": "image-annotation",
            "name": "box",
            "status": status,
            "project": "p1",
            "created_at": "2025-01-10T08:00:00Z",
            "updated_at": None,
            **extra,
        }
    )


def _row(uid: str, status: str = "pending") -> TaskRow:
    return TaskRow.from_task(_task(uid, status))


def test_row_keeps_every_field_compactly() -> None:
    row = TaskRow.from_task(_task("990c1800-i62f-85h8-e150-880099880000", priority=3))
    assert row.uid == "990c1800-i62f-85h8-e150-880099880000"
    assert row.created == datetime(2025, 1, 10, 8, tzinfo=UTC).timestamp()
    assert row.updated is None
    assert row.extra == {"priority": 3}
    assert _row("a").extra is None


def test_append_page_deduplicates_by_uid_and_updates_in_place() -> None:
    store = TaskStore()
    first = store.append_page([_row("a"), _row("b")])
    assert first.added == ("a", "b")
    again = store.append_page([_row("b", "completed"), _row("c")])
    assert again.added == ("c",)
    assert again.status_changed == ("b",)
    assert [row.uid for row in store] == ["a", "b", "c"]
    assert store[1].status == "completed"


def test_merge_refresh_puts_new_tasks_on_top_in_server_order() -> None:
    store = TaskStore()
    store.append_page([_row("c"), _row("d")])
    result = store.merge_refresh([_row("a"), _row("b"), _row("a"), _row("c", "completed")])
    assert result.added == ("a", "b")
    assert result.status_changed == ("c",)
    assert [row.uid for row in store] == ["a", "b", "c", "d"]
    assert store.index_of("d") == 3
    unchanged = store.merge_refresh([_row("a")])
    assert unchanged == type(unchanged)()


def test_feed_never_claims_the_same_page_twice() -> None:
    feed = TaskFeed()
    claim = feed.reset(TaskFilter(project="p1"))
    assert claim.cursor == FIRST_PAGE and claim.api_cursor is None
    assert feed.claim_next() is None, "one request in flight at a time"
    feed.page_loaded(claim, Page[Task](items=[_task("a")], next_cursor="c2"))
    second = feed.claim_next()
    assert second is not None and second.api_cursor == "c2"
    assert feed.claim_next() is None
    feed.page_loaded(second, Page[Task](items=[_task("b")], next_cursor="c2"))
    assert feed.claim_next() is None, "a cursor already fetched is never fetched again"


def test_feed_drops_pages_of_an_older_filter_and_releases_failed_claims() -> None:
    feed = TaskFeed()
    old = feed.reset(TaskFilter(status="pending"))
    new = feed.reset(TaskFilter(status="completed"))
    assert feed.page_loaded(old, Page[Task](items=[_task("x")])) is None
    assert len(feed.store) == 0
    feed.page_failed(new)
    retry = feed.retry_claim()
    assert retry is not None and retry.cursor == FIRST_PAGE
    assert retry.filters == TaskFilter(status="completed")
    feed.page_loaded(retry, Page[Task](items=[_task("y")]))
    assert feed.exhausted and feed.claim_next() is None


def test_detail_cache_expires_and_evicts() -> None:
    now = [0.0]
    cache = DetailCache(ttl=10, capacity=2, clock=lambda: now[0])
    cache.put(_task("a"))
    cache.put(_task("b"))
    assert cache.get("a") is not None
    cache.put(_task("c"))
    assert cache.get("b") is None, "least recently used goes first"
    now[0] = 11
    assert cache.get("a") is None
