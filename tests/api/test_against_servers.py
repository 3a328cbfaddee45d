"""The client against the demo API and against Django REST Framework itself, test for test.

Every test runs twice through the ``api_server`` fixture: against the demo API and
against the DRF server of tests/drf_server, both over loopback. A test that passes on
one and fails on the other is a difference between the demo and DRF (the demo is fixed)
or a client bug against DRF (marked xfail until the client is).
"""

from __future__ import annotations

import base64
import itertools
import math
import time
from typing import Any

import httpx
import pytest

from avala_tui.api.client import AvalaClient
from avala_tui.api.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from avala_tui.api.models import Page, Task
from tests.api.conftest import MakeClient, SleepRecorder, assert_key_hidden
from tests.api_servers import UNKNOWN_UID, ApiServer

#: Enough pages for every listing below: a paging bug fails instead of looping.
MAX_PAGES = 100
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."
FORBIDDEN = "You do not have permission to perform this action."
#: Django's get_object_or_404 sentence, which DRF (3.15 on) passes on as the 404's detail.
NO_TASK = "No Task matches the given query."


def client_for(make_client: MakeClient, server: ApiServer, **options: Any) -> AvalaClient:
    return make_client(server.base_url, api_key=server.api_key, **options)


async def all_pages(
    client: AvalaClient,
    *,
    project: str | None = None,
    status: str | None = None,
    limit: int | None = None,
) -> list[Page[Task]]:
    pages: list[Page[Task]] = []
    cursor = None
    for _ in range(MAX_PAGES):
        page = await client.list_tasks(project=project, status=status, limit=limit, cursor=cursor)
        pages.append(page)
        if not page.has_more:
            return pages
        cursor = page.next_cursor
    raise AssertionError(f"still more pages after {MAX_PAGES}")


def assert_listing_is(tasks: list[Task], expected: list[dict[str, Any]]) -> None:
    """Every expected task once, none other, newest first (ties in any order)."""
    uids = [task.uid for task in tasks]
    assert len(uids) == len(set(uids)), "a task was listed twice"
    assert set(uids) == {row["uid"] for row in expected}
    times = [task.created_at for task in tasks]
    assert all(a is not None and b is not None and a >= b for a, b in itertools.pairwise(times))


def decoded(cursor: str | None) -> str:
    assert cursor is not None
    return base64.b64decode(cursor, altchars=b"+/").decode("ascii")


# --- paging and filters ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "status", "pages"),
    [
        ("big", None, 4),
        ("big", "pending", 9),
        ("big", "completed", 3),
        ("edge", "pending", 3),
    ],
)
async def test_every_page_holds_each_filtered_task_once(
    api_server: ApiServer, make_client: MakeClient, which: str, status: str | None, pages: int
) -> None:
    project = api_server.big_project if which == "big" else api_server.edge_project
    expected = api_server.tasks(project, status)
    limit = math.ceil(len(expected) / pages)
    listed = await all_pages(
        client_for(make_client, api_server), project=project, status=status, limit=limit
    )
    tasks = [task for page in listed for task in page.items]
    assert len(listed) == pages
    assert_listing_is(tasks, expected)
    # The status rode along with each cursor: DRF's next link keeps it, but the client
    # sends only the link's cursor with its own filters.
    assert {task.project for task in tasks} == {project}
    if status is not None:
        assert {task.status for task in tasks} == {status}


async def test_every_page_of_the_whole_listing_holds_each_task_once(
    api_server: ApiServer, make_client: MakeClient
) -> None:
    expected = api_server.tasks(None, None)
    listed = await all_pages(client_for(make_client, api_server), limit=1000)
    assert len(listed) == math.ceil(len(expected) / 1000)
    assert_listing_is([task for page in listed for task in page.items], expected)


