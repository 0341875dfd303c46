"""The conformance kit on the ``sandbox`` provider (the OpenAI protocol, served locally)."""

from __future__ import annotations

from typing import Any, ClassVar

from vidgen import JobStatus
from vidgen.testing import ProviderConformance

VIDEO = {
    "id": "video_sandbox_1",
    "object": "video",
    "model": "sandbox-standard",
    "status": "queued",
    "progress": 0,
    "created_at": 1764460800,
    "size": "1280x720",
    "seconds": "8",
}


class TestSandboxConformance(ProviderConformance):
    provider_name = "sandbox"
    statuses: ClassVar[dict[str, JobStatus]] = {
        "queued": JobStatus.QUEUED,
        "in_progress": JobStatus.RUNNING,
        "completed": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
    }
    submit_body = VIDEO

    def make_provider(self) -> Any:
        provider = super().make_provider()
        # Built-in tests never start the emulator: aim at where it would listen.
        provider.base_url = "http://127.0.0.1:9/v1"
        return provider

    def status_body(self, status: str) -> Any:
        return {**VIDEO, "status": status}

    def test_prices_cite_a_public_source_and_a_date(self) -> None:
        # The sandbox's prices are its own: zero, and said to be.
        for spec in self.make_provider().catalog.models:
            for price in spec.prices:
                assert price.per_second == 0
                assert price.source == "sandbox: no charge"
                assert price.as_of is not None
