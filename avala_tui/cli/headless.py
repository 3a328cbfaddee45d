"""Running a headless command (``tasks``, ``projects``, ``summary``): one client, exit codes.

Each command is an async function of a client that prints to stdout. The runner
makes the client (starting the embedded demo API for ``--demo``), turns the
client's typed errors into one line on stderr and the exit status of
:mod:`avala_tui.cli.exit_codes`, and ends quietly on a closed pipe (``| head``).
Imports no Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from typing import TextIO

from avala_tui.api.client import AvalaClient
from avala_tui.api.errors import AvalaError, ConfigurationError
from avala_tui.cli.exit_codes import EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_OK, exit_code
from avala_tui.cli.launch import resolve_endpoint
from avala_tui.config.settings import Settings
from avala_tui.core.projects import ProjectLookupError
from avala_tui.core.text import clean

#: A command's work: what it prints, given the client.
Command = Callable[[AvalaClient], Awaitable[None]]


def run_headless(settings: Settings, command: Command, *, out: TextIO, err: TextIO) -> int:
    """Run ``command`` with a client for ``settings``; returns the exit status."""
    with contextlib.ExitStack() as stack:
        base_url, api_key = resolve_endpoint(settings, stack)
        if api_key is None:
            print("avala-tui: no API key (set AVALA_API_KEY)", file=err)
            return EXIT_CONFIG
        try:
            return asyncio.run(_with_client(base_url, api_key, command, err))
        except BrokenPipeError:
            # The reader stopped (`| head`): that is not an error.
            _stop_writing(out)
            return EXIT_OK
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED


async def _with_client(base_url: str, api_key: str, command: Command, err: TextIO) -> int:
    try:
        client = AvalaClient(api_key, base_url)
    except ConfigurationError as error:
        print(f"avala-tui: {clean(error.message)}", file=err)
        return EXIT_CONFIG
    async with client:
        try:
            await command(client)
        except ProjectLookupError as error:
            print(f"avala-tui: {clean(str(error))}", file=err)
            return EXIT_CONFIG
        except AvalaError as error:
            print(f"avala-tui: {error.kind}: {clean(error.message)}", file=err)
            return exit_code(error)
    return EXIT_OK


def _stop_writing(out: TextIO) -> None:
    """After a broken pipe, point stdout at /dev/null so the exit flush stays quiet."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
        os.close(devnull)
