"""fal's documented payloads, for the fal tests and cassettes.

Where each comes from (research/hosts.md section 1.1 and shared/WIRE-LIVE.md section 2
cite the pages):

* SUBMITTED: VERBATIM the submit response of fal's queue docs
  (https://docs.fal.ai/model-endpoints/queue), whose app is ``fal-ai/fast-sdxl``, with the
  app swapped for ``fal-ai/veo3.1`` as research/hosts.md 1.1 advises, plus the
  ``status``/``queue_position`` that newer responses carry (fal's inference-api page).
* IN_QUEUE, IN_PROGRESS, COMPLETED: assembled from the status fields in fal's docs and
  client types (a SHAPE, not one literal body).
* RESULT: VERBATIM the video output example of fal's Kling O3 page.
* WEBHOOK_OK / WEBHOOK_ERROR / WEBHOOK_PAYLOAD_ERROR: VERBATIM fal's webhook page, with
  the success payload's image output swapped for the video output above.
* REQUEST_ERROR: VERBATIM fal's request error page; MODEL_ERROR_422: fal's model error
  structure as quoted (with its example values) by a third party citing fal's error
  reference; VALIDATION_422: the validation detail of fal's webhook error example.
* PRICING: the example of fal's pricing API OpenAPI (``fal-ai/flux/dev``), and a video
  endpoint's entry assembled from that schema.
"""

from __future__ import annotations

from typing import Any

QUEUE = "https://queue.fal.run"
REQUEST_ID = "80e732af-660e-45cd-bd63-580e4f2a94cc"
APP = "fal-ai/veo3.1"
REQUEST_URL = f"{QUEUE}/{APP}/requests/{REQUEST_ID}"
STATUS_URL = f"{REQUEST_URL}/status"
CANCEL_URL = f"{REQUEST_URL}/cancel"
CDN_HOST = "v3b.fal.media"
VIDEO_URL = "https://v3b.fal.media/files/b/0a8d04e2/idOb9V-Q9ujlggPSKqsfS_output.mp4"

SUBMITTED: dict[str, Any] = {
    "request_id": REQUEST_ID,
    "response_url": REQUEST_URL,
    "status_url": STATUS_URL,
    "cancel_url": CANCEL_URL,
    "status": "IN_QUEUE",
    "queue_position": 0,
}

IN_QUEUE: dict[str, Any] = {"status": "IN_QUEUE", "queue_position": 2, "response_url": REQUEST_URL}
IN_PROGRESS: dict[str, Any] = {
    "status": "IN_PROGRESS",
    "logs": [{"message": "Generating video", "timestamp": "2026-11-30T10:00:00Z"}],
    "response_url": REQUEST_URL,
}
COMPLETED: dict[str, Any] = {
    "status": "COMPLETED",
    "logs": [],
    "metrics": {"inference_time": 61.2},
    "response_url": REQUEST_URL,
}

RESULT: dict[str, Any] = {
    "video": {
        "content_type": "video/mp4",
        "file_name": "output.mp4",
        "file_size": 13096952,
        "url": VIDEO_URL,
    }
}

WEBHOOK_REQUEST_ID = "123e4567-e89b-12d3-a456-426614174000"
WEBHOOK_OK: dict[str, Any] = {
    "request_id": WEBHOOK_REQUEST_ID,
    "gateway_request_id": WEBHOOK_REQUEST_ID,
    "status": "OK",
    "payload": RESULT,
}
WEBHOOK_ERROR: dict[str, Any] = {
    "request_id": WEBHOOK_REQUEST_ID,
    "gateway_request_id": WEBHOOK_REQUEST_ID,
    "status": "ERROR",
    "error": "Invalid status code: 422",
    "payload": {
        "detail": [
            {"loc": ["body", "prompt"], "msg": "field required", "type": "value_error.missing"}
        ]
    },
}
WEBHOOK_PAYLOAD_ERROR: dict[str, Any] = {
    "request_id": WEBHOOK_REQUEST_ID,
    "gateway_request_id": WEBHOOK_REQUEST_ID,
    "status": "OK",
    "payload": None,
    "payload_error": "Response payload is not JSON serializable. Either return a JSON "
    "serializable object or use the queue endpoint to retrieve the response.",
}

REQUEST_ERROR: dict[str, Any] = {"detail": "Request timed out", "error_type": "request_timeout"}
MODEL_ERROR_422: dict[str, Any] = {
    "detail": [
        {
            "loc": ["body", "prompt"],
            "msg": "The content was flagged by a content checker.",
            "type": "content_policy_violation",
            "url": "https://docs.fal.ai/errors#content_policy_violation",
            "input": "the flagged input",
        }
    ]
}
VALIDATION_422: dict[str, Any] = WEBHOOK_ERROR["payload"]
STILL_RUNNING: dict[str, Any] = {"detail": "Request is still in progress"}
PLATFORM_ERROR: dict[str, Any] = {
    "error": {"type": "authorization_error", "message": "Authentication required"}
}

PRICING_URL = "https://api.fal.ai/v1/models/pricing"
PRICING_FLUX: dict[str, Any] = {
    "prices": [
        {"endpoint_id": "fal-ai/flux/dev", "unit_price": 0.025, "unit": "image", "currency": "USD"}
    ],
    "next_cursor": None,
    "has_more": False,
}
