"""The conformance kit on the ``openrouter`` provider."""

from __future__ import annotations

from typing import Any, ClassVar

from openrouter_payloads import COMPLETED_EXAMPLE, CREATED, ERROR_ROWS, KEY, PENDING, error_body

from vidgen import ContentPolicyViolation, JobStatus, ProviderError
from vidgen.testing import ProviderConformance


class TestOpenRouterConformance(ProviderConformance):
    provider_name = "openrouter"
    api_key = KEY
    statuses: ClassVar[dict[str, JobStatus]] = {
        "pending": JobStatus.QUEUED,
        "in_progress": JobStatus.RUNNING,
        "completed": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
        "cancelled": JobStatus.CANCELLED,
        "expired": JobStatus.FAILED,
    }
    submit_body = CREATED
    # The OpenAPI example: its unsigned URL is on another host (storage.example.com).
    succeeded_body = COMPLETED_EXAMPLE
    error_bodies: ClassVar[list[tuple[int, Any, type[ProviderError]]]] = [
        *((status, error_body(status, message), cls) for status, message, cls in ERROR_ROWS),
        (
            403,
            {"error": {"code": 403, "message": "Input flagged", "metadata": {"reasons": ["x"]}}},
            ContentPolicyViolation,
        ),
    ]

    def status_body(self, status: str) -> Any:
        return {**PENDING, "status": status}
