"""The benchmark harness's own logic (the benchmarks themselves never run in the suite)."""

from __future__ import annotations

import sys

import pytest

from benchmarks.harness import Result, Stat, markdown_table, pty_process, quiet_home

WRITER = """
import sys, time
sys.stdout.write("first Q7FI")
sys.stdout.flush()
time.sleep(0.2)
sys.stdout.write("RST row\\n")
sys.stdout.flush()
time.sleep(5)
"""


def test_a_name_split_across_two_writes_is_found() -> None:
    with quiet_home() as env, pty_process([sys.executable, "-c", WRITER], env) as run:
        seconds = run.wait_for(b"Q7FIRST", 10.0)
        assert seconds is not None
        assert 0.2 <= seconds < 10.0
        assert b"Q7FIRST" in run.output


def test_a_name_never_written_times_out_once_the_process_ends() -> None:
    with quiet_home() as env, pty_process([sys.executable, "-c", "print('other')"], env) as run:
        assert run.wait_for(b"Q7FIRST", 10.0) is None
        assert b"other" in run.output


def test_the_home_is_empty_and_no_key_leaks_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_API_KEY", "secret-of-the-user")
    monkeypatch.setenv("XDG_STATE_HOME", "/home/someone/.local/state")
    with quiet_home() as env:
        assert "AVALA_API_KEY" not in env
        assert env["XDG_STATE_HOME"].startswith(env["HOME"])
        assert env["TERM"] == "xterm-256color"


def test_a_statistic_reports_median_and_range() -> None:
    stat = Stat.of([0.3, 0.1, 0.2, 0.9])
    assert stat.median == pytest.approx(0.25)
    assert stat.format("ms", 1000, 0) == "250 ms (100–900, n=4)"
    with pytest.raises(ValueError):
        Stat.of([])


def test_the_table_escapes_pipes_and_lists_notes() -> None:
    rows = [
        Result("1", "a | b", "3", "≤ 4", "PASS", "why it is so"),
        Result("1a", "c", "5", "", "n/a"),
    ]
    text = markdown_table(rows)
    assert "| 1 | a \\| b | 3 | ≤ 4 | PASS |" in text
    assert "| 1a | c | 5 |  | n/a |" in text
    assert text.endswith("- **1**: why it is so")
