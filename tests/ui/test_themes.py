"""Every theme offered keeps the cursor row readable in truecolor, 256 and 16 colours."""

from __future__ import annotations

from rich.color import Color
from textual.theme import BUILTIN_THEMES

from avala_tui.config.state import AppState
from avala_tui.core.contrast import MIN_RATIO_BOLD, contrast_ratio, readable, worst_ratio
from avala_tui.ui.app import OFFERED_THEMES
from avala_tui.ui.widgets.task_table import TaskTable
from tests.ui.conftest import MakeDashboard
from tests.ui.helpers import settle


def test_the_contrast_ratio_is_wcag_s() -> None:
    black, white = Color.parse("#000000").triplet, Color.parse("#ffffff").triplet
    assert black is not None and white is not None
    assert round(contrast_ratio(black, white), 1) == 21.0
    assert contrast_ratio(white, white) == 1.0


def test_a_pair_that_merges_in_16_colours_is_unreadable() -> None:
    # gruvbox's cursor row: distinct in truecolor, white on white under TERM=xterm.
    foreground, background = Color.parse("#fbf1c7"), Color.parse("#85a598")
    assert worst_ratio(foreground, background) < MIN_RATIO_BOLD
    assert not readable(foreground, background, bold=True)
    assert readable(Color.parse("#000000"), Color.parse("#ffffff"), bold=False)


async def test_the_offered_themes_are_exactly_the_readable_ones(
    make_dashboard: MakeDashboard,
) -> None:
    app = make_dashboard()
    assert set(app.available_themes) == OFFERED_THEMES
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.dashboard.query_one(TaskTable)
        table.focus()
        readable_themes = set()
        # Every built-in theme, offered or not, is measured.
        for theme in BUILTIN_THEMES.values():
            app.register_theme(theme)
        for name in sorted(BUILTIN_THEMES):
            app.theme = name
            await pilot.pause()
            cursor = table.get_component_rich_style("task-table--cursor")
            assert cursor.color is not None and cursor.bgcolor is not None
            if readable(cursor.color, cursor.bgcolor, bold=bool(cursor.bold)):
                readable_themes.add(name)
        assert readable_themes == OFFERED_THEMES
        assert "gruvbox" not in readable_themes


async def test_a_remembered_unreadable_theme_is_not_applied(make_dashboard: MakeDashboard) -> None:
    app = make_dashboard()
    app.remembered = AppState(theme="gruvbox")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
