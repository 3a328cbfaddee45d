"""``avala-tui serve`` without a browser: its refusals, its banner, its sessions."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from avala_tui.cli.main import build_parser
from avala_tui.cli.serve import banner, is_loopback_host, refusal, session_argv
from tests.system.conftest import child_pids, serve, wait_for

REFUSAL = (
    "avala-tui: refusing to serve on 0.0.0.0, which is not a loopback address, because "
    "everyone who can reach the port would use the dashboard with your API key "
    "(add --allow-remote to do it anyway, or serve on 127.0.0.1 and use ssh -L)."
)


def test_a_non_loopback_host_without_allow_remote_is_refused_with_one_sentence() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "avala_tui", "serve", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=30,
        env={"AVALA_API_KEY": "k", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == REFUSAL + "\n"
    assert refusal("0.0.0.0") == REFUSAL


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("box.example.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_the_banner_says_how_to_reach_it_from_a_laptop_or_warns_about_the_key() -> None:
    local = "\n".join(banner("127.0.0.1", 8000, 4, remote=False))
    assert "http://127.0.0.1:8000" in local
    assert "ssh -L 8000:127.0.0.1:8000 " in local
    remote = "\n".join(banner("0.0.0.0", 8000, 4, remote=True))
    assert "everyone who reaches this port uses the dashboard with this API key" in remote


def _parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def test_sessions_run_the_dashboard_with_the_options_given_and_never_the_key() -> None:
    args = _parse(
        "serve",
        "--profile",
        "work",
        "--project",
        "p-1",
        "--status",
        "pending",
        "--refresh",
        "30",
        "--base-url",
        "https://api.example.com/api/v1",
    )
    assert session_argv(args)[1:] == [
        "-m",
        "avala_tui",
        "--base-url",
        "https://api.example.com/api/v1",
        "--profile",
        "work",
        "--project",
        "p-1",
        "--status",
        "pending",
        "--refresh",
        "30.0",
    ]
    # Options given before "serve" count too; --demo is passed on.
    assert session_argv(_parse("--status", "completed", "serve", "--demo"))[3:] == [
        "--status",
        "completed",
        "--demo",
    ]
    defaults = _parse("serve")
    assert (defaults.host, defaults.port, defaults.max_sessions, defaults.allow_remote) == (
        "127.0.0.1",
        8000,
        4,
        False,
    )


@pytest.fixture
def one_session(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    yield from serve(["--demo", "--max-sessions", "1"], tmp_path)


async def _first_bytes(websocket: aiohttp.ClientWebSocketResponse) -> bytes:
    while True:
        message = await websocket.receive(timeout=20)
        if message.type == aiohttp.WSMsgType.BINARY:
            return bytes(message.data)
        assert message.type == aiohttp.WSMsgType.TEXT, message


async def test_max_sessions_refuses_the_next_tab_with_a_message_and_a_closed_tab_frees_it(
    one_session: tuple[str, subprocess.Popen[str]],
) -> None:
    url, server = one_session
    ws_url = url.replace("http:", "ws:") + "/ws?width=100&height=30"
    async with aiohttp.ClientSession() as http:
        first = await http.ws_connect(ws_url)
        await _first_bytes(first)
        assert len(child_pids(server.pid)) == 1
        async with http.ws_connect(ws_url) as second:
            refused = await _first_bytes(second)
            assert b"all 1 sessions are in use" in refused
            assert len(child_pids(server.pid)) == 1
        await first.close()
        wait_for(lambda: not child_pids(server.pid), "the first session's process to end", 10)
        # The slot is given back once the session's stop has reaped its process, a moment
        # after the process is gone: a tab opened then is taken within a bounded time.
        deadline = time.monotonic() + 5.0
        while True:
            async with http.ws_connect(ws_url) as third:
                if b"sessions are in use" not in await _first_bytes(third):
                    assert len(child_pids(server.pid)) == 1
                    break
            assert time.monotonic() < deadline, "a closed tab never freed its session"
            await asyncio.sleep(0.2)


async def test_websockets_from_other_origins_and_rebound_host_names_are_refused(
    one_session: tuple[str, subprocess.Popen[str]],
) -> None:
    url, server = one_session
    ws_url = url.replace("http:", "ws:") + "/ws"
    async with aiohttp.ClientSession() as http:
        for headers in (
            {"Origin": "https://evil.example"},
            {"Origin": "http://127.0.0.1:1"},
            {"Host": "evil.example", "Origin": "http://evil.example"},
        ):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(ws_url, headers=headers)
            assert refused.value.status == 403
        # The page itself, reached by a name that is not loopback (DNS rebinding).
        async with http.get(url, headers={"Host": "evil.example"}) as rebound:
            assert rebound.status == 403
        async with http.get(url) as page:
            text = await page.text()
            assert page.status == 200 and f"ws://{url.split('//')[1]}/ws" in text
    assert not child_pids(server.pid)
