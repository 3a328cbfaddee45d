"""The ``avala-tui`` command: the dashboard, the demo API server, and headless commands."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from avala_tui import __version__
from avala_tui.api.errors import ConfigurationError
from avala_tui.api.models import KNOWN_STATUSES
from avala_tui.cli.completion import SHELLS
from avala_tui.cli.exit_codes import EXIT_CONFIG, EXIT_OK
from avala_tui.cli.serve import add_serve_parser, run_serve
from avala_tui.config.paths import config_path
from avala_tui.config.settings import (
    DEMO_API_KEY,
    MISSING_KEY_HELP,
    Settings,
    SettingsError,
    load_settings,
    masked,
)


# argparse names a type function in its message ("invalid _positive_int value"): each
# raises ArgumentTypeError so the message says what is wanted instead.
def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds, 0 or more, not {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number, 1 or more, not {text!r}")
    return value


def _duration(text: str) -> str:
    from avala_tui.config.settings import stale_after_value

    try:
        stale_after_value(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a duration like 48h, 30m, 2d or 90s, not {text!r}"
        ) from None
    return text


def _add_stale_after(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stale-after",
        metavar="DURATION",
        type=_duration,
        help="a pending task not updated for this long is stale (default 24h; e.g. 48h, 2d)",
    )


class _Parser(argparse.ArgumentParser):
    """Errors as one sentence naming the flag, exit 2 (usage stays a --help away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"avala-tui: {message.rstrip('.')} (see {self.prog} --help).\n")


def _add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-url", metavar="URL", help="API root (default: $AVALA_BASE_URL or api.avala.ai)"
    )
    parser.add_argument("--profile", metavar="NAME", help="profile of the config file to use")
    parser.add_argument(
        "--demo", action="store_true", help="run against built-in demo data (no key needed)"
    )
    parser.add_argument(
        "--debug", metavar="FILE", type=Path, help="write a debug log (key redacted) to FILE"
    )


def _add_connection_options(parser: argparse.ArgumentParser, *, status: bool = True) -> None:
    _add_endpoint_options(parser)
    parser.add_argument(
        "--project", metavar="UID|NAME", help="show only this project's tasks (uid or exact name)"
    )
    if status:
        parser.add_argument(
            "--status", choices=KNOWN_STATUSES, help="show only tasks with this status"
        )
    parser.add_argument(
        "--view", metavar="NAME", help="open a saved view of the profile ([profiles.P.views.NAME])"
    )


