"""What the dashboard remembers between runs: last filters, sort and theme. Imports no Textual.

Kept as JSON in the user's state directory (``AVALA_TUI_STATE`` overrides the
path), written atomically, never holding the key. Filters are remembered per
API (profile and base URL, or the demo), since a project uid means nothing to
another account. Command-line flags win over what is remembered, which wins over
the config file's profile.

Beside it, one small file per API holds the last complete census (counters only),
so a restart shows the last counts at once while it counts again: see
:class:`CensusMemory`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from avala_tui.api.models import KNOWN_STATUSES
from avala_tui.config.paths import state_path
from avala_tui.config.settings import Settings
from avala_tui.core.census import CensusResult, result_from_json, result_json
from avala_tui.core.view import SORT_COLUMNS, Sort

_VERSION: Final = 1
#: Scopes (profile and API) whose filters are remembered; the least recently used go.
MAX_SCOPES: Final = 32
#: A state file larger than this was not written by the app: it is ignored, not parsed
#: (a 108 MB one once cost 614 MB of memory and seconds per save).
MAX_STATE_BYTES: Final = 256 * 1024
#: A saved census larger than this was not written by the app (a few hundred bytes a
#: project: 2 MB is thousands of projects).
MAX_CENSUS_BYTES: Final = 2 * 1024 * 1024

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


def _read_json(path: Path, limit: int) -> object:
    """A small JSON file's document; None when missing, unreadable, too large or damaged."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        _log.warning("cannot read %s: %s", path, error)
        return None
    if len(data) > limit:
        _log.warning("ignoring %s: larger than %d bytes", path, limit)
        return None
    try:
        # 100,000 "[" in a row exhaust the parser's recursion, not just its patience.
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as error:
        # A damaged file must not stop the dashboard: start afresh and overwrite it.
        _log.warning("ignoring %s: %s", path, error)
        return None


def _write_atomically(path: Path, text: str) -> bool:
    """Write ``text`` so that a crash leaves the old file or the new, never half of one."""
    directory = path.parent
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
        os.replace(temporary, path)
    except OSError as error:
        _log.warning("cannot write %s: %s", path, error)
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return False
    return True


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
        document = _read_json(self.path, MAX_STATE_BYTES)
        return AppState() if document is None else AppState.from_json(document)

    def save(self, state: AppState) -> bool:
        """Write ``state`` atomically (a crash leaves the old file or the new, never half)."""
        text = json.dumps(state.to_json(), indent=2, ensure_ascii=False) + "\n"
        return _write_atomically(self.path, text)


def census_scope(settings: Settings, base_url: str) -> str:
    """Whose census a result is: the demo, or a profile and the API its client talks to
    (any user:password in the URL left out, as the key always is)."""
    if settings.demo:
        return "demo"
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return f"{settings.profile} {urlunsplit(parts._replace(netloc=netloc))}"


@dataclass(frozen=True, slots=True)
class CensusMemory:
    """The last complete census of one API, kept beside the state file.

    One file per scope (named by a digest of it), so two profiles or APIs never read
    each other's counts and two dashboards on different APIs never overwrite each
    other's. The file names its scope too: a file copied under another name is ignored.
    """

    path: Path
    """The file."""
    scope: str
    """The profile and API (see :func:`census_scope`) whose counts it holds."""

    @classmethod
    def beside(cls, state_file: Path, scope: str) -> CensusMemory:
        """The census file of ``scope`` in the state file's directory."""
        digest = hashlib.sha256(scope.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        return cls(state_file.with_name(f"census-{digest}.json"), scope)

    def load(self) -> CensusResult | None:
        """The last saved result; None when there is none or it cannot be read."""
        document = _read_json(self.path, MAX_CENSUS_BYTES)
        if not isinstance(document, dict) or document.get("scope") != self.scope:
            return None
        return result_from_json(document.get("result"))

    def save(self, result: CensusResult) -> bool:
        """Keep a complete walk's result (atomically); partial ones are not worth keeping."""
        if not result.complete:
            return False
        document = {"version": _VERSION, "scope": self.scope, "result": result_json(result)}
        return _write_atomically(self.path, json.dumps(document, ensure_ascii=False) + "\n")


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
    return settings.replace(**update)
