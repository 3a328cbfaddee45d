"""Benchmark 6: what an idle live monitor costs: bytes to the terminal, and memory over hours.

6. The real ``avala-tui`` runs on an 80x24 pseudo-terminal at the default refresh
   (every 15 s) against a demo API whose data does not change. Once the first page
   is on screen and the start has settled, every byte the app writes to its
   terminal is counted for a window (60 s; 30 s with ``--quick``, scaled to a
   minute). Each refresh re-fetches the first page and finds nothing new, so what
   is written is the monitor's own chatter: the freshness line, and the age of a
   row ("4m ago") when it changes. The demo's world ends two hours before the run
   (a project where nothing happened since); row 6c runs the same with its newest
   tasks minutes old, where every row's age changes each minute.
   Both apps run in a child process started once they have settled, while the
   other benchmarks (but the start-up one) run: idle, they cost those nothing.

6b. A live run, accelerated: the headless dashboard refreshes every 50 ms against a
   demo API whose rate limit is raised to match, while the benchmark flips the
   status of tasks on the first pages between refreshes, so every refresh merges
   real changes. The resident set is read once a few hundred refreshes have filled
   Textual's and rich's bounded caches, and again after hundreds more; rows are
   replaced, never accumulated, so it must not grow.
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import time
from collections.abc import Iterable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from avala_tui.config.settings import DEFAULT_REFRESH_SECONDS
from avala_tui.demo.server import DemoServer
from benchmarks.appkit import SIZE, dashboard, settle
from benchmarks.harness import (
    PtyRun,
    Result,
    console_script,
    pty_process,
    quiet_home,
    verdict,
)
from benchmarks.memory import resident_bytes

GOAL_BYTES_PER_MINUTE: Final = 1024
#: Seconds after the first row before counting starts: the start's own repaints.
_SETTLE: Final = 5.0
#: How long before the run the quiet demo world's newest task was created.
_QUIET_FOR: Final = timedelta(hours=2)
#: Live refresh interval of the accelerated run, and the growth it may show.
_FAST_REFRESH: Final = 0.05
GOAL_GROWTH_BYTES: Final = 2 * 1024 * 1024
_LIST_PATH: Final = "/api/v1/tasks/"


def _count_idle_bytes(window: float) -> dict[str, dict[str, float]]:
    """Run both idle monitors side by side; bytes each wrote in ``window`` seconds."""
    now = datetime.now(UTC)
    worlds = {"quiet": now - _QUIET_FOR, "busy": now}
    with ExitStack() as stack:
        env = stack.enter_context(quiet_home())
        runs: dict[str, PtyRun] = {}
        for label, anchor in worlds.items():
            server = stack.enter_context(DemoServer(anchor=anchor))
            first_name = server.api.tasks(limit=1)[0]["name"]
            argv = [console_script("avala-tui"), "--base-url", server.base_url]
            run = stack.enter_context(
                pty_process(argv, dict(env, AVALA_API_KEY=server.api.api_key))
            )
            if run.wait_for(first_name.encode(), 30.0) is None:
                raise RuntimeError("avala-tui never showed its first row")
            runs[label] = run
        _pump_all(runs.values(), _SETTLE)
        # Started: from now on the apps only idle, and other benchmarks may run beside them.
        print("ready", flush=True)
        before = {label: run.bytes_written for label, run in runs.items()}
        _pump_all(runs.values(), window)
        return {
            label: {"written": run.bytes_written - before[label], "window": window}
            for label, run in runs.items()
        }


def _pump_all(runs: Iterable[PtyRun], seconds: float) -> None:
    """Keep reading every terminal for ``seconds``, so no app ever blocks on a full pty."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        for run in runs:
            run.pump(min(left, 0.1))