def build_parser() -> argparse.ArgumentParser:
    """The full command-line grammar."""
    parser = _Parser(
        prog="avala-tui",
        description="A terminal dashboard for Avala annotation tasks.",
        epilog=f"Config file: {config_path()}. Keys: press ? in the app.",
    )
    parser.add_argument("--version", action="version", version=f"avala-tui {__version__}")
    _add_connection_options(parser)
    parser.add_argument(
        "--refresh",
        metavar="SECONDS",
        type=_non_negative_float,
        help="seconds between live refreshes (default 15; 0 turns it off)",
    )
    parser.add_argument("--task", metavar="UID", help="open this task in the detail pane")
    parser.add_argument(
        "--notify",
        metavar="KINDS",
        help="alerts (bell, desktop notification, toast): new, pending-over=N, "
        "stale-over=DURATION (e.g. 48h), offline; comma-separated",
    )
    _add_stale_after(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = commands.add_parser(
        "demo-server",
        help="serve the demo Avala API on loopback",
        description="Serve the demo Avala API (for trying the app or other clients).",
    )
    demo.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    demo.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any)")
    demo.add_argument("--api-key", default=DEMO_API_KEY, help="key clients must send")
    demo.add_argument(
        "--live-every",
        metavar="SECONDS",
        type=_non_negative_float,
        help="create and complete tasks every SECONDS",
    )
    demo.add_argument(
        "--rate-limit", metavar="N", type=_positive_int, help="allow N requests per minute per key"
    )
    demo.add_argument(
        "--faults",
        metavar="RATE",
        type=float,
        default=0.0,
        help="fraction of requests (0-1) answered with a fault",
    )
    demo.add_argument("--seed", type=int, default=7, help="seed of the generated data")

    # SUPPRESS: options left out here must not overwrite the same ones given before "tasks".
    tasks = commands.add_parser(
        "tasks",
        help="print tasks to stdout (for scripts and cron)",
        description="Print tasks to stdout, page by page as they arrive. Exit status: 0 ok, "
        "2 configuration, 3 authentication, 4 network or server.",
        argument_default=argparse.SUPPRESS,
    )
    _add_connection_options(tasks)
    tasks.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="table (default), csv, or json (JSON Lines: one task per line)",
    )
    tasks.add_argument(
        "--all", action="store_true", default=False, help="every page, not just the first"
    )
    tasks.add_argument(
        "--limit", metavar="N", type=_positive_int, default=None, help="at most N tasks in all"
    )
    add_serve_parser(commands)
    summary = commands.add_parser(
        "summary",
        help="print exact queue figures per project (for scripts and cron)",
        description="Count every task and print per project and in total: pending, "
        "completed, other statuses, throughput, oldest pending. Exit status as for tasks.",
        argument_default=argparse.SUPPRESS,
    )
    _add_connection_options(summary, status=False)
    summary.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table (default) or json (JSON Lines: one project per line, then the totals)",
    )
    _add_stale_after(summary)

    projects = commands.add_parser(
        "projects",
        help="list your projects: uid, name, status",
        description="List the projects the key can see (uid, name, status); --project takes "
        "a uid or an exact name from here.",
        argument_default=argparse.SUPPRESS,
    )
    _add_endpoint_options(projects)
    projects.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="table (default), csv, or json (JSON Lines)",
    )

    config = commands.add_parser(
        "config",
        help="where the config file is, and the settings in effect",
        description="Show the config file's path, or the settings in effect (the key masked).",
        argument_default=argparse.SUPPRESS,
    )
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    config_commands.add_parser("path", help="print the config file's path")
    show = config_commands.add_parser(
        "show",
        help="print the settings in effect, the key masked",
        argument_default=argparse.SUPPRESS,
    )
    _add_connection_options(show)

    completion = commands.add_parser(
        "completion",
        help="print a shell completion script",
        description="Print a completion script made from this command's own options. "
        "bash: avala-tui completion bash > ~/.local/share/bash-completion/completions/avala-tui; "
        "zsh: avala-tui completion zsh > ~/.zfunc/_avala-tui; "
        "fish: avala-tui completion fish > ~/.config/fish/completions/avala-tui.fish",
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell to complete for")
    return parser


def _settings_from(args: argparse.Namespace) -> Settings:
    flags: dict[str, Any] = {
        "base_url": args.base_url,
        "profile": args.profile,
        "project": args.project,
        "status": args.status,
        "view": args.view,
        "demo": args.demo or None,
        "debug_log": args.debug,
    }
    for name in ("refresh", "task", "notify", "stale_after"):
        flags[name] = getattr(args, name, None)
    return load_settings(flags=flags)


def _open_debug_log(path: Path) -> TextIO:
    """Open (or create, readable by the owner only) the debug log; SettingsError if it can't be.

    The log holds request URLs and error bodies: nobody else should read it.
    """
    reasons = {
        errno.ENOENT: "its folder does not exist",
        errno.EISDIR: "it is a folder",
        errno.EACCES: "it cannot be written (permission denied)",
        errno.EPERM: "it cannot be written (permission denied)",
        errno.EROFS: "the file system is read-only",
        errno.ENOTDIR: "a part of its path is not a folder",
    }
    fd = -1
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        # An existing log may have been created readable by others.
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o600)
        return os.fdopen(fd, "a", encoding="utf-8")
    except OSError as exc:
        if fd >= 0:
            os.close(fd)
        reason = reasons.get(exc.errno or 0, f"it cannot be written ({exc.strerror})")
        raise SettingsError(f"--debug {path}: {reason}.") from None


