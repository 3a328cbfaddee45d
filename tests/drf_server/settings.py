"""Django settings for the test server, configured in code: there is no manage.py."""

from __future__ import annotations

from pathlib import Path

import django
from django.conf import settings

#: The per-minute quota of every user without a rate of their own.
DEFAULT_RATE = "100000/min"


def configure(db_path: Path) -> None:
    """Configure Django once per process, with its database in ``db_path``."""
    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        SECRET_KEY="avala-tui-tests-only",
        ALLOWED_HOSTS=["127.0.0.1", "localhost", "[::1]"],
        USE_TZ=True,
        TIME_ZONE="UTC",
        ROOT_URLCONF="tests.drf_server.urls",
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "rest_framework",
            "django_filters",
            "tests.drf_server",
        ],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.middleware.common.CommonMiddleware",
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                # A file, not :memory:: the server's worker thread and the thread that
                # seeds and changes tasks each hold their own connection.
                "NAME": str(db_path),
                "OPTIONS": {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"},
            }
        },
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": ["tests.drf_server.auth.ApiKeyAuthentication"],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
            "DEFAULT_THROTTLE_CLASSES": ["tests.drf_server.auth.UserRateThrottle"],
            "DEFAULT_THROTTLE_RATES": {"user": DEFAULT_RATE},
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
        },
        LOGGING_CONFIG=None,
    )
    django.setup()
