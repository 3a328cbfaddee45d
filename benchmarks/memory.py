"""Benchmark 4: resident memory added per loaded task, at 100,000 tasks.

Runs in a child process of its own, so nothing else the benchmarks allocated is
counted. The real dashboard runs headless against the demo API; once its first
page is on screen the resident set size is read, then 100,000 tasks arrive the
way the fetch worker delivers them (pages of 100 parsed ``Task`` records,
posted as ``TasksPageLoaded``), and the resident set is read again after a full
garbage collection. The difference, divided by the tasks added, is the figure:
everything the store, the table, the sidebar's counts and the allocator keep.
The child also counts the parsed ``Task`` objects still alive: the app must keep
none of them once their rows are in the store.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
from typing import Any, Final

from avala_tui.api.models import Task
from avala_tui.core.feed import PageClaim
from avala_tui.demo.server import DemoServer
from avala_tui.ui.messages import TasksPageLoaded
from benchmarks.appkit import SIZE, dashboard, settle, task_page
from benchmarks.harness import Result, Stat, verdict

TASKS: Final = 100_000
GOAL_BYTES_PER_TASK: Final = 1024
#: Pages posted before the app is given time to take them in.
_BATCH: Final = 10
_FIRST_SYNTHETIC: Final = 1_000_000


def resident_bytes() -> int:
    """This process's resident set size (Linux)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def live_tasks() -> int:
    """How many parsed ``Task`` objects are alive."""
    return sum(1 for thing in gc.get_objects() if isinstance(thing, Task))


async def _load(tasks: int) -> dict[str, Any]:
    with DemoServer() as server:
        app = dashboard(server, detail_debounce=3600)
        async with app.run_test(size=SIZE) as pilot:
            feed = app.dashboard.task_list.feed
            if not await settle(pilot, lambda: feed.pages_loaded >= 1 and feed.in_flight is None):
                raise RuntimeError("the dashboard did not load its first page")
            gc.collect()
            before = resident_bytes()
            rows_before = len(feed.store)
            number = _FIRST_SYNTHETIC
            while number < _FIRST_SYNTHETIC + tasks:
                for _ in range(_BATCH):
                    page = task_page(number)
                    number += len(page.items)
                    claim = PageClaim(feed.generation, feed.filters, f"bench-{number}")
                    # To the pane that handles it, as its fetch worker does (messages bubble up).
                    app.dashboard.task_list.post_message(TasksPageLoaded(claim, page))
                    del page
                await pilot.pause()
            await settle(pilot, lambda: len(feed.store) >= rows_before + tasks)
            await pilot.pause()
            gc.collect()
            after = resident_bytes()
            return {
                "added": len(feed.store) - rows_before,
                "bytes": after - before,
                "live_tasks": live_tasks(),
            }


def measure(quick: bool) -> list[Result]:
    """Benchmark 4, each run in a fresh child process."""
    runs = 1 if quick else 3
    samples: list[float] = []
    kept = 0
    for _ in range(runs):
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.memory"],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        figures = json.loads(child.stdout)
        samples.append(figures["bytes"] / figures["added"])
        kept = max(kept, figures["live_tasks"])
    stat = Stat.of(samples)
    return [
        Result(
            "4",
            f"resident memory per loaded task, {TASKS:,} tasks",
            stat.format("bytes", digits=0),
            f"≤ {GOAL_BYTES_PER_TASK:,} bytes",
            verdict(stat.median <= GOAL_BYTES_PER_TASK and kept == 0),
            f"RSS growth of the headless dashboard (fresh process) while {TASKS:,} parsed tasks "
            f"arrive as pages of 100, after gc; parsed Task objects still alive: {kept}.",
        )
    ]


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_load(TASKS))))
