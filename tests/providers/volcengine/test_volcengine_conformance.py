"""The conformance kit on the ``volcengine`` provider."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from volcengine_payloads import CREATED, KEY, RUNNING, SUCCEEDED

import vidgen
from vidgen import JobStatus
from vidgen.provider import Provider
from vidgen.testing import ProviderConformance


def error_body(code: str, message: str, kind: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "type": kind}}


class TestVolcengineConformance(ProviderConformance):
    provider_name = "volcengine"
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
        (400, error_body("InvalidParameter", "bad ratio", "BadRequest"), vidgen.InvalidRequest),
        (400, error_body("InputImageSensitiveContentDetected.PrivacyInformation", "a real person", "BadRequest"), vidgen.ContentPolicyViolation),
        (401, error_body("AuthenticationError", "bad key", "Unauthorized"), vidgen.AuthenticationError),
        (403, error_body("AccountOverdueError", "overdue", "Forbidden"), vidgen.InsufficientCredits),
        (404, error_body("ModelNotOpen", "not activated", "NotFound"), vidgen.PermissionDenied),
        (429, error_body("RateLimitExceeded.EndpointTPMExceeded", "slow down", "TooManyRequests"), vidgen.RateLimited),
        (500, error_body("InternalServiceError", "oops", "InternalServerError"), vidgen.ServerError),
    ]  # fmt: skip

    def status_body(self, status: str) -> Any:
        return {**RUNNING, "status": status}

    def test_strict_fit_refuses_undocumented_values(self) -> None:
        """The kit's check, with the aspects compared the way vidgen normalises them.

        The kit looks for an aspect the catalog lacks by comparing unreduced names
        ("21:9") with the catalog's reduced ones (vidgen files 21:9 as "7:3"), so it asks
        a model that renders 21:9 for 21:9 and expects a refusal. Until the core names 21:9
        one way, the same check runs here on normalised aspects.
        """
        provider = self.make_provider()
        today = dt.date(2026, 1, 1)
        for spec in provider.catalog.models:
            odd = max(spec.durations) + 1
            assert _refused(provider, spec.id, today, duration=odd) == "duration", spec.id
            aspects = {s.aspect for s in spec.sizes}
            unusual = next(
                a
                for a in ("21:9", "4:3", "3:4", "9:21", "5:4")
                if vidgen.VideoRequest(prompt="x", aspect=a).aspect not in aspects
            )
            assert _refused(provider, spec.id, today, aspect=unusual) == "aspect", spec.id


def _refused(provider: Provider, model: str, today: dt.date, **fields: Any) -> str:
    request = vidgen.VideoRequest(prompt="a calm sea", model=model, **fields)
    try:
        provider.fit(request, policy="strict", allow_retired=True, today=today)
    except vidgen.UnsupportedRequest as exc:
        return exc.param
    return "accepted under strict"
