"""The words of the About screen: what runs, against which API, and how it fares. No Textual."""

from __future__ import annotations

import time
from pathlib import Path

from avala_tui.api.client import RateLimitStatus
from avala_tui.config.settings import Settings


def _clock(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch))


def rate_limit_text(rate: RateLimitStatus | None) -> str:
    """The API's announced budget, as the About screen says it."""
    if rate is None or (rate.limit is None and rate.remaining is None):
        return "not announced yet"
    parts = [f"{'?' if rate.remaining is None else rate.remaining} of {rate.limit or '?'} left"]
    if rate.reset is not None:
        parts.append(f"resets {_clock(rate.reset)}")
    parts.append(f"as of {_clock(rate.observed_at)}")
    return ", ".join(parts)


def about_rows(
    *,
    version: str,
    textual_version: str,
    python_version: str,
    settings: Settings,
    base_url: str,
    state_file: Path | None,
    rate: RateLimitStatus | None,
    last_error: tuple[float, str] | None,
) -> list[tuple[str, str]]:
    """(label, value) rows: versions, profile and API, files, rate limit, last error."""
    return [
        ("avala-tui", version),
        ("Textual", textual_version),
        ("Python", python_version),
        ("profile", "demo data" if settings.demo else settings.profile),
        ("base URL", base_url),
        ("config file", "(none)" if settings.config_file is None else str(settings.config_file)),
        ("state file", "(not kept)" if state_file is None else str(state_file)),
        ("debug log", "(off)" if settings.debug_log is None else str(settings.debug_log)),
        ("rate limit", rate_limit_text(rate)),
        (
            "last error",
            "none" if last_error is None else f"{_clock(last_error[0])} {last_error[1]}",
        ),
    ]
