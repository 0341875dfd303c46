"""Aspect ratios, resolution tiers and ``WIDTHxHEIGHT`` sizes, and how they relate."""

from __future__ import annotations

import math
import re

__all__ = [
    "aspect_distance",
    "aspect_of",
    "normalize_aspect",
    "normalize_resolution",
    "parse_size",
    "resolution_of",
]

# Names people use for aspect ratios; the ratio itself is what counts.
_ASPECT_NAMES = {"landscape": "16:9", "portrait": "9:16", "square": "1:1"}
# Ratios video APIs advertise. A size within 3% of one of these is filed under it, so
# 1792x1024 (1.75) counts as 16:9 and 854x480 (1.779) too.
_COMMON_ASPECTS = ("16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9", "9:21")
_SIZE_RE = re.compile(r"^\s*(\d{2,5})\s*[xX×*]\s*(\d{2,5})\s*$")
_ASPECT_RE = re.compile(r"^\s*(\d{1,3})\s*[:/xX]\s*(\d{1,3})\s*$")
_RESOLUTION_RE = re.compile(r"^\s*(\d{3,4})\s*[pP]?\s*$")


def parse_size(size: str) -> tuple[int, int]:
    """``"1280x720"`` to ``(1280, 720)``.

    Raises:
        ValueError: the text is not ``WIDTHxHEIGHT``.
    """
    match = _SIZE_RE.match(size)
    if not match:
        raise ValueError(f"size {size!r} is not WIDTHxHEIGHT, e.g. '1280x720'")
    return int(match.group(1)), int(match.group(2))


def _ratio(aspect: str) -> float:
    width, height = aspect.split(":")
    return int(width) / int(height)


def normalize_aspect(aspect: str) -> str:
    """``"16:9"``, ``"16/9"``, ``"32:18"`` or ``"landscape"`` to the reduced form ``"16:9"``.

    Raises:
        ValueError: the text is not an aspect ratio.
    """
    text = aspect.strip().lower()
    if text in _ASPECT_NAMES:
        return _ASPECT_NAMES[text]
    match = _ASPECT_RE.match(text)
    if not match or int(match.group(1)) == 0 or int(match.group(2)) == 0:
        raise ValueError(
            f"aspect {aspect!r} is not a ratio like '16:9' or '9:16' "
            "(or 'landscape', 'portrait', 'square')"
        )
    width, height = int(match.group(1)), int(match.group(2))
    divisor = math.gcd(width, height)
    reduced = f"{width // divisor}:{height // divisor}"
    # 21:9 is 7:3 reduced; the name everyone uses wins.
    return _COMMON_BY_REDUCED.get(reduced, reduced)


def _reduce(aspect: str) -> str:
    width, height = (int(part) for part in aspect.split(":"))
    divisor = math.gcd(width, height)
    return f"{width // divisor}:{height // divisor}"


_COMMON_BY_REDUCED = {_reduce(name): name for name in _COMMON_ASPECTS}


def normalize_resolution(resolution: str) -> str:
    """``"720p"``, ``"720P"`` or ``"720"`` to ``"720p"`` (the short side in pixels).

    Raises:
        ValueError: the text is not a resolution tier.
    """
    match = _RESOLUTION_RE.match(str(resolution))
    if not match:
        raise ValueError(
            f"resolution {resolution!r} is not a tier like '720p' or '1080p' "
            "(the short side of the video in pixels)"
        )
    return f"{int(match.group(1))}p"


def aspect_of(width: int, height: int) -> str:
    """The aspect ratio a size is filed under: a common ratio within 3%, else the exact one."""
    ratio = width / height
    best = min(_COMMON_ASPECTS, key=lambda a: abs(math.log(_ratio(a) / ratio)))
    if abs(math.log(_ratio(best) / ratio)) <= math.log(1.03):
        return best
    divisor = math.gcd(width, height)
    return f"{width // divisor}:{height // divisor}"


def resolution_of(width: int, height: int) -> str:
    """The resolution tier of a size: its short side, ``"720p"`` for 1280x720."""
    return f"{min(width, height)}p"


def aspect_distance(a: str, b: str) -> float:
    """How far apart two aspect ratios are (0 for equal), on a log scale."""
    return abs(math.log(_ratio(a) / _ratio(b)))


def resolution_pixels(resolution: str) -> int:
    """The short side in pixels of a tier such as ``"720p"``."""
    return int(resolution.rstrip("p"))
