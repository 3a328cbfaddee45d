"""Typed shapes of what the Avala API returns, and how a row of JSON becomes one.

The shapes are deliberately lenient: the API may grow statuses, types and fields,
and any field but ``uid`` may be null or missing. Unknown values pass through
unchanged and unknown fields are kept (:attr:`Task.extra_fields`) so the detail pane
can show them. UIDs are opaque strings: the reference's own examples are not hex, so
they are never validated as UUIDs.

One odd value must not cost a whole page: a documented text field holding a number
or an object becomes that value's JSON text, and a time that cannot be read (or
lies outside what a clock can show) becomes None, its raw value kept as an extra
field named ``"<field> (as sent)"``. Only a row without a string ``uid`` is refused
(:class:`UnreadableRow`; the client skips it and counts it in :attr:`Page.skipped`).

Every string is bounded: one longer than :data:`MAX_TEXT_CHARS` (a field's value,
an undocumented field's, one nested inside it, a field's name) is cut and ends in
:data:`CUT_MARK`, and :attr:`Task.cut_fields` maps where it was to its length as
sent, so the detail pane can say it was cut. A 20 MB name would otherwise cost
seconds on every render. The text is otherwise kept as sent, control characters
included: cleaning it for a terminal is the UI's job.

Why two readings. Importing pydantic and building its models is ~90 ms of CPU, a
seventh of the dashboard's start, and the first page must be read before its first
row is drawn. A row as the API sends it (strings, ISO 8601 times with an offset,
nothing too long) is read here in plain Python; any other row goes to the pydantic
models of :mod:`avala_tui.api._lenient`, imported on first need, which repair what
can be repaired. The plain reading accepts only rows on which both agree
(``tests/system/test_properties.py`` compares them on generated rows). Imports no pydantic.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final, Generic, Self, TypeVar

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
EARLIEST: Final = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
LATEST: Final = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)

#: The times the plain reading takes: what the API sends (DRF's ISO 8601, ``Z`` or an
#: offset). Anything else (no offset, a date, a number) is left to the lenient reading.
_PLAIN_TIME: Final = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)", re.ASCII
)


class UnreadableRow(ValueError):
    """A row that cannot be read at all: not an object, no string uid, a field beyond repair."""

    def __init__(self, reason: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        #: The fields at fault ("uid", "meta.x"), for a message that names but never echoes them.
        self.fields = fields


def encodable(name: str) -> str:
    """A field name as given, or with its lone surrogates (valid JSON) spelt out as escapes."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return name


