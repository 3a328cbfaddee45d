"""Keeping the API key out of messages, logs and tracebacks."""

from __future__ import annotations

import logging
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"


def redact_secret(text: str, secret: str) -> str:
    """Return ``text`` with every plain or URL-encoded occurrence of ``secret`` masked."""
    if not secret:
        return text
    # A key can surface percent-encoded too: in a URL, a query string or a Location header.
    for form in {secret, quote(secret, safe=""), quote_plus(secret, safe="")}:
        text = text.replace(form, REDACTED)
    return text


class KeyRedactingFilter(logging.Filter):
    """A logging filter that masks ``secret`` in messages, their arguments and tracebacks.

    Install it on a *handler* (``handler.addFilter``): a filter on a logger does not
    see records that propagate up from its child loggers.
    """

    def __init__(self, secret: str) -> None:
        super().__init__()
        self._secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_secret(record.getMessage(), self._secret)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Handlers format exc_info after filtering; caching the redacted text
            # here makes them print this instead of the raw traceback.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_secret(record.exc_text, self._secret)
        return True
