"""Every key of the dashboard, read from the bindings themselves: the one source of truth.

The ``?`` help and the README's key table are both made from the bindings' own
``tooltip`` texts, so a key cannot be bound without being documented, or
documented without being bound (a test compares the README with
:func:`markdown_table`). A profile's ``keys`` table (binding id to keys) is the
keymap handed to ``App.set_keymap``; the help shows the keys in effect, and
:func:`check_keymap` refuses an unknown id or a key bound twice before the app starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Final

from textual.binding import Binding, BindingType
from textual.keys import _normalize_key_list, format_key

from avala_tui.config.settings import SettingsError

#: Shown for the command palette, whose binding Textual makes for itself.
PALETTE_ROW: Final = (
    "Ctrl+P",
    "command palette: filters, saved views, profiles, themes, about",
)


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
    if key[:1] == "f" and key[1:].isdigit():
        return key.upper()
    if key.startswith("ctrl+"):
        return "Ctrl+" + key.removeprefix("ctrl+").upper()
    return format_key(key)


Keymap = Mapping[str, str]


def normalize_keys(keys: str) -> str:
    """Keys as Textual names them ("?" is "question_mark"), comma-separated, no spaces."""
    # Textual's own normalisation, so that what is checked here is what set_keymap applies.
    return _normalize_key_list(keys)


def _display(binding: Binding, keymap: Keymap) -> str:
    remapped = keymap.get(binding.id) if binding.id else None
    if remapped:
        return " / ".join(_key_name(key) for key in normalize_keys(remapped).split(","))
    if binding.key_display:
        return binding.key_display
    return " / ".join(_key_name(key.strip()) for key in binding.key.split(","))


def _joined(displays: list[str]) -> str:
    # The nine view keys read better as a range than as nine names.
    if len(displays) > 2 and all(len(key) == 1 and key.isdigit() for key in displays):
        numbers = [int(key) for key in displays]
        if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            return f"{numbers[0]}–{numbers[-1]}"
    return " / ".join(displays)


def key_rows(owners: Iterable[type], keymap: Keymap | None = None) -> list[tuple[str, str]]:
    """(keys, what they do) for every binding of ``owners`` that documents itself, in order.

    Bindings that share a tooltip share a row; ``keymap`` (binding id to keys) overrides.
    """
    keymap = keymap or {}
    by_meaning: dict[str, list[str]] = {}
    for owner in owners:
        for binding in _bindings(owner):
            if not binding.tooltip:
                continue
            displays = by_meaning.setdefault(binding.tooltip, [])
            display = _display(binding, keymap)
            if display not in displays:
                displays.append(display)
    return [(_joined(displays), meaning) for meaning, displays in by_meaning.items()]


def binding_owners() -> list[type]:
    """The classes whose bindings make the dashboard's keys, in the help's order."""
    # Imported here: this module is imported by the help screen, which they import.
    from avala_tui.ui.app import AvalaApp
    from avala_tui.ui.screens.dashboard import DashboardScreen
    from avala_tui.ui.widgets.detail import TaskDetail
    from avala_tui.ui.widgets.task_table import TaskTable

    return [TaskTable, TaskDetail, DashboardScreen, AvalaApp]


def dashboard_key_rows(keymap: Keymap | None = None) -> list[tuple[str, str]]:
    """Every key of the dashboard: the table's, the screen's, then the app's."""
    rows = key_rows(binding_owners(), keymap)
    help_row = next(index for index, (_, meaning) in enumerate(rows) if meaning == "this help")
    rows.insert(help_row, PALETTE_ROW)
    return rows


#: The command palette's key: Textual binds it itself, with no id to remap.
_PALETTE_KEY: Final = "ctrl+p"


def binding_ids() -> dict[str, str]:
    """Every remappable binding id and its default keys (normalised)."""
    ids: dict[str, str] = {}
    for owner in binding_owners():
        for binding in _bindings(owner):
            if binding.id and binding.id not in ids:
                ids[binding.id] = normalize_keys(binding.key)
    return ids


def check_keymap(keymap: Keymap, source: str) -> None:
    """Refuse a keymap with an unknown binding id or a key bound twice, in one message.

    ``source`` names where the keymap came from (the config file and profile).
    """
    defaults = binding_ids()
    problems: list[str] = []
    unknown = [binding_id for binding_id in keymap if binding_id not in defaults]
    if unknown:
        problems.append(
            "unknown binding id "
            + ", ".join(repr(binding_id) for binding_id in unknown)
            + " (known: "
            + ", ".join(defaults)
            + ")"
        )
    effective = {
        binding_id: normalize_keys(keymap.get(binding_id) or keys).split(",")
        for binding_id, keys in defaults.items()
    }
    holders: dict[str, list[str]] = {_PALETTE_KEY: ["command palette"]}
    for binding_id, keys in effective.items():
        for key in keys:
            holders.setdefault(key, []).append(binding_id)
    # Only a key the user chose can clash: the defaults share keys across widgets on purpose.
    chosen = {
        key for binding_id in keymap if binding_id in effective for key in effective[binding_id]
    }
    for key in sorted(chosen):
        if len(holders.get(key, [])) > 1:
            problems.append(f"key {key!r} is bound twice: {' and '.join(holders[key])}")
    if problems:
        raise SettingsError(f"{source} keys: " + "; ".join(problems))


def ids_by_meaning() -> dict[str, list[str]]:
    """The binding ids behind each row of the help, for the README (what a keymap names)."""
    ids: dict[str, list[str]] = {}
    for owner in binding_owners():
        for binding in _bindings(owner):
            if binding.tooltip and binding.id:
                held = ids.setdefault(binding.tooltip, [])
                if binding.id not in held:
                    held.append(binding.id)
    return ids


def _id_cell(ids: list[str]) -> str:
    if len(ids) > 2:
        return f"`{ids[0]}` … `{ids[-1]}`"
    return ", ".join(f"`{binding_id}`" for binding_id in ids)


def markdown_table(
    rows: Iterable[tuple[str, str]], ids: Mapping[str, list[str]] | None = None
) -> str:
    """The README's key table; with ``ids``, a column of the binding ids a keymap names."""
    if ids is None:
        lines = ["| key | action |", "| --- | --- |"]
        lines += [f"| `{keys}` | {meaning} |" for keys, meaning in rows]
        return "\n".join(lines)
    lines = ["| key | action | id |", "| --- | --- | --- |"]
    lines += [
        f"| `{keys}` | {meaning} | {_id_cell(ids.get(meaning, []))} |" for keys, meaning in rows
    ]
    return "\n".join(lines)
