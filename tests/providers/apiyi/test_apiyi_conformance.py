"""The conformance kit on the ``apiyi`` provider."""

from __future__ import annotations

from typing import Any, ClassVar

import vidgen
from vidgen import JobStatus
from vidgen.testing import ProviderConformance


def wrapped(message: str, code: str | None = None) -> dict[str, Any]:
    """APIYI's wrapped error shape (WIRE.md section 2)."""
    return {"message": message, "data": {"error": {"message": message, "code": code}}}


VIDEO = {
    "id": "video_abc123def456",
    "object": "video",
    "model": "sora-2",
    "status": "queued",
    "progress": 0,
    "created_at": 1760000000,
    "size": "720x1280",
    "seconds": "8",
}


class TestApiyiConformance(ProviderConformance):
    provider_name = "apiyi"
    statuses: ClassVar[dict[str, JobStatus]] = {
        "submitted": JobStatus.QUEUED,
        "queued": JobStatus.QUEUED,
        "in_progress": JobStatus.RUNNING,
        "completed": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
    }
    submit_body = VIDEO
    error_bodies: ClassVar[list[tuple[int, Any, type[vidgen.ProviderError]]]] = [
        (400, {"error": {"message": "Invalid value", "param": "seconds", "code": "invalid_value"}}, vidgen.InvalidRequest),
        (401, wrapped("无效的令牌"), vidgen.AuthenticationError),
        (403, wrapped("当前分组不可用，请切换到按量计费"), vidgen.PermissionDenied),
        (403, wrapped("content policy violation", "content_policy_violation"), vidgen.ContentPolicyViolation),
        (429, wrapped("余额不足"), vidgen.InsufficientCredits),
        (429, wrapped("too many requests"), vidgen.RateLimited),
        (503, wrapped("upstream error"), vidgen.UpstreamError),
    ]  # fmt: skip

    def status_body(self, status: str) -> Any:
        return {**VIDEO, "status": status}
