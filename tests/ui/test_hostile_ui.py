"""Hostile text from a server (issue 17) on every surface of the real dashboard.

A loopback stub serves projects and tasks whose names are Textual markup, escape
sequences and oversized strings. Each surface that can show server text is walked:
the sidebar, the command palette (discovery and search, prompt and help), the
projects error line, the status line, toasts, the header, the help and link
dialogs, the table and the detail pane. The app must not crash, must not act on
the markup (quit, link), and must write no escape sequence from the data.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, OptionList, Static

from avala_tui.config.state import AppState, StateFile
from avala_tui.core.text import clean
from avala_tui.ui.app import AvalaApp
from avala_tui.ui.screens.dialogs import LinkScreen
from avala_tui.ui.screens.help import HelpScreen
from avala_tui.ui.widgets.sidebar import ProjectList
from tests.api.stub_server import Received, Reply, StubServer, json_reply
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import screen_text, settle, terminal_output, wait_until

SIZE = (140, 36)
QUICK = {"detail_debounce": 0.01}

#: Project uid -> a name that is markup, a link, a click action or an escape sequence.
HOSTILE_PROJECTS = {
    "p-close": "[/]",
    "p-click": "[@click=app.quit]x[/]",
    "p-link": '[link="file:///etc/passwd"]x[/link]',
    "p-osc8": "\x1b]8;;file:///etc/passwd\x07y\x1b]8;;\x07",
    "p-backslash": "\\[b]tail\\",
}
#: A task uid holding ESC and BEL (an OSC 0 title sequence) and a markup close tag.
HOSTILE_UID = "t-\x1b]0;pwned\x07-[/]"
HOSTILE_TASK_NAME = "[@click=app.quit]task[/] \x1b[31mred \x9b1m\x7f\u202eevil"

#: What must never reach the terminal: an OSC 8 link to a file, an OSC 0/2 title.
# A real OSC 8 link ends its URL with ST (ESC \\); a cleaned name cut by the column may
# end right before one of Textual's own ESC [ sequences, which is harmless.
_FORBIDDEN = ("file:///etc/passwd\x1b\\", "\x1b]8;;file", "\x1b]0;pwned", "\x1b]2;pwned", "\x07y")


def _task(uid: str, name: str, project: str) -> dict[str, Any]:
    return {
        "uid": uid,
        "type": "image-annotation",
        "name": name,
        "status": "pending",
        "project": project,
        "created_at": "2025-01-09T08:00:00Z",
        "updated_at": "2025-01-09T09:00:00Z",
    }


class _Hostile:
    """Answers of a hostile server; the projects listing may fail first with a markup detail."""

    def __init__(self, *, projects_fail: int = 0) -> None:
        self.projects_fail = projects_fail

    def __call__(self, request: Received) -> Reply:
        url = urlsplit(request.target)
        query = parse_qs(url.query)
        if url.path == "/api/v1/users/me/projects/":
            if self.projects_fail:
                self.projects_fail -= 1
                return json_reply(400, {"detail": "[/] [@click=app.quit]q[/] \x1b]2;pwned\x07"})
            projects = [
                {"uid": uid, "name": name, "status": "active"}
                for uid, name in HOSTILE_PROJECTS.items()
            ]
            return json_reply(200, {"next": None, "previous": None, "results": projects})
        if url.path == "/api/v1/tasks/":
            project = query.get("project", ["p-close"])[0]
            tasks = [_task(HOSTILE_UID, HOSTILE_TASK_NAME, project)]
            return json_reply(200, {"next": None, "previous": None, "results": tasks})
        uid = unquote(url.path.removeprefix("/api/v1/tasks/").rstrip("/"))
        if uid == HOSTILE_UID:
            return json_reply(200, _task(HOSTILE_UID, HOSTILE_TASK_NAME, "p-close"))
        return json_reply(404, {"detail": "[/]"})


def _assert_inert(app: AvalaApp) -> None:
    assert app.is_running, "the app quit (a [@click=app.quit] acted?)"
    output = terminal_output(app)
    for forbidden in _FORBIDDEN:
        assert forbidden not in output
    # Every OSC in the output is the app's own (none here: no hyperlink dialog is open).
    assert "\x1b]" not in output


async def _palette(app: AvalaApp, pilot: Any, search: str) -> list[str]:
    if not isinstance(app.screen, CommandPalette):
        await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    app.screen.query_one(Input).value = search
    options = app.screen.query_one(OptionList)
    await wait_until(pilot, lambda: options.option_count > 0)
    await pilot.pause(0.1)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_hostile_project_names_are_literal_in_the_sidebar_and_the_palette(
    make_dashboard: MakeDashboard,
) -> None:
    async with StubServer(_Hostile()) as stub:
        app = make_dashboard(base_url=stub.base_url, app_options=QUICK)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.query_one(ProjectList).option_count == 6)
            await settle(pilot)
            text = screen_text(app)
            for name in HOSTILE_PROJECTS.values():
                assert clean(name)[:18] in text
            _assert_inert(app)

            # Discovery (empty search): Textual would parse a SystemCommand title as markup.
            prompts = "\n".join(await _palette(app, pilot, ""))
            for name in HOSTILE_PROJECTS.values():
                assert f"Project: {clean(name)}" in prompts
            _assert_inert(app)
            # Search: the highlighted match is built without parsing markup too.
            for uid, name in HOSTILE_PROJECTS.items():
                prompts = "\n".join(await _palette(app, pilot, "Project: " + clean(name)))
                assert f"Project: {clean(name)}" in prompts, uid
                _assert_inert(app)

            # Choosing one applies its filter; the click action inside it does nothing.
            await _palette(app, pilot, "Project: " + HOSTILE_PROJECTS["p-click"])
            await pilot.press("enter")
            await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette))
            await settle(pilot)
            assert app.dashboard.task_list.feed.filters.project == "p-click"
            await pilot.click(ProjectList)
            await pilot.pause()
            _assert_inert(app)


async def test_a_projects_error_in_markup_shows_literally_and_r_retries(
    make_dashboard: MakeDashboard,
) -> None:
    """Issue 17 points 1 and 9: a `{"detail": "[/]"}` answer crashed the app at start."""
    async with StubServer(_Hostile(projects_fail=1)) as stub:
        app = make_dashboard(base_url=stub.base_url, app_options=QUICK)
        async with app.run_test(size=SIZE) as pilot:
            error = app.query_one("#projects-error", Static)
            await wait_until(pilot, lambda: error.display)
            await settle(pilot)
            shown = str(error.render())
            # Markup as its characters; the controls spelt out (the client escapes them in
            # error messages, which also reach stderr and logs).
            assert "[/] [@click=app.quit]q[/] \\x1b]2;pwned\\x07" in shown
            assert "r retries" in shown
            assert "⚠ projects:" in screen_text(app)
            _assert_inert(app)

            await pilot.press("r")
            await wait_until(pilot, lambda: app.query_one(ProjectList).option_count == 6)
            await settle(pilot)
            assert not error.display
            project_requests = [r for r in stub.requests if "/projects/" in r.target]
            assert len(project_requests) == 2


async def test_toasts_header_help_and_link_dialog_show_hostile_text_literally(
    make_dashboard: MakeDashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")
    monkeypatch.setattr("webbrowser.open", lambda *args, **kwargs: True)
    async with StubServer(_Hostile()) as stub:
        # The profile name comes from the user's files, and ends up in the header.
        app = make_dashboard(
            base_url=stub.base_url, app_options=QUICK, profile="[/]\x1b]2;pwned\x07"
        )
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.dashboard.task_list.feed.exhausted)
            await settle(pilot)
            assert "profile [/]␛]2;pwned␇" in (app.dashboard.sub_title or "")
            assert "profile [/]␛]2;pwned␇" in screen_text(app)
            assert "[@click=app.quit]task[/] ␛[31mred" in screen_text(app)
            _assert_inert(app)

            await pilot.press("y")
            await pilot.pause()
            toast = app._notifications
            assert any("t-␛]0;pwned␇-[/]" in n.message for n in toast)
            assert "t-␛]0;pwned␇-[/]" in screen_text(app)
            _assert_inert(app)

            await pilot.press("question_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
            _assert_inert(app)
            await pilot.press("escape")

            await pilot.press("o")
            await wait_until(pilot, lambda: isinstance(app.screen, LinkScreen))
            await pilot.pause()
            output = terminal_output(app)
            assert app.is_running
            # The link dialog's OSC 8 is the app's own, holding the uid percent-encoded.
            assert "\x1b]0;pwned" not in output
            assert "%1B%5D0%3Bpwned%07" in output


# ------------------------------------------------------------------ copying (point 13)

_OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


async def test_y_copies_the_cleaned_uid_and_capital_y_escaped_json(
    make_dashboard: MakeDashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    async with StubServer(_Hostile()) as stub:
        app = make_dashboard(base_url=stub.base_url, app_options=QUICK)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.dashboard.task_list.feed.exhausted)
            await settle(pilot)
            writes: list[str] = []
            driver = app._driver
            assert driver is not None
            monkeypatch.setattr(driver, "write", writes.append)

            await pilot.press("y")
            await pilot.press("Y")
            await pilot.pause()
            payloads = [
                base64.b64decode(found).decode() for found in _OSC52.findall("".join(writes))
            ]
            assert len(payloads) == 2
            uid_copy, json_copy = payloads
            assert uid_copy == clean(HOSTILE_UID) == "t-␛]0;pwned␇-[/]"
            assert not _CONTROLS.search(uid_copy)
            # Indented JSON breaks lines between values; no other control is left.
            assert not _CONTROLS.search(json_copy.replace("\n", ""))
            # The same JSON all the same: the escapes stand for the same characters.
            assert json.loads(json_copy)["uid"] == HOSTILE_UID
            assert json.loads(json_copy)["name"] == HOSTILE_TASK_NAME
            assert "\\u001b]0;pwned\\u0007" in json_copy


# ------------------------------------------------------------ long strings (point 4)


def _huge(request: Received) -> Reply:
    url = urlsplit(request.target)
    huge_name = "W" * 1_000_000
    huge_marks = "e" + "\u0301" * 100_000
    if url.path == "/api/v1/users/me/projects/":
        projects = [
            {"uid": "p-huge", "name": huge_name, "status": "active"},
            {"uid": "p-marks", "name": huge_marks, "status": "active"},
        ]
        return json_reply(200, {"next": None, "previous": None, "results": projects})
    if url.path == "/api/v1/tasks/":
        tasks = [
            _task(f"t-{index}", huge_name if index % 2 else huge_marks, "p-huge")
            for index in range(40)
        ]
        return json_reply(200, {"next": None, "previous": None, "results": tasks})
    uid = url.path.removeprefix("/api/v1/tasks/").rstrip("/")
    return json_reply(200, _task(uid, huge_name, "p-marks"))


async def test_megabyte_names_keep_keypresses_fast_and_output_bounded(
    make_dashboard: MakeDashboard,
) -> None:
    """Issue 17 points 4 and 5: seconds per keypress and megabytes to the terminal before."""
    async with StubServer(_huge) as stub:
        app = make_dashboard(base_url=stub.base_url, app_options=QUICK)
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_until(pilot, lambda: app.dashboard.task_list.feed.exhausted, within=20)
            await wait_until(pilot, lambda: app.query_one(ProjectList).option_count == 3)
            await settle(pilot)
            slowest = 0.0
            for key in ("j", "j", "k", "G", "g"):
                started = time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                slowest = max(slowest, time.perf_counter() - started)
            # 11.7 s per keypress before (20 MB names); a loaded 2-core machine allowed for.
            assert slowest < 1.5
            # A whole 120x30 screen of such names: a few tens of KB, not 18 MB.
            assert len(terminal_output(app).encode()) < 200_000
            assert app.dashboard.sub_title is not None


# ------------------------------------------------------- state writes (point 10)


class _SlowStateFile(StateFile):
    """A state file on a disk that takes half a second per fsync'd write."""

    threads: ClassVar[list[str]] = []

    def save(self, state: AppState) -> bool:
        type(self).threads.append(threading.current_thread().name)
        time.sleep(0.5)
        return super().save(state)


async def test_the_state_file_is_written_off_the_event_loop(
    make_dashboard: MakeDashboard, tmp_path: Path
) -> None:
    state = _SlowStateFile(tmp_path / "state.json")
    app = make_dashboard(app_options={**QUICK, "state": state})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        slowest = 0.0
        for _ in range(3):
            started = time.perf_counter()
            await pilot.press("comma")
            await pilot.pause()
            slowest = max(slowest, time.perf_counter() - started)
        # Each sort change froze the screen for the whole write before.
        assert slowest < 0.4
        chosen = app.remembered.sort
    assert chosen is not None
    # The last state reached the file, written from worker threads, not the loop's.
    assert StateFile(state.path).load().sort == chosen
    assert _SlowStateFile.threads
    assert threading.main_thread().name not in _SlowStateFile.threads[:-1]
