"""Lines that can be cut give way in a set order: the most needed words stay whole."""

from __future__ import annotations

from rich.cells import cell_len

from avala_tui.api.client import RateLimitStatus
from avala_tui.core.status import (
    ListState,
    empty_message,
    fit_hints,
    header_text,
    list_message,
    status_line,
)

RETRYING = "offline — retrying in 12 s (last update 02:49:13)"


def test_the_header_drops_host_then_profile_and_keeps_the_countdown() -> None:
    def header(width: int) -> str:
        return header_text(
            RETRYING, demo=False, host="127.0.0.1:8765", profile="default", width=width
        )

    assert header(200) == f"127.0.0.1:8765 · profile default · {RETRYING}"
    assert header(len(RETRYING) + 20) == f"profile default · {RETRYING}"
    assert header(len(RETRYING)) == RETRYING
    # Shorter still: the last update goes before the countdown does.
    assert header(30) == "offline — retrying in 12 s"
    for width in range(1, 120):
        assert cell_len(header(width)) <= width


def test_the_demo_header_drops_its_label_before_the_health() -> None:
    assert header_text("live · updated 02:49", demo=True, host="h", profile="p", width=40) == (
        "demo data · live · updated 02:49"
    )
    assert header_text("live · updated 02:49", demo=True, host="h", profile="p", width=25) == (
        "live · updated 02:49"
    )


def test_the_status_line_keeps_counts_and_more_below_before_the_changes() -> None:
    state = ListState(
        count=100,
        exhausted=False,
        loading=False,
        changes="+5 new · 3 completed",
        changes_since=0.0,
        order="by name ▲",
    )
    wide = status_line(state, 200)
    assert wide.startswith("100 loaded · more below · by name ▲ · +5 new · 3 completed since ")
    assert status_line(state, 60) == "100 loaded · more below · by name ▲ · +5 new · 3 completed"
    assert status_line(state, 50) == "100 loaded · more below · +5 new · 3 completed"
    assert status_line(state, 30) == "100 loaded · more below"
    for width in range(1, 120):
        assert cell_len(status_line(state, width)) <= width


def test_a_nearly_spent_budget_outlasts_the_change_summary() -> None:
    rate = RateLimitStatus(limit=100, remaining=3, reset=None, observed_at=0.0)
    state = ListState(count=10, exhausted=True, loading=False, changes="+1 new", rate=rate)
    assert status_line(state, 50) == "10 tasks · all loaded · rate limit: 3/100 left"


def test_an_empty_list_says_why_in_the_words_of_its_filters() -> None:
    assert list_message(ListState(count=0, exhausted=True, loading=False, project=True)) == (
        "This project has no tasks."
    )
    assert empty_message("pending", project=True) == "No pending tasks in this project."
    assert empty_message("completed", project=False) == "No completed tasks."
    assert empty_message(None, project=False) == "There are no tasks yet."


def test_footer_hints_are_whole_and_in_order() -> None:
    hints = [("?", "Help"), ("/", "Filter"), ("p", "Projects"), ("o", "Open")]
    assert fit_hints(hints, 100) == hints
    assert fit_hints(hints, len("? Help  / Filter  p Proj")) == hints[:2]
    # A short later hint never takes the place of a longer earlier one.
    assert fit_hints(hints, len("? Help  / Filter  o Open")) == hints[:2]
    assert fit_hints(hints, 3) == []
