"""Every status and every malformed body becomes the right typed error, without the key."""

from __future__ import annotations

import json
import socket

import httpx
import pytest

from avala_tui.api.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    AvalaError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
    ServerError,
)
from tests.api.conftest import MakeClient, assert_key_hidden
from tests.api.stub_server import Received, Reply, StubServer, json_reply

HTML_502 = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
STATUS_CHOICE = "Select a valid choice. X is not one of the available choices."
TASK = {"uid": "t-1", "name": "box"}


@pytest.mark.parametrize(
    ("reply", "error_class", "message"),
    [
        (json_reply(401, {"detail": "Invalid API key."}), AuthenticationError, "Invalid API key."),
        (json_reply(401, {}), AuthenticationError, "Authentication failed (401 Unauthorized)"),
        (
            json_reply(403, {"detail": "You do not have permission to perform this action."}),
            PermissionDeniedError,
            "You do not have permission to perform this action.",
        ),
        (json_reply(404, {"detail": "Not found."}), NotFoundError, "Not found."),
        (Reply(404, b"<h1>Not Found</h1>"), NotFoundError, "Not found (404 Not Found)"),
        (
            json_reply(400, {"detail": "Invalid cursor"}),
            BadRequestError,
            "Invalid cursor",
        ),
        (Reply(418, b"teapot"), APIStatusError, "Unexpected response (418 I'm a Teapot)"),
        (
            json_reply(429, {"detail": "Request was throttled. Expected available in 5 seconds."}),
            RateLimitedError,
            "Request was throttled. Expected available in 5 seconds.",
        ),
        (
            Reply(502, HTML_502, {"Content-Type": "text/html"}),
            ServerError,
            "Server error (502 Bad Gateway)",
        ),
        (json_reply(500, {"detail": "Server Error (500)"}), ServerError, "Server Error (500)"),
        (Reply(599, b""), ServerError, "Server error (599)"),
        (
            Reply(200, HTML_502, {"Content-Type": "text/html"}),
            ProtocolError,
            "text/html where JSON",
        ),
        (
            Reply(200, b'{"results": [{"uid": "a"', {"Content-Type": "application/json"}),
            ProtocolError,
            "cut off or corrupted",
        ),
        (
            Reply(200, b"[" * 100_000, {"Content-Type": "application/json"}),
            ProtocolError,
            "cut off",
        ),
        (json_reply(200, ["not", "a", "page"]), ProtocolError, "not a JSON object"),
        (json_reply(200, {"results": {"uid": "a"}}), ProtocolError, "without a results list"),
        (json_reply(200, {"next": None}), ProtocolError, "without a results list"),
        (
            json_reply(200, {"results": [], "next": "https://x/api/v1/tasks/?page=2"}),
            ProtocolError,
            "next link without a cursor",
        ),
        (json_reply(200, {"results": [], "next": 5}), ProtocolError, "next link that is not"),
    ],
)
async def test_responses_map_to_typed_errors(
    make_client: MakeClient, reply: Reply, error_class: type[AvalaError], message: str
) -> None:
    async with StubServer(lambda _: reply) as stub:
        with pytest.raises(AvalaError) as caught:
            await make_client(stub.base_url, max_retries=0).list_tasks()
    assert type(caught.value) is error_class
    assert message in str(caught.value)
    assert "<html" not in str(caught.value)
    assert_key_hidden(caught.value)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"status": [STATUS_CHOICE]}),
        (400, {"status": STATUS_CHOICE}),
        (400, {"detail": {"status": [STATUS_CHOICE]}}),
        (422, {"detail": [{"loc": ["query", "status"], "msg": STATUS_CHOICE, "type": "enum"}]}),
    ],
)
async def test_field_errors_are_read_from_every_usual_shape(
    make_client: MakeClient, status: int, body: object
) -> None:
    async with StubServer(lambda _: json_reply(status, body)) as stub:
        with pytest.raises(BadRequestError) as caught:
            await make_client(stub.base_url).list_tasks(status="X")
    assert caught.value.status_code == status
    assert caught.value.field_errors == {"status": [STATUS_CHOICE]}
    assert str(caught.value) == f"status: {STATUS_CHOICE}"
    assert len(stub.requests) == 1  # a refused request is not retried


