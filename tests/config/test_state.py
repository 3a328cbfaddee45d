"""The remembered state: where it lives, what it holds, how it is written and applied."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from avala_tui.config.paths import ENV_STATE_FILE, state_path
from avala_tui.config.settings import Settings
from avala_tui.config.state import (
    AppState,
    CensusMemory,
    Filters,
    StateFile,
    census_scope,
    remembered_settings,
    scope_of,
)
from avala_tui.core.census import EMPTY_FIGURES, CensusResult
from avala_tui.core.view import Sort

SECRET = "sk-remember-me-not-0123456789"


def test_the_path_follows_the_environment(tmp_path: Path) -> None:
    assert state_path({ENV_STATE_FILE: str(tmp_path / "s.json")}) == tmp_path / "s.json"
    default = state_path({})
    assert default.name == "state.json"
    assert "avala-tui" in str(default)


def test_a_round_trip_keeps_everything_and_never_the_key(tmp_path: Path) -> None:
    settings = Settings(api_key=SECRET, project="p-1", status="pending")
    state = AppState(theme="nord", sort=Sort("updated", reverse=True)).with_filters(
        scope_of(settings), Filters(settings.project, settings.status)
    )
    file = StateFile(tmp_path / "deep" / "state.json")
    assert file.save(state)
    assert file.load() == state
    text = file.path.read_text(encoding="utf-8")
    assert SECRET not in text
    assert json.loads(text)["sort"] == {"column": "updated", "reverse": True}
    # Atomic: the temporary file is renamed over the old one, none is left behind.
    assert sorted(path.name for path in file.path.parent.iterdir()) == ["state.json"]


def test_missing_or_damaged_files_start_afresh(tmp_path: Path) -> None:
    file = StateFile(tmp_path / "state.json")
    assert file.load() == AppState()
    file.path.write_text("{not json", encoding="utf-8")
    assert file.load() == AppState()
    file.path.write_text(
        json.dumps(
            {
                "theme": 7,
                "sort": {"column": "mark", "reverse": False},
                "filters": {
                    "a": {"project": "p", "status": "nonsense"},
                    "b": {"project": "p", "status": "completed"},
                    "c": "x",
                },
            }
        ),
        encoding="utf-8",
    )
    assert file.load() == AppState(filters={"b": Filters("p", "completed")})


def test_a_write_that_fails_is_reported_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert not StateFile(blocker / "state.json").save(AppState(theme="nord"))


def test_a_failed_rename_leaves_no_temporary_file(tmp_path: Path) -> None:
    # A directory where the file should be: the rename fails, even for root.
    (tmp_path / "state.json").mkdir()
    assert not StateFile(tmp_path / "state.json").save(AppState(theme="nord"))
    assert [path.name for path in tmp_path.iterdir()] == ["state.json"]


def test_flags_win_over_what_is_remembered_which_wins_over_the_profile() -> None:
    settings = Settings(project="from-profile", status="completed")
    state = AppState().with_filters(scope_of(settings), Filters("remembered", None))
    both = remembered_settings(settings, state, project_given=False, status_given=False)
    assert (both.project, both.status) == ("remembered", None)
    flagged = remembered_settings(settings, state, project_given=True, status_given=False)
    assert (flagged.project, flagged.status) == ("from-profile", None)


def test_filters_are_remembered_per_api() -> None:
    work = Settings(profile="work", base_url="https://api.avala.ai/api/v1")
    staging = Settings(profile="work", base_url="https://staging.example/api/v1")
    state = AppState().with_filters(scope_of(work), Filters("p-work", "pending"))
    assert remembered_settings(staging, state, project_given=False, status_given=False) == staging
    assert scope_of(Settings(demo=True)) == "demo"


def _counted() -> CensusResult:
    moment = datetime(2025, 3, 1, 12, tzinfo=UTC)
    return CensusResult(
        as_of=moment,
        projects={"p1": replace(EMPTY_FIGURES, pending=3)},
        total=replace(EMPTY_FIGURES, pending=3),
        counted=3,
        complete=True,
        ended_at=moment,
    )


def test_the_census_is_kept_per_profile_and_api_without_credentials(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    work = Settings(profile="work", base_url="https://u:secret@api.example/api/v1")
    scope = census_scope(work, work.base_url)
    assert "secret" not in scope and "api.example" in scope
    memory = CensusMemory.beside(state, scope)
    assert memory.load() is None
    assert memory.save(_counted())
    assert CensusMemory.beside(state, scope).load() == _counted()
    other_profile = census_scope(Settings(profile="home"), work.base_url)
    other_api = census_scope(work, "https://other.example/api/v1")
    for other in (other_profile, other_api):
        assert CensusMemory.beside(state, other).load() is None
    # A file copied under another scope's name is not that scope's.
    CensusMemory.beside(state, other_api).path.write_bytes(memory.path.read_bytes())
    assert CensusMemory.beside(state, other_api).load() is None
    assert not memory.save(replace(_counted(), complete=False))


@pytest.mark.parametrize(
    "content", [b"", b"{", b"[" * 100_000, b"\xff\xfe", b'{"scope": 1}', b"null", b"x" * 3_000_000]
)
def test_a_damaged_census_file_is_ignored(tmp_path: Path, content: bytes) -> None:
    memory = CensusMemory.beside(tmp_path / "state.json", "demo")
    memory.path.write_bytes(content)
    assert memory.load() is None
    assert memory.save(_counted()) and memory.load() == _counted()
