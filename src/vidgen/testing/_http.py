"""Scripted HTTP for tests: complete responses for sans-IO parsers, and a fake server.

`FakeServer` answers an ``httpx.MockTransport`` from a script and records every request,
so a test can prove exactly what reached "the server" (one submit, no key sent to a CDN).
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

__all__ = ["BrokenStream", "FakeServer", "Reply", "broken_body", "fail", "make_response", "reply"]

Reply = Callable[[httpx.Request], httpx.Response]
"""Builds the answer to one request."""


def make_response(
    status_code: int = 200,
    *,
    json: Any = None,
    content: bytes | str | None = None,
    headers: Mapping[str, str] | None = None,
    method: str = "GET",
    url: str = "https://api.example.invalid/v1/videos",
) -> httpx.Response:
    """A complete ``httpx.Response`` (body read, request attached) for a parse test."""
    if json is not None:
        body = jsonlib.dumps(json).encode()
        all_headers = {"content-type": "application/json", **(headers or {})}
    else:
        body = content.encode() if isinstance(content, str) else (content or b"")
        all_headers = dict(headers or {})
    return httpx.Response(
        status_code,
        content=body,
        headers=all_headers,
        request=httpx.Request(method, url),
    )


def reply(
    status_code: int = 200,
    *,
    json: Any = None,
    content: bytes | str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Reply:
    """A reply built afresh for every request it answers."""

    def build(request: httpx.Request) -> httpx.Response:
        if json is not None:
            return httpx.Response(
                status_code, json=json, headers=dict(headers or {}), request=request
            )
        body = content.encode() if isinstance(content, str) else (content or b"")
        return httpx.Response(
            status_code, content=body, headers=dict(headers or {}), request=request
        )

    return build


def fail(exc_type: type[httpx.TransportError], message: str = "simulated") -> Reply:
    """Raise an httpx transport error instead of answering (``httpx.ConnectError``, ...)."""

    def build(request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return build


class BrokenStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that sends ``head`` and then loses the connection."""

    def __init__(self, head: bytes = b"the first part of a video") -> None:
        self.head = head

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        raise httpx.ReadError("connection reset by peer")

    async def __aiter__(self) -> Any:
        yield self.head
        raise httpx.ReadError("connection reset by peer")


def broken_body(length: int = 1000, head: bytes = b"the first part of a video") -> Reply:
    """A 200 announcing ``length`` bytes whose body breaks off after ``head``."""

    def build(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"content-length": str(length)},
            stream=BrokenStream(head),
            request=request,
        )

    return build


class FakeServer:
    """Answers requests from a script, and records every request it gets.

    Two ways to script a route:

    * `route` (method and path): its replies in turn, the last one repeating, so a
      status route can answer "running" twice and then "completed" forever;
    * `on` (method and full URL, query ignored): its replies in turn, each used once; one
      request more than was scripted fails the test.

    A request that matches nothing fails the test with an ``AssertionError``.
    """

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._routes: dict[tuple[str, str], list[Reply]] = {}
        self._served: dict[tuple[str, str], int] = {}
        self._queues: dict[tuple[str, str], list[Reply]] = {}
        self._otherwise: Reply | None = None

    def route(self, method: str, path: str, *replies: Reply) -> FakeServer:
        """Answer ``method path`` with ``replies`` in turn; the last one repeats."""
        self._routes[(method.upper(), path)] = list(replies)
        return self

    def on(self, method: str, url: str, *replies: Reply) -> FakeServer:
        """Queue ``replies`` for ``method url`` (query ignored), each used once."""
        self._queues.setdefault((method.upper(), url), []).extend(replies)
        return self

    def otherwise(self, answer: Reply) -> FakeServer:
        """Answer every request no route or queue matches with ``answer`` (a storage host)."""
        self._otherwise = answer
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queue = self._queues.get((request.method, str(request.url.copy_with(query=None))))
        if queue:
            return queue.pop(0)(request)
        key = (request.method, request.url.path)
        replies = self._routes.get(key)
        if not replies:
            if self._otherwise is not None:
                return self._otherwise(request)
            raise AssertionError(f"unexpected request: {request.method} {request.url}")
        index = self._served.get(key, 0)
        self._served[key] = index + 1
        return replies[min(index, len(replies) - 1)](request)

    def sent(
        self, method: str | None = None, *, host: str | None = None, path: str | None = None
    ) -> list[httpx.Request]:
        """The requests received, optionally only one method's, host's or path's."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method)
            and (host is None or r.url.host == host)
            and (path is None or r.url.path == path)
        ]

    def count(self, method: str, path: str | None = None) -> int:
        """How many ``method`` requests (to ``path``) arrived."""
        return len(self.sent(method, path=path))

    def body(self, index: int = 0) -> Any:
        """The JSON body of the ``index``-th POST."""
        return jsonlib.loads(self.sent("POST")[index].content)

    def transport(self) -> httpx.MockTransport:
        """A transport whose every request this server answers."""
        return httpx.MockTransport(self)

    def client(self) -> httpx.Client:
        """An ``httpx.Client`` whose every request this server answers."""
        return httpx.Client(transport=self.transport())

    def async_client(self) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` whose every request this server answers."""
        return httpx.AsyncClient(transport=self.transport())
