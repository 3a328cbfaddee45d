"""What the rest of the program needs of an Avala client, as a typing.Protocol.

The dashboard, the headless command and the census depend on this, not on
:class:`~avala_tui.api.client.AvalaClient`, so that a test or a recording can stand in
for the client with a real object of its own. ``AvalaClient`` satisfies it (checked by
mypy in ``tests/api/test_paging_and_protocol.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from avala_tui.api.client import ClientStats, RateLimitStatus, Throttle
from avala_tui.api.models import Page, Project, Task

if TYPE_CHECKING:
    from avala_tui.api.tally import TaskTally


class TasksAPI(Protocol):
    """The Avala API's task and project listings, behind one rate gate."""

    @property
    def base_url(self) -> str:
        """The API root requests go to, without a trailing slash."""
        ...

    @property
    def rate_limit(self) -> RateLimitStatus | None:
        """The newest X-RateLimit-* figures, or None before any response carried them."""
        ...

    @property
    def throttle(self) -> Throttle:
        """The rate gate: until when no request leaves, and why."""
        ...

    @property
    def stats(self) -> ClientStats:
        """Counters of the traffic so far (benchmarks and tests read them)."""
        ...

    async def list_tasks(
        self,
        *,
        project: str | None = None,
        status: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[Task]:
        """One page of tasks."""
        ...

    async def list_task_tallies(
        self,
        *,
        project: str | None = None,
        status: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[TaskTally]:
        """One page of tasks, read only as far as a count needs."""
        ...

    async def get_task(self, uid: str) -> Task:
        """One task by uid."""
        ...

    async def list_projects(
        self, *, cursor: str | None = None, limit: int | None = None
    ) -> Page[Project]:
        """One page of the key's projects."""
        ...

    async def aclose(self) -> None:
        """Release the connections; the client cannot be used afterwards."""
        ...
