"""Issue 17 points 10 and 14, issue 12's last bullet: local files and flags that crashed.

Each bad input becomes one sentence on stderr naming the file, flag or variable,
and exit status 2; a damaged state file becomes a warning and a fresh state.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from pathlib import Path

import pytest

from avala_tui.cli import main
from avala_tui.cli.exit_codes import EXIT_CONFIG, EXIT_OK
from avala_tui.config.settings import SettingsError, load_settings
from avala_tui.config.state import (
    MAX_SCOPES,
    MAX_STATE_BYTES,
    AppState,
    Filters,
    StateFile,
)
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.server import DemoServer


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_TUI_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("AVALA_TUI_STATE", str(tmp_path / "state.json"))
    monkeypatch.setenv("AVALA_API_KEY", DEFAULT_API_KEY)
    monkeypatch.delenv("AVALA_BASE_URL", raising=False)


def _one_sentence(err: str, *names: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("avala-tui: ")
    assert "Traceback" not in err
    for name in names:
        assert name in lines[0]


# ------------------------------------------------------------------ config file


@pytest.mark.parametrize(
    "content",
    [
        'default_profile = "work"\n'.encode("utf-16"),
        b'default_profile = "w\xffork"\n',
    ],
    ids=["utf-16", "stray-0xff"],
)
def test_a_config_file_not_in_utf8_is_one_sentence_and_exit_2(
    content: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(content)
    monkeypatch.setenv("AVALA_TUI_CONFIG", str(path))
    assert main(["tasks", "--demo"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    _one_sentence(err, str(path), "UTF-8")


def test_a_key_in_any_profile_of_a_readable_file_warns(tmp_path: Path) -> None:
    """Point 14: the key of a profile not in use leaks just the same."""
    path = tmp_path / "config.toml"
    path.write_text(
        'default_profile = "work"\n[profiles.work]\nrefresh = 5\n'
        '[profiles.other]\napi_key = "sk-other"\n'
    )
    path.chmod(0o600)
    assert load_settings(env={}, path=path).warnings == ()
    path.chmod(0o644)
    (warning,) = load_settings(env={}, path=path).warnings
    assert str(path) in warning
    assert "chmod 600" in warning


def test_a_config_folder_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="is a folder"):
        load_settings(env={}, path=tmp_path)


# ------------------------------------------------------------------ state file


def test_a_state_file_of_nested_brackets_is_a_warning_and_a_fresh_state(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "state.json"
    path.write_text("[" * 100_000)
    with caplog.at_level(logging.WARNING, logger="avala_tui.config.state"):
        assert StateFile(path).load() == AppState()
    assert str(path) in caplog.text


def test_an_oversized_state_file_is_not_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "state.json"
    scopes = ",".join(f'"s{i}": {{"project": "p{i}"}}' for i in range(40_000))
    path.write_text(f'{{"version": 1, "theme": "nord", "filters": {{{scopes}}}}}')
    assert path.stat().st_size > MAX_STATE_BYTES
    with caplog.at_level(logging.WARNING, logger="avala_tui.config.state"):
        started = time.perf_counter()
        assert StateFile(path).load() == AppState()
        assert time.perf_counter() - started < 0.5
    assert "larger than" in caplog.text


def test_remembered_scopes_are_pruned_oldest_first(tmp_path: Path) -> None:
    state = AppState()
    for index in range(MAX_SCOPES + 10):
        state = state.with_filters(f"profile-{index} https://x", Filters(f"p{index}"))
    # Using an old scope again makes it the newest.
    state = state.with_filters("profile-12 https://x", Filters("again"))
    assert len(state.filters) == MAX_SCOPES
    assert list(state.filters)[-1] == "profile-12 https://x"
    assert "profile-0 https://x" not in state.filters
    assert "profile-41 https://x" in state.filters
    file = StateFile(tmp_path / "state.json")
    assert file.save(state)
    assert file.path.stat().st_size < 8 * 1024
    assert file.load() == state
    # A file written by an older version with more scopes is pruned on reading.
    many = AppState(filters={f"s{index}": Filters(f"p{index}") for index in range(100)})
    assert file.save(many)
    assert list(file.load().filters) == [f"s{index}" for index in range(100 - MAX_SCOPES, 100)]


# ----------------------------------------------------------------------- --debug


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("missing/debug.log", "folder does not exist"),
        (".", "is a folder"),
        ("file/debug.log", "not a folder"),
    ],
)
def test_a_debug_log_that_cannot_be_opened_is_one_sentence_and_exit_2(
    where: str,
    reason: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "file").write_text("")
    target = tmp_path / where
    assert main(["--demo", "--debug", str(target), "tasks"]) == EXIT_CONFIG
    _one_sentence(capsys.readouterr().err, "--debug", reason)


def test_a_debug_log_that_cannot_be_written_is_one_sentence_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if os.geteuid() == 0:
        # root writes anywhere; a read-only file of /proc refuses even root.
        target = Path("/proc/version")
    else:
        folder = tmp_path / "locked"
        folder.mkdir(mode=0o500)
        target = folder / "debug.log"
    assert main(["--demo", "--debug", str(target), "tasks"]) == EXIT_CONFIG
    _one_sentence(capsys.readouterr().err, "--debug", str(target))


def test_the_debug_log_is_created_readable_by_its_owner_only(
    tmp_path: Path, demo: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "debug.log"
    code = main(["--debug", str(log), "--base-url", demo.base_url, "tasks", "--limit", "1"])
    assert code == EXIT_OK, capsys.readouterr().err
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    # One that existed, readable by others, is closed to them too.
    log.chmod(0o644)
    main(["--debug", str(log), "--base-url", demo.base_url, "tasks", "--limit", "1"])
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


# ------------------------------------------------------------------------ flags


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["tasks", "--demo", "--limit", "abc"], "--limit"),
        (["tasks", "--demo", "--limit", "0"], "--limit"),
        (["--refresh", "soon", "--demo"], "--refresh"),
        (["--refresh", "nan", "--demo"], "--refresh"),
        (["demo-server", "--live-every", "x"], "--live-every"),
        (["demo-server", "--rate-limit", "-3"], "--rate-limit"),
    ],
)
def test_a_bad_flag_value_is_one_sentence_naming_the_flag(
    argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == EXIT_CONFIG
    err = capsys.readouterr().err
    _one_sentence(err, flag)
    assert "_positive_int" not in err
    assert "_non_negative_float" not in err
