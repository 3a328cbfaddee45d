"""A task as far as a count needs it, read from a listing's row and nothing more.

Imported by the census only, once the dashboard is up: it is a pydantic model.
"""

from __future__ import annotations

import functools

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from avala_tui.api.models import MAX_TEXT_CHARS, Task


class TaskTally(BaseModel):
    """The fields of a task a count needs.

    Reading a page of 1,000 full :class:`Task` rows (every string bounded, extra fields
    kept) holds the event loop for several milliseconds; a census reads sixty such pages
    in the background while the user presses keys. These five fields, validated by
    pydantic's core alone, cost ~1 ms a page. A row this strict reading refuses (a time
    without an offset, a number for a status) is read as a :class:`Task` instead,
    repairs and all, so a count and the list agree on every row (see
    ``AvalaClient.list_task_tallies``).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    uid: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    project: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    status: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None

    @classmethod
    def of(cls, task: Task) -> TaskTally:
        """The tally fields of a task read in full."""
        return cls.model_construct(
            uid=task.uid,
            project=task.project,
            status=task.status,
            created_at=task.created_at,
            updated_at=task.updated_at,
        )


@functools.cache
def _tally_rows() -> TypeAdapter[list[TaskTally]]:
    return TypeAdapter(list[TaskTally])


def read_tallies(rows: list[object]) -> list[TaskTally] | None:
    """Every row as a tally in one strict pass, or None when any row needs the full reading."""
    try:
        return _tally_rows().validate_python(rows)
    except ValidationError:
        return None
