"""The exit statuses of every ``avala-tui`` command, in one place for scripts to rely on."""

from __future__ import annotations

from typing import Final

from avala_tui.api.errors import (
    AuthenticationError,
    AvalaError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
)

EXIT_OK: Final = 0
#: Configuration: no key, a bad flag or file, a base URL or a filter the API refused.
EXIT_CONFIG: Final = 2
#: The key was refused, or may not see what was asked.
EXIT_AUTH: Final = 3
#: The network or the server failed.
EXIT_NETWORK: Final = 4
#: After Ctrl+C, as a shell reports a process killed by SIGINT.
EXIT_INTERRUPTED: Final = 130


def exit_code(error: AvalaError) -> int:
    """The exit status for an error of the API or the client."""
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return EXIT_AUTH
    if isinstance(error, ConfigurationError | BadRequestError | NotFoundError):
        # The user's input was refused: a base URL, a filter, a project uid.
        return EXIT_CONFIG
    return EXIT_NETWORK