async def test_a_page_ending_inside_a_run_of_equal_times_moves_on_by_offset(
    api_server: ApiServer, make_client: MakeClient
) -> None:
    client = client_for(make_client, api_server)
    expected = api_server.tasks(api_server.big_project, None)
    # Other tests add tasks to this session's server: find a run of equal times as the
    # data stands now (past the first rows, so the walk stays short), and a page size
    # that ends the first page inside it.
    size = next(
        index + 2
        for index in range(50, len(expected) - 2)
        if expected[index]["created_at"]
        == expected[index + 1]["created_at"]
        == expected[index + 2]["created_at"]
    )
    listed = await all_pages(client, project=api_server.big_project, limit=size)
    first = listed[0]
    assert len(first.items) == size
    assert first.items[-1].created_at == first.items[-2].created_at
    # DRF's cursor: the position of the last row unlike its successor, and how many to skip.
    assert "o=" in decoded(first.next_cursor)
    assert first.previous_cursor is None
    assert "r=1" in decoded(listed[1].previous_cursor)
    assert_listing_is([task for page in listed for task in page.items], expected)


async def test_tasks_added_while_paging_do_not_shift_the_pages_that_follow(
    api_server: ApiServer, make_client: MakeClient
) -> None:
    project = api_server.big_project
    expected = api_server.tasks(project, None)
    client = client_for(make_client, api_server)
    seen: list[Task] = []
    cursor = None
    for _ in range(MAX_PAGES):
        page = await client.list_tasks(project=project, limit=40, cursor=cursor)
        seen += page.items
        api_server.add_task(project, name="arrived while paging")
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert_listing_is(seen, expected)


async def test_an_empty_project_has_one_empty_page(
    api_server: ApiServer, make_client: MakeClient
) -> None:
    page = await client_for(make_client, api_server).list_tasks(project=api_server.empty_project)
    assert (page.items, page.next_cursor, page.previous_cursor) == ([], None, None)


async def test_an_unknown_project_is_a_bad_request_naming_the_field(
    api_server: ApiServer, make_client: MakeClient
) -> None:
    client = client_for(make_client, api_server)
    with pytest.raises(BadRequestError) as caught:
        await client.list_tasks(project=UNKNOWN_UID, status="pending")
    assert caught.value.status_code == 400
    assert caught.value.field_errors == {"project": [INVALID_CHOICE]}
    assert str(caught.value) == f"project: {INVALID_CHOICE}"
    assert client.stats.retries == 0


async def test_a_status_beyond_the_documented_two_is_matched_or_refused(
    api_server: ApiServer, make_client: MakeClient
) -> None:
    client = client_for(make_client, api_server)
    if api_server.status_choices is None:
        # A CharFilter: the rows holding that status, whatever it is.
        page = await client.list_tasks(project=api_server.edge_project, status="in_progress")
        expected = api_server.tasks(api_server.edge_project, "in_progress")
        assert [task.uid for task in page.items] == [row["uid"] for row in expected]
        assert expected
    else:
        # A ChoiceFilter: django-filter's sentence, naming the value.
        with pytest.raises(BadRequestError) as caught:
            await client.list_tasks(status="in_progress")
        assert caught.value.field_errors == {
            "status": ["Select a valid choice. in_progress is not one of the available choices."]
        }


async def test_the_projects_are_the_keys_own(
    api_server: ApiServer, make_client: MakeClient
) -> None:
    page = await client_for(make_client, api_server).list_projects()
    expected = api_server.projects()
    assert [project.uid for project in page.items] == [row["uid"] for row in expected]
    assert [project.name for project in page.items] == [row["name"] for row in expected]
    assert not page.has_more


# --- rows as sent -----------------------------------------------------------------------


