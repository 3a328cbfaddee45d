"""The entry points: the ``avala-tui`` command, its subcommands, and the dashboard's launcher."""

from avala_tui.cli.main import main

__all__ = ["main"]
