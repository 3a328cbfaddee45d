"""The ``avala-tui`` command: the dashboard, the demo API server, and headless commands."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from avala_tui import __version__
from avala_tui.api.errors import ConfigurationError
from avala_tui.api.models import KNOWN_STATUSES
from avala_tui.cli.completion import SHELLS
from avala_tui.cli.exit_codes import EXIT_CONFIG, EXIT_OK
from avala_tui.config.paths import config_path
from avala_tui.config.settings import (
    DEMO_API_KEY,
    MISSING_KEY_HELP,
    Settings,
    SettingsError,
    load_settings,
    masked,
)


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


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


def _add_connection_options(parser: argparse.ArgumentParser) -> None:
    _add_endpoint_options(parser)
    parser.add_argument(
        "--project", metavar="UID|NAME", help="show only this project's tasks (uid or exact name)"
    )
    parser.add_argument("--status", choices=KNOWN_STATUSES, help="show only tasks with this status")
    parser.add_argument(
        "--view", metavar="NAME", help="open a saved view of the profile ([profiles.P.views.NAME])"
    )


def build_parser() -> argparse.ArgumentParser:
    """The full command-line grammar."""
    parser = argparse.ArgumentParser(
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
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

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
    for name in ("refresh", "task"):
        flags[name] = getattr(args, name, None)
    return load_settings(flags=flags)


def _configure_debug_log(settings: Settings) -> None:
    if settings.debug_log is None:
        return
    from avala_tui.api._redact import KeyRedactingFilter

    handler = logging.FileHandler(settings.debug_log, encoding="utf-8")
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
        for name, value in view.model_dump(exclude={"name"}, exclude_defaults=True).items():
            print(f"{name} = {json.dumps(value)}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo-server":
        return _run_demo_server(args)
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
    _configure_debug_log(settings)
    if args.command == "tasks":
        from avala_tui.cli.tasks import run_tasks

        return run_tasks(settings, fmt=args.format, all_pages=args.all, limit=args.limit)
    if args.command == "projects":
        from avala_tui.cli.tasks import run_projects

        return run_projects(settings, fmt=args.format)
    return _run_dashboard(settings, args)
