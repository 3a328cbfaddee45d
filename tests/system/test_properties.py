"""Properties over what the API may send: it parses or is a ProtocolError; it is drawn as data.

The page parser and the models are fed arbitrary JSON (and the client arbitrary bytes
over loopback): the only exception that may come out is the typed ProtocolError, and a
row with a string uid is never refused for its other fields. Then hostile text served
by a real demo API goes through the whole dashboard: the table, the detail pane and
the toasts draw it literally, with no markup applied and no control character left.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import itertools
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rich.console import Console
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import Static
from textual.widgets._toast import Toast

from avala_tui.api.client import AvalaClient, _parse_page, _task_path
from avala_tui.api.errors import ProtocolError
from avala_tui.api.models import MAX_TEXT_CHARS, Page, Project, Task, _plain_fields
from avala_tui.config.settings import Settings
from avala_tui.core.store import TaskRow
from avala_tui.core.text import clean, fit, short_type, status_parts
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp, make_app
from avala_tui.ui.widgets.task_table import TaskTable
from tests.api.stub_server import Reply, StubServer
from tests.conftest import ANCHOR
from tests.core.test_text import FORBIDDEN_CATEGORIES, hostile_text

# --------------------------------------------------------------- strategies

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), hostile_text, st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
zones = st.just(UTC) | st.builds(
    timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
)
#: Values a timestamp field may hold: good times at the edges of the range, and nonsense.
times = st.one_of(
    st.datetimes(timezones=zones).map(datetime.isoformat),
    st.datetimes().map(datetime.isoformat),
    st.sampled_from(
        ["yesterday", "", "0001-01-01T00:00:00", "9999-12-31T23:59:59-14:00", "2025-02-30"]
    ),
    st.integers(),
    st.floats(),
    json_values,
)
links = st.one_of(
    json_values,
    st.builds("https://api.avala.ai/api/v1/tasks/?cursor={}".format, hostile_text),
    st.sampled_from(["http://[x?cursor=1", "?cursor=", "https://h/?cursor=a&cursor=b"]),
    st.just("https://h/?cursor=\ud800"),
)
row_fields = {
    "uid": st.one_of(hostile_text, json_values),
    "name": st.one_of(hostile_text, json_values),
    "type": st.one_of(hostile_text, json_values),
    "status": st.one_of(hostile_text, json_values),
    "project": st.one_of(hostile_text, json_values),
    "created_at": times,
    "updated_at": times,
}
rows = st.builds(
    lambda documented, extra: {**extra, **documented},
    st.fixed_dictionaries({}, optional=row_fields),
    st.dictionaries(hostile_text, json_values, max_size=2),
)
#: Rows the API may send: a uid, and anything at all in every other field.
rows_with_uid = st.builds(lambda uid, row: {**row, "uid": uid}, hostile_text.filter(bool), rows)
pages = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "next": links,
            "previous": links,
            "results": st.one_of(st.lists(rows | json_values, max_size=4), json_values),
        },
    ),
)


def assert_usable(item: Task | Project) -> None:
    """A parsed item holds only what the rest of the app can handle."""
    assert isinstance(item.uid, str) and item.uid
    for name in ("name", "status", "type", "project"):
        if name in {field.name for field in dataclasses.fields(item)}:
            assert getattr(item, name) is None or isinstance(getattr(item, name), str)
    for stamp in (item.created_at, item.updated_at):
        # Every kept time can be drawn: as epoch seconds and as a local date.
        if stamp is not None:
            assert math.isfinite(stamp.timestamp())
            datetime.fromtimestamp(stamp.timestamp()).astimezone()
    if isinstance(item, Task):
        row = TaskRow.from_task(item)
        assert row.created is None or math.isfinite(row.created)


# ---------------------------------------------------------- parsing properties


@settings(max_examples=200)
@given(pages)
def test_any_json_parses_into_a_page_or_raises_a_protocol_error(body: Any) -> None:
    for model in (Task, Project):
        try:
            page: Page[Any] = _parse_page(body, model)
        except ProtocolError:
            continue
        for item in page.items:
            assert_usable(item)
        for cursor in (page.next_cursor, page.previous_cursor):
            assert cursor is None or (cursor and cursor.encode("utf-8"))


@settings(max_examples=150)
@given(st.lists(rows_with_uid, min_size=1, max_size=3))
def test_a_row_with_a_string_uid_is_never_refused_for_its_other_fields(results: list[Any]) -> None:
    page = _parse_page({"next": None, "previous": None, "results": results}, Task)
    assert [task.uid for task in page.items] == [row["uid"] for row in results]
    for task, row in zip(page.items, results, strict=True):
        assert_usable(task)
        for name in ("created_at", "updated_at"):
            if name in row and getattr(task, name) is None and row[name] is not None:
                # An unreadable time is kept, as sent, for the detail pane.
                kept = task.extra_fields[f"{name} (as sent)"]
                assert json.dumps(kept) == json.dumps(row[name])  # NaN is not equal to itself


#: Times written as APIs write them: every precision, ``Z`` or an offset, the range's edges.
api_times = st.builds(
    lambda stamp, spec, zulu: stamp.isoformat(timespec=spec).replace(
        "+00:00", "Z" if zulu else "+00:00"
    ),
    st.datetimes(
        timezones=zones
        | st.builds(timezone, st.integers(-23 * 60, 23 * 60).map(lambda m: timedelta(minutes=m)))
    ),
    st.sampled_from(["auto", "seconds", "milliseconds", "microseconds"]),
    st.booleans(),
)
#: Rows as an API sends them, mostly: text, times with an offset, a few undocumented fields
#: (hostile ones are in ``rows_with_uid``).
plain_rows = st.builds(
    lambda uid, texts, stamps, extra: {**extra, **texts, **stamps, "uid": uid},
    st.text(min_size=1, max_size=12),
    st.fixed_dictionaries(
        {},
        optional={
            name: st.none() | st.text(max_size=12) for name in ("name", "type", "status", "project")
        },
    ),
    st.fixed_dictionaries(
        {"created_at": api_times}, optional={"updated_at": st.none() | api_times | times}
    ),
    st.dictionaries(
        st.text(max_size=8),
        json_values | st.just(["é" * (MAX_TEXT_CHARS + 1)]),
        max_size=2,
    ),
)


@settings(max_examples=300)
@given(plain_rows | rows_with_uid)
def test_the_plain_reading_agrees_with_pydantics_wherever_it_reads_a_row(
    row: dict[str, Any],
) -> None:
    """A row the plain reading takes reads the same through the lenient pydantic models."""
    from avala_tui.api._lenient import read_lenient

    for model in (Task, Project):
        plain = _plain_fields(row, model.TEXT_FIELDS, frozenset({"created_at", "updated_at"}))
        if plain is None:
            continue
        fields, extra, cut = plain
        assert model(**fields, extra=extra, cut=cut) == read_lenient(model, row)


def _bodies() -> st.SearchStrategy[bytes]:
    encoded = pages.map(lambda page: repr(page).encode("utf-8", "surrogatepass"))
    json_text = st.from_regex(r'\{"results": \[.{0,40}\]\}', fullmatch=True).map(str.encode)
    cut = st.tuples(st.from_regex(r'\{"results": \[\{"uid": ".{0,20}"\}\]\}'), st.integers(0, 40))
    return st.one_of(
        st.binary(max_size=64), json_text, cut.map(lambda c: c[0][: c[1]].encode()), encoded
    )


async def _list_tasks_answered_with(body: bytes) -> None:
    reply = Reply(200, body, {"Content-Type": "application/json"})
    async with (
        StubServer(lambda _: reply) as stub,
        AvalaClient("k", stub.base_url, max_retries=0) as client,
    ):
        page = await client.list_tasks()
    for task in page.items:
        assert_usable(task)


@settings(max_examples=60, deadline=None)
@given(_bodies())
def test_any_body_over_loopback_parses_or_raises_a_protocol_error(body: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        asyncio.run(_list_tasks_answered_with(body))


@settings(max_examples=100)
@given(hostile_text.filter(bool))
def test_any_uid_the_api_sends_can_be_asked_for_again(uid: str) -> None:
    """Even one holding a lone surrogate (valid JSON): the detail pane asks get-task for it."""
    url = httpx.URL("https://api.avala.ai/api/v1" + _task_path(uid))
    segments = url.raw_path.decode("ascii").split("/")
    assert segments[:4] == ["", "api", "v1", "tasks"] and len(segments) == 6
    assert unquote(segments[4], errors="surrogatepass") == uid


# ------------------------------------------------------------ drawn as data

#: Text an API might send to take over a terminal or the app's markup.
PAYLOADS = [
    "[bold red]x[/]",
    "a[/]b",
    "[@click=app.quit]q",
    "x\x1b[31my",
    "\x1b]52;c;aGk=\x07",
    "\x1b]0;owned\x07",
    "\x9b31m",
    "\x1bP+q\x1b\\",
    "left\u202eright",
]


def _sendable(text: str) -> str:
    # A lone surrogate cannot be sent as UTF-8; the parsing properties above cover it.
    return text.encode("utf-8", "replace").decode("utf-8")


api_text = st.one_of(st.sampled_from(PAYLOADS), hostile_text.map(_sendable))


@pytest.fixture(scope="module")
def hostile_demo() -> Iterator[DemoServer]:
    """A demo API of this module's own: the tests add tasks with hostile text to it."""
    with DemoServer(anchor=ANCHOR) as server:
        yield server


