"""A scripted stand-in for aivideoapi and its storage host, for httpx.MockTransport."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import httpx

Reply = Callable[[httpx.Request], httpx.Response]


def reply(
    status: int = 200,
    *,
    json: Any = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """A reply built afresh for every request it answers."""

    def build(request: httpx.Request) -> httpx.Response:
        if json is not None:
            return httpx.Response(status, json=json, headers=headers, request=request)
        return httpx.Response(status, content=content or b"", headers=headers, request=request)

    return build


class Script:
    """Answers each ``METHOD url`` (query ignored) with its replies in turn; records requests.

    A request nobody scripted, or one more than was scripted, fails the test.
    """

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._replies: dict[tuple[str, str], list[Reply]] = defaultdict(list)

    def on(self, method: str, url: str, *replies: Reply) -> Script:
        """Queue ``replies`` for ``method url``."""
        self._replies[(method, url)].extend(replies)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.method, str(request.url.copy_with(query=None)))
        queue = self._replies.get(key)
        if not queue:
            raise AssertionError(f"unexpected request: {request.method} {request.url}")
        return queue.pop(0)(request)

    def sent(self, method: str | None = None, host: str | None = None) -> list[httpx.Request]:
        """The requests sent, optionally only one method's or one host's."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (host is None or r.url.host == host)
        ]

    def body(self, index: int = 0) -> Any:
        """The JSON body of the ``index``-th POST."""
        return json.loads(self.sent("POST")[index].content)

    def client(self) -> httpx.Client:
        """An ``httpx.Client`` whose every request this script answers."""
        return httpx.Client(transport=httpx.MockTransport(self))

    def async_client(self) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` whose every request this script answers."""
        return httpx.AsyncClient(transport=httpx.MockTransport(self))
