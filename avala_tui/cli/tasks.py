"""``avala-tui tasks``: the task list on stdout, for scripts and cron. No Textual.

Uses the dashboard's settings and client and prints each page as it arrives:
one page by default, every page with ``--all``, and at most ``--limit`` tasks.
Formats: ``table`` (plain, aligned, for people), ``csv`` and ``json`` (JSON
Lines: one task object per line, so a consumer can start before the end); see
:mod:`avala_tui.core.export` for what they hold. API text is printed literally:
the table and CSV on a terminal show control characters as symbols, JSON
escapes them. Exit codes: 0 ok, 2 configuration or a refused request, 3
authentication or permission, 4 network or server.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Callable, Mapping
from datetime import UTC
from typing import Final, Literal, TextIO

from avala_tui.api.client import AvalaClient
from avala_tui.api.models import Page, Project, Task
from avala_tui.api.paging import iter_pages
from avala_tui.cli.headless import run_headless
from avala_tui.config.settings import Settings
from avala_tui.core.export import CSV_COLUMNS, CSV_LINE_END, csv_cells, json_text, task_record
from avala_tui.core.feed import PAGE_SIZE
from avala_tui.core.projects import all_projects, resolve_project
from avala_tui.core.store import TaskRow
from avala_tui.core.text import clean, fit
from avala_tui.core.view import matcher

OutputFormat = Literal["table", "csv", "json"]
FORMATS: Final[tuple[OutputFormat, ...]] = ("table", "csv", "json")

#: Table columns and their widths; the name is last and never cut.
_TABLE: Final = (("UID", 36), ("STATUS", 11), ("TYPE", 22), ("CREATED", 20), ("PROJECT", 24))
_GAP: Final = "  "


#: Bold, for the table's heading line on a terminal.
_BOLD: Final = "\x1b[1m"
_RESET: Final = "\x1b[0m"


def use_color(out: TextIO, env: Mapping[str, str] | None = None) -> bool:
    """Whether to style output: only on a terminal, and never when NO_COLOR is set."""
    env = os.environ if env is None else env
    # https://no-color.org: any non-empty value turns color off.
    return not env.get("NO_COLOR") and out.isatty()


def _heading(out: TextIO, text: str) -> None:
    print(f"{_BOLD}{text}{_RESET}" if use_color(out) else text, file=out)


def _table_writer(out: TextIO, names: Mapping[str, str]) -> Callable[[Task], None]:
    _heading(out, _GAP.join(fit(title, width) for title, width in _TABLE) + _GAP + "NAME")

    def write(task: Task) -> None:
        created = task.created_at
        project = task.project
        cells = (
            clean(task.uid).ljust(36),
            fit(clean(task.status), 11),
            fit(clean(task.type), 22),
            fit(
                "—" if created is None else created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                20,
            ),
            fit(clean(None if project is None else names.get(project, project)), 24),
            clean(task.name, placeholder=""),
        )
        print(_GAP.join(cells).rstrip(), file=out)

    return write


def _csv_writer(out: TextIO, names: Mapping[str, str], terminal: bool) -> Callable[[Task], None]:
    writer = csv.writer(out, lineterminator=CSV_LINE_END)
    writer.writerow(CSV_COLUMNS)

    def write(task: Task) -> None:
        name = None if task.project is None else names.get(task.project)
        cells = csv_cells(task_record(task), name)
        # Redirected, CSV is exact; on a terminal nothing in it may act on the terminal.
        writer.writerow([clean(cell, placeholder="") for cell in cells] if terminal else cells)

    return write


def _json_writer(out: TextIO) -> Callable[[Task], None]:
    def write(task: Task) -> None:
        out.write(json_text(task_record(task)) + "\n")

    return write


def _writer(fmt: OutputFormat, out: TextIO, names: Mapping[str, str]) -> Callable[[Task], None]:
    if fmt == "json":
        return _json_writer(out)
    if fmt == "csv":
        return _csv_writer(out, names, out.isatty())
    return _table_writer(out, names)


async def _project_names(client: AvalaClient) -> dict[str, str]:
    names: dict[str, str] = {}
    async for page in iter_pages(lambda cursor: client.list_projects(cursor=cursor)):
        names.update((project.uid, project.name or project.uid) for project in page.items)
    return names


async def stream_tasks(
    client: AvalaClient,
    out: TextIO,
    *,
    fmt: OutputFormat,
    project: str | None = None,
    status: str | None = None,
    all_pages: bool = False,
    limit: int | None = None,
    page_size: int = PAGE_SIZE,
    query: str = "",
) -> int:
    """Print tasks page by page as they arrive; returns how many were printed.

    One page unless ``all_pages``; with a ``limit``, pages until that many tasks. A
    ``query`` (a saved view's quick filter) is matched here, on the tasks fetched.
    A server whose pages go nowhere (a cursor that comes back, empty pages that
    still point further) stops the walk with a PagingLoopError.
    """
    names = {} if fmt == "json" and not query else await _project_names(client)
    keep = matcher(query, names)
    write: Callable[[Task], None] | None = None
    printed = 0

    async def fetch(cursor: str | None) -> Page[Task]:
        size = page_size if limit is None else min(page_size, limit - printed)
        return await client.list_tasks(project=project, status=status, cursor=cursor, limit=size)

    one_page = not (all_pages or limit is not None)
    async for page in iter_pages(fetch, max_pages=1 if one_page else None):
        items = page.items
        if keep is not None:
            items = [task for task in items if keep(TaskRow.from_task(task))]
        if limit is not None:
            items = items[: limit - printed]
        if write is None:
            # Only once the API has answered: a failure prints nothing on stdout.
            write = _writer(fmt, out, names)
        for task in items:
            write(task)
        out.flush()
        printed += len(items)
        if limit is not None and printed >= limit:
            break
    return printed


#: The projects table: uid, status, then the name, never cut.
_PROJECT_TABLE: Final = (("UID", 36), ("STATUS", 12))
PROJECT_COLUMNS: Final = ("uid", "name", "status")


def write_projects(projects: list[Project], out: TextIO, fmt: OutputFormat) -> None:
    """Print projects as a table, CSV or JSON Lines (uid, name, status)."""
    if fmt == "json":
        for project in projects:
            record = {column: getattr(project, column) for column in PROJECT_COLUMNS}
            out.write(json_text(record) + "\n")
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator=CSV_LINE_END)
        writer.writerow(PROJECT_COLUMNS)
        terminal = out.isatty()
        for project in projects:
            cells = [project.uid, project.name or "", project.status or ""]
            writer.writerow([clean(cell, placeholder="") for cell in cells] if terminal else cells)
        return
    _heading(out, _GAP.join(fit(title, width) for title, width in _PROJECT_TABLE) + _GAP + "NAME")
    for project in projects:
        line = (clean(project.uid).ljust(36), fit(clean(project.status), 12))
        print((_GAP.join(line) + _GAP + clean(project.name, placeholder="")).rstrip(), file=out)


def run_projects(
    settings: Settings,
    *,
    fmt: OutputFormat = "table",
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the ``projects`` command; returns the exit status."""
    out = sys.stdout if out is None else out

    async def command(client: AvalaClient) -> None:
        write_projects(await all_projects(client), out, fmt)
        out.flush()

    return run_headless(settings, command, out=out, err=sys.stderr if err is None else err)


def run_tasks(
    settings: Settings,
    *,
    fmt: OutputFormat = "table",
    all_pages: bool = False,
    limit: int | None = None,
    page_size: int = PAGE_SIZE,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the ``tasks`` command; returns the exit status."""
    out = sys.stdout if out is None else out
    view = settings.start_view

    async def command(client: AvalaClient) -> None:
        project = settings.project
        if project is not None:
            project = await resolve_project(client, project)
        await stream_tasks(
            client,
            out,
            fmt=fmt,
            project=project,
            status=settings.status,
            all_pages=all_pages,
            limit=limit,
            page_size=page_size,
            query="" if view is None else view.query,
        )

    return run_headless(settings, command, out=out, err=sys.stderr if err is None else err)
