"""Projects by name: a uid or an exact name, and clear errors for the rest."""

from __future__ import annotations

import pytest

from avala_tui.api.client import AvalaClient
from avala_tui.api.models import Project
from avala_tui.core.projects import (
    ProjectLookupError,
    looks_like_uid,
    match_project,
    resolve_project,
)
from avala_tui.demo.app import DEFAULT_API_KEY
from avala_tui.demo.data import SMALL_PROJECT
from avala_tui.demo.server import DemoServer

PROJECTS = [
    Project(uid="u-1", name="Street scenes"),
    Project(uid="u-2", name="Street scenes"),
    Project(uid="u-3", name="Streets at night"),
    Project(uid="u-4", name="Retail"),
]


def test_a_uid_or_a_unique_exact_name() -> None:
    assert match_project("u-4", PROJECTS) == "u-4"
    assert match_project("Retail", PROJECTS) == "u-4"


def test_an_ambiguous_name_lists_the_uids() -> None:
    with pytest.raises(ProjectLookupError) as caught:
        match_project("Street scenes", PROJECTS)
    message = str(caught.value)
    assert "2 projects are named 'Street scenes'" in message
    assert "(u-1)" in message and "(u-2)" in message


def test_an_unknown_name_lists_close_matches() -> None:
    with pytest.raises(ProjectLookupError) as caught:
        match_project("street", PROJECTS)
    message = str(caught.value)
    assert "close matches" in message and "Streets at night (u-3)" in message
    with pytest.raises(ProjectLookupError, match="avala-tui projects"):
        match_project("zzz", PROJECTS)


async def test_resolving_asks_the_api_only_for_a_name(demo: DemoServer) -> None:
    uid = demo.api.project_uid(SMALL_PROJECT)
    assert looks_like_uid(uid)
    async with AvalaClient(DEFAULT_API_KEY, demo.base_url) as client:
        demo.api.clear_requests()
        assert await resolve_project(client, uid) == uid
        assert demo.api.requests == []
        assert await resolve_project(client, SMALL_PROJECT) == uid
        assert [record.path for record in demo.api.requests] == ["/api/v1/users/me/projects/"]
