"""Helpers of the core tests that the toolkit has no place for: an OpenAI video payload and
a provider that authenticates by header. Images and the scripted server are `vidgen.testing`'s.
"""

from __future__ import annotations

from typing import Any

import httpx

from vidgen import Job
from vidgen.provider import Provider

FAKE_NOW = 1_760_000_000  # FakeClock's default start


def video(
    status: str = "queued", *, progress: int | None = 0, video_id: str = "video_123", **extra: Any
) -> dict[str, Any]:
    """An OpenAI Videos API video object."""
    body: dict[str, Any] = {
        "id": video_id,
        "object": "video",
        "model": "sora-2",
        "status": status,
        "progress": progress,
        "created_at": FAKE_NOW - 60,
        "size": "1280x720",
        "seconds": "8",
    }
    if status == "completed":
        body["completed_at"] = FAKE_NOW - 10
        body["expires_at"] = FAKE_NOW + 86_400
    body.update(extra)
    return body


class KeyHeader(Provider):
    """Authenticates with an ``api-key`` header (as Azure does), not Authorization."""

    name = "keyheader"
    default_base_url = "https://api.example.com/v1"
    secret_headers = frozenset({"api-key"})

    def auth_headers(self) -> dict[str, str]:
        return {"api-key": self.secret().reveal()}

    def build_status(self, job: Job) -> httpx.Request:
        return httpx.Request("GET", self.url(f"jobs/{job.id}"), headers=self.headers())

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        return httpx.Request("GET", self.url(f"jobs/{job.id}/video"), headers=self.headers())
