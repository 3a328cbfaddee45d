"""One description of an Avala API server under test, for the demo API and the DRF server alike.

Tests written against :class:`ApiServer` run unchanged against both (the ``api_server``
fixture in tests/conftest.py is parametrized over them), so every difference between the
demo and Django REST Framework shows up as a failing test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from avala_tui.demo.app import EXPIRED_API_KEY
from avala_tui.demo.data import EDGE_CASE_PROJECT, EMPTY_PROJECT, FILTER_STATUSES, TIES_PROJECT
from avala_tui.demo.server import DemoServer
from tests.drf_server.server import ALICE_KEY, EXPIRED_KEY, THROTTLED_KEY, DrfServer

#: A uid no server holds, shaped like the reference's.
UNKNOWN_UID = "0000dead-g000-00h0-0000-000000000000"


@dataclass(frozen=True)
class ApiServer:
    """A running server, the keys to use on it and the uids the tests need."""

    name: str
    base_url: str
    api_key: str
    #: A key the server does not know (401 "Invalid API key.").
    wrong_key: str
    #: A key the server knows as expired (401 "API key has expired.").
    expired_key: str
    #: A project of more than 100 tasks, with a run of equal created_at across row 100.
    big_project: str
    #: A project holding the awkward rows: an undocumented status and type, nulls, extras.
    edge_project: str
    empty_project: str
    #: A task of big_project further down than the first page.
    task_uid: str
    #: A task the key lists but may not open (403).
    forbidden_uid: str
    #: A task the key may not see at all (404).
    hidden_uid: str
    #: The statuses the ``status`` filter accepts; None when it takes any text.
    status_choices: tuple[str, ...] | None
    #: The server's own listing: ``tasks(project, status)``, newest first.
    tasks: Callable[[str | None, str | None], list[dict[str, Any]]]
    #: The key's projects, as the API renders them.
    projects: Callable[[], list[dict[str, Any]]]
    #: ``add_task(project_uid, name=..., status=..., type=..., extra=...)``: the newest task.
    add_task: Callable[..., dict[str, Any]]
    set_status: Callable[[str, str], dict[str, Any]]
    #: ``throttle(n)``: a key limited to n requests a minute from now on, with its count reset.
    throttle: Callable[[int], str]
    #: Undoes throttle().
    reset: Callable[[], None]


def demo_api_server(demo: DemoServer) -> ApiServer:
    api = demo.api
    big = api.project_uid(TIES_PROJECT)
    edge = api.project_uid(EDGE_CASE_PROJECT)
    forbidden = api.tasks(edge)[-1]["uid"]
    api.forbid(forbidden)

    def throttle(limit: int) -> str:
        api.rate_limit = limit
        return api.api_key

    def reset() -> None:
        api.rate_limit = None
        api.faults.clear()

    return ApiServer(
        name="demo",
        base_url=demo.base_url,
        api_key=api.api_key,
        wrong_key="not-the-demo-key",
        expired_key=EXPIRED_API_KEY,
        big_project=big,
        edge_project=edge,
        empty_project=api.project_uid(EMPTY_PROJECT),
        task_uid=api.tasks(big, limit=151)[-1]["uid"],
        forbidden_uid=forbidden,
        hidden_uid=UNKNOWN_UID,
        status_choices=FILTER_STATUSES,
        tasks=lambda project, status: api.tasks(project, status),
        projects=lambda: api.projects,
        add_task=api.add_task,
        set_status=api.set_status,
        throttle=throttle,
        reset=reset,
    )


def drf_api_server(drf: DrfServer) -> ApiServer:
    world = drf.world
    assert world is not None, "the DRF server is not started"

    def throttle(limit: int) -> str:
        drf.set_rate(THROTTLED_KEY, f"{limit}/min")
        drf.reset_throttles()
        return THROTTLED_KEY

    return ApiServer(
        name="drf",
        base_url=drf.base_url,
        api_key=ALICE_KEY,
        wrong_key="not-a-drf-key",
        expired_key=EXPIRED_KEY,
        big_project=world.big_project,
        edge_project=world.edge_project,
        empty_project=world.empty_project,
        task_uid=world.deep_task,
        forbidden_uid=world.forbidden_task,
        hidden_uid=world.bob_task,
        status_choices=None,
        tasks=lambda project, status: drf.tasks(project, status),
        projects=drf.projects,
        add_task=drf.add_task,
        set_status=drf.set_status,
        throttle=throttle,
        reset=drf.reset_throttles,
    )
