"""Benchmark 7d: the Queue screen, opened and kept open while the census recounts.

A lead opens the Queue screen (``H``) to see every project's figures, and may keep it
open as the monitor: each time a census walk ends, every line is rebuilt from the new
figures. Both moments are timed on the real dashboard, headless at 80x24, its census
complete over the demo's 60,840 tasks (eight projects, nine lines):

* open: ``H`` posted → the next frame, then Esc → the next frame, at random gaps;
* update: a walk's new result → the next frame, with the screen open (the census is
  restarted at once each time, against a demo server in its own process whose high
  limit lets it walk without pause).

Goal: both medians within 100 ms, the delay under which a response feels immediate.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable
from typing import Any, Final

from textual import events
from textual.app import App
from textual.screen import Screen

from avala_tui.api.client import AvalaClient
from avala_tui.config.settings import Settings
from avala_tui.core.census import QueueFigures
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.ui.app import make_app
from avala_tui.ui.screens.queue import QueueLine, QueueScreen
from benchmarks.appkit import SIZE, settle
from benchmarks.census import BUSY_LIMIT, server_process
from benchmarks.harness import Result, Stat, verdict

GOAL_SECONDS: Final = 0.1
#: Seconds between a frame and the next key, drawn at random (seeded).
_GAP: Final = (0.02, 0.07)


class FrameProbe:
    """Stamps each frame at which ``showing()`` holds: what was on screen as it was drawn."""

    def __init__(self, app: App[Any]) -> None:
        self.showing: Callable[[], bool] = lambda: False
        self.stamp: float | None = None
        self.drawn = asyncio.Event()
        display = app._display

        def probed(screen: Screen[Any], renderable: Any) -> None:
            display(screen, renderable)
            if self.stamp is None and self.showing():
                self.stamp = time.perf_counter()
                self.drawn.set()

        # Textual calls this for every frame; the wrapper only observes.
        app._display = probed  # type: ignore[method-assign]

    async def first_after(
        self, start: float, showing: Callable[[], bool], within: float = 10.0
    ) -> float | None:
        """Seconds from ``start`` to the first frame drawn showing what ``showing`` checks."""
        self.showing, self.stamp = showing, None
        self.drawn.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drawn.wait(), within)
        self.showing = lambda: False
        return None if self.stamp is None else self.stamp - start


def _lines_shown(app: App[Any]) -> Callable[[], bool]:
    """Whether the Queue screen shows its lines (mounted together), laid out."""

    def check() -> bool:
        screen = app.screen
        if not isinstance(screen, QueueScreen):
            return False
        lines = list(screen.query(QueueLine))
        return len(lines) > 1 and all(line.is_mounted and line.region for line in lines)

    return check


def _figures_replaced(app: App[Any], old: QueueFigures) -> Callable[[], bool]:
    """Whether the Queue screen's first line shows other figures than ``old``."""

    def check() -> bool:
        screen = app.screen
        if not isinstance(screen, QueueScreen):
            return False
        lines = list(screen.query(QueueLine))
        return bool(lines) and lines[0].row.figures is not old

    return check


async def _measure(base_url: str, opens: int, updates: int) -> tuple[list[float], list[float]]:
    client = AvalaClient(DEFAULT_API_KEY, base_url)
    # No get-task and no live refresh: the screen and the census are all that work.
    app = make_app(Settings(refresh=0), client, detail_debounce=3600, census=True)
    probe = FrameProbe(app)
    rng = random.Random(7)
    opened: list[float] = []
    updated: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        service = app.dashboard.census
        assert service is not None
        if not await settle(pilot, lambda: service.result is not None, within=120):
            raise RuntimeError("the census did not complete")
        for _ in range(opens):
            await asyncio.sleep(rng.uniform(*_GAP))
            start = time.perf_counter()
            app.post_message(events.Key("H", "H"))
            seconds = await probe.first_after(start, _lines_shown(app))
            if seconds is not None:
                opened.append(seconds)
            await asyncio.sleep(rng.uniform(*_GAP))
            app.post_message(events.Key("escape", None))
            await settle(pilot, lambda: not isinstance(app.screen, QueueScreen))
        app.post_message(events.Key("H", "H"))
        await probe.first_after(time.perf_counter(), _lines_shown(app))
        changed: list[float] = []
        # The app's watcher is called before the screen's: the stamp precedes the redraw.
        app.watch(service, "result", lambda _: changed.append(time.perf_counter()), init=False)
        for _ in range(updates):
            assert service.result is not None
            shown = _figures_replaced(app, service.result.total)
            service.recount()
            # Armed before the walk: the first frame drawn with the new figures is stamped.
            stamp = await probe.first_after(0.0, shown, within=120)
            if stamp is not None and changed:
                updated.append(stamp - changed[-1])
    await client.aclose()
    return opened, updated


def measure(quick: bool) -> list[Result]:
    """Benchmark 7d: opening the Queue screen, and its update when a census walk ends."""
    opens, updates = (8, 2) if quick else (24, 6)
    with server_process(BUSY_LIMIT) as base_url:
        opened, updated = asyncio.run(_measure(base_url, opens, updates))
    open_stat, update_stat = Stat.of(opened), Stat.of(updated)
    worst = max(open_stat.median, update_stat.median)
    return [
        Result(
            "7d",
            "Queue screen: H → frame · a census result → frame, screen open",
            f"{open_stat.format('ms', 1000, 1)} · {update_stat.format('ms', 1000, 1)}",
            f"medians ≤ {GOAL_SECONDS * 1000:.0f} ms",
            verdict(worst <= GOAL_SECONDS),
            "the real dashboard headless at 80x24, its census complete over the demo's "
            "60,840 tasks (9 lines); H posted, then Esc, at random gaps; with the screen "
            "open, each census walk restarted at once (a demo server in its own process, "
            f"limit {BUSY_LIMIT:,}/min) and its new result timed to the rebuilt frame",
        )
    ]