async def test_odd_rows_arrive_as_sent(api_server: ApiServer, make_client: MakeClient) -> None:
    listed = await all_pages(client_for(make_client, api_server), project=api_server.edge_project)
    tasks = [task for page in listed for task in page.items]
    rows = {row["uid"]: row for row in api_server.tasks(api_server.edge_project, None)}
    assert "in_progress" in {task.status for task in tasks}
    assert "lidar-camera-fusion" in {task.type for task in tasks}
    assert any(task.name is None for task in tasks)
    assert any(task.updated_at is None for task in tasks)
    assert {"priority": 3, "assignee": {"email": "mara@example.com", "name": "Mara Lind"}} in [
        task.extra_fields for task in tasks
    ]
    for task in tasks:
        row = rows[task.uid]
        assert (task.type, task.name, task.status, task.project) == (
            row["type"],
            row["name"],
            row["status"],
            row["project"],
        )


async def test_a_page_read_as_tallies_holds_the_listings_fields(
    api_server: ApiServer, make_client: MakeClient
) -> None:
    client = client_for(make_client, api_server)
    for project in (api_server.edge_project, None):
        full = await client.list_tasks(project=project, limit=1000)
        tallies = await client.list_task_tallies(project=project, limit=1000)
        assert len(full.items) > 0
        assert [
            (t.uid, t.project, t.status, t.created_at, t.updated_at) for t in tallies.items
        ] == [(t.uid, t.project, t.status, t.created_at, t.updated_at) for t in full.items]
        assert tallies.next_cursor == full.next_cursor


async def test_a_task_fetched_by_uid_equals_its_row_in_the_listing(
    api_server: ApiServer, make_client: MakeClient
) -> None:
    client = client_for(make_client, api_server)
    listed = await all_pages(client, project=api_server.edge_project)
    rows = [task for page in listed for task in page.items]
    rows += [task for task in (await client.list_tasks(limit=1)).items]
    for row in rows:
        if row.uid != api_server.forbidden_uid:
            assert await client.get_task(row.uid) == row
    deep = await client.get_task(api_server.task_uid)
    assert deep.project == api_server.big_project


async def test_a_new_task_and_a_status_change_are_served_at_once(
    api_server: ApiServer, make_client: MakeClient
) -> None:
    client = client_for(make_client, api_server)
    added = api_server.add_task(api_server.big_project, name="fresh box", status="pending")
    first = await client.list_tasks(project=api_server.big_project, status="pending", limit=5)
    assert first.items[0].uid == added["uid"]
    assert first.items[0].name == "fresh box"
    api_server.set_status(added["uid"], "completed")
    assert (await client.get_task(added["uid"])).status == "completed"
    again = await client.list_tasks(project=api_server.big_project, status="pending", limit=5)
    assert added["uid"] not in {task.uid for task in again.items}


# --- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["hidden", "unknown"])
async def test_a_task_out_of_reach_is_not_found_in_the_servers_words(
    api_server: ApiServer, make_client: MakeClient, which: str
) -> None:
    uid = api_server.hidden_uid if which == "hidden" else "no-such-task"
    client = client_for(make_client, api_server)
    with pytest.raises(NotFoundError) as caught:
        await client.get_task(uid)
    assert (caught.value.status_code, str(caught.value)) == (404, NO_TASK)
    assert client.stats.retries == 0


async def test_a_task_listed_but_not_permitted_is_forbidden(
    api_server: ApiServer, make_client: MakeClient
) -> None:
    client = client_for(make_client, api_server)
    listed = await all_pages(client, project=api_server.edge_project)
    assert api_server.forbidden_uid in {task.uid for page in listed for task in page.items}
    with pytest.raises(PermissionDeniedError) as caught:
        await client.get_task(api_server.forbidden_uid)
    assert (caught.value.status_code, str(caught.value)) == (403, FORBIDDEN)


@pytest.mark.parametrize(
    ("which", "message"), [("wrong", "Invalid API key."), ("expired", "API key has expired.")]
)
async def test_a_bad_key_is_refused_with_401(
    api_server: ApiServer, make_client: MakeClient, which: str, message: str
) -> None:
    key = api_server.wrong_key if which == "wrong" else api_server.expired_key
    client = make_client(api_server.base_url, api_key=key)
    for call in (client.list_tasks(), client.list_projects(), client.get_task(api_server.task_uid)):
        with pytest.raises(AuthenticationError) as caught:
            await call
        assert (caught.value.status_code, str(caught.value)) == (401, message)
        assert_key_hidden(caught.value)


