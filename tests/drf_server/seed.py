"""The test server's deterministic world: three users, their keys, projects and tasks.

Alice (``ALICE_KEY``) owns a project of 350 tasks (several pages at the default size,
with runs of equal ``created_at`` across page boundaries and timestamps with
microseconds), a project of awkward rows (an undocumented status and type, null fields,
extra fields, a task only Bob may open) and an empty project. Bob's project is invisible
to Alice. Tess's key is throttled at a low rate.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from avala_tui.demo.data import make_uid

ALICE_KEY = "drf-alice-key"
EXPIRED_KEY = "drf-expired-key"
BOB_KEY = "drf-bob-key"
THROTTLED_KEY = "drf-throttled-key"
#: The rate of THROTTLED_KEY's user.
THROTTLED_RATE = "3/min"

BIG_PROJECT = "Dashcam night drives"
EDGE_PROJECT = "Annotator onboarding sandbox"
EMPTY_PROJECT = "Empty pilot project"
BOB_PROJECT = "Bob's private project"
BIG_SIZE = 350
#: Rows of BIG_PROJECT (newest first) sharing one created_at: across the first page boundary
#: at the default size, and across the boundaries of smaller pages further down.
TIE_RUNS = (range(95, 107), range(240, 245))

_EDGE_ROWS: tuple[dict[str, Any], ...] = (
    {"status": "in_progress", "name": "box"},
    {"type": "lidar-camera-fusion", "name": "cuboid"},
    {"name": None},
    {"updated_at": None},
    {"type": None},
    {"extra": {"priority": 3, "assignee": {"email": "mara@example.com", "name": "Mara Lind"}}},
    {"forbidden": True},
    {"name": "[bold red]x[/]"},
    {"status": "completed"},
    {},
)


@dataclass(frozen=True, slots=True)
class World:
    """The uids tests need to know."""

    big_project: str
    edge_project: str
    empty_project: str
    bob_project: str
    #: A task of Alice's that only Bob may open: listed for Alice, 403 to open.
    forbidden_task: str
    #: A task of Bob's: a 404 for Alice.
    bob_task: str
    #: The 151st task of the big project, newest first: on its second page at the default size.
    deep_task: str


def seed(seed: int, anchor: datetime) -> World:
    """Fill the empty database; the same ``seed`` and ``anchor`` give the same world."""
    # Imported here: this module's names are read before Django is configured.
    from django.contrib.auth.models import User

    from tests.drf_server.models import ApiKey, Project, Task

    rng = random.Random(f"drf:{seed}")
    alice = User.objects.create(username="alice")
    bob = User.objects.create(username="bob")
    tess = User.objects.create(username="tess")
    ApiKey.objects.bulk_create(
        [
            ApiKey(key=ALICE_KEY, user=alice),
            ApiKey(key=EXPIRED_KEY, user=alice, expired=True),
            ApiKey(key=BOB_KEY, user=bob),
            ApiKey(key=THROTTLED_KEY, user=tess, rate=THROTTLED_RATE),
        ]
    )

    def project(name: str, owner: Any, age_days: int) -> Any:
        created = anchor - timedelta(days=age_days)
        return Project.objects.create(
            uid=make_uid(rng),
            name=name,
            status="active",
            owner=owner,
            created_at=created,
            updated_at=created + timedelta(days=1),
        )

    big = project(BIG_PROJECT, alice, 40)
    edge = project(EDGE_PROJECT, alice, 14)
    empty = project(EMPTY_PROJECT, alice, 1)
    bobs = project(BOB_PROJECT, bob, 20)
    project("Tess's project", tess, 5)

    tasks: list[Any] = []
    for number in range(BIG_SIZE):
        created = anchor - timedelta(hours=1, seconds=97 * number)
        for run in TIE_RUNS:
            if number in run:
                created = anchor - timedelta(hours=1, seconds=97 * run.start)
        if number % 7 == 3:
            created += timedelta(microseconds=123_456)
        tasks.append(
            Task(
                uid=make_uid(rng),
                type="video-annotation" if number % 5 == 0 else "image-annotation",
                name=("box", "polygon", "classification")[number % 3],
                status="completed" if number % 3 == 0 else "pending",
                project=big,
                created_at=created,
                updated_at=created + timedelta(minutes=number % 4),
            )
        )
    deep = tasks[150].uid
    # Inserted out of order: the database's own order must not stand in for the API's.
    rng.shuffle(tasks)

    forbidden = ""
    for number, overrides in enumerate(_EDGE_ROWS):
        created = anchor - timedelta(hours=2, minutes=10 * number)
        fields: dict[str, Any] = {
            "uid": make_uid(rng),
            "type": "image-annotation",
            "name": "polygon",
            "status": "pending",
            "project": edge,
            "created_at": created,
            "updated_at": created + timedelta(minutes=5),
        }
        if overrides.get("forbidden"):
            fields["restricted_to"] = bob
            forbidden = fields["uid"]
        else:
            fields.update(overrides)
        tasks.append(Task(**fields))

    bob_tasks = [
        Task(
            uid=make_uid(rng),
            type="image-annotation",
            name="box",
            status="pending",
            project=bobs,
            created_at=anchor - timedelta(hours=3, minutes=number),
            updated_at=anchor - timedelta(hours=3, minutes=number),
        )
        for number in range(3)
    ]
    Task.objects.bulk_create(tasks + bob_tasks)
    return World(big.uid, edge.uid, empty.uid, bobs.uid, forbidden, bob_tasks[0].uid, deep)
