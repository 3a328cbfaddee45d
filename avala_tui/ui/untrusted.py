"""The one way text from outside (the API, a file, the user's config) reaches a Textual surface.

Textual parses strings as markup in many places: palette prompts and help, border
titles and subtitles, toasts unless told otherwise. A project named ``[/]`` would
crash the app there, ``[@click=app.quit]x[/]`` would quit it when clicked, and
``[link="file:///etc/passwd"]x[/link]`` would write a hyperlink to the terminal.
Content built from a plain string is never parsed; :func:`shown` is the only
constructor of such Content from outside text, so a test can walk every caller.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.widget import Widget

from avala_tui.core.text import MAX_CHARS, PLACEHOLDER, clean


def shown(
    value: object | None,
    *,
    placeholder: str = PLACEHOLDER,
    limit: int = MAX_CHARS,
    keep_newlines: bool = False,
) -> Content:
    """``value`` cleaned (no controls, bounded) as Content: every character shows as itself."""
    return Content(clean(value, placeholder=placeholder, limit=limit, keep_newlines=keep_newlines))


def notify_literal(
    node: Widget | App[Any],
    value: object,
    *,
    severity: SeverityLevel = "information",
    keep_newlines: bool = False,
) -> None:
    """A toast of ``value`` shown as it is (Textual builds ``Content(text)`` with markup off)."""
    text = shown(value, keep_newlines=keep_newlines).plain
    node.notify(text, severity=severity, markup=False)
