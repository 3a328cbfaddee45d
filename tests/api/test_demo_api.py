"""The client against the demo Avala API over real loopback HTTP: data, errors, faults."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest

from avala_tui.api.client import AvalaClient
from avala_tui.api.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    AvalaError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
    ServerError,
)
from avala_tui.api.models import CUT_MARK, MAX_TEXT_CHARS, Task
from avala_tui.demo.app import EXPIRED_API_KEY
from avala_tui.demo.server import DemoServer
from tests.api.conftest import KEY, MakeClient, SleepRecorder, assert_key_hidden
from tests.api.stub_server import StubServer, json_reply

EDGE_PROJECT = "Annotator onboarding sandbox"
#: More pages than any listing below needs: a paging bug fails instead of looping.
MAX_PAGES = 20


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(api_key=KEY, seed=7, port=0) as running:
        yield running


@pytest.fixture
def demo(server: DemoServer) -> DemoServer:
    """The shared demo server with no faults queued, no rate limit and no requests recorded."""
    server.api.faults.clear()
    server.api.rate_limit = None
    server.api.link_origin = None
    server.api.clear_requests()
    return server


async def all_tasks(
    client: AvalaClient,
    *,
    project: str | None = None,
    status: str | None = None,
    limit: int | None = None,
) -> list[Task]:
    tasks: list[Task] = []
    cursor = None
    for _ in range(MAX_PAGES):
        page = await client.list_tasks(project=project, status=status, limit=limit, cursor=cursor)
        tasks += page.items
        if not page.has_more:
            return tasks
        cursor = page.next_cursor
    raise AssertionError(f"still more pages after {MAX_PAGES}")


async def test_projects_are_listed(demo: DemoServer, make_client: MakeClient) -> None:
    page = await make_client(demo.base_url).list_projects()
    assert [project.uid for project in page.items] == [p["uid"] for p in demo.api.projects]
    assert EDGE_PROJECT in {project.name for project in page.items}
    assert not page.has_more


async def test_paging_keeps_the_callers_filters_and_reaches_every_task_once(
    demo: DemoServer, make_client: MakeClient
) -> None:
    project = demo.api.project_uid(EDGE_PROJECT)
    client = make_client(demo.base_url)
    tasks = await all_tasks(client, project=project, status="pending", limit=7)
    expected = demo.api.tasks(project, "pending")
    assert len(expected) > 7  # more than one page
    assert [task.uid for task in tasks] == [row["uid"] for row in expected]
    assert {task.status for task in tasks} == {"pending"}
    records = demo.api.requests
    assert len(records) == client.stats.requests == -(-len(expected) // 7)
    for record in records:
        assert record.path == "/api/v1/tasks/"
        assert record.api_key == KEY
        assert (record.query["project"], record.query["status"]) == (project, "pending")
        assert record.query["limit"] == "7"
    assert all("cursor" in record.query for record in records[1:])


async def test_edge_case_rows_arrive_literally(demo: DemoServer, make_client: MakeClient) -> None:
    project = demo.api.project_uid(EDGE_PROJECT)
    tasks = await all_tasks(make_client(demo.base_url), project=project)
    names = {task.name for task in tasks}
    assert {"[bold red]x[/]", "[@click=app.quit]quit[/]", "\x1b[31mred alert\x1b[0m"} <= names
    assert "in_progress" in {task.status for task in tasks}
    assert "lidar-camera-fusion" in {task.type for task in tasks}
    assert any(task.extra_fields for task in tasks)


async def test_a_task_is_fetched_by_uid(demo: DemoServer, make_client: MakeClient) -> None:
    project = demo.api.project_uid(EDGE_PROJECT)
    added = demo.api.add_task(project, name="fresh box", status="pending")
    client = make_client(demo.base_url)
    task = await client.get_task(added["uid"])
    assert (task.uid, task.name, task.project) == (added["uid"], "fresh box", project)
    demo.api.set_status(added["uid"], "completed")
    assert (await client.get_task(added["uid"])).status == "completed"


async def test_a_uid_with_dot_segments_stays_a_task_lookup(
    demo: DemoServer, make_client: MakeClient
) -> None:
    with pytest.raises(NotFoundError):
        await make_client(demo.base_url).get_task("../../users/me/projects")
    with pytest.raises(NotFoundError):
        await make_client(demo.base_url).get_task("..")
    assert all(record.path.startswith("/api/v1/tasks/") for record in demo.api.requests)


Call = Callable[[AvalaClient, str], Awaitable[object]]


@pytest.mark.parametrize(
    ("api_key", "call", "error_class", "message"),
    [
        (KEY, lambda client, _: client.get_task("no-such-task"), NotFoundError, None),
        (
            KEY,
            lambda client, forbidden: client.get_task(forbidden),
            PermissionDeniedError,
            "You do not have permission to perform this action.",
        ),
        (
            "not-the-key",
            lambda client, _: client.list_tasks(),
            AuthenticationError,
            "Invalid API key.",
        ),
        (
            EXPIRED_API_KEY,
            lambda client, _: client.list_projects(),
            AuthenticationError,
            "API key has expired.",
        ),
        (KEY, lambda client, _: client.list_tasks(status="bogus"), BadRequestError, None),
    ],
)
async def test_the_demo_api_errors_map_to_typed_errors(
    demo: DemoServer,
    make_client: MakeClient,
    api_key: str,
    call: Call,
    error_class: type[AvalaError],
    message: str | None,
) -> None:
    # The oldest task of the edge-case project: no other test fetches it.
    forbidden = demo.api.tasks(demo.api.project_uid(EDGE_PROJECT))[-1]["uid"]
    demo.api.forbid(forbidden)
    with pytest.raises(AvalaError) as caught:
        await call(make_client(demo.base_url, api_key=api_key), forbidden)
    assert type(caught.value) is error_class
    if message is not None:
        assert str(caught.value) == message
    assert_key_hidden(caught.value)


async def test_a_bad_filter_names_its_field(demo: DemoServer, make_client: MakeClient) -> None:
    with pytest.raises(BadRequestError) as caught:
        await make_client(demo.base_url).list_tasks(status="bogus")
    assert caught.value.status_code == 400
    assert list(caught.value.field_errors) == ["status"]
    assert "bogus" in caught.value.field_errors["status"][0]


@pytest.mark.parametrize(
    ("fault", "error_class", "message"),
    [
        ("429", RateLimitedError, "Request was throttled. Expected available in 1 second."),
        ("500", ServerError, None),
        ("502_html", ServerError, "Server error (502 Bad Gateway)"),
        ("503", ServerError, None),
        ("504", ServerError, "Server error (504 Gateway Timeout)"),
        ("truncated", ProtocolError, None),
        ("reset", APIConnectionError, None),
    ],
)
async def test_a_lasting_transient_fault_is_retried_then_raised(
    demo: DemoServer,
    make_client: MakeClient,
    sleeps: SleepRecorder,
    fault: str,
    error_class: type[AvalaError],
    message: str | None,
) -> None:
    demo.api.faults.queue(fault, count=3)
    client = make_client(demo.base_url, max_retries=2)
    with pytest.raises(AvalaError) as caught:
        await client.list_tasks(limit=5)
    assert type(caught.value) is error_class
    if message is not None:
        assert str(caught.value) == message
    assert "<html" not in str(caught.value)
    assert_key_hidden(caught.value)
    assert (client.stats.requests, client.stats.retries, len(sleeps.waits)) == (3, 2, 2)
    assert len(demo.api.requests) == 3


@pytest.mark.parametrize("fault", ["429", "500", "502_html", "503", "504", "truncated", "reset"])
async def test_a_passing_transient_fault_is_retried_away(
    demo: DemoServer, make_client: MakeClient, sleeps: SleepRecorder, fault: str
) -> None:
    demo.api.faults.queue(fault, count=1)
    client = make_client(demo.base_url)
    page = await client.list_tasks(limit=5)
    assert len(page.items) == 5
    assert client.stats.retries == 1
    if fault == "429":
        # The demo's Retry-After, not a backoff, slept at the gate as it counts down.
        assert sleeps.waits == [pytest.approx(1.0, abs=0.1)]


@pytest.mark.parametrize("fault", ["wrong_shape", "missing_uid"])
async def test_a_wrong_shape_is_a_protocol_error_without_retry(
    demo: DemoServer, make_client: MakeClient, fault: str
) -> None:
    demo.api.faults.queue(fault, count=3)
    client = make_client(demo.base_url)
    if fault == "missing_uid":
        # One row without a uid is skipped; the rest of its page is kept.
        page = await client.list_tasks(limit=5)
        assert (len(page.items), page.skipped) == (4, 1)
    else:
        with pytest.raises(ProtocolError):
            await client.list_tasks()
    uid = demo.api.tasks(demo.api.project_uid(EDGE_PROJECT))[0]["uid"]
    with pytest.raises(ProtocolError):
        await client.get_task(uid)
    assert client.stats.requests == 2


async def test_long_strings_and_huge_pages_parse(demo: DemoServer, make_client: MakeClient) -> None:
    demo.api.faults.queue("long_strings")
    demo.api.faults.queue("huge_page")
    client = make_client(demo.base_url)
    long_page = await client.list_tasks(limit=3)
    # Bounded when received, and the detail pane can say how long it was.
    assert {len(task.name or "") for task in long_page.items} == {MAX_TEXT_CHARS}
    assert {task.name[-1] for task in long_page.items if task.name} == {CUT_MARK}
    assert [task.cut_fields for task in long_page.items] == [{"name": 10_000}] * 3
    huge_page = await client.list_tasks(limit=3)
    assert len(huge_page.items) > 1000
    assert len({task.uid for task in huge_page.items}) == len(huge_page.items)


async def test_a_slow_answer_times_out(demo: DemoServer, make_client: MakeClient) -> None:
    demo.api.faults.queue("slow", count=1, delay=1.0)
    client = make_client(demo.base_url, max_retries=0, timeout=httpx.Timeout(0.2))
    with pytest.raises(APITimeoutError) as caught:
        await client.list_tasks(limit=1)
    assert_key_hidden(caught.value)
    # The demo records the abandoned request when its delay ends; let that happen here,
    # not in whichever test runs next (which counts the requests it sees).
    for _ in range(40):
        if demo.api.requests:
            break
        await asyncio.sleep(0.05)


async def test_retry_after_is_honoured_then_surfaced(
    demo: DemoServer, make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    demo.api.rate_limit = 2
    client = make_client(demo.base_url, max_retries=2, max_retry_wait=5.0)
    await client.list_projects()
    await client.list_projects()
    assert client.rate_limit is not None
    assert (client.rate_limit.limit, client.rate_limit.remaining) == (2, 0)
    assert client.rate_limit.reset is not None
    assert client.rate_limit.reset >= client.rate_limit.observed_at
    # "0 left" until the window resets (~60 s): the third request is held back unsent,
    # and the wait is longer than this client sleeps through, so it is raised at once.
    with pytest.raises(RateLimitedError) as caught:
        await client.list_projects()
    retry_after = caught.value.retry_after
    assert retry_after is not None and 50.0 <= retry_after <= 61.0
    assert caught.value.status_code is None
    assert client.throttle.reason == "rate limit spent"
    assert sleeps.waits == []
    assert client.stats.requests == 2


async def test_rate_limit_headers_of_a_success_are_recorded(
    demo: DemoServer, make_client: MakeClient
) -> None:
    demo.api.rate_limit = 100  # without a limit the demo announces none
    client = make_client(demo.base_url)
    await client.list_projects(limit=1)
    assert client.rate_limit is not None
    assert client.rate_limit.limit == 100
    assert client.rate_limit.remaining is not None and client.rate_limit.remaining < 100


async def test_a_foreign_next_link_from_the_demo_is_never_followed(
    demo: DemoServer, make_client: MakeClient
) -> None:
    async with StubServer(lambda _: json_reply(200, {"results": []})) as foreign:
        demo.api.link_origin = foreign.origin
        async with httpx.AsyncClient(headers={"X-Avala-Api-Key": KEY}) as plain:
            raw = (await plain.get(f"{demo.base_url}/tasks/", params={"limit": 2})).json()
        assert raw["next"].startswith(f"{foreign.origin}/api/v1/tasks/?")
        demo.api.clear_requests()

        client = make_client(demo.base_url)
        first = await client.list_tasks(limit=2)
        second = await client.list_tasks(limit=2, cursor=first.next_cursor)
    assert [task.uid for task in first.items] == [row["uid"] for row in raw["results"]]
    assert not {task.uid for task in first.items} & {task.uid for task in second.items}
    assert len(second.items) == 2
    assert foreign.requests == []
    assert [record.api_key for record in demo.api.requests] == [KEY, KEY]


async def test_the_client_recovers_when_the_server_comes_back(
    demo: DemoServer, make_client: MakeClient
) -> None:
    client = make_client(demo.base_url, max_retries=0)
    await client.list_projects()
    demo.stop()
    try:
        with pytest.raises(APIConnectionError) as caught:
            await client.list_projects()
        assert_key_hidden(caught.value)
    finally:
        demo.start()
    assert (await client.list_projects()).items
