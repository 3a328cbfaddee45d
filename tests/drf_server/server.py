"""The DRF test server on loopback: uvicorn serving Django's ASGI handler on a thread.

Tests change the data while it serves through the methods of :class:`DrfServer`, which
run the ORM on a thread of their own: Django refuses ORM calls from a thread with a
running event loop (every async test, every Textual app), and one thread keeps the
writes in order.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from avala_tui.demo.server import ThreadedUvicorn
from tests.drf_server import seed as _seed_names

T = TypeVar("T")

_START_TIMEOUT = 20.0
_ORM_TIMEOUT = 30.0

ALICE_KEY = _seed_names.ALICE_KEY
EXPIRED_KEY = _seed_names.EXPIRED_KEY
BOB_KEY = _seed_names.BOB_KEY
THROTTLED_KEY = _seed_names.THROTTLED_KEY


class DrfServer:
    """The Avala API built with Django REST Framework, served on loopback; one per process.

    Alice's key (``ALICE_KEY``) is the one to use; :attr:`world` holds the uids of the
    seeded projects and of the tasks that answer 403 and 404 to her.
    """

    def __init__(
        self, db_dir: Path, *, seed: int = 7, anchor: datetime, host: str = "127.0.0.1"
    ) -> None:
        self.host = host
        self.port = 0
        self._db_path = db_dir / "avala-drf.sqlite3"
        self._seed = seed
        self._anchor = anchor if anchor.tzinfo else anchor.replace(tzinfo=UTC)
        self._orm = ThreadPoolExecutor(1, thread_name_prefix="avala-drf-orm")
        # Django's ASGI handler refuses lifespan messages: started with lifespan="off".
        self._runner = ThreadedUvicorn("avala-drf-api", "the DRF test server")
        self.world: _seed_names.World | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/api/v1"

    # --- life -----------------------------------------------------------------------

    def start(self) -> DrfServer:
        """Create and seed the database, then serve; return once listening."""
        self.world = self._orm_call(self._setup)
        from django.core.asgi import get_asgi_application

        # Django logs every 4xx as a warning; with no handler of its own, logging's
        # last-resort handler would print them on stderr.
        logging.getLogger("django").addHandler(logging.NullHandler())
        self.port = self._runner.start(get_asgi_application(), self.host, self.port, lifespan="off")
        return self

    def stop(self) -> None:
        """Stop serving; the database and the ORM thread stay for a restart."""
        self._runner.stop()

    def close(self) -> None:
        """Stop serving and let the ORM thread go; the object is spent."""
        self.stop()
        self._orm.submit(_close_connections).result(timeout=_ORM_TIMEOUT)
        self._orm.shutdown(wait=True)

    def __enter__(self) -> DrfServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _setup(self) -> _seed_names.World:
        from tests.drf_server.settings import configure

        configure(self._db_path)
        from django.core.management import call_command

        # No migrations of our own: syncdb creates the app's tables from its models.
        call_command("migrate", run_syncdb=True, verbosity=0)
        from tests.drf_server.seed import seed

        return seed(self._seed, self._anchor)

    def _orm_call(self, function: Callable[[], T]) -> T:
        return self._orm.submit(function).result(timeout=_ORM_TIMEOUT)

    # --- controls (safe from any thread, async tests included) --------------------------

    def add_task(
        self,
        project_uid: str,
        *,
        name: str | None = "box",
        type: str | None = "image-annotation",
        status: str | None = "pending",
        extra: dict[str, Any] | None = None,
        created_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Create a task, by default the newest of all (1 ms past the newest, at least now)."""

        def create() -> dict[str, Any]:
            from tests.drf_server.models import Project, Task

            project = Project.objects.get(uid=project_uid)
            when = created_at
            if when is None:
                newest = Task.objects.order_by("-created_at").first()
                when = datetime.now(UTC)
                if newest is not None:
                    when = max(when, newest.created_at + timedelta(milliseconds=1))
            task = Task.objects.create(
                uid=_new_uid(),
                type=type,
                name=name,
                status=status,
                project=project,
                created_at=when,
                updated_at=when,
                extra=extra,
            )
            return _render(task)

        return self._orm_call(create)

    def update_task(self, uid: str, **fields: Any) -> dict[str, Any]:
        """Change a task's fields (``updated_at`` is now unless given), as the API renders it."""

        def update() -> dict[str, Any]:
            from tests.drf_server.models import Task

            task = Task.objects.get(uid=uid)
            fields.setdefault("updated_at", max(datetime.now(UTC), task.created_at))
            for name, value in fields.items():
                setattr(task, name, value)
            task.save()
            return _render(task)

        return self._orm_call(update)

    def set_status(self, uid: str, status: str) -> dict[str, Any]:
        """Change a task's status now."""
        return self.update_task(uid, status=status)

    def delete_task(self, uid: str) -> None:
        def delete() -> None:
            from tests.drf_server.models import Task

            Task.objects.filter(uid=uid).delete()

        self._orm_call(delete)

    def tasks(
        self, project: str | None = None, status: str | None = None, *, key: str = ALICE_KEY
    ) -> list[dict[str, Any]]:
        """Every task the key's user may list, newest first, as the API renders them."""

        def select() -> list[dict[str, Any]]:
            from tests.drf_server.models import ApiKey, Task

            user = ApiKey.objects.get(key=key).user
            rows = Task.objects.filter(project__owner=user).select_related("project")
            if project is not None:
                rows = rows.filter(project__uid=project)
            if status is not None:
                rows = rows.filter(status=status)
            return [_render(task) for task in rows.order_by("-created_at")]

        return self._orm_call(select)

    def task(self, uid: str) -> dict[str, Any]:
        """A task as the API renders it; DoesNotExist for an unknown uid."""

        def select() -> dict[str, Any]:
            from tests.drf_server.models import Task

            return _render(Task.objects.select_related("project").get(uid=uid))

        return self._orm_call(select)

    def projects(self, *, key: str = ALICE_KEY) -> list[dict[str, Any]]:
        """The key's user's projects, newest first, as the API renders them."""

        def select() -> list[dict[str, Any]]:
            from rest_framework.renderers import JSONRenderer

            from tests.drf_server.api import ProjectSerializer
            from tests.drf_server.models import ApiKey, Project

            user = ApiKey.objects.get(key=key).user
            rows = Project.objects.filter(owner=user).order_by("-created_at")
            data = ProjectSerializer(rows, many=True).data
            rendered: list[dict[str, Any]] = json.loads(JSONRenderer().render(data))
            return rendered

        return self._orm_call(select)

    def set_rate(self, key: str, rate: str | None) -> None:
        """Throttle ``key``'s user at ``rate`` ("5/min"), or the default rate for None."""

        def update() -> None:
            from tests.drf_server.models import ApiKey

            ApiKey.objects.filter(key=key).update(rate=rate or "")

        self._orm_call(update)

    def reset_throttles(self) -> None:
        """Forget every request the throttles counted."""

        def clear() -> None:
            from django.core.cache import cache

            cache.clear()

        self._orm_call(clear)


_uid_lock = threading.Lock()
_uid_counter = 0


def _new_uid() -> str:
    # Not from the seed's generator: tasks added at run time must not depend on test order
    # to stay distinct, only on being added.
    global _uid_counter
    with _uid_lock:
        _uid_counter += 1
        return f"added00-{_uid_counter:04d}-t00k-0000-{time.time_ns() % 10**12:012d}"


def _render(task: Any) -> dict[str, Any]:
    """The task exactly as the API's JSON carries it."""
    from rest_framework.renderers import JSONRenderer

    from tests.drf_server.api import TaskSerializer

    rendered: dict[str, Any] = json.loads(JSONRenderer().render(TaskSerializer(task).data))
    return rendered


def _close_connections() -> None:
    from django.db import connections

    connections.close_all()
