"""The conformance kit on the ``replicate`` provider."""

from __future__ import annotations

from typing import Any, ClassVar

from replicate_payloads import (
    CREATED,
    INVALID,
    NOT_FOUND,
    PAYMENT,
    SUCCEEDED,
    THROTTLED,
    UNAUTHENTICATED,
)

import vidgen
from vidgen import JobStatus
from vidgen.testing import ProviderConformance

ERRORS: list[tuple[int, Any, type[vidgen.ProviderError]]] = [
    (404, NOT_FOUND, vidgen.NotFound),
    (429, THROTTLED, vidgen.RateLimited),
    (401, UNAUTHENTICATED, vidgen.AuthenticationError),
    (402, PAYMENT, vidgen.InsufficientCredits),
    (422, INVALID, vidgen.InvalidRequest),
    (422, {"detail": "The input was flagged as sensitive. (E005)"}, vidgen.ContentPolicyViolation),
]


class TestReplicateConformance(ProviderConformance):
    provider_name = "replicate"
    statuses: ClassVar[dict[str, JobStatus]] = {
        "starting": JobStatus.QUEUED,
        "processing": JobStatus.RUNNING,
        "succeeded": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
        "canceled": JobStatus.CANCELLED,
        "aborted": JobStatus.CANCELLED,
    }
    submit_body = CREATED
    # Finished minutes before the kit's client clock (2025-10-09 08:53 UTC), so its output,
    # kept for an hour, can still be downloaded.
    succeeded_body: ClassVar[dict[str, Any]] = {
        **SUCCEEDED,
        "completed_at": "2025-10-09T08:50:00.000Z",
    }
    error_bodies: ClassVar[list[tuple[int, Any, type[vidgen.ProviderError]]]] = ERRORS

    def status_body(self, status: str) -> Any:
        return {**SUCCEEDED, "status": status}
