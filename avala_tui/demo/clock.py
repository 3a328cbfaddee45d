"""Time as the demo API keeps it: integer microseconds since the epoch, rendered like DRF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
US_PER_SECOND = 1_000_000


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _ONE_US


def from_us(us: int) -> datetime:
    """The aware UTC datetime ``us`` microseconds after the epoch."""
    return _EPOCH + timedelta(microseconds=us)


def now_us() -> int:
    """The wall clock, in microseconds since the epoch."""
    return to_us(datetime.now(UTC))


def iso_z(us: int) -> str:
    """DRF's DateTimeField rendering: ISO 8601, microseconds only when non-zero, ``Z`` for UTC."""
    return from_us(us).isoformat().replace("+00:00", "Z")


def position(us: int) -> str:
    """A cursor position as DRF writes one: ``str()`` of the aware datetime."""
    return str(from_us(us))


def parse_position(text: str) -> int:
    """The microseconds a cursor position names; ValueError when it names no moment."""
    return to_us(datetime.fromisoformat(text))


def hour_floor(moment: datetime) -> datetime:
    """``moment`` in UTC, rounded down to the hour."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
