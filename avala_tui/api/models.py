"""Typed shapes of what the Avala API returns.

The models are deliberately lenient: the API may grow statuses, types and fields,
and any field but ``uid`` may be null or missing. Unknown values pass through
unchanged and unknown fields are kept (``model_extra``) so the detail pane can
show them. UIDs are opaque strings: the reference's own examples are not hex, so
they are never validated as UUIDs.

One odd value must not cost a whole page: a documented text field holding a number
or an object becomes that value's JSON text, and a time that cannot be read (or
lies outside what a clock can show) becomes None, its raw value kept as an extra
field named ``"<field> (as sent)"``. Only a row without a string ``uid`` is refused
(the client skips it and counts it in :attr:`Page.skipped`).

Every string is bounded when the model is built: one longer than
:data:`MAX_TEXT_CHARS` (a field's value, an undocumented field's, one nested inside
it, a field's name) is cut and ends in :data:`CUT_MARK`, and :attr:`cut_fields` maps
where it was to its length as sent, so the detail pane can say it was cut. A 20 MB
name would otherwise cost seconds on every render. The text is otherwise kept as
sent, control characters included: cleaning it for a terminal is the UI's job.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final, Generic, Self, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
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
#: The longest string a model keeps, the cut mark included. A uid is never cut: a row
#: with a longer one is refused.
MAX_TEXT_CHARS: Final = 4096
#: Ends a string that was cut.
CUT_MARK: Final = "…"

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


def _bound(text: str, where: str, cut: dict[str, int]) -> str:
    if len(text) <= MAX_TEXT_CHARS:
        return text
    cut[where] = len(text)
    return text[: MAX_TEXT_CHARS - len(CUT_MARK)] + CUT_MARK


def _bounded_tree(data: Any, cut: dict[str, int]) -> Any:
    """A copy of JSON ``data`` with every string (keys too) bounded; ``cut`` records where.

    Iterative, not recursive: JSON nested a thousand deep is valid and must not turn
    into a RecursionError here.
    """
    if isinstance(data, str):
        return _bound(data, "", cut)
    if not isinstance(data, dict | list):
        return data
    root: dict[str, Any] | list[Any] = {} if isinstance(data, dict) else [None] * len(data)
    stack: list[tuple[Any, Any, str]] = [(data, root, "")]
    while stack:
        source, target, path = stack.pop()
        pairs = source.items() if isinstance(source, dict) else enumerate(source)
        for key, value in pairs:
            if isinstance(source, dict):
                if isinstance(key, str) and len(key) > MAX_TEXT_CHARS:
                    # Recorded under its first words: the whole name is what was too long.
                    key = _bound(key, f"{path}.{key[:40]}…".removeprefix("."), cut)
                where = f"{path}.{key}" if path else str(key)
            else:
                where = f"{path}[{key}]"
            if isinstance(value, str):
                value = _bound(value, where, cut)
            elif isinstance(value, dict | list):
                copy: dict[str, Any] | list[Any] = (
                    {} if isinstance(value, dict) else [None] * len(value)
                )
                stack.append((value, copy, where))
                value = copy
            target[key] = value
    return root


def _as_text(value: object) -> str:
    """A non-string value as the JSON text the server sent (``5``, ``true``, ``{"a": 1}``)."""
    return json.dumps(value, ensure_ascii=False, default=str)


class _ApiModel(BaseModel):
    # extra="allow": unknown fields are data the user may want to see.
    model_config = ConfigDict(extra="allow", frozen=True)

    _cut: dict[str, int] = PrivateAttr(default_factory=dict)

    @property
    def cut_fields(self) -> dict[str, int]:
        """Where a string was cut to :data:`MAX_TEXT_CHARS` ("name", "meta.note[2]"),
        mapped to its length as sent; empty when nothing was cut."""
        return dict(self._cut)

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
        cut: dict[str, int] = {}
        if isinstance(data, dict):
            uid = data.get("uid")
            if isinstance(uid, str) and len(uid) > MAX_TEXT_CHARS:
                # A cut uid would name another task, or none: refuse rather than cut it.
                raise ValueError(f"uid longer than {MAX_TEXT_CHARS} characters")
            data = _bounded_tree(data, cut)
        model = cls._validate_repairing(data, handler, cut)
        if cut:
            model._cut = cut
        return model

    @classmethod
    def _validate_repairing(
        cls, data: Any, handler: ModelWrapValidatorHandler[Self], cut: dict[str, int]
    ) -> Self:
        # The fast path validates once; only a row with a bad value pays for the repair.
        try:
            return handler(data)
        except ValidationError as exc:
            error = exc
        # Two rounds: pydantic reports a bad field name before it looks at any value.
        for _ in range(2):
            repaired = cls._repaired(data, error, cut)
            if repaired is None:
                break
            data = repaired
            try:
                return handler(data)
            except ValidationError as exc:
                error = exc
        raise error

    @classmethod
    def _repaired(
        cls, data: Any, exc: ValidationError, cut: dict[str, int]
    ) -> dict[str, Any] | None:
        """``data`` with its repairable bad values mended; None when one cannot be."""
        if not isinstance(data, dict):
            return None
        repaired = dict(data)
        for error in exc.errors():
            name = error["loc"][0] if error["loc"] else None
            if name is None and error["type"] == "string_unicode":
                continue  # a field name holding a lone surrogate: renamed below
            if name in cls._TEXT_FIELDS and name in data:
                # A list of a million numbers makes a long text: bound it too.
                repaired[name] = _bound(_as_text(data[name]), name, cut)
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


class TaskTally(BaseModel):
    """The fields of a task a count needs, read from a listing's row and nothing more.

    Reading a page of 1,000 full :class:`Task` rows (every string bounded, extra fields
    kept) holds the event loop for ~15 ms; a census reads sixty such pages in the
    background while the user presses keys. These five fields, validated by pydantic's
    core alone, cost ~1 ms a page. A row this strict reading refuses (a time without
    an offset, a number for a status) is read as a :class:`Task` instead, repairs and
    all, so a count and the list agree on every row (see ``AvalaClient.list_task_tallies``).
    """

    # Built on first use: the first frame does not wait for a census's schema.
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

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


ItemT = TypeVar("ItemT", bound=BaseModel)


class Page(BaseModel, Generic[ItemT]):
    """One page of a cursor-paginated listing, cursors already taken out of the links."""

    model_config = ConfigDict(frozen=True)

    items: list[ItemT] = Field(default_factory=list)
    next_cursor: str | None = None
    previous_cursor: str | None = None
    #: Rows of the server's page left out because they could not be read (not an
    #: object, no string uid, an unreadable field): the UI says "2 rows skipped".
    skipped: int = 0
    #: Why, for the first few of them ("task #3 without a uid").
    skip_reasons: list[str] = Field(default_factory=list)

    @property
    def has_more(self) -> bool:
        """Whether the server said there is a next page."""
        return self.next_cursor is not None
