"""``avala-tui summary`` against the demo API: exact figures, formats, exit codes."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from avala_tui.cli import main, summary
from avala_tui.cli.exit_codes import EXIT_AUTH, EXIT_CONFIG, EXIT_NETWORK, EXIT_OK
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.data import EMPTY_PROJECT, LARGE_PROJECT, SMALL_PROJECT
from avala_tui.demo.server import DemoServer
from tests.conftest import ANCHOR

DOCUMENTED_KEYS = {
    "project",
    "name",
    "pending",
    "completed",
    "other",
    "oldest_pending_created_at",
    "created_last_24h",
    "completed_last_24h",
}


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_TUI_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("AVALA_TUI_STATE", str(tmp_path / "state.json"))
    monkeypatch.setenv("AVALA_API_KEY", DEFAULT_API_KEY)
    monkeypatch.delenv("AVALA_BASE_URL", raising=False)
    # The demo world is anchored: its last 24 hours are the 24 hours before the anchor.
    monkeypatch.setattr(summary, "current_time", lambda: ANCHOR)


def _run(
    capsys: pytest.CaptureFixture[str], server: DemoServer, *args: str
) -> tuple[int, str, str]:
    code = main(["summary", "--base-url", server.base_url, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _expected(rows: list[dict[str, Any]], project: str | None, name: str | None) -> dict[str, Any]:
    """The documented figures computed straight from the demo's rows."""
    statuses = Counter(row["status"] for row in rows)
    anchor = ANCHOR.timestamp()

    def within_a_day(text: str | None) -> bool:
        return text is not None and 0 <= anchor - datetime.fromisoformat(text).timestamp() < 86_400

    pending = [row["created_at"] for row in rows if row["status"] == "pending"]
    return {
        "project": project,
        "name": name,
        "pending": statuses.pop("pending", 0),
        "completed": statuses.pop("completed", 0),
        "other": dict(statuses),
        # The demo writes times as the API does (…Z), and ISO text sorts as time does.
        "oldest_pending_created_at": min(pending, default=None),
        "created_last_24h": sum(within_a_day(row["created_at"]) for row in rows),
        "completed_last_24h": sum(
            within_a_day(row["updated_at"]) for row in rows if row["status"] == "completed"
        ),
    }


def test_json_counts_every_project_and_the_total_exactly(
    capsys: pytest.CaptureFixture[str], demo: DemoServer
) -> None:
    code, out, err = _run(capsys, demo, "--format", "json")
    assert (code, err) == (EXIT_OK, "")
    lines = [json.loads(line) for line in out.splitlines()]
    projects = demo.api.projects
    assert len(lines) == len(projects) + 1
    for line, project in zip(lines, projects, strict=False):
        assert set(line) >= DOCUMENTED_KEYS
        rows = demo.api.tasks(project["uid"])
        assert {key: line[key] for key in DOCUMENTED_KEYS} == _expected(
            rows, project["uid"], project["name"]
        )
    total = lines[-1]
    assert {key: total[key] for key in DOCUMENTED_KEYS} == _expected(demo.api.tasks(), None, None)
    assert total["pending"] > 10_000 and total["completed_last_24h"] > 100
    # One request per 1,000 tasks, and one for the projects.
    list_requests = [r for r in demo.api.requests if r.path == "/api/v1/tasks/"]
    assert len(list_requests) == -(-len(demo.api.tasks()) // 1000)


def test_one_project(capsys: pytest.CaptureFixture[str], demo: DemoServer) -> None:
    uid = demo.api.project_uid(SMALL_PROJECT)
    code, out, _ = _run(capsys, demo, "--project", uid, "--format", "json")
    assert code == EXIT_OK
    first, total = (json.loads(line) for line in out.splitlines())
    expected = _expected(demo.api.tasks(uid), uid, SMALL_PROJECT)
    assert {key: first[key] for key in DOCUMENTED_KEYS} == expected
    assert {key: total[key] for key in DOCUMENTED_KEYS} == {
        **expected,
        "project": None,
        "name": None,
    }


def test_the_table_names_every_project_and_the_total(
    capsys: pytest.CaptureFixture[str], demo: DemoServer
) -> None:
    code, out, _ = _run(capsys, demo)
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["PROJECT", "PENDING", "DONE"]
    assert lines[-2].startswith("All projects")
    assert lines[-1] == "(stale: pending, not updated for 24h)"
    large = next(line for line in lines if line.startswith(LARGE_PROJECT))
    pending = demo.api.counts(demo.api.project_uid(LARGE_PROJECT))["pending"]
    assert f"{pending:,}" in large
    empty = next(line for line in lines if line.startswith(EMPTY_PROJECT))
    assert empty.split()[-1] == "—"


def _stale(rows: list[dict[str, Any]], hours: float) -> int:
    """Pending tasks not updated for more than ``hours`` before the anchor, from the rows."""
    anchor = ANCHOR.timestamp()
    return sum(
        anchor - datetime.fromisoformat(row["updated_at"] or row["created_at"]).timestamp()
        > hours * 3600
        for row in rows
        if row["status"] == "pending"
    )


@pytest.mark.parametrize(("flag", "hours"), [((), 24.0), (("--stale-after", "90m"), 1.5)])
def test_the_stale_count_follows_the_threshold(
    capsys: pytest.CaptureFixture[str], demo: DemoServer, flag: tuple[str, ...], hours: float
) -> None:
    code, out, _ = _run(capsys, demo, "--format", "json", *flag)
    assert code == EXIT_OK
    lines = [json.loads(line) for line in out.splitlines()]
    for line in lines:
        rows = demo.api.tasks(line["project"])
        assert (line["stale"], line["stale_after_hours"]) == (_stale(rows, hours), hours)
    # The demo's data tells the two thresholds apart, so the flag is seen to matter.
    assert _stale(demo.api.tasks(), 24.0) != _stale(demo.api.tasks(), 1.5)


def test_the_stale_threshold_from_the_profile_and_in_the_table(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    demo: DemoServer,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[profiles.default]\nstale_after = "2d"\n')
    monkeypatch.setenv("AVALA_TUI_CONFIG", str(config))
    code, out, _ = _run(capsys, demo)
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[-1] == "(stale: pending, not updated for 2d)"
    total = lines[-2].split()
    assert total[-2] == f"{_stale(demo.api.tasks(), 48.0):,}"
    # The flag wins over the profile.
    code, out, _ = _run(capsys, demo, "--stale-after", "36h")
    assert out.splitlines()[-1] == "(stale: pending, not updated for 36h)"


def test_a_duration_that_cannot_be_read_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], demo: DemoServer
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _run(capsys, demo, "--stale-after", "2 weeks")
    assert exit_info.value.code == 2
    assert "--stale-after" in capsys.readouterr().err


def test_exit_3_for_a_wrong_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, demo: DemoServer
) -> None:
    monkeypatch.setenv("AVALA_API_KEY", "wrong-key-1234")
    code, out, err = _run(capsys, demo, "--format", "json")
    assert (code, out) == (EXIT_AUTH, "")
    assert "wrong-key-1234" not in err


def test_exit_2_without_a_key_and_4_when_the_server_is_gone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, own_demo: DemoServer
) -> None:
    own_demo.stop()
    code, out, err = _run(capsys, own_demo, "--format", "json")
    assert (code, out) == (EXIT_NETWORK, "")
    assert err.startswith("avala-tui: ")
    monkeypatch.delenv("AVALA_API_KEY")
    code, out, _ = _run(capsys, own_demo)
    assert (code, out) == (EXIT_CONFIG, "")
