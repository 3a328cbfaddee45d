"""Typed messages that carry the task list's background results back to it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from avala_tui.api.errors import AvalaError
from avala_tui.api.models import Page, Task
from avala_tui.core.feed import PageClaim


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
class RefreshLoaded(Message):
    """A live refresh re-fetched these pages, by the cursor each was fetched with."""

    generation: int
    pages: list[tuple[str, Page[Task]]]


@dataclass
class RefreshFailed(Message):
    """A live refresh failed."""

    generation: int
    error: AvalaError
