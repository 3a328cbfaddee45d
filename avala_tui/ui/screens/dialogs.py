"""Small modal dialogs: choosing an export format, and a link to open elsewhere."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from avala_tui.core.export import ExportFormat
from avala_tui.ui.terminal import hyperlink

_DIALOG_CSS = """
    align: center middle;
    & > Vertical {
        width: auto; max-width: 90%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    & .dialog-hint { color: $text-muted; }
    /* Auto width all the way down: a 1fr child of an auto-width box measures as zero. */
    & Static, & OptionList { width: auto; }
"""


class ExportScreen(ModalScreen[ExportFormat | None]):
    """Asks for the export format; dismisses with it, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "choose('csv')", "CSV"),
        Binding("j", "choose('json')", "JSON"),
        Binding("escape,q", "choose('')", "Cancel"),
    ]

    DEFAULT_CSS = (
        "ExportScreen {" + _DIALOG_CSS + "& OptionList, & OptionList:focus { border: none; }}"
    )

    def __init__(self, count: int, filtered: bool) -> None:
        super().__init__()
        self.count = count
        self.filtered = filtered

    def compose(self) -> ComposeResult:
        which = "loaded tasks matching the filter" if self.filtered else "loaded tasks"
        with Vertical() as box:
            box.border_title = f"Export {self.count:,} {which}"
            yield OptionList(
                Option("c  CSV — documented columns and project name", id="csv"),
                Option("j  JSON — every field the API sent", id="json"),
            )
            yield Static("Written to the working directory. Esc cancels.", classes="dialog-hint")

    def action_choose(self, fmt: str) -> None:
        """Close with the chosen format ('' cancels)."""
        self.dismiss("csv" if fmt == "csv" else "json" if fmt == "json" else None)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose(event.option.id or "")


class LinkScreen(ModalScreen[None]):
    """Shows a URL as a hyperlink (OSC 8) for terminals where no browser can be opened."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q,o", "dismiss", "Close"),
    ]

    DEFAULT_CSS = "LinkScreen {" + _DIALOG_CSS + "}"

    def __init__(self, url: str, *, copied: bool) -> None:
        super().__init__()
        self.url = url
        self.copied = copied

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Open in Avala"
            yield Static(hyperlink(self.url), id="link-url")
            copied = "Copied to your clipboard.\n" if self.copied else ""
            hint = f"{copied}Ctrl-, Cmd- or Shift-click opens it. Esc closes."
            yield Static(Content(hint), classes="dialog-hint")
