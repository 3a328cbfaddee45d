"""The DRF test server's own controls, as the dashboard's tests will drive them."""

from __future__ import annotations

import pytest

from avala_tui.api.errors import NotFoundError
from tests.api.conftest import MakeClient
from tests.drf_server.server import ALICE_KEY, BOB_KEY, DrfServer


async def test_tasks_change_while_the_server_runs_even_from_a_running_loop(
    drf_server: DrfServer, make_client: MakeClient
) -> None:
    # An async test has a running event loop, where Django refuses ORM calls: the
    # controls must work here all the same.
    world = drf_server.world
    assert world is not None
    client = make_client(drf_server.base_url, api_key=ALICE_KEY)
    added = drf_server.add_task(world.edge_project, name="fresh", extra={"lane": 3})
    assert (await client.get_task(added["uid"])).extra_fields == {"lane": 3}

    renamed = drf_server.update_task(added["uid"], name="renamed", status="in_progress")
    fetched = await client.get_task(added["uid"])
    assert (fetched.name, fetched.status) == ("renamed", "in_progress")
    assert fetched.updated_at is not None and fetched.created_at is not None
    assert fetched.updated_at >= fetched.created_at
    assert renamed["updated_at"] != added["updated_at"]

    drf_server.delete_task(added["uid"])
    with pytest.raises(NotFoundError):
        await client.get_task(added["uid"])


async def test_each_user_sees_only_their_own(
    drf_server: DrfServer, make_client: MakeClient
) -> None:
    world = drf_server.world
    assert world is not None
    bob = make_client(drf_server.base_url, api_key=BOB_KEY)
    page = await bob.list_tasks()
    assert {task.project for task in page.items} == {world.bob_project}
    assert [task.uid for task in page.items] == [
        row["uid"] for row in drf_server.tasks(key=BOB_KEY)
    ]
    assert [project.uid for project in (await bob.list_projects()).items] == [world.bob_project]
    # Outside Bob's projects, the task restricted to him is out of his reach as well.
    with pytest.raises(NotFoundError):
        await bob.get_task(world.forbidden_task)
