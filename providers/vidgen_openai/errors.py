"""The error object of the OpenAI Videos API, as relays built on the protocol receive it."""

from __future__ import annotations

import attrs

__all__ = ["ErrorFields"]


@attrs.frozen
class ErrorFields:
    """The ``{message, type, param, code}`` object of an error body, as subclasses receive
    it in `VideosAPIProvider.classify_error` and `VideosAPIProvider.error_hint`."""

    message: str | None = None
    type: str | None = None
    param: str | None = None
    code: str | None = None
