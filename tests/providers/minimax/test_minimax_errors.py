"""MiniMax's errors: V2's HTTP errors with the internal code in the message, and V1's
``base_resp`` codes sent with HTTP 200."""

from __future__ import annotations

from typing import Any

import pytest
from minimax_payloads import (
    API,
    BASE_RESP_ROWS,
    KEY,
    V2_ERRORS,
    V2_QUERY_URL,
    V2_REQUEST_ID,
    base_resp,
    v2_error,
)

import vidgen
from vidgen.provider import Provider
from vidgen.testing import make_response


@pytest.fixture
def provider() -> Provider:
    return vidgen.get_provider("minimax", api_key=KEY)


@pytest.mark.parametrize(
    ("status", "body", "error", "retryable"), V2_ERRORS, ids=[str(row[0]) for row in V2_ERRORS]
)
def test_v2_documented_errors(
    provider: Provider, status: int, body: Any, error: type[vidgen.ProviderError], retryable: bool
) -> None:
    parsed = provider.parse_error(
        make_response(status, json=body, url=f"{API}/v2/video_generation")
    )
    assert type(parsed) is error
    assert parsed.retryable is retryable
    assert parsed.status_code == status
    assert parsed.request_id == V2_REQUEST_ID
    assert parsed.provider_code == body["error"]["message"][-5:-1]  # the "(1004)" code
    assert parsed.hint


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        ("authorized_error", 401, vidgen.AuthenticationError),
        ("rate_limit_error", 429, vidgen.RateLimited),
        ("overloaded_error", 529, vidgen.ServerError),
        ("insufficient_balance_error", 402, vidgen.InsufficientCredits),
    ],
)
def test_v2_error_type_without_a_code(
    provider: Provider, kind: str, status: int, error: type[vidgen.ProviderError]
) -> None:
    body = v2_error(kind, "something went wrong", str(status))
    assert type(provider.parse_error(make_response(status, json=body, url=V2_QUERY_URL))) is error


def test_v2_an_old_task_is_not_found(provider: Provider) -> None:
    body = v2_error("bad_request_error", "invalid task_id", "400")
    parsed = provider.parse_error(make_response(400, json=body, url=V2_QUERY_URL))
    assert isinstance(parsed, vidgen.NotFound)
    assert parsed.hint is not None
    assert "7 days" in parsed.hint


def test_v2_an_overloaded_answer_is_retryable(provider: Provider) -> None:
    parsed = provider.parse_error(make_response(529, content=b"overloaded", url=V2_QUERY_URL))
    assert isinstance(parsed, vidgen.ServerError)
    assert parsed.retryable is True


@pytest.mark.parametrize(
    ("code", "message", "error", "retryable", "http"),
    BASE_RESP_ROWS,
    ids=[str(row[0]) for row in BASE_RESP_ROWS],
)
def test_v1_base_resp_codes_on_create(
    provider: Provider,
    code: int,
    message: str,
    error: type[vidgen.ProviderError],
    retryable: bool,
    http: int,
) -> None:
    response = make_response(
        json={"task_id": "", **base_resp(code, message)}, url=f"{API}/v1/video_generation"
    )
    with pytest.raises(vidgen.ProviderError) as caught:
        provider.parse_submit(response)
    raised = caught.value
    assert type(raised) is error
    assert (raised.provider_code, raised.retryable, raised.status_code) == (
        str(code),
        retryable,
        http,
    )
    assert message in raised.message
    assert "HTTP 200" in raised.message  # what MiniMax really sent


def test_v1_an_unknown_code_is_still_an_error(provider: Provider) -> None:
    response = make_response(
        json=base_resp(2999, "something new"), url=f"{API}/v1/video_generation"
    )
    with pytest.raises(vidgen.InvalidRequest):
        provider.parse_submit(response)
    response = make_response(
        json=base_resp(1500, "something else"), url=f"{API}/v1/video_generation"
    )
    with pytest.raises(vidgen.ProviderError):
        provider.parse_submit(response)


def test_a_rate_limit_on_v1_keeps_the_server_wait(provider: Provider) -> None:
    response = make_response(
        json=base_resp(1002, "rate limit"),
        headers={"Retry-After": "3"},
        url=f"{API}/v1/video_generation",
    )
    with pytest.raises(vidgen.RateLimited) as caught:
        provider.parse_submit(response)
    assert caught.value.retry_after == 3.0


def test_errors_never_show_the_key(provider: Provider) -> None:
    body = v2_error("authorized_error", "login fail (1004)", "401")
    parsed = provider.parse_error(make_response(401, json=body, url=V2_QUERY_URL))
    assert KEY not in str(parsed)
    assert "MINIMAX_API_KEY" in str(parsed)
