"""Ark's documented payloads (BytePlus ModelArk), as Python values.

Where each comes from (research notes /work/research/makers.md section 1, shared/WIRE-LIVE.md
section 8); "verbatim" means copied byte for byte, "assembled" means built from the
documented schema with values made up where the sources give none. None of these is a
recording of the live service by this project.
"""

from __future__ import annotations

import copy
from typing import Any

import vidgen

API = "https://ark.ap-southeast.bytepluses.com/api/v3"
TASKS = f"{API}/contents/generations/tasks"
KEY = "ark-test-0123456789abcdef"

#: The id of vercel/ai's recorded task (below); the create response is ``{"id": ...}``.
TASK_ID = "cgt-20260828062711-hj94q"
TASK_URL = f"{TASKS}/{TASK_ID}"

#: The create response: ``{"id": "cgt-..."}`` [C vercel/ai, TanStack/ai]; assembled with the
#: recorded task's id.
CREATED: dict[str, Any] = {"id": TASK_ID}

STORAGE_HOST = "ark-content-generation-ap-southeast-1.tos-ap-southeast-1.volces.com"
VIDEO_URL = f"https://{STORAGE_HOST}/seedance-1-0-pro/recorded-video.mp4"
LAST_FRAME_URL = f"https://{STORAGE_HOST}/seedance-1-0-pro/recorded-video_last-frame.png"

#: A succeeded task, verbatim from vercel/ai
#: packages/bytedance/src/__fixtures__/issue-17883-status-response.json (a recorded body,
#: 2026-08; the last_frame_url host written out in full as in the research notes).
#: 864 x 480 x (24 x 2 + 1) / 1024 = 19845 tokens, exactly what it reports.
SUCCEEDED: dict[str, Any] = {
    "id": TASK_ID,
    "model": "seedance-1-0-pro-250528",
    "status": "succeeded",
    "content": {"video_url": VIDEO_URL, "last_frame_url": LAST_FRAME_URL},
    "usage": {"completion_tokens": 19845, "total_tokens": 19845},
    "created_at": 1787869631,
    "updated_at": 1787869648,
    "seed": 17918,
    "resolution": "480p",
    "ratio": "16:9",
    "duration": 2,
    "framespersecond": 24,
    "service_tier": "default",
    "execution_expires_after": 172800,
    "draft": False,
    "priority": 0,
    "output_format": "mp4",
}

#: The request that made it (assembled: the fixture's model and settings, a prompt of ours).
PROMPT = "A red fox trots across fresh snow at dawn"
REQUEST = vidgen.VideoRequest(
    prompt=PROMPT, model="seedance-1-0-pro-250528", duration=2, resolution="480p", aspect="16:9"
)
CREATE_BODY: dict[str, Any] = {
    "model": "seedance-1-0-pro-250528",
    "content": [{"type": "text", "text": PROMPT}],
    "ratio": "16:9",
    "resolution": "480p",
    "duration": 2,
    "watermark": False,
}

_RUNNING_FIELDS = ("id", "model", "created_at", "updated_at", "resolution", "ratio", "duration")


def task(status: str, **changes: Any) -> dict[str, Any]:
    """The recorded task at another status: a task that has not succeeded has no content
    or usage (assembled from the documented schema)."""
    body = {k: copy.deepcopy(v) for k, v in SUCCEEDED.items() if k in _RUNNING_FIELDS}
    body.update(status=status, **changes)
    return body


QUEUED = task("queued", updated_at=1787869631)
RUNNING = task("running", updated_at=1787869635)
#: A failed task: HTTP 200 with ``error {code, message}`` [C TanStack/ai]; the code is one
#: seen in tasks' error.code [C], the message assembled.
FAILED = task(
    "failed",
    error={
        "code": "OutputVideoSensitiveContentDetected",
        "message": "The request failed because the output video may contain sensitive information.",
    },
)
#: ``expired`` and ``cancelled`` carry no error block [C TanStack/ai].
EXPIRED = task("expired")
CANCELLED = task("cancelled")

#: A list page: ``{"items": [...], "total": N}`` [C LiteLLM volcengine; T tokenai]; assembled.
PAGE: dict[str, Any] = {"items": [SUCCEEDED, RUNNING], "total": 3}


def error_body(code: str, message: str, type: str, param: str | None = None) -> dict[str, Any]:
    """Ark's error envelope ``{"error": {code, message, param, type}}`` [C vercel, TanStack]."""
    inner: dict[str, Any] = {"code": code, "message": message, "type": type}
    if param is not None:
        inner["param"] = param
    return {"error": inner}


#: Ark's error table (makers.md 1.5, from docs.byteplus.com/en/docs/ModelArk/1299023 and
#: client code): HTTP status, code, type, the neutral class, whether retrying helps. The
#: messages are assembled from each code's meaning.
ERROR_ROWS: list[tuple[int, str, str, type[vidgen.ProviderError], bool, str]] = [
    (400, "MissingParameter", "BadRequest", vidgen.InvalidRequest, False,
     "The request failed because it is missing one or multiple required parameters."),
    (400, "InvalidParameter", "BadRequest", vidgen.InvalidRequest, False,
     "The parameter `duration` specified in the request is not valid."),
    (400, "InvalidEndpoint.ClosedEndpoint", "BadRequest", vidgen.InvalidRequest, False,
     "The endpoint is closed."),
    (400, "SensitiveContentDetected", "BadRequest", vidgen.ContentPolicyViolation, False,
     "The request failed because the input may contain sensitive information."),
    (400, "InputTextSensitiveContentDetected", "BadRequest", vidgen.ContentPolicyViolation,
     False, "The request failed because the input text may contain sensitive information."),
    (400, "InputImageSensitiveContentDetected.PrivacyInformation", "BadRequest",
     vidgen.ContentPolicyViolation, False,
     "The request failed because the input image may contain real person."),
    (400, "InputTextRiskDetection", "BadRequest", vidgen.ContentPolicyViolation, False,
     "The input text failed the risk check."),
    (401, "AuthenticationError", "Unauthorized", vidgen.AuthenticationError, False,
     "The API key in the request is missing or invalid."),
    (403, "AccountOverdueError", "Forbidden", vidgen.InsufficientCredits, False,
     "The request failed because your account has an overdue balance."),
    (403, "AccessDenied", "Forbidden", vidgen.PermissionDenied, False,
     "The request failed because you do not have access to the requested resource."),
    (404, "InvalidEndpointOrModel.NotFound", "NotFound", vidgen.NotFound, False,
     "The model or endpoint does not exist or you do not have access to it."),
    (404, "ModelNotOpen", "NotFound", vidgen.PermissionDenied, False,
     "Your account has not activated the model service."),
    (429, "TooManyRequests", "TooManyRequests", vidgen.RateLimited, True,
     "Too many requests."),
    (429, "RateLimitExceeded.EndpointRPMExceeded", "TooManyRequests", vidgen.RateLimited,
     True, "The request has exceeded the RPM limit of the endpoint."),
    (429, "ModelAccountTpmRateLimitExceeded", "TooManyRequests", vidgen.RateLimited, True,
     "The request has exceeded the TPM limit of the account for this model."),
    (429, "QuotaExceeded", "TooManyRequests", vidgen.InsufficientCredits, False,
     "The request has exceeded your quota."),
    (429, "ServerOverloaded", "TooManyRequests", vidgen.RateLimited, True,
     "The service is overloaded; try again later."),
    (500, "InternalServiceError", "InternalServerError", vidgen.ServerError, True,
     "The service encountered an unexpected internal error."),
]  # fmt: skip
