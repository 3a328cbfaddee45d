"""The demo world: projects and tasks generated deterministically from a seed and an anchor time.

About 61,000 tasks in eight projects, spread over ten weeks before the anchor, with the
status mix, task types and timestamps an annotation team would produce. One small project
carries the awkward rows a client must survive (markup and escape sequences in names, a
null name, an undocumented status and type, extra fields); one project is a tie cluster
of tasks created in the same second, so cursors with offsets occur in practice.
"""

from __future__ import annotations

import gc
import itertools
import json
import random
from dataclasses import dataclass
from typing import Any, Final

from avala_tui.demo import clock
from avala_tui.demo.pagination import OrderedIndex

PENDING: Final = "pending"
COMPLETED: Final = "completed"
#: The statuses the ``status`` filter accepts (DRF ChoiceFilter choices).
FILTER_STATUSES: Final = (PENDING, COMPLETED)

IMAGE: Final = "image-annotation"
VIDEO: Final = "video-annotation"
POINT_CLOUD: Final = "point-cloud-annotation"
POINT_CLOUD_OBJECTS: Final = "point-cloud-objects"

LARGE_PROJECT: Final = "Dashcam night drives"
LIDAR_PROJECT: Final = "Highway LiDAR — Bay Area"
TIES_PROJECT: Final = "Warehouse robotics picking"
MEDIUM_PROJECT: Final = "Retail shelf audit"
SMALL_PROJECT: Final = "Drone solar-farm inspection"
EDGE_CASE_PROJECT: Final = "Annotator onboarding sandbox"
EMPTY_PROJECT: Final = "Empty pilot project"
ARCHIVED_PROJECT: Final = "Parking lot occupancy 2024"

#: How many tasks of TIES_PROJECT share one created_at (a bulk import).
TIE_CLUSTER_SIZE: Final = 12
# The cluster straddles row 100, the boundary of the project's first default page.
_TIE_CLUSTER_START = 95

_MINUTE = 60 * clock.US_PER_SECOND
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_MS = 1000

#: The share of the team at work in each UTC hour: 08-18, tapering into the evening.
_HOURLY_RATE: Final = (
    (0.05,) * 6
    + (0.3, 0.6)
    + (1.0, 0.9, 1.0, 0.95, 0.6, 0.9, 1.0, 0.95, 0.9, 0.8)
    + (0.5, 0.35, 0.2, 0.1, 0.05, 0.05)
)
#: A weekend day's share of a weekday's work.
_WEEKEND_RATE: Final = 0.3
_COMPLETION_TRIES: Final = 6

_HEX_DIGITS = "0123456789abcdef"
# Each hex digit has a letter of its own, so replacing digits keeps uids distinct.
_LETTER_FOR = dict(zip(_HEX_DIGITS, "ghijklmnopqrstuv", strict=True))


def make_uid(rng: random.Random) -> str:
    """A uid shaped 8-4-4-4-12 like the reference's, with letters no UUID may hold."""
    digits = f"{rng.getrandbits(128):032x}"
    return (
        f"{digits[:8]}-{_LETTER_FOR[digits[8]]}{digits[9:12]}-"
        f"{digits[12:14]}{_LETTER_FOR[digits[14]]}{digits[15]}-{digits[16:20]}-{digits[20:]}"
    )


def dumps(value: Any) -> bytes:
    """JSON as DRF's JSONRenderer writes it: compact, UTF-8, U+2028/U+2029 escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


class Task:
    """One task; mutable through World only, which keeps the indexes in step."""

    __slots__ = (
        "_json",
        "created_us",
        "extra",
        "name",
        "project",
        "status",
        "type",
        "uid",
        "updated_us",
    )

    def __init__(
        self,
        uid: str,
        project: str,
        type_: str | None,
        name: str | None,
        status: str | None,
        created_us: int,
        updated_us: int | None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.uid = uid
        self.project = project
        self.type = type_
        self.name = name
        self.status = status
        self.created_us = created_us
        self.updated_us = updated_us
        self.extra = extra
        self._json: bytes | None = None

    def as_dict(self) -> dict[str, Any]:
        """The task as the API serializes it, documented fields first."""
        fields: dict[str, Any] = {
            "uid": self.uid,
            "type": self.type,
            "name": self.name,
            "status": self.status,
            "project": self.project,
            "created_at": clock.iso_z(self.created_us),
            "updated_at": None if self.updated_us is None else clock.iso_z(self.updated_us),
        }
        if self.extra:
            fields.update(self.extra)
        return fields

    def json(self) -> bytes:
        """as_dict() rendered, cached until the task changes (a 1,000-row page is a hot path)."""
        if self._json is None:
            self._json = dumps(self.as_dict())
        return self._json

    def set_status(self, status: str, updated_us: int) -> None:
        """Change the status as of ``updated_us``."""
        self.status = status
        self.updated_us = updated_us
        self._json = None


@dataclass(frozen=True, slots=True)
class Kind:
    """A task type and name, with its share of a project's tasks."""

    type: str
    name: str
    weight: int


