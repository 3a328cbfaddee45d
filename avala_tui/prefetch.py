"""The first page of tasks and of projects, requested before the UI exists. Imports no Textual.

Over a slow link the first page is a quarter second or more away; importing and
starting Textual takes as long again. The launcher sends both first requests the
moment the client exists and the app awaits them instead of asking again, so the
wait for the network and the start of the UI overlap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from avala_tui.api.client import AvalaClient
from avala_tui.api.models import Page, Project, Task

T = TypeVar("T")


def _retrieve(task: asyncio.Task[object]) -> None:
    # A request nobody took must not be logged as "exception was never retrieved".
    if not task.cancelled():
        task.exception()


def _started(awaitable: Awaitable[T]) -> asyncio.Task[T]:
    task = asyncio.ensure_future(awaitable)
    task.add_done_callback(_retrieve)
    return task


class FirstPages:
    """First pages already requested, each handed out at most once, to the same request."""

    def __init__(
        self,
        tasks: asyncio.Task[Page[Task]] | None = None,
        projects: asyncio.Task[Page[Project]] | None = None,
        *,
        project: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> None:
        self._tasks = tasks
        self._projects = projects
        self._task_query = (project, status, limit)

    @classmethod
    def request(
        cls, client: AvalaClient, *, project: str | None, status: str | None, limit: int
    ) -> FirstPages:
        """Send both first requests now; must be called with the app's event loop running."""
        return cls(
            _started(client.list_tasks(project=project, status=status, limit=limit)),
            _started(client.list_projects()),
            project=project,
            status=status,
            limit=limit,
        )

    def list_tasks(
        self,
        client: AvalaClient,
        *,
        project: str | None,
        status: str | None,
        cursor: str | None,
        limit: int,
    ) -> Awaitable[Page[Task]]:
        """The first page already requested when this is that request, else a new request."""
        task = self._tasks
        if task is not None and cursor is None and (project, status, limit) == self._task_query:
            self._tasks = None
            return task
        return client.list_tasks(project=project, status=status, cursor=cursor, limit=limit)

    def list_projects(self, client: AvalaClient, *, cursor: str | None) -> Awaitable[Page[Project]]:
        """The first page of projects already requested, else a new request."""
        task = self._projects
        if task is not None and cursor is None:
            self._projects = None
            return task
        return client.list_projects(cursor=cursor)

    def cancel(self) -> None:
        """Abandon the requests nobody took (the app ended first, or its filters differ)."""
        for task in (self._tasks, self._projects):
            if task is not None:
                task.cancel()
        self._tasks = self._projects = None
