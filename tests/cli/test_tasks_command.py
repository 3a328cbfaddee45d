"""``avala-tui tasks`` against the demo API: formats, paging, exit codes, pipes."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from avala_tui.cli import main
from avala_tui.cli.exit_codes import EXIT_AUTH, EXIT_CONFIG, EXIT_NETWORK, EXIT_OK
from avala_tui.core.export import CSV_COLUMNS, unprotect_cell
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.data import EDGE_CASE_PROJECT, EMPTY_PROJECT, SMALL_PROJECT
from avala_tui.demo.server import DemoServer

TASKS_PATH = "/api/v1/tasks/"
DOCUMENTED = ("uid", "type", "name", "status", "project", "created_at", "updated_at")
FORMULAS = ("=1+1", "+SUM(A1)", "-2", "@cmd", "'quoted")


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the user's config file nor their environment may leak into these runs."""
    monkeypatch.setenv("AVALA_TUI_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("AVALA_TUI_STATE", str(tmp_path / "state.json"))
    monkeypatch.setenv("AVALA_API_KEY", DEFAULT_API_KEY)
    monkeypatch.delenv("AVALA_BASE_URL", raising=False)


def _run(
    capsys: pytest.CaptureFixture[str], server: DemoServer, *args: str
) -> tuple[int, str, str]:
    code = main(["tasks", "--base-url", server.base_url, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _list_requests(server: DemoServer) -> list[dict[str, str]]:
    return [record.query for record in server.api.requests if record.path == TASKS_PATH]


def _from_csv(line: dict[str, str]) -> tuple[dict[str, Any], str | None]:
    """A task back from a CSV line: the documented unquoting, empty cells as nulls."""
    cells = {key: unprotect_cell(value) for key, value in line.items()}
    task: dict[str, Any] = {key: cells[key] or None for key in DOCUMENTED}
    if cells["extra"]:
        task.update(json.loads(cells["extra"]))
    return task, cells["project_name"] or None


def test_json_round_trips_every_field(capsys: pytest.CaptureFixture[str], demo: DemoServer) -> None:
    project = demo.api.project_uid(EDGE_CASE_PROJECT)
    code, out, err = _run(capsys, demo, "--project", project, "--all", "--format", "json")
    assert (code, err) == (EXIT_OK, "")
    lines = out.splitlines()
    assert [json.loads(line) for line in lines] == demo.api.tasks(project)
    # JSON Lines, each line terminal-safe: the escape sequence in a name is escaped.
    assert "\x1b" not in out
    assert any("\\u001b[31m" in line for line in lines)


def test_csv_round_trips_every_field_and_defuses_formulas(
    capsys: pytest.CaptureFixture[str], own_demo: DemoServer
) -> None:
    project = own_demo.api.project_uid(EDGE_CASE_PROJECT)
    for formula in FORMULAS:
        own_demo.api.add_task(project, name=formula)
    code, out, _ = _run(capsys, own_demo, "--project", project, "--all", "--format", "csv")
    assert code == EXIT_OK
    lines = list(csv.DictReader(io.StringIO(out, newline="")))
    assert list(lines[0]) == list(CSV_COLUMNS)
    back = [_from_csv(line) for line in lines]
    assert [task for task, _ in back] == own_demo.api.tasks(project)
    assert {name for _, name in back} == {EDGE_CASE_PROJECT}
    # Redirected, the output is exact: the escape sequence is there, for a program to read.
    assert any("\x1b[31m" in (task["name"] or "") for task, _ in back)
    raw_names = {line["name"] for line in lines}
    assert {"'" + formula for formula in FORMULAS} <= raw_names


def test_all_pages_to_the_end_one_request_per_page(
    capsys: pytest.CaptureFixture[str], demo: DemoServer
) -> None:
    project = demo.api.project_uid(SMALL_PROJECT)
    expected = [task["uid"] for task in demo.api.tasks(project)]
    code, out, _ = _run(capsys, demo, "--project", project, "--all", "--format", "json")
    assert code == EXIT_OK
    assert [json.loads(line)["uid"] for line in out.splitlines()] == expected
    assert len(_list_requests(demo)) == math.ceil(len(expected) / 100) > 2


def test_one_page_by_default_and_limit_pages_until_it(
    capsys: pytest.CaptureFixture[str], demo: DemoServer
) -> None:
    project = demo.api.project_uid(SMALL_PROJECT)
    expected = [task["uid"] for task in demo.api.tasks(project)]
    code, out, _ = _run(capsys, demo, "--project", project, "--format", "json")
    assert [json.loads(line)["uid"] for line in out.splitlines()] == expected[:100]
    assert len(_list_requests(demo)) == 1
    demo.api.clear_requests()
    code, out, _ = _run(capsys, demo, "--project", project, "--limit", "150", "--format", "json")
    assert code == EXIT_OK
    assert [json.loads(line)["uid"] for line in out.splitlines()] == expected[:150]
    assert [query.get("limit") for query in _list_requests(demo)] == ["100", "50"]


def test_the_table_is_plain_and_literal(
    capsys: pytest.CaptureFixture[str], demo: DemoServer
) -> None:
    project = demo.api.project_uid(EDGE_CASE_PROJECT)
    code, out, _ = _run(capsys, demo, "--project", project, "--all")
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[0].split() == ["UID", "STATUS", "TYPE", "CREATED", "PROJECT", "NAME"]
    assert len(lines) == 1 + len(demo.api.tasks(project))
    assert "\x1b" not in out
    assert "[bold red]x[/]" in out
    assert "␛[31mred alert" in out
    assert "segmentation second line" in out
    assert all(f"{EDGE_CASE_PROJECT[:23]}…" in line for line in lines[1:])


def test_an_empty_project_prints_just_the_header(
    capsys: pytest.CaptureFixture[str], demo: DemoServer
) -> None:
    project = demo.api.project_uid(EMPTY_PROJECT)
    code, out, _ = _run(capsys, demo, "--project", project, "--format", "csv")
    assert (code, out) == (EXIT_OK, ",".join(CSV_COLUMNS) + "\n")


def test_demo_mode_needs_no_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AVALA_API_KEY")
    code = main(["tasks", "--demo", "--limit", "3", "--format", "json"])
    assert code == EXIT_OK
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_exit_2_without_a_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, demo: DemoServer
) -> None:
    monkeypatch.delenv("AVALA_API_KEY")
    code, out, err = _run(capsys, demo)
    assert (code, out) == (EXIT_CONFIG, "")
    assert "AVALA_API_KEY" in err
    assert demo.api.requests == []


def test_exit_2_for_a_filter_the_api_refuses(
    capsys: pytest.CaptureFixture[str], demo: DemoServer
) -> None:
    # Shaped like a uid, so it goes to the API as one (a name would be looked up first).
    code, out, err = _run(capsys, demo, "--project", "00000000-0000-0000-0000-000000000000")
    assert (code, out) == (EXIT_CONFIG, "")
    assert "bad request" in err


def test_exit_3_for_a_wrong_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, demo: DemoServer
) -> None:
    monkeypatch.setenv("AVALA_API_KEY", "wrong-key-1234")
    code, out, err = _run(capsys, demo, "--format", "json")
    assert (code, out) == (EXIT_AUTH, "")
    assert "Invalid API key." in err
    assert "wrong-key-1234" not in err


def test_exit_4_when_the_server_is_gone(
    capsys: pytest.CaptureFixture[str], own_demo: DemoServer
) -> None:
    own_demo.stop()
    code, out, err = _run(capsys, own_demo, "--format", "json")
    assert (code, out) == (EXIT_NETWORK, "")
    assert err.startswith("avala-tui: ")


def test_a_closed_pipe_ends_quietly(demo: DemoServer, tmp_path: Path) -> None:
    """`avala-tui tasks --all | head -1`: the reader goes away; no traceback, status 0."""
    env = {
        **os.environ,
        "AVALA_API_KEY": DEFAULT_API_KEY,
        "AVALA_TUI_CONFIG": str(tmp_path / "absent.toml"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    command = [sys.executable, "-m", "avala_tui", "tasks", "--base-url", demo.base_url, "--all"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith(b"UID")
        process.stdout.close()
        code = process.wait(timeout=30)
        err = process.stderr.read()
    assert (code, err) == (EXIT_OK, b"")


def test_the_dashboard_refuses_a_project_name_it_cannot_find_before_starting(
    capsys: pytest.CaptureFixture[str], demo: DemoServer
) -> None:
    # A name costs one listing before the first page; none matching ends the start there.
    code = main(["--base-url", demo.base_url, "--project", "no such [bold]project"])
    captured = capsys.readouterr()
    assert (code, captured.out) == (EXIT_CONFIG, "")
    assert "No project has the uid or the exact name 'no such [bold]project'" in captured.err
