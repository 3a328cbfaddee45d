"""The closing fuzz test of issue 17: random hostile servers against the real dashboard.

A seeded generator builds, per example, a loopback server whose project lists, task
pages and get-task answers hold random hostile text (markup, escape sequences, C1
controls, combining floods, emoji sequences, bidi overrides, long strings, wrong
types) and random failures. The real dashboard runs headless against it while keys
are pressed; after each step the screen is rendered to terminal bytes and checked:

- no crash (the app is still running);
- no escape sequence from the data: no OSC, DCS or other non-CSI escape, no C1
  control, no BEL, and none of the marked CSI parameters the generator uses;
- a bounded request rate, and bounded memory growth over all examples.

Bounded in count (a fixed list of seeds) and time (each example a few seconds).
Chains of pages always end here: endless ``next`` links are the client's progress
rule to stop, tested with the client.
"""

from __future__ import annotations

import base64
import contextlib
import json
import random
import re
import time
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, OptionList

from avala_tui.ui.app import AvalaApp
from tests.api.stub_server import Received, Reply, StubServer, json_reply
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import screen_text, settle, terminal_output, wait_until

SEEDS = range(4)
#: Marked parameters: a CSI the app itself would never write.
_MARK = "9;9;9"
_ESCAPES = (
    f"\x1b[{_MARK}m",
    f"\x1b[{_MARK}H",
    "\x1b[2J",
    "\x1b]2;pwned\x07",
    "\x1b]8;;file:///etc/passwd\x1b\\link\x1b]8;;\x1b\\",
    "\x1b]52;c;cHduZWQ=\x07",
    "\x1bP+q544e\x1b\\",
    "\x1bc",
    f"\x9b{_MARK}m",
    "\x9d2;c1\x9c",
    "\x07",
    "\x00",
    "\x7f",
)
_MARKUP = (
    "[/]",
    "[b]",
    "[@click=app.quit]x[/]",
    '[link="file:///etc/passwd"]x[/link]',
    "[red on blue]",
    "\\[",
    "\\",
    "$accent",
    "[$text]",
)
_UNICODE = (
    "\u202e",
    "\u2066",
    "\u200b",
    "\u200d",
    "\ud800",
    "👍🏽",
    "❤️",
    "1️⃣",
    "👨‍👩‍👧",
    "🇺🇸",
    "交通",
    "\u2028",
    "\u0085",
    "\t",
    "\r\n",
)


def _hostile(rng: random.Random) -> Any:
    """A hostile value: mostly text, sometimes the wrong type."""
    roll = rng.random()
    if roll < 0.05:
        return rng.choice([None, 12345, 1.5e308, True, [], {"a": "[/]"}, ["\x1b[2J"]])
    parts: list[str] = []
    for _ in range(rng.randint(1, 8)):
        kind = rng.random()
        if kind < 0.3:
            parts.append(rng.choice(_ESCAPES))
        elif kind < 0.55:
            parts.append(rng.choice(_MARKUP))
        elif kind < 0.75:
            parts.append(rng.choice(_UNICODE))
        elif kind < 0.82:
            parts.append(rng.choice("aeo") + "\u0301" * rng.randint(3, 20_000))
        elif kind < 0.84:
            parts.append(rng.choice("Wx漢") * rng.randint(1_000, 20_000))
        else:
            parts.append("".join(rng.choice("abc xyz-_.") for _ in range(rng.randint(1, 20))))
    return "".join(parts)


