"""The key goes only to the base URL and never into logs; uids cannot leave /tasks/."""

from __future__ import annotations

import io
import logging
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala_tui.api._redact import KeyRedactingFilter
from avala_tui.api.client import _task_path
from avala_tui.api.errors import AvalaError
from tests.api.conftest import KEY, MakeClient
from tests.api.stub_server import Received, Reply, StubServer, json_reply


async def test_a_next_link_to_another_host_yields_only_its_cursor(make_client: MakeClient) -> None:
    async with StubServer(lambda _: json_reply(200, {"results": []})) as foreign:
        # The link drops the caller's status filter and adds one of its own, as a
        # hostile or misconfigured server might: neither must be obeyed.
        link = f"{foreign.base_url}/tasks/?cursor=cD0yMDI1%2B&project=other&evil=1"

        def home_page(request: Received) -> Reply:
            more = "cursor=" not in request.target
            return json_reply(200, {"next": link if more else None, "results": [{"uid": "t"}]})

        async with StubServer(home_page) as home:
            client = make_client(home.base_url)
            first = await client.list_tasks(project="p-1", status="pending", limit=50)
            assert first.next_cursor == "cD0yMDI1+"
            second = await client.list_tasks(
                project="p-1", status="pending", limit=50, cursor=first.next_cursor
            )
    assert not second.has_more
    assert foreign.requests == []
    assert [request.headers["x-avala-api-key"] for request in home.requests] == [KEY, KEY]
    follow_up = urlsplit(home.requests[1].target)
    assert follow_up.path == "/api/v1/tasks/"
    assert parse_qs(follow_up.query) == {
        "project": ["p-1"],
        "status": ["pending"],
        "limit": ["50"],
        "cursor": ["cD0yMDI1+"],
    }


HOSTILE_UIDS = [
    "../../users/me/projects",
    "..",
    ".",
    "a/b",
    "x?limit=1#frag",
    "%2e%2e",
    "é ü\t",
    "990c1800-i62f-85h8-e150-880099880000",
]


@pytest.mark.parametrize("uid", HOSTILE_UIDS)
async def test_a_uid_is_sent_as_one_quoted_segment(make_client: MakeClient, uid: str) -> None:
    async with StubServer(lambda _: json_reply(200, {"uid": uid})) as stub:
        task = await make_client(stub.base_url).get_task(uid)
    assert task.uid == uid
    (request,) = stub.requests
    assert request.target.startswith("/api/v1/tasks/")
    assert request.target.endswith("/")
    segment = request.target.removeprefix("/api/v1/tasks/").removesuffix("/")
    assert "/" not in segment and "?" not in segment and "#" not in segment
    assert unquote(segment) == uid


@given(st.text(min_size=1))
def test_any_uid_stays_under_tasks_after_url_normalisation(uid: str) -> None:
    url = httpx.URL("https://api.avala.ai/api/v1" + _task_path(uid))
    segments = url.raw_path.decode("ascii").split("/")
    assert segments[:4] == ["", "api", "v1", "tasks"]
    assert len(segments) == 6 and segments[5] == ""
    assert unquote(segments[4]) == uid


async def test_an_empty_uid_is_a_caller_error(make_client: MakeClient) -> None:
    with pytest.raises(ValueError, match="empty"):
        await make_client("http://127.0.0.1:9/api/v1").get_task("")


async def test_debug_logs_show_each_request_but_never_the_key(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    replies = iter([Reply(503), json_reply(200, {"results": []}), json_reply(401, {})])
    async with StubServer(lambda _: next(replies)) as stub:
        client = make_client(stub.base_url)
        with caplog.at_level(logging.DEBUG, logger="avala_tui.api"):
            await client.list_tasks(project="p-1")
            with pytest.raises(AvalaError):
                await client.get_task("t-1")
    text = caplog.text
    assert KEY not in text
    assert "GET /api/v1/tasks/?project=p-1 -> 503" in text
    assert "retry 1/2 of GET /tasks/" in text
    assert "GET /api/v1/tasks/?project=p-1 -> 200" in text
    assert "GET /api/v1/tasks/t-1/ -> 401" in text
    assert all(record.name == "avala_tui.api" for record in caplog.records)


def test_the_redacting_filter_masks_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(KeyRedactingFilter(KEY))
    logger = logging.getLogger("avala_tui.test_redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("sending key %s in %r", KEY, {"X-Avala-Api-Key": KEY})
        logger.warning(f"pre-formatted: {KEY}")
        try:
            raise RuntimeError(f"boom with {KEY}")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert KEY not in output
    assert output.count("[redacted]") == 4
    assert "RuntimeError: boom with [redacted]" in output
