"""The JSON shapes of Google's two video APIs, and the small readers that decode them.

Google's answers come in several spellings of the same thing (the Gemini API's
``generateVideoResponse.generatedSamples[].video.uri``, Vertex AI's ``videos[]`` with
``gcsUri`` or ``bytesBase64Encoded``; the Interactions API's ``steps`` since the May 2026
revision and ``outputs`` before it), so these readers are written by hand: each takes
whatever parsed JSON arrived and returns a frozen value, or raises ``ValueError`` with
what is wrong. Fields vidgen does not use are ignored. The neutral values never see these
classes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

__all__ = [
    "Interaction",
    "Operation",
    "RpcStatus",
    "Video",
    "read_interaction",
    "read_operation",
    "read_status",
    "timestamp",
]


@attrs.frozen
class RpcStatus:
    """A ``google.rpc.Status``: an HTTP error's ``error`` object or a failed operation's."""

    code: int | None = None
    message: str | None = None
    status: str | None = None
    reasons: tuple[str, ...] = ()
    retry_delay: float | None = None


@attrs.frozen
class Video:
    """One generated video: a URL (``uri``, ``gcsUri``) or inline base64 bytes."""

    uri: str | None = None
    data: str | None = None
    mime_type: str | None = None


@attrs.frozen
class Operation:
    """A long-running operation (``:predictLongRunning``, ``:fetchPredictOperation``).

    ``done`` is None when the field holds something other than a boolean: the operation's
    state is then unknown. A pending operation usually omits ``done`` (proto3 JSON drops
    false values), which reads as False.
    """

    name: str
    done: bool | None = False
    error: RpcStatus | None = None
    videos: tuple[Video, ...] = ()
    filtered_count: int | None = None
    filtered_reasons: tuple[str, ...] = ()
    progress: float | None = None
    created: dt.datetime | None = None
    updated: dt.datetime | None = None


@attrs.frozen
class Interaction:
    """An Interactions API interaction (Gemini Omni's background job)."""

    id: str
    status: str | None = None
    model: str | None = None
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
    videos: tuple[Video, ...] = ()
    error: RpcStatus | None = None
    video_tokens: int | None = None
    output_tokens: int | None = None
    input_tokens: int | None = None
    total_tokens: int | None = None


# -- helpers ------------------------------------------------------------------------------

_TIMESTAMP = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:?\d{2})?$"
)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def timestamp(value: Any) -> dt.datetime | None:
    """An RFC 3339 timestamp (``2026-11-30T10:00:00.123456789Z``) as an aware datetime.

    Python 3.10's ``fromisoformat`` takes neither ``Z`` nor nanoseconds, so the fraction
    is cut to microseconds here. A missing or unreadable value gives None: a timestamp is
    never worth failing a job over.
    """
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.match(value.strip())
    if match is None:
        return None
    day, clock, fraction, zone = match.groups()
    micros = (fraction or "0")[:6].ljust(6, "0")
    if zone is None or zone in ("Z", "z"):
        zone = "+00:00"
    elif ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    try:
        return dt.datetime.fromisoformat(f"{day}T{clock}.{micros}{zone}")
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _count(value: Any) -> int | None:
    """A non-negative whole count (tokens, filtered videos); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())  # proto3 JSON writes int64 values as strings
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else ()


def _delay(value: Any) -> float | None:
    """A protobuf Duration in JSON (``"30s"``, ``"1.5s"``) as seconds."""
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            seconds = float(match.group(1))
            return seconds if math.isfinite(seconds) else None
    return None


# -- readers ------------------------------------------------------------------------------


def read_status(value: Any) -> RpcStatus | None:
    """A ``google.rpc.Status`` object, or None when ``value`` is not one."""
    if isinstance(value, str) and value:
        return RpcStatus(message=value)
    if not isinstance(value, Mapping) or not value:
        return None
    code = value.get("code")
    reasons: list[str] = []
    retry_delay = None
    for detail in _items(value.get("details")):
        detail = _mapping(detail)
        reason = _text(detail.get("reason"))
        if reason:
            reasons.append(reason)
        delay = _delay(detail.get("retryDelay"))
        if delay is not None:
            retry_delay = delay
    return RpcStatus(
        code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        message=_text(value.get("message")),
        status=_text(value.get("status")),
        reasons=tuple(reasons),
        retry_delay=retry_delay,
    )


def _video(value: Any) -> Video | None:
    """A video in any of the shapes Google's APIs and SDKs use."""
    item = _mapping(value)
    inner = item.get("video")
    if isinstance(inner, Mapping):  # Gemini API: generatedSamples[].video{uri}
        item = inner
    uri = _text(item.get("uri")) or _text(item.get("gcsUri")) or _text(item.get("url"))
    data = (
        _text(item.get("bytesBase64Encoded"))
        or _text(item.get("encodedVideo"))
        or _text(item.get("videoBytes"))
        or _text(item.get("data"))
    )
    if uri is None and data is None:
        return None
    mime = (
        _text(item.get("mimeType")) or _text(item.get("mime_type")) or _text(item.get("encoding"))
    )
    return Video(uri=uri, data=None if uri else data, mime_type=mime)


