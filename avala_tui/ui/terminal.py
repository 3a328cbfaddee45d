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
from collections.abc import Mapping
from typing import Any, Final

from textual.app import App
from textual.content import Content
from textual.style import Style

ESC: Final = "\x1b"
BEL: Final = "\x07"


def osc52(text: str) -> str:
    """The OSC 52 sequence that puts ``text`` on the terminal's clipboard."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"{ESC}]52;c;{payload}{BEL}"


def tmux_passthrough(sequence: str) -> str:
    """``sequence`` wrapped so tmux hands it to the outer terminal unchanged."""
    doubled = sequence.replace(ESC, ESC + ESC)
    return f"{ESC}Ptmux;{doubled}{ESC}\\"


def osc9(message: str) -> str:
    """The OSC 9 sequence that asks the terminal for a desktop notification."""
    return f"{ESC}]9;{message}{BEL}"


def alert_sequence(message: str, *, tmux: bool) -> str:
    """A bell, then an OSC 9 notification; inside tmux the OSC 9 is wrapped for passthrough.

    ``message`` must hold no control characters (clean it first): it is sent raw.
    """
    notification = osc9(message)
    # The bell is left bare: tmux handles it itself (its bell-action, the window flag).
    return BEL + (tmux_passthrough(notification) if tmux else notification)


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


def hyperlink(url: str, text: str | None = None) -> Content:
    """``text`` (the URL itself by default) as an OSC 8 hyperlink, drawn literally."""
    return Content.styled(text if text is not None else url, Style(underline=True, link=url))
