"""Running the demo API: restarts on the same port, live activity, and the foreground ``serve``."""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from avala_tui.demo import data
from avala_tui.demo.app import DEFAULT_API_KEY, DemoApi
from avala_tui.demo.faults import Fault
from avala_tui.demo.server import DemoServer, is_loopback, serve
from tests.conftest import ANCHOR

HEADERS = {"X-Avala-Api-Key": DEFAULT_API_KEY}
REPO = Path(__file__).resolve().parents[2]


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_stopped_server_refuses_and_restarts_on_the_same_port(own_demo):
    port = own_demo.port
    added = own_demo.api.add_task(own_demo.api.project_uid(data.SMALL_PROJECT))

    started = time.monotonic()
    own_demo.stop()
    stop_took = time.monotonic() - started
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{own_demo.base_url}/tasks/", headers=HEADERS)
    own_demo.start()
    first = httpx.get(f"{own_demo.base_url}/tasks/", headers=HEADERS).json()["results"][0]

    assert stop_took < 1.5
    assert own_demo.port == port
    assert first == added


def test_stopping_with_a_request_in_flight_is_prompt(own_demo):
    own_demo.api.faults.queue(Fault.SLOW, delay=30.0)
    outcome: list[object] = []

    def slow_request() -> None:
        try:
            outcome.append(httpx.get(f"{own_demo.base_url}/tasks/", headers=HEADERS, timeout=10))
        except httpx.HTTPError as error:
            outcome.append(error)

    client = threading.Thread(target=slow_request)
    client.start()
    assert wait_for(lambda: own_demo.api.faults.pending == 0)
    started = time.monotonic()
    own_demo.stop()
    stop_took = time.monotonic() - started
    client.join(timeout=10)

    assert stop_took < 2.5
    (answer,) = outcome
    assert not isinstance(answer, httpx.Response) or answer.status_code != 200


def test_the_live_loop_adds_and_completes_tasks_while_serving():
    with DemoServer(anchor=ANCHOR, live_every=0.05) as server:
        before = server.api.counts()
        grew = wait_for(lambda: sum(server.api.counts().values()) >= sum(before.values()) + 3)
        after = server.api.counts()

    assert grew
    assert after["completed"] > before["completed"]


def test_a_live_step_creates_the_newest_tasks_and_completes_pending_ones():
    api = DemoApi(anchor=ANCHOR)
    twin = DemoApi(anchor=ANCHOR)
    now = ANCHOR + timedelta(minutes=5)
    newest_before = api.tasks(limit=1)[0]

    change = api.live_step(now)

    assert change == twin.live_step(now)
    assert 1 <= len(change.created) <= 2
    assert api.tasks(limit=len(change.created)) == list(reversed(change.created))
    assert all(parse(row["created_at"]) >= now for row in change.created)
    assert parse(newest_before["created_at"]) < now
    assert all(row["status"] == "pending" for row in change.created)
    assert all(row["status"] == "completed" for row in change.completed)
    assert all(parse(row["updated_at"]) >= now for row in change.completed)
    empty = api.project_uid(data.EMPTY_PROJECT)
    assert {row["project"] for row in change.created}.isdisjoint({empty})


def test_added_tasks_are_newest_even_within_one_millisecond():
    api = DemoApi(anchor=ANCHOR)
    project = api.project_uid(data.MEDIUM_PROJECT)

    first = api.add_task(project, name="polygon", type="video-annotation")
    second = api.add_task(project, status="completed")

    assert api.tasks(project, limit=2) == [second, first]
    assert second["created_at"] > first["created_at"]
    assert first["name"] == "polygon"
    changed = api.set_status(first["uid"], "completed")
    assert changed["status"] == "completed"
    assert changed["updated_at"] >= changed["created_at"]
    with pytest.raises(KeyError):
        api.add_task("no-such-project")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.5.0.1", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("0.0.0.0", False), ("192.168.1.4", False), ("example.com", False)],
)  # fmt: skip
def test_loopback_hosts_are_recognised(host, loopback):
    assert is_loopback(host) is loopback


def test_serve_refuses_a_non_loopback_host_unless_allowed():
    out, err = io.StringIO(), io.StringIO()

    status = serve(host="0.0.0.0", port=0, out=out, err=err)

    assert status == 2
    assert "not a loopback address" in err.getvalue()
    assert out.getvalue() == ""


def test_serve_reports_a_port_in_use():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        err = io.StringIO()

        status = serve(port=taken.getsockname()[1], out=io.StringIO(), err=err)

    assert status == 1
    assert "Cannot listen" in err.getvalue()


def test_serve_runs_in_the_foreground_until_ctrl_c():
    code = "from avala_tui.demo.server import serve; raise SystemExit(serve(port=0))"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as process:
        # Reading the banner blocks: a watchdog kills a server that hangs instead.
        watchdog = threading.Timer(20.0, process.kill)
        watchdog.start()
        try:
            assert process.stdout is not None and process.stderr is not None
            banner = [process.stdout.readline() for _ in range(3)]
            url = re.search(r"http://127\.0\.0\.1:\d+/api/v1", banner[0])
            assert url is not None, banner
            response = httpx.get(f"{url[0]}/tasks/", headers=HEADERS, params={"limit": 1})
            process.send_signal(signal.SIGINT)
            status = process.wait(timeout=10)
            farewell, err = process.stdout.read(), process.stderr.read()
        finally:
            watchdog.cancel()
            process.kill()

    assert response.status_code == 200
    assert status == 0
    assert f"AVALA_API_KEY={DEFAULT_API_KEY}" in banner[1]
    assert farewell == "Stopping.\n"
    assert err == ""
