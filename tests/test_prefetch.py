"""The first pages requested before the UI exists: taken once, by the same request only."""

from __future__ import annotations

import asyncio
import gc

import pytest

from avala_tui.api.client import AvalaClient
from avala_tui.api.errors import AuthenticationError
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.server import DemoServer
from avala_tui.prefetch import FirstPages

LIST_PATH = "/api/v1/tasks/"


def list_requests(demo: DemoServer) -> list[dict[str, str]]:
    return [record.query for record in demo.api.requests if record.path == LIST_PATH]


async def test_the_first_page_is_fetched_once_and_handed_over(demo: DemoServer) -> None:
    async with AvalaClient(DEFAULT_API_KEY, demo.base_url) as client:
        first = FirstPages.request(client, project=None, status="pending", limit=100)
        page = await first.list_tasks(
            client, project=None, status="pending", cursor=None, limit=100
        )
        projects = await first.list_projects(client, cursor=None)
        assert [task.uid for task in page.items] == [
            task["uid"] for task in demo.api.tasks(status="pending", limit=100)
        ]
        assert projects.items
        # Taken: asking again is a new request.
        again = await first.list_tasks(
            client, project=None, status="pending", cursor=None, limit=100
        )
        await first.list_projects(client, cursor=None)
    assert [item.uid for item in again.items] == [item.uid for item in page.items]
    assert len(list_requests(demo)) == 2
    assert sum(1 for record in demo.api.requests if "projects" in record.path) == 2


async def test_another_query_is_never_answered_with_the_first_page(demo: DemoServer) -> None:
    async with AvalaClient(DEFAULT_API_KEY, demo.base_url) as client:
        first = FirstPages.request(client, project=None, status=None, limit=100)
        pending = await first.list_tasks(
            client, project=None, status="pending", cursor=None, limit=100
        )
        assert {task.status for task in pending.items} == {"pending"}
        smaller = await first.list_tasks(client, project=None, status=None, cursor=None, limit=5)
        assert len(smaller.items) == 5
        later = await first.list_tasks(
            client, project=None, status=None, cursor=smaller.next_cursor, limit=100
        )
        assert later.items[0].uid != smaller.items[0].uid
        first.cancel()
    queries = list_requests(demo)
    assert {"status": "pending", "limit": "100"} in queries
    assert {"limit": "5"} in queries


async def test_without_a_request_every_call_goes_to_the_client(demo: DemoServer) -> None:
    async with AvalaClient(DEFAULT_API_KEY, demo.base_url) as client:
        none = FirstPages()
        await none.list_tasks(client, project=None, status=None, cursor=None, limit=10)
        await none.list_projects(client, cursor=None)
    assert len(list_requests(demo)) == 1


async def test_a_failure_reaches_the_taker_and_nothing_is_left_unretrieved(
    demo: DemoServer, caplog: pytest.LogCaptureFixture
) -> None:
    async with AvalaClient("wrong-key", demo.base_url, max_retries=0) as client:
        first = FirstPages.request(client, project=None, status=None, limit=100)
        with pytest.raises(AuthenticationError):
            await first.list_tasks(client, project=None, status=None, cursor=None, limit=100)
        # The projects answer (a 401 too) is never taken: no "never retrieved" report.
        await asyncio.sleep(0.2)
        first.cancel()
    del first
    gc.collect()
    assert "never retrieved" not in caplog.text


async def test_the_dashboard_shows_the_first_pages_it_was_handed(demo: DemoServer) -> None:
    from avala_tui.settings import Settings
    from avala_tui.ui.app import make_app

    client = AvalaClient(DEFAULT_API_KEY, demo.base_url)
    first = FirstPages.request(client, project=None, status=None, limit=100)
    app = make_app(Settings(refresh=0), client, first_pages=first, detail_debounce=60)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            if app.feed.pages_loaded and app.project_names:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        assert app.table.cursor_uid == demo.api.tasks(limit=1)[0]["uid"]
        assert set(app.project_names) == {project["uid"] for project in demo.api.projects}
    assert len(list_requests(demo)) == 1
    assert sum(1 for record in demo.api.requests if "projects" in record.path) == 1
