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


START = """
import sys
import avala_tui.cli, avala_tui.cli.launch, avala_tui.ui.app, avala_tui.ui.lifecycle
from avala_tui.api.models import Project, Task
from pathlib import Path
from avala_tui.config.settings import load_settings
load_settings(env={}, path=Path("absent.toml"))
Task.read({"uid": "t", "name": "box", "created_at": "2026-12-01T08:00:00Z", "lane": [3]})
Project.read({"uid": "p", "name": "Street scenes", "updated_at": "2026-12-01T08:00:00+02:00"})
ODD_ROW
print("pydantic" in sys.modules)
"""


def test_the_dashboards_start_and_a_page_as_the_api_sends_it_import_no_pydantic() -> None:
    """Importing pydantic costs ~90 ms of CPU: none of it before the first row (issue 14)."""
    result = subprocess.run(
        [sys.executable, "-c", START.replace("ODD_ROW", "")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert result.stdout.strip() == "False"
    # ...while a row the plain reading refuses goes through the pydantic models.
    odd = 'Task.read({"uid": "t", "created_at": 1764576000})'
    result = subprocess.run(
        [sys.executable, "-c", START.replace("ODD_ROW", odd)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert result.stdout.strip() == "True"
