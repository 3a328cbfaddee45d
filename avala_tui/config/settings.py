"""Settings: command-line flags over environment over a TOML config file with profiles.

The config file lives in the user's config directory (``config.toml``)::

    default_profile = "work"

    [profiles.work]
    api_key = "..."          # better kept in AVALA_API_KEY
    base_url = "https://api.avala.ai/api/v1"
    refresh = 15
    project = "<project uid>"
    status = "pending"
    web_url = "https://avala.ai"   # where `o` opens a task; may hold {uid} and {project}
    notify = "new,pending-over=500,stale-over=48h,offline"   # alerts (bell, OSC 9, toast)
    notify_command = "/usr/local/bin/page-me"   # also run with the message as one argument
    stale_after = "48h"      # a pending task untouched this long is stale (default 24h)

    [profiles.work.keys]     # binding ids (see `?`) to keys; a top-level [keys] is for all
    reload = "ctrl+r"

    [profiles.work.views.mine]   # opened by --view mine, by 1 (the first view), the palette
    project = "Street scenes"    # a uid or an exact project name
    status = "pending"
    query = "bbox"               # the quick filter
    sort = "updated"
    reverse = true

Environment variables are the ones the official SDK reads: ``AVALA_API_KEY`` and
``AVALA_BASE_URL``. Imports no Textual.
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Final, Literal, get_args

from avala_tui.api.client import DEFAULT_BASE_URL
from avala_tui.config.paths import config_path
from avala_tui.core.alerts import NotifySpecError, parse_duration, parse_notify
from avala_tui.core.census import DEFAULT_STALE_AFTER
from avala_tui.core.view import SORT_COLUMNS

ENV_API_KEY: Final = "AVALA_API_KEY"
ENV_BASE_URL: Final = "AVALA_BASE_URL"
DEFAULT_PROFILE: Final = "default"
DEFAULT_REFRESH_SECONDS: Final = 15.0
#: The key the embedded demo API expects (it guards nothing: the server is loopback-only).
DEMO_API_KEY: Final = "demo-key"
#: An http(s) URL of printable ASCII: it is written into terminal escape sequences.
WEB_URL_PATTERN: Final = re.compile(r"https?://[\x21-\x7e]+")


#: At most this many views get a number key (1 to 9).
NUMBERED_VIEWS: Final = 9

SortColumn = Literal["name", "type", "status", "project", "created", "updated", "uid"]
assert set(get_args(SortColumn)) == set(SORT_COLUMNS), "the sort columns changed"
ViewStatus = Literal["pending", "completed"]


class SettingsError(Exception):
    """The settings could not be read or are not valid; the message says how to fix it."""


# The settings are checked here rather than by pydantic models: they are read before
# the dashboard's first request, and importing pydantic is ~90 ms of a start whose
# first page needs none of it (see avala_tui/api/models.py).


class _Problems:
    """The problems found in one table, each as ``where: what``, in the order found."""

    def __init__(self, where: str = "") -> None:
        self.where = where
        self.found: list[str] = []

    def add(self, name: str, problem: str) -> None:
        self.found.append(f"{self.where}{name}: {problem}")

    def nested(self, name: str) -> _Problems:
        inner = _Problems(f"{self.where}{name}.")
        inner.found = self.found
        return inner

    def raise_if_any(self, prefix: str) -> None:
        if self.found:
            raise SettingsError(f"{prefix}{'; '.join(self.found)}")


def _text(value: object) -> str | None:
    return None if isinstance(value, str) else "must be text (in quotes)"


def _seconds(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number of seconds"
    return None if value >= 0 else "must be 0 or more"


def _web_url(value: object) -> str | None:
    if not isinstance(value, str):
        return "must be text (in quotes)"
    if WEB_URL_PATTERN.fullmatch(value) is None:
        return "must be an http:// or https:// address without spaces"
    return None


def _stale_after(value: object) -> str | None:
    if not isinstance(value, str):
        return 'must be a duration in quotes, like "48h"'
    try:
        duration = stale_after_value(value)
    except ValueError as error:
        return str(error)
    return None if duration > timedelta(0) else "must be longer than 0 (e.g. 24h)"


def _one_of(choices: tuple[str, ...]) -> Callable[[object], str | None]:
    def check(value: object) -> str | None:
        if value in choices:
            return None
        return "must be one of " + ", ".join(repr(choice) for choice in choices)

    return check


def _flag(value: object) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _checked(
    table: Mapping[str, Any],
    checks: Mapping[str, Callable[[object], str | None]],
    problems: _Problems,
    *,
    read_elsewhere: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The entries of ``table`` that pass their checks; the rest become ``problems``.

    A name neither checked nor ``read_elsewhere`` is a problem too: most often a typo.
    """
    kept: dict[str, Any] = {}
    for name, check in checks.items():
        if name in table and (problem := check(table[name])) is not None:
            problems.add(name, problem)
        elif name in table:
            kept[name] = table[name]
    for name in table:
        if name not in checks and name not in read_elsewhere:
            problems.add(name, "not a setting avala-tui knows (a typo?)")
    return kept


