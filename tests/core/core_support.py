"""Helpers shared by the core tests: hand-built images and a scripted HTTP server."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from typing import Any

import httpx

from vidgen import Job
from vidgen.provider import Provider

Reply = Callable[[httpx.Request], httpx.Response]


# -- images, built byte by byte -------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes(width: int, height: int) -> bytes:
    """A complete, valid PNG (8-bit greyscale, all black)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + _png_chunk(b"IEND", b"")
    )


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg_bytes(width: int, height: int, *, progressive: bool = False) -> bytes:
    """A JPEG header: SOI, APP0 (JFIF), APP1 (Exif), DQT, then SOF0 or SOF2, then SOS."""
    app0 = _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    app1 = _segment(0xE1, b"Exif\x00\x00" + b"\x00" * 40)
    dqt = _segment(0xDB, b"\x00" + bytes(range(64)))
    sof = _segment(
        0xC2 if progressive else 0xC0,
        struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00",
    )
    sos = _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    return b"\xff\xd8" + app0 + app1 + dqt + sof + sos + b"\x00" * 16 + b"\xff\xd9"


def _riff(chunk: bytes, payload: bytes) -> bytes:
    body = b"WEBP" + chunk + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp_vp8_bytes(width: int, height: int) -> bytes:
    """A lossy WebP: frame tag, start code, 14-bit width and height."""
    payload = b"\x10\x02\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 10
    return _riff(b"VP8 ", payload)


def webp_vp8l_bytes(width: int, height: int) -> bytes:
    """A lossless WebP: signature 0x2f, then (width-1) and (height-1) in 14 bits each."""
    bits = (width - 1) | ((height - 1) << 14)
    return _riff(b"VP8L", b"\x2f" + struct.pack("<I", bits) + b"\x00" * 8)


def webp_vp8x_bytes(width: int, height: int) -> bytes:
    """An extended WebP: flags, then the canvas (width-1) and (height-1) in 24 bits each."""
    payload = b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little")
    payload += (height - 1).to_bytes(3, "little")
    return _riff(b"VP8X", payload)


def gif_bytes(width: int, height: int) -> bytes:
    """A GIF89a header and an empty image."""
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + b"\x3b"


# -- a scripted HTTP server for httpx.MockTransport -------------------------------------------

FAKE_NOW = 1_760_000_000  # FakeClock's default start


def video(
    status: str = "queued", *, progress: int | None = 0, video_id: str = "video_123", **extra: Any
) -> dict[str, Any]:
    """An OpenAI Videos API video object."""
    body: dict[str, Any] = {
        "id": video_id,
        "object": "video",
        "model": "sora-2",
        "status": status,
        "progress": progress,
        "created_at": FAKE_NOW - 60,
        "size": "1280x720",
        "seconds": "8",
    }
    if status == "completed":
        body["completed_at"] = FAKE_NOW - 10
        body["expires_at"] = FAKE_NOW + 86_400
    body.update(extra)
    return body


def reply(
    status_code: int = 200,
    *,
    json: Any = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """A fresh response for each request that gets it."""

    def make(request: httpx.Request) -> httpx.Response:
        if json is not None:
            return httpx.Response(status_code, json=json, headers=headers)
        return httpx.Response(status_code, content=content or b"", headers=headers)

    return make


def fail(exc_type: type[httpx.TransportError], message: str = "simulated") -> Reply:
    """Raise an httpx transport error instead of answering."""

    def make(request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return make


class FakeAPI:
    """A handler for `httpx.MockTransport`: scripted replies per (method, path).

    Each route answers with its replies in order; the last one repeats. Every request is
    recorded, so a test can count exactly what reached the "server".
    """

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Reply]] = {}
        self.served: dict[tuple[str, str], int] = {}
        self.requests: list[httpx.Request] = []

    def route(self, method: str, path: str, *replies: Reply) -> FakeAPI:
        self.routes[(method, path)] = list(replies)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.method, request.url.path)
        replies = self.routes.get(key)
        if not replies:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        index = self.served.get(key, 0)
        self.served[key] = index + 1
        return replies[min(index, len(replies) - 1)](request)

    def count(self, method: str, path: str | None = None) -> int:
        return sum(
            1 for r in self.requests if r.method == method and (path is None or r.url.path == path)
        )


class BrokenStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that sends ``head`` and then loses the connection."""

    def __init__(self, head: bytes = b"the first part of a video") -> None:
        self.head = head

    def __iter__(self) -> Any:
        yield self.head
        raise httpx.ReadError("connection reset by peer")

    async def __aiter__(self) -> Any:
        yield self.head
        raise httpx.ReadError("connection reset by peer")


def broken_body(length: int = 1000) -> Reply:
    """A 200 whose body breaks off mid-stream."""

    def make(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-length": str(length)}, stream=BrokenStream())

    return make


class KeyHeader(Provider):
    """Authenticates with an ``api-key`` header (as Azure does), not Authorization."""

    name = "keyheader"
    default_base_url = "https://api.example.com/v1"
    secret_headers = frozenset({"api-key"})

    def auth_headers(self) -> dict[str, str]:
        return {"api-key": self.secret().reveal()}

    def build_status(self, job: Job) -> httpx.Request:
        return httpx.Request("GET", self.url(f"jobs/{job.id}"), headers=self.headers())

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        return httpx.Request("GET", self.url(f"jobs/{job.id}/video"), headers=self.headers())
