"""get-task answers kept briefly, so moving back and forth costs no request. No Textual."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from avala_tui.api.models import Task


@dataclass
class DetailCache:
    """get-task results kept briefly, so moving back and forth costs no request."""

    ttl: float = 10.0
    capacity: int = 256
    clock: Callable[[], float] = time.monotonic
    _entries: OrderedDict[str, tuple[float, Task]] = field(default_factory=OrderedDict)

    def get(self, uid: str) -> Task | None:
        """A fresh cached task, or None."""
        entry = self._entries.get(uid)
        if entry is None:
            return None
        stored_at, task = entry
        if self.clock() - stored_at > self.ttl:
            del self._entries[uid]
            return None
        self._entries.move_to_end(uid)
        return task

    def put(self, task: Task) -> None:
        """Remember a task, evicting the least recently used past capacity."""
        self._entries[task.uid] = (self.clock(), task)
        self._entries.move_to_end(task.uid)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every task (an explicit reload)."""
        self._entries.clear()
