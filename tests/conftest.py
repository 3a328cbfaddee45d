"""Fixtures every suite shares: Avala API servers over real loopback HTTP.

``demo``/``shared_demo``/``own_demo`` are the embedded demo API. ``drf_server`` is the
Django REST Framework server of tests/drf_server (started once per session, on first
use); ``api_server`` runs a test against both, through the common ApiServer description.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from avala_tui.demo.server import DemoServer
from tests.api_servers import ApiServer, demo_api_server, drf_api_server
from tests.drf_server.server import DrfServer

# Times are shown in local time; snapshots must not depend on the machine's zone.
os.environ["TZ"] = "UTC"
time.tzset()

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
    api.clear_requests()
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


@pytest.fixture(scope="session")
def drf_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DrfServer]:
    """The DRF test server; tests may add and change tasks (``add_task``, ``set_status``...).

    Its data lives for the session: a test that adds tasks must not expect a fixed count.
    """
    with DrfServer(tmp_path_factory.mktemp("drf-server"), anchor=ANCHOR) as server:
        yield server


@pytest.fixture(scope="session")
def parity_demo() -> Iterator[DemoServer]:
    """A demo server for the tests that run against both servers: they add tasks to it."""
    with DemoServer(anchor=ANCHOR) as server:
        yield server


@pytest.fixture(params=["demo", "drf"])
def api_server(request: pytest.FixtureRequest) -> Iterator[ApiServer]:
    """The demo API, then the DRF server, described alike; rate limits are undone after."""
    if request.param == "demo":
        server = demo_api_server(request.getfixturevalue("parity_demo"))
    else:
        server = drf_api_server(request.getfixturevalue("drf_server"))
    yield server
    server.reset()
