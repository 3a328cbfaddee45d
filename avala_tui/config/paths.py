"""Where avala-tui keeps its files, each overridable by one environment variable.

The config file (``config.toml``) is the user's to edit; the state file
(``state.json``) is the app's own memory. Both follow the platform's conventions
(XDG on Linux) unless the variable named for them is set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import platformdirs

APP_NAME: Final = "avala-tui"
#: Overrides where the config file is looked for (tests, unusual setups).
ENV_CONFIG_FILE: Final = "AVALA_TUI_CONFIG"
#: Overrides where the state file is kept (tests, unusual setups).
ENV_STATE_FILE: Final = "AVALA_TUI_STATE"


def _overridable(env: Mapping[str, str] | None, variable: str, default: Path) -> Path:
    """``default``, unless ``variable`` is set (and not empty) in ``env``."""
    env = os.environ if env is None else env
    override = env.get(variable)
    return Path(override).expanduser() if override else default


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the config file is read from."""
    default = Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"
    return _overridable(env, ENV_CONFIG_FILE, default)


def state_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the state file is kept."""
    default = Path(platformdirs.user_state_dir(APP_NAME)) / "state.json"
    return _overridable(env, ENV_STATE_FILE, default)
