"""The lenient reading of rows the plain one in :mod:`avala_tui.api.models` does not take.

A text field holding a number or an object, a time without an offset or as a number,
one out of range, a field name holding a lone surrogate: pydantic validates the row,
and each bad value it reports is repaired (see :mod:`avala_tui.api.models`) rather than
cost the row. Imported on the first such row, so a start whose rows are plain never
imports pydantic.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Final, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from avala_tui.api.models import (
    AS_SENT_SUFFIX,
    EARLIEST,
    LATEST,
    MAX_TEXT_CHARS,
    TIME_FIELDS,
    ApiRecord,
    Project,
    Task,
    UnreadableRow,
    as_text,
    bound,
    bounded_tree,
    encodable,
)

RecordT = TypeVar("RecordT", bound=ApiRecord)


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
    _TIME_FIELDS: ClassVar[frozenset[str]] = TIME_FIELDS

    @field_validator("created_at", "updated_at", mode="after", check_fields=False)
    @classmethod
    def _readable_time(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            # The API sends UTC; a time without an offset is read as UTC, not as local time.
            value = value.replace(tzinfo=UTC)
        if not EARLIEST <= value <= LATEST:
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
            data = bounded_tree(data, cut)
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
                repaired[name] = bound(as_text(data[name]), name, cut)
            elif name in cls._TIME_FIELDS and name in data:
                repaired[name] = None
                repaired[f"{name}{AS_SENT_SUFFIX}"] = data[name]
            else:
                return None
        return {encodable(key): value for key, value in repaired.items()}


class _TaskModel(_ApiModel):
    """An annotation task as ``GET /tasks/`` and ``GET /tasks/{uid}/`` return it."""

    _TEXT_FIELDS = Task.TEXT_FIELDS - {"uid"}

    uid: str
    type: str | None = None
    name: str | None = None
    status: str | None = None
    project: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class _ProjectModel(_ApiModel):
    """A project as ``GET /users/me/projects/`` returns it."""

    _TEXT_FIELDS = Project.TEXT_FIELDS - {"uid"}

    uid: str
    name: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


def _unreadable(error: ValidationError) -> UnreadableRow:
    # Messages name the fields, never echo their values: they may be huge or hostile.
    fields = tuple(sorted({".".join(map(str, err["loc"])) for err in error.errors()}))
    return UnreadableRow(f"with invalid fields: {', '.join(fields)}", fields)


#: The pydantic model that reads each kind of record leniently.
_MODELS: Final[dict[type[ApiRecord], type[_ApiModel]]] = {
    Task: _TaskModel,
    Project: _ProjectModel,
}


def read_lenient(record: type[RecordT], row: dict[str, Any]) -> RecordT:
    """A record from a row the plain reading did not take; UnreadableRow if none can be."""
    model_class = _MODELS[record]
    try:
        model = model_class.model_validate(row)
    except ValidationError as error:
        raise _unreadable(error) from error
    documented = {name: getattr(model, name) for name in model_class.model_fields}
    return record(**documented, extra=dict(model.model_extra or {}), cut=model.cut_fields)
