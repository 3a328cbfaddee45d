"""The ``/`` quick filter: one line under the task table that narrows the loaded rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

#: How long typing must pause before the rows are filtered (one pass over them per stop).
FILTER_DEBOUNCE_SECONDS: Final = 0.1


class QuickFilter(Horizontal):
    """A one-line filter input, hidden until opened; Esc clears and closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear", "Clear filter"),
    ]

    DEFAULT_CSS = """
    QuickFilter {
        height: 1;
        display: none;
        background: $boost;
        &.-open { display: block; }
        & > #quick-filter-prompt { width: auto; padding: 0 1; color: $text-accent; }
        & > Input { width: 1fr; }
    }
    """

    @dataclass
    class Changed(Message):
        """The query changed (after a short pause in typing)."""

        quick_filter: QuickFilter
        query: str

        @property
        def control(self) -> QuickFilter:
            """The filter that posted this."""
            return self.quick_filter

    @dataclass
    class Done(Message):
        """The user is done typing (Enter) or cleared the filter (Esc): back to the tasks."""

        quick_filter: QuickFilter

        @property
        def control(self) -> QuickFilter:
            """The filter that posted this."""
            return self.quick_filter

    def __init__(self, *, debounce: float = FILTER_DEBOUNCE_SECONDS, id: str | None = None) -> None:
        super().__init__(id=id)
        self.debounce = debounce
        self._timer: Timer | None = None
        self._posted = ""

    def compose(self) -> ComposeResult:
        yield Static("/", id="quick-filter-prompt", markup=False)
        yield Input(
            placeholder="filter loaded tasks: name, uid, type, status, project",
            compact=True,
            id="quick-filter-input",
        )

    @property
    def input(self) -> Input:
        """The text field."""
        return self.query_one(Input)

    @property
    def query_text(self) -> str:
        """The query as last announced."""
        return self._posted

    @property
    def is_open(self) -> bool:
        """Whether the filter line is shown."""
        return self.has_class("-open")

    def open(self) -> None:
        """Show the filter line and put the cursor in it."""
        self.add_class("-open")
        # Focus now, not after the queued events (as focus() would): what is typed
        # right after the / must land in the field.
        self.screen.set_focus(self.input)

    def set_query(self, query: str) -> None:
        """Show the filter line holding ``query`` and apply it now, without the debounce."""
        self.add_class("-open")
        with self.input.prevent(Input.Changed):
            self.input.value = query
        self._announce()

    def action_clear(self) -> None:
        """Clear the query and close the filter line."""
        self.input.value = ""
        self._announce()
        self.remove_class("-open")
        self.post_message(self.Done(self))

    def _announce(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        query = self.input.value
        if query != self._posted:
            self._posted = query
            self.post_message(self.Changed(self, query))

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.debounce, self._announce, name="quick filter")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._announce()
        if not self._posted.strip():
            self.remove_class("-open")
        self.post_message(self.Done(self))
