"""The conformance kit on the ``dashscope`` provider.

UNKNOWN is documented too, but it is not a state of a job: it means DashScope no longer
knows the id (24 hours after the task was created), and vidgen raises ContentExpired for it
(test_dashscope_parse.py), so it is not in ``statuses``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from dashscope_payloads import CREATED, ERROR_ROWS, R2V_SUCCEEDED, error_body, query

from vidgen import JobStatus, ProviderError
from vidgen.testing import ProviderConformance


class TestDashscopeConformance(ProviderConformance):
    provider_name = "dashscope"
    api_key = "dashscope-conformance-0123456789abcdef"
    statuses: ClassVar[dict[str, JobStatus]] = {
        "PENDING": JobStatus.QUEUED,
        "RUNNING": JobStatus.RUNNING,
        "SUCCEEDED": JobStatus.SUCCEEDED,
        "FAILED": JobStatus.FAILED,
        "CANCELED": JobStatus.CANCELLED,
    }
    submit_body = CREATED
    succeeded_body = R2V_SUCCEEDED  # video_url on an OSS host, not the API host
    error_bodies: ClassVar[list[tuple[int, Any, type[ProviderError]]]] = [
        (status, error_body(code), cls) for status, code, cls, _ in ERROR_ROWS
    ]

    def status_body(self, status: str) -> Any:
        return query(status)
