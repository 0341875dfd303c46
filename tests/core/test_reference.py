"""Reference images: type and size read from the bytes, never from the file name."""

from __future__ import annotations

import base64
import zlib
from pathlib import Path

import attrs
import pytest

from vidgen import Reference
from vidgen._reference import sniff_image
from vidgen.testing import gif_bytes, jpeg_bytes, png_bytes, webp_bytes


def test_hand_built_png_is_a_real_png() -> None:
    # The IDAT really holds width x height greyscale rows, each with a filter byte.
    data = png_bytes(3, 2)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    idat = data.index(b"IDAT")
    length = int.from_bytes(data[idat - 4 : idat], "big")
    assert zlib.decompress(data[idat + 4 : idat + 4 + length]) == b"\x00" * (2 * (1 + 3))


@pytest.mark.parametrize(
    ("data", "mime", "size"),
    [
        (png_bytes(1280, 720), "image/png", (1280, 720)),
        (jpeg_bytes(1920, 1080), "image/jpeg", (1920, 1080)),
        (jpeg_bytes(720, 1280, progressive=True), "image/jpeg", (720, 1280)),
        (webp_bytes(1024, 576, kind="VP8"), "image/webp", (1024, 576)),
        (webp_bytes(640, 480, kind="VP8L"), "image/webp", (640, 480)),
        (webp_bytes(1792, 1024, kind="VP8X"), "image/webp", (1792, 1024)),
        (gif_bytes(300, 200), "image/gif", (300, 200)),
    ],
    ids=["png", "jpeg-sof0", "jpeg-sof2", "webp-vp8", "webp-vp8l", "webp-vp8x", "gif"],
)
def test_type_and_size_from_bytes(data: bytes, mime: str, size: tuple[int, int]) -> None:
    reference = Reference.from_bytes(data)
    assert reference.mime == mime
    assert (reference.width, reference.height) == size
    assert reference.size == f"{size[0]}x{size[1]}"
    assert reference.data == data
    assert not reference.is_url


def test_jpeg_skips_app_segments_and_fill_bytes() -> None:
    # Fill bytes (0xFF padding) between segments are legal and must not confuse the reader.
    data = jpeg_bytes(800, 600)
    sof = data.index(b"\xff\xc0")
    padded = data[:sof] + b"\xff\xff" + data[sof:]
    reference = Reference.from_bytes(padded)
    assert (reference.width, reference.height) == (800, 600)


def test_jpeg_without_frame_header_has_unknown_size() -> None:
    data = b"\xff\xd8" + b"\xff\xe0\x00\x04ab" + b"\xff\xda\x00\x02"
    info = sniff_image(data)
    assert info is not None
    assert (info.mime, info.width, info.height) == ("image/jpeg", None, None)
    # Such a file cannot be decoded, so it is never sent (tests/core/test_bad_inputs.py).
    with pytest.raises(ValueError, match=r"no frame header \(SOF\)"):
        Reference.from_bytes(data)


def test_png_saved_as_jpg_is_png(tmp_path: Path) -> None:
    path = tmp_path / "first_frame.jpg"
    path.write_bytes(png_bytes(720, 1280))
    reference = Reference.from_path(path)
    assert reference.mime == "image/png"
    assert reference.filename == "first_frame.png"
    assert reference.size == "720x1280"


def test_from_path_accepts_str_and_keeps_stem(tmp_path: Path) -> None:
    path = tmp_path / "cover.image"
    path.write_bytes(jpeg_bytes(64, 48))
    reference = Reference.from_path(str(path))
    assert (reference.mime, reference.filename) == ("image/jpeg", "cover.jpg")


def test_from_bytes_default_filename() -> None:
    assert Reference.from_bytes(gif_bytes(2, 2)).filename == "reference.gif"
    assert Reference.from_bytes(bytearray(png_bytes(2, 2))).mime == "image/png"


@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.7 not an image", b"\x00\x00\x00\x18ftypmp42", b"RIFF\x00\x00\x00\x00WAVE"],
    ids=["empty", "pdf", "mp4", "wav"],
)
def test_non_image_bytes_are_refused_clearly(data: bytes) -> None:
    with pytest.raises(ValueError, match="first bytes match no image format"):
        Reference.from_bytes(data, filename="clip.png")


def test_non_image_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("just text")
    with pytest.raises(ValueError, match=r"'notes\.png'.*convert it to PNG or JPEG"):
        Reference.from_path(path)


def test_from_bytes_takes_bytes_only() -> None:
    with pytest.raises(TypeError, match="takes bytes, not str"):
        Reference.from_bytes("first.png")  # type: ignore[arg-type]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Reference.from_path(tmp_path / "nope.png")


def test_from_url() -> None:
    reference = Reference.from_url("https://cdn.example.com/a.png", width=1280, height=720)
    assert reference.is_url
    assert reference.data is None
    assert reference.mime is None
    assert reference.size == "1280x720"
    assert Reference.from_url("https://cdn.example.com/a.png").size is None


@pytest.mark.parametrize("url", ["first.png", "file:///tmp/a.png", "ftp://host/a.png", "https://"])
def test_bad_url_points_to_from_path(url: str) -> None:
    with pytest.raises(ValueError, match=r"not an https URL; use Reference\.from_path"):
        Reference.from_url(url)


def test_reference_holds_bytes_or_url_not_both() -> None:
    with pytest.raises(ValueError, match="either image bytes or a URL"):
        Reference()
    with pytest.raises(ValueError, match="either image bytes or a URL"):
        Reference(data=b"x", url="https://example.com/a.png")
    with pytest.raises(ValueError, match="not an https"):
        Reference(url="ftp://example.com/a.png")


def test_data_url() -> None:
    data = png_bytes(2, 2)
    url = Reference.from_bytes(data).data_url()
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    assert base64.b64decode(url[len(prefix) :]) == data
    with pytest.raises(ValueError, match="no bytes"):
        Reference.from_url("https://example.com/a.png").data_url()


def test_reference_is_frozen_and_repr_hides_bytes() -> None:
    reference = Reference.from_bytes(png_bytes(4, 4))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        reference.mime = "image/jpeg"  # type: ignore[misc]
    assert "\\x89PNG" not in repr(reference)
    assert "image/png" in repr(reference)
