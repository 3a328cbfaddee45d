"""The typed errors of the Avala client: the only exceptions the UI catches.

Every httpx error and every non-2xx status becomes one of these. Messages carry
the API's own ``detail`` text where it gave one and never the API key.
"""

from __future__ import annotations

from collections.abc import Mapping


class AvalaError(Exception):
    """Base of every error the client raises."""

    #: Short label for a status line ("authentication", "offline", ...).
    kind: str = "error"
    #: Whether the same request may succeed if simply tried again later.
    retryable: bool = False

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r})"


class ConfigurationError(AvalaError):
    """The client was set up wrongly (no key, an unsafe base URL)."""

    kind = "configuration"


class APIStatusError(AvalaError):
    """The server answered with an error status."""

    kind = "server"


class AuthenticationError(APIStatusError):
    """401: the key is missing, wrong or expired."""

    kind = "authentication"


class PermissionDeniedError(APIStatusError):
    """403: the key may not see this resource."""

    kind = "permission"


class NotFoundError(APIStatusError):
    """404: no such resource (or an invalid cursor)."""

    kind = "not found"


class BadRequestError(APIStatusError):
    """400/422: the request's parameters were refused, with errors per field."""

    kind = "bad request"

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        field_errors: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.field_errors: dict[str, list[str]] = dict(field_errors or {})


class RateLimitedError(APIStatusError):
    """429: too many requests; ``retry_after`` is the server's wait in seconds."""

    kind = "rate limited"
    retryable = True

    def __init__(
        self, message: str, *, status_code: int | None = 429, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """5xx: the server failed."""

    kind = "server"
    retryable = True


class APIConnectionError(AvalaError):
    """The server could not be reached, or the connection broke mid-response."""

    kind = "offline"
    retryable = True


class APITimeoutError(APIConnectionError):
    """The server did not answer in time."""

    kind = "timeout"


class ProtocolError(AvalaError):
    """The body was not the JSON expected: an HTML page, cut-off JSON, the wrong shape."""

    kind = "protocol"
    retryable = True