class IdleBytes:
    """The idle monitors, counting in a child process while other benchmarks run."""

    def __init__(self, quick: bool) -> None:
        self.window = 30.0 if quick else 60.0
        self._child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.idle", "bytes", str(self.window)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Their start is busy: nothing else is measured until both apps have settled.
        assert self._child.stdout is not None
        if self._child.stdout.readline().strip() != "ready":
            _, err = self._child.communicate(timeout=30)
            raise RuntimeError(f"the idle monitors did not start:\n{err}")

    def results(self) -> list[Result]:
        """Rows 6 and 6c, once the child is done."""
        out, err = self._child.communicate(timeout=self.window + 60)
        if self._child.returncode:
            raise RuntimeError(f"the idle benchmark failed:\n{err}")
        counts = json.loads(out)
        quiet, busy = counts["quiet"], counts["busy"]
        per_minute = quiet["written"] * 60 / quiet["window"]
        busy_per_minute = busy["written"] * 60 / busy["window"]
        refresh = f"{DEFAULT_REFRESH_SECONDS:.0f} s"
        return [
            Result(
                "6",
                f"idle monitor at the default refresh ({refresh}): bytes to the terminal "
                "per minute",
                f"{per_minute:,.0f} bytes/min",
                f"≤ {GOAL_BYTES_PER_MINUTE:,} bytes/min",
                verdict(per_minute <= GOAL_BYTES_PER_MINUTE),
                f"{quiet['written']:,.0f} bytes in {quiet['window']:.0f} s from the real "
                f"avala-tui on an 80x24 pty, counted from {_SETTLE:.0f} s after its first row; "
                "the demo data does not change and its newest task is 2 h old.",
            ),
            Result(
                "6c",
                "the same, newest tasks minutes old (each row's age changes every minute)",
                f"{busy_per_minute:,.0f} bytes/min",
                f"≤ {GOAL_BYTES_PER_MINUTE:,} bytes/min",
                verdict(busy_per_minute <= GOAL_BYTES_PER_MINUTE),
                f"{busy['written']:,.0f} bytes in {busy['window']:.0f} s. A changed age is "
                "written from its own cell (ui/partial_update.py); both 6 and 6c count "
                "during the start's census, whose progress line is shown every 30 s.",
            ),
        ]


async def _live_run(warm_up: int, refreshes: int, budget: float) -> dict[str, Any]:
    # A limit this high keeps the monitor's rate budget from stretching the interval.
    with DemoServer(rate_limit=1_000_000) as server:
        app = dashboard(server, refresh=_FAST_REFRESH)
        api = server.api
        watched = [task["uid"] for task in api.tasks(limit=200)]
        answered = 0

        def list_requests() -> int:
            # The demo shares this process: its log of requests must not grow into the figure.
            nonlocal answered
            answered += sum(1 for record in api.requests if record.path == _LIST_PATH)
            api.clear_requests()
            return answered

        async with app.run_test(size=SIZE) as pilot:
            feed = app.dashboard.task_list.feed
            if not await settle(pilot, lambda: feed.pages_loaded >= 1 and feed.in_flight is None):
                raise RuntimeError("the dashboard did not load its first page")
            flips = 0

            async def run_refreshes(count: int) -> None:
                nonlocal flips
                target = list_requests() + count
                deadline = time.monotonic() + budget
                while list_requests() < target and time.monotonic() < deadline:
                    uid = watched[flips % len(watched)]
                    lap = flips // len(watched)
                    api.set_status(uid, "completed" if lap % 2 == 0 else "pending")
                    flips += 1
                    await pilot.pause(_FAST_REFRESH)

            # Textual's and rich's bounded caches (text widths, rendered lines) fill first.
            await run_refreshes(warm_up)
            gc.collect()
            start_requests, start_bytes = list_requests(), resident_bytes()
            await run_refreshes(refreshes)
            # Stop refreshing before reading the end: the figure is what the run kept.
            app.dashboard.task_list.monitor.paused = True
            await settle(pilot, lambda: not app.workers)
            gc.collect()
            return {
                "warm_up": warm_up,
                "refreshes": list_requests() - start_requests,
                "start": start_bytes,
                "end": resident_bytes(),
                "flips": flips,
            }


def live_memory(quick: bool) -> list[Result]:
    """Row 6b: memory at the start and after an accelerated run of refreshes."""
    warm_up, refreshes = (150, 300) if quick else (300, 700)
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.idle", "live", str(warm_up), str(refreshes)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    figures = json.loads(child.stdout)
    growth = figures["end"] - figures["start"]
    return [
        Result(
            "6b",
            f"live run, accelerated: resident memory after {figures['warm_up']:,} refreshes "
            f"→ after {figures['refreshes']:,} more",
            f"{figures['start'] / 2**20:,.1f} MiB → {figures['end'] / 2**20:,.1f} MiB "
            f"({growth / 2**10:+,.0f} KiB)",
            f"growth ≤ {GOAL_GROWTH_BYTES / 2**20:,.0f} MiB",
            verdict(growth <= GOAL_GROWTH_BYTES),
            f"headless dashboard refreshing every {_FAST_REFRESH * 1000:.0f} ms while "
            f"{figures['flips']:,} status changes were made on its first pages.",
        )
    ]


if __name__ == "__main__":
    if sys.argv[1] == "bytes":
        print(json.dumps(_count_idle_bytes(float(sys.argv[2]))))
    else:
        warm, more = int(sys.argv[2]), int(sys.argv[3])
        print(json.dumps(asyncio.run(_live_run(warm, more, budget=120.0))))
