"""The documented OpenAI Videos API payloads of shared/WIRE.md section 1, as Python values.

Each constant names the example it copies. Where WIRE.md quotes only a message, or only a
schema, the rest of the object is filled in from the ``ErrorResponse`` / ``VideoResource``
schema and the constant's comment says so. None of these is a recording of the live service.
"""

from __future__ import annotations

from typing import Any

# -- Video objects (WIRE.md 1.4) ------------------------------------------------------------

#: "Queued (create response, spec example)", with the undocumented ``quality`` extra.
QUEUED: dict[str, Any] = {
    "id": "video_123",
    "object": "video",
    "model": "sora-2",
    "status": "queued",
    "progress": 0,
    "created_at": 1712697600,
    "size": "1024x1792",
    "seconds": "8",
    "quality": "standard",
}

#: "In progress (guide example)".
IN_PROGRESS: dict[str, Any] = {
    "id": "video_68d7512d07848190b3e45da0ecbebcde004da08e1e0678d5",
    "object": "video",
    "created_at": 1758941485,
    "status": "in_progress",
    "model": "sora-2-pro",
    "progress": 33,
    "seconds": "8",
    "size": "1280x720",
}

#: "Completed" (the Azure docs' print of an OpenAI-schema object).
COMPLETED: dict[str, Any] = {
    "id": "video_68f10c5428708190a98980c2d2b21a78",
    "object": "video",
    "model": "sora-2",
    "status": "completed",
    "progress": 100,
    "created_at": 1760627796,
    "completed_at": 1760627863,
    "expires_at": 1760714196,
    "size": "720x1280",
    "seconds": "4",
    "remixed_from_video_id": None,
    "error": None,
}


def failed(code: str, message: str) -> dict[str, Any]:
    """The "Failed" example; WIRE.md's code and message are placeholders (UNVERIFIED)."""
    return {
        "id": "video_abc",
        "object": "video",
        "model": "sora-2",
        "status": "failed",
        "progress": 0,
        "created_at": 1760000000,
        "completed_at": None,
        "expires_at": None,
        "size": "720x1280",
        "seconds": "4",
        "remixed_from_video_id": None,
        "error": {"code": code, "message": message},
    }


#: "Remix response (spec example)".
REMIX: dict[str, Any] = {
    "id": "video_456",
    "object": "video",
    "model": "sora-2",
    "status": "queued",
    "progress": 0,
    "created_at": 1712698600,
    "size": "720x1280",
    "seconds": "8",
    "remixed_from_video_id": "video_123",
}

#: "List (spec example, abbreviated)": exactly as abbreviated in WIRE.md.
LIST_ABBREVIATED: dict[str, Any] = {
    "data": [{"id": "video_123", "object": "video", "model": "sora-2", "status": "completed"}],
    "object": "list",
}

#: Delete response (WIRE.md 1.2): ``{id, object: "video.deleted", deleted: true}``.
DELETED: dict[str, Any] = {"id": "video_123", "object": "video.deleted", "deleted": True}


# -- Error bodies (WIRE.md 1.3 and 1.8) --------------------------------------------------------


def error_body(message: str, *, type: str, param: str | None, code: str | None) -> dict[str, Any]:
    """An ``ErrorResponse``: ``{"error": {message, type, param, code}}``."""
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


#: 1.8, verbatim: the invalid ``seconds`` value.
INVALID_SECONDS_VALUE = error_body(
    "Invalid value: '10'. Supported values are: '4', '8', and '12'.",
    type="invalid_request_error",
    param="seconds",
    code="invalid_value",
)

#: 1.8 quotes only the message (OpenMAIC PR #98); type, param and code follow the schema
#: and the input_reference error of the same family.
INVALID_SECONDS_TYPE = error_body(
    "Invalid type for 'seconds': expected one of '4', '8', or '12', but got an integer instead.",
    type="invalid_request_error",
    param="seconds",
    code="invalid_type",
)

#: 1.3 and 1.8, verbatim (huobao-drama #49, before 2026-03).
INVALID_REFERENCE_TYPE = error_body(
    "Invalid type for 'input_reference': expected a file, but got a string instead.",
    type="invalid_request_error",
    param="input_reference",
    code="invalid_type",
)

#: 1.8, verbatim (mslearn-ai-vision PR #78): code and param are null.
INPAINT_SIZE_MISMATCH = error_body(
    "Inpaint image must match the requested width and height",
    type="invalid_request_error",
    param=None,
    code=None,
)


# -- a relay on the protocol (the tests' own profile, not WIRE.md) ---------------------------

RELAY_URL = "https://relay.example.com/v1"

#: The relay's one model, as a profile declares it.
RELAY_MODEL: dict[str, Any] = {
    "id": "veo-3.1-fast",
    "durations": [4, 6, 8],
    "sizes": ["1280x720", "720x1280"],
    "reference": ["url"],
    "price_per_second": "0.15",
    "price_source": "https://relay.example.com/pricing",
    "price_as_of": "2026-11-01",
}