def _configure_debug_log(settings: Settings) -> None:
    if settings.debug_log is None:
        return
    from avala_tui.api._redact import KeyRedactingFilter

    handler = logging.StreamHandler(_open_debug_log(settings.debug_log))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if settings.api_key_value:
        handler.addFilter(KeyRedactingFilter(settings.api_key_value))
    root = logging.getLogger("avala_tui")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)


def _run_dashboard(settings: Settings, args: argparse.Namespace) -> int:
    # Imported here so `--help`, `--version` and `demo-server` start without loading Textual.
    from avala_tui.cli.launch import run_dashboard
    from avala_tui.config.state import StateFile, remembered_settings

    # The last filters come back unless a flag chose them (scripts use `tasks`, which doesn't).
    state = StateFile.default()
    settings = remembered_settings(
        settings,
        state.load(),
        project_given=args.project is not None or args.view is not None,
        status_given=args.status is not None or args.view is not None,
    )
    try:
        return run_dashboard(settings, state)
    except (ConfigurationError, SettingsError) as exc:
        # Raised before the app starts (a plain-http base URL, a key that cannot be a
        # header, a keymap that clashes): a one-line message, not a traceback.
        print(f"avala-tui: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def _run_demo_server(args: argparse.Namespace) -> int:
    from avala_tui.demo.server import serve

    return serve(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        live_every=args.live_every,
        rate_limit=args.rate_limit,
        faults=args.faults,
        seed=args.seed,
    )


def _show_config(settings: Settings) -> int:
    """`config show`: the settings in effect, as TOML a profile could hold, the key masked."""
    path = settings.config_file
    state = "" if path is not None and path.exists() else " (no such file: defaults apply)"
    print(f"# {path}{state}")
    print(f"# profile {settings.profile}; flags and AVALA_* variables applied")
    values: dict[str, object] = {
        "api_key": masked(settings.api_key_value),
        "base_url": settings.base_url,
        "project": settings.project,
        "status": settings.status,
        "refresh": settings.refresh,
        "web_url": settings.web_url,
        "stale_after": f"{settings.stale_after.total_seconds() / 3600:g}h",
        "demo": settings.demo,
    }
    for name, value in values.items():
        if value is not None:
            print(f"{name} = {json.dumps(value)}")
    if settings.keys:
        print("\n[keys]")
        for binding_id, keys in settings.keys.items():
            print(f"{json.dumps(binding_id)} = {json.dumps(keys)}")
    for view in settings.views:
        print(f"\n[views.{json.dumps(view.name)}]")
        for name, value in view.preset().items():
            print(f"{name} = {json.dumps(value)}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo-server":
        return _run_demo_server(args)
    if args.command == "serve":
        return run_serve(args)
    if args.command == "completion":
        from avala_tui.cli.completion import completion_script

        print(completion_script(parser, args.shell), end="")
        return EXIT_OK
    if args.command == "config" and args.config_command == "path":
        print(config_path())
        return EXIT_OK
    try:
        settings = _settings_from(args)
    except SettingsError as exc:
        print(f"avala-tui: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    for warning in settings.warnings:
        print(f"avala-tui: warning: {warning}", file=sys.stderr)
    if args.command == "config":
        return _show_config(settings)
    if not settings.demo and not settings.api_key_value:
        print(MISSING_KEY_HELP.format(config=config_path()), file=sys.stderr)
        return EXIT_CONFIG
    try:
        _configure_debug_log(settings)
    except SettingsError as exc:
        print(f"avala-tui: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if args.command == "tasks":
        from avala_tui.cli.tasks import run_tasks

        return run_tasks(settings, fmt=args.format, all_pages=args.all, limit=args.limit)
    if args.command == "summary":
        from avala_tui.cli.summary import run_summary

        return run_summary(settings, fmt=args.format)
    if args.command == "projects":
        from avala_tui.cli.tasks import run_projects

        return run_projects(settings, fmt=args.format)
    return _run_dashboard(settings, args)
