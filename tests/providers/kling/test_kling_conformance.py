"""The conformance kit on the ``kling`` provider: with an API key, and with a key pair whose
tokens are minted from a fixed clock (so the kit's no-clock guard holds for JWT auth too)."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx
from kling_payloads import API, CREATED, ERROR_ROWS, SUCCEEDED, TASK_ID, envelope, error_body, task

from vidgen import JobStatus, ProviderError
from vidgen.provider import Provider
from vidgen.testing import ProviderConformance, make_response
from vidgen_kling import KlingJWT, KlingProvider

STATUS_URL = f"{API}/v1/videos/text2video/{TASK_ID}"


class TestKlingConformance(ProviderConformance):
    provider_name = "kling"
    api_key = "kling-conformance-0123456789abcdef"
    statuses: ClassVar[dict[str, JobStatus]] = {
        "submitted": JobStatus.QUEUED,
        "processing": JobStatus.RUNNING,
        "succeed": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
    }
    submit_body = CREATED
    succeeded_body = SUCCEEDED  # the video is on cdn.klingai.com, not the API host
    error_bodies: ClassVar[list[tuple[int, Any, type[ProviderError]]]] = [
        (status, error_body(code, message), cls) for status, code, cls, _, message in ERROR_ROWS
    ]

    def status_body(self, status: str) -> Any:
        return envelope(task(status))

    def status_response(self, body: Any, status_code: int = 200) -> httpx.Response:
        # A task is read on its endpoint's path, which names text2video or image2video.
        return make_response(status_code, json=body, url=STATUS_URL)


class TestKlingConformanceWithAKeyPair(TestKlingConformance):
    api_key = "kling-secret-key-conformance-fedcba9876543210"

    def make_provider(self) -> Provider:
        minter = KlingJWT(
            "kling-access-key-conformance", self.api_key, clock=lambda: 1_774_805_136.0
        )
        return KlingProvider(token_provider=minter)
