"""What the dashboard remembers between runs: last filters, sort and theme. Imports no Textual.

Kept as JSON in the user's state directory (``AVALA_TUI_STATE`` overrides the
path), written atomically, never holding the key. Filters are remembered per
API (profile and base URL, or the demo), since a project uid means nothing to
another account. Command-line flags win over what is remembered, which wins over
the config file's profile.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from avala_tui.api.models import KNOWN_STATUSES
from avala_tui.config.paths import state_path
from avala_tui.config.settings import Settings
from avala_tui.core.view import SORT_COLUMNS, Sort

_VERSION: Final = 1
#: Scopes (profile and API) whose filters are remembered; the least recently used go.
MAX_SCOPES: Final = 32
#: A state file larger than this was not written by the app: it is ignored, not parsed
#: (a 108 MB one once cost 614 MB of memory and seconds per save).
MAX_STATE_BYTES: Final = 256 * 1024

_log = logging.getLogger("avala_tui.config.state")


@dataclass(frozen=True, slots=True)
class Filters:
    """The project and status last chosen for one API."""

    project: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class AppState:
    """Everything remembered; unset parts are None (or absent)."""

    theme: str | None = None
    sort: Sort | None = None
    filters: Mapping[str, Filters] = field(default_factory=dict)

    def with_filters(self, scope: str, filters: Filters) -> AppState:
        """This state with ``filters`` remembered for ``scope`` (the most recent, kept last)."""
        others = [(key, value) for key, value in self.filters.items() if key != scope]
        kept = dict(others[-(MAX_SCOPES - 1) :])
        kept[scope] = filters
        return replace(self, filters=kept)

    def without_filters(self, scope: str) -> AppState:
        """This state with nothing remembered for ``scope`` (its filters were refused)."""
        return replace(
            self, filters={name: kept for name, kept in self.filters.items() if name != scope}
        )

    def to_json(self) -> dict[str, Any]:
        """The state as the file holds it."""
        return {
            "version": _VERSION,
            "theme": self.theme,
            "sort": None
            if self.sort is None
            else {"column": self.sort.column, "reverse": self.sort.reverse},
            "filters": {
                scope: {"project": filters.project, "status": filters.status}
                for scope, filters in self.filters.items()
            },
        }

    @classmethod
    def from_json(cls, document: object) -> AppState:
        """Read what a file held, dropping any part that is not valid."""
        if not isinstance(document, dict):
            return cls()
        theme = document.get("theme")
        return cls(
            theme=theme if isinstance(theme, str) and theme else None,
            sort=_read_sort(document.get("sort")),
            filters=_read_filters(document.get("filters")),
        )


def _read_sort(value: object) -> Sort | None:
    if not isinstance(value, dict):
        return None
    column, reverse = value.get("column"), value.get("reverse", False)
    if column not in SORT_COLUMNS or not isinstance(reverse, bool):
        return None
    return Sort(str(column), reverse)


def _read_filters(value: object) -> dict[str, Filters]:
    if not isinstance(value, dict):
        return {}
    kept: dict[str, Filters] = {}
    for scope, entry in value.items():
        if not isinstance(entry, dict):
            continue
        project, status = entry.get("project"), entry.get("status")
        if project is not None and not (isinstance(project, str) and project):
            continue
        if status is not None and status not in KNOWN_STATUSES:
            continue
        kept[str(scope)] = Filters(project, status)
    # Insertion order is recency (with_filters puts a scope last): keep the newest.
    return dict(list(kept.items())[-MAX_SCOPES:])


def scope_of(settings: Settings) -> str:
    """The key filters are remembered under: the demo, or a profile and its API."""
    return "demo" if settings.demo else f"{settings.profile} {settings.base_url}"


@dataclass(frozen=True, slots=True)
class StateFile:
    """The state file: read at start, written on every change."""

    path: Path

    @classmethod
    def default(cls, env: Mapping[str, str] | None = None) -> StateFile:
        """The user's state file."""
        return cls(state_path(env))

    def load(self) -> AppState:
        """What was remembered; nothing when the file is missing or unreadable."""
        try:
            with self.path.open("rb") as handle:
                data = handle.read(MAX_STATE_BYTES + 1)
        except FileNotFoundError:
            return AppState()
        except OSError as error:
            _log.warning("cannot read %s: %s", self.path, error)
            return AppState()
        if len(data) > MAX_STATE_BYTES:
            _log.warning("ignoring %s: larger than %d bytes", self.path, MAX_STATE_BYTES)
            return AppState()
        try:
            # 100,000 "[" in a row exhaust the parser's recursion, not just its patience.
            document = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError) as error:
            # A damaged file must not stop the dashboard: start afresh and overwrite it.
            _log.warning("ignoring %s: %s", self.path, error)
            return AppState()
        return AppState.from_json(document)

    def save(self, state: AppState) -> bool:
        """Write ``state`` atomically (a crash leaves the old file or the new, never half)."""
        text = json.dumps(state.to_json(), indent=2, ensure_ascii=False) + "\n"
        directory = self.path.parent
        temporary: str | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=directory, prefix=".state-", delete=False
            ) as handle:
                temporary = handle.name
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except OSError as error:
            _log.warning("cannot write %s: %s", self.path, error)
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
            return False
        return True


def remembered_settings(
    settings: Settings, state: AppState, *, project_given: bool, status_given: bool
) -> Settings:
    """``settings`` with the remembered filters of their API, where no flag chose one."""
    filters = state.filters.get(scope_of(settings))
    if filters is None:
        return settings
    update: dict[str, object] = {}
    origins = dict(settings.origins)
    if not project_given:
        update["project"] = filters.project
        origins["project"] = "the filters remembered from your last session"
    if not status_given:
        update["status"] = filters.status
        origins["status"] = "the filters remembered from your last session"
    update["origins"] = origins
    return settings.model_copy(update=update)
