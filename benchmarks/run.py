"""Run every benchmark, print the results table and write it to benchmarks/RESULTS.md.

    python -m benchmarks            # the full run, about five minutes
    python -m benchmarks --quick    # fewer repetitions, about two minutes
    python -m benchmarks --only 1,5 # some of them (1 startup, 2-3 table, 4 memory,
                                    # 5 scrolling, 6 idle monitor, 7 census, 7c keys
                                    # while the census walks, 7d the Queue screen);
                                    # RESULTS.md is kept

Timing figures depend on the machine and on what else it runs: each is a median
of several runs with its range, and the goals are ratios wherever a ratio says
what matters (our start against the official CLI's, 100,000 rows against 1,000).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import textual

from benchmarks import census, idle, memory, queue_screen, scrolling, startup, table
from benchmarks.harness import Result, markdown_table

RESULTS: Path = Path(__file__).with_name("RESULTS.md")
ALL: tuple[str, ...] = ("1", "2", "4", "5", "6", "7", "7c", "7d")

#: Each benchmark by its number (2 also runs 3: they share their setup).
BENCHMARKS: dict[str, Callable[[bool], list[Result]]] = {
    "1": startup.measure,
    "2": table.measure,
    "4": memory.measure,
    "5": scrolling.measure,
    "7": census.measure,
    "7c": census.measure_keys,
    "7d": queue_screen.measure,
}


def _machine() -> str:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"Python {platform.python_version()}, Textual {textual.__version__}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average at the end {load}"
    )


def run(chosen: Sequence[str], quick: bool) -> list[Result]:
    """Run the chosen benchmarks, printing each group's rows as it finishes."""
    results: list[Result] = []
    idle_bytes: idle.IdleBytes | None = None
    for number in chosen:
        if number == "6":
            continue
        if idle_bytes is None and "6" in chosen and number != "1":
            # The idle monitors only wait, so they count their bytes while the others run
            # (all but the start-up benchmark, which their own start would disturb).
            idle_bytes = idle.IdleBytes(quick)
        started = time.monotonic()
        rows = BENCHMARKS[number](quick)
        print(markdown_table(rows), f"\n({time.monotonic() - started:.0f} s)\n", flush=True)
        results += rows
    if "6" in chosen:
        idle_bytes = idle_bytes or idle.IdleBytes(quick)
        rows = sorted(idle.live_memory(quick) + idle_bytes.results(), key=lambda row: row.key)
        print(markdown_table(rows), "\n", flush=True)
        results += rows
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks``; 1 when a goal was missed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--only", metavar="N,N", help=f"comma-separated benchmark numbers from {','.join(ALL)}"
    )
    args = parser.parse_args(argv)
    chosen = ALL if args.only is None else tuple(args.only.replace(" ", "").split(","))
    unknown = [number for number in chosen if number not in ALL]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(ALL)}")
    started = time.monotonic()
    results = run(chosen, args.quick)
    table_text = markdown_table(results)
    elapsed = time.monotonic() - started
    print(f"\n{table_text}\n\n{len(results)} rows in {elapsed:.0f} s")
    if args.only is None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        mode = "quick run" if args.quick else "full run"
        RESULTS.write_text(
            f"# Benchmark results\n\n"
            f"`python -m benchmarks{' --quick' if args.quick else ''}` ({mode}, "
            f"{elapsed:.0f} s), {stamp}. {_machine()}.\n"
            f"How each figure is measured, and what the profiles showed: "
            f"[README.md](README.md).\n\n{table_text}\n",
            encoding="utf-8",
        )
        print(f"written to {RESULTS}")
    return 0 if all(result.verdict != "FAIL" for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
