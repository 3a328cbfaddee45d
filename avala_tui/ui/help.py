"""The ``?`` help screen: every key, in one place."""

from __future__ import annotations

from typing import Final

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: Final[tuple[tuple[str, str], ...]] = (
    ("j / k, ↓ / ↑", "move through tasks (or options)"),
    ("PgDn / PgUp", "a screen down / up"),
    ("g / Home", "first task"),
    ("G / End", "last loaded task (loads the next page)"),
    ("Enter", "read the task in the detail pane"),
    ("Tab / Shift+Tab", "next / previous pane"),
    ("p", "projects"),
    ("s", "status filter"),
    ("t", "back to the task table"),
    ("d", "show or hide the detail pane"),
    ("r", "reload (and retry after an error)"),
    ("space", "pause / resume live refresh"),
    ("a", "mark every change seen (● new, ◆ changed)"),
    ("/", "filter the loaded tasks (Enter: back to them, Esc: clear)"),
    (", / .", "sort by the next column / reverse (or click a column)"),
    ("y / Y", "copy the task's uid / JSON (OSC 52: SSH and tmux too)"),
    ("o", "open in Avala (over SSH: show and copy the link)"),
    ("e", "export the loaded (filtered) tasks: CSV or JSON"),
    ("ctrl+p", "command palette: filters, themes"),
    ("?", "this help"),
    ("q", "quit"),
)


class HelpScreen(ModalScreen[None]):
    """Lists the keys; any of Esc, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", show=True),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: auto; max-width: 90%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    HelpScreen Static { width: auto; max-width: 100%; }
    """

    def compose(self) -> ComposeResult:
        # Plain Text rather than a Rich Table: a Table inside an auto-width container
        # measures as zero cells wide, and the box would show empty.
        keys_width = max(cell_len(keys) for keys, _ in KEYS)
        lines = Text()
        for keys, meaning in KEYS:
            lines.append(keys + " " * (keys_width - cell_len(keys) + 2), style="bold")
            lines.append(meaning + "\n")
        lines.rstrip()
        with VerticalScroll() as scroll:
            scroll.border_title = "avala-tui keys"
            yield Static(lines)
