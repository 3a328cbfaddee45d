"""The demo world: deterministic, realistic, and awkward where a client must cope."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from avala_tui.demo import clock, data
from avala_tui.demo.app import DemoApi
from tests.conftest import ANCHOR

UID_SHAPE = re.compile(r"[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}")
ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def fields(world: data.World) -> list[tuple[object, ...]]:
    return [
        (
            task.uid,
            task.project,
            task.type,
            task.name,
            task.status,
            task.created_us,
            task.updated_us,
        )
        for task in world.tasks
    ]


def test_the_same_seed_and_anchor_give_the_same_world():
    first = data.generate(7, clock.to_us(ANCHOR))
    second = data.generate(7, clock.to_us(ANCHOR))
    other_seed = data.generate(8, clock.to_us(ANCHOR))

    assert fields(first) == fields(second)
    assert [task.uid for task in first.tasks] != [task.uid for task in other_seed.tasks]


def test_generation_is_quick():
    started = time.perf_counter()
    world = data.generate(7, clock.to_us(ANCHOR))
    elapsed = time.perf_counter() - started

    assert len(world.tasks) > 60_000
    # About 0.35 s here; the margin covers a loaded CI machine.
    assert elapsed < 2.0


def test_projects_are_realistic_and_cover_large_empty_and_archived(shared_demo):
    api = shared_demo.api
    projects = {project["name"]: project for project in api.projects}
    sizes = {name: sum(api.counts(project["uid"]).values()) for name, project in projects.items()}

    assert len(projects) >= 6
    assert sizes[data.LARGE_PROJECT] >= 50_000
    assert sizes[data.EMPTY_PROJECT] == 0
    assert projects[data.ARCHIVED_PROJECT]["status"] == "archived"
    assert set(projects[data.LIDAR_PROJECT]) == {
        "uid",
        "name",
        "status",
        "created_at",
        "updated_at",
    }


def test_every_task_is_well_formed_and_anchored():
    world = data.generate(7, clock.to_us(ANCHOR))
    anchor_us = clock.to_us(ANCHOR)

    assert len({task.uid for task in world.tasks}) == len(world.tasks)
    for task in world.tasks:
        assert UID_SHAPE.fullmatch(task.uid)
        # Letters past f: the uids are not hex UUIDs, as in the reference.
        assert re.search("[g-z]", task.uid)
        assert task.created_us <= (task.updated_us or task.created_us) <= anchor_us
    for task in list(world.tasks)[:: len(world.tasks) // 500]:
        row = task.as_dict()
        assert ISO_Z.fullmatch(row["created_at"])
        assert ISO_Z.fullmatch(row["updated_at"] or row["created_at"])
    assert all(re.search("[g-z]", project.uid) for project in world.projects)


def test_timestamps_render_like_drf():
    whole = clock.to_us(datetime(2025, 1, 10, 8, tzinfo=UTC))

    assert clock.iso_z(whole) == "2025-01-10T08:00:00Z"
    assert clock.iso_z(whole + 1500) == "2025-01-10T08:00:00.001500Z"
    assert clock.position(whole) == "2025-01-10 08:00:00+00:00"


def test_tasks_span_weeks_with_all_types_and_a_varied_status_mix(shared_demo):
    api = shared_demo.api
    tasks = api.tasks()
    types = Counter(task["type"] for task in tasks)
    names = {task["name"] for task in tasks}
    span = parse(tasks[0]["created_at"]) - parse(tasks[-1]["created_at"])
    pending_shares = []
    for name in (data.LARGE_PROJECT, data.MEDIUM_PROJECT, data.TIES_PROJECT):
        counts = api.counts(api.project_uid(name))
        pending_shares.append(counts["pending"] / (counts["pending"] + counts["completed"]))

    assert {data.IMAGE, data.VIDEO, data.POINT_CLOUD, data.POINT_CLOUD_OBJECTS} <= set(types)
    expected_names = {"box", "polygon", "classification", "cuboid", "polyline", "segmentation"}
    assert expected_names | {"keypoints"} <= names
    assert span > timedelta(weeks=4)
    assert max(pending_shares) - min(pending_shares) > 0.3
    assert api.counts(api.project_uid(data.ARCHIVED_PROJECT)) == {"completed": 800}


def test_the_edge_case_project_holds_the_awkward_rows(shared_demo):
    api = shared_demo.api
    rows = api.tasks(api.project_uid(data.EDGE_CASE_PROJECT))
    names = [row["name"] for row in rows]

    assert {"[bold red]x[/]", "close[/]tag", "[@click=app.quit]quit[/]", None} <= set(names)
    assert any("\x1b[31m" in (name or "") for name in names)
    assert "in_progress" in {row["status"] for row in rows}
    documented_types = {data.IMAGE, data.VIDEO, data.POINT_CLOUD, data.POINT_CLOUD_OBJECTS}
    assert {row["type"] for row in rows} - documented_types
    extra = next(row for row in rows if "priority" in row)
    assert extra["priority"] == 3
    assert set(extra["assignee"]) == {"email", "name"}
    assert any(row["updated_at"] is None for row in rows)


def test_the_ties_project_has_a_bulk_import_across_the_first_page_boundary(shared_demo):
    api = shared_demo.api
    rows = api.tasks(api.project_uid(data.TIES_PROJECT))
    times = Counter(row["created_at"] for row in rows)
    (tied_time, size), *_ = times.most_common(1)
    first_tied = next(number for number, row in enumerate(rows) if row["created_at"] == tied_time)

    assert size == data.TIE_CLUSTER_SIZE
    assert first_tied < 100 < first_tied + size


def test_a_naive_anchor_is_taken_as_utc():
    api = DemoApi(anchor=datetime(2025, 3, 1, 12))

    assert api.anchor == ANCHOR
    assert max(parse(project["updated_at"]) for project in api.projects) <= ANCHOR


def test_the_default_anchor_is_the_current_hour():
    before = datetime.now(UTC)
    api = DemoApi()
    after = datetime.now(UTC)

    # Either hour, should the clock pass one while the world is generated.
    assert api.anchor in {clock.hour_floor(before), clock.hour_floor(after)}


def test_completions_follow_the_team_hours_over_the_last_days():
    world = data.generate(7, clock.to_us(ANCHOR))
    anchor_s = clock.to_us(ANCHOR) // clock.US_PER_SECOND
    week = [
        task.updated_us // clock.US_PER_SECOND
        for task in world.tasks
        if task.status == data.COMPLETED
        and task.updated_us is not None
        and anchor_s - task.updated_us // clock.US_PER_SECOND < 7 * 86_400
    ]
    by_hour = Counter(second // 3600 % 24 for second in week)
    by_day = Counter((anchor_s - second) // 86_400 for second in week)
    working = sum(by_hour[hour] for hour in range(8, 18)) / 10
    night = sum(by_hour[hour] for hour in range(0, 6)) / 6

    # Hundreds a day, every day of the week: the last day's rate is a true figure.
    assert min(by_day[day] for day in range(7)) > 300
    assert working > 4 * night
    # 1970-01-01 was a Thursday: weekday 6 is Sunday, a quiet day in the whole week shown.
    by_weekday = Counter((second // 86_400 + 3) % 7 for second in week)
    assert by_weekday[6] < 0.75 * min(by_weekday[day] for day in (1, 2, 3))
