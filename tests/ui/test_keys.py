"""One source of truth for the keys: the bindings document themselves, help and README follow."""

from __future__ import annotations

from pathlib import Path

from avala_tui.ui.app import AvalaApp
from avala_tui.ui.keys import dashboard_key_rows, ids_by_meaning, markdown_table
from avala_tui.ui.screens.dashboard import DashboardScreen

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_key_table_is_the_bindings() -> None:
    table = markdown_table(dashboard_key_rows(), ids_by_meaning())
    assert table in README.read_text(encoding="utf-8"), (
        "README.md's key table differs from the bindings; paste this under '## Keys':\n" + table
    )


def test_every_shown_binding_is_documented() -> None:
    documented = {meaning for _, meaning in dashboard_key_rows()}
    for owner in (DashboardScreen, AvalaApp):
        for binding in owner.BINDINGS:
            assert not isinstance(binding, tuple)
            if binding.show:
                assert binding.tooltip in documented, binding


def test_each_documented_key_appears_once() -> None:
    keys = [keys for keys, _ in dashboard_key_rows()]
    assert len(keys) == len(set(keys))


def test_help_rows_follow_the_keymap() -> None:
    rows = dict((meaning, keys) for keys, meaning in dashboard_key_rows({"reload": "ctrl+r,f5"}))
    assert rows["reload (and retry after an error)"] == "Ctrl+R / F5"
    assert rows["open saved view 1–9 (in the config's order)"] == "1–9"
    moved = dict(
        (meaning, keys) for keys, meaning in dashboard_key_rows({"view-2": "x", "help": "?"})
    )
    assert (
        moved["open saved view 1–9 (in the config's order)"] == "1 / x / 3 / 4 / 5 / 6 / 7 / 8 / 9"
    )
    assert moved["this help"] == "?"
