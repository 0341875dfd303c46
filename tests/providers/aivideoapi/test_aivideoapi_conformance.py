"""The conformance kit on the ``aivideoapi`` provider."""

from __future__ import annotations

from typing import Any, ClassVar

from aivideoapi_payloads import COMPLETED, CREATED, ERROR_ROWS, error_body

import vidgen
from vidgen import JobStatus
from vidgen.testing import ProviderConformance


class TestAivideoapiConformance(ProviderConformance):
    provider_name = "aivideoapi"
    statuses: ClassVar[dict[str, JobStatus]] = {
        "pending": JobStatus.QUEUED,
        "processing": JobStatus.RUNNING,
        "completed": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
    }
    submit_body = CREATED
    succeeded_body = COMPLETED
    error_bodies: ClassVar[list[tuple[int, Any, type[vidgen.ProviderError]]]] = [
        (status, error_body(code, message, kind), cls)
        for status, code, kind, cls, _, message in ERROR_ROWS
    ]

    def status_body(self, status: str) -> Any:
        return {**COMPLETED, "status": status}
