"""The official ``avala`` SDK as an independent client of the demo API, over loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from avala import AsyncClient, Client
from avala.errors import AuthenticationError, NotFoundError, ValidationError

from avala_tui.demo import data
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.server import DemoServer

MAX_PAGES = 200


@pytest.fixture
def insecure_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    # The SDK insists on HTTPS unless told that plain HTTP to localhost is intended.
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "true")


@pytest.fixture
def sdk(demo: DemoServer, insecure_loopback: None) -> Iterator[Any]:
    with Client(api_key=DEFAULT_API_KEY, base_url=demo.base_url) as client:
        yield client


def list_all(client: Any, **filters: Any) -> list[Any]:
    """Every task the SDK pages through for these filters."""
    tasks: list[Any] = []
    cursor = None
    for _ in range(MAX_PAGES):
        page = client.tasks.list(cursor=cursor, **filters)
        tasks += page.items
        if not page.has_more:
            return tasks
        cursor = page.next_cursor
    raise AssertionError("the listing never ended")


def uids(rows: list[Any]) -> list[str]:
    return [row.uid if hasattr(row, "uid") else row["uid"] for row in rows]


def test_the_sdk_pages_through_a_project(sdk, demo):
    project = demo.api.project_uid(data.MEDIUM_PROJECT)

    tasks = list_all(sdk, project=project)

    assert uids(tasks) == uids(demo.api.tasks(project))
    assert {task.project for task in tasks} == {project}


@pytest.mark.parametrize("status", ["pending", "completed"])
def test_the_sdk_pages_through_a_project_and_status(sdk, demo, status):
    project = demo.api.project_uid(data.TIES_PROJECT)

    tasks = list_all(sdk, project=project, status=status, limit=150)

    assert uids(tasks) == uids(demo.api.tasks(project, status))
    assert {(task.project, task.status) for task in tasks} == {(project, status)}


def test_the_sdk_pages_through_a_status_across_projects(sdk, demo):
    tasks = list_all(sdk, status="pending", limit=1000)

    assert uids(tasks) == uids(demo.api.tasks(status="pending"))
    assert len(set(uids(tasks))) == len(tasks)


def test_the_sdk_pages_through_every_task_a_thousand_at_a_time(sdk, demo):
    tasks = list_all(sdk, limit=1000)

    assert len(tasks) == len(set(uids(tasks))) > 60_000
    assert uids(tasks) == uids(demo.api.tasks())


def test_the_sdk_gets_a_task_equal_to_its_list_row(sdk, demo):
    project = demo.api.project_uid(data.EDGE_CASE_PROJECT)
    listed = list_all(sdk, project=project)

    for row in listed[:12]:
        assert sdk.tasks.get(row.uid) == row
    assert any(row.name is None for row in listed)


def test_the_sdk_lists_the_projects(sdk, demo):
    first = sdk.projects.list(limit=3)
    rest = sdk.projects.list(limit=100, cursor=first.next_cursor)

    assert [project.uid for project in first.items + rest.items] == uids(demo.api.projects)
    assert not rest.has_more


def test_a_wrong_key_raises_the_sdks_authentication_error(demo, insecure_loopback):
    client = Client(api_key="wrong-key", base_url=demo.base_url)
    with client, pytest.raises(AuthenticationError, match="Invalid API key"):
        client.tasks.list()


def test_an_unknown_uid_raises_the_sdks_not_found_error(sdk):
    with pytest.raises(NotFoundError):
        sdk.tasks.get("990c1800-i62f-85h8-e150-880099880000")


def test_a_bad_status_raises_the_sdks_validation_error(sdk):
    with pytest.raises(ValidationError) as raised:
        sdk.tasks.list(status="in_progress")
    assert "status" in raised.value.body


async def test_the_async_sdk_pages_through_a_project(demo, insecure_loopback):
    project = demo.api.project_uid(data.SMALL_PROJECT)
    seen: list[str] = []
    cursor = None
    async with AsyncClient(api_key=DEFAULT_API_KEY, base_url=demo.base_url) as client:
        for _ in range(MAX_PAGES):
            page = await client.tasks.list(project=project, limit=40, cursor=cursor)
            seen += [task.uid for task in page.items]
            if not page.has_more:
                break
            cursor = page.next_cursor

    assert seen == uids(demo.api.tasks(project))
