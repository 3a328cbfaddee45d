"""The UI-free data layer: compact rows, merge rules and the page guard."""

from __future__ import annotations

from datetime import UTC, datetime

from avala_tui.api.models import Page, Task
from avala_tui.core.detail_cache import DetailCache
from avala_tui.core.feed import FIRST_PAGE, TaskFeed, TaskFilter
from avala_tui.core.store import TaskRow, TaskStore


def _task(uid: str, status: str = "pending", **extra: object) -> Task:
    return Task.read(
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


def _timed(uid: str, created: float, status: str = "pending") -> TaskRow:
    return TaskRow(uid, "box", "image-annotation", status, "p1", created, created)


def test_refresh_inserts_a_joining_task_at_its_place_and_skips_one_sliding_up() -> None:
    store = TaskStore()
    store.append_page([_timed("t9", 9), _timed("t7", 7), _timed("t5", 5)])
    # t8 joined the filter between loaded rows; t4 only slid up from the next page.
    result = store.merge_refresh(
        [_timed("t10", 10), _timed("t9", 9), _timed("t8", 8), _timed("t7", 7), _timed("t4", 4)]
    )
    assert result.added == ("t10", "t8")
    assert [row.uid for row in store] == ["t10", "t9", "t8", "t7", "t5"]
    assert store.index_of("t5") == 4
    at_end = store.merge_refresh([_timed("t3", 3)], first_page=False, last_page=True)
    assert at_end.added == (), "nothing on the page is loaded: no place to put it"
    tail = store.merge_refresh([_timed("t5", 5), _timed("t3", 3)], first_page=False, last_page=True)
    assert tail.added == ("t3",), "at the end of the list there is no next page to bring it"


def test_a_page_not_in_creation_order_is_placed_by_its_own_order() -> None:
    # The server's order is its business: here newer-looking tasks come last.
    store = TaskStore()
    store.append_page([_timed("a", 1), _timed("b", 5), _timed("c", 3)])
    result = store.merge_refresh([_timed("a", 1), _timed("n", 100), _timed("b", 5), _timed("c", 3)])
    assert result.added == ("n",)
    assert [row.uid for row in store] == ["a", "n", "b", "c"]


def test_equal_timestamps_do_not_confuse_placement_or_removal() -> None:
    store = TaskStore()
    store.append_page([_timed(uid, 7) for uid in ("a", "b", "c", "d")])
    result = store.merge_refresh([_timed("a", 7), _timed("x", 7), _timed("b", 7), _timed("d", 7)])
    assert result.added == ("x",)
    assert result.gone == ("c",), "c stood between b and d, which the page lists side by side"
    assert [row.uid for row in store] == ["a", "x", "b", "d"]
    assert store.tally() == 4


def test_a_task_that_moved_between_pages_is_shown_once_where_the_page_puts_it() -> None:
    store = TaskStore()
    store.append_page([_timed(f"t{n}", n) for n in range(9, 0, -1)])
    # The second page, re-fetched, now starts at t6 and lists t3 before t5.
    result = store.merge_refresh(
        [_timed("t6", 6), _timed("t3", 3), _timed("t5", 5), _timed("t4", 4)], first_page=False
    )
    assert result.gone == ()
    uids = [row.uid for row in store]
    assert uids == ["t9", "t8", "t7", "t6", "t3", "t5", "t4", "t2", "t1"]
    assert len(set(uids)) == len(uids)


def test_a_refetched_page_removes_only_rows_inside_its_span() -> None:
    store = TaskStore()
    store.append_page([_timed(f"t{n}", n) for n in range(9, 0, -1)])
    assert store.tally(status="pending") == 9
    # A later page re-fetched as (t7, t5, t4): t6 left the filter; t8 and t3 are outside.
    result = store.merge_refresh(
        [_timed("t7", 7), _timed("t5", 5), _timed("t4", 4)], first_page=False
    )
    assert result.gone == ("t6",)
    assert [row.uid for row in store] == ["t9", "t8", "t7", "t5", "t4", "t3", "t2", "t1"]
    assert store.index_of("t5") == 3
    assert store.tally(status="pending") == 8
    top = store.merge_refresh([_timed("t8", 8), _timed("t7", 7)])
    assert top.gone == ("t9",), "above the first page's first task there is nothing"


def test_tally_follows_status_changes() -> None:
    store = TaskStore()
    store.append_page([_timed("a", 2), _timed("b", 1)])
    store.merge_refresh([_timed("a", 2, "completed")])
    assert store.tally(status="pending") == 1
    assert store.tally(project="p1", status="completed") == 1
    assert store.projects_counted() == {"p1"}


def test_cursors_covering_maps_screen_rows_to_their_pages() -> None:
    feed = TaskFeed()
    first = feed.reset(TaskFilter())
    feed.page_loaded(first, Page[Task](items=[_task(f"a{n}") for n in range(3)], next_cursor="c2"))
    second = feed.claim_next()
    assert second is not None
    feed.page_loaded(second, Page[Task](items=[_task(f"b{n}") for n in range(3)], next_cursor="c3"))
    assert feed.cursors_covering(0, 2) == [FIRST_PAGE]
    assert feed.cursors_covering(2, 4) == [FIRST_PAGE, "c2"]
    assert feed.cursors_covering(4, 5) == [FIRST_PAGE, "c2"]
