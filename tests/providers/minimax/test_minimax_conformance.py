"""The conformance kit on the ``minimax`` provider (V2 and V1 statuses, both error forms)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from minimax_payloads import V1_PROCESSING, V2_CREATED, V2_ERRORS, V2_SUCCEEDED, v2_task

import vidgen
from vidgen import JobStatus
from vidgen.provider import Provider
from vidgen.testing import ProviderConformance

V1_STATUSES = {"Preparing", "Queueing", "Processing", "Success", "Fail"}


class TestMinimaxConformance(ProviderConformance):
    provider_name = "minimax"
    api_key = "mm-conformance-0123456789abcdef"
    statuses: ClassVar[dict[str, JobStatus]] = {
        # V2 (MiniMax-H3)
        "queued": JobStatus.QUEUED,
        "running": JobStatus.RUNNING,
        "succeeded": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
        "cancelled": JobStatus.CANCELLED,
        "expired": JobStatus.FAILED,
        # V1 (Hailuo): Success means rendered; the download URL is one more read away.
        "Preparing": JobStatus.QUEUED,
        "Queueing": JobStatus.QUEUED,
        "Processing": JobStatus.RUNNING,
        "Success": JobStatus.RUNNING,
        "Fail": JobStatus.FAILED,
    }
    submit_body = V2_CREATED
    succeeded_body = V2_SUCCEEDED
    error_bodies: ClassVar[list[tuple[int, Any, type[vidgen.ProviderError]]]] = [
        (status, body, cls) for status, body, cls, _ in V2_ERRORS
    ]

    def status_body(self, status: str) -> Any:
        if status in V1_STATUSES:
            return {**V1_PROCESSING, "status": status, "file_id": "176844028768320"}
        return v2_task(status)

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
