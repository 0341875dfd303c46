"""The conformance kit on the ``runway`` provider."""

from __future__ import annotations

from typing import Any, ClassVar

from runway_payloads import CREATED, ERROR_ROWS, KEY, PENDING, SUCCEEDED

from vidgen import JobStatus, ProviderError
from vidgen.testing import ProviderConformance


class TestRunwayConformance(ProviderConformance):
    provider_name = "runway"
    api_key = KEY
    statuses: ClassVar[dict[str, JobStatus]] = {
        "PENDING": JobStatus.QUEUED,
        "THROTTLED": JobStatus.QUEUED,
        "RUNNING": JobStatus.RUNNING,
        "SUCCEEDED": JobStatus.SUCCEEDED,
        "FAILED": JobStatus.FAILED,
        "CANCELLED": JobStatus.CANCELLED,
    }
    submit_body = CREATED
    # The outputs page's example (its URL is on Runway's CDN, not the API), created just
    # before the kit's fake clock (2025-10-09T08:53:20Z) so its 24-hour links are not past.
    succeeded_body: ClassVar[dict[str, Any]] = {
        **SUCCEEDED,
        "createdAt": "2025-10-09T08:50:00.000Z",
    }
    error_bodies: ClassVar[list[tuple[int, Any, type[ProviderError]]]] = [
        (status, body, cls) for status, body, cls, _ in ERROR_ROWS
    ]

    def status_body(self, status: str) -> Any:
        return {**PENDING, "status": status}
