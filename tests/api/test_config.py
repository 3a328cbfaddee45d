"""Constructing the client: what it refuses, what it sends with every request."""

from __future__ import annotations

import pytest

from avala_tui import __version__
from avala_tui.api.client import DEFAULT_BASE_URL, AvalaClient
from avala_tui.api.errors import ConfigurationError
from tests.api.conftest import KEY, MakeClient
from tests.api.stub_server import StubServer, json_reply


@pytest.mark.parametrize("key", ["", "   ", "\n"])
def test_an_empty_key_is_refused(key: str) -> None:
    with pytest.raises(ConfigurationError, match="No API key"):
        AvalaClient(key)


@pytest.mark.parametrize("key", ["abc def", "abc\x00def", "clé"])
def test_a_key_that_cannot_be_a_header_is_refused_without_echoing_it(key: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        AvalaClient(key)
    assert key not in str(caught.value)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://api.avala.ai/api/v1",
        "http://10.0.0.1/api/v1",
        "http://127.0.0.1.example.com/api/v1",
        "http://localhost.example.com/api/v1",
        "http://[::2]/api/v1",
    ],
)
def test_plain_http_is_refused_for_hosts_off_this_machine(base_url: str) -> None:
    with pytest.raises(ConfigurationError, match="Refusing plain http://"):
        AvalaClient(KEY, base_url)


@pytest.mark.parametrize(
    ("base_url", "host"),
    [
        ("http://127.0.0.1:8000/api/v1", "127.0.0.1:8000"),
        ("http://127.5.6.7/api/v1", "127.5.6.7"),
        ("http://localhost:8000/api/v1/", "localhost:8000"),
        ("http://[::1]:8000/api/v1", "[::1]:8000"),
        ("https://api.avala.ai/api/v1", "api.avala.ai"),
    ],
)
async def test_loopback_http_and_any_https_are_accepted(base_url: str, host: str) -> None:
    async with AvalaClient(KEY, base_url) as client:
        assert client.host == host
        assert client.base_url == base_url.rstrip("/")


@pytest.mark.parametrize(
    ("base_url", "complaint"),
    [
        ("api.avala.ai/api/v1", "scheme and a host"),
        ("https://", "scheme and a host"),
        ("ftp://api.avala.ai/api/v1", "scheme and a host"),
        ("https://user:pw@api.avala.ai/api/v1", "user name or password"),
        ("https://api.avala.ai/api/v1?x=1", "query string"),
        ("https://api.avala.ai:99999/api/v1", "not valid"),
    ],
)
def test_malformed_base_urls_are_refused(base_url: str, complaint: str) -> None:
    with pytest.raises(ConfigurationError, match=complaint):
        AvalaClient(KEY, base_url)


async def test_the_default_base_url_is_the_public_api() -> None:
    async with AvalaClient(KEY) as client:
        assert client.base_url == DEFAULT_BASE_URL
        assert KEY not in repr(client)


async def test_every_request_carries_key_accept_and_user_agent(make_client: MakeClient) -> None:
    async with StubServer(lambda _: json_reply(200, {"results": []})) as stub:
        await make_client(stub.base_url).list_projects()
    (request,) = stub.requests
    assert request.method == "GET"
    assert request.target == "/api/v1/users/me/projects/"
    assert request.headers["x-avala-api-key"] == KEY
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"] == f"avala-tui/{__version__} (+httpx)"


async def test_the_client_is_closed_on_leaving_its_context() -> None:
    async with StubServer(lambda _: json_reply(200, {"results": []})) as stub:
        async with AvalaClient(KEY, stub.base_url) as client:
            await client.list_projects()
        with pytest.raises(RuntimeError, match="closed"):
            await client.list_projects()


async def test_redact_masks_the_key_plain_and_url_encoded() -> None:
    async with AvalaClient("k+y/with=chars") as client:
        text = "a k+y/with=chars b k%2By%2Fwith%3Dchars c"
        assert client.redact(text) == "a [redacted] b [redacted] c"
