"""The conformance kit on the ``openai`` provider and an ``openai-compatible`` relay."""

from __future__ import annotations

from typing import Any, ClassVar

from openai_payloads import (
    COMPLETED,
    INVALID_SECONDS_TYPE,
    QUEUED,
    RELAY_MODEL,
    RELAY_URL,
    error_body,
)

import vidgen
from vidgen import JobStatus
from vidgen.testing import ProviderConformance

STATUSES = {
    "queued": JobStatus.QUEUED,
    "in_progress": JobStatus.RUNNING,
    "completed": JobStatus.SUCCEEDED,
    "failed": JobStatus.FAILED,
    "cancelled": JobStatus.CANCELLED,
}
ERRORS: list[tuple[int, Any, type[vidgen.ProviderError]]] = [
    (400, INVALID_SECONDS_TYPE, vidgen.InvalidRequest),
    (401, error_body("Incorrect API key", type="invalid_request_error", param=None, code="invalid_api_key"), vidgen.AuthenticationError),
    (429, error_body("Rate limit", type="requests", param=None, code="rate_limit_exceeded"), vidgen.RateLimited),
    (429, error_body("Quota", type="insufficient_quota", param=None, code="insufficient_quota"), vidgen.InsufficientCredits),
    (400, error_body("Blocked", type="invalid_request_error", param=None, code="moderation_blocked"), vidgen.ContentPolicyViolation),
    (500, error_body("Server error", type="server_error", param=None, code=None), vidgen.ServerError),
]  # fmt: skip


class TestOpenAIConformance(ProviderConformance):
    provider_name = "openai"
    statuses = STATUSES
    submit_body = QUEUED
    error_bodies: ClassVar[list[tuple[int, Any, type[vidgen.ProviderError]]]] = ERRORS

    def status_body(self, status: str) -> Any:
        return {**COMPLETED, "status": status}


class TestOpenAICompatibleConformance(ProviderConformance):
    provider_name = "openai-compatible"
    settings: ClassVar[dict[str, Any]] = {"base_url": RELAY_URL, "models": [RELAY_MODEL]}
    statuses = STATUSES
    submit_body = QUEUED
    error_bodies: ClassVar[list[tuple[int, Any, type[vidgen.ProviderError]]]] = ERRORS

    def status_body(self, status: str) -> Any:
        return {**COMPLETED, "status": status}
