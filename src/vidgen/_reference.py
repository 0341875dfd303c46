"""The reference image (first frame) of a request, with its type and size read from its bytes."""

from __future__ import annotations

import base64
import os
import struct
from pathlib import Path
from urllib.parse import urlsplit

import attrs

from ._exceptions import InvalidInput, InvalidInputType
from ._public import public

__all__ = ["ImageInfo", "Reference", "image_problem", "sniff_image"]

_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
}


@attrs.frozen
class ImageInfo:
    """What the bytes of an image say about it."""

    mime: str
    width: int | None
    height: int | None


def sniff_image(data: bytes) -> ImageInfo | None:
    """Read an image's type and dimensions from its magic bytes and header.

    Args:
        data: the whole file, or at least its first few kilobytes (JPEG may need more).

    Returns:
        The type and size, or None when the bytes are not JPEG, PNG, WebP or GIF.
        Width and height are None when the header is cut short.
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        if len(data) >= 24 and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return ImageInfo("image/png", width, height)
        return ImageInfo("image/png", None, None)
    if data.startswith(b"\xff\xd8"):
        width, height = _jpeg_size(data)
        return ImageInfo("image/jpeg", width, height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        width, height = _webp_size(data)
        return ImageInfo("image/webp", width, height)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        if len(data) >= 10:
            width, height = struct.unpack("<HH", data[6:10])
            return ImageInfo("image/gif", width, height)
        return ImageInfo("image/gif", None, None)
    return None


# JPEG start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) don't.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(data: bytes) -> tuple[int | None, int | None]:
    pos = 2
    size = len(data)
    while pos + 4 <= size:
        if data[pos] != 0xFF:
            return None, None
        marker = data[pos + 1]
        if marker == 0xFF:  # padding between segments
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # standalone markers carry no length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _SOF_MARKERS:
            if pos + 9 > size:
                return None, None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        if marker == 0xDA:  # start of scan: no frame header before it
            return None, None
        pos += 2 + length
    return None, None


def _webp_size(data: bytes) -> tuple[int | None, int | None]:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None, None


def image_problem(data: bytes, mime: str) -> str | None:
    """What is structurally wrong with an image, or None when it looks whole.

    Reads only the container, not the pixels (no image library is needed): PNG chunks
    from IHDR through IEND with lengths that fit the file; a JPEG frame header (SOF)
    before its scan and an end marker (EOI) after it; a WebP whose RIFF size matches the
    file. A file cut short in a download or a copy fails
    here, before it is uploaded to a paid job.
    """
    if mime == "image/png":
        return _png_problem(data)
    if mime == "image/jpeg":
        return _jpeg_problem(data)
    if mime == "image/webp":
        return _webp_problem(data)
    return None


def _png_problem(data: bytes) -> str | None:
    pos = 8
    first = True
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if first and kind != b"IHDR":
            return "its first chunk is not IHDR"
        first = False
        if length > 0x7FFFFFFF or pos + 12 + length > len(data):
            return f"its {kind.decode('latin-1')!r} chunk runs past the end of the file"
        pos += 12 + length
        if kind == b"IEND":
            return None
    return "it ends before its IEND chunk"


def _jpeg_problem(data: bytes) -> str | None:
    pos = 2
    frame = False
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return "a segment does not start with a marker"
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):
            pos += 2
            continue
        if marker == 0xD9:
            return "it ends before its image data"
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2 or pos + 2 + length > len(data):
            return "a segment runs past the end of the file"
        if marker in _SOF_MARKERS:
            frame = True
        if marker == 0xDA:
            if not frame:
                return "it has no frame header (SOF) before its image data"
            if data.rfind(b"\xff\xd9") < pos + 2 + length:
                return "it has no end-of-image marker (EOI)"
            return None
        pos += 2 + length
    return "it ends before its image data"


def _webp_problem(data: bytes) -> str | None:
    if len(data) < 20:
        return "it ends inside its header"
    riff_size = int.from_bytes(data[4:8], "little")
    if len(data) < riff_size + 8:
        return f"its RIFF header announces {riff_size + 8} bytes but the file has {len(data)}"
    chunk_size = int.from_bytes(data[16:20], "little")
    if 20 + chunk_size > riff_size + 8:
        return "its first chunk runs past the end of the file"
    return None


def _damaged(filename: str | None, problem: str) -> InvalidInput:
    where = f" {filename!r}" if filename else ""
    return InvalidInput(
        f"the reference image{where} is damaged or cut short ({problem}); "
        "export or download it again",
        param="reference",
    )


def _check_url(url: str) -> str:
    if not isinstance(url, str):
        raise InvalidInputType(
            f"a reference URL is a string, not {type(url).__name__}", param="reference"
        )
    parts = urlsplit(url)
    if parts.scheme == "http" and parts.netloc:
        # The provider fetches the image itself; providers and vidgen's own downloads
        # take only https, and a plain-http image can be swapped on the way.
        raise InvalidInput(
            f"reference URL {url!r} is plain http; give an https URL "
            "(or download the image and use Reference.from_path())",
            param="reference",
        )
    if parts.scheme != "https" or not parts.netloc:
        raise InvalidInput(
            f"reference URL {url!r} is not an https URL; "
            "use Reference.from_path() for a local file",
            param="reference",
        )
    return url


@public
@attrs.frozen(kw_only=True)
class Reference:
    """An image the video starts from (its first frame).

    Build one with `Reference.from_path`, `Reference.from_bytes` or `Reference.from_url`.
    For files and bytes the image type and dimensions are read from the bytes themselves,
    never from the file name, so a PNG saved as ``frame.jpg`` is still sent as PNG.

    Attributes:
        data: the image bytes, or None for a URL reference.
        url: the image URL, or None for bytes.
        filename: the name sent with an upload.
        mime: ``image/jpeg``, ``image/png``, ``image/webp`` or ``image/gif``; None when unknown.
        width, height: pixel dimensions, None when unknown (URL references).
    """

    data: bytes | None = attrs.field(default=None, repr=False)
    url: str | None = None
    filename: str | None = None
    mime: str | None = None
    width: int | None = None
    height: int | None = None

    def __attrs_post_init__(self) -> None:
        if (self.data is None) == (self.url is None):
            raise InvalidInput(
                "a Reference holds either image bytes or a URL, not both or neither; build "
                "one with Reference.from_path, .from_url or .from_bytes",
                param="reference",
            )
        if self.url is not None:
            _check_url(self.url)

    @classmethod
    def from_bytes(cls, data: bytes, *, filename: str | None = None) -> Reference:
        """An image given as bytes; its type and size are read from the bytes.

        Raises:
            InvalidInput: the bytes are not a JPEG, PNG, WebP or GIF image, or the image
                is damaged or cut short (a ``ValueError`` too).
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidInputType(
                f"Reference.from_bytes() takes bytes, not {type(data).__name__}",
                param="reference",
            )
        data = bytes(data)
        info = sniff_image(data)
        if info is None:
            where = f" {filename!r}" if filename else ""
            raise InvalidInput(
                f"the reference image{where} is not JPEG, PNG or WebP "
                "(its first bytes match no image format); convert it to PNG or JPEG",
                param="reference",
            )
        problem = image_problem(data, info.mime)
        if problem is not None:
            raise _damaged(filename, problem)
        stem = Path(filename).stem if filename else "reference"
        return cls(
            data=data,
            filename=stem + _EXTENSIONS[info.mime],
            mime=info.mime,
            width=info.width,
            height=info.height,
        )

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> Reference:
        """An image file; its type and size are read from its bytes, not its name.

        Raises:
            FileNotFoundError: the file does not exist.
            InvalidInput: the file is not a JPEG, PNG, WebP or GIF image, or it is
                damaged or cut short (a ``ValueError`` too).
        """
        file = Path(path)
        return cls.from_bytes(file.read_bytes(), filename=file.name)

    @classmethod
    def from_url(
        cls, url: str, *, width: int | None = None, height: int | None = None
    ) -> Reference:
        """An image the provider fetches itself, at an https URL. Its size is unknown
        unless given.

        Raises:
            InvalidInput: the URL is not https.
        """
        return cls(url=_check_url(url), width=width, height=height)

    @property
    def is_url(self) -> bool:
        """True for a URL reference, False for bytes."""
        return self.url is not None

    @property
    def size(self) -> str | None:
        """``"WIDTHxHEIGHT"`` when the dimensions are known."""
        if self.width is None or self.height is None:
            return None
        return f"{self.width}x{self.height}"

    def data_url(self) -> str:
        """The image as a ``data:`` URL (for APIs that take base64 in JSON)."""
        if self.data is None:
            raise InvalidInput("a URL reference has no bytes to encode", param="reference")
        encoded = base64.b64encode(self.data).decode("ascii")
        return f"data:{self.mime};base64,{encoded}"
