"""Dashboards built the way the CLI builds them, against the demo API over loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from avala_tui.api.client import AvalaClient
from avala_tui.config.settings import Settings
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp, make_app
from tests.conftest import ANCHOR

#: The dashboard's clock in tests: an hour after the demo world's newest task.
NOW = ANCHOR.timestamp() + 3600

MakeDashboard = Callable[..., AvalaApp]


@pytest.fixture
def fast_demo(demo: DemoServer) -> Iterator[DemoServer]:
    """The shared demo with a limit so high that the census's share spaces pages by ms."""
    limit = demo.api.rate_limit
    demo.api.rate_limit = 100_000
    yield demo
    demo.api.rate_limit = limit


@pytest.fixture
def make_dashboard(demo: DemoServer) -> MakeDashboard:
    """Build a dashboard for the shared demo server; keyword arguments become settings."""

    def make(
        *,
        api_key: str = DEFAULT_API_KEY,
        base_url: str | None = None,
        max_retries: int = 0,
        app_options: dict[str, Any] | None = None,
        client_options: dict[str, Any] | None = None,
        **settings: Any,
    ) -> AvalaApp:
        settings.setdefault("refresh", 0)
        client = AvalaClient(
            api_key,
            base_url or demo.base_url,
            max_retries=max_retries,
            backoff_base=0.01,
            **(client_options or {}),
        )
        return make_app(Settings(**settings), client, clock=lambda: NOW, **(app_options or {}))

    return make
