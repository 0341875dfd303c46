"""The ``apiyi`` provider: APIYI's Sora 2 official relay, an OpenAI-compatible ``/v1/videos``.

Everything APIYI does differently from OpenAI is kept here: the legacy ``submitted``
status, the wrapped error body, the billing-group errors, how 403 and 429 are told apart,
and the slower polling APIYI recommends. The durations, sizes and prices are in
``catalog.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from vidgen import (
    AuthenticationError,
    ContentPolicyViolation,
    InsufficientCredits,
    JobStatus,
    PermissionDenied,
    PollPolicy,
    ProviderError,
    RateLimited,
    ServerError,
    UpstreamError,
)
from vidgen_openai import VideosAPIProvider
from vidgen_openai.protocol import ErrorFields

__all__ = ["ApiyiProvider"]

_POLICY = (
    "content_policy",
    "content policy",
    "policy_violation",
    "moderation",
    "safety",
    "sensitive",
    "content_filter",
    "违规",
    "敏感",
    "审核",
)
_BILLING = ("billing", "group", "usage-based", "按量", "分组", "计费", "官转", "渠道", "channel")
_BALANCE = ("balance", "insufficient", "quota", "credit", "top up", "余额", "额度")
_UPSTREAM = ("upstream", "上游")

_BILLING_FIX = (
    "In the APIYI console, put the key in the Sora2官转 (official relay) group with usage-based "
    "billing; per-request billing groups cannot reach the official relay"
)


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


class ApiyiProvider(VideosAPIProvider):
    """APIYI's Sora 2 official relay.

    Settings: ``api_key`` (default ``$APIYI_API_KEY``), ``base_url`` (default
    ``https://api.apiyi.com/v1``), ``models`` (catalog overrides from the profile).
    """

    name = "apiyi"
    display_name = "APIYI (Sora 2 official relay)"
    api_key_env = "APIYI_API_KEY"
    default_base_url = "https://api.apiyi.com/v1"
    catalog_package = "vidgen_apiyi"
    docs_url = "https://docs.apiyi.com"
    # APIYI recommends polling every 10-30 s (shared/vendor-docs/apiyi-sora2-overview.txt).
    default_poll: ClassVar[PollPolicy | None] = PollPolicy(initial=10.0, factor=1.5, maximum=30.0)
    status_map: ClassVar[Mapping[str, JobStatus]] = {
        **VideosAPIProvider.status_map,
        # The withdrawn reverse-engineered channel answered "submitted" (WIRE.md 7 row 16).
        "submitted": JobStatus.QUEUED,
    }

    def error_fields(self, body: Any) -> Mapping[str, Any] | None:
        """OpenAI's ``{"error": {...}}``, or APIYI's ``{"message", "data": {"error": {...}}}``."""
        if isinstance(body, Mapping):
            data = body.get("data")
            if isinstance(data, Mapping) and isinstance(data.get("error"), Mapping):
                inner: Mapping[str, Any] = data["error"]
                if not inner.get("message") and isinstance(body.get("message"), str):
                    return {**inner, "message": body["message"]}
                return inner
            plain = super().error_fields(body)
            if plain is not None:
                return plain
            if isinstance(body.get("message"), str):
                return {"message": body["message"]}
        return None

    def classify_error(self, status_code: int, fields: ErrorFields) -> type[ProviderError]:
        """Tells apart what APIYI sends with one status: 403 policy vs billing, 429 rate vs balance."""
        text = " ".join(filter(None, (fields.code, fields.type, fields.message))).lower()
        if _has(text, _POLICY):
            return ContentPolicyViolation
        # One-api style relays answer "quota is not enough" with 402, 403 or 429: a top-up
        # fixes it, not a billing-group change.
        if status_code == 402 or (status_code in (403, 429) and _has(text, _BALANCE)):
            return InsufficientCredits
        if status_code == 401:
            return AuthenticationError
        if status_code == 403:
            return PermissionDenied
        if status_code == 429:
            return RateLimited
        if status_code >= 500:
            return UpstreamError if _has(text, _UPSTREAM) else ServerError
        return super().classify_error(status_code, fields)

    def error_hint(self, cls: type[ProviderError], fields: ErrorFields) -> str | None:
        """APIYI's own advice for each kind of error."""
        text = " ".join(filter(None, (fields.code, fields.type, fields.message))).lower()
        if cls is AuthenticationError:
            return f"Check the key in {self.key_env}. {_BILLING_FIX}"
        if cls is PermissionDenied:
            if _has(text, _BILLING):
                return _BILLING_FIX
            return f"Unless this is a content-policy refusal: {_BILLING_FIX[0].lower()}{_BILLING_FIX[1:]}"
        if cls is InsufficientCredits:
            return "Top up the APIYI balance; the key works again right after"
        if cls is RateLimited:
            return "Slow down and retry with backoff (APIYI: polling every 10-30 s is enough)"
        if issubclass(cls, ServerError):
            return "APIYI or its upstream failed; retry the task 1-2 times (failed tasks are not billed)"
        return super().error_hint(cls, fields)
