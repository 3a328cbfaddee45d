"""Demo API servers over real loopback HTTP, and clients for them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.server import DemoServer

#: A fixed anchor keeps the generated world identical from run to run.
ANCHOR = datetime(2025, 3, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="session")
def shared_demo() -> Iterator[DemoServer]:
    with DemoServer(anchor=ANCHOR) as server:
        yield server


@pytest.fixture
def demo(shared_demo: DemoServer) -> Iterator[DemoServer]:
    """The session's server; a test may add tasks, and its faults and limits are undone after."""
    api = shared_demo.api
    yield shared_demo
    api.faults.clear()
    api.faults.rate = 0.0
    api.rate_limit = None
    api.latency = 0.0
    api.link_origin = None
    api.clear_requests()


@pytest.fixture
def own_demo() -> Iterator[DemoServer]:
    """A server of the test's own, for changes that would outlive the test."""
    with DemoServer(anchor=ANCHOR) as server:
        yield server


@pytest.fixture
def http(demo: DemoServer) -> Iterator[httpx.Client]:
    """A client of the shared server, sending the demo key."""
    headers = {"X-Avala-Api-Key": DEFAULT_API_KEY}
    with httpx.Client(base_url=demo.base_url, headers=headers, timeout=10.0) as client:
        yield client