def read_operation(body: Any) -> Operation:
    """A long-running operation from either API.

    Raises:
        ValueError: ``body`` is not an operation (no ``name``).
    """
    if not isinstance(body, Mapping):
        raise ValueError("an operation is a JSON object")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("the operation has no name")
    raw_done = body.get("done", False)
    done: bool | None = raw_done if isinstance(raw_done, bool) else None
    if raw_done is None:
        done = False
    response = _mapping(body.get("response"))
    # Gemini API wraps its answer in generateVideoResponse; Vertex AI does not.
    answer = _mapping(response.get("generateVideoResponse")) or response
    samples = (
        _items(answer.get("generatedSamples"))
        or _items(answer.get("videos"))
        or _items(answer.get("generatedVideos"))
    )
    videos = tuple(v for v in (_video(item) for item in samples) if v is not None)
    reasons = tuple(
        str(r) for r in _items(answer.get("raiMediaFilteredReasons")) if isinstance(r, (str, int))
    )
    metadata = _mapping(body.get("metadata"))
    return Operation(
        name=name.strip(),
        done=done,
        error=read_status(body.get("error")),
        videos=videos,
        filtered_count=_count(answer.get("raiMediaFilteredCount")),
        filtered_reasons=reasons,
        progress=_number(metadata.get("progressPercent")),
        created=timestamp(metadata.get("createTime")),
        updated=timestamp(metadata.get("updateTime")),
    )


def _interaction_videos(body: Mapping[str, Any]) -> tuple[Video, ...]:
    """The generated videos: ``output_video`` (SDK sugar, when present), the model's
    output steps (revision 2026-05-20 and later), else ``outputs`` (earlier)."""
    direct = _video(body.get("output_video"))
    if direct is not None:
        return (direct,)
    found: list[Video] = []
    for step in _items(body.get("steps")):
        step = _mapping(step)
        if step.get("type") != "model_output":
            continue
        for block in _items(step.get("content")):
            block = _mapping(block)
            if block.get("type") == "video":
                video = _video(block)
                if video is not None:
                    found.append(video)
    if found:
        return tuple(found)
    for block in _items(body.get("outputs")):
        block = _mapping(block)
        if block.get("type") == "video":
            video = _video(block)
            if video is not None:
                found.append(video)
    return tuple(found)


def read_interaction(body: Any) -> Interaction:
    """An interaction.

    Raises:
        ValueError: ``body`` is not an interaction (no ``id``).
    """
    if not isinstance(body, Mapping):
        raise ValueError("an interaction is a JSON object")
    ident = body.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise ValueError("the interaction has no id")
    usage = _mapping(body.get("usage"))
    video_tokens = None
    for entry in _items(usage.get("output_tokens_by_modality")):
        entry = _mapping(entry)
        if entry.get("modality") == "video":
            video_tokens = _count(entry.get("tokens"))
    status = body.get("status")
    return Interaction(
        id=ident.strip(),
        status=status.strip().lower() if isinstance(status, str) else None,
        model=_text(body.get("model")),
        created=timestamp(body.get("created")),
        updated=timestamp(body.get("updated")),
        videos=_interaction_videos(body),
        error=read_status(body.get("error")),
        video_tokens=video_tokens,
        output_tokens=_count(usage.get("total_output_tokens")),
        input_tokens=_count(usage.get("total_input_tokens")),
        total_tokens=_count(usage.get("total_tokens")),
    )