class Project:
    """A project as ``/users/me/projects/`` lists it, plus the kinds of task it holds."""

    __slots__ = ("created_us", "kinds", "name", "status", "uid", "updated_us")

    def __init__(
        self,
        uid: str,
        name: str,
        status: str,
        created_us: int,
        updated_us: int,
        kinds: tuple[Kind, ...],
    ) -> None:
        self.uid = uid
        self.name = name
        self.status = status
        self.created_us = created_us
        self.updated_us = updated_us
        self.kinds = kinds

    def as_dict(self) -> dict[str, Any]:
        """The project as the API serializes it."""
        return {
            "uid": self.uid,
            "name": self.name,
            "status": self.status,
            "created_at": clock.iso_z(self.created_us),
            "updated_at": clock.iso_z(self.updated_us),
        }

    def json(self) -> bytes:
        """as_dict() rendered."""
        return dumps(self.as_dict())


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to grow one project's tasks."""

    name: str
    status: str
    size: int
    age_days: int
    idle_hours: int  # the newest task is this much older than the anchor
    kinds: tuple[Kind, ...]
    pending_newest: float  # chance that a task created at the anchor is still pending
    pending_oldest: float  # chance that the project's first task is still pending


_PLANS: Final = (
    _Plan(
        ARCHIVED_PROJECT,
        "archived",
        800,
        70,
        40 * 24,
        (Kind(IMAGE, "box", 70), Kind(IMAGE, "classification", 30)),
        0.0,
        0.0,
    ),
    _Plan(
        LARGE_PROJECT,
        "active",
        52_000,
        42,
        0,
        (
            Kind(IMAGE, "box", 40),
            Kind(IMAGE, "polygon", 12),
            Kind(IMAGE, "classification", 10),
            Kind(IMAGE, "segmentation", 8),
            Kind(VIDEO, "box", 18),
            Kind(VIDEO, "polyline", 8),
            Kind(VIDEO, "keypoints", 4),
        ),
        0.9,
        0.02,
    ),
    _Plan(
        LIDAR_PROJECT,
        "active",
        4_000,
        35,
        1,
        (
            Kind(POINT_CLOUD, "cuboid", 45),
            Kind(POINT_CLOUD, "segmentation", 15),
            Kind(POINT_CLOUD, "polyline", 10),
            Kind(POINT_CLOUD_OBJECTS, "cuboid", 25),
            Kind(POINT_CLOUD_OBJECTS, "classification", 5),
        ),
        0.95,
        0.2,
    ),
    _Plan(
        TIES_PROJECT,
        "active",
        2_500,
        28,
        3,
        (
            Kind(IMAGE, "keypoints", 30),
            Kind(IMAGE, "segmentation", 25),
            Kind(IMAGE, "box", 20),
            Kind(VIDEO, "keypoints", 15),
            Kind(VIDEO, "classification", 10),
        ),
        0.7,
        0.05,
    ),
    _Plan(
        SMALL_PROJECT,
        "active",
        300,
        20,
        30,
        (
            Kind(IMAGE, "polygon", 45),
            Kind(IMAGE, "box", 25),
            Kind(IMAGE, "classification", 15),
            Kind(VIDEO, "box", 15),
        ),
        0.6,
        0.3,
    ),
    _Plan(
        EDGE_CASE_PROJECT,
        "active",
        40,
        14,
        5,
        (
            Kind(IMAGE, "box", 1),
            Kind(VIDEO, "polyline", 1),
            Kind(POINT_CLOUD, "cuboid", 1),
            Kind(POINT_CLOUD_OBJECTS, "classification", 1),
        ),
        0.5,
        0.5,
    ),
    _Plan(
        MEDIUM_PROJECT,
        "active",
        1_200,
        9,
        0,
        (Kind(IMAGE, "box", 55), Kind(IMAGE, "classification", 30), Kind(IMAGE, "polygon", 15)),
        0.98,
        0.55,
    ),
    _Plan(EMPTY_PROJECT, "active", 0, 1, 0, (Kind(IMAGE, "box", 1),), 1.0, 1.0),
)

