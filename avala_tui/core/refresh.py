"""Merging a live refresh into the loaded rows. No Textual.

A refresh re-fetches the first page and the pages on screen. Each fresh page
updates the rows it holds, brings in tasks not seen before, and tells which
loaded rows have left the view (a status filter they no longer match).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from avala_tui.api.models import Page, Task
from avala_tui.core.census import SeenChange
from avala_tui.core.feed import FIRST_PAGE
from avala_tui.core.store import TaskRow, TaskStore


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What a refresh changed in the store."""

    added: tuple[str, ...] = ()
    """Uids of tasks new to the list, top to bottom."""
    status_changed: tuple[tuple[str, str | None], ...] = ()
    """(uid, new status) of loaded tasks whose status changed."""
    gone: tuple[str, ...] = ()
    """Uids of loaded tasks that left the list."""
    seen: tuple[SeenChange, ...] = ()
    """The status flips and arrivals, with their projects and times, for the census."""


def apply_refresh(
    store: TaskStore, pages: Sequence[tuple[str, Page[Task]]], *, exhausted: bool
) -> RefreshResult:
    """Merge re-fetched pages (by the cursor each was fetched with) into ``store``.

    Each page is placed by its own order (see ``TaskStore.merge_refresh``), never
    by guessing the server's order from times. ``exhausted`` says whether the
    list's last page is loaded: only then does a page without a next one end it.
    """
    added: list[str] = []
    status_changed: list[str] = []
    gone: list[str] = []
    seen: list[SeenChange] = []
    for cursor, page in pages:
        # What each loaded task's status was: the store keeps only the new one.
        before = {
            task.uid: row.status for task in page.items if (row := store.get(task.uid)) is not None
        }
        merged = store.merge_refresh(
            [TaskRow.from_task(task) for task in page.items],
            first_page=cursor == FIRST_PAGE,
            last_page=exhausted and not page.has_more,
        )
        added += merged.added
        status_changed += merged.status_changed
        gone += merged.gone
        for uid in merged.status_changed:
            if (row := store.get(uid)) is not None:
                seen.append(SeenChange(uid, row.project, before.get(uid), row.status, row.updated))
        for uid in merged.added:
            if (row := store.get(uid)) is not None:
                seen.append(
                    SeenChange(uid, row.project, None, row.status, row.created, arrival=True)
                )
    new_statuses = tuple(
        (uid, row.status) for uid in status_changed if (row := store.get(uid)) is not None
    )
    return RefreshResult(tuple(added), new_statuses, tuple(gone), tuple(seen))
