"""The conformance kit on the ``byteplus`` provider."""

from __future__ import annotations

from typing import Any, ClassVar

from byteplus_payloads import CREATED, ERROR_ROWS, KEY, QUEUED, SUCCEEDED, error_body

import vidgen
from vidgen import JobStatus
from vidgen.testing import ProviderConformance


class TestBytePlusConformance(ProviderConformance):
    provider_name = "byteplus"
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
        (status, error_body(code, message, kind), cls)
        for status, code, kind, cls, _, message in ERROR_ROWS
    ]

    def status_body(self, status: str) -> Any:
        return {**QUEUED, "status": status}
