"""The API reference's own example responses, served verbatim over loopback, parse as documented."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from avala_tui.api.errors import (
    AuthenticationError,
    AvalaError,
    NotFoundError,
    PermissionDeniedError,
)
from tests.api.conftest import MakeClient
from tests.api.stub_server import Reply, StubServer

# Copied character for character from the reference (avala-tasks-api.txt).
LIST_EXAMPLE = b"""{
  "next": "https://server.avala.ai/api/v1/tasks/?cursor=cD0yMDI1&project=770a9600-g40d-63f6-c938-668877660000",
  "previous": null,
  "results": [
    {
      "uid": "990c1800-i62f-85h8-e150-880099880000",
      "type": "image-annotation",
      "name": "box",
      "status": "pending",
      "project": "770a9600-g40d-63f6-c938-668877660000",
      "created_at": "2025-01-10T08:00:00Z",
      "updated_at": "2025-01-18T14:30:00Z"
    }
  ]
}"""
GET_EXAMPLE = b"""{
  "uid": "990c1800-i62f-85h8-e150-880099880000",
  "type": "image-annotation",
  "name": "box",
  "status": "pending",
  "project": "770a9600-g40d-63f6-c938-668877660000",
  "created_at": "2025-01-10T08:00:00Z",
  "updated_at": "2025-01-18T14:30:00Z"
}"""
NOT_FOUND_EXAMPLE = b"""{
  "detail": "Not found."
}"""
FORBIDDEN_EXAMPLE = b"""{
  "detail": "You do not have permission to perform this action."
}"""
UNAUTHORIZED_EXAMPLE = b"""{
  "detail": "Invalid API key."
}"""

PROJECT = "770a9600-g40d-63f6-c938-668877660000"
TASK_UID = "990c1800-i62f-85h8-e150-880099880000"


def reply(status: int, body: bytes) -> Reply:
    return Reply(status, body, {"Content-Type": "application/json"})


async def test_the_list_example_parses_and_its_cursor_is_followed_at_home(
    make_client: MakeClient,
) -> None:
    async with StubServer(lambda _: reply(200, LIST_EXAMPLE)) as stub:
        client = make_client(stub.base_url)
        page = await client.list_tasks(project=PROJECT, status="pending")
        await client.list_tasks(project=PROJECT, status="pending", cursor=page.next_cursor)
    (task,) = page.items
    assert task.uid == TASK_UID
    assert (task.type, task.name, task.status, task.project) == (
        "image-annotation",
        "box",
        "pending",
        PROJECT,
    )
    assert task.created_at == datetime(2025, 1, 10, 8, 0, tzinfo=UTC)
    assert task.updated_at == datetime(2025, 1, 18, 14, 30, tzinfo=UTC)
    assert (page.next_cursor, page.previous_cursor) == ("cD0yMDI1", None)
    # The example's next link drops status; the client keeps the caller's filter.
    assert parse_qs(urlsplit(stub.requests[1].target).query) == {
        "project": [PROJECT],
        "status": ["pending"],
        "cursor": ["cD0yMDI1"],
    }


async def test_the_get_example_parses(make_client: MakeClient) -> None:
    async with StubServer(lambda _: reply(200, GET_EXAMPLE)) as stub:
        task = await make_client(stub.base_url).get_task(TASK_UID)
    assert stub.requests[0].target == f"/api/v1/tasks/{TASK_UID}/"
    assert task.uid == TASK_UID
    assert task.status == "pending"
    assert task.extra_fields == {}


@pytest.mark.parametrize(
    ("status", "body", "error_class", "message"),
    [
        (404, NOT_FOUND_EXAMPLE, NotFoundError, "Not found."),
        (
            403,
            FORBIDDEN_EXAMPLE,
            PermissionDeniedError,
            "You do not have permission to perform this action.",
        ),
        (401, UNAUTHORIZED_EXAMPLE, AuthenticationError, "Invalid API key."),
    ],
)
async def test_the_error_examples_map_to_their_errors(
    make_client: MakeClient,
    status: int,
    body: bytes,
    error_class: type[AvalaError],
    message: str,
) -> None:
    async with StubServer(lambda _: reply(status, body)) as stub:
        with pytest.raises(error_class) as caught:
            await make_client(stub.base_url).get_task(TASK_UID)
    assert str(caught.value) == message
    assert caught.value.status_code == status
