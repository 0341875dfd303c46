"""The documented aivideoapi payloads, as Python values.

Everything here copies shared/vendor-docs/aivideoapi-sora2-reference.txt (the vendor's
reference page, summarised in shared/WIRE.md section 3). Where a value is not verbatim,
its comment says what was changed and why. None of these is a recording of the live service.
"""

from __future__ import annotations

import copy
from typing import Any

import vidgen

API = "https://api.aivideoapi.ai/v1"
CREATE_URL = f"{API}/videos/generations"

# -- Create (the envelope) -------------------------------------------------------------------

#: "Response" of Create Task, verbatim.
CREATED: dict[str, Any] = {
    "code": 200,
    "msg": "success",
    "data": {"taskId": "cbf6b69d-4f03-4817-8ed7-94c0292184a8"},
}
CREATED_ID = "cbf6b69d-4f03-4817-8ed7-94c0292184a8"

#: "Example: Text-to-Video", the request body, verbatim.
TEXT_TO_VIDEO_BODY: dict[str, Any] = {
    "model": "sora-2",
    "input": {
        "prompt": "A drone shot flying over mountains at sunset, cinematic lighting",
        "duration": 8,
        "aspect_ratio": "16:9",
    },
}

#: "Example: Image-to-Video", the request body, verbatim.
IMAGE_TO_VIDEO_BODY: dict[str, Any] = {
    "model": "sora-2",
    "callback_url": "https://your-server.com/webhook",
    "input": {
        "prompt": "Camera slowly pushes in, the person turns and smiles",
        "duration": 4,
        "aspect_ratio": "9:16",
        "image_urls": ["https://example.com/photo.jpg"],
    },
}

# -- Query (the bare task object; also the callback body) ------------------------------------

#: "Processing", verbatim: ``progress`` is null.
PROCESSING: dict[str, Any] = {
    "id": "e717a5ee-2ed4-47f4-8cc3-53394f1abb35",
    "status": "processing",
    "model": "sora-2",
    "created_at": 1774706165,
    "progress": None,
}

#: The documented output URL, verbatim (the page elides its query as ``?...``).
OUTPUT_URL = "https://your-r2-bucket.example.com/videos/2026/04/02/7d89c51e.mp4?..."
STORAGE_HOST = "your-r2-bucket.example.com"

#: "Completed" (and "On Task Completed"), verbatim.
COMPLETED: dict[str, Any] = {
    "id": "7d89c51e-9430-410e-909e-df347131ebaa",
    "status": "completed",
    "model": "sora-2",
    "created_at": 1774790227,
    "completed_at": 1774796529,
    "output": {
        "urls": [OUTPUT_URL],
        "metadata": {
            "duration": 8,
            "prompt": "A drone shot flying over mountains at sunset, cinematic lighting",
        },
    },
}
COMPLETED_ID = "7d89c51e-9430-410e-909e-df347131ebaa"

#: "Failed" (and "On Task Failed"), verbatim.
FAILED: dict[str, Any] = {
    "id": "57c8772c-f834-46f3-9b7d-81f92e104050",
    "status": "failed",
    "model": "sora-2",
    "created_at": 1774793758,
    "error": {"code": "upstream_error", "message": "Video generation failed"},
}


def task(example: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of a documented task object with some fields changed."""
    body = copy.deepcopy(example)
    body.update(changes)
    return body


# -- Errors ----------------------------------------------------------------------------------


def error_body(code: str, message: str, type: str) -> dict[str, Any]:
    """The documented error shape: ``{"error": {code, message, type}}``."""
    return {"error": {"code": code, "message": message, "type": type}}


#: The "Error Reference" table: HTTP status, code, type, the neutral class, whether retrying
#: can help, and a message. The two rows with a documented example body (insufficient_credits
#: and invalid_request) use its message verbatim; the others use the table's Description text.
ERROR_ROWS: list[tuple[int, str, str, type[vidgen.ProviderError], bool, str]] = [
    (400, "invalid_request", "invalid_request_error", vidgen.InvalidRequest, False,
     "'model' is required."),
    (401, "invalid_api_key", "authentication_error", vidgen.AuthenticationError, False,
     "API key is invalid, disabled, or deleted"),
    (402, "insufficient_credits", "billing_error", vidgen.InsufficientCredits, False,
     "Your credit balance is too low. Please top up."),
    (403, "ip_not_allowed", "permission_error", vidgen.PermissionDenied, False,
     "Request IP not in the key's allowlist"),
    (404, "model_not_found", "invalid_request_error", vidgen.NotFound, False,
     "Model does not exist or is inactive"),
    (404, "task_not_found", "invalid_request_error", vidgen.NotFound, False,
     "Task ID does not exist"),
    (429, "rate_limit_exceeded", "rate_limit_error", vidgen.RateLimited, True,
     "Too many requests, please slow down"),
    (429, "spend_limit_exceeded", "billing_error", vidgen.InsufficientCredits, False,
     "Key spend limit reached (hourly/daily/total)"),
    (500, "internal_error", "api_error", vidgen.ServerError, True,
     "Unexpected server error"),
    (503, "upstream_error", "upstream_error", vidgen.UpstreamError, True,
     "Upstream AI provider returned an error"),
]  # fmt: skip


def created(task_id: str) -> dict[str, Any]:
    """The create envelope for another task id (the page's examples use unrelated ids)."""
    return {**CREATED, "data": {"taskId": task_id}}
