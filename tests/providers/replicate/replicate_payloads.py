"""Replicate's documented payloads, for the Replicate tests and cassettes.

* CREATE_REQUEST / CREATED: VERBATIM the create request and response of Replicate's HTTP API
  reference (replicate/skills skills/replicate/references/HTTP_API.md, commit c4820d4c),
  cited in research/hosts.md 2.1, with the model and input swapped for a video model's and
  ``version``'s "..." kept as the reference shows it.
* PROCESSING / SUCCEEDED / FAILED / CANCELED / ABORTED: the same prediction object in each
  documented status (replicate.com/docs/topics/predictions/lifecycle), assembled: a video
  model's output is one URL string on replicate.delivery (research/hosts.md 2.2, SHAPE).
* NOT_FOUND: VERBATIM the problem-details error of the same reference; THROTTLED: the 429
  detail of Replicate's docs (research/hosts.md 2.1); the 401/402/422 bodies are assembled in
  that problem-details shape (UNVERIFIED text).
* FLAGGED: a failed prediction's error as a user report quotes it for bytedance/seedance-2.0
  ("The input or output was flagged as sensitive (E005)"), third party.
"""

from __future__ import annotations

from typing import Any

API = "https://api.replicate.com/v1"
PREDICTION_ID = "gm3qorzdhgbfurvjtvhg6dckhu"
GET_URL = f"{API}/predictions/{PREDICTION_ID}"
CANCEL_URL = f"{GET_URL}/cancel"
DELIVERY_HOST = "replicate.delivery"
OUTPUT_URL = "https://replicate.delivery/xezq/Xy3ouqzBXeYtJk8bpCwwO5ybJPzfqgK2vNxJHeekuD4lV2lKA/tmp4r2s9w1z.mp4"

CREATED: dict[str, Any] = {
    "id": PREDICTION_ID,
    "model": "google/veo-3.1-fast",
    "version": "...",
    "input": {"prompt": "a cat wearing a top hat"},
    "output": None,
    "error": None,
    "logs": "",
    "status": "starting",
    "created_at": "2024-01-01T00:00:00.000Z",
    "started_at": None,
    "completed_at": None,
    "metrics": {},
    "urls": {
        "get": GET_URL,
        "cancel": CANCEL_URL,
        "web": f"https://replicate.com/p/{PREDICTION_ID}",
    },
}
PROCESSING: dict[str, Any] = {
    **CREATED,
    "status": "processing",
    "started_at": "2024-01-01T00:00:05.000Z",
}
SUCCEEDED: dict[str, Any] = {
    **PROCESSING,
    "status": "succeeded",
    "output": OUTPUT_URL,
    "completed_at": "2024-01-01T00:01:10.500Z",
    "metrics": {"predict_time": 65.5},
    "data_removed": False,
    "source": "api",
}
FAILED: dict[str, Any] = {
    **PROCESSING,
    "status": "failed",
    "error": "The input or output was flagged as sensitive. Please try again with different inputs. (E005)",
    "completed_at": "2024-01-01T00:00:40.000Z",
}
CANCELED: dict[str, Any] = {
    **PROCESSING,
    "status": "canceled",
    "completed_at": "2024-01-01T00:00:20.000Z",
}
ABORTED: dict[str, Any] = {
    **CREATED,
    "status": "aborted",
    "completed_at": "2024-01-01T00:05:00.000Z",
}

NOT_FOUND: dict[str, Any] = {
    "title": "Not Found",
    "detail": "Model not found: foo/bar",
    "status": 404,
}
THROTTLED: dict[str, Any] = {"detail": "Request was throttled. Your rate limit resets in ~30s."}
UNAUTHENTICATED: dict[str, Any] = {
    "title": "Unauthenticated",
    "detail": "You did not pass a valid authentication token",
    "status": 401,
}
PAYMENT: dict[str, Any] = {
    "title": "Insufficient credit",
    "detail": "You have insufficient credit to run this model. Go to https://replicate.com/account/billing to purchase credit.",
    "status": 402,
}
INVALID: dict[str, Any] = {
    "title": "Input validation failed",
    "detail": "- input.duration: duration must be one of the following: 4, 6, 8",
    "status": 422,
}
