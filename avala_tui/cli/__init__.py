"""The entry points: the ``avala-tui`` command, its subcommands, and the dashboard's launcher."""

import gc

# Importing the CLI imports httpx and builds the settings: tens of thousands of objects
# that live until exit. The collector's passes over them as they are made find no
# garbage; it is off for the import. Frozen before it is back on, they are never walked
# again: turned on over them, its next pass was a full one (~16 ms of every start).
_collecting = gc.isenabled()
gc.disable()
try:
    from avala_tui.cli.main import main
finally:
    if _collecting:
        gc.freeze()
        gc.enable()

__all__ = ["main"]
