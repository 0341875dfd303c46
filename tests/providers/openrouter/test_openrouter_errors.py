"""OpenRouter's error answers as vidgen's errors."""

from __future__ import annotations

from typing import Any

import pytest
from openrouter_payloads import ERROR_ROWS, KEY, error_body

import vidgen
from vidgen.provider import Provider
from vidgen.testing import make_response


@pytest.mark.parametrize(
    ("status", "message", "error"), ERROR_ROWS, ids=[str(row[0]) for row in ERROR_ROWS]
)
def test_the_documented_errors(
    provider: Provider, status: int, message: str, error: type[vidgen.ProviderError]
) -> None:
    raised = provider.parse_error(make_response(status, json=error_body(status, message)))
    assert type(raised) is error
    assert raised.message == message
    assert (raised.status_code, raised.provider_code, raised.provider) == (
        status,
        str(status),
        "openrouter",
    )
    assert raised.retryable is (status in (429, 500))


def test_hints_name_the_fix(provider: Provider) -> None:
    unauthorized = provider.parse_error(make_response(401, json=error_body(401, "No auth")))
    assert "OPENROUTER_API_KEY" in str(unauthorized)
    broke = provider.parse_error(make_response(402, json=error_body(402, "Insufficient credits")))
    assert "https://openrouter.ai/credits" in str(broke)


@pytest.mark.parametrize(
    "body",
    [
        {
            "error": {
                "code": 403,
                "message": "Your input was flagged",
                "metadata": {"reasons": ["violence"], "flagged_input": "..."},
            }
        },
        {"error": {"code": 400, "message": "Prompt rejected by the provider's content moderation"}},
    ],
)
def test_moderation_is_a_content_policy_violation(provider: Provider, body: Any) -> None:
    status = body["error"]["code"]
    raised = provider.parse_error(make_response(status, json=body))
    assert isinstance(raised, vidgen.ContentPolicyViolation)
    assert raised.code == "content_policy"


def test_other_403s_are_permission_denied(provider: Provider) -> None:
    raised = provider.parse_error(make_response(403, json=error_body(403, "Key disabled")))
    assert type(raised) is vidgen.PermissionDenied


def test_a_body_over_50_mib(provider: Provider) -> None:
    raised = provider.parse_error(make_response(413, content=b"Payload Too Large"))
    assert isinstance(raised, vidgen.InvalidRequest)
    assert raised.hint is not None
    assert "URL" in raised.hint


def test_rate_limits_carry_retry_after(provider: Provider) -> None:
    raised = provider.parse_error(
        make_response(
            429, json=error_body(429, "Rate limit exceeded"), headers={"Retry-After": "7"}
        )
    )
    assert isinstance(raised, vidgen.RateLimited)
    assert raised.retry_after == 7.0


@pytest.mark.parametrize("status", [502, 503])
def test_upstream_outages_are_server_errors(provider: Provider, status: int) -> None:
    raised = provider.parse_error(make_response(status, json=error_body(status, "No endpoints")))
    assert isinstance(raised, vidgen.ServerError)
    assert raised.retryable
    assert raised.hint is not None


@pytest.mark.parametrize(
    "content",
    [b"<html>502 Bad Gateway</html>", b"", b"\xff\xfe", b'{"error": "plain text"}', b"[1, 2]"],
)
def test_unreadable_error_bodies_still_give_an_error(provider: Provider, content: bytes) -> None:
    raised = provider.parse_error(make_response(500, content=content))
    assert isinstance(raised, vidgen.ServerError)
    assert raised.message.startswith("HTTP 500")
    assert KEY not in str(raised)
