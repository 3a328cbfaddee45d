"""The config file's keymaps and saved views: where they come from, in what order, and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from avala_tui.config.settings import SavedView, SettingsError, load_settings, masked

CONFIG = """
default_profile = "work"

[keys]
reload = "ctrl+r"
help = "f1"

[views.everything]

[profiles.work.keys]
help = "h"

[profiles.work.views.zeta]
project = "Street scenes"
status = "pending"
query = "bbox"
sort = "updated"
reverse = true

[profiles.work.views.alpha]
status = "completed"

[profiles.other]
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return path


def test_keys_merge_the_top_level_table_under_the_profile(config: Path) -> None:
    settings = load_settings(env={}, path=config)
    assert settings.keys == {"reload": "ctrl+r", "help": "h"}
    other = load_settings(flags={"profile": "other"}, env={}, path=config)
    assert other.keys == {"reload": "ctrl+r", "help": "f1"}


def test_views_keep_the_order_of_the_file(config: Path) -> None:
    settings = load_settings(env={}, path=config)
    assert [view.name for view in settings.views] == ["everything", "zeta", "alpha"]
    assert settings.views[1] == SavedView(
        name="zeta",
        project="Street scenes",
        status="pending",
        query="bbox",
        sort="updated",
        reverse=True,
    )
    assert settings.profiles == ("work", "other")
    assert settings.config_file == config


def test_view_flag_presets_the_filters_and_flags_still_win(config: Path) -> None:
    settings = load_settings(flags={"view": "zeta"}, env={}, path=config)
    assert (settings.project, settings.status, settings.view) == (
        "Street scenes",
        "pending",
        "zeta",
    )
    assert settings.start_view is not None and settings.start_view.query == "bbox"
    flagged = load_settings(flags={"view": "zeta", "status": "completed"}, env={}, path=config)
    assert flagged.status == "completed" and flagged.project == "Street scenes"


def test_an_unknown_view_is_a_clear_error(config: Path) -> None:
    with pytest.raises(SettingsError, match=r"No view named 'nope'.*everything, zeta, alpha"):
        load_settings(flags={"view": "nope"}, env={}, path=config)


def test_a_bad_view_names_the_profile_and_field(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.default.views.v]\nsort = "colour"\nstatus = "done"\n')
    with pytest.raises(
        SettingsError, match=r"\[profiles.default\]: views.v.status: .*; views.v.sort"
    ):
        load_settings(env={}, path=path)
    path.write_text("[keys]\nreload = 5\n")
    with pytest.raises(SettingsError, match=r"config.toml: keys.reload"):
        load_settings(env={}, path=path)


def test_the_key_is_masked() -> None:
    assert masked(None) == "(not set)"
    assert masked("short") == "****"
    assert masked("sk-0123456789abcdef") == "****cdef"
