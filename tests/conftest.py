"""Fixtures every suite shares: demo Avala API servers over real loopback HTTP."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from avala_tui.demo.server import DemoServer

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
