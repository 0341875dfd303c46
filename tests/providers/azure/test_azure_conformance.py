"""The conformance kit on the ``azure`` provider, both APIs."""

from __future__ import annotations

from typing import Any, ClassVar

from azure_payloads import (
    ENDPOINT,
    KEY,
    QUICKSTART_QUEUED,
    SUCCEEDED,
    V1_QUEUED,
    top_level_error,
    wrapped_error,
)

import vidgen
from vidgen import JobStatus
from vidgen.testing import ProviderConformance

ERRORS: list[tuple[int, Any, type[vidgen.ProviderError]]] = [
    (400, top_level_error(), vidgen.ContentPolicyViolation),
    (400, wrapped_error("invalid_request", "n_seconds must be at most 20", param="n_seconds"), vidgen.InvalidRequest),
    (401, wrapped_error("401", "Access denied due to invalid subscription key"), vidgen.AuthenticationError),
    (429, wrapped_error("429", "Requests to the API have exceeded the rate limit"), vidgen.RateLimited),
    (500, wrapped_error("InternalServerError", "The server had an error"), vidgen.ServerError),
]  # fmt: skip


class TestAzureJobsConformance(ProviderConformance):
    provider_name = "azure"
    api_key = KEY
    settings: ClassVar[dict[str, Any]] = {"endpoint": ENDPOINT}
    statuses: ClassVar[dict[str, JobStatus]] = {
        "preprocessing": JobStatus.QUEUED,
        "queued": JobStatus.QUEUED,
        "running": JobStatus.RUNNING,
        "processing": JobStatus.RUNNING,
        "succeeded": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
        "cancelled": JobStatus.CANCELLED,
    }
    submit_body = QUICKSTART_QUEUED
    error_bodies: ClassVar[list[tuple[int, Any, type[vidgen.ProviderError]]]] = ERRORS

    def status_body(self, status: str) -> Any:
        return {**SUCCEEDED, "status": status}


class TestAzureVideosConformance(ProviderConformance):
    provider_name = "azure"
    api_key = KEY
    settings: ClassVar[dict[str, Any]] = {"endpoint": ENDPOINT, "api": "videos"}
    statuses: ClassVar[dict[str, JobStatus]] = {
        "queued": JobStatus.QUEUED,
        "in_progress": JobStatus.RUNNING,
        "completed": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
    }
    submit_body = V1_QUEUED
    error_bodies: ClassVar[list[tuple[int, Any, type[vidgen.ProviderError]]]] = ERRORS

    def status_body(self, status: str) -> Any:
        return {**V1_QUEUED, "status": status}
