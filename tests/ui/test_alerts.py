"""Alerts in the dashboard: the bytes they write to the terminal, the toast, the command.

``new`` and ``offline`` are driven through the real dashboard against a demo server of
the test's own (arrivals made on it; the server stopped and started again), with the
alerts' clock moved by the test, so a minute passes in an instant and no assertion
depends on how fast the machine is.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from textual.drivers.headless_driver import HeadlessDriver

from avala_tui.config.settings import SettingsError, load_settings
from avala_tui.demo.data import MEDIUM_PROJECT, SMALL_PROJECT
from avala_tui.demo.server import DemoServer
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import TASKS_PATH, settle, wait_until


def _capture(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the app writes to its (headless) terminal from the start, as written."""
    written: list[str] = []

    def write(self: HeadlessDriver, data: str) -> None:
        written.append(data)

    monkeypatch.setattr(HeadlessDriver, "write", write)
    return written


async def test_pending_over_rings_notifies_and_toasts(
    make_dashboard: MakeDashboard, demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    written = _capture(monkeypatch)
    app = make_dashboard(notify="pending-over=10")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.dashboard.action_reload()
        await settle(pilot)
        pending = app.dashboard.task_list.pending_count()
        assert pending is not None and pending > 10
        message = f"avala-tui: {pending:,} pending (over 10)"
        alerts = [chunk for chunk in written if "\x1b]9;" in chunk]
        # Once: the count stayed over the limit, and a minute has not passed.
        assert alerts == [f"\x07\x1b]9;{message}\x07"]
        assert [n.message for n in app._notifications] == [message]


async def test_inside_tmux_the_notification_is_wrapped_and_the_command_runs(
    make_dashboard: MakeDashboard,
    demo: DemoServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    out = tmp_path / "said"
    script = tmp_path / "page-me"
    script.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {out}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    written = _capture(monkeypatch)
    app = make_dashboard(notify="pending-over=5", notify_command=str(script))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await wait_until(pilot, out.exists)
        alerts = [chunk for chunk in written if "9;" in chunk]
        assert len(alerts) == 1
        assert alerts[0].startswith("\x07\x1bPtmux;\x1b\x1b]9;avala-tui: ")
        assert alerts[0].endswith("\x07\x1b\\")
        assert out.read_text().startswith("avala-tui: ")


class ManualClock:
    """The alerts' monotonic clock, moved by the test: minutes pass in an instant."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _alerts(written: list[str]) -> list[str]:
    """The alerts written so far (bell + OSC 9, plain or wrapped for tmux), in order."""
    return [chunk for chunk in written if "]9;" in chunk]


def _list_calls(server: DemoServer) -> int:
    return sum(1 for record in server.api.requests if record.path == TASKS_PATH)


async def test_new_arrivals_in_the_view_ring_at_most_once_a_minute(
    make_dashboard: MakeDashboard, own_demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    written = _capture(monkeypatch)
    clock = ManualClock()
    api = own_demo.api
    # A limit announced so high that the monitor's budget lets it refresh every 0.2 s.
    api.rate_limit = 100_000
    watched = api.project_uid(SMALL_PROJECT)
    app = make_dashboard(
        base_url=own_demo.base_url,
        project=watched,
        notify="new",
        refresh=0.2,
        app_options={"alert_clock": clock},
    )

    async def refreshed(times: int = 2) -> None:
        # A refresh is a list request answered; two more mean one was merged since.
        seen = _list_calls(own_demo)
        await wait_until(pilot, lambda: _list_calls(own_demo) >= seen + times, within=10)
        await pilot.pause()

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await refreshed()
        assert _alerts(written) == []

        # An arrival outside the current view is not "new in the view".
        api.add_task(api.project_uid(MEDIUM_PROJECT), name="elsewhere")
        await refreshed()
        assert _alerts(written) == []

        api.add_task(watched, name="arrival-1")
        await wait_until(pilot, lambda: _alerts(written), within=10)
        message = "avala-tui: 1 new task"
        assert _alerts(written) == [f"\x07\x1b]9;{message}\x07"]
        assert [n.message for n in app._notifications] == [message]

        # Half a minute later two more arrive: seen, but the bell waits for the minute.
        clock.now += 30
        api.add_task(watched, name="arrival-2")
        api.add_task(watched, name="arrival-3")
        await wait_until(pilot, lambda: app.dashboard.task_list.changes.new == 3, within=10)
        await refreshed()
        assert len(_alerts(written)) == 1

        # The minute is over: the next refresh says what the bell held back, once.
        clock.now += 31
        await wait_until(pilot, lambda: len(_alerts(written)) == 2, within=10)
        assert _alerts(written)[1] == "\x07\x1b]9;avala-tui: 2 new tasks\x07"
        await refreshed()
        assert len(_alerts(written)) == 2


async def test_offline_rings_once_after_a_minute_away_wrapped_inside_tmux(
    make_dashboard: MakeDashboard, own_demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    written = _capture(monkeypatch)
    clock = ManualClock()
    app = make_dashboard(
        base_url=own_demo.base_url, notify="offline", app_options={"alert_clock": clock}
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        monitor = app.dashboard.task_list.monitor
        assert monitor.connection == "online"

        def offline() -> bool:
            return monitor.connection == "offline"

        own_demo.stop()
        await pilot.press("r")
        await wait_until(pilot, offline, within=10)
        clock.now += 59
        await pilot.press("r")
        await settle(pilot)
        assert offline()
        assert _alerts(written) == []  # not yet a minute

        # No key pressed: the alert tick (or the monitor's own retry) sees the minute pass.
        clock.now += 2
        await wait_until(pilot, lambda: _alerts(written), within=10)
        message = "avala-tui: the Avala API has been unreachable for a minute"
        # The bell bare (tmux rings it itself), the OSC 9 in tmux's passthrough.
        assert _alerts(written) == [f"\x07\x1bPtmux;\x1b\x1b]9;{message}\x07\x1b\\"]
        assert [n.message for n in app._notifications] == [message]

        # Still away ten minutes on: the same fact is not told again.
        clock.now += 600
        await pilot.press("r")
        await settle(pilot)
        assert len(_alerts(written)) == 1

        # Back, then away again: a new minute away is a new alert.
        own_demo.start()
        await pilot.press("r")
        await wait_until(pilot, lambda: monitor.connection == "online", within=10)
        own_demo.stop()
        await pilot.press("r")
        await wait_until(pilot, offline, within=10)
        clock.now += 30
        await pilot.press("r")
        await settle(pilot)
        assert len(_alerts(written)) == 1
        clock.now += 31
        await wait_until(pilot, lambda: len(_alerts(written)) == 2, within=10)


def test_a_notify_typo_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="pending-over"):
        load_settings(flags={"notify": "pending-over=many"}, env={}, path=tmp_path / "none")
