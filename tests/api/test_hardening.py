"""Hostile and throttling servers (issues 11.4 and 17): the client's part of each defect."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import formatdate

import pytest

from avala_tui.api._retry import MAX_THROTTLE_WAIT
from avala_tui.api.client import AvalaClient
from avala_tui.api.errors import (
    APIStatusError,
    APITimeoutError,
    AvalaError,
    BadRequestError,
    ConfigurationError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
)
from avala_tui.api.models import CUT_MARK, MAX_TEXT_CHARS
from tests.api.conftest import KEY, MakeClient, SleepRecorder, assert_key_hidden
from tests.api.stub_server import Received, Reply, StubServer, json_reply

PAGE = {"next": None, "previous": None, "results": [{"uid": "t-1"}]}
OK = json_reply(200, PAGE)
TASK = json_reply(200, {"uid": "t-1", "name": "box"})
THROTTLED = {"detail": "Request was throttled."}


def scripted(*replies: Reply, then: Reply = OK) -> StubServer:
    """A stub answering with ``replies`` in turn, then ``then`` forever."""
    queue = list(replies)
    return StubServer(lambda _: queue.pop(0) if queue else then)


def throttled(retry_after: str | None, status: int = 429) -> Reply:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    return json_reply(status, THROTTLED, headers)


# 1. One rate gate per client ------------------------------------------------------

Call = Callable[[AvalaClient], Awaitable[object]]
OTHER_REQUESTS: dict[str, Call] = {
    "list": lambda client: client.list_tasks(),
    "projects": lambda client: client.list_projects(),
    "get-task": lambda client: client.get_task("t-2"),
}


@pytest.mark.parametrize("other", OTHER_REQUESTS, ids=str)
async def test_a_429_holds_every_later_request_until_retry_after(
    make_client: MakeClient, other: str
) -> None:
    arrivals: list[float] = []
    answers = [throttled("1")]

    def handler(request: Received) -> Reply:
        arrivals.append(time.monotonic())
        if answers:
            return answers.pop(0)
        if "/tasks/t-" in request.target:
            return json_reply(200, {"uid": request.target.split("/")[-2]})
        return OK

    async with StubServer(handler) as stub:
        client = make_client(stub.base_url, max_retries=0, sleep=asyncio.sleep)
        with pytest.raises(RateLimitedError):
            await client.get_task("t-1")
        answered = time.monotonic()
        assert client.throttle.reason == "rate limited (429)"
        assert 0.8 < client.throttle.seconds_left() <= 1.0
        await asyncio.sleep(0.1)
        await asyncio.wait_for(OTHER_REQUESTS[other](client), timeout=5)
    assert len(arrivals) == 2
    # Measured where it counts: when the second request reached the server.
    assert arrivals[1] - answered >= 0.95
    assert arrivals[1] - arrivals[0] < 2.0
    assert client.throttle.seconds_left() == 0.0


@pytest.mark.parametrize(
    "retry_after",
    ["0", "-5", "Wed, 21 Oct 2015 07:28:00 GMT", None, "soon"],
    ids=["zero", "negative", "past date", "absent", "garbage"],
)
async def test_a_429_waits_at_least_a_second_whatever_retry_after_says(
    make_client: MakeClient, sleeps: SleepRecorder, retry_after: str | None
) -> None:
    async with scripted(throttled(retry_after)) as stub:
        client = make_client(stub.base_url, max_retries=1, backoff_base=0.01)
        await client.list_tasks()
    (wait,) = sleeps.waits
    assert 0.95 <= wait <= 1.0
    assert len(stub.requests) == 2


@pytest.mark.parametrize(
    "retry_after",
    ["86400", "1e12", formatdate(time.time() + 3 * 86400, usegmt=True)],
    ids=["a day", "30000 years", "a date in 3 days"],
)
async def test_a_retry_after_beyond_ten_minutes_is_capped_and_kept_raw(
    make_client: MakeClient, sleeps: SleepRecorder, retry_after: str
) -> None:
    async with StubServer(lambda _: throttled(retry_after)) as stub:
        client = make_client(stub.base_url, max_retries=0)
        with pytest.raises(RateLimitedError) as caught:
            await client.list_tasks()
    error = caught.value
    assert error.retry_after == MAX_THROTTLE_WAIT
    assert error.requested_wait is not None and error.requested_wait > 86_000
    assert error.retry_after_header == retry_after
    assert client.throttle.capped
    assert MAX_THROTTLE_WAIT - 5 < client.throttle.seconds_left() <= MAX_THROTTLE_WAIT


async def test_a_capped_retry_after_is_slept_for_ten_minutes_not_a_day(
    make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    async with scripted(throttled("86400")) as stub:
        client = make_client(stub.base_url, max_retries=1, max_retry_wait=1000.0)
        await client.list_tasks()
    assert sleeps.waits == [pytest.approx(MAX_THROTTLE_WAIT, abs=0.5)]


async def test_a_503_with_retry_after_closes_the_gate_for_other_requests(
    make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    async with scripted(throttled("2", status=503), then=TASK) as stub:
        client = make_client(stub.base_url, max_retries=0)
        with pytest.raises(ServerError) as caught:
            await client.get_task("t-1")
        assert caught.value.retry_after == 2.0
        assert client.throttle.reason == "server unavailable (503)"
        await client.get_task("t-1")
    assert sleeps.waits == [pytest.approx(2.0, abs=0.1)]
    assert len(stub.requests) == 2


@pytest.mark.parametrize(("reset", "expected"), [("5", 5.0), ("86400", MAX_THROTTLE_WAIT)])
async def test_a_spent_quota_holds_requests_until_the_reset(
    make_client: MakeClient, sleeps: SleepRecorder, reset: str, expected: float
) -> None:
    spent = json_reply(
        200,
        PAGE,
        {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
    )
    async with scripted(spent) as stub:
        client = make_client(stub.base_url, max_retry_wait=1000.0)
        await client.list_tasks()
        assert client.throttle.reason == "rate limit spent"
        await client.list_projects()
    assert sleeps.waits == [pytest.approx(expected, abs=1.0)]
    assert len(stub.requests) == 2


async def test_a_late_answer_does_not_overwrite_newer_rate_limit_figures(
    make_client: MakeClient,
) -> None:
    def handler(request: Received) -> Reply:
        if "slow" in request.target:
            # Counted first by the server, but its answer arrives last.
            return replace(json_reply(200, PAGE, {"X-RateLimit-Remaining": "50"}), delay=0.5)
        return json_reply(200, PAGE, {"X-RateLimit-Remaining": "49"})

    async with StubServer(handler) as stub:
        client = make_client(stub.base_url)
        slow = asyncio.create_task(client.list_tasks(project="slow"))
        for _ in range(100):
            if stub.requests:
                break
            await asyncio.sleep(0.01)
        await client.list_tasks(project="fast")
        await slow
    assert client.rate_limit is not None
    assert client.rate_limit.remaining == 49


# 2. Only 408 and 429 of the 4xx are retried ---------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 410, 413, 418, 422, 451])
async def test_no_other_4xx_is_retried(
    make_client: MakeClient, sleeps: SleepRecorder, status: int
) -> None:
    async with StubServer(lambda _: json_reply(status, {"detail": "no"})) as stub:
        with pytest.raises(APIStatusError) as caught:
            await make_client(stub.base_url, max_retries=3).list_tasks()
    assert len(stub.requests) == 1
    assert sleeps.waits == []
    assert not caught.value.retryable


async def test_a_4xx_whose_body_is_cut_off_is_not_retried(
    make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    head = b"HTTP/1.1 404 Not Found\r\nContent-Length: 500\r\n\r\n"
    async with StubServer(lambda _: Reply(raw=head + b'{"detail": "No')) as stub:
        with pytest.raises(AvalaError) as caught:
            await make_client(stub.base_url, max_retries=3).list_tasks()
    assert caught.value.status_code == 404
    assert not caught.value.retryable
    assert len(stub.requests) == 1


async def test_a_408_is_retried(make_client: MakeClient, sleeps: SleepRecorder) -> None:
    async with scripted(json_reply(408, {})) as stub:
        page = await make_client(stub.base_url).list_tasks()
    assert page.items
    assert len(stub.requests) == 2
    async with StubServer(lambda _: json_reply(408, {})) as stub:
        with pytest.raises(RequestTimeoutError):
            await make_client(stub.base_url, max_retries=1).list_tasks()
    assert len(stub.requests) == 2


# 3. Redact, then clip --------------------------------------------------------------


def assert_no_piece_of_the_key(text: str) -> None:
    pieces = {KEY[start : start + 8] for start in range(len(KEY) - 7)}
    assert not [piece for piece in pieces if piece in text], text


#: Where the client cuts server text (its _MAX_MESSAGE_CHARS, less the "…").
CUT = 299


@pytest.mark.parametrize("visible", [8, 12, 18, 26])
@pytest.mark.parametrize("where", ["detail", "field error", "location"])
async def test_a_key_straddling_the_cut_is_redacted_whole(
    make_client: MakeClient, where: str, visible: int
) -> None:
    # ``visible`` characters of the key lie before the cut, the rest after it.
    prefix = "https://elsewhere/" if where == "location" else ""
    text = prefix + "x" * (CUT - visible - len(prefix)) + KEY + "y" * 100
    reply = {
        "detail": json_reply(403, {"detail": text}),
        "field error": json_reply(400, {"status": [text]}),
        "location": Reply(302, headers={"Location": text}),
    }[where]
    async with StubServer(lambda _: reply) as stub:
        with pytest.raises(AvalaError) as caught:
            await make_client(stub.base_url).list_tasks()
    assert_no_piece_of_the_key(str(caught.value))
    if isinstance(caught.value, BadRequestError):
        assert_no_piece_of_the_key(repr(caught.value.field_errors))
    assert_key_hidden(caught.value)


@pytest.mark.parametrize("offset", [225, 232, 238, 244, 249])
async def test_a_key_straddling_the_cut_of_a_transport_error_is_redacted_whole(
    make_client: MakeClient, offset: int
) -> None:
    # h11 quotes a malformed status line in its error, which httpx passes on: the key
    # lands across the cut of the message built from it.
    line = b"XTTP/1.1 200 OK " + b"x" * offset + KEY.encode() + b"y" * 100
    async with StubServer(lambda _: Reply(raw=line + b"\r\n\r\n")) as stub:
        with pytest.raises(AvalaError) as caught:
            await make_client(stub.base_url, max_retries=0).list_tasks()
    assert "illegal status line" in str(caught.value)
    assert_no_piece_of_the_key(str(caught.value))
    assert_key_hidden(caught.value)


# 4. Strings bounded when received --------------------------------------------------


async def test_every_long_string_is_cut_when_received(make_client: MakeClient) -> None:
    row = {
        "uid": "t-1",
        "name": "n" * 20_000,
        "project": "p" * 5_000,
        "notes": "z" * 9_000,
        "meta": {"deep": ["d" * 7_000, "short"]},
        "count": 12,
    }
    async with StubServer(lambda _: json_reply(200, {"results": [row]})) as stub:
        (task,) = (await make_client(stub.base_url).list_tasks()).items
    assert task.name is not None and len(task.name) == MAX_TEXT_CHARS
    assert task.name.endswith(CUT_MARK) and task.name.startswith("n" * 4000)
    assert task.project is not None and len(task.project) == MAX_TEXT_CHARS
    extra = task.extra_fields
    assert len(extra["notes"]) == MAX_TEXT_CHARS
    assert len(extra["meta"]["deep"][0]) == MAX_TEXT_CHARS
    assert extra["meta"]["deep"][1] == "short"
    assert extra["count"] == 12
    assert task.cut_fields == {
        "name": 20_000,
        "project": 5_000,
        "notes": 9_000,
        "meta.deep[0]": 7_000,
    }


async def test_short_strings_and_control_characters_are_kept_as_sent(
    make_client: MakeClient,
) -> None:
    name = "\x1b[31mred\x07\u202e" + "é" * 4000
    async with StubServer(lambda _: json_reply(200, {"uid": "t-1", "name": name})) as stub:
        task = await make_client(stub.base_url).get_task("t-1")
    assert task.name == name
    assert task.cut_fields == {}


# 5. A request that cannot be built is a typed error --------------------------------


async def test_a_70_kb_cursor_is_a_protocol_error_not_an_httpx_one(
    make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    cursor = "c" * 70_000
    first = {"next": f"http://x/api/v1/tasks/?cursor={cursor}", "results": [{"uid": "t-1"}]}
    async with StubServer(lambda _: json_reply(200, first)) as stub:
        client = make_client(stub.base_url)
        page = await client.list_tasks()
        assert page.next_cursor == cursor
        with pytest.raises(ProtocolError, match="cursor cannot be sent back") as caught:
            await client.list_tasks(cursor=page.next_cursor)
    assert not caught.value.retryable
    assert len(stub.requests) == 1
    assert sleeps.waits == []
    assert_key_hidden(caught.value)


async def test_a_filter_that_cannot_be_sent_is_a_configuration_error(
    make_client: MakeClient,
) -> None:
    async with StubServer(lambda _: OK) as stub:
        client = make_client(stub.base_url)
        with pytest.raises(ConfigurationError):
            await client.list_tasks(project="p\ud800")
        with pytest.raises(ConfigurationError):
            await client.list_tasks(project="p" * 70_000)
    assert stub.requests == []


# 6. A bad row is skipped, not its page ---------------------------------------------


async def test_bad_rows_are_skipped_and_counted(make_client: MakeClient) -> None:
    rows = [
        {"uid": "t-1"},
        {"uid": 7},
        {"name": "no uid"},
        "t-3",
        {"uid": ""},
        {"uid": "u" * (MAX_TEXT_CHARS + 1)},
        {"uid": "t-2", "created_at": "not a time"},
        None,
    ]
    async with StubServer(lambda _: json_reply(200, {"results": rows})) as stub:
        page = await make_client(stub.base_url).list_tasks()
    assert [task.uid for task in page.items] == ["t-1", "t-2"]
    assert page.skipped == 6
    assert page.skip_reasons == [
        "The server sent task #2 without a uid.",
        "The server sent task #3 without a uid.",
        "The server sent task #4 that is not an object.",
        "The server sent task #5 without a uid.",
        f"The server sent task #6 with a uid longer than {MAX_TEXT_CHARS:,} characters.",
    ]


async def test_tallies_read_odd_rows_as_the_listing_does(make_client: MakeClient) -> None:
    # One strict pass for the whole page; any row it refuses sends the page through the
    # full reading, so a count and the list agree row for row.
    rows = [
        {"uid": "t-1", "status": "pending", "created_at": "2026-11-30T10:00:00Z"},
        {"uid": "t-2", "status": 5, "created_at": "2026-11-30T10:00:00"},
        {"uid": "t-3", "created_at": "not a time", "project": "p" * (MAX_TEXT_CHARS + 9)},
        {"name": "no uid"},
        "t-4",
    ]
    async with StubServer(lambda _: json_reply(200, {"results": rows})) as stub:
        client = make_client(stub.base_url)
        tallies = await client.list_task_tallies()
        full = await client.list_tasks()
    assert [(t.uid, t.project, t.status, t.created_at, t.updated_at) for t in tallies.items] == [
        (t.uid, t.project, t.status, t.created_at, t.updated_at) for t in full.items
    ]
    assert [t.status for t in tallies.items] == ["pending", "5", None]
    assert tallies.items[1].created_at == datetime(2026, 11, 30, 10, tzinfo=UTC)
    assert (tallies.skipped, tallies.skip_reasons) == (full.skipped, full.skip_reasons)


async def test_a_page_of_only_bad_rows_is_still_a_page(make_client: MakeClient) -> None:
    body = {"next": "http://x/api/v1/projects/?cursor=abc", "results": [1, {"uid": None}]}
    async with StubServer(lambda _: json_reply(200, body)) as stub:
        page = await make_client(stub.base_url).list_projects()
    assert (page.items, page.skipped, page.next_cursor) == ([], 2, "abc")


# 7. A get-task answer about another task -------------------------------------------


async def test_get_task_answered_with_another_task_is_a_protocol_error(
    make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    async with StubServer(lambda _: json_reply(200, {"uid": "t-other"})) as stub:
        with pytest.raises(ProtocolError) as caught:
            await make_client(stub.base_url).get_task("t-asked")
    assert "t-asked" in str(caught.value)
    assert len(stub.requests) == 1


# 8. A total deadline per request ---------------------------------------------------


@pytest.mark.parametrize("headers_first", [False, True], ids=["headers trickled", "body trickled"])
async def test_a_trickling_server_meets_the_total_deadline(
    make_client: MakeClient, headers_first: bool
) -> None:
    body = json.dumps(PAGE).encode() + b" " * 200
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    reply = Reply(raw=head + body, trickle=0.2, trickle_after=len(head) if headers_first else 0)
    async with StubServer(lambda _: reply) as stub:
        client = make_client(stub.base_url, max_retries=0, deadline=1.0)
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="within 1 s"):
            await client.list_tasks()
        elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 2.0


def test_the_deadline_must_be_positive() -> None:
    with pytest.raises(ValueError, match="deadline"):
        AvalaClient(KEY, "http://127.0.0.1:9/api/v1", deadline=0)


# 11. Control characters in messages ------------------------------------------------


async def test_messages_escape_the_servers_control_characters(make_client: MakeClient) -> None:
    hostile = "bad\x1b]52;c;aGk=\x07 \x9b31m \u202egnp.exe \u200b\ud800 end"
    body = {"detail": hostile}
    async with StubServer(lambda _: json_reply(404, body)) as stub:
        with pytest.raises(AvalaError) as caught:
            await make_client(stub.base_url).list_tasks()
    message = str(caught.value)
    assert message.isprintable()
    assert "\\x1b]52;c;aGk=\\x07" in message
    assert "\\u202e" in message and "\\ud800" in message


async def test_field_errors_escape_control_characters(make_client: MakeClient) -> None:
    body = {"sta\x1btus": ["Select\x07 a valid choice."]}
    async with StubServer(lambda _: json_reply(400, body)) as stub:
        with pytest.raises(BadRequestError) as caught:
            await make_client(stub.base_url).list_tasks()
    assert caught.value.field_errors == {"sta\\x1btus": ["Select\\x07 a valid choice."]}
    assert str(caught.value).isprintable()
