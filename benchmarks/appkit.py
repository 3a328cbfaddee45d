"""Driving the real dashboard headless: synthetic tasks, frame timing, bounded waits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from avala_tui.api.client import AvalaClient
from avala_tui.api.models import Page, Task
from avala_tui.config.settings import Settings
from avala_tui.core.store import TaskRow
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp, make_app

#: The terminal the headless benchmarks render for.
SIZE: Final = (80, 24)
_EPOCH: Final = datetime(2025, 3, 1, 12, tzinfo=UTC)
_TYPES: Final = ("image-annotation", "video-annotation", "point-cloud-annotation")
_STATUSES: Final = ("pending", "completed")
_PROJECTS: Final = tuple(f"24ac5699-tf0b-a4gf-ab1f-{number:012d}" for number in range(8))


def task_dict(number: int) -> dict[str, Any]:
    """A task as the API sends it; every uid and name is unique, like a real project's."""
    created = (_EPOCH - timedelta(seconds=37 * number)).isoformat().replace("+00:00", "Z")
    return {
        "uid": f"990c1800-i62f-85h8-e150-{number:012d}",
        "type": _TYPES[number % len(_TYPES)],
        "name": f"frame_{number:07d}_cam_front",
        "status": _STATUSES[number % 7 == 0],
        "project": _PROJECTS[number % len(_PROJECTS)],
        "created_at": created,
        "updated_at": created,
    }


def task_page(start: int, count: int = 100) -> Page[Task]:
    """A page of tasks parsed the way the client parses them."""
    items = [Task.read(task_dict(number)) for number in range(start, start + count)]
    return Page[Task](items=items, next_cursor=f"bench-{start + count}")


def task_rows(start: int, count: int) -> Iterator[TaskRow]:
    """Rows as the store keeps them, without the cost of parsing (for bulk loading)."""
    for number in range(start, start + count):
        data = task_dict(number)
        created = datetime.fromisoformat(data["created_at"]).timestamp()
        yield TaskRow(
            uid=data["uid"],
            name=data["name"],
            type=data["type"],
            status=data["status"],
            project=data["project"],
            created=created,
            updated=created,
        )


def dashboard(
    server: DemoServer, *, detail_debounce: float | None = None, **settings: Any
) -> AvalaApp:
    """The dashboard as the CLI builds it, against ``server`` (no live refresh unless asked)."""
    settings.setdefault("refresh", 0)
    client = AvalaClient(DEFAULT_API_KEY, server.base_url)
    if detail_debounce is None:
        return make_app(Settings(**settings), client)
    return make_app(Settings(**settings), client, detail_debounce=detail_debounce)


class FrameClock:
    """Records when the app produced each frame, and how many bytes it would write.

    Headless apps render frames but skip writing them; the clock renders each to
    the escape sequences a terminal would receive, so that cost is counted too.
    """

    def __init__(self, app: App[Any]) -> None:
        self.frames: list[tuple[float, int]] = []
        display = app._display

        def timed_display(screen: Screen[Any], renderable: Any) -> None:
            render_segments = getattr(renderable, "render_segments", None)
            if render_segments is not None:
                written = render_segments(app.console)
                self.frames.append((time.perf_counter(), len(written.encode())))
            display(screen, renderable)

        # Textual calls this for every frame; the wrapper only observes.
        app._display = timed_display  # type: ignore[method-assign]

    async def next_frame_after(self, start: float, within: float = 5.0) -> float | None:
        """Seconds from ``start`` to the first frame produced after it; None after ``within``."""
        deadline = start + within
        while time.perf_counter() < deadline:
            if self.frames and self.frames[-1][0] >= start:
                return next(when for when, _ in self.frames if when >= start) - start
            # Yield to the app's tasks without sleeping: a sleep would round the figure up.
            await asyncio.sleep(0)
        return None


async def settle(pilot: Pilot[Any], condition: Callable[[], bool], within: float = 10.0) -> bool:
    """Let the app run until ``condition`` holds; False if it did not ``within`` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        await pilot.pause(0.01)
    await pilot.pause()
    return True
