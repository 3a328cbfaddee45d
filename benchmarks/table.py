"""Benchmarks 2 and 3: what a page of rows and a keypress cost, by rows already loaded.

The real dashboard runs headless at 80x24 against the demo API. Its first page
comes from the demo; the rest of the rows are appended to its store directly
(parsing 100,000 tasks would only slow the setup). Then:

2. a page of 100 parsed tasks is posted the way the fetch worker posts it
   (``TasksPageLoaded``) and timed to the next frame the app produces;
3. a key (down or up, staying clear of the end of the list) is posted and timed
   to the next frame.

Frames are rendered to the bytes a terminal would receive, so that cost counts.
"""

from __future__ import annotations

import asyncio
import time
from typing import Final

from textual import events

from avala_tui.core.feed import PageClaim
from avala_tui.demo.server import DemoServer
from avala_tui.ui.messages import TasksPageLoaded
from benchmarks.appkit import SIZE, FrameClock, dashboard, settle, task_page, task_rows
from benchmarks.harness import Result, Stat, verdict

APPEND_SIZES: Final = (1_000, 10_000, 100_000)
KEY_SIZES: Final = (100, 100_000)
GOAL_APPEND_RATIO: Final = 1.25
GOAL_KEY_RATIO: Final = 1.25
#: Synthetic task numbers start here, clear of anything the demo's first page holds.
_FIRST_SYNTHETIC: Final = 1_000_000


async def _measure(
    server: DemoServer, loaded: int, *, appends: int, presses: int
) -> tuple[list[float], list[float]]:
    """Append and keypress timings with ``loaded`` rows in the table."""
    # No get-task while keys are timed: only the UI is measured.
    app = dashboard(server, detail_debounce=3600)
    clock = FrameClock(app)
    appended: list[float] = []
    pressed: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        feed = app.dashboard.task_list.feed
        if not await settle(pilot, lambda: feed.pages_loaded >= 1 and feed.in_flight is None):
            raise RuntimeError("the dashboard did not load its first page")
        missing = loaded - len(feed.store)
        next_number = _FIRST_SYNTHETIC
        if missing > 0:
            feed.store.append_page(task_rows(next_number, missing))
            next_number += missing
            app.dashboard.table.rows_changed()
        await pilot.pause()
        for _ in range(appends):
            page = task_page(next_number)
            next_number += len(page.items)
            claim = PageClaim(feed.generation, feed.filters, f"bench-{next_number}")
            await pilot.pause()
            start = time.perf_counter()
            # To the pane that handles it, as its fetch worker does (messages bubble up).
            app.dashboard.task_list.post_message(TasksPageLoaded(claim, page))
            seconds = await clock.next_frame_after(start)
            if seconds is not None:
                appended.append(seconds)
        for number in range(presses):
            # Twenty rows down, twenty up: the cursor crosses the screen edge both ways.
            key = "down" if number % 40 < 20 else "up"
            await pilot.pause()
            start = time.perf_counter()
            app.post_message(events.Key(key, None))
            seconds = await clock.next_frame_after(start)
            if seconds is not None:
                pressed.append(seconds)
    return appended, pressed


async def _measure_all(quick: bool) -> tuple[dict[int, Stat], dict[int, Stat]]:
    appends, presses = (8, 20) if quick else (20, 60)
    appended: dict[int, list[float]] = {}
    pressed: dict[int, list[float]] = {}
    sizes = sorted({*APPEND_SIZES, *KEY_SIZES})
    with DemoServer() as server:
        # A warm-up: the first app of a process pays for importing and compiling its CSS.
        await _measure(server, 100, appends=3, presses=3)
        # Small to large, then large to small: whatever warms up or piles up as the
        # process goes on weighs on every size alike.
        for loaded in [*sizes, *reversed(sizes)]:
            page_times, key_times = await _measure(
                server,
                loaded,
                appends=appends if loaded in APPEND_SIZES else 0,
                presses=presses if loaded in KEY_SIZES else 0,
            )
            appended.setdefault(loaded, []).extend(page_times)
            pressed.setdefault(loaded, []).extend(key_times)
    return (
        {loaded: Stat.of(times) for loaded, times in appended.items() if times},
        {loaded: Stat.of(times) for loaded, times in pressed.items() if times},
    )


def measure(quick: bool) -> list[Result]:
    """Benchmarks 2 and 3."""
    appends, keys = asyncio.run(_measure_all(quick))
    results = [
        Result(
            f"2{letter}",
            f"append a page of 100 → frame, {loaded:,} rows loaded",
            appends[loaded].format("ms", 1000, 2),
            "",
            "n/a",
        )
        for letter, loaded in zip("abc", APPEND_SIZES, strict=True)
    ]
    append_ratio = appends[APPEND_SIZES[-1]].median / appends[APPEND_SIZES[0]].median
    results.append(
        Result(
            "2",
            "append cost: 100,000 rows / 1,000 rows",
            f"{append_ratio:.2f}",
            f"≤ {GOAL_APPEND_RATIO}",
            verdict(append_ratio <= GOAL_APPEND_RATIO),
            "The real dashboard headless at 80x24; a parsed page posted as the fetch worker "
            "posts it, timed to the next frame rendered to terminal bytes.",
        )
    )
    results += [
        Result(
            f"3{letter}",
            f"keypress → frame, {loaded:,} rows loaded",
            keys[loaded].format("ms", 1000, 2),
            "",
            "n/a",
        )
        for letter, loaded in zip("ab", KEY_SIZES, strict=True)
    ]
    key_ratio = keys[KEY_SIZES[-1]].median / keys[KEY_SIZES[0]].median
    results.append(
        Result(
            "3",
            "keypress latency: 100,000 rows / 100 rows",
            f"{key_ratio:.2f}",
            f"≤ {GOAL_KEY_RATIO}",
            verdict(key_ratio <= GOAL_KEY_RATIO),
            "down/up posted to the app (detail requests held off), timed to the next frame.",
        )
    )
    return results
