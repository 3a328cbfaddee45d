"""``avala-tui serve`` in a real browser: Debian's Chromium, driven by Playwright.

The terminal's text is read from xterm.js's buffer in the page (see browser.py).
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Response, WebSocket, sync_playwright

from tests.system.browser import clipboard, launch, open_dashboard, require_chromium, screen
from tests.system.conftest import avala_tui, child_pids, free_port, serve, stop, wait_for

#: The whole of a browser test must take less than this.
BUDGET = 60.0
#: A key no real account has, easy to spot anywhere it should not be.
FAKE_KEY = "avk-SERVE-TEST-9f1c2e7d-DO-NOT-LEAK"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def wait_for_screen(page: Page, *texts: str, timeout: float = 20.0) -> str:
    """The screen once it shows every one of ``texts``."""
    drawn = ""

    def shows() -> bool:
        nonlocal drawn
        drawn = screen(page)
        return all(text in drawn for text in texts)

    try:
        wait_for(shows, f"{texts} on screen", timeout)
    except AssertionError:
        raise AssertionError(f"{texts} not on screen after {timeout} s:\n{drawn}") from None
    return drawn


def detail_title(drawn: str) -> str:
    """The detail pane's uid line (the pane shows the highlighted task)."""
    return next(
        line.split("UID", 1)[1].split()[0] for line in drawn.splitlines() if " UID " in line
    )


def test_served_demo_in_chromium_keys_and_tab_close(
    browser: Browser, served_demo: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    started = time.monotonic()
    url, server = served_demo
    page = open_dashboard(browser, url)
    # The first task row is drawn, with the detail of the highlighted (first) task.
    first = wait_for_screen(page, "demo data", "○ pending", " UID ")
    assert child_pids(server.pid) and len(child_pids(server.pid)) == 1
    first_uid = detail_title(first)

    page.focus(".xterm-helper-textarea")
    page.keyboard.press("j")  # the cursor moves down: the detail shows the second task
    wait_for(lambda: detail_title(screen(page)) != first_uid, "the detail to follow j")

    second_uid = detail_title(screen(page))

    # y, o, e: the browser's own clipboard, a new tab, a download.
    page.keyboard.press("y")
    wait_for(lambda: clipboard(page) == second_uid, "the uid on the browser's clipboard")
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    with page.context.expect_page(timeout=10_000) as opened:
        page.keyboard.press("o")
    # A new tab on the task's page (not fetched: tests stay on loopback's served page).
    wait_for(lambda: any(u.endswith(f"/tasks/{second_uid}") for u in requested), "the task's tab")
    opened.value.close()
    page.bring_to_front()
    page.focus(".xterm-helper-textarea")
    # The export is a download from the server, not a file left on it. (Debian's Chromium
    # does not report downloads to Playwright: the response is what is checked.)
    downloads: list[Response] = []
    page.context.on(
        "response",
        lambda response: downloads.append(response) if "/download/" in response.url else None,
    )
    page.keyboard.press("e")
    page.keyboard.press("c")  # CSV
    while not downloads:  # Playwright delivers events while it is called: wait in the page
        assert time.monotonic() - started < BUDGET, f"no download of the export:\n{screen(page)}"
        page.wait_for_timeout(100)
    (download,) = downloads
    assert download.status == 200
    assert download.headers["content-type"] == "text/csv"
    disposition = download.headers["content-disposition"]
    assert re.fullmatch(r"attachment; filename=avala-tasks-\d{8}-\d{6}\.csv", disposition)
    wait_for_screen(page, "Exported 1")
    assert not list(tmp_path.glob("avala-tasks-*")), "the export was left on the server"
    page.bring_to_front()
    page.focus(".xterm-helper-textarea")

    page.keyboard.press("Enter")  # into the detail pane: its border turns heavy
    wait_for(lambda: "┃ UID" in screen(page), "the detail pane to take the focus")

    page.keyboard.press("/")  # the quick filter opens, with its prompt
    wait_for_screen(page, "filter loaded tasks")
    page.keyboard.type("box")
    filtered = wait_for_screen(page, "box", " loaded match")
    # The table's rows, right of the sidebar (whose status list says "○ pending" too).
    cells = [line.split("▕", 1)[1] for line in filtered.splitlines() if "▕" in line]
    rows = [cell for cell in cells if "○ pending" in cell or "✓ completed" in cell]
    assert rows and all(" box " in row for row in rows), filtered

    (session,) = child_pids(server.pid)
    page.close()  # the tab closes: the session's dashboard process ends
    wait_for(lambda: not child_pids(server.pid), "the session's process to end", 10)
    assert not Path(f"/proc/{session}").exists() or session not in child_pids(server.pid)
    assert server.poll() is None  # the server itself serves on
    assert time.monotonic() - started < BUDGET


def test_the_key_is_never_in_the_page_the_url_or_the_websocket(
    browser: Browser, tmp_path: Path
) -> None:
    started = time.monotonic()
    port = free_port()
    api = avala_tui(["demo-server", "--port", str(port), "--api-key", FAKE_KEY], tmp_path)
    base_url = f"http://127.0.0.1:{port}/api/v1"
    try:
        wait_for(lambda: _answers(base_url), "the demo API")
        served = serve(["--base-url", base_url], tmp_path, env={"AVALA_API_KEY": FAKE_KEY})
        url, server = next(served)
        try:
            frames: list[str | bytes] = []

            def capture(websocket: WebSocket) -> None:
                frames.append(websocket.url)
                websocket.on("framesent", lambda frame: frames.append(frame))
                websocket.on("framereceived", lambda frame: frames.append(frame))

            html = httpx.get(url).text
            page = open_dashboard(browser, url, on_websocket=capture)
            # The dashboard did use the key: its rows came from the API that demands it.
            drawn = wait_for_screen(page, "○ pending", " UID ")
            page.focus(".xterm-helper-textarea")
            page.keyboard.press("Y")  # the JSON of a task to the clipboard: no key in it
            wait_for_screen(page, "Copied the JSON")
            everything = [html, page.content(), page.url, drawn, *frames]
            assert len(frames) > 10
            for chunk in everything:
                text = chunk.decode("utf-8", "replace") if isinstance(chunk, bytes) else chunk
                assert FAKE_KEY not in text
            # Nor in the session's command line, which other users of the machine can read.
            (session,) = child_pids(server.pid)
            assert FAKE_KEY.encode() not in Path(f"/proc/{session}/cmdline").read_bytes()
            page.close()
        finally:
            served.close()
    finally:
        stop(api)
    assert time.monotonic() - started < BUDGET


def _answers(base_url: str) -> bool:
    try:
        httpx.get(f"{base_url}/tasks/", timeout=2)
    except httpx.TransportError:
        return False
    return True
