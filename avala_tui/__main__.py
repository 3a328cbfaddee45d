"""``python -m avala_tui``."""

from avala_tui.cli.main import main

raise SystemExit(main())