def _is_utf8(text: str) -> bool:
    # JSON may hold a lone surrogate ("\ud800"): a str, but not text a terminal can take.
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def bound(text: str, where: str, cut: dict[str, int]) -> str:
    """``text`` cut to :data:`MAX_TEXT_CHARS` when longer, recorded in ``cut`` under ``where``."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    cut[where] = len(text)
    return text[: MAX_TEXT_CHARS - len(CUT_MARK)] + CUT_MARK


def bounded_tree(data: Any, cut: dict[str, int]) -> Any:
    """A copy of JSON ``data`` with every string (keys too) bounded; ``cut`` records where.

    Iterative, not recursive: JSON nested a thousand deep is valid and must not turn
    into a RecursionError here.
    """
    if isinstance(data, str):
        return bound(data, "", cut)
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
                    key = bound(key, f"{path}.{key[:40]}…".removeprefix("."), cut)
                where = f"{path}.{key}" if path else str(key)
            else:
                where = f"{path}[{key}]"
            if isinstance(value, str):
                value = bound(value, where, cut)
            elif isinstance(value, dict | list):
                copy: dict[str, Any] | list[Any] = (
                    {} if isinstance(value, dict) else [None] * len(value)
                )
                stack.append((value, copy, where))
                value = copy
            target[key] = value
    return root


def as_text(value: object) -> str:
    """A non-string value as the JSON text the server sent (``5``, ``true``, ``{"a": 1}``)."""
    return json.dumps(value, ensure_ascii=False, default=str)


def _plain_time(text: str) -> datetime | None:
    """The time ``text`` holds when it is written as the API writes times, else None."""
    if _PLAIN_TIME.fullmatch(text) is None:
        return None
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None  # 25:00, 30 February, a +99:00 offset: the lenient reading decides
    return stamp if EARLIEST <= stamp <= LATEST else None


def _plain_fields(
    row: Mapping[str, Any], texts: frozenset[str], times: frozenset[str]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, int]] | None:
    """A row's documented fields, its extra fields and what was cut in them, when the
    plain reading can take it; None sends the row to the lenient reading."""
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in row.items():
        if key in texts:
            if value is not None and not (
                type(value) is str and len(value) <= MAX_TEXT_CHARS and _is_utf8(value)
            ):
                return None
            fields[key] = value
        elif key in times:
            if value is None:
                fields[key] = None
            elif type(value) is str and (stamp := _plain_time(value)) is not None:
                fields[key] = stamp
            else:
                return None
        elif len(key) <= MAX_TEXT_CHARS and _is_utf8(key):
            extra[key] = value
        else:
            return None
    cut: dict[str, int] = {}
    if extra:
        extra = bounded_tree(extra, cut)
    return fields, extra, cut


def check_uid(row: object) -> dict[str, Any]:
    """``row`` when it is an object with a usable uid; else :class:`UnreadableRow` says why."""
    if not isinstance(row, dict):
        raise UnreadableRow("that is not an object")
    uid = row.get("uid")
    if not isinstance(uid, str) or not uid:
        raise UnreadableRow("without a uid", ("uid",))
    if len(uid) > MAX_TEXT_CHARS:
        # Any other long string is cut, but a cut uid would name another task (or none).
        raise UnreadableRow(f"with a uid longer than {MAX_TEXT_CHARS:,} characters", ("uid",))
    return row


#: The documented times: read as the API writes them, or left to the lenient reading.
TIME_FIELDS: Final = frozenset({"created_at", "updated_at"})


@dataclass(frozen=True, slots=True)
class ApiRecord:
    """What every record read from the API keeps besides its documented fields, and how
    one is read from a row of JSON."""

    #: The documented text fields (the uid among them); a subclass names its own.
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"uid"})

    #: Fields the reference does not document, as the server sent them (strings bounded).
    extra: Mapping[str, Any] = field(default_factory=dict, kw_only=True)
    #: Where a string was cut, mapped to its length as sent (see :attr:`cut_fields`).
    cut: Mapping[str, int] = field(default_factory=dict, kw_only=True)

    @classmethod
    def read(cls, row: object) -> Self:
        """A record from one row of JSON, repaired where it can be; UnreadableRow if not."""
        checked = check_uid(row)
        if (plain := _plain_fields(checked, cls.TEXT_FIELDS, TIME_FIELDS)) is None:
            from avala_tui.api._lenient import read_lenient

            return read_lenient(cls, checked)
        fields, extra, cut = plain
        return cls(**fields, extra=extra, cut=cut)

    @property
    def extra_fields(self) -> dict[str, Any]:
        """Fields the reference does not document, as the server sent them."""
        return dict(self.extra)

    @property
    def cut_fields(self) -> dict[str, int]:
        """Where a string was cut to :data:`MAX_TEXT_CHARS` ("name", "meta.note[2]"),
        mapped to its length as sent; empty when nothing was cut."""
        return dict(self.cut)


@dataclass(frozen=True, slots=True)
class Task(ApiRecord):
    """An annotation task as ``GET /tasks/`` and ``GET /tasks/{uid}/`` return it."""

    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"uid", "type", "name", "status", "project"})

    uid: str
    type: str | None = None
    name: str | None = None
    status: str | None = None
    project: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Project(ApiRecord):
    """A project as ``GET /users/me/projects/`` returns it."""

    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"uid", "name", "status"})

    uid: str
    name: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


ItemT = TypeVar("ItemT")


# Not slotted: ``Page[Task](...)`` sets ``__orig_class__`` on the instance, which a
# frozen slotted dataclass answers with a TypeError instead of the expected refusal.
@dataclass(frozen=True)
class Page(Generic[ItemT]):
    """One page of a cursor-paginated listing, cursors already taken out of the links."""

    items: list[ItemT] = field(default_factory=list)
    next_cursor: str | None = None
    previous_cursor: str | None = None
    #: Rows of the server's page left out because they could not be read (not an
    #: object, no string uid, an unreadable field): the UI says "2 rows skipped".
    skipped: int = 0
    #: Why, for the first few of them ("task #3 without a uid").
    skip_reasons: list[str] = field(default_factory=list)

    @property
    def has_more(self) -> bool:
        """Whether the server said there is a next page."""
        return self.next_cursor is not None
