"""The ``?`` help screen: every key, read from the bindings (see :mod:`avala_tui.ui.keys`)."""

from __future__ import annotations

from collections.abc import Mapping

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from avala_tui.ui.keys import dashboard_key_rows


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

    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.keymap = dict(keymap or {})
        """The profile's keymap: the help shows the keys in effect."""

    def compose(self) -> ComposeResult:
        # Plain Text rather than a Rich Table: a Table inside an auto-width container
        # measures as zero cells wide, and the box would show empty.
        rows = dashboard_key_rows(self.keymap)
        keys_width = max(cell_len(keys) for keys, _ in rows)
        lines = Text()
        for keys, meaning in rows:
            lines.append(keys + " " * (keys_width - cell_len(keys) + 2), style="bold")
            lines.append(meaning + "\n")
        lines.rstrip()
        with VerticalScroll() as scroll:
            scroll.border_title = "avala-tui keys"
            yield Static(lines)
