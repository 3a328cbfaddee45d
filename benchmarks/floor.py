"""The CPU floor of benchmark 1: an empty Textual app whose first frame shows the task name.

No network, no client, no parsing: the process imports Textual, styles one label and
draws the first frame. Run on the same pty and clock as the real programs, it is the
least time any Textual dashboard can take to show its first row on this machine.

    python -m benchmarks.floor
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

#: Benchmark 1's first task name (kept literal: importing the benchmark would cost time).
FIRST_TASK_NAME = "Q7FIRST"


class FloorApp(App[None]):
    """One line of text on an otherwise empty screen."""

    def compose(self) -> ComposeResult:
        yield Static(FIRST_TASK_NAME)


if __name__ == "__main__":
    FloorApp().run()
