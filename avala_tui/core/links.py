"""Where a task lives in Avala's web app, and whether a browser can be opened here. No Textual."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from typing import Final
from urllib.parse import quote, urlsplit

from avala_tui.api.client import DEFAULT_BASE_URL

#: Where Avala's web app lives (the official SDK points its viewer links there too).
AVALA_WEB_URL: Final = "https://avala.ai"
#: API hosts of Avala's own, whose web app is AVALA_WEB_URL.
_AVALA_API_HOSTS: Final = frozenset({"api.avala.ai", "server.avala.ai"})


def has_local_browser(env: Mapping[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Whether a browser opened here would show up in front of the user.

    Not over SSH (the browser would open on the remote machine), and on Linux only
    with a display to open it on; webbrowser would otherwise start a text browser
    inside the dashboard's terminal.
    """
    env = os.environ if env is None else env
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("SSH_CLIENT"):
        return False
    if platform == "darwin":
        return shutil.which("open") is not None
    if platform.startswith("win"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def web_origin(base_url: str) -> str:
    """The web app's origin for an API base URL: Avala's own, or the API's origin otherwise."""
    parts = urlsplit(base_url or DEFAULT_BASE_URL)
    if parts.hostname in _AVALA_API_HOSTS:
        return AVALA_WEB_URL
    return f"{parts.scheme}://{parts.netloc}"


def task_url(uid: str, project: str | None, *, base_url: str, web_url: str | None = None) -> str:
    """The web page of a task.

    ``web_url`` (the profile's setting) is either the web app's origin, to which
    ``/tasks/<uid>`` is added, or a template holding ``{uid}`` (and ``{project}``).
    """
    quoted_uid = quote(uid, safe="")
    quoted_project = quote(project or "", safe="")
    template = web_url or web_origin(base_url)
    if "{uid}" in template:
        return template.replace("{project}", quoted_project).replace("{uid}", quoted_uid)
    return f"{template.rstrip('/')}/tasks/{quoted_uid}"
