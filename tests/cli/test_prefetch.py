"""The first pages requested before the UI exists: taken once, by the same request only."""

from __future__ import annotations

import asyncio
import gc

import pytest

from avala_tui.api.client import AvalaClient
from avala_tui.api.errors import AuthenticationError
from avala_tui.api.protocol import TasksAPI
from avala_tui.cli.prefetch import PrefetchingClient
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.server import DemoServer

LIST_PATH = "/api/v1/tasks/"


def list_requests(demo: DemoServer) -> list[dict[str, str]]:
    return [record.query for record in demo.api.requests if record.path == LIST_PATH]


def prefetching(
    client: AvalaClient, *, status: str | None = None, limit: int = 100
) -> PrefetchingClient:
    return PrefetchingClient(client, project=None, status=status, limit=limit)


def _prefetching_is_a_tasks_api(client: PrefetchingClient) -> TasksAPI:
    # mypy (in CI) fails here when the wrapper stops standing in for a client.
    return client


async def test_the_first_page_is_fetched_once_and_handed_over(demo: DemoServer) -> None:
    async with AvalaClient(DEFAULT_API_KEY, demo.base_url) as client:
        first = prefetching(client, status="pending")
        page = await first.list_tasks(status="pending", limit=100)
        projects = await first.list_projects()
        assert [task.uid for task in page.items] == [
            task["uid"] for task in demo.api.tasks(status="pending", limit=100)
        ]
        assert projects.items
        # Taken: asking again is a new request.
        again = await first.list_tasks(status="pending", limit=100)
        await first.list_projects()
    assert [item.uid for item in again.items] == [item.uid for item in page.items]
    assert len(list_requests(demo)) == 2
    assert sum(1 for record in demo.api.requests if "projects" in record.path) == 2


async def test_another_query_is_never_answered_with_the_first_page(demo: DemoServer) -> None:
    async with AvalaClient(DEFAULT_API_KEY, demo.base_url) as client:
        first = prefetching(client)
        pending = await first.list_tasks(status="pending", limit=100)
        assert {task.status for task in pending.items} == {"pending"}
        smaller = await first.list_tasks(limit=5)
        assert len(smaller.items) == 5
        later = await first.list_tasks(cursor=smaller.next_cursor, limit=100)
        assert later.items[0].uid != smaller.items[0].uid
        first.cancel()
    queries = list_requests(demo)
    assert {"status": "pending", "limit": "100"} in queries
    assert {"limit": "5"} in queries


async def test_a_failure_reaches_the_taker_and_nothing_is_left_unretrieved(
    demo: DemoServer, caplog: pytest.LogCaptureFixture
) -> None:
    async with AvalaClient("wrong-key", demo.base_url, max_retries=0) as client:
        first = prefetching(client)
        with pytest.raises(AuthenticationError):
            await first.list_tasks(limit=100)
        # The projects answer (a 401 too) is never taken: no "never retrieved" report.
        await asyncio.sleep(0.2)
        first.cancel()
    del first
    gc.collect()
    assert "never retrieved" not in caplog.text


async def test_the_dashboard_shows_the_first_pages_it_was_handed(demo: DemoServer) -> None:
    from avala_tui.config.settings import Settings
    from avala_tui.ui.app import make_app

    client = prefetching(AvalaClient(DEFAULT_API_KEY, demo.base_url))
    app = make_app(Settings(refresh=0), client, detail_debounce=60)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            if app.dashboard.task_list.feed.pages_loaded and app.dashboard.project_names:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        assert app.dashboard.table.cursor_uid == demo.api.tasks(limit=1)[0]["uid"]
        assert set(app.dashboard.project_names) == {project["uid"] for project in demo.api.projects}
    assert len(list_requests(demo)) == 1
    assert sum(1 for record in demo.api.requests if "projects" in record.path) == 1
