"""Images built byte by byte, for reference-image tests that need no image library.

Each builder returns bytes whose header states the given size, as the format's own
readers (and vidgen's sniffing) see it. `png_bytes` is a complete, decodable image; the
others are well-formed headers with a stub body.
"""

from __future__ import annotations

import struct
import zlib

__all__ = ["gif_bytes", "jpeg_bytes", "png_bytes", "webp_bytes"]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes(width: int, height: int, *, grey: int = 0) -> bytes:
    """A complete, valid PNG (8-bit greyscale, one shade)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes([grey]) * width for _ in range(height))
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


def webp_bytes(width: int, height: int, *, kind: str = "VP8") -> bytes:
    """A WebP header: lossy (``VP8``), lossless (``VP8L``) or extended (``VP8X``)."""
    if kind == "VP8":
        payload = b"\x10\x02\x00\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 10
        return _riff(b"VP8 ", payload)
    if kind == "VP8L":
        bits = (width - 1) | ((height - 1) << 14)
        return _riff(b"VP8L", b"\x2f" + struct.pack("<I", bits) + b"\x00" * 8)
    if kind == "VP8X":
        payload = b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little")
        return _riff(b"VP8X", payload + (height - 1).to_bytes(3, "little"))
    raise ValueError(f"kind must be VP8, VP8L or VP8X, not {kind!r}")


def gif_bytes(width: int, height: int) -> bytes:
    """A GIF89a header and an empty image."""
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + b"\x3b"