# Newest first, like the rest of the listing: overrides for the edge-case project's rows.
_EDGE_CASES: Final[tuple[dict[str, Any], ...]] = (
    {"name": "[bold red]x[/]"},
    {"name": "close[/]tag"},
    {"name": "\x1b[31mred alert\x1b[0m"},
    {"name": "[@click=app.quit]quit[/]"},
    {"name": None},
    {"status": "in_progress", "name": "box"},
    {"type": "lidar-camera-fusion", "name": "cuboid"},
    {"extra": {"priority": 3, "assignee": {"email": "mara@example.com", "name": "Mara Lind"}}},
    {"name": "交通標識 🚦 traffic-sign polygon"},
    {"name": "segmentation\nsecond line"},
    {"updated_us": None},
    {
        "name": "polygon — occluded vehicles, partial truncation, night-time glare on wet asphalt;"
        " re-check lane 3 markings against the HD map before export"
    },
)


class World:
    """Every project and task, indexed the ways the endpoints read them."""

    def __init__(self, projects: list[Project], tasks: list[Task], seed: int) -> None:
        self.projects: OrderedIndex[Project] = OrderedIndex(projects)
        self.project_by_uid = {project.uid: project for project in projects}
        self.tasks: OrderedIndex[Task] = OrderedIndex(tasks)
        self.task_by_uid = {task.uid: task for task in tasks}
        grouped: dict[str, list[Task]] = {project.uid: [] for project in projects}
        for task in tasks:
            grouped[task.project].append(task)
        self.tasks_by_project = {uid: OrderedIndex(group) for uid, group in grouped.items()}
        self._rng = random.Random(f"live:{seed}")

    def project_named(self, name: str) -> Project:
        """The project called ``name``; KeyError when there is none."""
        for project in self.projects:
            if project.name == name:
                return project
        raise KeyError(name)

    def next_moment(self, at_us: int) -> int:
        """``at_us``, or 1 ms past the newest task: new tasks always sort first."""
        newest = self.tasks.newest()
        return at_us if newest is None else max(at_us, newest.created_us + _MS)

    def add_task(
        self,
        project_uid: str,
        *,
        type_: str | None,
        name: str | None,
        status: str | None,
        at_us: int,
        extra: dict[str, Any] | None = None,
    ) -> Task:
        """Create a task in ``project_uid`` as of ``at_us``; KeyError for an unknown project."""
        if project_uid not in self.project_by_uid:
            raise KeyError(project_uid)
        created = self.next_moment(at_us)
        uid = make_uid(self._rng)
        while uid in self.task_by_uid:
            uid = make_uid(self._rng)
        task = Task(uid, project_uid, type_, name, status, created, created, extra or None)
        self.tasks.insert(task)
        self.tasks_by_project[project_uid].insert(task)
        self.task_by_uid[uid] = task
        return task

    def set_status(self, uid: str, status: str, at_us: int) -> Task:
        """Change a task's status as of ``at_us``; KeyError for an unknown uid."""
        task = self.task_by_uid[uid]
        task.set_status(status, max(at_us, task.created_us))
        return task

    def live_step(self, at_us: int) -> tuple[list[Task], list[Task]]:
        """A tick of team activity: 1-2 new tasks, and a few recent pending tasks completed."""
        busy = [
            project
            for project in self.projects
            if project.status == "active" and len(self.tasks_by_project[project.uid])
        ]
        created = []
        for _ in range(self._rng.randint(1, 2)):
            project = self._rng.choice(busy)
            kind = self._rng.choices(project.kinds, [kind.weight for kind in project.kinds])[0]
            created.append(
                self.add_task(
                    project.uid, type_=kind.type, name=kind.name, status=PENDING, at_us=at_us
                )
            )
        completed = []
        for _ in range(self._rng.randint(1, 3)):
            # Annotators pick up recent work: look for pending tasks near the top.
            project = self._rng.choice(busy)
            recent = itertools.islice(self.tasks_by_project[project.uid].older_than(None), 200)
            candidates = [task for task in recent if task.status == PENDING]
            if candidates:
                task = self._rng.choice(candidates)
                completed.append(self.set_status(task.uid, COMPLETED, at_us))
        return created, completed


