"""The footer: the key hints that fit the width, most used first, never a cut word.

Textual's Footer lays every shown binding out in a row and lets the right end fall
off the screen: at 80 columns the last hint read "o Op". This one chooses which
hints to draw (see :func:`avala_tui.core.status.fit_hints`) and draws them whole.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from avala_tui.core.status import HINT_GAP, HINT_ORDER, fit_hints, hint_text


class KeyHints(Widget):
    """One line of key hints; a click on one runs its action."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-hints--key"}

    DEFAULT_CSS = """
    KeyHints {
        dock: bottom;
        height: 1;
        padding: 0 1;
        background: $footer-background;
        color: $footer-foreground;

        & > .key-hints--key {
            color: $footer-key-foreground;
            text-style: bold;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Where each drawn hint is, to run its action on a click: (start, end, action).
        self._spans: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self.refresh()

    def _hint_bindings(self) -> list[Binding]:
        """The shown bindings of the focused chain, in the order they give way."""
        shown: dict[str, Binding] = {}
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.show and active.enabled and binding.action not in shown:
                shown[binding.action] = binding
        rank = {binding_id: index for index, binding_id in enumerate(HINT_ORDER)}
        bindings = sorted(shown.values(), key=lambda b: rank.get(b.id or "", len(rank)))
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if self.app.ENABLE_COMMAND_PALETTE and palette is not None:
            bindings.append(palette.binding)
        return bindings

    def render(self) -> Text:
        width = self.content_region.width
        bindings = {self.app.get_key_display(binding): binding for binding in self._hint_bindings()}
        # Textual describes the palette's key as "palette"; the others are capitalised.
        hints = [(key, binding.description) for key, binding in bindings.items()]
        key_style = self.get_component_rich_style("key-hints--key", partial=True)
        text = Text(no_wrap=True, overflow="crop")
        self._spans = []
        for key, description in fit_hints(hints, width):
            if text:
                text.append(" " * HINT_GAP)
            start = text.cell_len
            text.append(key, style=key_style)
            text.append(hint_text("", description))
            self._spans.append((start, text.cell_len, bindings[key].action))
        return text

    async def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        for start, end, action in self._spans:
            if start <= offset.x < end:
                event.stop()
                await self.app.run_action(action, self.screen)
                return
