"""Escape sequences, web links and the browser check behind y, Y and o."""

from __future__ import annotations

import base64

import pytest

from avala_tui.core.links import AVALA_WEB_URL, has_local_browser, task_url, web_origin
from avala_tui.ui.terminal import (
    hyperlink,
    inside_tmux,
    osc52,
    title_sequence,
    tmux_passthrough,
)


def test_osc52_carries_utf8_in_base64() -> None:
    sequence = osc52("交通 🚦\n")
    assert sequence.startswith("\x1b]52;c;") and sequence.endswith("\x07")
    assert base64.b64decode(sequence[7:-1]).decode() == "交通 🚦\n"


def test_tmux_passthrough_doubles_every_escape() -> None:
    assert tmux_passthrough("\x1b]52;c;eA==\x07") == "\x1bPtmux;\x1b\x1b]52;c;eA==\x07\x1b\\"
    assert inside_tmux({"TMUX": "/tmp/tmux-1000/default,1,0"})
    assert not inside_tmux({"TMUX": ""})


@pytest.mark.parametrize(
    ("env", "platform", "expected"),
    [
        ({"DISPLAY": ":0"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({}, "linux", False),
        ({"DISPLAY": ":0", "SSH_CONNECTION": "a b c d"}, "linux", False),
        ({"DISPLAY": ":0", "SSH_TTY": "/dev/pts/1"}, "linux", False),
        ({"SSH_CLIENT": "a b c"}, "win32", False),
        ({}, "win32", True),
    ],
)
def test_a_local_browser_only_without_ssh_and_with_a_display(
    env: dict[str, str], platform: str, expected: bool
) -> None:
    assert has_local_browser(env, platform) is expected


def test_the_web_app_of_avala_and_of_other_hosts() -> None:
    assert web_origin("https://api.avala.ai/api/v1") == AVALA_WEB_URL
    assert web_origin("https://server.avala.ai/api/v1") == AVALA_WEB_URL
    assert web_origin("https://avala.corp.example:8443/api/v1") == "https://avala.corp.example:8443"


def test_task_urls_quote_what_the_api_sent() -> None:
    base = "https://api.avala.ai/api/v1"
    assert task_url("a/b?c", None, base_url=base) == f"{AVALA_WEB_URL}/tasks/a%2Fb%3Fc"
    assert (
        task_url("u 1", "p\x1b", base_url=base, web_url="https://x.example/p/{project}/t/{uid}")
        == "https://x.example/p/p%1B/t/u%201"
    )
    assert task_url("u", None, base_url=base, web_url="https://x.example/") == (
        "https://x.example/tasks/u"
    )


def test_a_hyperlink_is_literal_text_with_a_link_style() -> None:
    link = hyperlink("https://x.example/[bold]")
    assert link.plain == "https://x.example/[bold]"
    assert link.spans[0].style.link == "https://x.example/[bold]"  # type: ignore[union-attr]


def test_title_names_the_tmux_window_only_inside_tmux() -> None:
    assert title_sequence("avala-tui · 3 pending", tmux=False) == "\x1b]2;avala-tui · 3 pending\x07"
    assert title_sequence("t", tmux=True) == "\x1b]2;t\x07\x1bkt\x1b\\"
