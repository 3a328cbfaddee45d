"""``avala-tui serve``: the dashboard in a browser, through Textualize's ``textual-serve``.

Each browser tab that connects gets its own dashboard process, streamed over a
websocket to xterm.js in the page. The process is started here with an argument
list (never through a shell, never with the key in it: other users can read a
process's arguments) and reads the key from its environment, as in a terminal;
the page, its URL and the websocket carry only what the dashboard draws.

Safe by default: it binds to loopback, so only this machine reaches it (and a
laptop through ``ssh -L``). Another address needs ``--allow-remote``, because
everyone who reaches the port acts with this key. Websockets from pages of other
origins are refused (any web page the user visits could otherwise drive the
dashboard on 127.0.0.1), and so are Host names that are not loopback when serving
on loopback (DNS rebinding). At most ``--max-sessions`` dashboards run at once;
closing a tab ends its process.

With ``--demo`` one demo API is started here and every session uses it (through
:data:`avala_tui.cli.launch.ENV_DEMO_URL`): each tab shows the same live world, as
they would with Avala, and a session starts without generating its own 60,000 tasks.

Imports neither Textual nor textual-serve until ``serve`` runs, so the CLI starts fast.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from avala_tui.api.models import KNOWN_STATUSES
from avala_tui.cli.launch import ENV_DEMO_URL
from avala_tui.config.paths import config_path
from avala_tui.config.settings import (
    DEMO_API_KEY,
    ENV_API_KEY,
    MISSING_KEY_HELP,
    SettingsError,
    load_settings,
)

if TYPE_CHECKING:
    from textual.app import App

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8000
DEFAULT_MAX_SESSIONS: Final = 4
#: How long a session's process may take to quit after its tab closed before it is killed.
STOP_TIMEOUT: Final = 5.0
EXIT_OK: Final = 0
EXIT_CONFIG: Final = 2
#: Environment variables a session must not inherit: the dashboard is not inside tmux
#: when it is in a browser tab, even if the server is.
_NOT_INHERITED: Final = ("TMUX", "TMUX_PANE")
#: Host names that reach this machine only.
_LOOPBACK_NAMES: Final = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError("must be a port number, 1-65535")
    return value


def add_serve_parser(subcommands: Any) -> None:
    """Add the ``serve`` command to the CLI's subcommands (``parser.add_subparsers()``)."""
    parser: argparse.ArgumentParser = subcommands.add_parser(
        "serve",
        help="serve the dashboard to a web browser (loopback only by default)",
        description="Serve the dashboard to web browsers with textual-serve: each tab runs "
        "its own dashboard, which reads the key from the environment as in a terminal. "
        "Binds to loopback; from a laptop, forward the port with ssh -L.",
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--max-sessions",
        metavar="N",
        type=_positive_int,
        default=DEFAULT_MAX_SESSIONS,
        help=f"at most N dashboards at once (default {DEFAULT_MAX_SESSIONS})",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host: everyone who reaches the port acts with your key",
    )
    # SUPPRESS: the dashboard's options given before "serve" are not overwritten.
    dashboard = parser.add_argument_group("dashboard options (as for the dashboard itself)")
    suppress: Mapping[str, Any] = {"default": argparse.SUPPRESS}
    dashboard.add_argument("--base-url", metavar="URL", help="API root", **suppress)
    dashboard.add_argument(
        "--profile", metavar="NAME", help="profile of the config file", **suppress
    )
    dashboard.add_argument("--project", metavar="UID", help="preselect a project", **suppress)
    dashboard.add_argument(
        "--status", choices=KNOWN_STATUSES, help="preselect a status", **suppress
    )
    dashboard.add_argument(
        "--refresh",
        metavar="SECONDS",
        type=_non_negative_float,
        help="seconds between live refreshes (default 15; 0 turns it off)",
        **suppress,
    )
    dashboard.add_argument(
        "--demo",
        action="store_true",
        help="serve the built-in demo data (one demo API for every session)",
        **suppress,
    )


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 in brackets or not) is this machine only."""
    import ipaddress

    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def refusal(host: str) -> str:
    """The one sentence printed for a non-loopback ``--host`` without ``--allow-remote``."""
    return (
        f"avala-tui: refusing to serve on {host}, which is not a loopback address, because "
        "everyone who can reach the port would use the dashboard with your API key "
        "(add --allow-remote to do it anyway, or serve on 127.0.0.1 and use ssh -L)."
    )


def _option(args: argparse.Namespace, name: str) -> Any:
    return getattr(args, name, None)


def session_argv(args: argparse.Namespace) -> list[str]:
    """The command each session runs: the dashboard with the options given, never the key."""
    argv = [sys.executable, "-m", "avala_tui"]
    for flag, name in (
        ("--base-url", "base_url"),
        ("--profile", "profile"),
        ("--project", "project"),
        ("--status", "status"),
        ("--refresh", "refresh"),
    ):
        value = _option(args, name)
        if value is not None:
            argv += [flag, str(value)]
    if _option(args, "demo"):
        argv.append("--demo")
    return argv


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def banner(host: str, port: int, max_sessions: int, *, remote: bool) -> list[str]:
    """What ``serve`` prints once it listens: where to open it, and how from a laptop."""
    url = f"http://{_url_host(host)}:{port}"
    lines = [
        f"avala-tui: serving the dashboard on {url} (at most {max_sessions} sessions; Ctrl+C stops)"
    ]
    if remote:
        lines.append(
            f"avala-tui: warning: serving beyond this machine on {host}: everyone who "
            "reaches this port uses the dashboard with this API key."
        )
    else:
        box = socket.gethostname() or "this-host"
        lines += [
            "From a laptop, forward the port over SSH, then open the URL there:",
            f"    ssh -L {port}:127.0.0.1:{port} {box}",
            f"    http://127.0.0.1:{port}",
        ]
    return lines


def session_environment(base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """A session's environment: the server's (where the key is), with ``extra`` over it."""
    environment = {name: value for name, value in base.items() if name not in _NOT_INHERITED}
    environment.update(extra)
    return environment


def run_serve(args: argparse.Namespace) -> int:
    """Run ``avala-tui serve`` until Ctrl+C; returns the exit status."""
    host: str = args.host
    remote = not is_loopback_host(host)
    if remote and not args.allow_remote:
        print(refusal(host), file=sys.stderr)
        return EXIT_CONFIG
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        print(
            "avala-tui: serve needs textual-serve, which is not installed: "
            "pip install textual-serve",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    demo = bool(_option(args, "demo"))
    flags = {name: _option(args, name) for name in ("base_url", "profile", "project", "status")}
    flags["refresh"] = _option(args, "refresh")
    flags["demo"] = demo or None
    try:
        settings = load_settings(flags=flags)
    except SettingsError as exc:
        print(f"avala-tui: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    for warning in settings.warnings:
        print(f"avala-tui: warning: {warning}", file=sys.stderr)
    if not demo and not settings.api_key_value:
        print(MISSING_KEY_HELP.format(config=config_path()), file=sys.stderr)
        return EXIT_CONFIG

    with contextlib.ExitStack() as stack:
        # Under a demo API someone else started (scripts/screenshots.py), that one is shared.
        demo_url = os.environ.get(ENV_DEMO_URL) if demo else None
        if demo and not demo_url:
            from avala_tui.cli.launch import DEMO_LIVE_EVERY
            from avala_tui.demo.server import DemoServer

            server = stack.enter_context(
                DemoServer(api_key=DEMO_API_KEY, live_every=DEMO_LIVE_EVERY)
            )
            demo_url = server.base_url
        extra_env = {} if demo_url is None else {ENV_DEMO_URL: demo_url, ENV_API_KEY: DEMO_API_KEY}
        dashboard = make_server(
            session_argv(args),
            extra_env,
            host=host,
            port=args.port,
            max_sessions=args.max_sessions,
            remote=remote,
        )
        try:
            dashboard.serve()
        except OSError as exc:
            print(f"avala-tui: cannot serve on {host}:{args.port}: {exc}", file=sys.stderr)
            return EXIT_CONFIG
    return EXIT_OK


# -- The server ---------------------------------------------------------------------------------


def make_server(
    argv: Sequence[str],
    extra_env: Mapping[str, str],
    *,
    host: str,
    port: int,
    max_sessions: int,
    remote: bool,
) -> Any:
    """textual-serve's Server, made for the dashboard (its classes are defined here so that
    importing this module, which the CLI does for its parser, loads no aiohttp)."""
    from aiohttp import WSMsgType, web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server

    class SessionService(AppService):
        """One dashboard process: started without a shell, killed if it outlives its tab."""

        def __init__(self, argv: Sequence[str], extra_env: Mapping[str, str], **kwargs: Any):
            super().__init__(" ".join(argv), **kwargs)
            self.argv = list(argv)
            self.extra_env = dict(extra_env)

        @property
        def pid(self) -> int | None:
            """The dashboard process's id, once started."""
            return None if self._process is None else self._process.pid

        def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
            # textual-serve's: os.environ with its driver, size and colours.
            return session_environment(super()._build_environment(width, height), self.extra_env)

        async def _open_app_process(
            self, width: int = 80, height: int = 24
        ) -> asyncio.subprocess.Process:
            self._process = process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self._build_environment(width, height),
                # Ctrl+C on the server reaches the server only; it then ends each session in order.
                start_new_session=True,
            )
            assert process.stdin is not None
            self._stdin = process.stdin
            return process

        async def stop(self) -> None:
            """Ask the dashboard to quit; kill it if it has not ended after STOP_TIMEOUT."""
            process = self._process
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(super().stop(), STOP_TIMEOUT)
            if process is None:
                return
            try:
                # Its output has ended; wait for its exit status before any kill (a kill
                # polls, which would reap the process under asyncio's child watcher).
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()

    class DashboardServer(Server):
        """textual-serve's server, for the dashboard: sessions limited, origins checked."""

        def __init__(
            self,
            argv: Sequence[str],
            extra_env: Mapping[str, str],
            *,
            host: str,
            port: int,
            max_sessions: int,
            remote: bool,
        ) -> None:
            super().__init__("avala-tui", host=host, port=port, title="avala-tui")
            self.argv = list(argv)
            self.extra_env = dict(extra_env)
            self.max_sessions = max_sessions
            self.remote = remote
            self.sessions: set[SessionService] = set()

        def initialize_logging(self) -> None:
            """Quiet: a line per session is enough (textual-serve logs every request)."""

        async def on_startup(self, app: web.Application) -> None:
            for line in banner(self.host, self.port, self.max_sessions, remote=self.remote):
                print(line, flush=True)

        async def on_shutdown(self, app: web.Application) -> None:
            await asyncio.gather(*(session.stop() for session in list(self.sessions)))

        def _host_allowed(self, request: web.Request) -> bool:
            # On loopback, a page reached by another name is a DNS rebinding attack.
            if self.remote:
                return True
            host = urlsplit(f"http://{request.host}").hostname or ""
            return is_loopback_host(host)

        def _origin_allowed(self, request: web.Request) -> bool:
            # Browsers let any page open a websocket anywhere: only this server's page may.
            origin = request.headers.get("Origin")
            if origin is None:
                return True  # not a browser
            parts = urlsplit(origin)
            return parts.scheme in ("http", "https") and parts.netloc == request.host

        async def handle_index(self, request: web.Request) -> web.Response:
            """The page, with its URLs taken from the request: ``ssh -L`` may use another port."""
            import aiohttp_jinja2

            if not self._host_allowed(request):
                raise web.HTTPForbidden(text="Not a loopback host name.")
            scheme = "https" if request.secure else "http"
            origin = f"{scheme}://{request.host}"
            font_size = request.query.get("fontsize", "16")
            context = {
                "font_size": int(font_size) if font_size.isdigit() else 16,
                "app_websocket_url": f"{'wss' if request.secure else 'ws'}://{request.host}/ws",
                "config": {"static": {"url": f"{origin}/static/"}},
                "application": {"name": self.title},
            }
            response = aiohttp_jinja2.render_template("app_index.html", request, context)
            response.headers["Cache-Control"] = "no-store"
            response.headers["X-Frame-Options"] = "DENY"
            return response

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            """One tab: a dashboard process for as long as its websocket is open."""
            if not (self._host_allowed(request) and self._origin_allowed(request)):
                raise web.HTTPForbidden(text="Websockets from other origins are refused.")
            websocket = web.WebSocketResponse(heartbeat=15)
            await websocket.prepare(request)
            if len(self.sessions) >= self.max_sessions:
                await self._refuse(websocket)
                return websocket
            width = _int(request.query.get("width"), 80)
            height = _int(request.query.get("height"), 24)
            session = SessionService(
                self.argv,
                self.extra_env,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
            )
            self.sessions.add(session)
            print(f"avala-tui: session started ({len(self.sessions)} of {self.max_sessions})")
            try:
                await session.start(width, height)
                await self._process_messages(websocket, session)
            except (asyncio.CancelledError, ConnectionResetError):
                pass
            finally:
                await session.stop()
                self.sessions.discard(session)
                print(f"avala-tui: session ended ({len(self.sessions)} of {self.max_sessions})")
                await websocket.close()
            return websocket

        async def _refuse(self, websocket: web.WebSocketResponse) -> None:
            """Say why in the tab, and hold the socket so the message stays until the tab closes."""
            print(f"avala-tui: session refused: all {self.max_sessions} are in use")
            text = (
                f"\r\n  avala-tui: all {self.max_sessions} sessions are in use "
                "(--max-sessions). Close another tab, then reload this one.\r\n"
            )
            await websocket.send_bytes(text.encode("utf-8"))
            async for message in websocket:
                if message.type == WSMsgType.TEXT and message.data.startswith('["ping"'):
                    await websocket.send_str(json.dumps(["pong", json.loads(message.data)[1]]))

    return DashboardServer(
        argv, extra_env, host=host, port=port, max_sessions=max_sessions, remote=remote
    )


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


# -- In the dashboard ---------------------------------------------------------------------------


def deliver_export(app: App[Any], path: Path) -> None:
    """Hand an export file to the browser as a download, and remove it from this machine."""
    import mimetypes

    mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    handle = path.open("rb")
    # The open handle keeps the data; the file and its folder go now (POSIX).
    path.unlink()
    with contextlib.suppress(OSError):
        path.parent.rmdir()
    app.deliver_binary(handle, save_filename=path.name, mime_type=mime_type)
