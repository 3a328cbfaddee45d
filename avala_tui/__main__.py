"""``python -m avala_tui``."""

from avala_tui.cli import main

raise SystemExit(main())
