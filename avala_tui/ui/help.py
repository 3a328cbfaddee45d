"""The ``?`` help screen: every key, in one place."""

from __future__ import annotations

from typing import Final

from rich.table import Table
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
    """

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, meaning in KEYS:
            table.add_row(keys, meaning)
        with VerticalScroll() as scroll:
            scroll.border_title = "avala-tui keys"
            yield Static(table)
