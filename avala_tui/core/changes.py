"""What changed since the user last looked: marks per row and a running summary. No Textual."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from avala_tui.api.models import STATUS_COMPLETED

#: Mark kinds, as the table draws them.
MARK_NEW: Final = "new"
MARK_CHANGED: Final = "changed"
#: How the table draws each mark; the header's icon must be none of these.
MARK_GLYPHS: Final[Mapping[str, str]] = {MARK_NEW: "●", MARK_CHANGED: "◆"}


@dataclass
class ChangeLog:
    """What changed since the user last looked: marks per row and a running summary."""

    clock: Callable[[], float]
    """Where "since" times come from."""
    marks: dict[str, str] = field(default_factory=dict)
    """Unseen changes by task uid; the table draws these."""
    since: float = 0.0
    """When the summary started counting."""
    new: int = 0
    completed: int = 0
    changed: int = 0
    left: int = 0

    def __post_init__(self) -> None:
        self.since = self.clock()

    def record(
        self,
        added: Iterable[str],
        status_changed: Iterable[tuple[str, str | None]],
        left: int = 0,
    ) -> None:
        """Note a refresh's changes: new uids, and (uid, new status) pairs."""
        for uid in added:
            self.marks[uid] = MARK_NEW
            self.new += 1
        for uid, status in status_changed:
            if self.marks.get(uid) != MARK_NEW:
                self.marks[uid] = MARK_CHANGED
            if status == STATUS_COMPLETED:
                self.completed += 1
            else:
                self.changed += 1
        self.left += left

    def seen(self, uid: str) -> bool:
        """The user has looked at a row; True when that cleared a mark."""
        return self.marks.pop(uid, None) is not None

    def acknowledge(self) -> None:
        """Clear every mark and start counting afresh."""
        self.marks.clear()
        self.new = self.completed = self.changed = self.left = 0
        self.since = self.clock()

    def forget(self, uids: Iterable[str]) -> None:
        """Drop marks of rows that are gone from the list."""
        for uid in uids:
            self.marks.pop(uid, None)

    @property
    def summary(self) -> str:
        """E.g. "+3 new · 5 completed"; empty when nothing changed."""
        parts = []
        if self.new:
            parts.append(f"+{self.new:,} new")
        if self.completed:
            parts.append(f"{self.completed:,} completed")
        if self.changed:
            parts.append(f"{self.changed:,} changed")
        if self.left:
            parts.append(f"{self.left:,} left this view")
        return " · ".join(parts)