async def test_a_spent_quota_holds_the_next_request_back(
    api_server: ApiServer, make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    key = api_server.throttle(3)
    # Half the window: with the default (60 s, the window's length) the reset, rounded up
    # to a whole second, lands a few ms either side of the limit, and the client would
    # now and then sleep through it and retry (a run under load saw 6 requests).
    client = make_client(api_server.base_url, api_key=key, max_retries=2, max_retry_wait=30.0)
    for _ in range(3):
        await client.list_projects()
    assert client.rate_limit is not None
    assert (client.rate_limit.limit, client.rate_limit.remaining) == (3, 0)
    with pytest.raises(RateLimitedError) as caught:
        await client.list_tasks()
    retry_after = caught.value.retry_after
    # Up to a second past the minute: X-RateLimit-Reset is a whole second, rounded up.
    assert retry_after is not None and 50.0 <= retry_after <= 61.0
    # The server announced the quota spent: the client holds the request back rather
    # than earn a 429 (the server's own 429 is checked on the wire below). When the
    # announced reset is already past by the client's clock (whole seconds, rounded),
    # the request goes out and the server's 429 says the same; either way nothing is
    # slept, since a minute is longer than the client waits by itself.
    assert (caught.value.status_code, client.stats.requests) in ((None, 3), (429, 4))
    assert sleeps.waits == []
    assert client.rate_limit.reset is not None
    assert client.rate_limit.reset >= client.rate_limit.observed_at


# --- the wire, under the client ---------------------------------------------------------


async def test_links_keep_every_filter_and_the_cursor_is_drfs(api_server: ApiServer) -> None:
    params = {"project": api_server.big_project, "status": "pending", "limit": "3"}
    async with httpx.AsyncClient(headers={"X-Avala-Api-Key": api_server.api_key}) as http:
        first = await http.get(f"{api_server.base_url}/tasks/", params=params)
        link = httpx.URL(first.json()["next"])
        second = await http.get(f"{api_server.base_url}/tasks/", params=dict(link.params))
    assert first.headers["content-type"] == "application/json"
    assert link.path == "/api/v1/tasks/"
    assert dict(link.params) == {**params, "cursor": link.params["cursor"]}
    # Sorted parameters: DRF's replace_query_param re-encodes the whole query.
    assert list(link.params) == sorted(link.params)
    tokens = decoded(link.params["cursor"])
    assert tokens.startswith("p=") and tokens.endswith("%2B00%3A00")
    assert httpx.URL(second.json()["previous"]).params["cursor"] != link.params["cursor"]
    assert "r=1" in decoded(httpx.URL(second.json()["previous"]).params["cursor"])


async def test_refusals_carry_drfs_headers(api_server: ApiServer) -> None:
    url = f"{api_server.base_url}/tasks/"
    async with httpx.AsyncClient() as http:
        unauthenticated = await http.get(url)
        key = api_server.throttle(1)
        allowed = await http.get(url, headers={"X-Avala-Api-Key": key})
        throttled = await http.get(url, headers={"X-Avala-Api-Key": key})
    assert unauthenticated.status_code == 401
    assert unauthenticated.json() == {"detail": "Authentication credentials were not provided."}
    assert unauthenticated.headers["www-authenticate"] == "Api-Key"
    assert allowed.status_code == 200
    assert allowed.headers["x-ratelimit-remaining"] == "0"
    assert throttled.status_code == 429
    wait = throttled.headers["retry-after"]
    assert throttled.json() == {
        "detail": f"Request was throttled. Expected available in {wait} seconds."
    }
    assert 59 <= int(wait) <= 60
    assert throttled.headers["x-ratelimit-limit"] == "1"
    # The window frees its slot a minute after the one allowed request.
    assert abs(int(throttled.headers["x-ratelimit-reset"]) - 60 - time.time()) <= 2
