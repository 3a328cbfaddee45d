"""Issue 17 points 4 and 5 in a real pseudo-terminal: huge names, and SIGTERM still ends it.

A 1 MB task name once took seconds per keypress to draw (20 MB: 11.7 s), and a
process busy drawing one ignored SIGTERM for more than 15 s; a letter with 100,000
combining marks wrote 18.5 MB to the terminal. Drawn bounded, the dashboard answers
keys, writes a few hundred KB at most, and leaves within the usual limit on SIGTERM.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.server import DemoServer
from avala_tui.ui.lifecycle import exit_code_for
from tests.conftest import ANCHOR
from tests.system.pty_terminal import Terminal, isolated_env, processes_in_session

#: As for the demo's ordinary data in test_real_terminal, with room for a busy machine.
EXIT_LIMIT = 2.0
HUGE = "W" * 1_000_000
FLOOD = "e" + "\u0301" * 100_000


def test_megabyte_names_draw_fast_write_little_and_sigterm_still_ends_the_app(
    tmp_path: Path,
) -> None:
    with DemoServer(anchor=ANCHOR) as server:
        project = server.api.project_uid("Retail shelf audit")
        for index in range(6):
            server.api.add_task(project, name=HUGE if index % 2 else FLOOD)
        env = isolated_env(tmp_path, AVALA_BASE_URL=server.base_url, AVALA_API_KEY=DEFAULT_API_KEY)
        with Terminal([], env) as terminal:
            terminal.wait_for(b"WWWWWWWW")
            terminal.read(0.5)
            started = len(terminal.output)
            for _ in range(5):
                terminal.type(b"j")
                terminal.read(0.3)
            # Five cursor moves over such rows (and the detail pane drawing each).
            assert len(terminal.output) - started < 500_000
            before = time.monotonic()
            terminal.process.send_signal(signal.SIGTERM)
            returncode, took = terminal.wait_exit(EXIT_LIMIT + 10)
            assert time.monotonic() - before < EXIT_LIMIT + 10
    assert returncode == exit_code_for(signal.SIGTERM)
    assert took < EXIT_LIMIT, f"took {took:.2f} s"
    assert processes_in_session(terminal.session) == []
