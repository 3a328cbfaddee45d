"""Injected faults: each queued kind, path prefixes, counts, and the seeded random rate."""

from __future__ import annotations

import json
import time
from collections import Counter

import httpx
import pytest

from avala_tui.demo import data
from avala_tui.demo.app import HUGE_PAGE_SIZE, LONG_STRING_LENGTH
from avala_tui.demo.faults import RANDOM_FAULTS, Fault, FaultInjector


@pytest.mark.parametrize(
    ("kind", "status", "content_type", "marker"),
    [
        (Fault.TOO_MANY_REQUESTS, 429, "application/json", "Expected available in 1 second."),
        (Fault.SERVER_ERROR, 500, "application/json", '"detail":'),
        (Fault.BAD_GATEWAY_HTML, 502, "text/html", "<h1>502 Bad Gateway</h1>"),
        (Fault.SERVICE_UNAVAILABLE, 503, "application/json", '"detail":'),
        (Fault.GATEWAY_TIMEOUT, 504, "text/html", "<h1>504 Gateway Time-out</h1>"),
    ],
)
def test_error_faults_answer_once_then_the_api_recovers(
    http, demo, kind, status, content_type, marker
):
    demo.api.faults.queue(kind)

    faulted = http.get("/tasks/", params={"limit": 1})
    recovered = http.get("/tasks/", params={"limit": 1})

    assert faulted.status_code == status
    assert faulted.headers["content-type"] == content_type
    assert marker in faulted.text
    assert recovered.status_code == 200
    assert demo.api.faults.pending == 0


def test_an_injected_429_says_retry_after_one_second(http, demo):
    demo.api.faults.queue("429")

    response = http.get("/tasks/")

    assert response.headers["retry-after"] == "1"
    assert "x-ratelimit-remaining" in response.headers


def test_a_truncated_body_is_cut_with_a_matching_content_length(http, demo):
    demo.api.faults.queue(Fault.TRUNCATED)

    cut = http.get("/tasks/", params={"limit": 5})
    whole = http.get("/tasks/", params={"limit": 5})

    assert cut.status_code == 200
    assert int(cut.headers["content-length"]) == len(cut.content) == len(whole.content) // 2
    assert whole.content.startswith(cut.content)
    with pytest.raises(json.JSONDecodeError):
        cut.json()


def test_wrong_shape_gives_results_that_are_not_a_list(http, demo):
    demo.api.faults.queue(Fault.WRONG_SHAPE, count=2)
    uid = demo.api.tasks(limit=1)[0]["uid"]

    page = http.get("/tasks/", params={"limit": 3}).json()
    detail = http.get(f"/tasks/{uid}/").json()

    assert isinstance(page["results"], dict)
    assert isinstance(detail, list)


def test_missing_uid_drops_the_uid_of_one_row(http, demo):
    demo.api.faults.queue(Fault.MISSING_UID)

    rows = http.get("/tasks/", params={"limit": 9}).json()["results"]

    assert [("uid" in row) for row in rows].count(False) == 1
    assert len(rows) == 9


def test_long_strings_make_every_name_ten_thousand_characters(http, demo):
    demo.api.faults.queue(Fault.LONG_STRINGS, path_prefix="/users/me/projects/")
    demo.api.faults.queue(Fault.LONG_STRINGS)

    projects = http.get("/users/me/projects/").json()["results"]
    tasks = http.get("/tasks/", params={"limit": 4}).json()["results"]

    assert {len(row["name"]) for row in projects + tasks} == {LONG_STRING_LENGTH}


def test_a_huge_page_ignores_the_limit_and_the_next_page_follows_on(http, demo):
    project = demo.api.project_uid(data.LARGE_PROJECT)
    demo.api.faults.queue(Fault.HUGE_PAGE)

    huge = http.get("/tasks/", params={"project": project, "limit": 5}).json()
    after = http.get(huge["next"]).json()

    expected = demo.api.tasks(project, limit=HUGE_PAGE_SIZE + 5)
    assert huge["results"] == expected[:HUGE_PAGE_SIZE]
    assert after["results"] == expected[HUGE_PAGE_SIZE:]


def test_a_slow_answer_comes_after_its_delay(http, demo):
    demo.api.faults.queue(Fault.SLOW, delay=0.3)
    started = time.monotonic()

    response = http.get("/tasks/", params={"limit": 1})

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_reset_breaks_the_connection_mid_body(http, demo):
    demo.api.faults.queue(Fault.RESET)

    with pytest.raises(httpx.RemoteProtocolError, match="without sending complete message body"):
        http.get("/tasks/")
    assert http.get("/tasks/", params={"limit": 1}).status_code == 200


def test_a_path_prefix_spares_other_paths(http, demo):
    demo.api.faults.queue("500", path_prefix="/api/v1/users/me/projects/")

    tasks = http.get("/tasks/", params={"limit": 1})
    projects = http.get("/users/me/projects/")

    assert (tasks.status_code, projects.status_code) == (200, 500)


def test_a_count_fails_that_many_requests_in_a_row(http, demo):
    demo.api.faults.queue("503", count=2)
    demo.api.faults.queue("500")

    statuses = [http.get("/tasks/", params={"limit": 1}).status_code for _ in range(4)]

    assert statuses == [503, 503, 500, 200]


def test_faulted_requests_are_recorded_with_their_status(http, demo):
    demo.api.clear_requests()
    demo.api.faults.queue(Fault.BAD_GATEWAY_HTML)

    http.get("/tasks/")

    assert [record.status for record in demo.api.requests] == [502]


def test_the_random_rate_fails_every_request_with_varied_faults(http, demo):
    demo.api.faults.slow_delay = 0.01
    demo.api.faults.rate = 1.0
    outcomes: Counter[str] = Counter()
    for _ in range(40):
        try:
            response = http.get("/tasks/", params={"limit": 2})
        except httpx.RemoteProtocolError:
            outcomes["reset"] += 1
            continue
        try:
            response.json()
        except json.JSONDecodeError:
            outcomes[f"{response.status_code} unreadable"] += 1
        else:
            outcomes[str(response.status_code)] += 1

    # Slow answers are good ones; every other outcome is a failure of some kind.
    assert set(outcomes) - {"200"} >= {"429", "500", "503", "502 unreadable", "reset"}
    assert outcomes["200"] < 15


def test_the_same_seed_draws_the_same_faults():
    first, second = FaultInjector(0.5, seed=11), FaultInjector(0.5, seed=11)

    drawn = [first.draw("/api/v1/tasks/") for _ in range(200)]

    assert drawn == [second.draw("/api/v1/tasks/") for _ in range(200)]
    assert 70 < sum(fault is not None for fault in drawn) < 130
    assert {fault.kind for fault in drawn if fault} == set(RANDOM_FAULTS)


def test_bad_fault_settings_are_refused():
    faults = FaultInjector()

    with pytest.raises(ValueError):
        faults.queue("418")
    with pytest.raises(ValueError):
        faults.queue(Fault.SLOW, count=0)
    with pytest.raises(ValueError):
        faults.rate = 1.5
