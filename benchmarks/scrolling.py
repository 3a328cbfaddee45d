"""Benchmark 5: requests made while scrolling, duplicates, and pages fetched but never shown.

The real dashboard runs headless at 80x24 against the demo API (50 ms added to
every request). The pilot presses PageDown, at a held key's repeat rate of 30 a
second, until the given number of rows has been on screen, then holds j for a few
hundred rows more. Every request the demo
answered is counted: list requests per 1,000 rows viewed (100 per page is the
least possible), any list request sent twice with the same query, and pages
fetched beyond those needed to show the rows viewed (the table asks for the next
page when the cursor or the view comes within a screen of the end, so one page
of look-ahead is expected and more is waste).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from typing import Final

from textual import events

from avala_tui.core.feed import PAGE_SIZE
from avala_tui.demo.server import DemoServer
from benchmarks.appkit import SIZE, dashboard, settle
from benchmarks.harness import Result, verdict

LATENCY: Final = 0.05
_LIST_PATH: Final = "/api/v1/tasks/"
#: Presses of j after the PageDowns.
_HELD_J: Final = 250
#: Seconds between the repeats of a held key.
_KEY_REPEAT: Final = 1 / 30


async def _scroll(rows: int) -> dict[str, int]:
    with DemoServer(latency=LATENCY) as server:
        server.api.clear_requests()
        app = dashboard(server)
        async with app.run_test(size=SIZE) as pilot:
            feed, table = app.dashboard.task_list.feed, app.dashboard.table
            if not await settle(pilot, lambda: feed.pages_loaded >= 1 and feed.in_flight is None):
                raise RuntimeError("the dashboard did not load its first page")
            viewed = 0

            def note_viewed() -> None:
                nonlocal viewed
                bottom = int(table.scroll_offset.y) + table.size.height - 1
                viewed = max(viewed, min(bottom, len(feed.store)))

            keys = ["pagedown"] * (rows // 10 + 50) + ["j"] * _HELD_J
            next_press = time.monotonic()
            for key in keys:
                if key == "pagedown" and viewed >= rows:
                    continue
                # A held key repeats about 30 times a second, whether or not the app keeps up.
                await asyncio.sleep(max(0.0, next_press - time.monotonic()))
                next_press = time.monotonic() + _KEY_REPEAT
                # As a terminal delivers keys: posted, never waiting for the app to go idle.
                app.post_message(events.Key(key, key if len(key) == 1 else None))
                note_viewed()
            await settle(pilot, lambda: feed.in_flight is None)
            note_viewed()
            # The key is let go: the row the cursor rests on is fetched in full.
            await pilot.pause(0.5)
        records = server.api.requests
    queries = Counter(
        tuple(sorted(record.query.items())) for record in records if record.path == _LIST_PATH
    )
    fetched = sum(queries.values())
    return {
        "viewed": viewed,
        "list_requests": fetched,
        "duplicates": sum(count - 1 for count in queries.values()),
        "unseen_pages": fetched - math.ceil(viewed / PAGE_SIZE),
        "detail_requests": sum(
            1
            for record in records
            if record.path.startswith(_LIST_PATH) and record.path != _LIST_PATH
        ),
        "other_requests": sum(1 for record in records if not record.path.startswith(_LIST_PATH)),
    }


def measure(quick: bool) -> list[Result]:
    """Benchmark 5."""
    rows = 1_000 if quick else 3_000
    figures = asyncio.run(_scroll(rows))
    viewed = figures["viewed"]
    per_thousand = figures["list_requests"] * 1000 / viewed
    passed = figures["duplicates"] == 0 and figures["unseen_pages"] <= 1
    return [
        Result(
            "5",
            f"scrolling {viewed:,} rows (PageDown, then j held): list requests per 1,000 rows "
            "viewed · duplicates · pages fetched, never shown",
            f"{per_thousand:.1f} · {figures['duplicates']} · {figures['unseen_pages']}",
            "0 duplicates, ≤ 1 page ahead",
            verdict(passed),
            f"{figures['list_requests']} list requests for {viewed:,} rows viewed "
            f"(pages of {PAGE_SIZE}); besides them {figures['detail_requests']} get-task "
            f"requests (the row the cursor rested on) and {figures['other_requests']} "
            f"project requests; the demo API added {LATENCY * 1000:.0f} ms to each.",
        )
    ]
