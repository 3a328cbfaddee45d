"""Regenerate the screenshots in screenshots/ from the demo data.

    python scripts/screenshots.py [OUTPUT_DIR]

Each SVG shot runs the dashboard headless against the demo API, generated from a fixed
anchor time, with the app's clock fixed a few minutes after it: the same code gives
the same pictures on any machine, in any time zone.

``browser.png`` is the dashboard served by ``avala-tui serve --demo`` (a real process,
in Debian's Chromium driven by Playwright, from the test extra). Its clock is the real
one, so its times differ from run to run; the demo world is generated from the same
seed, anchored now, so the relative times ("22m ago") look as they would live.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from avala_tui.api.client import AvalaClient
from avala_tui.config.settings import DEMO_API_KEY, Settings
from avala_tui.demo.data import EDGE_CASE_PROJECT
from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp, make_app

#: The demo world's newest moment; the app's clock reads a few minutes later.
ANCHOR = datetime(2025, 3, 1, 12, tzinfo=UTC)
NOW = (ANCHOR + timedelta(minutes=7)).timestamp()
#: How long to wait for the app to settle before giving up on a shot.
TIMEOUT = 10.0
OUTPUT = Path(__file__).resolve().parents[1] / "screenshots"


@dataclass(frozen=True)
class Shot:
    """One screenshot: a file name, a terminal size, and what to do before taking it."""

    name: str
    size: tuple[int, int]
    keys: tuple[str, ...] = ()
    api_key: str = DEMO_API_KEY
    #: The uid of the project to preselect (--project), or None for all projects.
    project: str | None = None
    #: Index of the row to put the cursor on before the keys are pressed.
    row: int = 0


async def _settle(pilot: Pilot[Any], app: AvalaApp) -> None:
    """Wait for the workers, and for the detail of the row under the cursor."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        await app.workers.wait_for_complete()
        await pilot.pause()
        uid = app.dashboard.table.cursor_uid
        if uid is None or app.dashboard.detail.cache.get(uid) is not None:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"no detail for {uid} after {TIMEOUT} s")
        await pilot.pause(0.02)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def take(shot: Shot, server: DemoServer, output: Path) -> Path:
    """Run the dashboard for one shot and save its SVG; returns the file written."""
    settings = Settings(demo=True, project=shot.project)
    client = AvalaClient(shot.api_key, server.base_url)
    app = make_app(settings, client, clock=lambda: NOW, detail_debounce=0.01)
    async with app.run_test(size=shot.size) as pilot:
        await _settle(pilot, app)
        if shot.row:
            app.dashboard.table.cursor_row = shot.row
            await _settle(pilot, app)
        if shot.keys:
            await pilot.press(*shot.keys)
            await _settle(pilot, app)
        return Path(app.save_screenshot(f"{shot.name}.svg", str(output)))


def shots(server: DemoServer) -> list[Shot]:
    """Every screenshot the README and the docs use."""
    edge_cases = server.api.project_uid(EDGE_CASE_PROJECT)
    # The task with undocumented fields, to show that the detail keeps them.
    with_extras = next(
        index for index, task in enumerate(server.api.tasks(edge_cases)) if "assignee" in task
    )
    return [
        Shot("main", (120, 34), row=2),
        Shot("detail", (120, 34), keys=("enter",), project=edge_cases, row=with_extras),
        Shot("error", (100, 28), api_key="not-a-valid-key"),
        Shot("80x24", (80, 24)),
        Shot("wide", (160, 45), row=2),
    ]


#: Debian's Chromium, and its flags for a headless run that reaches nothing but loopback.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The page keeps xterm.js's Terminal to itself; the script's copy of textual.js exposes it.
_TERMINAL = "this.terminal=new "
_EXPOSED = "this.terminal=window.__avalaTerminal=new "
_SCREEN_JS = """() => {
    const terminal = window.__avalaTerminal;
    if (!terminal) return "";
    const buffer = terminal.buffer.active, lines = [];
    for (let y = 0; y < terminal.rows; y++) {
        const line = buffer.getLine(buffer.viewportY + y);
        lines.push(line ? line.translateToString(true) : "");
    }
    return lines.join("\\n");
}"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def take_browser(output: Path) -> Path:
    """``avala-tui serve --demo`` in Chromium, as ``browser.png``; returns the file written."""
    from playwright.sync_api import Route, sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with DemoServer() as server, tempfile.TemporaryDirectory() as home:
        # The shared demo is this one; no config file or remembered filters of the user's.
        env = {
            **os.environ,
            "TZ": "UTC",
            "AVALA_TUI_DEMO_URL": server.base_url,
            "AVALA_TUI_CONFIG": str(Path(home) / "config.toml"),
            "AVALA_TUI_STATE": str(Path(home) / "state.json"),
        }
        serving = subprocess.Popen(
            [sys.executable, "-m", "avala_tui", "serve", "--demo", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 760})

                def expose(route: Route) -> None:
                    response = route.fetch()
                    script = response.text().replace(_TERMINAL, _EXPOSED)
                    route.fulfill(response=response, body=script)

                page.route("**/static/js/textual.js", expose)
                page.route(lambda address: not address.startswith(url), lambda r: r.abort())
                deadline = time.monotonic() + 4 * TIMEOUT
                while True:
                    try:
                        page.goto(url)
                        break
                    except Exception:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.2)
                # Settled: the rows, and the detail of the highlighted task from get-task.
                while "get-task ·" not in str(page.evaluate(_SCREEN_JS)):
                    if time.monotonic() > deadline:
                        raise TimeoutError("the served dashboard did not draw its detail")
                    page.wait_for_timeout(100)
                page.focus(".xterm-helper-textarea")
                for _ in range(2):
                    page.keyboard.press("j")
                page.wait_for_timeout(1500)
                path = output / "browser.png"
                page.screenshot(path=str(path))
                browser.close()
        finally:
            serving.terminate()
            serving.wait(timeout=TIMEOUT)
    return path


def main(output: Path) -> None:
    """Take every shot into ``output``."""
    # Times are drawn in local time: pin the zone so the pictures do not depend on it.
    os.environ["TZ"] = "UTC"
    time.tzset()
    output.mkdir(parents=True, exist_ok=True)
    with DemoServer(anchor=ANCHOR) as server:
        for shot in shots(server):
            print(asyncio.run(take(shot, server, output)))
    if not Path(CHROMIUM).is_file():
        sys.exit(f"browser.png not taken: no Chromium at {CHROMIUM} (apt-get install chromium)")
    print(take_browser(output))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
