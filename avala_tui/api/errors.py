"""The typed errors of the Avala client: the only exceptions the UI catches.

Every httpx error and every non-2xx status becomes one of these. Messages carry
the API's own ``detail`` text where it gave one, never the API key, and no control
characters (server text in them is escaped: they end up in stderr and logs).

``retryable`` is per instance: a fault that is transient by kind (a connection cut
mid-body) is not worth repeating when the status it cut short was a 4xx other than
408 or 429, because the same request gets the same refusal.
"""

from __future__ import annotations

from collections.abc import Mapping

#: The only 4xx statuses worth sending again unchanged: a server timeout and a throttle.
RETRYABLE_4XX = frozenset({408, 429})


def retryable_status(status: int) -> bool:
    """Whether a request answered ``status`` may be sent again unchanged."""
    return not 400 <= status < 500 or status in RETRYABLE_4XX


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
        if status_code is not None and not retryable_status(status_code):
            self.retryable = False

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


class RequestTimeoutError(APIStatusError):
    """408: the server gave up waiting for the request; sending it again may work."""

    kind = "timeout"
    retryable = True


class RetryLaterError(APIStatusError):
    """An answer that says to ask again later, and may say when (``Retry-After``).

    ``retry_after`` is the wait in seconds the client obeys: at least 1 s and at most
    10 minutes (:data:`avala_tui.api._retry.MAX_THROTTLE_WAIT`), or None when there was
    no usable hint. ``requested_wait`` is the server's own figure before that floor and
    ceiling, and ``retry_after_header`` its header text (escaped and clipped), so the
    UI can say "the server asked for 3 days; retrying in 10 min".
    """

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        retry_after: float | None = None,
        requested_wait: float | None = None,
        retry_after_header: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after
        self.requested_wait = requested_wait
        self.retry_after_header = retry_after_header


class RateLimitedError(RetryLaterError):
    """429, or a request held back by the client's rate gate (``status_code`` None:
    nothing was sent)."""

    kind = "rate limited"


class ServerError(RetryLaterError):
    """5xx: the server failed. A 503 may carry ``Retry-After`` like a 429."""

    kind = "server"


class APIConnectionError(AvalaError):
    """The server could not be reached, or the connection broke mid-response."""

    kind = "offline"
    retryable = True


class APITimeoutError(APIConnectionError):
    """The server did not answer in time."""

    kind = "timeout"


class ProtocolError(AvalaError):
    """The body was not the JSON expected: an HTML page, cut-off JSON, the wrong shape.

    Also a server's value the client cannot send back (a cursor too long for a URL),
    and a get-task answer about another task; those are not retryable.
    """

    kind = "protocol"
    retryable = True
