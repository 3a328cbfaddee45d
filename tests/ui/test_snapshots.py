"""Snapshots of the dashboard (pytest-textual-snapshot); `--snapshot-update` regenerates them.

They are deterministic: the demo world is generated from a fixed anchor on a server of
this module's own (tests elsewhere add tasks to the shared one), the app's clock is
fixed, the header says "demo data" rather than the server's ephemeral port, and each
snapshot is taken once the workers are done and the detail pane has its answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from textual.pilot import Pilot

from avala_tui.demo.data import EMPTY_PROJECT
from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import OFFERED_THEMES, AvalaApp
from tests.conftest import ANCHOR
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import settle, wait_until

SnapCompare = Callable[..., bool]


@pytest.fixture(scope="module")
def snapshot_demo() -> Iterator[DemoServer]:
    with DemoServer(anchor=ANCHOR) as server:
        yield server


@pytest.fixture
def dashboard(make_dashboard: MakeDashboard, snapshot_demo: DemoServer) -> Callable[..., AvalaApp]:
    def make(**settings: Any) -> AvalaApp:
        return make_dashboard(
            base_url=snapshot_demo.base_url,
            demo=True,
            app_options={"detail_debounce": 0.01},
            **settings,
        )

    return make


def ready(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Wait for the first page and its detail, press ``keys``, and wait again."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, AvalaApp)

        async def quiet() -> None:
            await settle(pilot)
            uid = app.dashboard.table.cursor_uid
            if uid is not None:
                await wait_until(pilot, lambda: app.dashboard.detail.cache.get(uid) is not None)
            await settle(pilot)

        await quiet()
        if keys:
            await pilot.press(*keys)
            await quiet()

    return run_before


def test_main_view(snap_compare: SnapCompare, dashboard: Callable[..., AvalaApp]) -> None:
    assert snap_compare(dashboard(), terminal_size=(120, 34), run_before=ready("j", "j"))


def test_detail_focused_on_a_wide_screen(
    snap_compare: SnapCompare, dashboard: Callable[..., AvalaApp]
) -> None:
    assert snap_compare(dashboard(), terminal_size=(160, 45), run_before=ready("j", "enter"))


def test_80x24(snap_compare: SnapCompare, dashboard: Callable[..., AvalaApp]) -> None:
    assert snap_compare(dashboard(), terminal_size=(80, 24), run_before=ready())


def test_empty_project(
    snap_compare: SnapCompare, dashboard: Callable[..., AvalaApp], snapshot_demo: DemoServer
) -> None:
    app = dashboard(project=snapshot_demo.api.project_uid(EMPTY_PROJECT))
    assert snap_compare(app, terminal_size=(100, 30), run_before=ready())


def test_wrong_key(snap_compare: SnapCompare, dashboard: Callable[..., AvalaApp]) -> None:
    app = dashboard(api_key="not-the-demo-key")
    assert snap_compare(app, terminal_size=(100, 30), run_before=ready())


def _queue_screen(
    snap_compare: SnapCompare,
    make_dashboard: MakeDashboard,
    snapshot_demo: DemoServer,
    size: tuple[int, int],
) -> bool:
    """The Queue screen once the census has counted the demo world, at ``size``."""
    # A limit so high that the census's share of it spaces its 61 pages by milliseconds.
    snapshot_demo.api.rate_limit = 100_000
    app = make_dashboard(
        base_url=snapshot_demo.base_url,
        demo=True,
        app_options={"detail_debounce": 0.01, "census": True},
    )

    async def counted(pilot: Pilot[Any]) -> None:
        await ready()(pilot)
        census = app.dashboard.census
        assert census is not None
        await wait_until(pilot, lambda: census.result is not None, within=60)
        await pilot.press("H")
        await settle(pilot)

    try:
        return bool(snap_compare(app, terminal_size=size, run_before=counted))
    finally:
        snapshot_demo.api.rate_limit = None


def test_queue_screen_80x24(
    snap_compare: SnapCompare, make_dashboard: MakeDashboard, snapshot_demo: DemoServer
) -> None:
    assert _queue_screen(snap_compare, make_dashboard, snapshot_demo, (80, 24))


def test_queue_screen_160x45(
    snap_compare: SnapCompare, make_dashboard: MakeDashboard, snapshot_demo: DemoServer
) -> None:
    assert _queue_screen(snap_compare, make_dashboard, snapshot_demo, (160, 45))


def test_200x50(snap_compare: SnapCompare, dashboard: Callable[..., AvalaApp]) -> None:
    assert snap_compare(dashboard(), terminal_size=(200, 50), run_before=ready())


@pytest.mark.parametrize("theme", sorted(OFFERED_THEMES))
def test_80x24_theme(
    snap_compare: SnapCompare, dashboard: Callable[..., AvalaApp], theme: str
) -> None:
    app = dashboard()
    ready_first = ready()

    async def run_before(pilot: Pilot[Any]) -> None:
        pilot.app.theme = theme
        await ready_first(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
