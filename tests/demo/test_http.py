"""The demo API over loopback HTTP with a raw client: paging, errors, limits and headers."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from avala_tui.demo import data
from avala_tui.demo.app import DEFAULT_API_KEY, EXPIRED_API_KEY
from avala_tui.demo.server import DemoServer

MAX_PAGES = 200


def cursor_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["cursor"][0]


def fetch_all(
    http: httpx.Client,
    params: dict[str, Any],
    between_pages: Callable[[], object] = lambda: None,
    path: str = "/tasks/",
) -> list[dict[str, Any]]:
    """Every row of a listing, sending the filters and the cursor taken out of ``next``."""
    rows: list[dict[str, Any]] = []
    query = dict(params)
    for _ in range(MAX_PAGES):
        response = http.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        rows += body["results"]
        if body["next"] is None:
            return rows
        between_pages()
        query = {**params, "cursor": cursor_of(body["next"])}
    raise AssertionError("the listing never ended")


def uids(rows: list[dict[str, Any]]) -> list[str]:
    return [row["uid"] for row in rows]


def test_the_first_page_is_the_newest_hundred_as_compact_json(http, demo):
    response = http.get("/tasks/")
    body = response.json()

    assert response.headers["content-type"] == "application/json"
    assert body["results"] == demo.api.tasks(limit=100)
    assert body["previous"] is None
    assert response.content == json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def test_a_filtered_listing_holds_each_task_once_while_tasks_arrive(http, demo):
    api = demo.api
    project = api.project_uid(data.MEDIUM_PROJECT)
    other = api.project_uid(data.SMALL_PROJECT)
    expected = uids(api.tasks(project, "pending"))
    added: list[str] = []

    def more_tasks() -> None:
        added.append(api.add_task(project, status="pending")["uid"])
        added.append(api.add_task(other, status="pending")["uid"])

    api.clear_requests()
    rows = fetch_all(http, {"project": project, "status": "pending", "limit": 37}, more_tasks)

    assert uids(rows) == expected
    assert all(row["project"] == project and row["status"] == "pending" for row in rows)
    cursors = [record.query.get("cursor") for record in api.requests]
    assert len(cursors) == len(set(cursors)) == -(-len(expected) // 37)
    fresh = http.get("/tasks/", params={"project": project, "status": "pending"}).json()
    assert uids(fresh["results"])[: len(added) // 2] == added[-2::-2]


def test_next_is_absolute_keeps_the_filters_and_previous_leads_back(http, demo):
    project = demo.api.project_uid(data.SMALL_PROJECT)
    params = {"project": project, "status": "completed", "limit": "5"}
    first = http.get("/tasks/", params=params).json()

    next_link = urlsplit(first["next"])
    second = http.get(first["next"]).json()
    back = http.get(second["previous"]).json()

    assert f"{next_link.scheme}://{next_link.netloc}/api/v1" == demo.base_url
    assert next_link.path == "/api/v1/tasks/"
    assert {name: values[0] for name, values in parse_qs(next_link.query).items()} == {
        **params,
        "cursor": cursor_of(first["next"]),
    }
    assert list(parse_qs(next_link.query)) == sorted(parse_qs(next_link.query))
    assert back["results"] == first["results"]
    assert uids(first["results"] + second["results"]) == uids(
        demo.api.tasks(project, "completed")[:10]
    )


def test_the_cursor_is_base64_of_the_last_rows_position(http):
    body = http.get("/tasks/", params={"limit": 3}).json()

    tokens = parse_qs(base64.b64decode(cursor_of(body["next"]), validate=True).decode())

    assert tokens == {"p": [body["results"][-1]["created_at"].replace("T", " ")[:-1] + "+00:00"]}


def test_links_take_their_origin_from_the_host_header(http, demo):
    body = http.get("/tasks/", headers={"Host": "avala.test:8443"}).json()
    demo.api.link_origin = "https://elsewhere.example"
    moved = http.get("/tasks/").json()

    assert body["next"].startswith("http://avala.test:8443/api/v1/tasks/?cursor=")
    assert moved["next"].startswith("https://elsewhere.example/api/v1/tasks/?cursor=")


def test_a_bulk_import_of_equal_times_pages_through_offset_cursors(http, demo):
    project = demo.api.project_uid(data.TIES_PROJECT)
    first = http.get("/tasks/", params={"project": project}).json()
    tokens = parse_qs(base64.b64decode(cursor_of(first["next"]), validate=True).decode())

    assert int(tokens["o"][0]) > 0
    rows = fetch_all(http, {"project": project, "limit": 100})
    assert uids(rows) == uids(demo.api.tasks(project))


@pytest.mark.parametrize(
    ("limit", "size"),
    [("7", 7), ("5000", 1000), ("abc", 100), ("0", 100), ("-3", 100), ("", 100), ("2.5", 100)],
)
def test_limit_is_capped_and_ignored_unless_a_positive_integer(http, limit, size):
    body = http.get("/tasks/", params={"limit": limit}).json()

    assert len(body["results"]) == size


def test_empty_filters_are_no_filters(http):
    everything = http.get("/tasks/", params={"limit": 20}).json()
    blank = http.get("/tasks/", params={"limit": 20, "project": "", "status": ""}).json()

    assert blank["results"] == everything["results"]


def test_an_empty_project_has_one_empty_page(http, demo):
    project = demo.api.project_uid(data.EMPTY_PROJECT)

    body = http.get("/tasks/", params={"project": project}).json()

    assert body == {"next": None, "previous": None, "results": []}


def test_a_task_detail_equals_its_row_in_the_listing(http, demo):
    row = http.get("/tasks/", params={"limit": 1}).json()["results"][0]

    assert http.get(f"/tasks/{row['uid']}/").json() == row


def test_the_edge_case_rows_arrive_intact(http, demo):
    project = demo.api.project_uid(data.EDGE_CASE_PROJECT)

    rows = fetch_all(http, {"project": project})

    assert rows == demo.api.tasks(project)
    assert "[bold red]x[/]" in {row["name"] for row in rows}


def test_head_answers_like_get_without_a_body(http):
    head = http.head("/tasks/", params={"limit": 2})
    get = http.get("/tasks/", params={"limit": 2})

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))


def test_projects_page_newest_first(http, demo):
    first = http.get("/users/me/projects/", params={"limit": 3}).json()
    rows = fetch_all(http, {"limit": 3}, path="/users/me/projects/")

    assert first["previous"] is None
    assert len(first["results"]) == 3
    assert rows == demo.api.projects
    assert all(set(row) == {"uid", "name", "status", "created_at", "updated_at"} for row in rows)


def test_a_project_detail_equals_its_row(http, demo):
    project = demo.api.projects[0]

    assert http.get(f"/users/me/projects/{project['uid']}/").json() == project


UNKNOWN_UID = "990c1800-i62f-85h8-e150-880099880000"


# fmt: off
ERROR_CASES = [
    ("GET", "/tasks/", {}, {"X-Avala-Api-Key": ""}, 401,
     {"detail": "Authentication credentials were not provided."}),
    ("GET", "/tasks/", {}, {"X-Avala-Api-Key": "not-the-key"}, 401,
     {"detail": "Invalid API key."}),
    ("GET", "/tasks/", {}, {"X-Avala-Api-Key": EXPIRED_API_KEY}, 401,
     {"detail": "API key has expired."}),
    ("GET", f"/tasks/{UNKNOWN_UID}/", {}, {}, 404,
     {"detail": "No Task matches the given query."}),
    ("POST", "/tasks/", {}, {}, 405, {"detail": 'Method "POST" not allowed.'}),
    ("DELETE", f"/tasks/{UNKNOWN_UID}/", {}, {}, 405,
     {"detail": 'Method "DELETE" not allowed.'}),
    ("POST", "/tasks/", {}, {"X-Avala-Api-Key": ""}, 401,
     {"detail": "Authentication credentials were not provided."}),
    ("GET", "/tasks/", {"status": "in_progress"}, {}, 400,
     {"status": ["Select a valid choice. in_progress is not one of the available choices."]}),
    ("GET", "/tasks/", {"project": UNKNOWN_UID}, {}, 400,
     {"project": ["Select a valid choice. That choice is not one of the available choices."]}),
    ("GET", "/tasks/", {"cursor": "bz14"}, {}, 404, {"detail": "Invalid cursor"}),
    ("GET", "/users/me/projects/", {"cursor": "cD1ub3c="}, {}, 404,
     {"detail": "Invalid cursor"}),
    ("GET", f"/users/me/projects/{UNKNOWN_UID}/", {}, {}, 404,
     {"detail": "No Project matches the given query."}),
]
# fmt: on


@pytest.mark.parametrize(
    ("method", "path", "params", "headers", "status", "body"),
    ERROR_CASES,
)
def test_errors_answer_like_drf(http, method, path, params, headers, status, body):
    response = http.request(method, path, params=params, headers=headers)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json() == body
    assert "x-ratelimit-limit" not in response.headers, "no limit is set: none is announced"


def test_a_path_lacking_its_slash_is_redirected_like_djangos_append_slash(http):
    response = http.get("/tasks", params={"limit": "2"}, headers={"X-Avala-Api-Key": ""})

    assert response.status_code == 301
    assert response.headers["location"] == "/api/v1/tasks/?limit=2"
    assert response.content == b""
    assert "x-ratelimit-limit" not in response.headers


def test_a_path_outside_the_api_is_djangos_html_404(http):
    response = http.get("/annotations/", headers={"X-Avala-Api-Key": ""})

    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Not Found</h1>" in response.text


def test_a_cursor_is_read_as_leniently_as_drf_reads_it(http):
    first = http.get("/tasks/", params={"limit": 3}).json()

    # b64decode skips what is outside the alphabet: nothing is left, so the first page.
    assert http.get("/tasks/", params={"limit": 3, "cursor": "***"}).json() == first


def test_a_401_says_how_to_authenticate(http):
    response = http.get("/tasks/", headers={"X-Avala-Api-Key": "wrong"})

    assert response.headers["www-authenticate"] == "Api-Key"


def test_both_bad_filters_are_reported_together(http, demo):
    body = http.get("/tasks/", params={"project": "nope", "status": "done"}).json()

    assert set(body) == {"project", "status"}


def test_a_forbidden_task_answers_403(own_demo):
    api = own_demo.api
    uid = api.tasks(api.project_uid(data.SMALL_PROJECT))[0]["uid"]
    api.forbid(uid)
    headers = {"X-Avala-Api-Key": DEFAULT_API_KEY}

    response = httpx.get(f"{own_demo.base_url}/tasks/{uid}/", headers=headers)

    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}
    with pytest.raises(KeyError):
        api.forbid(UNKNOWN_UID)


def test_an_expired_key_can_be_declared_at_run_time(own_demo):
    own_demo.api.expire_key(DEFAULT_API_KEY)

    response = httpx.get(f"{own_demo.base_url}/tasks/", headers={"X-Avala-Api-Key": "demo-key"})

    assert response.json() == {"detail": "API key has expired."}


THROTTLED = re.compile(r"Request was throttled\. Expected available in (\d+) seconds?\.")


def test_the_rate_limit_answers_429_with_retry_after(http, demo):
    demo.api.rate_limit = 3
    allowed = [http.get("/tasks/", params={"limit": 1}) for _ in range(3)]
    refused = http.get("/tasks/", params={"limit": 1})
    unauthenticated = http.get("/tasks/", headers={"X-Avala-Api-Key": "wrong"})

    assert [response.status_code for response in allowed] == [200, 200, 200]
    assert [response.headers["x-ratelimit-remaining"] for response in allowed] == ["2", "1", "0"]
    assert refused.status_code == 429
    detail = THROTTLED.fullmatch(refused.json()["detail"])
    assert detail is not None
    assert refused.headers["retry-after"] == detail[1]
    assert 1 <= int(detail[1]) <= 60
    assert refused.headers["x-ratelimit-limit"] == "3"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert int(refused.headers["x-ratelimit-reset"]) >= time.time()
    assert unauthenticated.status_code == 401


def test_without_a_rate_limit_nothing_is_refused_and_no_quota_is_announced(http, demo):
    # A quota announced but not enforced once read "0/100 left" while pages kept loading.
    demo.api.rate_limit = None
    responses = [http.get("/tasks/", params={"limit": 1}) for _ in range(105)]

    assert {response.status_code for response in responses} == {200}
    assert not any("x-ratelimit-remaining" in response.headers for response in responses)


def test_requests_are_recorded_for_tests_to_inspect(http, demo):
    demo.api.clear_requests()

    http.get("/tasks/", params={"status": "pending", "limit": "2"}, headers={"X-Extra": "1"})

    (record,) = demo.api.requests
    assert (record.method, record.path, record.status) == ("GET", "/api/v1/tasks/", 200)
    assert record.query == {"status": "pending", "limit": "2"}
    assert {"x-avala-api-key", "x-extra", "host"} <= record.header_names
    assert record.api_key == DEFAULT_API_KEY


def test_latency_is_added_to_every_request(http, demo):
    demo.api.latency = 0.2
    started = time.monotonic()

    http.get("/tasks/", params={"limit": 1})

    assert time.monotonic() - started >= 0.2


def test_a_rate_limit_given_to_the_server_is_enforced():
    with DemoServer(seed=3, rate_limit=1) as server:
        headers = {"X-Avala-Api-Key": DEFAULT_API_KEY}
        statuses = [
            httpx.get(f"{server.base_url}/tasks/", headers=headers).status_code for _ in range(2)
        ]

    assert statuses == [200, 429]
