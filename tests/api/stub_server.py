"""A tiny loopback HTTP/1.1 server with scripted answers, for what the demo API cannot fake.

It records every request exactly as it arrived (raw target, headers) and answers each
with whatever its handler returns, then closes the connection. It runs on the test's
own event loop, so tests need no threads.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Self


@dataclass(frozen=True)
class Received:
    """One request as the stub saw it."""

    method: str
    #: The request target exactly as sent (still percent-encoded).
    target: str
    #: Header names lower-cased.
    headers: dict[str, str]


@dataclass(frozen=True)
class Reply:
    """What the stub answers: a status, headers and body, or raw bytes sent verbatim."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    #: Seconds to stall before answering.
    delay: float = 0.0
    #: Seconds between bytes, after the first ``trickle_after`` bytes went at once:
    #: a server that never stalls long enough for a per-read timeout, yet never finishes.
    trickle: float = 0.0
    trickle_after: int = 0

    def encode(self) -> bytes:
        if self.raw is not None:
            return self.raw
        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Other"
        lines = [f"HTTP/1.1 {self.status} {phrase}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


def json_reply(status: int, payload: object, headers: dict[str, str] | None = None) -> Reply:
    """A reply carrying ``payload`` as JSON."""
    return Reply(
        status,
        json.dumps(payload).encode(),
        {"Content-Type": "application/json", **(headers or {})},
    )


Handler = Callable[[Received], Reply]


class StubServer:
    """A loopback HTTP server answering each request with ``handler(request)``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Received] = []
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/v1"

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        # Stalled handlers would outlive the test's event loop.
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            await self._answer(reader, writer)
        except ConnectionError:
            pass  # the client gave up (a timeout test) and closed its end
        finally:
            self._handlers.discard(task)
            writer.close()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            return
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        headers = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        received = Received(method, target, headers)
        self.requests.append(received)
        reply = self.handler(received)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        data = reply.encode()
        if not reply.trickle:
            writer.write(data)
            await writer.drain()
            return
        writer.write(data[: reply.trickle_after])
        for index in range(reply.trickle_after, len(data)):
            await writer.drain()
            await asyncio.sleep(reply.trickle)
            writer.write(data[index : index + 1])
        await writer.drain()
