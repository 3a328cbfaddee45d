"""Starting the dashboard: the first requests go out while Textual is still being imported.

Imports no Textual itself. Importing Textual and the app takes about as long as a
request to a remote API, so the event loop starts first: it makes the client and
sends the first task and project requests, then imports the UI on a worker thread
(the loop serves the requests meanwhile) and runs the app on the same loop with
the same client; the app takes those answers instead of asking again.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final

from avala_tui.api.client import AvalaClient
from avala_tui.api.errors import AvalaError
from avala_tui.cli.exit_codes import EXIT_CONFIG, exit_code
from avala_tui.cli.prefetch import PrefetchingClient
from avala_tui.config.settings import DEMO_API_KEY, Settings
from avala_tui.config.state import StateFile
from avala_tui.core.feed import PAGE_SIZE
from avala_tui.core.projects import ProjectLookupError, looks_like_uid, resolve_project

if TYPE_CHECKING:
    from avala_tui.ui.app import AvalaApp

#: How often the embedded demo world changes, so `--demo` shows a live monitor at work.
DEMO_LIVE_EVERY: Final = 5.0
#: Seconds into a start the garbage collector stays off: past the first row on a slow link.
COLLECT_AFTER: Final = 2.0
#: Set by ``serve --demo``: the demo API its sessions share, instead of one each.
ENV_DEMO_URL: Final = "AVALA_TUI_DEMO_URL"


def resolve_endpoint(
    settings: Settings, stack: contextlib.ExitStack, *, live_every: float | None = None
) -> tuple[str, str | None]:
    """The base URL and key to use; with ``--demo``, a demo API started for ``stack``'s life."""
    if not settings.demo:
        return settings.base_url, settings.api_key_value
    if shared := os.environ.get(ENV_DEMO_URL):
        return shared, DEMO_API_KEY
    from avala_tui.demo.server import DemoServer

    server = stack.enter_context(DemoServer(api_key=DEMO_API_KEY, live_every=live_every))
    return server.base_url, DEMO_API_KEY


def run_dashboard(settings: Settings, state: StateFile | None = None) -> int:
    """Run the dashboard in this terminal until the user quits; returns the exit code."""
    return asyncio.run(_run_dashboard(settings, state))


async def _run_dashboard(settings: Settings, state: StateFile | None) -> int:
    # Nearly every object the start makes (modules, classes, styles, widgets, the embedded
    # demo's tasks) lives until exit: collecting during it finds almost no garbage and
    # cost ~100 ms before the first row. Off for the start, back on soon after.
    collecting = gc.isenabled()
    gc.disable()
    if collecting:
        asyncio.get_running_loop().call_later(COLLECT_AFTER, gc.enable)
    try:
        return await _start_dashboard(settings, state)
    finally:
        if collecting:
            gc.enable()


async def _start_dashboard(settings: Settings, state: StateFile | None) -> int:
    with contextlib.ExitStack() as stack:
        base_url, api_key = resolve_endpoint(settings, stack, live_every=DEMO_LIVE_EVERY)
        assert api_key is not None, "the CLI refuses to start without a key"
        api = AvalaClient(api_key, base_url)
        if settings.project is not None and not looks_like_uid(settings.project):
            # A name costs one listing before the first page; a uid costs nothing.
            try:
                project = await resolve_project(api, settings.project)
            except (ProjectLookupError, AvalaError) as error:
                await api.aclose()
                # Imported here: rich (under clean) is not needed before the first request.
                from avala_tui.core.text import clean

                print(f"avala-tui: {clean(str(error))}", file=sys.stderr)
                return EXIT_CONFIG if isinstance(error, ProjectLookupError) else exit_code(error)
            settings = settings.replace(project=project)
        client = PrefetchingClient(
            api,
            project=settings.project,
            status=settings.status,
            limit=PAGE_SIZE,
        )
        try:
            make_app, run_until_exit = await asyncio.to_thread(_import_ui)
            app = make_app(settings, client, state=state, census=True)
            # What exists now (the modules, the embedded demo's 60,000 tasks) lives until
            # exit: kept out of the collector's passes, it costs no pauses while the app
            # runs and no full walk as the process ends.
            gc.freeze()
            return await run_until_exit(app)
        finally:
            await client.aclose()


def _import_ui() -> tuple[Callable[..., AvalaApp], Callable[[AvalaApp], Awaitable[int]]]:
    """Import Textual and the app (on a worker thread: this is the slow part of a start)."""
    from avala_tui.ui.app import make_app
    from avala_tui.ui.lifecycle import run_until_exit

    return make_app, run_until_exit
