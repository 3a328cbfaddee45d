"""TaskView: the quick filter and sort over the store, checked against a plain model."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avala_tui.core.store import TaskRow, TaskStore
from avala_tui.core.view import SORT_COLUMNS, Sort, TaskView, header_sort, next_sort

NAMES = {"p1": "Alpha", "p2": "beta", "p3": "Gamma"}


def _row(uid: str, name: str | None = "box", status: str | None = "pending", **fields) -> TaskRow:
    values: dict[str, Any] = {
        "type": "image-annotation",
        "project": "p1",
        "created": 1_000.0,
        "updated": 2_000.0,
    }
    values.update(fields)
    return TaskRow(uid=uid, name=name, status=status, **values)


def _model(rows: list[TaskRow], query: str, sort: Sort | None) -> list[str]:
    """What the view must show, computed the slow, obvious way."""
    terms = query.casefold().split()

    def shown(row: TaskRow) -> bool:
        project = row.project and NAMES.get(row.project, row.project)
        fields = [row.name, row.uid, row.type, row.status, project]
        return all(any(term in (f or "").casefold() for f in fields) for term in terms)

    kept = [row for row in rows if shown(row)]
    if sort is not None:

        def value(row: TaskRow) -> str | float | None:
            if sort.column == "project":
                return row.project and NAMES.get(row.project, row.project).casefold()
            raw = getattr(row, sort.column)
            return raw.casefold() if isinstance(raw, str) else raw

        with_value = [row for row in kept if value(row) is not None]
        without = [row for row in kept if value(row) is None]
        kept = sorted(with_value, key=value, reverse=sort.reverse) + without  # type: ignore[arg-type]
    return [row.uid for row in kept]


rows_strategy = st.builds(
    _row,
    uid=st.just(""),
    name=st.sampled_from(["box", "Box", "polygon", "cuboid", None, "[b]x", "交通"]),
    status=st.sampled_from(["pending", "completed", "in_progress", None]),
    project=st.sampled_from(["p1", "p2", "p3", "p9", None]),
    created=st.sampled_from([1.0, 2.0, 3.0, None]),
    updated=st.sampled_from([5.0, 4.0, None]),
)
operations = st.one_of(
    st.tuples(st.just("append"), st.lists(rows_strategy, max_size=30)),
    st.tuples(st.just("refresh"), st.lists(rows_strategy, max_size=3)),
    st.tuples(st.just("update"), st.integers(0, 200), rows_strategy),
    st.tuples(st.just("query"), st.sampled_from(["", "b", "bo", "box", "box pend", "alpha", "x"])),
    st.tuples(
        st.just("sort"),
        st.one_of(st.none(), st.builds(Sort, st.sampled_from(SORT_COLUMNS), st.booleans())),
    ),
    st.tuples(st.just("clear")),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(operations, max_size=25))
def test_the_view_always_matches_the_model(ops: list[tuple[Any, ...]]) -> None:
    store = TaskStore()
    view = TaskView(store, NAMES)
    query, sort = "", None
    counter = 0

    def fresh(row: TaskRow) -> TaskRow:
        nonlocal counter
        counter += 1
        return TaskRow(
            f"t{counter}", row.name, row.type, row.status, row.project, row.created, row.updated
        )

    for op in ops:
        kind = op[0]
        if kind == "append":
            store.append_page([fresh(row) for row in op[1]])
        elif kind == "refresh":
            store.merge_refresh([fresh(row) for row in op[1]])
        elif kind == "update" and len(store):
            old = store[op[1] % len(store)]
            new = op[2]
            store.append_page(
                [TaskRow(old.uid, new.name, old.type, new.status, old.project, 1.0, 1.0)]
            )
        elif kind == "query":
            query = view.query = op[1]
        elif kind == "sort":
            sort = view.sort = op[1]
        elif kind == "clear":
            store.clear()
        expected = _model(list(store), query, sort)
        assert [row.uid for row in view] == expected
        assert len(view) == len(expected)
        if expected:
            assert view[len(expected) - 1].uid == expected[-1]
            assert view[-1].uid == expected[-1]
            assert [row.uid for row in view[1:3]] == expected[1:3]
            middle = expected[len(expected) // 2]
            assert view.index_of(middle) == len(expected) // 2


def test_appending_a_page_merges_into_a_large_sorted_view() -> None:
    store = TaskStore()
    store.append_page(_row(f"a{n}", name=f"n{n % 97:02d}", created=float(n)) for n in range(2_000))
    view = TaskView(store, NAMES)
    view.sort = Sort("name", reverse=True)
    assert len(view) == 2_000
    page = [_row(f"b{n}", name=f"n{n % 13:02d}") for n in range(100)]
    store.append_page(page)
    assert [row.uid for row in view] == _model(list(store), "", view.sort)


def test_typing_on_narrows_the_rows_already_shown() -> None:
    store = TaskStore()
    store.append_page([_row("1", "box"), _row("2", "boxes"), _row("3", "polygon")])
    view = TaskView(store, NAMES)
    view.query = "bo"
    assert [row.uid for row in view] == ["1", "2"]
    view.query = "boxe"
    assert [row.uid for row in view] == ["2"]
    view.query = "poly"
    assert [row.uid for row in view] == ["3"]


def test_project_names_arriving_later_count() -> None:
    names: dict[str, str] = {}
    store = TaskStore()
    store.append_page([_row("1", project="p1"), _row("2", project="p2")])
    view = TaskView(store, names)
    view.query = "beta"
    assert len(view) == 0
    names["p2"] = "beta"
    assert [row.uid for row in view] == ["2"]


def test_a_row_updated_in_place_is_re_filtered() -> None:
    store = TaskStore()
    store.append_page([_row("1", status="pending"), _row("2", status="pending")])
    view = TaskView(store, NAMES)
    view.query = "pending"
    assert len(view) == 2
    store.append_page([_row("1", status="completed", updated=3_000.0)])
    assert [row.uid for row in view] == ["2"]


def test_describe_is_honest_about_its_scope() -> None:
    store = TaskStore()
    store.append_page(_row(str(n), name="box" if n % 100 == 0 else "other") for n in range(1_200))
    view = TaskView(store, NAMES)
    assert view.describe(all_loaded=False) == (None, None)
    assert not view.active
    view.query = "box"
    view.sort = Sort("name", reverse=True)
    assert view.describe(all_loaded=False) == ("12 of 1,200 loaded match", "by name ▼")
    assert view.describe(all_loaded=True) == ("12 of 1,200 match", "by name ▼")


def test_sort_cycles_and_header_clicks() -> None:
    order = [next_sort(None)]
    while order[-1] is not None:
        order.append(next_sort(order[-1]))
    assert [sort.column for sort in order if sort] == list(SORT_COLUMNS)
    assert header_sort(None, "status") == Sort("status")
    assert header_sort(Sort("status"), "status") == Sort("status", reverse=True)
    assert header_sort(Sort("status", reverse=True), "status") is None
    assert header_sort(Sort("name"), "mark") == Sort("name")
    with pytest.raises(ValueError):
        Sort("mark")


class CountingNames(dict[str, str]):
    """Project names that count how often a name is looked up: once per row keyed."""

    lookups = 0

    def get(self, key, default=None):
        self.lookups += 1
        return super().get(key, default)


def test_appending_a_page_to_100k_sorted_rows_keys_only_the_page() -> None:
    names = CountingNames(NAMES)
    store = TaskStore()
    store.append_page(_row(f"{n:06d}", project=f"p{n % 4}") for n in range(100_000))
    view = TaskView(store, names)
    view.sort = Sort("project")
    len(view)
    assert names.lookups == 100_000
    names.lookups = 0
    store.append_page(_row(f"new{n}", project=f"p{n % 3}") for n in range(100))
    assert len(view) == 100_100
    # A binary search per new row (about 17 steps each), not a pass over every row.
    assert names.lookups < 100 * 20
    assert [row.uid for row in view[-3:]] == _model(list(store), "", view.sort)[-3:]


def test_typing_on_filters_only_the_rows_shown() -> None:
    names = CountingNames(NAMES)
    store = TaskStore()
    store.append_page(_row(f"{n:06d}", name=f"n{n % 100}") for n in range(100_000))
    view = TaskView(store, names)
    view.query = "n1"
    assert len(view) == 11_000
    names.lookups = 0
    view.query = "n12"
    assert len(view) == 1_000
    assert names.lookups == 11_000
