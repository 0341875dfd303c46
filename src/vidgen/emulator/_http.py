"""The little HTTP the emulator needs, on bare ASGI: requests, answers, forms, ranges.

No framework: the emulator must answer exactly as the real services do (status, headers,
body bytes), and must also be able to misbehave on purpose (stop a body halfway, trickle
bytes), which frameworks make hard.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import attrs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: Request bodies larger than this are refused (a reference image is at most 20 MB).
MAX_BODY = 64 * 1024 * 1024
_CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")

# True while a request is answered by a deliberate drop, so the server's complaint about
# an unfinished response is not logged as if something had gone wrong.
_dropping: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "vidgen_emulator_drop", default=False
)
_UNFINISHED = (
    "ASGI callable returned without completing response.",
    "ASGI callable returned without starting response.",
)


class _DeliberateDrops(logging.Filter):
    """Hides uvicorn's error line for responses the emulator cut on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (_dropping.get() and record.msg in _UNFINISHED)


_FILTER = _DeliberateDrops()


def quiet_deliberate_drops() -> None:
    """Install the filter on uvicorn's error logger (once)."""
    logger = logging.getLogger("uvicorn.error")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)


class BadRequest(Exception):
    """The request body cannot be read (bad JSON, a broken form)."""


@attrs.frozen
class Upload:
    """One file of a multipart form."""

    filename: str | None
    content_type: str
    data: bytes


@attrs.frozen(kw_only=True)
class Request:
    """An HTTP request, read whole."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    scheme: str = "http"

    @property
    def content_type(self) -> str:
        """The media type, lower case, without parameters."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` as the client addressed this server."""
        return f"{self.scheme}://{self.headers.get('host', '127.0.0.1')}"

    def json(self) -> Any:
        """The body as JSON.

        Raises:
            BadRequest: it is not JSON.
        """
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(f"the body is not valid JSON: {exc}") from exc

    def form(self) -> tuple[dict[str, str], dict[str, list[Upload]]]:
        """The fields and files of a ``multipart/form-data`` body.

        Raises:
            BadRequest: the form cannot be read.
        """
        match = re.search(r'boundary="?([^";]+)"?', self.headers.get("content-type", ""))
        if match is None:
            raise BadRequest("the multipart body has no boundary")
        delimiter = b"--" + match.group(1).encode("latin-1")
        fields: dict[str, str] = {}
        files: dict[str, list[Upload]] = {}
        parts = self.body.split(delimiter)
        if len(parts) < 3:
            raise BadRequest("the multipart body has no parts")
        for part in parts[1:-1]:
            # Each part is CRLF headers CRLF CRLF content CRLF.
            part = part.removeprefix(b"\r\n").removesuffix(b"\r\n")
            head, sep, content = part.partition(b"\r\n\r\n")
            if not sep:
                raise BadRequest("a multipart part has no headers")
            headers: dict[str, str] = {}
            for line in head.decode("utf-8", "replace").split("\r\n"):
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            disposition = headers.get("content-disposition", "")
            name_match = re.search(r'(?:^|;)\s*name="([^"]*)"', disposition)
            if name_match is None:
                raise BadRequest("a multipart part has no name")
            file_match = re.search(r'filename="([^"]*)"', disposition)
            if file_match is not None:
                files.setdefault(name_match.group(1), []).append(
                    Upload(
                        filename=file_match.group(1),
                        content_type=headers.get("content-type", "application/octet-stream"),
                        data=content,
                    )
                )
            else:
                fields[name_match.group(1)] = content.decode("utf-8", "replace")
        return fields, files


async def read_request(scope: Scope, receive: Receive) -> Request | None:
    """The whole request, or None when it is too large."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    query = dict(
        parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    )
    return Request(
        method=scope["method"].upper(),
        path=scope["path"],
        query=query,
        headers=headers,
        body=b"".join(chunks),
        scheme=scope.get("scheme", "http"),
    )


def new_request_id() -> str:
    """A request id like the services send (``req_`` and 32 hex digits)."""
    return f"req_{uuid.uuid4().hex}"


# -- answers ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class JsonAnswer:
    """A JSON body."""

    status: int
    body: Any
    headers: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class BytesAnswer:
    """Raw bytes (an image, a malformed body)."""

    status: int
    body: bytes
    content_type: str
    headers: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class EmptyAnswer:
    """No body (204)."""

    status: int = 204
    headers: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class DropAnswer:
    """Start a JSON answer, send part of its body, then close the connection."""

    body: Any
    headers: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class FileAnswer:
    """A file, or a byte range of it, optionally throttled or cut off.

    Attributes:
        path: the file.
        content_type: its media type.
        range_header: the request's ``Range`` header, if any (``bytes=N-`` or ``bytes=N-M``).
        head: answer headers only (a HEAD request).
        bytes_per_second: throttle the body to this rate.
        cut_after: close the connection after this many body bytes.
        on_sent: called with the size of each chunk that went out.
    """

    path: Path
    content_type: str
    range_header: str | None = None
    head: bool = False
    bytes_per_second: int | None = None
    cut_after: int | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    on_sent: Callable[[int], None] | None = attrs.field(default=None, eq=False)


Answer = JsonAnswer | BytesAnswer | EmptyAnswer | DropAnswer | FileAnswer


def _header_list(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    return [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]


async def _start(send: Send, status: int, headers: Mapping[str, str]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": _header_list(headers)})


async def _body(send: Send, data: bytes, *, more: bool = False) -> None:
    await send({"type": "http.response.body", "body": data, "more_body": more})


def byte_range(header: str | None, total: int) -> tuple[int, int] | bool | None:
    """The inclusive ``(first, last)`` byte range asked for.

    Returns:
        None for the whole file (no header, or one the emulator ignores, as servers may);
        False when the range cannot be satisfied (416).
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None  # several ranges or another unit: answer the whole file
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:  # bytes=-N: the last N bytes
        count = int(last_text)
        if count == 0:
            return False
        return (max(0, total - count), total - 1)
    first = int(first_text)
    last = min(int(last_text), total - 1) if last_text else total - 1
    if first >= total or first > last:
        return False
    return (first, last)


