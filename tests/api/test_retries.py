"""Retries: which faults are retried, how long the client waits, when it gives up."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from email.utils import formatdate

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala_tui.api._retry import BACKOFF_CAP, full_jitter_backoff, parse_retry_after
from avala_tui.api.errors import (
    APIConnectionError,
    BadRequestError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerError,
)
from tests.api.conftest import MakeClient, SleepRecorder
from tests.api.stub_server import Reply, StubServer, json_reply

PAGE = {"next": None, "previous": None, "results": [{"uid": "t-1"}]}
OK = json_reply(200, PAGE)
NOW = 1_750_000_000.0
THROTTLED = "Request was throttled. Expected available in 3 seconds."


def scripted(*replies: Reply) -> StubServer:
    """A stub answering with ``replies`` in turn, then OK forever."""
    queue = list(replies)
    return StubServer(lambda _: queue.pop(0) if queue else OK)


def throttled(retry_after: str | None) -> Reply:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    return json_reply(429, {"detail": THROTTLED}, headers)


def cut_off() -> Reply:
    body = json.dumps(PAGE).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    return Reply(raw=head + body[:5])


@pytest.mark.parametrize(
    "fault",
    [
        Reply(500),
        Reply(502, b"<html>bad gateway</html>"),
        Reply(503),
        Reply(504),
        cut_off(),
        Reply(200, b'{"results": [', {"Content-Type": "application/json"}),
        Reply(200, b"<html>captive portal</html>", {"Content-Type": "text/html"}),
    ],
)
async def test_a_transient_fault_is_retried_after_a_jittered_backoff(
    make_client: MakeClient, sleeps: SleepRecorder, fault: Reply
) -> None:
    async with scripted(fault) as stub:
        client = make_client(stub.base_url, backoff_base=0.25)
        page = await client.list_tasks()
    assert [task.uid for task in page.items] == ["t-1"]
    assert len(stub.requests) == 2
    assert (client.stats.requests, client.stats.retries) == (2, 1)
    assert len(sleeps.waits) == 1
    assert 0.0 <= sleeps.waits[0] <= 0.25


async def test_retries_stop_after_max_retries_with_growing_backoff(
    make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    async with StubServer(lambda _: Reply(503)) as stub:
        client = make_client(stub.base_url, max_retries=3, backoff_base=1.0)
        with pytest.raises(ServerError, match=r"Server error \(503 Service Unavailable\)"):
            await client.get_task("t-1")
    assert len(stub.requests) == 4
    assert client.stats.by_kind == {"tasks.get": 4}
    assert client.stats.retries == 3
    assert all(
        0.0 <= wait <= ceiling for wait, ceiling in zip(sleeps.waits, [1.0, 2.0, 4.0], strict=True)
    )


async def test_max_retries_zero_sends_once(make_client: MakeClient, sleeps: SleepRecorder) -> None:
    async with StubServer(lambda _: Reply(500)) as stub:
        with pytest.raises(ServerError):
            await make_client(stub.base_url, max_retries=0).list_projects()
    assert len(stub.requests) == 1
    assert sleeps.waits == []


@pytest.mark.parametrize(
    ("fault", "error_class"),
    [
        (json_reply(404, {"detail": "Not found."}), NotFoundError),
        (json_reply(200, {"results": "nope"}), ProtocolError),
        (json_reply(400, {"status": ["Select a valid choice."]}), BadRequestError),
    ],
)
async def test_a_deterministic_answer_is_not_retried(
    make_client: MakeClient, sleeps: SleepRecorder, fault: Reply, error_class: type[Exception]
) -> None:
    async with StubServer(lambda _: fault) as stub:
        with pytest.raises(error_class):
            await make_client(stub.base_url).list_tasks()
    assert len(stub.requests) == 1
    assert sleeps.waits == []


async def test_retry_after_seconds_replaces_the_backoff(
    make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    async with scripted(throttled("3"), throttled("7")) as stub:
        page = await make_client(stub.base_url).list_tasks()
    assert page.items
    # Slept at the gate, which counts down from the moment each 429 arrived.
    assert sleeps.waits == [pytest.approx(3.0, abs=0.1), pytest.approx(7.0, abs=0.1)]


async def test_retry_after_as_an_http_date_is_honoured(
    make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    async with scripted(throttled(formatdate(time.time() + 30, usegmt=True))) as stub:
        await make_client(stub.base_url).list_tasks()
    (wait,) = sleeps.waits
    assert 27.0 <= wait <= 30.0  # whole seconds on the wire, and a moment passes


async def test_a_retry_after_beyond_the_budget_is_raised_at_once(
    make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    async with StubServer(lambda _: throttled("120")) as stub:
        client = make_client(stub.base_url, max_retry_wait=60.0)
        with pytest.raises(RateLimitedError) as caught:
            await client.list_tasks()
    assert caught.value.retry_after == 120.0
    assert str(caught.value) == THROTTLED
    assert len(stub.requests) == 1
    assert sleeps.waits == []


async def test_a_lasting_rate_limit_raises_after_the_retries(
    make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    async with StubServer(lambda _: throttled("2")) as stub:
        with pytest.raises(RateLimitedError) as caught:
            await make_client(stub.base_url, max_retries=2).list_tasks()
    assert caught.value.retry_after == 2.0
    assert sleeps.waits == [pytest.approx(2.0, abs=0.1)] * 2
    assert len(stub.requests) == 3


async def test_a_transport_fault_is_retried_then_raised(
    make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    async with StubServer(lambda _: cut_off()) as stub:
        with pytest.raises(APIConnectionError):
            await make_client(stub.base_url, max_retries=1).list_tasks()
    assert len(stub.requests) == 2
    assert len(sleeps.waits) == 1


@given(attempt=st.integers(0, 40), base=st.floats(0.001, 10.0))
def test_full_jitter_stays_under_the_exponential_ceiling(attempt: int, base: float) -> None:
    wait = full_jitter_backoff(attempt, base=base)
    assert 0.0 <= wait <= min(BACKOFF_CAP, base * 2.0**attempt)


def test_full_jitter_spreads_its_waits() -> None:
    waits = [full_jitter_backoff(3, base=1.0) for _ in range(200)]
    assert min(waits) < 2.0 < 6.0 < max(waits)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("5", 5.0),
        (" 2.5 ", 2.5),
        ("0", 0.0),
        ("-3", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        (formatdate(NOW + 60, usegmt=True), 60.0),
        ("Thu, 01 Jan 1970 00:00:30 -0000", 0.0),
        ("soon", None),
        ("nan", None),
        ("inf", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


def test_an_undated_http_date_is_read_as_gmt() -> None:
    assert parse_retry_after("Thu, 01 Jan 1970 00:01:00 -0000", now=30.0) == 30.0


def rate_limited_replies() -> Iterator[Reply]:
    yield json_reply(
        200,
        PAGE,
        {
            "X-RateLimit-Limit": "100",
            "X-RateLimit-Remaining": "42",
            "X-RateLimit-Reset": "1767225600",
        },
    )
    yield OK
    yield json_reply(
        429,
        {"detail": THROTTLED},
        {
            "Retry-After": "600",
            "X-RateLimit-Limit": "100",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "30",
        },
    )
    yield OK


async def test_rate_limit_headers_are_recorded_on_success_and_on_error(
    make_client: MakeClient,
) -> None:
    replies = rate_limited_replies()
    async with StubServer(lambda _: next(replies)) as stub:
        client = make_client(stub.base_url)
        assert client.rate_limit is None
        before = time.time()
        await client.list_tasks()
        observed = client.rate_limit
        assert observed is not None
        assert (observed.limit, observed.remaining, observed.reset) == (100, 42, 1767225600.0)
        assert before <= observed.observed_at <= time.time()

        await client.list_tasks()  # no rate-limit headers: the last known status stays
        assert client.rate_limit is observed

        with pytest.raises(RateLimitedError):
            await client.list_tasks()
        throttled_status = client.rate_limit
        assert throttled_status is not None
        assert (throttled_status.limit, throttled_status.remaining) == (100, 0)
        # A small reset is a delay, not a date in 1970.
        assert throttled_status.reset == pytest.approx(throttled_status.observed_at + 30)
        assert not throttled_status.expired(throttled_status.observed_at + 29)
        assert throttled_status.expired(throttled_status.observed_at + 31)

        # The 429's ten minutes hold every request: this one is not sent.
        with pytest.raises(RateLimitedError) as caught:
            await client.list_tasks()
    assert caught.value.status_code is None
    assert caught.value.retry_after == pytest.approx(600.0, abs=1.0)
    assert len(stub.requests) == 3
