"""The About screen (F2 and the palette): versions, profile, API, files, rate limit, last error."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from avala_tui.core.text import clean


class AboutScreen(ModalScreen[None]):
    """Diagnostics worth pasting into a bug report; any of Esc, q or F2 closes it."""

    BINDINGS = [
        Binding("escape,q,f2", "dismiss", "Close", show=True),
    ]

    DEFAULT_CSS = """
    AboutScreen { align: center middle; }
    AboutScreen > VerticalScroll {
        width: auto; max-width: 90%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    AboutScreen Static { width: auto; max-width: 100%; }
    """

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        width = max(cell_len(label) for label, _ in self.rows)
        lines = Text()
        for label, value in self.rows:
            lines.append(label + " " * (width - cell_len(label) + 2), style="bold")
            # An error message or a path may hold text from the API or the user: made inert.
            lines.append(clean(value) + "\n")
        lines.rstrip()
        with VerticalScroll() as scroll:
            scroll.border_title = "About avala-tui"
            yield Static(lines)
