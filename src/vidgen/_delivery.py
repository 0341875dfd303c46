"""Delivered-file checks: is the downloaded file the video that was asked for (and paid)?

After a download, vidgen probes the file (with the ``video`` extra) and compares its
duration, size, frame rate and sound with what was fitted. A 4 s request delivered as
10 s, 1080p delivered as 720p, or a file that is not a video at all is recorded on the
job in the ledger and shown by ``vidgen jobs``: a warning by default, an error with
``delivery="strict"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import attrs

from ._exceptions import ConfigError, ProtocolError

__all__ = ["DeliveryPolicy", "DeliveryReport", "Expected", "check_delivery"]

#: What a mismatch does: a warning (recorded), an error, or no check at all.
DeliveryPolicy = Literal["warn", "strict", "off"]

#: Durations within this much (or 5 %) of the request count as the same.
_SECONDS_TOLERANCE = 0.5


@attrs.frozen(kw_only=True)
class Expected:
    """What a delivered video should be; None where it is not known."""

    seconds: float | None = None
    size: str | None = None
    fps: float | None = None
    audio: bool | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Expected:
        """From a fitted request as the ledger keeps it (``seconds``, ``size``, ...)."""

        def number(value: Any) -> float | None:
            return (
                float(value)
                if isinstance(value, (int, float)) and not isinstance(value, bool)
                else None
            )

        size = data.get("size")
        audio = data.get("audio")
        return cls(
            seconds=number(data.get("seconds")),
            size=size if isinstance(size, str) else None,
            fps=number(data.get("fps")),
            audio=audio if isinstance(audio, bool) else None,
        )


@attrs.frozen(kw_only=True)
class DeliveryReport:
    """What a downloaded file turned out to be, and how it differs from the request.

    Attributes:
        checked: False when the file could not be probed (no ``video`` extra).
        delivered: duration, width, height, fps, has_audio, codec (as probed).
        issues: one readable line per difference; empty when it matches.
        note: why it was not checked, if it was not.
    """

    checked: bool
    delivered: Mapping[str, Any] = attrs.field(factory=dict)
    issues: tuple[str, ...] = ()
    note: str | None = None


def check_delivery(path: Path, expected: Expected) -> DeliveryReport:
    """Probe ``path`` and compare it with ``expected``. Never raises for a bad file."""
    from .media import probe_video

    try:
        info = probe_video(path)
    except ConfigError as exc:
        return DeliveryReport(checked=False, note=str(exc))
    except ProtocolError as exc:
        return DeliveryReport(checked=True, issues=(f"not a video file vidgen can read: {exc}",))
    delivered = {
        "duration": round(info.duration, 3),
        "width": info.width,
        "height": info.height,
        "fps": round(info.fps, 3),
        "has_audio": info.has_audio,
        "codec": info.codec,
    }
    issues = []
    if expected.seconds is not None:
        slack = max(_SECONDS_TOLERANCE, 0.05 * expected.seconds)
        if math.isfinite(info.duration) and abs(info.duration - expected.seconds) > slack:
            issues.append(f"delivered {info.duration:.1f} s, asked {expected.seconds:g} s")
    if expected.size is not None and f"{info.width}x{info.height}" != expected.size:
        issues.append(f"delivered {info.width}x{info.height}, asked {expected.size}")
    if expected.fps is not None and info.fps and abs(info.fps - expected.fps) > 0.5:
        issues.append(f"delivered {info.fps:.2f} fps, asked {expected.fps:g} fps")
    if expected.audio is True and not info.has_audio:
        issues.append("delivered without sound, asked with sound")
    elif expected.audio is False and info.has_audio:
        issues.append("delivered with sound, asked silent")
    return DeliveryReport(checked=True, delivered=delivered, issues=tuple(issues))
