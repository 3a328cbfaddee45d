"""Settings precedence: flags over environment over the config file's profile."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from avala_tui.api.client import DEFAULT_BASE_URL
from avala_tui.config.settings import Settings, SettingsError, load_settings

CONFIG = """
default_profile = "work"

[profiles.work]
api_key = "file-key"
base_url = "https://work.example/api/v1/"
refresh = 30
status = "pending"

[profiles.staging]
base_url = "https://staging.example/api/v1"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    path.chmod(0o600)
    return path


def test_defaults_without_any_source(tmp_path: Path) -> None:
    settings = load_settings(env={}, path=tmp_path / "missing.toml")
    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.api_key is None
    assert settings.refresh == 15
    assert settings.profile == "default"


def test_profile_then_env_then_flags(config: Path) -> None:
    from_file = load_settings(env={}, path=config)
    assert from_file.api_key_value == "file-key"
    assert from_file.base_url == "https://work.example/api/v1"
    assert from_file.refresh == 30 and from_file.status == "pending"

    env = {"AVALA_API_KEY": "env-key", "AVALA_BASE_URL": "https://env.example/api/v1"}
    from_env = load_settings(env=env, path=config)
    assert from_env.api_key_value == "env-key"
    assert from_env.base_url == "https://env.example/api/v1"

    flags = {"base_url": "https://flag.example/api/v1", "refresh": 0.0, "status": None}
    from_flags = load_settings(flags=flags, env=env, path=config)
    assert from_flags.base_url == "https://flag.example/api/v1"
    assert from_flags.refresh == 0
    assert from_flags.status == "pending", "a flag not given does not override"


def test_named_profile_and_unknown_profile(config: Path) -> None:
    staging = load_settings(flags={"profile": "staging"}, env={}, path=config)
    assert staging.base_url == "https://staging.example/api/v1"
    assert staging.api_key is None
    with pytest.raises(SettingsError, match=r"No profile named 'nope'.*staging, work"):
        load_settings(flags={"profile": "nope"}, env={}, path=config)


def test_key_never_shows_in_repr(config: Path) -> None:
    settings = load_settings(env={}, path=config)
    assert "file-key" not in repr(settings)
    assert "file-key" not in repr(settings)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_readable_key_file_warns(config: Path) -> None:
    assert load_settings(env={}, path=config).warnings == ()
    config.chmod(0o644)
    (warning,) = load_settings(env={}, path=config).warnings
    assert "chmod 600" in warning


def test_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("default_profile = 'work'\n[profiles.work]\nrefresh = -1\ncolour = 'blue'\n")
    with pytest.raises(SettingsError, match=r"refresh.*colour|colour.*refresh"):
        load_settings(env={}, path=path)
    path.write_text("not toml = = =")
    with pytest.raises(SettingsError, match="Cannot read the config file"):
        load_settings(env={}, path=path)


def test_stale_after_from_the_profile_and_the_flag(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.default]\nstale_after = "48h"\n')
    assert load_settings(env={}, path=path).stale_after == timedelta(hours=48)
    flagged = load_settings(flags={"stale_after": "90m"}, env={}, path=path)
    assert flagged.stale_after == timedelta(minutes=90)
    assert load_settings(env={}, path=tmp_path / "none.toml").stale_after == timedelta(hours=24)


@pytest.mark.parametrize("value", ["2w", "48", "", "0h"])
def test_a_stale_after_that_cannot_be_read_names_its_profile(tmp_path: Path, value: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[profiles.default]\nstale_after = "{value}"\n')
    with pytest.raises(SettingsError, match="stale_after"):
        load_settings(env={}, path=path)


def test_settings_built_directly_are_checked_as_loaded_ones() -> None:
    with pytest.raises(SettingsError, match="refresh: must be 0 or more"):
        Settings(refresh=-1)
    with pytest.raises(SettingsError, match="web_url: must be an http"):
        Settings(web_url="javascript:alert(1)")
    with pytest.raises(SettingsError, match="notify"):
        Settings(notify="pager")
    with pytest.raises(SettingsError, match="stale_after: must be longer than 0"):
        Settings(stale_after=timedelta(0))
    settings = Settings(refresh=5, stale_after="2d")  # type: ignore[arg-type]
    assert (settings.refresh, settings.stale_after) == (5.0, timedelta(days=2))
    assert isinstance(settings.refresh, float)
    assert settings.replace(refresh=0).refresh == 0.0
    with pytest.raises(SettingsError, match="refresh"):
        settings.replace(refresh=-3)
