"""The conformance kit on the ``fal`` provider."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx
from fal_payloads import (
    IN_QUEUE,
    MODEL_ERROR_422,
    PLATFORM_ERROR,
    QUEUE,
    REQUEST_ERROR,
    REQUEST_URL,
    RESULT,
    STATUS_URL,
    SUBMITTED,
    VALIDATION_422,
)

import vidgen
from vidgen import JobStatus
from vidgen.testing import ProviderConformance, make_response

ERRORS: list[tuple[int, Any, type[vidgen.ProviderError]]] = [
    (504, REQUEST_ERROR, vidgen.ServerError),
    (422, MODEL_ERROR_422, vidgen.ContentPolicyViolation),
    (422, VALIDATION_422, vidgen.InvalidRequest),
    (401, PLATFORM_ERROR, vidgen.AuthenticationError),
    (403, {"detail": "User is locked. Reason: Exhausted balance."}, vidgen.InsufficientCredits),
    (429, {"detail": "Too many requests"}, vidgen.RateLimited),
]


class TestFalConformance(ProviderConformance):
    provider_name = "fal"
    statuses: ClassVar[dict[str, JobStatus]] = {
        "IN_QUEUE": JobStatus.QUEUED,
        "IN_PROGRESS": JobStatus.RUNNING,
        # Finished, but whether it succeeded is in the result, which vidgen reads next.
        "COMPLETED": JobStatus.RUNNING,
    }
    submit_body = SUBMITTED
    succeeded_body = RESULT
    error_bodies: ClassVar[list[tuple[int, Any, type[vidgen.ProviderError]]]] = ERRORS

    def status_body(self, status: str) -> Any:
        return {**IN_QUEUE, "status": status}

    def status_response(self, body: Any, status_code: int = 200) -> httpx.Response:
        """fal answers a status request and a result request at different URLs."""
        if body is SUBMITTED:
            return make_response(
                status_code, json=body, method="POST", url=f"{QUEUE}/fal-ai/veo3.1"
            )
        is_status = isinstance(body, dict) and "status" in body
        return make_response(status_code, json=body, url=STATUS_URL if is_status else REQUEST_URL)
