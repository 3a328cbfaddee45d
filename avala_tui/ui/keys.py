"""Every key of the dashboard, read from the bindings themselves: the one source of truth.

The ``?`` help and the README's key table are both made from the bindings' own
``tooltip`` texts, so a key cannot be bound without being documented, or
documented without being bound (a test compares the README with
:func:`markdown_table`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

from textual.binding import Binding, BindingType
from textual.keys import format_key

#: Shown for the command palette, whose binding Textual makes for itself.
PALETTE_ROW: Final = ("Ctrl+P", "command palette: filters, themes")


def _bindings(owner: type) -> Iterator[Binding]:
    spec: list[BindingType] = owner.__dict__.get("BINDINGS", [])
    for item in spec:
        if isinstance(item, Binding):
            yield item


#: Key names as a person writes them (Textual's own display draws glyphs: ⏎, ⇥).
_KEY_NAMES: Final = {
    "enter": "Enter",
    "escape": "Esc",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "home": "Home",
    "end": "End",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "up": "↑",
    "down": "↓",
    "space": "Space",
}


def _key_name(key: str) -> str:
    if key in _KEY_NAMES:
        return _KEY_NAMES[key]
    if key.startswith("ctrl+"):
        return "Ctrl+" + key.removeprefix("ctrl+").upper()
    return format_key(key)


def _display(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    return " / ".join(_key_name(key.strip()) for key in binding.key.split(","))


def key_rows(owners: Iterable[type]) -> list[tuple[str, str]]:
    """(keys, what they do) for every binding of ``owners`` that documents itself, in order."""
    rows: list[tuple[str, str]] = []
    for owner in owners:
        for binding in _bindings(owner):
            row = (_display(binding), binding.tooltip)
            if binding.tooltip and row not in rows:
                rows.append(row)
    return rows


def dashboard_key_rows() -> list[tuple[str, str]]:
    """Every key of the dashboard: the table's, the screen's, then the app's."""
    # Imported here: this module is imported by the help screen, which they import.
    from avala_tui.ui.app import AvalaApp
    from avala_tui.ui.screens.dashboard import DashboardScreen
    from avala_tui.ui.widgets.detail import TaskDetail
    from avala_tui.ui.widgets.task_table import TaskTable

    rows = key_rows([TaskTable, TaskDetail, DashboardScreen, AvalaApp])
    help_row = next(index for index, (_, meaning) in enumerate(rows) if meaning == "this help")
    rows.insert(help_row, PALETTE_ROW)
    return rows


def markdown_table(rows: Iterable[tuple[str, str]]) -> str:
    """The README's key table."""
    lines = ["| key | action |", "| --- | --- |"]
    lines += [f"| `{keys}` | {meaning} |" for keys, meaning in rows]
    return "\n".join(lines)
