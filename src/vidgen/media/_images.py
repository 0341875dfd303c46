"""Reference images fitted to a request: upright, in a format the model takes, at its size.

A model that starts from a first frame often wants the frame at exactly the video's size
(the OpenAI protocol refuses anything else, after the upload), in one of a few formats and
under a byte limit. `fit_image` turns any image into such a frame, by one of two policies:
``crop`` fills the frame and cuts what overflows, ``pad`` letterboxes it. Every change is
described, so the caller can report it. Needs Pillow (the ``video`` extra).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Literal

import attrs

from ._deps import require_pillow

__all__ = ["FittedImage", "ImageFitPolicy", "fit_image", "image_bytes"]

ImageFitPolicy = Literal["crop", "pad"]
"""How an image of another shape becomes the frame: fill and crop, or letterbox."""

_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}
_PREFERRED = ("image/png", "image/jpeg", "image/webp")


@attrs.frozen(kw_only=True)
class FittedImage:
    """An image ready to send, and what was done to it.

    Attributes:
        data: the encoded bytes.
        mime: their type.
        width, height: their size in pixels.
        changes: one readable line per change (empty when the image was fine as it was).
    """

    data: bytes = attrs.field(repr=False)
    mime: str
    width: int
    height: int
    changes: tuple[str, ...] = ()


def _decode(data: bytes) -> Any:
    image_module = require_pillow()
    try:
        image = image_module.open(io.BytesIO(data))
        image.load()  # a truncated or corrupt file fails here, not later
    except Exception as exc:  # Pillow raises many kinds for broken images
        raise ValueError(f"the image cannot be decoded ({exc}); is the file complete?") from exc
    return image


def _encode(image: Any, mime: str, quality: int = 92) -> bytes:
    out = io.BytesIO()
    if mime == "image/jpeg":
        if image.mode not in ("RGB", "L"):
            image = _flatten(image)
        image.save(out, "JPEG", quality=quality, optimize=True)
    elif mime == "image/webp":
        image.save(out, "WEBP", quality=quality)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _flatten(image: Any) -> Any:
    """RGB on black: JPEG has no transparency."""
    from PIL import Image

    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (0, 0, 0))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def image_bytes(image: Any, mime: str = "image/png") -> bytes:
    """A Pillow image encoded as ``mime`` (a last frame made into a next first frame)."""
    return _encode(image, mime)


def fit_image(
    data: bytes,
    *,
    mime: str | None,
    size: tuple[int, int] | None,
    policy: ImageFitPolicy,
    formats: Sequence[str],
    max_bytes: int | None = None,
) -> FittedImage:
    """Make an image a frame the model takes: upright, ``size``, one of ``formats``, small.

    Args:
        data: the image file's bytes.
        mime: its type, as sniffed (None if unknown).
        size: the exact ``(width, height)`` wanted, or None to keep its size.
        policy: ``crop`` to fill the size, ``pad`` to letterbox into it.
        formats: the MIME types the model takes.
        max_bytes: the model's limit on the file, if any.

    Returns:
        The image to send; the original bytes when nothing had to change.

    Raises:
        ValueError: the bytes do not decode, or the image cannot get under ``max_bytes``.
        ConfigError: Pillow is not installed (the message names the extra).
    """
    from PIL import ImageOps

    image = _decode(data)
    changes: list[str] = []
    orientation = image.getexif().get(0x0112, 1)
    if orientation not in (None, 1):
        image = ImageOps.exif_transpose(image)
        changes.append(f"turned upright (EXIF orientation {orientation})")
    if size is not None and image.size != size:
        before = f"{image.size[0]}x{image.size[1]}"
        if policy == "pad":
            image = ImageOps.pad(image.convert("RGB"), size, color=(0, 0, 0))
            changes.append(f"letterboxed {before} into {size[0]}x{size[1]}")
        else:
            image = ImageOps.fit(image, size)
            changes.append(f"cropped {before} to fill {size[0]}x{size[1]}")
    target = mime if mime in formats else next((m for m in _PREFERRED if m in formats), None)
    if target is None:
        raise ValueError(f"the model takes only {', '.join(formats)}, which vidgen cannot write")
    if target != mime:
        changes.append(f"converted {mime or 'the image'} to {target}")
    if not changes and (max_bytes is None or len(data) <= max_bytes):
        return FittedImage(
            data=data, mime=target, width=image.size[0], height=image.size[1], changes=()
        )
    encoded = _encode(image, target)
    if max_bytes is not None and len(encoded) > max_bytes:
        if "image/jpeg" not in formats:
            raise ValueError(
                f"the image is {len(encoded)} bytes as {target}; the model takes at most "
                f"{max_bytes} and no JPEG to compress it into"
            )
        for quality in (90, 80, 70, 60, 50):
            encoded = _encode(image, "image/jpeg", quality)
            if len(encoded) <= max_bytes:
                break
        else:
            raise ValueError(
                f"the image stays over {max_bytes} bytes even as a JPEG of quality 50; "
                "send a smaller image"
            )
        if target != "image/jpeg":
            changes.append(f"converted to image/jpeg to stay under {max_bytes} bytes")
        else:
            changes.append(f"recompressed to stay under {max_bytes} bytes")
        target = "image/jpeg"
    return FittedImage(
        data=encoded,
        mime=target,
        width=image.size[0],
        height=image.size[1],
        changes=tuple(changes),
    )
