"""OpenRouter's documented video payloads, as Python values.

Where each comes from (research/hosts.md section 4, WIRE-LIVE.md section 10):

* VERBATIM from OpenRouter's OpenAPI document (OpenRouterTeam/typescript-sdk, and the
  "Poll video generation status" reference page): the create request and its 202 answer,
  the completed status example, and the error bodies.
* ASSEMBLED from the schema (``VideoGenerationResponse``: id, polling_url, status,
  generation_id, error, unsigned_urls, usage{cost, is_byok}): the pending, in-progress,
  failed, cancelled and expired states, and a completed state whose ``unsigned_urls`` entry
  is OpenRouter's content endpoint (``.../videos/{id}/content?index=0``: the form a live
  check reported in CopilotKit/aimock issue 261; the OpenAPI example shows a placeholder
  host instead).
* ASSEMBLED from OpenRouter's webhook guide (OpenRouterTeam/skills openrouter-video and the
  cookbook page "Get Video Results with Webhooks"): the webhook event, its
  ``X-OpenRouter-Signature`` (``t=<unix>,v1=<hex HMAC-SHA256 of "<t>,<body>">``) and
  ``X-OpenRouter-Idempotency-Key`` (``<job id>-<status>``) headers. The secret is made up.

None of this is a recording of the live service.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import vidgen

#: A dummy key, long enough that a leak would be noticed.
KEY = "sk-or-v1-test-0123456789abcdef"
#: 2026-08-21 08:00 UTC, the day the model listing was read.
START = 1787299200.0

API = "https://openrouter.ai/api/v1"
HOST = "openrouter.ai"
JOB_ID = "job-abc123"
STATUS_URL = f"{API}/videos/{JOB_ID}"
CONTENT_URL = f"{API}/videos/{JOB_ID}/content?index=0"

#: The OpenAPI example of ``POST /videos``, verbatim.
CREATE_BODY: dict[str, Any] = {
    "aspect_ratio": "16:9",
    "duration": 8,
    "model": "google/veo-3.1",
    "prompt": "A serene mountain landscape at sunset",
    "resolution": "720p",
}

#: The same request as a vidgen request (veo-3.1 is on by default: sound is sent too).
MOUNTAINS = vidgen.VideoRequest(
    prompt="A serene mountain landscape at sunset",
    model="google/veo-3.1",
    duration=8,
    aspect="16:9",
    resolution="720p",
)
#: What vidgen sends for it: the example plus the model's default sound, stated.
SENT_BODY: dict[str, Any] = {**CREATE_BODY, "generate_audio": True}

#: An image-to-video request (async lifecycle cassette) and the body vidgen sends for it.
SUNSET = vidgen.VideoRequest(
    prompt="The camera pushes in as the sun touches the sea",
    model="seedance-2.0",
    duration=5,
    aspect="16:9",
    resolution="720p",
    reference=vidgen.Reference.from_url("https://images.example.com/harbour.jpg"),
    seed=7,
    audio=False,
)
ASYNC_BODY: dict[str, Any] = {
    "model": "bytedance/seedance-2.0",
    "prompt": "The camera pushes in as the sun touches the sea",
    "duration": 5,
    "resolution": "720p",
    "aspect_ratio": "16:9",
    "generate_audio": False,
    "seed": 7,
    "frame_images": [
        {
            "type": "image_url",
            "image_url": {"url": "https://images.example.com/harbour.jpg"},
            "frame_type": "first_frame",
        }
    ],
}
HOOK = "https://hooks.example.com/openrouter"
#: The documented create with a callback (vidgen adds its token to the URL's query).
CALLBACK_BODY: dict[str, Any] = {**SENT_BODY, "callback_url": HOOK}

#: The stub the cassettes serve for a video.
VIDEO_STUB = b"stub video bytes for job-abc123, not MP4"

#: The 202 answer to the create, verbatim.
CREATED: dict[str, Any] = {
    "generation_id": "gen-xyz789",
    "id": JOB_ID,
    "polling_url": "/api/v1/videos/job-abc123",
    "status": "pending",
}

PENDING: dict[str, Any] = {
    "id": JOB_ID,
    "polling_url": "/api/v1/videos/job-abc123",
    "status": "pending",
}
IN_PROGRESS: dict[str, Any] = {**PENDING, "status": "in_progress", "generation_id": "gen-xyz789"}

#: The OpenAPI example of a completed job, verbatim: the URL is on a placeholder host.
COMPLETED_EXAMPLE: dict[str, Any] = {
    "id": JOB_ID,
    "polling_url": "/api/v1/videos/job-abc123",
    "status": "completed",
    "generation_id": "gen-xyz789",
    "unsigned_urls": ["https://storage.example.com/video.mp4"],
    "usage": {"cost": 0.5},
}

#: A completed job as OpenRouter serves it (assembled): the URL is its content endpoint.
COMPLETED: dict[str, Any] = {
    "id": JOB_ID,
    "polling_url": "/api/v1/videos/job-abc123",
    "status": "completed",
    "generation_id": "gen-xyz789",
    "unsigned_urls": [CONTENT_URL],
    "usage": {"cost": 3.2, "is_byok": False},
}

FAILED: dict[str, Any] = {
    "id": JOB_ID,
    "polling_url": "/api/v1/videos/job-abc123",
    "status": "failed",
    "error": "The upstream provider could not generate this video",
}
MODERATED: dict[str, Any] = {
    **FAILED,
    "error": "Request blocked: the prompt was flagged by content moderation",
}
CANCELLED: dict[str, Any] = {**PENDING, "status": "cancelled"}
EXPIRED: dict[str, Any] = {**PENDING, "status": "expired"}


def error_body(code: int, message: str) -> dict[str, Any]:
    """``{"error": {"code", "message"}}``, the documented error shape."""
    return {"error": {"code": code, "message": message}}


#: The OpenAPI error examples, verbatim: (HTTP status, message, vidgen error class).
ERROR_ROWS: list[tuple[int, str, type[vidgen.ProviderError]]] = [
    (400, "Invalid request parameters", vidgen.InvalidRequest),
    (401, "Missing Authentication header", vidgen.AuthenticationError),
    (
        402,
        "Insufficient credits. Add more using https://openrouter.ai/credits",
        vidgen.InsufficientCredits,
    ),
    (404, "Resource not found", vidgen.NotFound),
    (429, "Rate limit exceeded", vidgen.RateLimited),
    (500, "Internal Server Error", vidgen.ServerError),
]

# -- webhooks -----------------------------------------------------------------------------

#: A made-up workspace signing secret (no real one was used anywhere).
WEBHOOK_SECRET = "dummy-openrouter-signing-secret"
#: When the example delivery was signed.
SIGNED_AT = 1787400000

#: A ``video.generation.completed`` delivery, assembled from the webhook guide.
WEBHOOK_EVENT: dict[str, Any] = {
    "type": "video.generation.completed",
    "created_at": SIGNED_AT,
    "data": {
        "id": JOB_ID,
        "status": "completed",
        "generation_id": "gen-xyz789",
        "model": "google/veo-3.1",
        "unsigned_urls": [CONTENT_URL],
        "usage": {"cost": 3.2, "is_byok": False},
    },
}
WEBHOOK_BODY = json.dumps(WEBHOOK_EVENT).encode()


def signature(body: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int = SIGNED_AT) -> str:
    """The ``X-OpenRouter-Signature`` value OpenRouter sends for ``body``."""
    digest = hmac.new(secret.encode(), f"{timestamp},".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def webhook_headers(body: bytes = WEBHOOK_BODY, **kwargs: Any) -> dict[str, str]:
    """The headers of a signed delivery of ``body``."""
    return {
        "Content-Type": "application/json",
        "X-OpenRouter-Signature": signature(body, **kwargs),
        "X-OpenRouter-Idempotency-Key": f"{JOB_ID}-completed",
    }
