"""The commands issue 15 added or changed: projects by name, `projects`, `--view`, `config`,
`completion`, and colour only for a terminal without NO_COLOR."""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from avala_tui.api.models import Project
from avala_tui.cli import main
from avala_tui.cli.completion import completion_script
from avala_tui.cli.exit_codes import EXIT_CONFIG, EXIT_OK
from avala_tui.cli.main import build_parser
from avala_tui.cli.tasks import use_color, write_projects
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.data import MEDIUM_PROJECT, SMALL_PROJECT
from avala_tui.demo.server import DemoServer

TASKS_PATH = "/api/v1/tasks/"
SECRET = "sk-habits-0123456789abcdef"


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("AVALA_TUI_CONFIG", str(path))
    monkeypatch.setenv("AVALA_TUI_STATE", str(tmp_path / "state.json"))
    monkeypatch.setenv("AVALA_API_KEY", DEFAULT_API_KEY)
    monkeypatch.delenv("AVALA_BASE_URL", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _task_queries(server: DemoServer) -> list[dict[str, str]]:
    return [record.query for record in server.api.requests if record.path == TASKS_PATH]


# ------------------------------------------------------------------ projects by name


def test_tasks_takes_a_project_name(capsys: pytest.CaptureFixture[str], demo: DemoServer) -> None:
    uid = demo.api.project_uid(SMALL_PROJECT)
    code, out, err = _run(
        capsys, "tasks", "--base-url", demo.base_url, "--project", SMALL_PROJECT, "--format", "json"
    )
    assert (code, err) == (EXIT_OK, "")
    assert _task_queries(demo)[0]["project"] == uid
    assert {json.loads(line)["project"] for line in out.splitlines()} == {uid}


def test_an_unknown_project_name_is_one_error_with_close_matches(
    capsys: pytest.CaptureFixture[str], demo: DemoServer
) -> None:
    code, out, err = _run(capsys, "tasks", "--base-url", demo.base_url, "--project", "Retail")
    assert (code, out) == (EXIT_CONFIG, "")
    assert err.count("\n") == 1
    assert "No project has the uid or the exact name 'Retail'" in err
    assert f"{MEDIUM_PROJECT} (" in err
    assert _task_queries(demo) == []


def test_the_dashboard_refuses_an_unknown_project_name_before_starting(
    capsys: pytest.CaptureFixture[str], demo: DemoServer
) -> None:
    code, out, err = _run(capsys, "--base-url", demo.base_url, "--project", "Retail")
    assert (code, out) == (EXIT_CONFIG, "")
    assert "close matches" in err and MEDIUM_PROJECT in err


def test_projects_lists_uid_name_status(
    capsys: pytest.CaptureFixture[str], demo: DemoServer
) -> None:
    uid = demo.api.project_uid(SMALL_PROJECT)
    code, out, err = _run(capsys, "projects", "--base-url", demo.base_url)
    assert (code, err) == (EXIT_OK, "")
    lines = out.splitlines()
    assert lines[0].split() == ["UID", "STATUS", "NAME"]
    assert any(line.startswith(uid) and line.endswith(SMALL_PROJECT) for line in lines)

    code, out, _ = _run(capsys, "projects", "--base-url", demo.base_url, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert list(rows[0]) == ["uid", "name", "status"]
    assert {"uid": uid, "name": SMALL_PROJECT, "status": rows[0]["status"]} in rows or any(
        row["uid"] == uid and row["name"] == SMALL_PROJECT for row in rows
    )

    code, out, _ = _run(capsys, "projects", "--base-url", demo.base_url, "--format", "json")
    records = [json.loads(line) for line in out.splitlines()]
    assert all(set(record) == {"uid", "name", "status"} for record in records)
    assert {"uid": uid, "name": SMALL_PROJECT} in [
        {"uid": r["uid"], "name": r["name"]} for r in records
    ]


# ------------------------------------------------------------------ saved views, headless


def test_tasks_takes_a_view_and_applies_its_quick_filter(
    capsys: pytest.CaptureFixture[str], demo: DemoServer, _no_user_config: Path
) -> None:
    _no_user_config.write_text(
        f'[views.shelf]\nproject = "{MEDIUM_PROJECT}"\nstatus = "pending"\nquery = "box"\n'
    )
    uid = demo.api.project_uid(MEDIUM_PROJECT)
    code, out, err = _run(
        capsys, "tasks", "--base-url", demo.base_url, "--view", "shelf", "--format", "json"
    )
    assert (code, err) == (EXIT_OK, "")
    assert _task_queries(demo)[0] == {"project": uid, "status": "pending", "limit": "100"}
    tasks = [json.loads(line) for line in out.splitlines()]
    assert tasks and all("box" in task["name"].casefold() for task in tasks)
    everything = [t for t in demo.api.tasks(uid, limit=100) if t["status"] == "pending"]
    assert len(tasks) < len(everything)


def test_an_unknown_view_is_exit_2(
    capsys: pytest.CaptureFixture[str], demo: DemoServer, _no_user_config: Path
) -> None:
    _no_user_config.write_text("[views.shelf]\n")
    code, _, err = _run(capsys, "tasks", "--base-url", demo.base_url, "--view", "nope")
    assert code == EXIT_CONFIG and "No view named 'nope'" in err and str(_no_user_config) in err


def test_a_bad_keymap_stops_the_dashboard_with_exit_2(
    capsys: pytest.CaptureFixture[str], _no_user_config: Path
) -> None:
    _no_user_config.write_text('[keys]\nreload = "q"\n')
    code, out, err = _run(capsys, "--demo")
    assert (code, out) == (EXIT_CONFIG, "")
    assert str(_no_user_config) in err and "key 'q' is bound twice: reload and quit" in err
    assert err.count("\n") == 1


# ------------------------------------------------------------------ config path / show


def test_config_path_and_show_with_the_key_masked(
    capsys: pytest.CaptureFixture[str], _no_user_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = _run(capsys, "config", "path")
    assert (code, out) == (EXIT_OK, f"{_no_user_config}\n")
    _no_user_config.write_text(
        f'[profiles.default]\napi_key = "{SECRET}"\nrefresh = 30\n[keys]\nreload = "ctrl+r"\n'
        '[views.mine]\nstatus = "pending"\n'
    )
    _no_user_config.chmod(0o600)
    monkeypatch.delenv("AVALA_API_KEY")
    code, out, err = _run(capsys, "config", "show")
    assert (code, err) == (EXIT_OK, "")
    assert SECRET not in out
    assert 'api_key = "****cdef"' in out
    assert "refresh = 30.0" in out and '"reload" = "ctrl+r"' in out
    assert '[views."mine"]\nstatus = "pending"' in out


# ------------------------------------------------------------------ completion


def _bash_complete(script: str, words: list[str]) -> list[str]:
    line = " ".join(f"'{word}'" for word in words)
    program = (
        f"{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _avala_tui; "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    result = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return result.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_comes_from_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    code, script, _ = _run(capsys, "completion", "bash")
    assert code == EXIT_OK
    assert {"tasks", "projects", "config", "completion"} <= set(
        _bash_complete(script, ["avala-tui", ""])
    )
    assert _bash_complete(script, ["avala-tui", "tasks", "--format", ""]) == [
        "table",
        "csv",
        "json",
    ]
    assert _bash_complete(script, ["avala-tui", "config", ""]) == ["-h", "--help", "path", "show"]
    assert "--view" in _bash_complete(script, ["avala-tui", "tasks", "--v"])

    # Made from the parser: an option added to it completes with no shell code written.
    parser = build_parser()
    parser.add_argument("--brand-new", choices=("x", "y"))
    script = completion_script(parser, "bash")
    assert _bash_complete(script, ["avala-tui", "--brand-new", ""]) == ["x", "y"]


def test_zsh_and_fish_completion(capsys: pytest.CaptureFixture[str]) -> None:
    code, zsh, _ = _run(capsys, "completion", "zsh")
    assert code == EXIT_OK and zsh.startswith("#compdef avala-tui\n") and "bashcompinit" in zsh
    code, fish, _ = _run(capsys, "completion", "fish")
    assert code == EXIT_OK
    assert (
        "complete -c avala-tui -n 'test (__avala_tui_path) = tasks' "
        "-l format -x -a 'table csv json'" in fish
    )
    assert "case 'config>show'" in fish
    parser = build_parser()
    parser.add_argument("--brand-new", help="it's new")
    assert "-l brand-new -x -d 'it\\'s new'" in completion_script(parser, "fish")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["completion", "tcsh"])
    assert isinstance(build_parser(), argparse.ArgumentParser)


# ------------------------------------------------------------------ NO_COLOR, pipes


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    projects = [Project(uid="u-1", name="One", status="active")]
    terminal = _Terminal()
    write_projects(projects, terminal, "table")
    assert terminal.getvalue().startswith("\x1b[1mUID")

    piped = io.StringIO()
    write_projects(projects, piped, "table")
    assert "\x1b" not in piped.getvalue()

    monkeypatch.setenv("NO_COLOR", "1")
    terminal = _Terminal()
    write_projects(projects, terminal, "table")
    assert "\x1b" not in terminal.getvalue()
    assert not use_color(_Terminal())
    assert use_color(_Terminal(), env={})
    assert not use_color(_Terminal(), env={"NO_COLOR": "yes"})