def _strip_text_is_inert(strip: Strip) -> None:
    for segment in strip:
        assert not {unicodedata.category(char) for char in segment.text} & FORBIDDEN_CATEGORIES
        assert segment.control is None
        style = segment.style
        # Textual's own meta (offsets) is fine; a link or an action from the data is not.
        assert style is None or (style.link is None and "@click" not in (style.meta or {}))


def _assert_cell(strip: Strip, table: TaskTable, key: str, expected: str) -> None:
    """The column ``key`` of a drawn row shows ``expected``, cut or padded to its width."""
    column = next(column for column in table.columns if column.key == key)
    assert strip.crop(column.x, column.x + column.width).text == fit(expected, column.width)


_SGR = re.compile(r"\x1b\[[0-9;]*m")


def _drawn(renderable: object) -> str:
    """What a Rich renderable writes to a colour terminal, SGR colours removed."""
    out = io.StringIO()
    console = Console(file=out, width=400, force_terminal=True, color_system="truecolor")
    console.print(renderable)
    plain = _SGR.sub("", out.getvalue())
    # Nothing else may be an escape sequence, and no other control character is left.
    assert not {unicodedata.category(char) for char in plain} & (FORBIDDEN_CATEGORIES - {"Cc"})
    assert not [char for char in plain if unicodedata.category(char) == "Cc" and char != "\n"]
    return plain


