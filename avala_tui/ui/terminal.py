"""Escape sequences that make copy and links work over SSH and inside tmux.

The clipboard is the terminal's, not the remote machine's: OSC 52 asks the
terminal the user sits at to set it, which works through SSH. tmux swallows
OSC 52 from programs unless its ``set-clipboard`` is ``on``; wrapped in a DCS
passthrough it reaches the outer terminal when ``allow-passthrough`` is on
instead. Inside tmux both forms are sent, since either option may be the one set.
"""

from __future__ import annotations

import base64
import os
import shutil
import sys
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import quote, urlsplit

from textual.app import App
from textual.content import Content
from textual.style import Style

from avala_tui.api.client import DEFAULT_BASE_URL

ESC: Final = "\x1b"
BEL: Final = "\x07"
#: Where Avala's web app lives (the official SDK points its viewer links there too).
AVALA_WEB_URL: Final = "https://avala.ai"
#: API hosts of Avala's own, whose web app is AVALA_WEB_URL.
_AVALA_API_HOSTS: Final = frozenset({"api.avala.ai", "server.avala.ai"})


def osc52(text: str) -> str:
    """The OSC 52 sequence that puts ``text`` on the terminal's clipboard."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"{ESC}]52;c;{payload}{BEL}"


def tmux_passthrough(sequence: str) -> str:
    """``sequence`` wrapped so tmux hands it to the outer terminal unchanged."""
    doubled = sequence.replace(ESC, ESC + ESC)
    return f"{ESC}Ptmux;{doubled}{ESC}\\"


def inside_tmux(env: Mapping[str, str] | None = None) -> bool:
    """Whether this program runs inside tmux."""
    env = os.environ if env is None else env
    return bool(env.get("TMUX"))


def title_sequence(title: str, *, tmux: bool) -> str:
    """Set the terminal title (OSC 2) and, inside tmux, the window name too."""
    sequence = f"{ESC}]2;{title}{BEL}"
    if tmux:
        # tmux names the window from this one (when its allow-rename is on).
        sequence += f"{ESC}k{title}{ESC}\\"
    return sequence


def write_to_terminal(app: App[Any], sequence: str) -> bool:
    """Write raw bytes to the app's terminal; False when there is none (not running)."""
    # Textual has no public way to write a sequence; its own copy_to_clipboard writes
    # through the driver the same way.
    driver = app._driver
    if driver is None:
        return False
    driver.write(sequence)
    return True


def served_by_browser(app: App[Any]) -> bool:
    """Whether the app runs in a browser tab (``avala-tui serve``) rather than a terminal.

    There copy, open and export are the browser's own: xterm.js turns OSC 52 into a
    clipboard write, ``open_url`` opens a tab, ``deliver_binary`` starts a download.
    """
    return app.is_web


def has_local_browser(env: Mapping[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Whether a browser opened here would show up in front of the user.

    Not over SSH (the browser would open on the remote machine), and on Linux only
    with a display to open it on; webbrowser would otherwise start a text browser
    inside the dashboard's terminal.
    """
    env = os.environ if env is None else env
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("SSH_CLIENT"):
        return False
    if platform == "darwin":
        return shutil.which("open") is not None
    if platform.startswith("win"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def web_origin(base_url: str) -> str:
    """The web app's origin for an API base URL: Avala's own, or the API's origin otherwise."""
    parts = urlsplit(base_url or DEFAULT_BASE_URL)
    if parts.hostname in _AVALA_API_HOSTS:
        return AVALA_WEB_URL
    return f"{parts.scheme}://{parts.netloc}"


def task_url(uid: str, project: str | None, *, base_url: str, web_url: str | None = None) -> str:
    """The web page of a task.

    ``web_url`` (the profile's setting) is either the web app's origin, to which
    ``/tasks/<uid>`` is added, or a template holding ``{uid}`` (and ``{project}``).
    """
    quoted_uid = quote(uid, safe="")
    quoted_project = quote(project or "", safe="")
    template = web_url or web_origin(base_url)
    if "{uid}" in template:
        return template.replace("{project}", quoted_project).replace("{uid}", quoted_uid)
    return f"{template.rstrip('/')}/tasks/{quoted_uid}"


def hyperlink(url: str, text: str | None = None) -> Content:
    """``text`` (the URL itself by default) as an OSC 8 hyperlink, drawn literally."""
    return Content.styled(text if text is not None else url, Style(underline=True, link=url))
