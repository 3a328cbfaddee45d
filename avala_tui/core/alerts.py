"""Alerts a lead asked for with ``--notify``: what to watch, and when to speak. No Textual.

Kinds: ``new`` (a new task appeared in the current view), ``pending-over=N``,
``stale-over=DURATION`` (the oldest pending task is older than that) and
``offline`` (the API unreachable for more than a minute). A condition alerts when
it becomes true, not on every refresh while it holds, and each kind speaks at most
once a minute: a bell every 15 seconds for the same fact would be switched off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final, Literal

AlertKind = Literal["new", "pending-over", "stale-over", "offline"]

#: At most one alert per kind in this many seconds.
MIN_GAP_SECONDS: Final = 60.0
#: The API must be unreachable this long before ``offline`` alerts.
OFFLINE_AFTER_SECONDS: Final = 60.0

_DURATION: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT_SECONDS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


class NotifySpecError(ValueError):
    """A ``--notify`` value that cannot be read; the message says what is expected."""


def parse_duration(text: str) -> timedelta:
    """``48h``, ``30m``, ``2d``, ``90s`` as a timedelta."""
    match = _DURATION.match(text)
    if match is None:
        raise NotifySpecError(f"{text!r} is not a duration like 48h, 30m, 2d or 90s.")
    return timedelta(seconds=float(match[1]) * _UNIT_SECONDS[match[2]])


@dataclass(frozen=True, slots=True)
class NotifyRules:
    """Which alerts are on, with their thresholds."""

    new: bool = False
    """Alert when a new task appears in the current view."""
    pending_over: int | None = None
    """Alert when more tasks than this are pending."""
    stale_over: timedelta | None = None
    """Alert when the oldest pending task is older than this."""
    offline: bool = False
    """Alert when the API has been unreachable for more than a minute."""

    @property
    def any(self) -> bool:
        """Whether any alert is on."""
        return self.new or self.offline or self.pending_over is not None or bool(self.stale_over)


def parse_notify(text: str | None) -> NotifyRules:
    """Read ``new,pending-over=N,stale-over=48h,offline`` (any subset, any order)."""
    rules = NotifyRules()
    if not text:
        return rules
    new = offline = False
    pending_over: int | None = None
    stale_over: timedelta | None = None
    for part in (piece.strip() for piece in text.split(",")):
        name, _, value = part.partition("=")
        if name == "new" and not value:
            new = True
        elif name == "offline" and not value:
            offline = True
        elif name == "pending-over" and value:
            if not value.isdigit():
                raise NotifySpecError(f"pending-over needs a whole number, not {value!r}.")
            pending_over = int(value)
        elif name == "stale-over" and value:
            stale_over = parse_duration(value)
        else:
            raise NotifySpecError(
                f"Unknown alert {part!r}: use new, pending-over=N, stale-over=DURATION, offline."
            )
    return NotifyRules(new, pending_over, stale_over, offline)


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert to ring, notify and show."""

    kind: AlertKind
    message: str


@dataclass
class AlertWatch:
    """Turns what the dashboard observes into alerts, each kind at most once a minute."""

    rules: NotifyRules
    """What to watch."""
    _last_sent: dict[AlertKind, float] = field(default_factory=dict)
    _holding: set[AlertKind] = field(default_factory=set)
    _new_seen: int = 0
    _new_unsaid: int = 0
    _offline_since: float | None = None

    def observe(
        self,
        now: float,
        *,
        new_total: int | None = None,
        pending: int | None = None,
        oldest_pending_age: timedelta | None = None,
        offline: bool | None = None,
    ) -> list[Alert]:
        """The alerts due now, given what is known (None: not known this time)."""
        alerts: list[Alert] = []
        rules = self.rules
        if rules.new and new_total is not None:
            # The change log's count restarts at 0 when the user marks changes seen.
            grown = new_total - self._new_seen if new_total >= self._new_seen else new_total
            self._new_seen = new_total
            self._new_unsaid += max(0, grown)
            if self._new_unsaid and self._may_send("new", now):
                count = self._new_unsaid
                self._new_unsaid = 0
                alerts.append(Alert("new", f"{count:,} new task{'s' if count != 1 else ''}"))
        if rules.pending_over is not None and pending is not None:
            limit = rules.pending_over
            if self._rising("pending-over", pending > limit, now):
                alerts.append(Alert("pending-over", f"{pending:,} pending (over {limit:,})"))
        if rules.stale_over is not None and oldest_pending_age is not None:
            over = oldest_pending_age > rules.stale_over
            if self._rising("stale-over", over, now):
                hours = oldest_pending_age.total_seconds() / 3600
                alerts.append(Alert("stale-over", f"oldest pending task waiting {hours:,.0f} h"))
        if rules.offline and offline is not None:
            if not offline:
                self._offline_since = None
            elif self._offline_since is None:
                self._offline_since = now
            since = self._offline_since
            away = since is not None and now - since > OFFLINE_AFTER_SECONDS
            if self._rising("offline", away, now):
                alerts.append(Alert("offline", "the Avala API has been unreachable for a minute"))
        return alerts

    def _rising(self, kind: AlertKind, holds: bool, now: float) -> bool:
        """Whether ``kind`` just became true (and may be sent); remembers that it holds."""
        if not holds:
            self._holding.discard(kind)
            return False
        if kind in self._holding:
            return False
        self._holding.add(kind)
        return self._may_send(kind, now)

    def _may_send(self, kind: AlertKind, now: float) -> bool:
        last = self._last_sent.get(kind)
        if last is not None and now - last < MIN_GAP_SECONDS:
            return False
        self._last_sent[kind] = now
        return True