def _key_table(value: object, problems: _Problems) -> dict[str, str]:
    """A ``[keys]`` table: binding ids to key strings."""
    if not isinstance(value, dict):
        problems.add("keys", "must be a table of binding ids to keys")
        return {}
    keys = problems.nested("keys")
    return _checked(value, dict.fromkeys(value, _text), keys)


def _view_tables(value: object, problems: _Problems) -> dict[str, SavedView]:
    """A ``[views]`` table: each named table a saved view."""
    if not isinstance(value, dict):
        problems.add("views", "must be a table of [views.NAME] tables")
        return {}
    views: dict[str, SavedView] = {}
    for name, table in value.items():
        where = problems.nested(f"views.{name}")
        if not isinstance(table, dict):
            problems.add(f"views.{name}", "must be a table")
            continue
        before = len(problems.found)
        entries = _checked(table, _VIEW_CHECKS, where)
        if len(problems.found) == before:
            views[name] = SavedView(name=name, **entries)
    return views


@dataclass(frozen=True, slots=True)
class SavedView:
    """A named view of a profile (``[profiles.NAME.views.VIEW]``): filters, quick filter, sort."""

    name: str = ""
    """The view's name: the key of its table."""
    project: str | None = None
    """A project uid or exact project name; None for every project."""
    status: ViewStatus | None = None
    """The status shown, or None for every status."""
    query: str = ""
    """The quick filter over the loaded tasks; empty for none."""
    sort: SortColumn | None = None
    """The column sorted by, or None for the API's order (newest first)."""
    reverse: bool = False
    """Whether the sort is reversed."""

    def preset(self) -> dict[str, object]:
        """What the view sets, as its table in the config file holds it (defaults left out)."""
        return {
            spec.name: getattr(self, spec.name)
            for spec in dataclasses.fields(self)
            if spec.name != "name" and getattr(self, spec.name) != spec.default
        }


