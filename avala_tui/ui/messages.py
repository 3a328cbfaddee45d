"""Typed messages that carry the background workers' results back to the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from avala_tui.api.errors import AvalaError
from avala_tui.api.models import Page, Project, Task
from avala_tui.feed import PageClaim


@dataclass
class TasksPageLoaded(Message):
    """A page of tasks arrived for the claim it was fetched under."""

    claim: PageClaim
    page: Page[Task]


@dataclass
class TasksPageFailed(Message):
    """Fetching a page of tasks failed."""

    claim: PageClaim
    error: AvalaError


@dataclass
class ProjectsPageLoaded(Message):
    """A page of the user's projects arrived."""

    page: Page[Project]


@dataclass
class ProjectsFailed(Message):
    """Listing the user's projects failed."""

    error: AvalaError


@dataclass
class TaskDetailLoaded(Message):
    """get-task answered for the highlighted task."""

    task: Task


@dataclass
class TaskDetailFailed(Message):
    """get-task failed for a task."""

    uid: str
    error: AvalaError


@dataclass
class RefreshLoaded(Message):
    """A live refresh re-fetched these pages, by the cursor each was fetched with."""

    generation: int
    pages: list[tuple[str, Page[Task]]]


@dataclass
class RefreshFailed(Message):
    """A live refresh failed."""

    generation: int
    error: AvalaError
