"""The arithmetic of retrying: Retry-After parsing, its floor and ceiling, full-jitter backoff."""

from __future__ import annotations

import math
import random
from datetime import UTC
from email.utils import parsedate_to_datetime

#: No single backoff sleep (as opposed to a server-given Retry-After) lasts longer.
BACKOFF_CAP = 8.0
#: The shortest wait after a 429 or a 503 with Retry-After: "Retry-After: 0", a negative
#: value or a date in the past would otherwise let a client hammer a server that is
#: already asking it to slow down.
MIN_THROTTLE_WAIT = 1.0
#: The longest wait the client obeys. A server asking for days (or a reset in 2050) is
#: broken or hostile; the user is better served by a retry in minutes, shown as such.
MAX_THROTTLE_WAIT = 600.0


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a Retry-After value (delay-seconds or HTTP-date), or None.

    ``now`` is the current epoch time, against which an HTTP-date is measured; a
    date in the past means no wait. Garbage means the server gave no usable hint.
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        # HTTP-dates are GMT; one written without a zone must not be read as local time.
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - now
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


def throttle_wait(seconds: float | None) -> float:
    """The wait the client obeys for a server's ``seconds``: floored and capped; 1 s for None."""
    if seconds is None or not math.isfinite(seconds):
        return MIN_THROTTLE_WAIT
    return min(max(seconds, MIN_THROTTLE_WAIT), MAX_THROTTLE_WAIT)


def full_jitter_backoff(attempt: int, *, base: float, cap: float = BACKOFF_CAP) -> float:
    """The wait before retry number ``attempt`` (0-based): uniform in [0, min(cap, base·2^attempt)].

    Full jitter spreads the retries of many clients that failed together (a server
    restart) instead of having them return in lockstep.
    """
    ceiling = min(cap, base * 2.0**attempt)
    return random.uniform(0.0, ceiling)
