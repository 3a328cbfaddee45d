"""Typed shapes of what the Avala API returns.

The models are deliberately lenient: the API may grow statuses, types and fields,
and any field but ``uid`` may be null or missing. Unknown values pass through
unchanged and unknown fields are kept (``model_extra``) so the detail pane can
show them. UIDs are opaque strings: the reference's own examples are not hex, so
they are never validated as UUIDs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

STATUS_PENDING: Final = "pending"
STATUS_COMPLETED: Final = "completed"
#: The statuses the API documents and accepts as a filter.
KNOWN_STATUSES: Final[tuple[str, ...]] = (STATUS_PENDING, STATUS_COMPLETED)

TYPE_IMAGE: Final = "image-annotation"
TYPE_VIDEO: Final = "video-annotation"
TYPE_POINT_CLOUD: Final = "point-cloud-annotation"
TYPE_POINT_CLOUD_OBJECTS: Final = "point-cloud-objects"
#: The task types the API documents; others are shown as they come.
KNOWN_TYPES: Final[tuple[str, ...]] = (
    TYPE_IMAGE,
    TYPE_VIDEO,
    TYPE_POINT_CLOUD,
    TYPE_POINT_CLOUD_OBJECTS,
)


class _ApiModel(BaseModel):
    # extra="allow": unknown fields are data the user may want to see.
    model_config = ConfigDict(extra="allow", frozen=True)


class Task(_ApiModel):
    """An annotation task as ``GET /tasks/`` and ``GET /tasks/{uid}/`` return it."""

    uid: str
    type: str | None = None
    name: str | None = None
    status: str | None = None
    project: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def extra_fields(self) -> dict[str, Any]:
        """Fields the reference does not document, as the server sent them."""
        return dict(self.model_extra or {})


class Project(_ApiModel):
    """A project as ``GET /users/me/projects/`` returns it."""

    uid: str
    name: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


ItemT = TypeVar("ItemT", bound=BaseModel)


class Page(BaseModel, Generic[ItemT]):
    """One page of a cursor-paginated listing, cursors already taken out of the links."""

    model_config = ConfigDict(frozen=True)

    items: list[ItemT] = Field(default_factory=list)
    next_cursor: str | None = None
    previous_cursor: str | None = None

    @property
    def has_more(self) -> bool:
        """Whether the server said there is a next page."""
        return self.next_cursor is not None
