"""Runway's documented task API payloads, as Python values.

Where each comes from (research/makers.md section 3, WIRE-LIVE.md section 4):

* VERBATIM from Runway's API reference (docs.dev.runwayml.com/api, a copy found in the
  search index) and its "outputs" page: the create answer ``{"id": ...}``, the example of a
  pending task, the example of a succeeded task (its URL elides the signature as
  ``_jwt=...``), and the SDK examples of a text-to-video create (``veo3.1``, the bunny) and
  an image-to-video create (``gen4_turbo``, ``https://example.com/bunny.jpg``).
* ASSEMBLED from runwayml/sdk-python ``types/task_retrieve_response.py`` (id, createdAt,
  status, progress 0-1, output, failure, failureCode): the throttled, running, failed and
  cancelled tasks, with the failure codes of docs.dev.runwayml.com/errors/task-failures
  (``SAFETY.INPUT.TEXT``, ``INTERNAL.BAD_OUTPUT.CODE01``, ``ASSET.INVALID``).
* ASSEMBLED from docs.dev.runwayml.com/errors/errors ("400: a JSON response with an error
  member with a human-readable explanation"): the error bodies; their wording is made up.

Every task below carries the create example's id, so one lifecycle reads as one task.
None of this is a recording of the live service.
"""

from __future__ import annotations

from typing import Any

import vidgen

#: A dummy key in Runway's shape (``key_`` and hex), long enough that a leak would show.
KEY = "key_0123456789abcdef0123456789abcdef0123456789abcdef"
API = "https://api.dev.runwayml.com"
HOST = "api.dev.runwayml.com"
VERSION = "2024-11-06"
CDN = "dnznrvs05pmza.cloudfront.net"

#: 2024-06-27T19:49:32Z, when the documented tasks were created.
START = 1719517772.0
#: The Date of the answer that first shows the task succeeded.
DONE_DATE = "Thu, 27 Jun 2024 19:51:02 GMT"

TASK_ID = "497f6eca-6276-4993-bfeb-53cbbbba6f08"
TASK_URL = f"{API}/v1/tasks/{TASK_ID}"
#: The documented output URL, verbatim (the page elides the signature).
OUTPUT_URL = "https://dnznrvs05pmza.cloudfront.net/output.mp4?_jwt=..."
#: A fresh link, as a second read of the task would give (made up).
FRESH_URL = "https://dnznrvs05pmza.cloudfront.net/output.mp4?_jwt=fresh"
VIDEO_STUB = b"stub video bytes for task 497f6eca, not MP4"

#: The create answer, verbatim.
CREATED: dict[str, Any] = {"id": TASK_ID}

#: The SDK's text-to-video example, as a vidgen request and as sent (veo3.1 renders sound
#: by default, and vidgen states it).
BUNNY = vidgen.VideoRequest(
    prompt="A cute bunny hopping in a meadow", model="veo3.1", duration=8, aspect="16:9"
)
BUNNY_BODY: dict[str, Any] = {
    "model": "veo3.1",
    "promptText": "A cute bunny hopping in a meadow",
    "duration": 8,
    "ratio": "1280:720",
    "audio": True,
}

#: The SDK's image-to-video example (gen4_turbo, 10 s), as a vidgen request and as sent.
BUNNY_IMAGE = vidgen.VideoRequest(
    prompt="A cute bunny hopping in a meadow",
    model="gen4_turbo",
    duration=10,
    aspect="16:9",
    reference=vidgen.Reference.from_url("https://example.com/bunny.jpg"),
)
BUNNY_IMAGE_BODY: dict[str, Any] = {
    "model": "gen4_turbo",
    "promptText": "A cute bunny hopping in a meadow",
    "duration": 10,
    "ratio": "1280:720",
    "promptImage": "https://example.com/bunny.jpg",
}

#: "An example of a pending task", verbatim but for the id.
PENDING: dict[str, Any] = {
    "id": TASK_ID,
    "status": "PENDING",
    "createdAt": "2024-06-27T19:49:32.334Z",
}
THROTTLED: dict[str, Any] = {**PENDING, "status": "THROTTLED"}
RUNNING: dict[str, Any] = {**PENDING, "status": "RUNNING", "progress": 0.42}
#: The outputs page's succeeded task, verbatim but for the id.
SUCCEEDED: dict[str, Any] = {
    "id": TASK_ID,
    "status": "SUCCEEDED",
    "createdAt": "2024-06-27T19:49:32.335Z",
    "output": [OUTPUT_URL],
}
CANCELLED: dict[str, Any] = {**PENDING, "status": "CANCELLED"}


def failed(code: str, failure: str) -> dict[str, Any]:
    """A failed task with Runway's ``failure`` text and ``failureCode``."""
    return {**PENDING, "status": "FAILED", "failure": failure, "failureCode": code}


#: (failureCode, failure, vidgen's neutral code) for the documented families.
FAILURE_ROWS: list[tuple[str, str, str]] = [
    ("SAFETY.INPUT.TEXT", "The prompt text did not pass content moderation.", "content_policy"),
    ("SAFETY.OUTPUT.VIDEO", "The output did not pass content moderation.", "content_policy"),
    ("INTERNAL.BAD_OUTPUT.CODE01", "The output was rejected by quality checks.", "server_error"),
    ("INTERNAL", "An internal error occurred.", "server_error"),
    ("ASSET.INVALID", "The input image could not be processed.", "generation_failed"),
]


def error_body(message: str) -> dict[str, Any]:
    """Runway's error answer: a JSON object with an ``error`` member."""
    return {"error": message}


#: (HTTP status, error body, vidgen error class, retryable).
ERROR_ROWS: list[tuple[int, dict[str, Any], type[vidgen.ProviderError], bool]] = [
    (
        400,
        {
            "error": "Validation of body failed",
            "issues": [{"path": ["ratio"], "message": "Invalid enum value"}],
        },
        vidgen.InvalidRequest,
        False,
    ),
    (401, error_body("Invalid API key"), vidgen.AuthenticationError, False),
    (404, error_body("Task not found"), vidgen.NotFound, False),
    (429, error_body("You have exceeded your rate limit"), vidgen.RateLimited, True),
    (502, error_body("Bad gateway"), vidgen.ServerError, True),
    (503, error_body("Service unavailable"), vidgen.ServerError, True),
    (504, error_body("Gateway timeout"), vidgen.ServerError, True),
]
