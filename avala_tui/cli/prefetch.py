"""A client whose first task and project pages were requested before the UI existed.

Over a slow link the first page is a quarter second or more away; importing and
starting Textual takes as long again. The launcher wraps the client in a
:class:`PrefetchingClient` the moment it exists, which sends both first requests
at once; when the app later asks for exactly those pages it gets the requests
already under way instead of new ones. To the app it is just a ``TasksAPI``.
Imports no Textual.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING, TypeVar

from avala_tui.api.client import AvalaClient, ClientStats, RateLimitStatus, Throttle
from avala_tui.api.models import Page, Project, Task

if TYPE_CHECKING:
    from avala_tui.api.tally import TaskTally

T = TypeVar("T")


def _retrieve(task: asyncio.Task[object]) -> None:
    # A request nobody took must not be logged as "exception was never retrieved".
    if not task.cancelled():
        task.exception()


def _started(awaitable: Awaitable[T]) -> asyncio.Task[T]:
    task = asyncio.ensure_future(awaitable)
    task.add_done_callback(_retrieve)
    return task


class PrefetchingClient:
    """An ``AvalaClient`` whose first pages are already on their way; each is handed out once."""

    def __init__(
        self,
        client: AvalaClient,
        *,
        project: str | None,
        status: str | None,
        limit: int,
    ) -> None:
        """Send both first requests now; must be called with the event loop running."""
        self.client = client
        self._task_query = (project, status, limit)
        self._tasks: asyncio.Task[Page[Task]] | None = _started(
            client.list_tasks(project=project, status=status, limit=limit)
        )
        self._projects: asyncio.Task[Page[Project]] | None = _started(client.list_projects())

    @property
    def base_url(self) -> str:
        """The API root requests go to."""
        return self.client.base_url

    @property
    def rate_limit(self) -> RateLimitStatus | None:
        """The X-RateLimit-* headers of the last response that carried any."""
        return self.client.rate_limit

    @property
    def throttle(self) -> Throttle:
        """The rate gate: until when no request leaves, and why."""
        return self.client.throttle

    @property
    def stats(self) -> ClientStats:
        """Counters of the traffic so far."""
        return self.client.stats

    async def list_tasks(
        self,
        *,
        project: str | None = None,
        status: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[Task]:
        """The first page already requested when this is that request, else a new request."""
        task = self._tasks
        if task is not None and cursor is None and (project, status, limit) == self._task_query:
            self._tasks = None
            return await task
        return await self.client.list_tasks(
            project=project, status=status, cursor=cursor, limit=limit
        )

    async def list_task_tallies(
        self,
        *,
        project: str | None = None,
        status: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[TaskTally]:
        """A page read as tallies: never the prefetched one, which a census never asks."""
        return await self.client.list_task_tallies(
            project=project, status=status, cursor=cursor, limit=limit
        )

    async def get_task(self, uid: str) -> Task:
        """One task by uid."""
        return await self.client.get_task(uid)

    async def list_projects(
        self, *, cursor: str | None = None, limit: int | None = None
    ) -> Page[Project]:
        """The first page of projects already requested, else a new request."""
        task = self._projects
        if task is not None and cursor is None and limit is None:
            self._projects = None
            return await task
        return await self.client.list_projects(cursor=cursor, limit=limit)

    def cancel(self) -> None:
        """Abandon the requests nobody took (the app ended first, or its filters differ)."""
        for task in (self._tasks, self._projects):
            if task is not None:
                task.cancel()
        self._tasks = self._projects = None

    async def aclose(self) -> None:
        """Abandon what nobody took, then close the client."""
        self.cancel()
        await self.client.aclose()
