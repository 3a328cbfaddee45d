"""Benchmark 7: a census of the demo's 60,840 tasks under a rate limit, and its memory.

Wall time: the census walks every page of the demo API (pages of 1,000) with the
share of the limit the dashboard gives it beside a default live refresh (15 s, up
to two pages: 8 of 100 requests a minute, leaving the census 22). The demo enforces
the limit per key, as DRF's throttle does. The floor is pages needed ÷ budgeted
requests per minute, less the one request that goes at once; the figure is the wall
time against it. The full run uses the issue's 100 requests a minute (about three
minutes); ``--quick`` uses 600 a minute, the same arithmetic over seconds (not
fewer: a page of 1,000 takes about 0.1 s to serve and parse, so a shorter interval
would measure the CPU instead of the pacing).

Memory: a second walk of the same server, unpaced, under tracemalloc (the server runs
in this process, and the first walk has filled its per-task JSON caches, so they are
not counted as the census's): what the census keeps once done
(its counters: the goal is ≤ 100 bytes per counted task) and its peak while a page
of 1,000 parsed tasks is in hand, both per counted task.
"""

from __future__ import annotations

import asyncio
import math
import time
import tracemalloc
from datetime import UTC, datetime
from typing import Final

from avala_tui.api.client import AvalaClient
from avala_tui.core.census import CENSUS_PAGE_SIZE, Census, census_share, refresh_per_minute
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.server import DemoServer
from benchmarks.harness import Result, verdict

FULL_LIMIT: Final = 100
QUICK_LIMIT: Final = 600
GOAL_BYTES_PER_TASK: Final = 100
#: The wall time may exceed the floor by this much (request time, the timer's slack).
GOAL_OVER_FLOOR: Final = 1.1
#: The dashboard's default refresh: every 15 s, up to two pages.
_REFRESH_SECONDS: Final = 15.0
_REFRESH_PAGES: Final = 2


async def _paced(server: DemoServer, limit: int) -> tuple[float, int, int, float]:
    """Wall seconds, requests, tasks counted and the share used, for a paced census."""
    share = census_share(limit, refresh_per_minute(_REFRESH_SECONDS, _REFRESH_PAGES, limit))
    async with AvalaClient(DEFAULT_API_KEY, server.base_url) as client:
        census = Census(client, now=datetime.now(UTC))
        started = time.monotonic()
        result = await census.run(share=share)
        wall = time.monotonic() - started
        return wall, client.stats.requests, result.counted, share


async def _memory(server: DemoServer) -> tuple[float, float, int]:
    """Bytes per counted task the census keeps, and at its peak, unpaced."""
    async with AvalaClient(DEFAULT_API_KEY, server.base_url) as client:
        tracemalloc.start()
        try:
            census = Census(client, now=datetime.now(UTC))
            baseline, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            await census.run(share=math.inf)
            kept, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        counted = census.counted
        return (kept - baseline) / counted, (peak - baseline) / counted, counted


def measure(quick: bool) -> list[Result]:
    """Run the census twice against a demo API of its own."""
    limit = QUICK_LIMIT if quick else FULL_LIMIT
    with DemoServer(rate_limit=limit) as server:
        wall, requests, counted, share = asyncio.run(_paced(server, limit))
        server.api.rate_limit = None
        kept, peak, _ = asyncio.run(_memory(server))
    pages = math.ceil(counted / CENSUS_PAGE_SIZE)
    per_minute = share * limit
    floor = (pages - 1) / per_minute * 60
    shortened = "" if not quick else f" (shortened: {limit:,}/min instead of {FULL_LIMIT}/min)"
    return [
        Result(
            "7",
            f"census of {counted:,} tasks at {limit:,} requests/min{shortened}",
            f"{wall:,.1f} s, {requests} requests; floor {floor:,.1f} s "
            f"({wall / floor:.2f}× the floor)",
            f"≤ {GOAL_OVER_FLOOR}× the floor",
            verdict(wall <= GOAL_OVER_FLOOR * floor and requests == pages),
            f"{pages} pages of {CENSUS_PAGE_SIZE:,}; the census's share {share:.0%} of the "
            f"limit ({per_minute:,.0f}/min) beside a 15 s refresh of up to 2 pages; the first "
            "request goes at once, so the floor counts pages − 1 intervals",
        ),
        Result(
            "7b",
            "census memory per counted task",
            f"{kept:,.2f} B kept; {peak:,.0f} B at the peak",
            f"≤ {GOAL_BYTES_PER_TASK} B kept",
            verdict(kept <= GOAL_BYTES_PER_TASK),
            "tracemalloc over an unpaced walk: kept = the census's counters after the walk; "
            "peak = while one page of 1,000 parsed tasks (and its JSON) is in hand",
        ),
    ]
