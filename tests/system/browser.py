"""Debian's Chromium driven by Playwright, and the served terminal's text read from xterm.js."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, Route, WebSocket

#: Debian's chromium (Playwright's own browser download is not reachable here).
CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: textual-serve's page keeps its xterm.js Terminal to itself; the test's copy of the
#: script hands it to the page's window (the served script is not changed).
_TERMINAL = "this.terminal=new "
_EXPOSED = "this.terminal=window.__avalaTerminal=new "
#: Every line of the terminal, as text.
SCREEN_JS = """() => {
    const terminal = window.__avalaTerminal;
    if (!terminal) return null;
    const buffer = terminal.buffer.active;
    const lines = [];
    for (let y = 0; y < terminal.rows; y++) {
        const line = buffer.getLine(buffer.viewportY + y);
        lines.push(line ? line.translateToString(true) : "");
    }
    return lines.join("\\n");
}"""


def require_chromium() -> None:
    """Skip without Chromium, except in CI (CI=true), where its absence is a failure."""
    if CHROMIUM.is_file():
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run the browser tests, and {CHROMIUM} is missing (see .ci/run)")
    pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def _expose_terminal(route: Route) -> None:
    response = route.fetch()
    script = response.text()
    assert script.count(_TERMINAL) == 1, "textual-serve's textual.js changed: update the test"
    route.fulfill(response=response, body=script.replace(_TERMINAL, _EXPOSED))


def _offline(route: Route) -> None:
    # The page asks Google for a font: nothing leaves the machine in a test.
    route.abort()


def open_dashboard(
    browser: Browser, url: str, on_websocket: Callable[[WebSocket], None] | None = None
) -> Page:
    """A tab of its own (own context, clipboard allowed) on the served page.

    Its terminal is readable through ``screen``; pages of other addresses are not fetched.
    """
    context = browser.new_context(
        viewport={"width": 1280, "height": 720},
        permissions=["clipboard-read", "clipboard-write"],
    )
    context.route("**/static/js/textual.js", _expose_terminal)
    context.route(lambda address: not address.startswith(url), _offline)
    page = context.new_page()
    if on_websocket is not None:
        page.on("websocket", on_websocket)
    page.goto(url)
    return page


def clipboard(page: Page) -> str:
    """The text on the browser's clipboard."""
    return str(page.evaluate("navigator.clipboard.readText()"))


def screen(page: Page) -> str:
    """The terminal's text, as drawn now."""
    text = page.evaluate(SCREEN_JS)
    return "" if text is None else str(text)