async def send_answer(
    answer: Answer,
    send: Send,
    request_headers: Mapping[str, str],
    receive: Receive | None = None,
) -> None:
    """Send ``answer``; ``request_headers`` are added to every answer (request ids).

    ``receive`` lets a long download notice that the client went away, and stop.
    """
    if isinstance(answer, JsonAnswer):
        data = json.dumps(answer.body).encode()
        headers = {
            "content-type": "application/json",
            "content-length": str(len(data)),
            **request_headers,
            **answer.headers,
        }
        await _start(send, answer.status, headers)
        await _body(send, data)
    elif isinstance(answer, BytesAnswer):
        headers = {
            "content-type": answer.content_type,
            "content-length": str(len(answer.body)),
            **request_headers,
            **answer.headers,
        }
        await _start(send, answer.status, headers)
        await _body(send, answer.body)
    elif isinstance(answer, EmptyAnswer):
        await _start(send, answer.status, {**request_headers, **answer.headers})
        await _body(send, b"")
    elif isinstance(answer, DropAnswer):
        data = json.dumps(answer.body).encode()
        headers = {
            "content-type": "application/json",
            "content-length": str(len(data)),
            **request_headers,
            **answer.headers,
        }
        await _start(send, 200, headers)
        await _body(send, data[: len(data) // 2], more=True)
        # Returning now leaves the response unfinished: the server closes the connection.
        _dropping.set(True)
    else:
        await _send_file(answer, send, request_headers, receive)


async def _send_file(
    answer: FileAnswer, send: Send, request_headers: Mapping[str, str], receive: Receive | None
) -> None:
    total = answer.path.stat().st_size
    wanted = byte_range(answer.range_header, total)
    headers = {"content-type": answer.content_type, "accept-ranges": "bytes", **request_headers}
    if wanted is False:
        headers.update({"content-range": f"bytes */{total}", "content-length": "0"})
        await _start(send, 416, {**headers, **answer.headers})
        await _body(send, b"")
        return
    status = 200
    first, last = 0, total - 1
    if isinstance(wanted, tuple):
        status = 206
        first, last = wanted
        headers["content-range"] = f"bytes {first}-{last}/{total}"
    length = last - first + 1
    headers["content-length"] = str(length)
    await _start(send, status, {**headers, **answer.headers})
    if answer.head:
        await _body(send, b"")
        return
    limit = length if answer.cut_after is None else min(length, answer.cut_after)
    chunk = _CHUNK
    if answer.bytes_per_second:
        # Small chunks at a steady pace: ten per second.
        chunk = max(1, min(_CHUNK, answer.bytes_per_second // 10))
    watcher = _Disconnect(receive)
    try:
        await _stream(answer, send, first, length, limit, chunk, watcher)
    finally:
        watcher.close()


class _Disconnect:
    """Notices, without blocking, that the client went away (a ``http.disconnect``)."""

    def __init__(self, receive: Receive | None) -> None:
        self._receive = receive
        self._waiting: asyncio.Future[Message] | None = None
        self._arm()

    def _arm(self) -> None:
        if self._receive is not None:
            self._waiting = asyncio.ensure_future(self._receive())

    @property
    def gone(self) -> bool:
        """True once the client has disconnected."""
        if self._waiting is None or not self._waiting.done():
            return False
        if (
            not self._waiting.cancelled()
            and self._waiting.result().get("type") == "http.disconnect"
        ):
            return True
        self._arm()  # some other message: keep listening
        return False

    def close(self) -> None:
        if self._waiting is not None and not self._waiting.done():
            self._waiting.cancel()


async def _stream(
    answer: FileAnswer,
    send: Send,
    first: int,
    length: int,
    limit: int,
    chunk: int,
    watcher: _Disconnect,
) -> None:
    sent = 0
    with answer.path.open("rb") as source:
        source.seek(first)
        while sent < limit:
            if watcher.gone:
                return  # the client disconnected: nobody is reading any more
            data = source.read(min(chunk, limit - sent))
            if not data:
                break
            sent += len(data)
            done = sent >= length
            # Counted before sending: a client that has its bytes must see them counted.
            if answer.on_sent is not None:
                answer.on_sent(len(data))
            await _body(send, data, more=not done)
            if answer.bytes_per_second and not done:
                await asyncio.sleep(len(data) / answer.bytes_per_second)
    if sent < length:
        # A cut download: leave the body unfinished, and the server drops the connection.
        _dropping.set(True)
