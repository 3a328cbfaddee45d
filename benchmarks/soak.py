"""Soak: the real dashboard against a demo API that fails a fifth of its answers, for minutes.

The app runs headless as the CLI builds it (live refresh every ``--refresh`` seconds)
against a demo API with random faults (429, 5xx, proxy HTML pages, cut-off bodies,
slow answers, connection resets) while its world changes (new tasks, completed
ones). A bounded loop plays a lead: paging down, jumping to the end and back,
switching filters, pressing r when an error shows or waiting for the app to recover
by itself. Then the faults stop, the list is reloaded and paged as deep as it went,
and every row is compared with what the server holds.

The time is split between two legs: the client's retries as the app ships them
(2 per request, which absorb nearly every fault) and no retries at all, so that
every fault reaches the screen and the app's own recovery is exercised.

    python -m benchmarks.soak --seconds 180
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from textual.pilot import Pilot

from avala_tui.api.client import AvalaClient
from avala_tui.config.settings import Settings
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.faults import Fault, InjectedFault
from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp, make_app
from avala_tui.ui.widgets.task_table import TaskTable
from benchmarks.appkit import SIZE, settle
from benchmarks.harness import Result, markdown_table, verdict

DEFAULT_SECONDS: Final = 180.0
DEFAULT_FAULT_RATE: Final = 0.2
DEFAULT_REFRESH: Final = 2.0
#: The client's retries in each leg: as the app ships, then none.
LEGS: Final = (2, 0)
#: The demo world changes (tasks created, completed) this often during the soak.
LIVE_EVERY: Final = 3.0
#: Pause after each of the lead's actions, so the app works between them.
STEP_PAUSE: Final = 0.25
#: The final comparison reloads at most this many pages.
MAX_COMPARED_PAGES: Final = 30
#: Bounds on the final, fault-free phase.
SETTLE_TIMEOUT: Final = 60.0


@dataclass
class SoakFigures:
    """What happened during a soak."""

    seconds: float = 0.0
    actions: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    #: Times the app went from online to an error state, and came back.
    errors_shown: int = 0
    recoveries: int = 0
    #: Recoveries that needed the user's r.
    recovered_by_r: int = 0
    requests: int = 0
    retries: int = 0
    live_changes: int = 0
    compared_rows: int = 0
    compared_filter: str = ""
    mismatches: list[str] = field(default_factory=list)
    crashed: str | None = None


def _count_faults(server: DemoServer, figures: SoakFigures) -> None:
    draw = server.api.faults.draw

    def counting_draw(path: str) -> InjectedFault | None:
        fault = draw(path)
        if fault is not None:
            figures.faults[Fault(fault.kind).name.lower()] += 1
        return fault

    # Observes only: every decision stays the injector's own.
    server.api.faults.draw = counting_draw  # type: ignore[method-assign]


class HealthWatch:
    """Counts the app's error states, and whether each ended by itself or after an r."""

    def __init__(self, app: AvalaApp, figures: SoakFigures) -> None:
        self._figures = figures
        self._online = True
        self._r_pressed = False
        app.watch(app, "connection", self._changed, init=False)

    def pressed_r(self) -> None:
        """The lead pressed r."""
        self._r_pressed = True

    def _changed(self, connection: str) -> None:
        figures = self._figures
        if self._online and connection not in ("online", "connecting"):
            figures.errors_shown += 1
            self._online, self._r_pressed = False, False
        elif not self._online and connection == "online":
            figures.recoveries += 1
            figures.recovered_by_r += self._r_pressed
            self._online = True


def _uids_and_statuses(app: AvalaApp) -> list[tuple[str, str | None]]:
    return [(row.uid, row.status) for row in app.query_one(TaskTable).rows]


async def _lead(
    app: AvalaApp, pilot: Pilot[int], server: DemoServer, figures: SoakFigures, seconds: float
) -> int:
    """Play a lead for ``seconds``; return the deepest page count reached."""
    rng = random.Random(7)
    projects = [None, *(project["uid"] for project in server.api.projects[:4])]
    statuses = [None, "pending", "completed"]
    deepest = 1
    next_live = time.monotonic() + LIVE_EVERY
    deadline = time.monotonic() + seconds
    health = HealthWatch(app, figures)
    while time.monotonic() < deadline:
        if time.monotonic() >= next_live:
            server.api.live_step()
            figures.live_changes += 1
            next_live += LIVE_EVERY
        if (
            app.dashboard.task_list.monitor.connection not in ("online", "connecting")
            and rng.random() < 0.5
        ):
            action = "r"
            health.pressed_r()
        else:
            action = rng.choices(
                ["end", "pagedown", "j", "k", "home", "filter", "wait"],
                weights=[6, 6, 8, 3, 1, 1, 4],
            )[0]
        figures.actions[action] += 1
        if action == "filter":
            app.dashboard.apply_filters(project=rng.choice(projects), status=rng.choice(statuses))
        elif action != "wait":
            await pilot.press(action)
        await pilot.pause(STEP_PAUSE)
        deepest = max(deepest, app.dashboard.task_list.feed.pages_loaded)
    return deepest


