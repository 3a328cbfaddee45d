"""Projects by name: ``--project`` takes a uid or an exact project name. Imports no Textual."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Final

from avala_tui.api.models import Project
from avala_tui.api.protocol import TasksAPI

#: Shaped like a uid (8-4-4-4-12): taken as one without asking the API, which saves a request
#: on every start. The demo's uids hold letters a UUID may not, so any alphanumerics count.
_UID_SHAPE: Final = re.compile(r"^[0-9a-z]{8}(-[0-9a-z]{4}){3}-[0-9a-z]{12}$", re.IGNORECASE)
#: Close matches listed in an error.
_SUGGESTIONS: Final = 5


class ProjectLookupError(Exception):
    """A project name matched no project, or more than one; the message lists candidates."""


def looks_like_uid(value: str) -> bool:
    """Whether ``value`` is shaped like a project uid."""
    return _UID_SHAPE.match(value) is not None


async def all_projects(client: TasksAPI) -> list[Project]:
    """Every project of the user, following the pages to the end."""
    projects: list[Project] = []
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        page = await client.list_projects(cursor=cursor)
        projects.extend(page.items)
        cursor = page.next_cursor
        # A server repeating a cursor would otherwise page forever.
        if cursor is None or cursor in seen:
            return projects
        seen.add(cursor)


def _label(project: Project) -> str:
    return f"{project.name or '(no name)'} ({project.uid})"


def match_project(value: str, projects: Sequence[Project]) -> str:
    """The uid of the project whose uid is ``value`` or whose name is exactly ``value``."""
    if any(project.uid == value for project in projects):
        return value
    named = [project for project in projects if project.name == value]
    if len(named) == 1:
        return named[0].uid
    if named:
        choices = "; ".join(_label(project) for project in named)
        raise ProjectLookupError(
            f"{len(named)} projects are named {value!r}; pass one of their uids: {choices}"
        )
    by_name = {project.name: project for project in projects if project.name}
    folded = value.casefold()
    close = [name for name in by_name if folded in name.casefold()]
    close += difflib.get_close_matches(value, list(by_name), n=_SUGGESTIONS, cutoff=0.5)
    suggestions = list(dict.fromkeys(close))[:_SUGGESTIONS]
    hint = (
        "; close matches: " + "; ".join(_label(by_name[name]) for name in suggestions)
        if suggestions
        else "; `avala-tui projects` lists them"
    )
    raise ProjectLookupError(f"No project has the uid or the exact name {value!r}{hint}")


async def resolve_project(client: TasksAPI, value: str) -> str:
    """The uid for a uid or an exact project name (a uid-shaped value is taken as is)."""
    if looks_like_uid(value):
        return value
    return match_project(value, await all_projects(client))