_VIEW_CHECKS: Final[Mapping[str, Callable[[object], str | None]]] = {
    "project": _text,
    "status": _one_of(get_args(ViewStatus)),
    "query": _text,
    "sort": _one_of(SORT_COLUMNS),
    "reverse": _flag,
}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app and the headless commands need to run, already resolved.

    Built by :func:`load_settings`; built directly (tests, benchmarks), the same checks
    apply and a bad value raises :class:`SettingsError`.
    """

    api_key: str | None = field(default=None, repr=False)
    """The Avala API key; left out of the repr so a stray log line never shows it."""
    base_url: str = DEFAULT_BASE_URL
    """The API root, ending in /api/v1."""
    profile: str = DEFAULT_PROFILE
    """The config-file profile these settings came from."""
    project: str | None = None
    """The project uid preselected in the sidebar, or None for all projects."""
    status: str | None = None
    """The status preselected in the sidebar, or None for every status."""
    refresh: float = DEFAULT_REFRESH_SECONDS
    """Seconds between live refreshes; 0 turns live refresh off."""
    task: str | None = None
    """A task uid to open in the detail pane at start."""
    demo: bool = False
    """Whether to run against the embedded demo API instead of Avala."""
    debug_log: Path | None = None
    """Where to write a debug log (the key redacted), or None for no log."""
    web_url: str | None = None
    """Avala's web app (origin, or a template with {uid} and {project}) for opening a task."""
    notify: str | None = None
    """Alerts to give (``new,pending-over=N,stale-over=48h,offline``), or None for none."""
    notify_command: str | None = None
    """A program run with each alert's message as its one argument (no shell), or None."""
    stale_after: timedelta = DEFAULT_STALE_AFTER
    """A pending task not updated for longer than this is stale (``48h``, ``2d``...)."""
    warnings: tuple[str, ...] = ()
    """Problems worth telling the user that did not stop the app (a readable key file)."""
    keys: dict[str, str] = field(default_factory=dict)
    """Key overrides: binding id to Textual key string(s), comma-separated."""
    views: tuple[SavedView, ...] = ()
    """The profile's saved views, in the order the config file defines them."""
    view: str | None = None
    """The saved view opened at start (``--view``), or None."""
    profiles: tuple[str, ...] = ()
    """Every profile of the config file, for switching at runtime."""
    config_file: Path | None = None
    """The config file these settings were read from (it may not exist)."""
    origins: dict[str, str] = field(default_factory=dict)
    """Where the project and status filters came from, for a message when one is refused."""

    def __post_init__(self) -> None:
        problems = _Problems()
        if (problem := _seconds(self.refresh)) is not None:
            problems.add("refresh", problem)
        else:
            object.__setattr__(self, "refresh", float(self.refresh))
        if self.web_url is not None and (problem := _web_url(self.web_url)) is not None:
            problems.add("web_url", problem)
        if self.notify is not None:
            try:
                parse_notify(
                    self.notify
                )  # a typo is refused at start, not found when nothing rings
            except NotifySpecError as error:
                problems.add("notify", str(error))
        if isinstance(self.stale_after, str):
            # Written as --notify's stale-over durations are (48h, 2d), not as ISO 8601.
            if (problem := _stale_after(self.stale_after)) is not None:
                problems.add("stale_after", problem)
            else:
                object.__setattr__(self, "stale_after", stale_after_value(self.stale_after))
        elif not self.stale_after > timedelta(0):
            problems.add("stale_after", "must be longer than 0 (e.g. 24h)")
        problems.raise_if_any("Invalid settings: ")

    @property
    def start_view(self) -> SavedView | None:
        """The saved view opened at start, if any."""
        return self.find_view(self.view) if self.view else None

    def find_view(self, name: str) -> SavedView | None:
        """The saved view called ``name``, or None."""
        return next((view for view in self.views if view.name == name), None)

    @property
    def config_source(self) -> str:
        """Where keys and views come from, as an error message names it."""
        where = "the config file" if self.config_file is None else str(self.config_file)
        return f"{where} [profiles.{self.profile}]"

    @property
    def api_key_value(self) -> str | None:
        """The key itself, for the one place that sends it."""
        return self.api_key

    def replace(self, **changes: Any) -> Settings:
        """These settings with ``changes`` applied, checked as new ones are."""
        return dataclasses.replace(self, **changes)


#: The settings a ``[profiles.NAME]`` table may hold, besides its keys and views.
_PROFILE_CHECKS: Final[Mapping[str, Callable[[object], str | None]]] = {
    "api_key": _text,
    "base_url": _text,
    "project": _text,
    "status": _text,
    "refresh": _seconds,
    "web_url": _web_url,
    "notify": _text,
    "notify_command": _text,
    "stale_after": _stale_after,
}
#: The tables of a profile, read by their own functions.
_PROFILE_TABLES: Final = frozenset({"keys", "views"})


def stale_after_value(text: str) -> timedelta:
    """A stale threshold as written in a profile or a flag (``48h``, ``2d``, ``90m``)."""
    try:
        return parse_duration(text)
    except NotifySpecError as error:
        raise ValueError(str(error)) from None


def _read_config(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError as exc:
        # TOML is UTF-8; an editor saving UTF-16 (or one stray byte) must not be a traceback.
        raise SettingsError(
            f"The config file {path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} "
            f"at offset {exc.start}); save it as UTF-8."
        ) from None
    except IsADirectoryError:
        raise SettingsError(f"The config file {path} is a folder, not a file.") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"Cannot read the config file {path}: {exc}") from exc


def _key_file_warning(path: Path) -> str | None:
    # A key in a file others can read is a leak waiting to happen (ssh does the same check).
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return f"{path} holds an API key and is readable by other users; run: chmod 600 {path}"
    return None


