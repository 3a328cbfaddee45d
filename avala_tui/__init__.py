"""avala-tui: a terminal dashboard for Avala annotation tasks."""

__version__ = "0.1.0"
