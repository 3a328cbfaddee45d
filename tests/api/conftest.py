"""Fixtures of the API client tests: a recorded sleep, clients that close themselves."""

from __future__ import annotations

import traceback
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from avala_tui.api.client import AvalaClient

#: Distinctive, so that finding it anywhere in a message or log means it leaked.
KEY = "avk-test-5b3e91c07d2a4f68c1"


class SleepRecorder:
    """Stands in for asyncio.sleep: records each wait the client asks for, waits none."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


MakeClient = Callable[..., AvalaClient]


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
async def make_client(sleeps: SleepRecorder) -> AsyncIterator[MakeClient]:
    """Build clients with the recorded sleep (and KEY unless told otherwise); close them all."""
    clients: list[AvalaClient] = []

    def make(base_url: str, api_key: str = KEY, **options: Any) -> AvalaClient:
        options.setdefault("sleep", sleeps)
        client = AvalaClient(api_key, base_url, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def assert_key_hidden(exc: BaseException) -> None:
    """Fail if the key shows in the error, its traceback, or anything chained to it."""
    assert KEY not in str(exc)
    assert KEY not in repr(exc)
    assert KEY not in "".join(traceback.format_exception(exc))
    link: BaseException | None = exc
    while link is not None:
        assert KEY not in repr(link)
        if isinstance(link, httpx.RequestError):
            # httpx masks only Authorization when it prints headers.
            assert KEY not in repr(link.request.headers)
        link = link.__cause__ or link.__context__
