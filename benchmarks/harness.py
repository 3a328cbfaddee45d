"""What every benchmark shares: statistics, result rows, a pseudo-terminal, a quiet home."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

#: The terminal every pty benchmark runs in: the product's target, tmux over SSH at 80x24.
COLUMNS: Final = 80
LINES: Final = 24
TERM: Final = "xterm-256color"

Verdict = Literal["PASS", "FAIL", "n/a"]


@dataclass(frozen=True, slots=True)
class Stat:
    """Repeated measurements of one figure: the median and the range."""

    samples: tuple[float, ...]

    @classmethod
    def of(cls, samples: Sequence[float]) -> Stat:
        """The statistic of at least one sample."""
        if not samples:
            raise ValueError("a statistic needs at least one sample")
        return cls(tuple(samples))

    @property
    def median(self) -> float:
        """The median sample."""
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        """The smallest sample."""
        return min(self.samples)

    @property
    def high(self) -> float:
        """The largest sample."""
        return max(self.samples)

    def format(self, unit: str, scale: float = 1.0, digits: int = 1) -> str:
        """``median unit (low–high, n=N)`` with the samples multiplied by ``scale``."""
        median, low, high = (value * scale for value in (self.median, self.low, self.high))
        return (
            f"{median:,.{digits}f} {unit} "
            f"({low:,.{digits}f}–{high:,.{digits}f}, n={len(self.samples)})"
        )


@dataclass(frozen=True, slots=True)
class Result:
    """One row of the results table."""

    key: str
    measure: str
    figure: str
    goal: str
    verdict: Verdict
    #: What a reader needs to interpret the figure (the inputs, a caveat).
    note: str = ""


def verdict(passed: bool) -> Verdict:
    """PASS or FAIL."""
    return "PASS" if passed else "FAIL"


def markdown_table(results: Sequence[Result]) -> str:
    """The results as a Markdown table (also readable as plain text)."""
    lines = [
        "| # | measure | result: median (range, runs) | goal | verdict |",
        "| --- | --- | --- | --- | --- |",
    ]
    for result in results:
        cells = (result.key, result.measure, result.figure, result.goal, result.verdict)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    notes = [f"- **{result.key}**: {result.note}" for result in results if result.note]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


@dataclass
class PtyRun:
    """A process on a pseudo-terminal, its output recorded with timestamps."""

    process: subprocess.Popen[bytes]
    master: int
    started: float
    #: Output chunks with the perf_counter time each was read.
    chunks: list[tuple[float, bytes]] = field(default_factory=list)

    @property
    def output(self) -> bytes:
        """All the output read so far."""
        return b"".join(chunk for _, chunk in self.chunks)

    @property
    def bytes_written(self) -> int:
        """How many bytes the process has written to its terminal so far."""
        return sum(len(chunk) for _, chunk in self.chunks)

    def pump(self, seconds: float) -> bool:
        """Read output for up to ``seconds``; False once the process closed its terminal."""
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.05))
            if not ready:
                if self.process.poll() is not None:
                    return False
                continue
            try:
                chunk = os.read(self.master, 1 << 16)
            except OSError:  # EIO: the last holder of the terminal closed it
                return False
            if not chunk:
                return False
            self.chunks.append((time.perf_counter(), chunk))
        return True

    def wait_for(self, needle: bytes, timeout: float) -> float | None:
        """Seconds from the start until ``needle`` first appeared in the output, or None."""
        deadline = self.started + timeout
        scanned = 0
        buffer = b""
        while True:
            for when, chunk in self.chunks[scanned:]:
                # Keep a tail of the previous chunk: the needle may straddle two reads.
                buffer = buffer[-len(needle) :] + chunk
                if needle in buffer:
                    return when - self.started
            scanned = len(self.chunks)
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            alive = self.pump(min(left, 0.05))
            if not alive and scanned == len(self.chunks):
                return None

    def send(self, keys: bytes) -> None:
        """Type ``keys`` into the terminal."""
        os.write(self.master, keys)

    def stop(self) -> None:
        """End the process (and anything it started) and close the terminal."""
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        os.close(self.master)


@contextmanager
def pty_process(
    argv: Sequence[str], env: Mapping[str, str], *, columns: int = COLUMNS, lines: int = LINES
) -> Iterator[PtyRun]:
    """Run ``argv`` on a new ``columns`` x ``lines`` pseudo-terminal; killed on exit."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    started = time.perf_counter()
    try:
        process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=dict(env),
            close_fds=True,
            # Its own session: the pty becomes its controlling terminal, as in a real one.
            start_new_session=True,
        )
    except BaseException:
        os.close(master)
        raise
    finally:
        os.close(slave)
    run = PtyRun(process, master, started)
    try:
        yield run
    finally:
        run.stop()


@contextmanager
def quiet_home() -> Iterator[dict[str, str]]:
    """An environment whose home, config and state are an empty temporary directory.

    No config file, remembered filter or key of the user's can change what is measured.
    """
    with tempfile.TemporaryDirectory(prefix="avala-bench-") as home:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("AVALA_", "XDG_", "TEXTUAL"))
        }
        env.update(
            HOME=home,
            XDG_CONFIG_HOME=str(Path(home, "config")),
            XDG_STATE_HOME=str(Path(home, "state")),
            XDG_CACHE_HOME=str(Path(home, "cache")),
            XDG_DATA_HOME=str(Path(home, "data")),
            AVALA_TUI_CONFIG=str(Path(home, "config.toml")),
            TERM=TERM,
            COLUMNS=str(COLUMNS),
            LINES=str(LINES),
        )
        for name in ("NO_COLOR", "PYTHONDONTWRITEBYTECODE", "TMUX"):
            env.pop(name, None)
        yield env


def console_script(name: str) -> str:
    """A console script of this Python's environment (``avala-tui``, ``avala``)."""
    path = Path(sys.executable).with_name(name)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: install the project with its test extra")
    return str(path)
