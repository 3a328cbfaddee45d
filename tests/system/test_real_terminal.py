"""What reaches a real terminal: no escape sequence from the data, and a restored terminal on exit.

These tests run the real ``avala-tui`` in a pseudo-terminal, as a user's shell would,
and read every byte it writes. Ctrl+C, SIGTERM, SIGHUP (the SSH link drops, the tmux
pane is killed) and SIGINT must each leave the alternate screen, turn mouse tracking
off and show the cursor again, within a second, leaving no process behind.
"""

from __future__ import annotations

import asyncio
import gc
import os
import re
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.css.query import NoMatches

from avala_tui.api.client import AvalaClient
from avala_tui.cli.launch import run_dashboard
from avala_tui.config.settings import Settings
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.server import DemoServer
from avala_tui.ui import lifecycle
from avala_tui.ui.app import AvalaApp, make_app
from avala_tui.ui.lifecycle import exit_code_for, run_until_exit
from tests.conftest import ANCHOR
from tests.system.pty_terminal import Terminal, isolated_env, processes_in_session

EXIT_LIMIT = 1.0
#: What Textual writes as it gives the terminal back.
LEAVE_ALT_SCREEN = b"\x1b[?1049l"
SHOW_CURSOR = b"\x1b[?25h"
MOUSE_OFF = b"\x1b[?1000l"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return isolated_env(tmp_path)


def assert_restored(output: bytes) -> None:
    """After the last frame the terminal was handed back: main screen, cursor, no mouse."""
    tail = output[output.rindex(b"\x1b[?1049h") :]
    for sequence in (LEAVE_ALT_SCREEN, SHOW_CURSOR, MOUSE_OFF):
        assert sequence in tail, f"{sequence!r} missing at exit"
    assert tail.rindex(LEAVE_ALT_SCREEN) > tail.rindex(b"\x1b[?25l")


#: The first frame of the demo dashboard is on screen once the status line counts rows.
FIRST_FRAME = b"loaded"


@pytest.mark.parametrize(
    ("how", "code"),
    [
        ("ctrl+c", 0),
        ("SIGTERM", exit_code_for(signal.SIGTERM)),
        ("SIGHUP", exit_code_for(signal.SIGHUP)),
        ("SIGINT", exit_code_for(signal.SIGINT)),
    ],
)
def test_each_way_out_restores_the_terminal_within_a_second(
    env: dict[str, str], how: str, code: int
) -> None:
    with Terminal(["--demo"], env) as terminal:
        terminal.wait_for(FIRST_FRAME)
        terminal.read(0.3)
        if how == "ctrl+c":
            terminal.type(b"\x03")
        else:
            terminal.process.send_signal(getattr(signal, how))
        returncode, took = terminal.wait_exit(EXIT_LIMIT)
    assert (returncode, took < EXIT_LIMIT) == (code, True), f"took {took:.2f} s"
    assert_restored(bytes(terminal.output))
    assert b"Traceback" not in terminal.output
    assert processes_in_session(terminal.session) == []


def test_a_dropped_ssh_link_ends_the_app_within_a_second(env: dict[str, str]) -> None:
    with Terminal(["--demo"], env, controlling=True) as terminal:
        terminal.wait_for(FIRST_FRAME)
        terminal.hang_up()
        returncode, took = terminal.wait_exit(EXIT_LIMIT)
    assert returncode == exit_code_for(signal.SIGHUP)
    assert took < EXIT_LIMIT, f"took {took:.2f} s"
    assert processes_in_session(terminal.session) == []


def test_a_stray_sigcont_does_not_start_the_terminal_over(env: dict[str, str]) -> None:
    """A hang-up sends SIGCONT too; only the end of a Ctrl+Z suspension may resume."""
    with Terminal(["--demo"], env) as terminal:
        terminal.wait_for(FIRST_FRAME)
        terminal.process.send_signal(signal.SIGCONT)
        terminal.read(0.5)
        assert terminal.output.count(b"\x1b[?1049h") == 1
        terminal.process.send_signal(signal.SIGTERM)
        returncode, took = terminal.wait_exit(EXIT_LIMIT)
    assert returncode == exit_code_for(signal.SIGTERM) and took < EXIT_LIMIT
    assert_restored(bytes(terminal.output))


