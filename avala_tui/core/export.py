"""Tasks as CSV and JSON, for the dashboard's export and the headless ``tasks`` command.

No Textual. Both formats carry every field the API sent:

* JSON: each task as the API returns it, undocumented fields included, times in
  UTC ISO 8601. Characters that could act on a terminal (controls, bidi and other
  format characters, line separators) are written as ``\\uXXXX`` escapes, which any
  JSON reader turns back into the same text.
* CSV (for spreadsheets): the fixed columns of ``CSV_COLUMNS``, ``project_name``
  beside the project's uid and ``extra`` holding the undocumented fields as a JSON
  object. An empty cell is a null. A cell beginning with ``= + - @``, a tab, a
  carriage return or ``'`` gets one ``'`` put in front, so a spreadsheet shows it
  as text instead of running it as a formula; drop that one ``'`` to get the value.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal, TextIO

from avala_tui.api.models import Task
from avala_tui.core.store import TaskRow

ExportFormat = Literal["csv", "json"]

CSV_COLUMNS: Final = (
    "uid",
    "name",
    "type",
    "status",
    "project",
    "project_name",
    "created_at",
    "updated_at",
    "extra",
)
#: Line ending of CSV output: spreadsheets take it, and line-based tools keep working.
CSV_LINE_END: Final = "\n"
#: First characters that make a spreadsheet read a cell as a formula (and the quote itself,
#: so that taking one leading quote away always gives the value back).
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r", "'")
_DOCUMENTED: Final = ("uid", "type", "name", "status", "project", "created_at", "updated_at")
_UNSAFE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_NON_ASCII: Final = re.compile(r"[^\x20-\x7e]")
# Indented JSON breaks lines between values; inside a string json.dumps escapes "\n" itself.
_NON_ASCII_OR_NEWLINE: Final = re.compile(r"[^\x20-\x7e\n]")


def iso_time(moment: datetime | None) -> str | None:
    """A time as the API writes it: ISO 8601 in UTC with a ``Z``, microseconds when any."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.isoformat().replace("+00:00", "Z")


def epoch_time(epoch: float | None) -> str | None:
    """An epoch time (as the store keeps it) the way ``iso_time`` writes it."""
    return None if epoch is None else iso_time(datetime.fromtimestamp(epoch, UTC))


def task_record(task: Task) -> dict[str, Any]:
    """A parsed task as the API sent it: documented fields first, then the others."""
    record: dict[str, Any] = {
        "uid": task.uid,
        "type": task.type,
        "name": task.name,
        "status": task.status,
        "project": task.project,
        "created_at": iso_time(task.created_at),
        "updated_at": iso_time(task.updated_at),
    }
    record.update(task.extra_fields)
    return record


def row_record(row: TaskRow) -> dict[str, Any]:
    """A loaded row as the API sent it (``task_record`` of the task it was made from)."""
    record: dict[str, Any] = {
        "uid": row.uid,
        "type": row.type,
        "name": row.name,
        "status": row.status,
        "project": row.project,
        "created_at": epoch_time(row.created),
        "updated_at": epoch_time(row.updated),
    }
    if row.extra:
        record.update(row.extra)
    return record


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if unicodedata.category(char) not in _UNSAFE_CATEGORIES:
        return char
    code = ord(char)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_text(value: object, *, indent: int | None = None) -> str:
    """JSON that is safe to print to a terminal (or paste) and means exactly ``value``.

    Compact by default; with ``indent``, one value per line.
    """
    if indent is None:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        # Outside strings JSON is plain ASCII, so every match is inside a string,
        # where a \\u escape stands for the same character.
        return _NON_ASCII.sub(_escape, text)
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _NON_ASCII_OR_NEWLINE.sub(_escape, text)


def protect_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (see the module's notes)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def unprotect_cell(text: str) -> str:
    """The value ``protect_cell`` was given."""
    return text[1:] if text.startswith("'") else text


def csv_cells(record: Mapping[str, Any], project_name: str | None) -> list[str]:
    """One CSV line's cells for a task record, in ``CSV_COLUMNS`` order."""
    extra = {key: value for key, value in record.items() if key not in _DOCUMENTED}
    values: dict[str, object] = {
        **{key: record.get(key) for key in _DOCUMENTED},
        "project_name": project_name,
        "extra": json.dumps(extra, ensure_ascii=False) if extra else None,
    }
    return [
        "" if (value := values[column]) is None else protect_cell(str(value))
        for column in CSV_COLUMNS
    ]


def export_name(fmt: ExportFormat, now: datetime) -> str:
    """``avala-tasks-YYYYmmdd-HHMMSS.csv`` (or ``.json``), in local time."""
    return f"avala-tasks-{now:%Y%m%d-%H%M%S}.{fmt}"


def _create(directory: Path, name: str) -> tuple[Path, TextIO]:
    """Open a new file, never an existing one: a second export in the same second gets -2."""
    stem, dot, suffix = name.rpartition(".")
    for number in range(1, 1000):
        path = directory / (name if number == 1 else f"{stem}-{number}{dot}{suffix}")
        try:
            # utf-8-sig for CSV: Excel reads the file as UTF-8 only when it starts with a BOM.
            encoding = "utf-8-sig" if suffix == "csv" else "utf-8"
            return path, path.open("x", encoding=encoding, newline="")
        except FileExistsError:
            continue
    raise FileExistsError(f"too many exports named {name} in {directory}")


def export_rows(
    rows: Iterable[TaskRow],
    fmt: ExportFormat,
    directory: Path,
    project_names: Mapping[str, str],
    *,
    now: datetime,
) -> tuple[Path, int]:
    """Write ``rows`` to a new file in ``directory``; returns its path and the tasks written."""
    path, handle = _create(directory, export_name(fmt, now))
    count = 0
    with handle:
        if fmt == "csv":
            writer = csv.writer(handle, lineterminator=CSV_LINE_END)
            writer.writerow(CSV_COLUMNS)
            for row in rows:
                name = None if row.project is None else project_names.get(row.project)
                writer.writerow(csv_cells(row_record(row), name))
                count += 1
        else:
            # One task per line inside the array: valid JSON that diffs and greps well.
            handle.write("[")
            for row in rows:
                handle.write(",\n" if count else "\n")
                handle.write(json_text(row_record(row)))
                count += 1
            handle.write("\n]\n")
    return path, count
