"""The conformance kit on the ``volcengine`` provider."""

from __future__ import annotations

from typing import Any, ClassVar

from volcengine_payloads import CREATED, KEY, RUNNING, SUCCEEDED

import vidgen
from vidgen import JobStatus
from vidgen.testing import ProviderConformance


def error_body(code: str, message: str, kind: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "type": kind}}


class TestVolcengineConformance(ProviderConformance):
    provider_name = "volcengine"
    api_key = KEY
    statuses: ClassVar[dict[str, JobStatus]] = {
        "queued": JobStatus.QUEUED,
        "running": JobStatus.RUNNING,
        "succeeded": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
        "cancelled": JobStatus.CANCELLED,
        "expired": JobStatus.FAILED,
    }
    submit_body = CREATED
    succeeded_body = SUCCEEDED
    error_bodies: ClassVar[list[tuple[int, Any, type[vidgen.ProviderError]]]] = [
        (400, error_body("InvalidParameter", "bad ratio", "BadRequest"), vidgen.InvalidRequest),
        (400, error_body("InputImageSensitiveContentDetected.PrivacyInformation", "a real person", "BadRequest"), vidgen.ContentPolicyViolation),
        (401, error_body("AuthenticationError", "bad key", "Unauthorized"), vidgen.AuthenticationError),
        (403, error_body("AccountOverdueError", "overdue", "Forbidden"), vidgen.InsufficientCredits),
        (404, error_body("ModelNotOpen", "not activated", "NotFound"), vidgen.PermissionDenied),
        (429, error_body("RateLimitExceeded.EndpointTPMExceeded", "slow down", "TooManyRequests"), vidgen.RateLimited),
        (500, error_body("InternalServiceError", "oops", "InternalServerError"), vidgen.ServerError),
    ]  # fmt: skip

    def status_body(self, status: str) -> Any:
        return {**RUNNING, "status": status}