def load_settings(
    *,
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    path: Path | None = None,
) -> Settings:
    """Resolve settings: flags over environment over the config file's profile over defaults.

    ``flags`` holds only the options the user actually gave (None values are ignored).
    """
    env = os.environ if env is None else env
    given = {name: value for name, value in (flags or {}).items() if value is not None}
    path = config_path(env) if path is None else path
    document = _read_config(path)

    profile_name = str(given.get("profile") or document.get("default_profile") or DEFAULT_PROFILE)
    profiles = document.get("profiles", {})
    if not isinstance(profiles, dict):
        raise SettingsError(f"{path}: 'profiles' must be a table of [profiles.NAME] tables.")
    if "profile" in given and profile_name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise SettingsError(f"No profile named {profile_name!r} in {path} (profiles: {known}).")
    profile_table = profiles.get(profile_name, {})
    if not isinstance(profile_table, dict):
        raise SettingsError(f"{path}: [profiles.{profile_name}] must be a table.")
    in_profile = _Problems()
    profile = _checked(profile_table, _PROFILE_CHECKS, in_profile, read_elsewhere=_PROFILE_TABLES)
    profile_keys = _key_table(profile_table.get("keys", {}), in_profile)
    profile_views = _view_tables(profile_table.get("views", {}), in_profile)
    in_profile.raise_if_any(f"{path} [profiles.{profile_name}]: ")
    shared = _Problems()
    shared_keys = _key_table(document.get("keys", {}), shared)
    shared_views = _view_tables(document.get("views", {}), shared)
    shared.raise_if_any(f"{path}: ")
    # The profile's own entries win; its views follow the shared ones, in file order.
    keys = {**shared_keys, **profile_keys}
    views = tuple({**shared_views, **profile_views}.values())

    warnings: list[str] = []
    # Any profile's key leaks from a readable file, not only the one in use today.
    holds_key = any(isinstance(table, dict) and table.get("api_key") for table in profiles.values())
    if holds_key and (warning := _key_file_warning(path)):
        warnings.append(warning)

    resolved: dict[str, Any] = dict(profile)
    view_name = given.get("view")
    if view_name is not None:
        view = next((view for view in views if view.name == view_name), None)
        if view is None:
            known = ", ".join(view.name for view in views) or "none"
            raise SettingsError(
                f"No view named {view_name!r} in {path} [profiles.{profile_name}] (views: {known})."
            )
        # The view is a preset: a --project or --status given beside it still wins.
        resolved["project"] = view.project
        resolved["status"] = view.status
    if env.get(ENV_API_KEY):
        resolved["api_key"] = env[ENV_API_KEY]
    if env.get(ENV_BASE_URL):
        resolved["base_url"] = env[ENV_BASE_URL]
    origins = {
        name: f"profile {profile_name!r} in {path}"
        for name in ("project", "status")
        if profile.get(name) is not None
    }
    origins.update({name: f"the --{name} flag" for name in ("project", "status") if name in given})
    resolved.update(given)
    resolved["origins"] = origins
    resolved["profile"] = profile_name
    resolved["warnings"] = tuple(warnings)
    resolved["keys"] = keys
    resolved["views"] = views
    resolved["profiles"] = tuple(profiles)
    resolved["config_file"] = path
    if "base_url" in resolved:
        resolved["base_url"] = str(resolved["base_url"]).rstrip("/")
    unknown = sorted(set(resolved) - {spec.name for spec in dataclasses.fields(Settings)})
    if unknown:
        raise SettingsError(f"Invalid settings: {', '.join(unknown)}: not a setting")
    return Settings(**resolved)


def masked(key: str | None) -> str:
    """The key as `config show` prints it: its last four characters at most, never all."""
    if not key:
        return "(not set)"
    return "****" + key[-4:] if len(key) >= 16 else "****"


MISSING_KEY_HELP: Final = f"""\
avala-tui needs an Avala API key. Create one in Avala under Settings → API keys, then either
export {ENV_API_KEY}=<your key> (the variable the official avala SDK reads too), pass it in a
profile of {{config}} (api_key = "...", chmod 600), or try the dashboard
with its built-in demo data, which needs no key: avala-tui --demo"""
