"""Shared by the system tests: ``avala-tui`` run as real processes on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path

import httpx
import pytest

#: Every wait below is bounded by this.
TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_pids(parent: int) -> list[int]:
    """The live processes whose parent is ``parent``, read from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid …", where comm may hold spaces and parentheses.
        state, ppid = stat.rpartition(")")[2].split()[:2]
        if int(ppid) == parent and state != "Z":
            children.append(int(entry.name))
    return children


def wait_for(predicate, what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def avala_tui(
    args: list[str], cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[str]:
    """``avala-tui ARGS`` as a process of its own; its output goes to ``cwd/output.txt``."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("AVALA_")
    }
    # No config file and no state of the user's: only what the test gives.
    environment.update(
        TZ="UTC",
        AVALA_TUI_CONFIG=str(cwd / "config.toml"),
        AVALA_TUI_STATE=str(cwd / "state.json"),
    )
    environment.update(env or {})
    with (cwd / "output.txt").open("a") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "avala_tui", *args],
            env=environment,
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )


def output_of(cwd: Path) -> str:
    return (cwd / "output.txt").read_text()


def wait_until_serving(url: str, process: subprocess.Popen[str], cwd: Path) -> None:
    def up() -> bool:
        assert process.poll() is None, output_of(cwd)
        try:
            return httpx.get(url, timeout=2).status_code < 500
        except httpx.TransportError:
            return False

    wait_for(up, f"{url} to answer")


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def serve(
    args: list[str], cwd: Path, env: Mapping[str, str] | None = None
) -> Generator[tuple[str, subprocess.Popen[str]]]:
    """``avala-tui serve ARGS`` on a free loopback port, until the generator is closed."""
    port = free_port()
    process = avala_tui(["serve", "--port", str(port), *args], cwd, env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process, cwd)
        yield url, process
    finally:
        stop(process)


@pytest.fixture
def served_demo(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``avala-tui serve --demo`` on a free loopback port: its URL and its process."""
    yield from serve(["--demo"], tmp_path)