def generate(seed: int, anchor_us: int) -> World:
    """The world for ``seed``, with every timestamp at or before ``anchor_us``."""
    # 60,000 new objects and no cycles: collector passes would only double the time taken.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _generate(seed, anchor_us)
    finally:
        if collecting:
            gc.enable()


def _generate(seed: int, anchor_us: int) -> World:
    rng = random.Random(seed)
    projects: list[Project] = []
    tasks: list[Task] = []
    for plan in _PLANS:
        project_uid = make_uid(rng)
        created_us = anchor_us - plan.age_days * _DAY + rng.randrange(_HOUR) // _MS * _MS
        grown = _grow_tasks(rng, plan, project_uid, created_us, anchor_us, seed)
        last_change = max(
            (task.updated_us or task.created_us for task in grown),
            default=created_us + 10 * _MINUTE,
        )
        projects.append(
            Project(project_uid, plan.name, plan.status, created_us, last_change, plan.kinds)
        )
        tasks.extend(grown)
    return World(projects, tasks, seed)


def _work_rate(second: int) -> float:
    """How busy the team is at ``second`` (UTC), 0-1: a working day, evenings, nights, weekends."""
    hour = second // 3600 % 24
    # 1970-01-01 was a Thursday: Monday is 0, Saturday 5.
    weekday = (second // 86_400 + 3) % 7
    rate = _HOURLY_RATE[hour]
    return rate * _WEEKEND_RATE if weekday >= 5 else rate


def _completion_second(history: random.Random, created_s: int, window_s: int) -> int:
    """When a task created at ``created_s`` was completed, within ``window_s``.

    Rejection sampling against the team's hours, so completions per hour rise and
    fall through the day and the week as a real queue's do. A few tries bound the
    cost; the last try stands when none is accepted (a night shift happens).
    """
    updated_s = created_s
    for _ in range(_COMPLETION_TRIES):
        updated_s = created_s + int(history.random() * window_s)
        if history.random() < _work_rate(updated_s):
            break
    return updated_s


def _grow_tasks(
    rng: random.Random, plan: _Plan, project_uid: str, project_us: int, anchor_us: int, seed: int
) -> list[Task]:
    """A project's tasks, newest first, at distinct whole seconds (but for the tie cluster)."""
    if not plan.size:
        return []
    first_s = project_us // clock.US_PER_SECOND + 3600
    last_s = (anchor_us - plan.idle_hours * _HOUR) // clock.US_PER_SECOND
    seconds = sorted(rng.sample(range(first_s, last_s + 1), plan.size), reverse=True)
    if plan.name == TIES_PROJECT:
        tie_end = _TIE_CLUSTER_START + TIE_CLUSTER_SIZE
        seconds[_TIE_CLUSTER_START:tie_end] = [seconds[_TIE_CLUSTER_START]] * TIE_CLUSTER_SIZE
    kinds = rng.choices(plan.kinds, [kind.weight for kind in plan.kinds], k=plan.size)
    span = max(1, last_s - first_s)
    pending_spread = plan.pending_newest - plan.pending_oldest
    anchor_s = anchor_us // clock.US_PER_SECOND
    fraction = rng.random
    # Its own generator: the history may change without changing a uid, status or created_at.
    history = random.Random(f"history:{seed}:{plan.name}")
    tasks = []
    for second, kind in zip(seconds, kinds, strict=True):
        freshness = 1.0 - (last_s - second) / span
        pending = fraction() < plan.pending_oldest + pending_spread * freshness**3
        if not pending:
            # Completed within four days of creation, and not after the anchor.
            fraction()  # drawn as before, so the draws after it stay as they were
            updated_s = _completion_second(history, second, min(4 * 86_400, anchor_s - second))
        elif fraction() < 0.25:
            # Most pending tasks were never touched; some were opened and saved.
            updated_s = second + int(fraction() * min(6 * 3600, anchor_s - second))
        else:
            updated_s = second
        tasks.append(
            Task(
                make_uid(rng),
                project_uid,
                kind.type,
                kind.name,
                PENDING if pending else COMPLETED,
                second * clock.US_PER_SECOND,
                updated_s * clock.US_PER_SECOND,
            )
        )
    if plan.name == EDGE_CASE_PROJECT:
        for task, overrides in zip(tasks, _EDGE_CASES, strict=False):
            for field, value in overrides.items():
                setattr(task, field, value)
    return tasks
