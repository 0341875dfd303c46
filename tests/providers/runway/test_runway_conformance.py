"""The conformance kit on the ``runway`` provider."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import pytest
from runway_payloads import CREATED, ERROR_ROWS, KEY, PENDING, SUCCEEDED

from vidgen import JobStatus, ProviderError, Reference, UnsupportedRequest, VideoRequest
from vidgen.testing import ProviderConformance, check_provider

_CANDIDATES = ("21:9", "4:3", "3:4", "9:21", "5:4")
_IMAGE = Reference.from_url("https://images.example.com/first.jpg")


class TestRunwayConformance(ProviderConformance):
    provider_name = "runway"
    api_key = KEY
    statuses: ClassVar[dict[str, JobStatus]] = {
        "PENDING": JobStatus.QUEUED,
        "THROTTLED": JobStatus.QUEUED,
        "RUNNING": JobStatus.RUNNING,
        "SUCCEEDED": JobStatus.SUCCEEDED,
        "FAILED": JobStatus.FAILED,
        "CANCELLED": JobStatus.CANCELLED,
    }
    submit_body = CREATED
    # The outputs page's example (its URL is on Runway's CDN, not the API), created just
    # before the kit's fake clock (2025-10-09T08:53:20Z) so its 24-hour links are not past.
    succeeded_body: ClassVar[dict[str, Any]] = {
        **SUCCEEDED,
        "createdAt": "2025-10-09T08:50:00.000Z",
    }
    error_bodies: ClassVar[list[tuple[int, Any, type[ProviderError]]]] = [
        (status, body, cls) for status, body, cls, _ in ERROR_ROWS
    ]

    def status_body(self, status: str) -> Any:
        return {**PENDING, "status": status}

    def test_meets_the_basic_contract(self) -> None:
        """The kit's `check_provider`, where Gen-4 Turbo is the one expected problem.

        Gen-4 Turbo makes videos only from an image, and the kit fits a plain text request
        to every model; the catalog has no way to say "a first frame is required", so the
        provider refuses it in `check_fitted` (both policies: nothing can be adjusted into
        an image). Everything else the kit checks must hold.
        """
        problems = check_provider(self.make_provider())
        assert len(problems) == 1, problems
        assert problems[0].startswith("runway/gen4_turbo: a plain request does not fit")
        assert "only from an image" in problems[0]

    @pytest.mark.xfail(strict=True, reason="gen4_turbo needs a first frame (see above)")
    def test_the_kits_own_basic_contract(self) -> None:
        super().test_meets_the_basic_contract()

    def test_strict_fit_refuses_undocumented_values(self) -> None:
        """The kit's check, with an image for Gen-4 Turbo and aspects read as vidgen reads
        a request (its core reduces "21:9" to "7:3", and so files the 21:9 size tables
        Runway's pixel ratios need)."""
        provider = self.make_provider()
        today = dt.date(2026, 1, 1)
        for spec in provider.catalog.models:
            image_only = spec.wire.get("endpoints") == ["image_to_video"]
            base: dict[str, Any] = {"prompt": "a calm sea", "model": spec.id}
            if image_only:
                base["reference"] = _IMAGE
            odd = max(spec.durations) + 1
            assert _refusal(provider, VideoRequest(**base, duration=odd), today) == "duration"
            aspects = {s.aspect for s in spec.sizes}
            unusual = next(
                a
                for a in _CANDIDATES
                if VideoRequest(prompt="x", aspect=a).aspect not in aspects and a not in aspects
            )
            request = VideoRequest(**base, aspect=unusual)
            assert _refusal(provider, request, today) == "aspect", f"{spec.id}: {unusual}"

    @pytest.mark.xfail(
        strict=True,
        reason="gen4_turbo needs a first frame; core quirk: '21:9' is read as '7:3'",
    )
    def test_the_kits_own_strict_fit_check(self) -> None:
        super().test_strict_fit_refuses_undocumented_values()


def _refusal(provider: Any, request: VideoRequest, today: dt.date) -> str:
    try:
        provider.fit(request, policy="strict", allow_retired=True, today=today)
    except UnsupportedRequest as exc:
        return exc.param
    return "accepted under strict"
