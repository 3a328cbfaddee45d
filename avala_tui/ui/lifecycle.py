"""Running the app so that every way of stopping it leaves the terminal as it was.

Textual reads Ctrl+C as a key (the app binds it to quit), but a process is also
stopped by signals: SIGTERM from ``kill`` or a service manager, SIGHUP when the SSH
link drops or the tmux pane is killed, SIGINT from ``kill -INT``. Their default
actions end the process on the spot, leaving the terminal in the alternate screen
with mouse tracking on and the cursor hidden. Here each becomes an orderly
``App.exit``: the driver restores the terminal, workers are cancelled, the client
closes, and the caller's ``finally`` blocks (the embedded demo server) run.

A hang-up needs more care than the other signals, because the terminal is gone:
the kernel sends SIGCONT along with SIGHUP, and every write to the terminal fails
with EIO. Textual takes the SIGCONT for the end of a Ctrl+Z suspension and starts
application mode a second time, and its writer thread dies on the first failed
write, after which the exit blocks forever on the writer's full queue.
:class:`HangUpSafeDriver` and :func:`release_dead_terminal` prevent both.
"""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import termios
from typing import Final

from textual.app import App
from textual.drivers.linux_driver import LinuxDriver

#: The signals turned into an orderly exit.
EXIT_SIGNALS: Final = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
_STANDARD_STREAMS: Final = (0, 1, 2)


def exit_code_for(signum: int) -> int:
    """The shell's convention for a process ended by a signal: 128 + its number."""
    return 128 + signum


def release_dead_terminal() -> None:
    """Point the standard streams that were a terminal now hung up at /dev/null.

    A live terminal (a plain ``kill -HUP``) is left alone, so the exit still restores it.
    """
    devnull: int | None = None
    try:
        for fd in _STANDARD_STREAMS:
            try:
                termios.tcgetattr(fd)
            except termios.error as error:
                # EIO: a terminal that hung up; ENOTTY or EBADF: never a terminal.
                if error.args[0] != errno.EIO:
                    continue
                if devnull is None:
                    devnull = os.open(os.devnull, os.O_RDWR)
                os.dup2(devnull, fd)
    finally:
        if devnull is not None:
            os.close(devnull)


class HangUpSafeDriver(LinuxDriver):
    """Textual's Linux driver, made to end in order when its terminal hangs up."""

    _suspended = False

    def _sigtstp_application(self, *args: object) -> None:
        self._suspended = True
        super()._sigtstp_application(*args)

    def _sigcont_application(self, *args: object) -> None:
        # A hang-up brings a SIGCONT that no suspension asked for: ignore it.
        if self._suspended:
            self._suspended = False
            super()._sigcont_application(*args)


async def run_until_exit(app: App[int], *, headless: bool = False) -> int:
    """Run ``app`` until it exits or one of EXIT_SIGNALS asks it to; return the exit code.

    Must be called on the main thread (only it receives signals).
    """
    loop = asyncio.get_running_loop()

    def exit_on(signum: int) -> None:
        # The default action comes back at once, so that a second signal still
        # ends a process whose orderly exit is stuck.
        loop.remove_signal_handler(signum)
        if signum == signal.SIGHUP:
            release_dead_terminal()
        app.exit(return_code=exit_code_for(signum))

    for signum in EXIT_SIGNALS:
        loop.add_signal_handler(signum, exit_on, signum)
    if app.driver_class is LinuxDriver:
        app.driver_class = HangUpSafeDriver
    try:
        await app.run_async(headless=headless)
    finally:
        for signum in EXIT_SIGNALS:
            loop.remove_signal_handler(signum)
    return app.return_code or 0
