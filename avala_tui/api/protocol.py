"""What the dashboard and the commands need of an API client, as a Protocol.

``AvalaClient`` satisfies it; so does the launcher's prefetching wrapper, which
hands out first pages requested before the UI existed. The UI depends on this
shape, never on a concrete class.
"""

from __future__ import annotations

from typing import Protocol

from avala_tui.api.client import ClientStats, RateLimitStatus
from avala_tui.api.models import Page, Project, Task


class TasksAPI(Protocol):
    """The Avala tasks and projects endpoints, and what the client knows of its limits."""

    @property
    def base_url(self) -> str:
        """The API root requests go to."""
        ...

    @property
    def rate_limit(self) -> RateLimitStatus | None:
        """The X-RateLimit-* headers of the last response that carried any."""
        ...

    @property
    def stats(self) -> ClientStats:
        """Counters of the traffic so far."""
        ...

    async def list_tasks(
        self,
        *,
        project: str | None = None,
        status: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[Task]:
        """One page of tasks, newest first."""
        ...

    async def get_task(self, uid: str) -> Task:
        """One task by uid."""
        ...

    async def list_projects(
        self, *, cursor: str | None = None, limit: int | None = None
    ) -> Page[Project]:
        """One page of the user's projects."""
        ...

    async def aclose(self) -> None:
        """Release the connections; the client cannot be used afterwards."""
        ...
