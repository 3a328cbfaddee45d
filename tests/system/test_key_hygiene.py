"""The API key goes in one header to one host, and nowhere else the app writes.

tests/api/test_safety.py and test_errors.py hold the client's own checks (a foreign
``next`` host, redirects, echoed keys, debug logs of the client). These follow the key
through the whole program: the dashboard's paging, the CLI, its debug log, the
screen and screenshots, the state file, exports, the terminal and tracebacks.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from rich.console import Console
from rich.traceback import Traceback
from textual.pilot import Pilot

from avala_tui.api.client import AvalaClient
from avala_tui.config.settings import Settings
from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp, make_app
from avala_tui.ui.widgets.task_table import TaskTable
from tests.api.stub_server import Received, Reply, StubServer, json_reply
from tests.conftest import ANCHOR
from tests.system.pty_terminal import ROOT, Terminal, isolated_env
from tests.ui.helpers import screen_text

#: Distinctive, so that finding it anywhere means it leaked.
KEY = "avk-hygiene-7f3a9c21d5e84b06"
TASK = {"uid": "t-1", "name": "box", "status": "pending"}


def dashboard(base_url: str, api_key: str) -> AvalaApp:
    """The dashboard as the CLI builds it, its detail pane quiet, live refresh off."""
    client = AvalaClient(api_key, base_url, max_retries=0)
    return make_app(Settings(refresh=0), client, detail_debounce=60.0)


async def settle(app: AvalaApp, pilot: Pilot[int]) -> None:
    for _ in range(20):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            return


async def test_the_key_travels_in_its_header_and_nowhere_else() -> None:
    def answer(request: Received) -> Reply:
        if "/tasks/t-1/" in request.target:
            return json_reply(200, TASK)
        return json_reply(200, {"next": None, "results": [TASK]})

    async with StubServer(answer) as stub, AvalaClient(KEY, stub.base_url) as client:
        await client.list_tasks(project="p", status="pending")
        await client.get_task("t-1")
        await client.list_projects()
    assert len(stub.requests) == 3
    for request in stub.requests:
        assert request.headers.pop("x-avala-api-key") == KEY
        assert KEY not in request.target
        assert KEY not in repr(request.headers)


async def test_paging_through_the_dashboard_never_visits_a_foreign_next_host(
    demo: DemoServer,
) -> None:
    async with StubServer(lambda _: json_reply(200, {"next": None, "results": []})) as foreign:
        demo.api.link_origin = foreign.origin
        app = dashboard(demo.base_url, demo.api.api_key)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app, pilot)
            for _ in range(3):
                await pilot.press("end")
                await settle(app, pilot)
            loaded = [row.uid for row in app.query_one(TaskTable).rows]
    assert len(loaded) >= 400
    assert loaded == [task["uid"] for task in demo.api.tasks(limit=len(loaded))]
    assert foreign.requests == []


async def test_a_key_the_server_echoes_is_masked_on_screen_and_in_screenshots() -> None:
    def refuse(request: Received) -> Reply:
        sent = request.headers["x-avala-api-key"]
        return json_reply(401, {"detail": f"Invalid API key {sent}."})

    async with StubServer(refuse) as stub:
        app = dashboard(stub.base_url, KEY)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(app, pilot)
            shown = screen_text(app)
            screenshot = app.export_screenshot()
    assert "Invalid API key [redacted]." in shown
    assert KEY not in shown
    assert KEY not in screenshot


async def test_a_traceback_with_locals_through_the_client_never_shows_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Textual's crash screen shows every frame's locals: the client's must not hold the key."""

    async def broken_send(self: httpx.AsyncClient, request: httpx.Request, **_: object) -> None:
        assert request.headers["x-avala-api-key"] == KEY  # the key is in flight right here
        raise RuntimeError("a bug below the client")

    monkeypatch.setattr(httpx.AsyncClient, "send", broken_send)
    async with AvalaClient(KEY, "http://127.0.0.1:9/api/v1") as client:
        with pytest.raises(RuntimeError) as caught:
            await client.list_tasks(project="p")
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(Traceback.from_exception(caught.type, caught.value, caught.tb, show_locals=True))
    rendered = console.export_text()
    # The frames that held the key, with their locals, are all in the rendering.
    for frame in ("list_tasks", "_get_once", "broken_send"):
        assert frame in rendered
    assert "request" in rendered and "self" in rendered
    assert KEY not in rendered


def _cli(
    args: list[str], env: dict[str, str], cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "avala_tui", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_plain_http_to_another_host_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    env = isolated_env(tmp_path, AVALA_API_KEY=KEY)
    for command in ([], ["tasks"]):
        done = _cli(["--base-url", "http://api.avala.example/api/v1", *command], env)
        assert done.returncode == 2, done.stderr
        assert "Refusing plain http://" in done.stderr
        assert "Traceback" not in done.stderr
        assert KEY not in done.stderr + done.stdout


@pytest.mark.parametrize(("mode", "warned"), [(0o644, True), (0o640, True), (0o600, False)])
def test_a_config_file_others_can_read_draws_a_warning(
    tmp_path: Path, demo: DemoServer, mode: int, warned: bool
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.default]\napi_key = "{demo.api.api_key}"\n')
    config.chmod(mode)
    env = isolated_env(tmp_path, AVALA_TUI_CONFIG=str(config), AVALA_BASE_URL=demo.base_url)
    done = _cli(["tasks", "--limit", "1"], env)
    assert done.returncode == 0, done.stderr
    warning = f"avala-tui: warning: {config} holds an API key and is readable by other users"
    assert (warning in done.stderr) is warned
    assert "chmod 600" in done.stderr if warned else done.stderr == ""
    assert demo.api.api_key not in done.stderr


def test_the_key_is_in_no_log_state_file_export_or_terminal_output(tmp_path: Path) -> None:
    """A whole session: paging, a filter change (remembered), a CSV export, copying a uid."""
    log = tmp_path / "debug.log"
    state = tmp_path / "state.json"
    work = tmp_path / "work"
    work.mkdir()
    with DemoServer(anchor=ANCHOR, api_key=KEY) as server:
        env = isolated_env(
            tmp_path, AVALA_BASE_URL=server.base_url, AVALA_API_KEY=KEY, AVALA_TUI_STATE=str(state)
        )
        with Terminal(["--debug", str(log)], env, cwd=work) as terminal:
            terminal.wait_for(b"loaded")
            for keys in (b"G", b"y", b"s", b"j", b"\r", b"t", b"e"):
                terminal.type(keys)
                terminal.read(0.4)
            terminal.type(b"c")
            terminal.read(0.8)
            terminal.type(b"q")
            assert terminal.wait_exit(5.0)[0] == 0
        requests = server.api.requests

    written = {path: path.read_text(encoding="utf-8") for path in (log, state)}
    exports = list(work.iterdir())
    assert len(exports) == 1, exports
    written[exports[0]] = exports[0].read_text(encoding="utf-8")
    assert "GET /api/v1/tasks/" in written[log]
    assert '"status": "pending"' in written[state]
    assert len(requests) > 3
    assert all(record.api_key == KEY for record in requests)
    for path, text in written.items():
        assert KEY not in text, f"the key is in {path.name}"
    assert KEY.encode() not in terminal.output
