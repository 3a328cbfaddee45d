"""Serving the demo API with uvicorn: on a background thread (tests, ``--demo``) or in front.

uvicorn is kept quiet: no access log, warnings and errors only, and no handler of its own
(records reach the root logger, so they go wherever the host program sends its logs and
never onto the terminal of a running TUI).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any, Final, Literal, TextIO

import uvicorn

from avala_tui.demo.app import DEFAULT_API_KEY, DemoApi

DEFAULT_PORT: Final = 8765
_START_TIMEOUT = 20.0
# Requests still running this long after stop() are cancelled (a SLOW fault may be asleep).
_GRACEFUL_SHUTDOWN = 1
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


class _DeliberateFaultFilter(logging.Filter):
    """Drops uvicorn's reports of what the demo does on purpose.

    The RESET fault leaves a response unfinished, and stopping the server cancels the
    requests still asleep in a SLOW fault or the added latency.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is asyncio.CancelledError:
            return False
        return record.getMessage() != "ASGI callable returned without completing response."


_FAULT_FILTER = _DeliberateFaultFilter()


def _quiet_uvicorn() -> None:
    """No access log, no terminal output; warnings still reach the root logger's handlers."""
    root = logging.getLogger("uvicorn")
    if not any(isinstance(handler, logging.NullHandler) for handler in root.handlers):
        # With a handler in the chain, logging's last-resort stderr handler stays unused.
        root.addHandler(logging.NullHandler())
    error_log = logging.getLogger("uvicorn.error")
    if _FAULT_FILTER not in error_log.filters:
        error_log.addFilter(_FAULT_FILTER)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Naming the protocol matters: asyncio sets TCP_NODELAY only on sockets that say TCP, and
    # without it each response (headers, then body) waits ~40 ms on delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        # A restarted server must get its port back while old connections sit in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


class ThreadedUvicorn:
    """uvicorn serving one ASGI app on a background thread: started, stopped, started again.

    Shared by the demo server and the tests' Django REST Framework server, so both
    start, listen and stop the same way.
    """

    def __init__(self, thread_name: str, what: str) -> None:
        self._thread_name = thread_name
        self._what = what
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    def start(
        self, app: Callable[..., Any], host: str, port: int, *, lifespan: Literal["on", "off"]
    ) -> int:
        """Serve ``app`` on ``host:port`` (0: any free port); return the bound port, listening."""
        _quiet_uvicorn()
        sock = _bind(host, port)
        bound: int = sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan=lifespan,
            loop="asyncio",
            http="h11",
            ws="none",
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=self._thread_name, daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                sock.close()
                raise RuntimeError(f"{self._what} did not start on {host}:{bound}")
            time.sleep(0.005)
        return bound

    def stop(self) -> None:
        """Stop serving and release the port; returns within about a second."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout=2.0)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout=2.0)


class DemoServer:
    """The demo API served by uvicorn on a background thread; also a context manager."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        seed: int = 7,
        anchor: datetime | None = None,
        live_every: float | None = None,
        rate_limit: int | None = None,
        faults: float = 0.0,
        latency: float = 0.0,
    ) -> None:
        self.host = host
        #: The bound port once started (0 before, when an ephemeral port was asked for).
        self.port = port
        self.api = DemoApi(
            api_key=api_key,
            seed=seed,
            anchor=anchor,
            live_every=live_every,
            rate_limit=rate_limit,
            faults=faults,
            latency=latency,
        )
        self._runner = ThreadedUvicorn(f"avala-demo-api:{port}", "the demo server")

    @property
    def base_url(self) -> str:
        """The API's base URL, ``http://HOST:PORT/api/v1``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/api/v1"

    @property
    def running(self) -> bool:
        """Whether the server thread is serving."""
        return self._runner.running

    def start(self) -> DemoServer:
        """Listen (on the same port as before after a stop) and serve; return once listening."""
        if self.running:
            raise RuntimeError("the demo server is already running")
        self.port = self._runner.start(self.api, self.host, self.port, lifespan="on")
        return self

    def stop(self) -> None:
        """Stop serving and release the port; returns within about a second."""
        self._runner.stop()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    api_key: str = DEFAULT_API_KEY,
    seed: int = 7,
    live_every: float | None = None,
    rate_limit: int | None = None,
    faults: float = 0.0,
    latency: float = 0.0,
    allow_remote: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Serve the demo API in the foreground until Ctrl+C; the exit status for the CLI."""
    out = out or sys.stdout
    err = err or sys.stderr
    if not is_loopback(host):
        if not allow_remote:
            print(
                f"Refusing to serve the demo API on {host}: it is not a loopback address "
                "and anyone who can reach it may use the demo key. Allow it explicitly to do so.",
                file=err,
            )
            return 2
        print(f"Warning: serving the demo API on {host}, beyond this machine.", file=err)
    server = DemoServer(
        host=host,
        port=port,
        api_key=api_key,
        seed=seed,
        live_every=live_every,
        rate_limit=rate_limit,
        faults=faults,
        latency=latency,
    )
    # In the foreground uvicorn's warnings (not its access log) belong on the console.
    console = logging.StreamHandler(err)
    console.setLevel(logging.WARNING)
    logging.getLogger("uvicorn").addHandler(console)
    try:
        try:
            server.start()
        except OSError as error:
            print(f"Cannot listen on {host}:{port}: {error.strerror or error}", file=err)
            return 1
        print(f"Avala demo API serving at {server.base_url}", file=out)
        print(f"  AVALA_BASE_URL={server.base_url} AVALA_API_KEY={api_key}", file=out)
        print("Press Ctrl+C to stop.", file=out, flush=True)
        try:
            while server.running:
                time.sleep(0.2)
        except KeyboardInterrupt:
            print("Stopping.", file=out, flush=True)
            return 0
        print("The demo API stopped unexpectedly.", file=err)
        return 1
    finally:
        server.stop()
        logging.getLogger("uvicorn").removeHandler(console)
