"""Benchmark 1: process start to the first task row on screen, against the official CLI.

Both programs run on an 80x24 pseudo-terminal against the demo API on loopback with
250 ms added to every request (a remote API over TLS, seen from an SSH box). The
clock starts just before the process is spawned and stops when the first task's
name appears in what the program wrote to its terminal. To make that name unique,
the benchmark adds a task with a name found nowhere else, newest of all, so it is
the first row of the first page for both programs.

The floor (row 1c) is an empty Textual app (``benchmarks/floor.py``) that draws that
name in its first frame, spawned by the same interpreter on the same terminal, in
turn with the other two: what Textual alone costs before any frame on this machine.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from avala_tui.demo.server import DemoServer
from benchmarks.harness import (
    Result,
    Stat,
    console_script,
    pty_process,
    quiet_home,
    verdict,
)

#: Seconds added to every request by the demo API.
LATENCY: Final = 0.25
#: The name of the newest task: short enough that neither program truncates it.
FIRST_TASK_NAME: Final = "Q7FIRST"
GOAL_RATIO: Final = 0.75
#: A run that has not shown the row by then has failed.
TIMEOUT: Final = 20.0


def first_row_seconds(argv: Sequence[str], env: Mapping[str, str]) -> float | None:
    """Seconds from spawning ``argv`` to the first task's name on its terminal."""
    with pty_process(argv, env) as run:
        return run.wait_for(FIRST_TASK_NAME.encode(), TIMEOUT)


def measure(quick: bool) -> list[Result]:
    """Time both programs, alternating runs so that a busy machine slows both alike."""
    runs = 3 if quick else 9
    with DemoServer(latency=LATENCY) as server, quiet_home() as env:
        project = server.api.projects[0]["uid"]
        server.api.add_task(project, name=FIRST_TASK_NAME)
        env = dict(env, AVALA_API_KEY=server.api.api_key)
        tui = [console_script("avala-tui"), "--base-url", server.base_url]
        cli_env = dict(env, AVALA_BASE_URL=server.base_url, AVALA_ALLOW_INSECURE_BASE_URL="true")
        cli = [console_script("avala"), "tasks", "list"]
        floor_app = [sys.executable, str(Path(__file__).with_name("floor.py"))]
        # One unrecorded run of each: the first start of a process reads its files from disk.
        first_row_seconds(tui, env)
        first_row_seconds(cli, cli_env)
        first_row_seconds(floor_app, env)
        ours: list[float] = []
        theirs: list[float] = []
        floor: list[float] = []
        programs = ((tui, env, ours), (cli, cli_env, theirs), (floor_app, env, floor))
        for _ in range(runs):
            for argv, run_env, samples in programs:
                seconds = first_row_seconds(argv, run_env)
                if seconds is not None:
                    samples.append(seconds)
    if not ours or not theirs:
        missing = "avala-tui" if not ours else "avala tasks list"
        return [
            Result(
                "1",
                "first page on screen",
                f"{missing} never showed the first row",
                f"ratio ≤ {GOAL_RATIO}",
                "FAIL",
            )
        ]
    tui_stat, cli_stat = Stat.of(ours), Stat.of(theirs)
    ratio = tui_stat.median / cli_stat.median
    floor_rows: list[Result] = []
    if floor:
        floor_stat = Stat.of(floor)
        floor_rows = [
            Result(
                "1c",
                "first page on screen: the floor, an empty Textual app's first frame",
                f"{floor_stat.format('ms', 1000, 0)}; {floor_stat.median / cli_stat.median:.2f}"
                " of the official CLI",
                "",
                "n/a",
                "`benchmarks/floor.py` (one label, no network) on the same pty, in turn "
                "with 1a and 1b: Textual's own start on this machine.",
            )
        ]
    return [
        Result(
            "1a",
            "first page on screen: `avala-tui` (start → first row)",
            tui_stat.format("ms", 1000, 0),
            "",
            "n/a",
        ),
        Result(
            "1b",
            "first page on screen: official `avala tasks list`",
            cli_stat.format("ms", 1000, 0),
            "",
            "n/a",
        ),
        Result(
            "1",
            "first page on screen: ratio avala-tui / official CLI",
            f"{ratio:.2f}",
            f"≤ {GOAL_RATIO}",
            verdict(ratio <= GOAL_RATIO),
            f"80x24 pty, {LATENCY * 1000:.0f} ms added to every request of the demo API; "
            "median of each program's runs, alternated.",
        ),
        *floor_rows,
    ]
