"""The entry points: the ``avala-tui`` command, its subcommands, and the dashboard's launcher."""

import gc

# Importing the CLI builds pydantic models and imports httpx: tens of thousands of
# objects that live until exit. The collector's passes over them as they are made find
# no garbage and cost ~50 ms of a start; it is off for the import and back as it was.
_collecting = gc.isenabled()
gc.disable()
try:
    from avala_tui.cli.main import main
finally:
    if _collecting:
        gc.enable()

__all__ = ["main"]