async def test_a_long_detail_is_cut_to_a_status_line(make_client: MakeClient) -> None:
    detail = "x" * 10_000
    async with StubServer(lambda _: json_reply(403, {"detail": detail})) as stub:
        with pytest.raises(PermissionDeniedError) as caught:
            await make_client(stub.base_url).get_task("t-1")
    assert len(str(caught.value)) == 300


async def test_a_key_echoed_by_the_server_is_redacted(make_client: MakeClient) -> None:
    def echo(request: Received) -> Reply:
        sent = request.headers["x-avala-api-key"]
        return json_reply(
            400, {"detail": {f"key {sent}": [f"Unknown key {sent}."]}}, {"Location": sent}
        )

    async with StubServer(echo) as stub:
        with pytest.raises(BadRequestError) as caught:
            await make_client(stub.base_url).list_tasks()
    assert caught.value.field_errors == {"key [redacted]": ["Unknown key [redacted]."]}
    assert_key_hidden(caught.value)


async def test_a_body_cut_short_of_its_content_length_is_a_connection_error(
    make_client: MakeClient,
) -> None:
    body = json.dumps({"results": [TASK]}).encode()
    raw = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body[:10]
    )
    async with StubServer(lambda _: Reply(raw=raw)) as stub:
        with pytest.raises(APIConnectionError) as caught:
            await make_client(stub.base_url, max_retries=0).list_tasks()
    assert type(caught.value) is APIConnectionError
    assert "127.0.0.1" in str(caught.value)
    assert_key_hidden(caught.value)


async def test_garbage_instead_of_http_is_a_connection_error(make_client: MakeClient) -> None:
    async with StubServer(lambda _: Reply(raw=b"SSH-2.0-OpenSSH_9.6\r\n")) as stub:
        with pytest.raises(APIConnectionError) as caught:
            await make_client(stub.base_url, max_retries=0).get_task("t-1")
    assert_key_hidden(caught.value)


async def test_a_silent_server_is_a_timeout(make_client: MakeClient) -> None:
    async with StubServer(lambda _: Reply(delay=5)) as stub:
        client = make_client(stub.base_url, max_retries=0, timeout=httpx.Timeout(0.2))
        with pytest.raises(APITimeoutError) as caught:
            await client.get_task("t-1")
    assert "waiting for the response" in str(caught.value)
    assert_key_hidden(caught.value)


async def test_nobody_listening_is_a_connection_error(make_client: MakeClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(f"http://127.0.0.1:{port}/api/v1", max_retries=0)
    with pytest.raises(APIConnectionError) as caught:
        await client.list_projects()
    assert type(caught.value) is APIConnectionError
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert_key_hidden(caught.value)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_an_error_not_followed(make_client: MakeClient, status: int) -> None:
    async with StubServer(lambda _: json_reply(200, TASK)) as foreign:
        target = f"{foreign.base_url}/tasks/t-1/"
        async with StubServer(lambda _: Reply(status, b"", {"Location": target})) as home:
            with pytest.raises(APIStatusError) as caught:
                await make_client(home.base_url).get_task("t-1")
    assert type(caught.value) is APIStatusError
    assert caught.value.status_code == status
    assert target in str(caught.value)
    assert len(home.requests) == 1
    assert foreign.requests == []
    assert_key_hidden(caught.value)


async def test_a_body_over_the_size_cap_is_refused(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("avala_tui.api.client.MAX_BODY_BYTES", 1000)
    big = json_reply(200, {"results": [{"uid": f"t-{n}"} for n in range(100)]})
    async with StubServer(lambda _: big) as stub:
        with pytest.raises(ProtocolError, match="larger than 1,000 bytes"):
            await make_client(stub.base_url, max_retries=0).list_tasks()