async def _compare(app: AvalaApp, pilot: Pilot[int], server: DemoServer, pages: int) -> list[str]:
    """Reload, page ``pages`` deep without faults, and list every row unlike the server's."""
    await pilot.press("r")
    feed = app.dashboard.task_list.feed
    for _ in range(min(pages, MAX_COMPARED_PAGES)):
        if not await settle(pilot, lambda: feed.in_flight is None, SETTLE_TIMEOUT):
            return ["the list did not settle without faults"]
        if feed.exhausted:
            break
        await pilot.press("end")
    await settle(pilot, lambda: feed.in_flight is None, SETTLE_TIMEOUT)
    shown = _uids_and_statuses(app)
    filters = feed.filters
    expected = [
        (task["uid"], task["status"])
        for task in server.api.tasks(filters.project, filters.status, limit=len(shown))
    ]
    return [
        f"row {number}: shown {got}, server {want}"
        for number, (got, want) in enumerate(zip(shown, expected, strict=False))
        if got != want
    ] + ([f"{len(shown)} rows shown, server has {len(expected)}"] * (len(shown) != len(expected)))


async def soak(seconds: float, fault_rate: float, refresh: float, retries: int) -> SoakFigures:
    """Run one leg of the soak and gather its figures."""
    figures = SoakFigures()
    with DemoServer(faults=fault_rate) as server:
        _count_faults(server, figures)
        client = AvalaClient(DEFAULT_API_KEY, server.base_url, max_retries=retries)
        app = make_app(Settings(refresh=refresh), client)
        started = time.monotonic()
        try:
            async with app.run_test(size=SIZE) as pilot:
                pages = await _lead(app, pilot, server, figures, seconds)
                # The faults pass; what is on screen must now be exactly what the server holds.
                server.api.faults.rate = 0.0
                server.api.faults.clear()
                figures.mismatches = await _compare(app, pilot, server, pages)
                figures.compared_rows = len(app.query_one(TaskTable).rows)
                filters = app.dashboard.task_list.feed.filters
                figures.compared_filter = (
                    f"project={filters.project or 'all'}, status={filters.status or 'all'}"
                )
                figures.requests = app.client.stats.requests
                figures.retries = app.client.stats.retries
        except Exception as error:  # the figure this benchmark exists for: any crash
            figures.crashed = f"{type(error).__name__}: {error}"
        figures.seconds = time.monotonic() - started
    return figures


def leg_results(seconds: float, fault_rate: float, refresh: float, retries: int) -> list[Result]:
    """One leg's rows for the benchmark table."""
    figures = asyncio.run(soak(seconds, fault_rate, refresh, retries))
    leg = f"{retries} retries"
    faults = sum(figures.faults.values())
    kinds = ", ".join(f"{kind} {count}" for kind, count in figures.faults.most_common())
    actions = ", ".join(f"{name} {count}" for name, count in figures.actions.most_common())
    survived = figures.crashed is None
    return [
        Result(
            f"S{retries}a",
            f"soak, {leg}, {figures.seconds:,.0f} s at {fault_rate:.0%} faults: faults survived",
            f"{faults:,} faults, {'no crash' if survived else 'CRASHED: ' + str(figures.crashed)}",
            "no crash",
            verdict(survived),
            f"{kinds}. The lead's actions: {actions}; {figures.live_changes} live changes "
            f"of the demo world; live refresh every {refresh:g} s.",
        ),
        Result(
            f"S{retries}b",
            f"soak, {leg}: requests, the client's retries, error states shown",
            f"{figures.requests:,} requests, {figures.retries:,} retries, "
            f"{figures.errors_shown} error state(s) shown, {figures.recoveries} recovered "
            f"({figures.recovered_by_r} after r, the rest by themselves)",
            "every error state recovered",
            verdict(survived and figures.recoveries >= figures.errors_shown),
            "An error state is the header's connection leaving 'online'; a recovery its return.",
        ),
        Result(
            f"S{retries}c",
            f"soak, {leg}: final rows equal the server's (faults off, reload, paged as deep)",
            f"{figures.compared_rows:,} rows compared, {len(figures.mismatches)} differ",
            "0 differ",
            verdict(survived and figures.compared_rows > 0 and not figures.mismatches),
            f"filter {figures.compared_filter}"
            + (f"; first difference: {figures.mismatches[0]}" if figures.mismatches else ""),
        ),
    ]


def soak_results(seconds: float, fault_rate: float, refresh: float) -> list[Result]:
    """Every leg's rows, the time split evenly between them."""
    return [
        result
        for retries in LEGS
        for result in leg_results(seconds / len(LEGS), fault_rate, refresh, retries)
    ]


def main() -> None:
    """Run the soak from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=DEFAULT_SECONDS, help="soak length, all legs together"
    )
    parser.add_argument("--faults", type=float, default=DEFAULT_FAULT_RATE, help="fault rate")
    parser.add_argument("--refresh", type=float, default=DEFAULT_REFRESH, help="refresh seconds")
    args = parser.parse_args()
    print(markdown_table(soak_results(args.seconds, args.faults, args.refresh)))


if __name__ == "__main__":
    main()
