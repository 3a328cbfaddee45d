"""Typed shapes of what the Avala API returns.

The models are deliberately lenient: the API may grow statuses, types and fields,
and any field but ``uid`` may be null or missing. Unknown values pass through
unchanged and unknown fields are kept (``model_extra``) so the detail pane can
show them. UIDs are opaque strings: the reference's own examples are not hex, so
they are never validated as UUIDs.

One odd value must not cost a whole page: a documented text field holding a number
or an object becomes that value's JSON text, and a time that cannot be read (or
lies outside what a clock can show) becomes None, its raw value kept as an extra
field named ``"<field> (as sent)"``. Only a row without a string ``uid`` is refused.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final, Generic, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)

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


#: Appended to a field's name for the extra field holding a time that could not be read.
AS_SENT_SUFFIX: Final = " (as sent)"

# A day inside datetime's range, so that showing a time in any local zone cannot overflow.
_EARLIEST: Final = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
_LATEST: Final = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)


def _encodable(name: str) -> str:
    """A field name as given, or with its lone surrogates (valid JSON) spelt out as escapes."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return name


def _as_text(value: object) -> str:
    """A non-string value as the JSON text the server sent (``5``, ``true``, ``{"a": 1}``)."""
    return json.dumps(value, ensure_ascii=False, default=str)


class _ApiModel(BaseModel):
    # extra="allow": unknown fields are data the user may want to see.
    model_config = ConfigDict(extra="allow", frozen=True)

    #: Fields whose bad value is repaired rather than refused, by how.
    _TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset()
    _TIME_FIELDS: ClassVar[frozenset[str]] = frozenset({"created_at", "updated_at"})

    @field_validator("created_at", "updated_at", mode="after", check_fields=False)
    @classmethod
    def _readable_time(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            # The API sends UTC; a time without an offset is read as UTC, not as local time.
            value = value.replace(tzinfo=UTC)
        if not _EARLIEST <= value <= _LATEST:
            raise ValueError("time outside the range a clock can show")
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _repair_odd_values(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        # The fast path validates once; only a row with a bad value pays for the repair.
        try:
            return handler(data)
        except ValidationError as exc:
            error = exc
        # Two rounds: pydantic reports a bad field name before it looks at any value.
        for _ in range(2):
            repaired = cls._repaired(data, error)
            if repaired is None:
                break
            data = repaired
            try:
                return handler(data)
            except ValidationError as exc:
                error = exc
        raise error

    @classmethod
    def _repaired(cls, data: Any, exc: ValidationError) -> dict[str, Any] | None:
        """``data`` with its repairable bad values mended; None when one cannot be."""
        if not isinstance(data, dict):
            return None
        repaired = dict(data)
        for error in exc.errors():
            name = error["loc"][0] if error["loc"] else None
            if name is None and error["type"] == "string_unicode":
                continue  # a field name holding a lone surrogate: renamed below
            if name in cls._TEXT_FIELDS and name in data:
                repaired[name] = _as_text(data[name])
            elif name in cls._TIME_FIELDS and name in data:
                repaired[name] = None
                repaired[f"{name}{AS_SENT_SUFFIX}"] = data[name]
            else:
                return None
        return {_encodable(key): value for key, value in repaired.items()}


class Task(_ApiModel):
    """An annotation task as ``GET /tasks/`` and ``GET /tasks/{uid}/`` return it."""

    _TEXT_FIELDS = frozenset({"type", "name", "status", "project"})

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

    _TEXT_FIELDS = frozenset({"name", "status"})

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
