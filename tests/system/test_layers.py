"""The layers hold: the model, the client and the headless command never load Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import pkgutil, sys
import avala_tui.api, avala_tui.core, avala_tui.config
for package in (avala_tui.api, avala_tui.core, avala_tui.config):
    for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        __import__(module.name)
import avala_tui.cli.tasks, avala_tui.cli.summary, avala_tui.cli.main, avala_tui.cli.launch
loaded = sorted(name for name in sys.modules if name == "textual" or name.startswith("textual."))
print(",".join(loaded))
"""


def test_core_api_config_and_the_headless_command_import_no_textual() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "", f"Textual was imported: {result.stdout.strip()}"


def test_the_probe_would_see_textual() -> None:
    # The check above is only worth something if importing the UI does load Textual.
    probe = PROBE.replace(
        "import avala_tui.cli.tasks", "import avala_tui.ui.app, avala_tui.cli.tasks"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert "textual" in result.stdout
