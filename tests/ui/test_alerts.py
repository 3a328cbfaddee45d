"""Alerts in the dashboard: the bytes they write to the terminal, the toast, the command."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from textual.drivers.headless_driver import HeadlessDriver

from avala_tui.config.settings import SettingsError, load_settings
from avala_tui.demo.server import DemoServer
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import settle, wait_until


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


def test_a_notify_typo_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="pending-over"):
        load_settings(flags={"notify": "pending-over=many"}, env={}, path=tmp_path / "none")
