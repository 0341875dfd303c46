"""Ark's error table: every documented code becomes its neutral error, with a hint."""

from __future__ import annotations

from typing import Any

import pytest
from byteplus_payloads import ERROR_ROWS, KEY, TASKS, error_body

import vidgen
from vidgen.provider import Provider
from vidgen.testing import make_response


@pytest.fixture
def provider() -> Provider:
    return vidgen.get_provider("byteplus", api_key=KEY)


@pytest.mark.parametrize(
    ("status", "code", "kind", "error", "retryable", "message"),
    ERROR_ROWS,
    ids=[f"{row[0]}-{row[1]}" for row in ERROR_ROWS],
)
def test_every_documented_code_maps(
    provider: Provider,
    status: int,
    code: str,
    kind: str,
    error: type[vidgen.ProviderError],
    retryable: bool,
    message: str,
) -> None:
    response = make_response(
        status, json=error_body(code, message, kind), headers={"x-request-id": "r-1"}, url=TASKS
    )
    parsed = provider.parse_error(response)
    assert type(parsed) is error
    assert (parsed.status_code, parsed.provider_code, parsed.retryable) == (status, code, retryable)
    assert parsed.message == message
    assert parsed.request_id == "r-1"
    assert parsed.hint
    assert KEY not in str(parsed)


def test_an_invalid_parameter_names_the_field(provider: Provider) -> None:
    body = error_body("InvalidParameter", "duration is invalid", "BadRequest", param="duration")
    parsed = provider.parse_error(make_response(400, json=body, url=TASKS))
    assert parsed.param == "duration"
    assert parsed.hint is not None
    assert "'duration'" in parsed.hint


def test_model_ids_are_explained_on_not_found(provider: Provider) -> None:
    body = error_body("InvalidEndpointOrModel.NotFound", "no such model", "NotFound")
    parsed = provider.parse_error(make_response(404, json=body, url=TASKS))
    assert parsed.hint is not None
    assert "dreamina-seedance" in parsed.hint


def test_a_rate_limit_keeps_the_servers_wait(provider: Provider) -> None:
    body = error_body("TooManyRequests", "slow down", "TooManyRequests")
    parsed = provider.parse_error(
        make_response(429, json=body, headers={"Retry-After": "7"}, url=TASKS)
    )
    assert isinstance(parsed, vidgen.RateLimited)
    assert parsed.retry_after == 7.0


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (502, b"<html>Bad Gateway</html>", vidgen.ServerError),
        (400, b"", vidgen.InvalidRequest),
        (401, b'{"error": "unauthorized"}', vidgen.AuthenticationError),
        (403, b'{"error": {"code": 7}}', vidgen.PermissionDenied),
        (418, b'{"error": {"code": "Teapot", "message": "short and stout"}}', vidgen.ProviderError),
    ],
)
def test_unknown_or_odd_bodies_fall_back_to_the_status(
    provider: Provider, status: int, body: bytes, error: type[vidgen.ProviderError]
) -> None:
    parsed = provider.parse_error(make_response(status, content=body, url=TASKS))
    assert type(parsed) is error
    assert parsed.provider == "byteplus"


def test_a_running_task_cannot_be_cancelled(provider: Provider) -> None:
    # Seen live by a third party: DELETE on a running task answers 409.
    parsed = provider.parse_error(make_response(409, content=b"{}", method="DELETE", url=TASKS))
    assert parsed.retryable is False
    assert parsed.hint is not None
    assert "queued" in parsed.hint


def test_errors_never_show_the_key(provider: Provider) -> None:
    body: Any = error_body("AuthenticationError", f"bad key {KEY[:4]}", "Unauthorized")
    parsed = provider.parse_error(make_response(401, json=body, url=TASKS))
    assert KEY not in str(parsed)
    assert KEY not in repr(parsed)
