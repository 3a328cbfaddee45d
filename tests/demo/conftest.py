"""A raw httpx client of the shared demo server (the servers are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.server import DemoServer


@pytest.fixture
def http(demo: DemoServer) -> Iterator[httpx.Client]:
    """A client of the shared server, sending the demo key."""
    headers = {"X-Avala-Api-Key": DEFAULT_API_KEY}
    with httpx.Client(base_url=demo.base_url, headers=headers, timeout=10.0) as client:
        yield client