async def run_then_signal(app: AvalaApp, signum: int, ready: Callable[[], bool]) -> int:
    """Run ``app`` headless and send this process ``signum`` once it is ``ready()``."""
    loop = asyncio.get_running_loop()

    def is_ready() -> bool:
        try:
            return ready()
        except NoMatches:
            # Polled before the dashboard composed: an exception here would end the polling.
            return False

    def signal_once_running() -> None:
        # Only once the handler is in place: a default SIGHUP or SIGTERM ends the test run.
        if signal.getsignal(signum) in (signal.SIG_DFL, signal.SIG_IGN) or not is_ready():
            loop.call_later(0.05, signal_once_running)
        else:
            os.kill(os.getpid(), signum)

    loop.call_later(0.05, signal_once_running)
    return await asyncio.wait_for(run_until_exit(app, headless=True), timeout=30)


async def test_a_signal_exit_leaves_no_task_or_thread_behind(demo: DemoServer) -> None:
    threads = set(threading.enumerate())
    app = make_app(Settings(refresh=0), AvalaClient(DEFAULT_API_KEY, demo.base_url))
    code = await run_then_signal(app, signal.SIGHUP, lambda: bool(demo.api.requests))

    assert code == exit_code_for(signal.SIGHUP)
    assert demo.api.requests, "the app never got going"
    assert [task for task in asyncio.all_tasks() if task is not asyncio.current_task()] == []
    assert set(threading.enumerate()) == threads
    assert signal.getsignal(signal.SIGHUP) == signal.SIG_DFL


def test_the_embedded_demo_server_stops_with_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    async def run_headless(app: AvalaApp) -> int:
        return await run_then_signal(
            app, signal.SIGTERM, lambda: app.dashboard.task_list.feed.pages_loaded > 0
        )

    threads = set(threading.enumerate())
    # run_dashboard as the CLI calls it (`--demo`), headless where it would take the terminal.
    monkeypatch.setattr(lifecycle, "run_until_exit", run_headless)
    try:
        code = run_dashboard(Settings(demo=True, refresh=0))
    finally:
        gc.unfreeze()  # run_dashboard freezes the heap for the rest of its process's life
    assert code == exit_code_for(signal.SIGTERM)
    # The demo API's server thread (and the UI import's worker) are gone.
    assert set(threading.enumerate()) == threads


# ------------------------------------------------------- data never drives the terminal

HOSTILE_NAMES = [
    "red\x1b[31mALERT",
    "clip\x1b]52;c;c2VjcmV0\x07",
    "title\x1b]0;pwned\x07",
    "c1\x9b2J",
    "dcs\x1bP+q544e\x1b\\",
    "bell\x07\x07",
    "[bold red]markup[/]",
    "[@click=app.quit]quit",
    "bidi\u202eevil",
]
#: What of those names must never be written: their escape sequences and controls.
PAYLOADS = ["\x1b[31mALERT", "\x1b]52;", "\x1b]0;pwned", "\x9b", "\x1bP+q", "\x07\x07", "\u202e"]
#: Sequences Textual itself writes: CSI (with private-mode and kitty-protocol parameters),
#: and a window title (OSC 0 or 2, printable text only, ended by BEL or ST).
TEXTUAL_SEQUENCE = re.compile(
    rb"\x1b\[[0-9;:?<>=$ ]*[@-~]|\x1b\](?:0|2|22);[\x20-\x7e\xc2-\xf4\x80-\xbf]*(?:\x07|\x1b\\)"
)


def test_escape_codes_in_task_names_never_reach_the_terminal(tmp_path: Path) -> None:
    with DemoServer(anchor=ANCHOR) as server:
        project = server.api.project_uid("Retail shelf audit")
        for name in HOSTILE_NAMES:
            server.api.add_task(project, name=name, status=name, extra={"note": name})
        env = isolated_env(tmp_path, AVALA_BASE_URL=server.base_url, AVALA_API_KEY=DEFAULT_API_KEY)
        with Terminal([], env) as terminal:
            terminal.wait_for("red␛[31mALERT".encode())
            # Walk the cursor over every hostile row so the detail pane draws each in full.
            for _ in HOSTILE_NAMES:
                terminal.type(b"j")
                terminal.read(0.25)
            terminal.type(b"q")
            assert terminal.wait_exit(5.0)[0] == 0

    output = bytes(terminal.output)
    for payload in PAYLOADS:
        assert payload.encode() not in output, f"{payload!r} reached the terminal"
    # Every escape sequence written is one of Textual's own kinds, no C1 control is
    # written, and markup arrived as the characters it is made of.
    assert b"\x1b" not in TEXTUAL_SEQUENCE.sub(b"", output)
    assert not re.search("[\x80-\x9f]", output.decode())
    assert b"[bold red]markup[/]" in output
    assert b"[@click=app.quit]quit" in output