class _World:
    """One random hostile server: its projects, its page chains, its failures."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.rng = rng
        self.projects = [
            {"uid": f"p{index}", "name": _hostile(rng), "status": _hostile(rng)}
            for index in range(rng.randint(0, 12))
        ]
        self.project_pages = max(1, rng.randint(1, 3))
        self.task_pages = rng.randint(1, 5)
        self.failure_rate = rng.choice([0.0, 0.1, 0.3])

    def _task(self, index: int) -> dict[str, Any]:
        rng = self.rng
        uid = f"t{index}-" + (_hostile(rng) if rng.random() < 0.3 else str(rng.random()))
        return {
            "uid": uid,
            "type": rng.choice(["image-annotation", "video-annotation", _hostile(rng)]),
            "name": _hostile(rng),
            "status": rng.choice(["pending", "completed", _hostile(rng)]),
            "project": rng.choice([p["uid"] for p in self.projects] or [None]),
            "created_at": rng.choice(["2025-01-09T08:00:00Z", _hostile(rng), None]),
            "updated_at": "2025-01-09T09:00:00Z",
            _hostile(rng) if rng.random() < 0.2 else "extra": _hostile(rng),
        }

    def _failure(self) -> Reply | None:
        rng = self.rng
        if rng.random() >= self.failure_rate:
            return None
        detail = _hostile(rng)
        return rng.choice(
            [
                json_reply(rng.choice([400, 404, 500, 503]), {"detail": detail}),
                Reply(500, str(detail).encode("utf-8", "surrogatepass"), {}),
                Reply(200, b"{not json", {"Content-Type": "application/json"}),
            ]
        )

    def __call__(self, request: Received) -> Reply:
        url = urlsplit(request.target)
        query = parse_qs(url.query)
        page = int(query.get("cursor", ["0"])[0] or 0) if "cursor" in query else 0
        failure = self._failure()
        if failure is not None:
            return failure
        if url.path == "/api/v1/users/me/projects/":
            size = max(1, len(self.projects) // self.project_pages)
            items = self.projects[page * size : (page + 1) * size]
            more = page + 1 < self.project_pages
            return self._page(items, page + 1 if more else None, url.path)
        if url.path == "/api/v1/tasks/":
            count = self.rng.choice([0, 1, 5, 30])
            items = [self._task(page * 100 + index) for index in range(count)]
            more = page + 1 < self.task_pages
            return self._page(items, page + 1 if more else None, url.path)
        return json_reply(200, self._task(0))

    def _page(self, items: list[dict[str, Any]], following: int | None, path: str) -> Reply:
        next_link = None if following is None else f"http://127.0.0.1{path}?cursor={following}"
        body = {"next": next_link, "previous": None, "results": items}
        # json.dumps escapes lone surrogates; the client must cope with what they decode to.
        return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


_OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")
_ESCAPE_OK = re.compile(r"\x1b\[[0-9;:?]*[A-Za-z]")


def _assert_no_data_escape(output: str) -> None:
    assert "\x1b]" not in output, "an OSC reached the terminal"
    assert "\x07" not in output
    assert not re.search(r"[\x80-\x9f]", output), "a C1 control reached the terminal"
    # Shown as text ("␛[9;9;9m") it is fine; as a sequence it is the data's.
    assert "\x1b[" + _MARK not in output, "a CSI from the data reached the terminal"
    # Every escape the app writes is a CSI (colours, cursor moves); nothing else.
    stripped = _ESCAPE_OK.sub("", output)
    assert "\x1b" not in stripped, repr(stripped[stripped.index("\x1b") :][:40])


def _terminal_width(text: str) -> int:
    """The width a terminal measuring code point by code point (tmux, xterm) gives ``text``."""
    width = 0
    for char in text:
        category = unicodedata.category(char)
        if category[0] == "M" or category == "Cf":
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def _assert_screen(app: AvalaApp) -> None:
    """The checks of every step: alive, no data escape, bounded bytes, agreed widths."""
    assert app.is_running, "the app quit"
    output = terminal_output(app)
    _assert_no_data_escape(output)
    width, height = app.size
    # Colours cost ~40 bytes a cell at most; a flood of combining marks costs megabytes.
    assert len(output.encode()) < 48 * width * height
    # Every line is as wide for the terminal as Rich thought: no row shifted by emoji.
    for line in screen_text(app).splitlines():
        assert _terminal_width(line) == width, repr(line)


def _rss_bytes() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * 4096


_KEYS = ("j", "j", "k", "G", "g", "enter", "escape", "y", "Y", "r", "comma", "full_stop", "d")


@pytest.mark.parametrize("seed", SEEDS)
async def test_random_hostile_servers_never_crash_or_reach_the_terminal(
    seed: int, make_dashboard: MakeDashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    rss_before = _rss_bytes()
    world = _World(seed)
    started = time.monotonic()
    async with StubServer(world) as stub:
        size = random.Random(seed).choice([(80, 24), (120, 40), (200, 50)])
        app = make_dashboard(base_url=stub.base_url, app_options={"detail_debounce": 0.01})
        async with app.run_test(size=size) as pilot:
            feed = app.dashboard.task_list.feed
            # A failure may stop the list early: what matters is what is on screen.
            with contextlib.suppress(AssertionError):
                await wait_until(pilot, lambda: feed.exhausted, within=2)
            await settle(pilot)
            _assert_screen(app)
            rng = random.Random(seed)
            writes: list[str] = []
            driver = app._driver
            assert driver is not None
            monkeypatch.setattr(driver, "write", writes.append)
            for key in rng.sample(_KEYS, k=6):
                await pilot.press(key)
                await pilot.pause()
                _assert_screen(app)
            # The palette lists every project name (Textual parses titles as markup),
            # when discovering and when highlighting a search's matches.
            for search in ("", "Project"):
                if not isinstance(app.screen, CommandPalette):
                    await pilot.press("ctrl+p")
                await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
                app.screen.query_one(Input).value = search
                options = app.screen.query_one(OptionList)
                await wait_until(pilot, lambda: options.option_count > 0)  # noqa: B023
                await pilot.pause(0.1)
                _assert_screen(app)
            await pilot.press("escape")
            await settle(pilot)
            # What the app wrote besides renders: copies, whose payload holds no control.
            for payload in _OSC52.findall("".join(writes)):
                copied = base64.b64decode(payload).decode()
                assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", copied)
    elapsed = time.monotonic() - started
    assert elapsed < 30
    # Finite page chains: a handful of requests a second, never a loop.
    assert len(stub.requests) / elapsed < 60, len(stub.requests)
    assert _rss_bytes() - rss_before < 300 * 1024 * 1024
