"""A plain, non-editable install works: console script, styles, demo server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Every subprocess below is bounded by this.
TIMEOUT = 120


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``pip install .`` (no deps: they are this venv's) into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target, ROOT],
        check=True,
        timeout=TIMEOUT,
        capture_output=True,
    )
    yield target


def _run(installed: Path, *args: str) -> subprocess.Popen[str]:
    # Run from the install folder, so the checkout's avala_tui cannot be imported instead.
    env = {**os.environ, "PYTHONPATH": str(installed)}
    script = installed / "bin" / "avala-tui"
    return subprocess.Popen(
        [sys.executable, script, *args],
        cwd=installed,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_wheel_ships_the_stylesheet_where_the_app_looks(installed: Path) -> None:
    assert (installed / "avala_tui" / "styles" / "app.tcss").is_file()
    probe = subprocess.run(
        [sys.executable, "-c", "from avala_tui.ui.app import styles_path; print(styles_path())"],
        cwd=installed,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    assert Path(probe.stdout.strip()) == installed / "avala_tui" / "styles" / "app.tcss"


def test_version_and_help(installed: Path) -> None:
    version = _run(installed, "--version")
    out, _ = version.communicate(timeout=TIMEOUT)
    assert version.returncode == 0 and out.startswith("avala-tui ")
    helped = _run(installed, "--help")
    out, _ = helped.communicate(timeout=TIMEOUT)
    assert helped.returncode == 0
    for option in ("--demo", "--project", "--status", "--refresh", "demo-server", "tasks", "serve"):
        assert option in out


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_demo_server_serves_with_the_given_key_and_stops_on_ctrl_c(installed: Path) -> None:
    port = _free_port()
    server = _run(installed, "demo-server", "--port", str(port), "--api-key", "k-123")
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        assert f"http://127.0.0.1:{port}/api/v1" in banner
        base = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 10
        while True:
            try:
                answer = httpx.get(f"{base}/tasks/", headers={"X-Avala-Api-Key": "k-123"})
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert answer.status_code == 200 and answer.json()["results"]
        refused = httpx.get(f"{base}/tasks/", headers={"X-Avala-Api-Key": "demo-key"})
        assert refused.status_code == 401
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=10)
        assert server.returncode == 0
        assert "Traceback" not in err
    finally:
        server.kill()
        server.wait(timeout=10)
