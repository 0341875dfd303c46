"""The JSON shapes of the OpenAI Videos API, and the one converter that reads them.

Only fields vidgen uses are declared; unknown fields (``quality``, ``prompt``, whatever a
relay adds) are ignored. The neutral values never see these classes.
"""

from __future__ import annotations

from typing import Any

import attrs
import cattrs

from .errors import ErrorFields


@attrs.frozen
class VideoError:
    code: str | None = None
    message: str | None = None


@attrs.frozen
class Video:
    id: str
    status: str | None = None
    model: str | None = None
    progress: float | None = None
    created_at: float | None = None
    completed_at: float | None = None
    expires_at: float | None = None
    size: str | None = None
    seconds: str | None = None
    error: VideoError | None = None


@attrs.frozen
class VideoList:
    data: list[dict[str, Any]] = attrs.field(factory=list)
    has_more: bool = False
    last_id: str | None = None


# The error object is public (subclasses receive it), so it lives in the protocol module.
ErrorBody = ErrorFields


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter()

    def loose_str(value: Any, _: type) -> str:
        if isinstance(value, (dict, list)):
            raise ValueError(f"expected a string, got {type(value).__name__}")
        return str(value)

    def loose_error(value: Any, _: type) -> VideoError | None:
        # Some relays put a bare string where OpenAI has {code, message}.
        if value is None:
            return None
        if isinstance(value, str):
            return VideoError(message=value)
        return converter.structure(value, VideoError)

    converter.register_structure_hook(str, loose_str)
    converter.register_structure_hook_func(lambda t: t == (VideoError | None), loose_error)
    return converter


converter = _make_converter()
