"""The paging progress rule (issues 10 and 17.2) and the client's Protocol."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence

import pytest

from avala_tui.api.client import AvalaClient
from avala_tui.api.models import Page, Project, Task
from avala_tui.api.paging import PageProgress, PagingLoopError, iter_pages
from avala_tui.api.protocol import TasksAPI
from avala_tui.demo.server import DemoServer
from tests.api.conftest import KEY, MakeClient
from tests.api.stub_server import Received, Reply, StubServer, json_reply

Fetch = Callable[[str | None], Awaitable[Page[Task]]]


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer(api_key=KEY, seed=7, port=0) as running:
        yield running


def page(uids: Sequence[str], next_cursor: str | None) -> Page[Task]:
    return Page(items=[Task(uid=uid) for uid in uids], next_cursor=next_cursor)


class Script:
    """A listing served from memory: ``pages[cursor]`` for each cursor, every call counted."""

    def __init__(self, pages: dict[str | None, Page[Task]]) -> None:
        self.pages = pages
        self.asked: list[str | None] = []

    async def __call__(self, cursor: str | None) -> Page[Task]:
        self.asked.append(cursor)
        return self.pages[cursor]


async def walk(
    fetch: Fetch, max_pages: int | None = None
) -> tuple[list[list[str]], PagingLoopError | None]:
    """The uids of every page yielded, and the loop error that ended the walk, if any."""
    seen: list[list[str]] = []
    try:
        async for got in iter_pages(fetch, max_pages=max_pages):
            seen.append([task.uid for task in got.items])
    except PagingLoopError as error:
        return seen, error
    return seen, None


async def test_a_listing_is_walked_to_its_end() -> None:
    script = Script({None: page(["a", "b"], "B"), "B": page(["c"], "C"), "C": page(["d"], None)})
    seen, error = await walk(script)
    assert seen == [["a", "b"], ["c"], ["d"]]
    assert error is None
    assert script.asked == [None, "B", "C"]


async def test_max_pages_stops_quietly() -> None:
    script = Script({None: page(["a"], "B"), "B": page(["b"], "C"), "C": page(["c"], None)})
    seen, error = await walk(script, max_pages=2)
    assert (seen, error) == ([["a"], ["b"]], None)
    assert script.asked == [None, "B"]


async def test_a_cursor_pointing_to_itself_stops_the_walk() -> None:
    script = Script({None: page(["a"], "A"), "A": page(["b"], "A")})
    seen, error = await walk(script)
    assert seen == [["a"], ["b"]]  # the looping page's own rows are still delivered
    assert error is not None and "loop" in str(error)
    assert script.asked == [None, "A"]


async def test_a_cursor_coming_back_stops_the_walk() -> None:
    script = Script({None: page(["a"], "A"), "A": page(["b"], "B"), "B": page(["c"], "A")})
    seen, error = await walk(script)
    assert seen == [["a"], ["b"], ["c"]]
    assert isinstance(error, PagingLoopError)
    assert script.asked == [None, "A", "B"]


async def test_the_first_pages_cursor_coming_back_stops_the_walk() -> None:
    script = Script({"S": page(["a"], "T"), "T": page(["b"], "S")})
    seen: list[list[str]] = []
    with pytest.raises(PagingLoopError):
        async for got in iter_pages(script, start="S"):
            seen.append([task.uid for task in got.items])
    assert script.asked == ["S", "T"]


async def test_one_empty_page_with_a_next_is_tolerated() -> None:
    script = Script({None: page(["a"], "B"), "B": page([], "C"), "C": page(["c"], None)})
    seen, error = await walk(script)
    assert (seen, error) == ([["a"], [], ["c"]], None)


async def test_endless_empty_pages_stop_at_the_second() -> None:
    pages = {None: page([], "c0")} | {f"c{n}": page([], f"c{n + 1}") for n in range(100)}
    script = Script(pages)
    seen, error = await walk(script)
    assert seen == [[], []]
    assert error is not None and "no rows" in str(error)
    assert len(script.asked) == 2


async def test_pages_of_rows_already_seen_stop_at_the_second() -> None:
    script = Script(
        {
            None: page(["a", "b"], "B"),
            "B": page(["b", "a"], "C"),
            "C": page(["a"], "D"),
            "D": page(["z"], None),
        }
    )
    seen, error = await walk(script)
    assert seen == [["a", "b"], ["b", "a"], ["a"]]
    assert error is not None and "already listed" in str(error)
    assert script.asked == [None, "B", "C"]


async def test_progress_in_between_forgives_a_fruitless_page() -> None:
    script = Script(
        {
            None: page(["a"], "B"),
            "B": page([], "C"),
            "C": page(["c"], "D"),
            "D": page(["c"], "E"),
            "E": page(["e"], None),
        }
    )
    seen, error = await walk(script)
    assert error is None
    assert seen[-1] == ["e"]


def test_page_progress_judges_one_page_at_a_time() -> None:
    progress = PageProgress()
    assert progress.check(None, page(["a"], "A")) is None
    assert progress.check("A", page([], "B")) is None
    stop = progress.check("B", page([], "C"))
    assert isinstance(stop, PagingLoopError) and not stop.retryable
    progress.reset()
    assert progress.check(None, page(["a"], "A")) is None
    assert isinstance(progress.check("A", page(["b"], None)), type(None))
    assert isinstance(PageProgress().check("X", page(["a"], "X")), PagingLoopError)


async def test_iter_pages_walks_the_demo_api_over_http(
    demo: DemoServer, make_client: MakeClient
) -> None:
    client = make_client(demo.base_url)
    project = demo.api.projects[0]["uid"]
    expected = [task["uid"] for task in demo.api.tasks(project)]
    got: list[str] = []
    async for one in iter_pages(lambda cursor: client.list_tasks(project=project, cursor=cursor)):
        got.extend(task.uid for task in one.items)
    assert got == expected


async def test_a_looping_server_is_stopped_after_a_bounded_number_of_requests(
    make_client: MakeClient,
) -> None:
    def looping(request: Received) -> Reply:
        # A, B, A, B, ... with fresh rows every time: only the cursor rule can stop it.
        nth = len(server.requests)
        cursor = "B" if "cursor=A" in request.target else "A"
        link = f"http://x/api/v1/users/me/projects/?cursor={cursor}"
        return json_reply(200, {"next": link, "results": [{"uid": f"p-{nth}"}]})

    async with StubServer(looping) as server:
        client = make_client(server.base_url)
        with pytest.raises(PagingLoopError):
            async for _ in iter_pages(lambda cursor: client.list_projects(cursor=cursor)):
                pass
    assert len(server.requests) == 3


# 10. The Protocol --------------------------------------------------------------------


async def test_the_client_satisfies_the_tasks_api_protocol(
    demo: DemoServer, make_client: MakeClient
) -> None:
    demo.api.rate_limit = 100  # without a limit the demo announces none
    # The annotation is the check: mypy --strict fails if AvalaClient drifts from it.
    api: TasksAPI = make_client(demo.base_url)
    assert isinstance(api, AvalaClient)
    assert api.base_url == demo.base_url
    projects: Page[Project] = await api.list_projects(limit=1)
    assert projects.items
    tasks = await api.list_tasks(limit=2)
    assert (await api.get_task(tasks.items[0].uid)).uid == tasks.items[0].uid
    assert api.rate_limit is not None
    assert api.throttle.seconds_left() == 0.0
