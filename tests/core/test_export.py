"""CSV and JSON export of loaded rows: exact, spreadsheet-safe, never overwriting."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

from avala_tui.api.models import Task
from avala_tui.core.export import (
    CSV_COLUMNS,
    csv_cells,
    epoch_time,
    export_rows,
    json_text,
    protect_cell,
    row_record,
    task_record,
    unprotect_cell,
)
from avala_tui.core.store import TaskRow

NOW = datetime(2025, 3, 1, 12, 30, 5)
PROJECT = "770a9600-g40d-63f6-c938-668877660000"
API_TASK: dict[str, object] = {
    "uid": "990c1800-i62f-85h8-e150-880099880000",
    "type": "lidar-camera-fusion",
    "name": '=HYPERLINK("http://evil")\x1b[31m\u202e',
    "status": "in_progress",
    "project": PROJECT,
    "created_at": "2025-01-10T08:00:00.123456Z",
    "updated_at": None,
    "priority": 3,
    "assignee": {"email": "mara@example.com"},
}


def _rows() -> list[TaskRow]:
    return [
        TaskRow.from_task(Task.read(API_TASK)),
        TaskRow("u2", None, None, None, None, None, None),
    ]


def test_records_are_what_the_api_sent() -> None:
    task = Task.read(API_TASK)
    assert task_record(task) == API_TASK
    assert row_record(TaskRow.from_task(task)) == API_TASK
    assert epoch_time(0.0) == "1970-01-01T00:00:00Z"


def test_json_text_is_terminal_safe_and_exact() -> None:
    value = {"name": "a\x1b[31m\u202e\u2028\x85\U000e0001交通 🚦", "n": None}
    text = json_text(value)
    for unsafe in ("\x1b", "\u202e", "\u2028", "\x85", "\U000e0001"):
        assert unsafe not in text
    assert "交通 🚦" in text
    assert json.loads(text) == value


def test_cells_that_would_be_formulas_are_quoted() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'quoted"):
        assert protect_cell(text) == "'" + text
        assert unprotect_cell(protect_cell(text)) == text
    assert protect_cell("box") == "box"
    cells = csv_cells(API_TASK, "Project & co")
    assert dict(zip(CSV_COLUMNS, cells, strict=True))["name"].startswith("'=HYPERLINK")
    assert json.loads(cells[-1]) == {"priority": 3, "assignee": {"email": "mara@example.com"}}


def test_export_csv_round_trips_and_names_the_file(tmp_path: Path) -> None:
    path, count = export_rows(_rows(), "csv", tmp_path, {PROJECT: "Lidar"}, now=NOW)
    assert (path.name, count) == ("avala-tasks-20250301-123005.csv", 2)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert list(lines[0]) == list(CSV_COLUMNS)
    first = {key: unprotect_cell(value) for key, value in lines[0].items()}
    assert first["name"] == API_TASK["name"]
    assert first["project_name"] == "Lidar"
    assert first["updated_at"] == ""
    assert json.loads(first["extra"])["assignee"] == {"email": "mara@example.com"}
    assert lines[1] == {**dict.fromkeys(CSV_COLUMNS, ""), "uid": "u2"}


def test_export_json_keeps_every_field_and_never_overwrites(tmp_path: Path) -> None:
    first, _ = export_rows(_rows(), "json", tmp_path, {}, now=NOW)
    second, count = export_rows(_rows()[:1], "json", tmp_path, {}, now=NOW)
    assert first.name == "avala-tasks-20250301-123005.json"
    assert second.name == "avala-tasks-20250301-123005-2.json"
    assert json.loads(first.read_text(encoding="utf-8"))[0] == API_TASK
    assert json.loads(second.read_text(encoding="utf-8")) == [API_TASK]
    assert count == 1
    assert json.loads(export_rows([], "json", tmp_path, {}, now=NOW)[0].read_text()) == []
