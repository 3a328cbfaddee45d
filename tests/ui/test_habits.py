"""Keymaps, saved views, profiles at runtime and the About screen, driven with Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
import textual
from textual.widgets import Input

from avala_tui import __version__
from avala_tui.api.client import AvalaClient
from avala_tui.config.settings import Settings, SettingsError, load_settings
from avala_tui.config.state import StateFile
from avala_tui.core.view import Sort
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.data import MEDIUM_PROJECT, SMALL_PROJECT
from avala_tui.demo.server import DemoServer
from avala_tui.ui.app import AvalaApp, make_app
from avala_tui.ui.screens.about import AboutScreen
from avala_tui.ui.screens.help import HelpScreen
from avala_tui.ui.widgets.quick_filter import QuickFilter
from tests.ui.conftest import NOW
from tests.ui.helpers import header, list_queries, run_command, screen_text, settle, wait_until

SIZE = (120, 34)
DEBOUNCE = 0.01


@pytest.fixture(autouse=True)
def _no_user_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # A profile switch reads the environment, as a start does: the user's must not leak in.
    monkeypatch.delenv("AVALA_API_KEY", raising=False)
    monkeypatch.delenv("AVALA_BASE_URL", raising=False)


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


def _app(config: Path, *, state: StateFile | None = None, **flags: object) -> AvalaApp:
    settings = load_settings(flags={"refresh": 0, **flags}, env={}, path=config)
    assert settings.api_key_value is not None
    client = AvalaClient(settings.api_key_value, settings.base_url, max_retries=0)
    return make_app(settings, client, clock=lambda: NOW, state=state, detail_debounce=DEBOUNCE)


def _views_config(demo: DemoServer, keys: str = "") -> str:
    return f"""
[profiles.default]
api_key = "{DEFAULT_API_KEY}"
base_url = "{demo.base_url}"
{keys}
[profiles.default.views.shelf]
project = "{MEDIUM_PROJECT}"
status = "pending"
query = "box"
sort = "name"
reverse = true

[profiles.default.views.drone]
project = "{SMALL_PROJECT}"
status = "completed"
"""


# ------------------------------------------------------------------ keymaps


async def test_a_remapped_key_works_and_the_help_and_footer_show_it(
    tmp_path: Path, demo: DemoServer
) -> None:
    config = _config(
        tmp_path, _views_config(demo, '[profiles.default.keys]\nreload = "ctrl+r"\nsort = "f5"\n')
    )
    app = _app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo.api.clear_requests()
        await pilot.press("r")
        await settle(pilot)
        assert list_queries(demo) == [], "r no longer reloads"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert list_queries(demo), "ctrl+r reloads"
        await pilot.press("f5")
        await settle(pilot)
        assert app.dashboard.task_list.view.sort == Sort("name")
        footer = screen_text(app).splitlines()[-1]
        assert "^r Reload" in footer and "f5 Sort" in footer, footer

        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        text = screen_text(app)
        lines = [line for line in text.splitlines() if "reload (and retry" in line]
        assert len(lines) == 1 and "Ctrl+R" in lines[0] and " r " not in lines[0]
        (sort_line,) = [line for line in text.splitlines() if "sort by the next column" in line]
        assert "F5" in sort_line


def test_an_unknown_id_or_a_key_bound_twice_is_one_error_naming_the_file(
    tmp_path: Path, demo: DemoServer
) -> None:
    config = _config(
        tmp_path,
        _views_config(demo, '[profiles.default.keys]\nrelaod = "ctrl+r"\nexport = "p"\n'),
    )
    with pytest.raises(SettingsError) as caught:
        _app(config)
    message = str(caught.value)
    assert str(config) in message and "[profiles.default]" in message
    assert "unknown binding id 'relaod'" in message
    assert "key 'p' is bound twice: projects and export" in message


# ------------------------------------------------------------------ saved views


async def test_view_flag_opens_the_view(tmp_path: Path, demo: DemoServer) -> None:
    config = _config(tmp_path, _views_config(demo))
    app = _app(config, view="shelf")
    # The CLI resolves a project name before the app starts; here the app gets the uid.
    project = demo.api.project_uid(MEDIUM_PROJECT)
    app.settings = app.settings.replace(project=project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert list_queries(demo)[0] == {"project": project, "status": "pending", "limit": "100"}
        task_list = app.dashboard.task_list
        assert task_list.view.sort == Sort("name", reverse=True)
        assert app.query_one(QuickFilter).input.value == "box"
        assert task_list.view.query == "box"
        rows = list(app.dashboard.table.rows)
        assert rows and all("box" in (row.name or "").casefold() for row in rows)
        names = [row.name or "" for row in rows]
        assert names == sorted(names, reverse=True)


async def test_number_keys_open_the_views_in_the_order_defined(
    tmp_path: Path, demo: DemoServer
) -> None:
    config = _config(tmp_path, _views_config(demo))
    app = _app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo.api.clear_requests()
        await pilot.press("2")
        await settle(pilot)
        drone = demo.api.project_uid(SMALL_PROJECT)
        assert list_queries(demo)[0] == {"project": drone, "status": "completed", "limit": "100"}
        assert app.dashboard.sidebar.project == drone

        demo.api.clear_requests()
        await pilot.press("1")
        await settle(pilot)
        shelf = demo.api.project_uid(MEDIUM_PROJECT)
        assert list_queries(demo)[0] == {"project": shelf, "status": "pending", "limit": "100"}
        assert app.dashboard.task_list.view.query == "box"
        assert app.dashboard.task_list.view.sort == Sort("name", reverse=True)

        await pilot.press("9")
        await pilot.pause()
        assert any("No saved view 9" in str(n.message) for n in app._notifications)


async def test_the_palette_opens_a_view(tmp_path: Path, demo: DemoServer) -> None:
    config = _config(tmp_path, _views_config(demo))
    app = _app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo.api.clear_requests()
        await run_command(pilot, "View: drone", "View: drone")
        drone = demo.api.project_uid(SMALL_PROJECT)
        assert list_queries(demo)[0] == {"project": drone, "status": "completed", "limit": "100"}


async def test_opening_a_view_without_a_query_clears_the_quick_filter(
    tmp_path: Path, demo: DemoServer
) -> None:
    config = _config(tmp_path, _views_config(demo))
    app = _app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert app.dashboard.task_list.view.query == "box"
        await pilot.press("2")
        await settle(pilot)
        assert app.dashboard.task_list.view.query == ""
        assert not app.query_one(QuickFilter).is_open
        assert not isinstance(app.focused, Input)


# ------------------------------------------------------------------ profiles at runtime


async def test_switching_profile_from_the_palette(
    tmp_path: Path, demo: DemoServer, own_demo: DemoServer
) -> None:
    own_demo.api.add_task(own_demo.api.project_uid(SMALL_PROJECT), name="only on staging")
    config = _config(
        tmp_path,
        f"""
