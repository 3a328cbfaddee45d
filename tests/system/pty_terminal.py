"""The real ``avala-tui`` in a pseudo-terminal, as a user's shell runs it, and what it writes."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

ROOT = Path(__file__).resolve().parents[2]
#: Bounds every wait on the child.
START_TIMEOUT = 30.0


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """This environment with no key, no config, no tmux and a throwaway home, plus ``extra``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AVALA_", "TMUX", "TEXTUAL", "NO_COLOR"))
    }
    env.update(
        TERM="xterm-256color",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        AVALA_TUI_CONFIG=str(home / "none.toml"),
    )
    env.update(extra)
    return env


class Terminal:
    """The app running in a pseudo-terminal of 80x24, and everything it wrote.

    A context manager: on leaving, an app still running is killed with its session.
    """

    def __init__(
        self,
        args: list[str],
        env: Mapping[str, str],
        *,
        controlling: bool = False,
        cwd: Path = ROOT,
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.master: int | None = master
        self.output = bytearray()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "avala_tui", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=dict(env),
            start_new_session=True,
            # The pty becomes the session's controlling terminal, so closing it hangs up.
            preexec_fn=(lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0)) if controlling else None,
        )
        os.close(slave)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process.poll() is None:
            os.killpg(self.session, signal.SIGKILL)
            self.process.wait(5)
        if self.master is not None:
            os.close(self.master)
            self.master = None

    @property
    def session(self) -> int:
        """The session of the app and of anything it started."""
        return self.process.pid

    def read(self, seconds: float) -> None:
        """Take in what the app writes for ``seconds`` (less if the terminal closes)."""
        deadline = time.monotonic() + seconds
        while self.master is not None and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.05))
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: every process holding the pty has closed it
                return
            if not chunk:
                return
            self.output.extend(chunk)

    def wait_for(self, marker: bytes, timeout: float = START_TIMEOUT) -> None:
        """Read until ``marker`` has been written; fail if the app exits or it takes too long."""
        deadline = time.monotonic() + timeout
        while marker not in self.output:
            assert self.process.poll() is None, self.output[-2000:].decode(errors="replace")
            assert time.monotonic() < deadline, f"{marker!r} never appeared"
            self.read(0.1)

    def type(self, keys: bytes) -> None:
        """Send keys as the user's terminal would."""
        assert self.master is not None
        os.write(self.master, keys)

    def hang_up(self) -> None:
        """Close the terminal's side, as sshd does when the link drops."""
        assert self.master is not None
        os.close(self.master)
        self.master = None

    def wait_exit(self, limit: float) -> tuple[int, float]:
        """The exit code and how long it took, reading meanwhile; fails well past ``limit``."""
        started = time.monotonic()
        while self.process.poll() is None and time.monotonic() - started < limit + 2:
            self.read(0.01)
        took = time.monotonic() - started
        self.read(0.2)
        assert self.process.poll() is not None, "the app did not exit"
        return self.process.returncode, took


def processes_in_session(session: int) -> list[int]:
    """Processes still alive in a session (an app's children outlive it there)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command may hold spaces and parentheses: read the fields after the last ")".
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(entry.name))
    return found
