"""The conformance kit on the ``minimax`` provider (V2 and V1 statuses, both error forms)."""

from __future__ import annotations

from typing import Any, ClassVar

from minimax_payloads import V1_PROCESSING, V2_CREATED, V2_ERRORS, V2_SUCCEEDED, v2_task

import vidgen
from vidgen import JobStatus
from vidgen.testing import ProviderConformance

V1_STATUSES = {"Preparing", "Queueing", "Processing", "Success", "Fail"}


class TestMinimaxConformance(ProviderConformance):
    provider_name = "minimax"
    api_key = "mm-conformance-0123456789abcdef"
    statuses: ClassVar[dict[str, JobStatus]] = {
        # V2 (MiniMax-H3)
        "queued": JobStatus.QUEUED,
        "running": JobStatus.RUNNING,
        "succeeded": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
        "cancelled": JobStatus.CANCELLED,
        "expired": JobStatus.FAILED,
        # V1 (Hailuo): Success means rendered; the download URL is one more read away.
        "Preparing": JobStatus.QUEUED,
        "Queueing": JobStatus.QUEUED,
        "Processing": JobStatus.RUNNING,
        "Success": JobStatus.RUNNING,
        "Fail": JobStatus.FAILED,
    }
    submit_body = V2_CREATED
    succeeded_body = V2_SUCCEEDED
    error_bodies: ClassVar[list[tuple[int, Any, type[vidgen.ProviderError]]]] = [
        (status, body, cls) for status, body, cls, _ in V2_ERRORS
    ]

    def status_body(self, status: str) -> Any:
        if status in V1_STATUSES:
            return {**V1_PROCESSING, "status": status, "file_id": "176844028768320"}
        return v2_task(status)