default_profile = "work"
[profiles.work]
api_key = "{DEFAULT_API_KEY}"
base_url = "{demo.base_url}"
[profiles.staging]
api_key = "{DEFAULT_API_KEY}"
base_url = "{own_demo.base_url}"
""",
    )
    app = _app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        work_host = demo.base_url.split("//")[1].split("/")[0]
        assert f"{work_host} · profile work" in header(app)
        old_client = app.client
        own_demo.api.clear_requests()
        await run_command(pilot, "Profile: staging", "Profile: staging")
        await wait_until(pilot, lambda: bool(list_queries(own_demo)))
        await settle(pilot)
        staging_host = own_demo.base_url.split("//")[1].split("/")[0]
        assert f"{staging_host} · profile staging" in header(app)
        assert app.settings.profile == "staging" and app.client is not old_client
        assert app.dashboard.table.rows[0].name == "only on staging"
        assert len(app.screen_stack) == 1
        assert isinstance(old_client, AvalaClient) and old_client._http.is_closed


async def test_a_profile_without_a_key_is_refused_and_nothing_changes(
    tmp_path: Path, demo: DemoServer
) -> None:
    config = _config(
        tmp_path,
        f"""
default_profile = "work"
[profiles.work]
api_key = "{DEFAULT_API_KEY}"
base_url = "{demo.base_url}"
[profiles.empty]
base_url = "{demo.base_url}"
""",
    )
    app = _app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        client = app.client
        await app.switch_profile("empty")
        await pilot.pause()
        assert app.client is client and app.settings.profile == "work"
        assert any("has no API key" in str(n.message) for n in app._notifications)


# ------------------------------------------------------------------ diagnostics


async def test_about_screen_from_f2_and_the_palette(tmp_path: Path, demo: DemoServer) -> None:
    config = _config(tmp_path, _views_config(demo))
    state = StateFile(tmp_path / "state.json")
    demo.api.rate_limit = 500
    app = _app(config, state=state)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, AboutScreen))
        await pilot.pause()
        text = screen_text(app)
        for expected in (
            __version__,
            textual.__version__,
            str(config),
            str(tmp_path / "state.json"),
            demo.base_url,
            "of 500 left",
        ):
            assert expected in text, (expected, text)
        (line,) = [line for line in text.splitlines() if "last error" in line]
        assert "last error   none " in line, line
        await pilot.press("escape")
        await run_command(pilot, "About", "About")
        assert isinstance(app.screen, AboutScreen)


async def test_about_shows_the_last_error_with_its_time(demo: DemoServer) -> None:
    settings = Settings(refresh=0)
    client = AvalaClient("wrong-key", demo.base_url, max_retries=0)
    app = make_app(settings, client, clock=lambda: NOW, detail_debounce=DEBOUNCE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.last_error is not None
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, AboutScreen))
        await pilot.pause()
        (line,) = [line for line in screen_text(app).splitlines() if "last error" in line]
        assert "13:00:00" in line and "authentication" in line.casefold(), line
