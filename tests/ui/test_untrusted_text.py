"""The reference's literal example, and hostile task names, through the whole dashboard.

A loopback stub serves the reference's example list page verbatim; its ``next`` link
(on server.avala.ai) leads to a second page of tasks whose names hold markup and
escape sequences. Everything must show as the characters it is, and nothing from
the data may reach the terminal as a control sequence.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from avala_tui.ui.widgets.sidebar import ProjectList
from tests.api.stub_server import Received, Reply, StubServer, json_reply
from tests.api.test_reference import GET_EXAMPLE, LIST_EXAMPLE, PROJECT, TASK_UID
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import screen_text, settle, terminal_output, wait_until

PROJECT_NAME = "[b]Fleet[/b] cams"
HOSTILE_NAMES = {
    "a1000000-0000-0000-0000-000000000001": "[bold red]x[/]",
    "a1000000-0000-0000-0000-000000000002": "a[/]b",
    "a1000000-0000-0000-0000-000000000003": "\x1b[31mred alert\x1b[0m",
    # A terminal-title escape (OSC 2): the classic way to smuggle text into a terminal.
    "a1000000-0000-0000-0000-000000000004": "\x1b]2;pwned\x07title",
}
#: How each hostile name must read on screen: control characters as their pictures.
SHOWN_AS = {
    "[bold red]x[/]": "[bold red]x[/]",
    "a[/]b": "a[/]b",
    "\x1b[31mred alert\x1b[0m": "␛[31mred alert␛[0m",
    "\x1b]2;pwned\x07title": "␛]2;pwned␇title",
}


def _task(uid: str, name: str) -> dict[str, Any]:
    return {
        "uid": uid,
        "type": "image-annotation",
        "name": name,
        "status": "pending",
        "project": PROJECT,
        "created_at": "2025-01-09T08:00:00Z",
        "updated_at": "2025-01-09T09:00:00Z",
    }


def _answer(request: Received) -> Reply:
    url = urlsplit(request.target)
    query = parse_qs(url.query)
    json_headers = {"Content-Type": "application/json"}
    if url.path == "/api/v1/users/me/projects/":
        project = {"uid": PROJECT, "name": PROJECT_NAME, "status": "active"}
        return json_reply(200, {"next": None, "previous": None, "results": [project]})
    if url.path == "/api/v1/tasks/":
        if "cursor" not in query:
            return Reply(200, LIST_EXAMPLE, json_headers)
        tasks = [_task(uid, name) for uid, name in HOSTILE_NAMES.items()]
        return json_reply(200, {"next": None, "previous": None, "results": tasks})
    uid = url.path.removeprefix("/api/v1/tasks/").rstrip("/")
    if uid == TASK_UID:
        return Reply(200, GET_EXAMPLE, json_headers)
    if uid in HOSTILE_NAMES:
        return Reply(200, json.dumps(_task(uid, HOSTILE_NAMES[uid])).encode(), json_headers)
    return json_reply(404, {"detail": "Not found."})


async def test_the_reference_example_and_hostile_names_show_literally(
    make_dashboard: MakeDashboard,
) -> None:
    async with StubServer(_answer) as stub:
        app = make_dashboard(base_url=stub.base_url, app_options={"detail_debounce": 0.01})
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_until(pilot, lambda: app.dashboard.task_list.feed.exhausted)
            await settle(pilot)
            # The second page was asked of the stub, with the cursor from the example's link.
            [second] = [r for r in stub.requests if "cursor=" in r.target]
            assert parse_qs(urlsplit(second.target).query)["cursor"] == ["cD0yMDI1"]

            table = app.dashboard.table
            assert [row.uid for row in table.rows] == [TASK_UID, *HOSTILE_NAMES]
            text = screen_text(app)
            assert PROJECT_NAME in text
            for shown in SHOWN_AS.values():
                assert shown in text
            assert app.query_one(ProjectList).option_count == 2

            # Each task in the detail pane, as get-task returned it.
            await wait_until(pilot, lambda: app.dashboard.detail.cache.get(TASK_UID) is not None)
            await pilot.pause()
            text = screen_text(app)
            assert TASK_UID in text
            assert "2025-01-10 08:00:00 UTC" in text
            assert "2025-01-18 14:30:00 UTC" in text
            for index, (uid, name) in enumerate(HOSTILE_NAMES.items(), start=1):
                table.cursor_row = index

                def fetched(uid: str = uid) -> bool:
                    return app.dashboard.detail.cache.get(uid) is not None

                await wait_until(pilot, fetched)
                await pilot.pause()
                assert app.dashboard.detail.shown_uid == uid
                detail_lines = screen_text(app).splitlines()
                assert any(SHOWN_AS[name] in line for line in detail_lines)

            output = terminal_output(app)
            assert "\x1b[31mred alert" not in output
            assert "\x1b]2;pwned" not in output
            assert "\x07" not in output
            assert SHOWN_AS["\x1b[31mred alert\x1b[0m"] in output