async def _settle(app: AvalaApp, pilot: Pilot[int]) -> None:
    for _ in range(20):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            return


_RUNS = itertools.count()
hostile_tasks = st.lists(
    st.fixed_dictionaries(
        {"uid": api_text, "name": api_text, "type": api_text, "status": api_text, "key": api_text}
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda task: task["uid"],
)


# Each example runs the whole dashboard (about a second), so few examples of up to eight
# tasks each, and no shrinking: it would take minutes; the failing tasks are printed whole.
@settings(
    max_examples=5,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(hostile_tasks)
async def test_api_text_is_drawn_literally_in_the_table_detail_and_toasts(
    hostile_demo: DemoServer, tasks: list[dict[str, str]]
) -> None:
    api = hostile_demo.api
    project = api.project_uid("Retail shelf audit")
    # The server outlives the example: its uids must not repeat an earlier example's.
    run = next(_RUNS)
    for task in tasks:
        task["uid"] = f"{run}{task['uid']}"
        extra = {"uid": task["uid"], task["key"]: task["name"]}
        api.add_task(
            project, name=task["name"], type=task["type"], status=task["status"], extra=extra
        )
    newest_first = tasks[::-1]
    client = AvalaClient(DEFAULT_API_KEY, hostile_demo.base_url, max_retries=0)
    app = make_app(
        Settings(refresh=0), client, clock=lambda: ANCHOR.timestamp(), detail_debounce=60
    )
    async with app.run_test(size=(220, 40), notifications=True) as pilot:
        await _settle(app, pilot)
        table = app.query_one(TaskTable)
        assert [row.uid for row in table.rows[: len(tasks)]] == [t["uid"] for t in newest_first]

        for y, task in enumerate(newest_first, start=1):
            strip = table.render_line(y)
            _strip_text_is_inert(strip)
            _assert_cell(strip, table, "name", clean(task["name"]))
            # The uid column shows the whole uid where there is room (cut to it otherwise).
            _assert_cell(strip, table, "uid", clean(task["uid"]))
            _assert_cell(strip, table, "type", short_type(task["type"]))
            _assert_cell(strip, table, "status", status_parts(task["status"])[0])

        for number, task in enumerate(newest_first):
            app.dashboard.detail.show_row(table.rows[number], None)
            drawn = _drawn(app.dashboard.detail.query_one(Static).content)
            for text in (task["name"], task["uid"], task["key"]):
                assert clean(text) in drawn

            table.cursor_row = number
            await app.run_action("screen.copy_uid")
            await pilot.pause()
            toast = app.query(Toast).last()
            assert clean(f"uid {task['uid']}") in toast.render().plain

        for strip in app.screen._compositor.render_strips():
            _strip_text_is_inert(strip)
