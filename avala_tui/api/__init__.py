"""The Avala API: typed models and errors, and the async client. Imports no Textual."""

import sys

# Importing httpx imports its command-line tool, and with it click, pygments and rich's
# progress bars and syntax highlighting: a twentieth of the dashboard's start, for a
# tool this program never runs. httpx falls back to a stub when that tool cannot be
# imported, so it is marked as unavailable before httpx is first imported.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
