"""The vendor's error table in the neutral tree, and what the client resends."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aivideoapi_payloads import API, CREATE_URL, CREATED, CREATED_ID, ERROR_ROWS, error_body

import vidgen
from vidgen.provider import Provider
from vidgen.testing import FakeClock, FakeServer, make_response, reply

MakeClient = Callable[..., vidgen.Client]
ROW_IDS = [f"{status}-{code}" for status, code, *_ in ERROR_ROWS]


@pytest.mark.parametrize(
    ("status", "code", "kind", "error", "retryable", "message"), ERROR_ROWS, ids=ROW_IDS
)
def test_error_table_row(
    provider: Provider,
    status: int,
    code: str,
    kind: str,
    error: type[vidgen.ProviderError],
    retryable: bool,
    message: str,
) -> None:
    body = error_body(code, message, kind)
    response = make_response(status, json=body, headers={"x-request-id": "req-42"})
    parsed = provider.parse_error(response)
    assert type(parsed) is error
    assert parsed.provider == "aivideoapi"
    assert parsed.status_code == status
    assert parsed.provider_code == code
    assert parsed.message == message
    assert parsed.request_id == "req-42"
    assert parsed.retryable is retryable
    assert parsed.hint  # every row says what to do
    assert parsed.body == body
    text = str(parsed)
    assert message in text
    assert f"code {code}" in text
    assert "req-42" in text


def test_the_two_404s_are_told_apart(provider: Provider) -> None:
    model = provider.parse_error(
        make_response(404, json=error_body("model_not_found", "m", "invalid_request_error"))
    )
    task = provider.parse_error(
        make_response(404, json=error_body("task_not_found", "t", "invalid_request_error"))
    )
    assert isinstance(model, vidgen.NotFound)
    assert isinstance(task, vidgen.NotFound)
    assert (model.provider_code, task.provider_code) == ("model_not_found", "task_not_found")
    assert model.hint != task.hint
    assert "model" in (model.hint or "")
    assert "job id" in (task.hint or "")


def test_the_two_429s_differ_in_whether_to_retry(provider: Provider) -> None:
    rate = provider.parse_error(
        make_response(
            429,
            json=error_body("rate_limit_exceeded", "slow down", "rate_limit_error"),
            headers={"Retry-After": "7"},
        )
    )
    spend = provider.parse_error(
        make_response(429, json=error_body("spend_limit_exceeded", "limit", "billing_error"))
    )
    assert isinstance(rate, vidgen.RateLimited)
    assert rate.retryable
    assert rate.retry_after == 7.0
    assert isinstance(spend, vidgen.InsufficientCredits)
    assert not isinstance(spend, vidgen.RateLimited)
    assert not spend.retryable
    assert "spend limit" in (spend.hint or "")


def test_invalid_api_key_names_the_environment_variable(provider: Provider) -> None:
    error = provider.parse_error(
        make_response(401, json=error_body("invalid_api_key", "bad", "authentication_error"))
    )
    assert "AIVIDEOAPI_API_KEY" in str(error)


def test_upstream_error_is_a_server_error(provider: Provider) -> None:
    error = provider.parse_error(
        make_response(503, json=error_body("upstream_error", "x", "upstream_error"))
    )
    assert isinstance(error, vidgen.ServerError)
    assert error.code == "upstream_error"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, vidgen.InvalidRequest),
        (402, vidgen.InsufficientCredits),
        (409, vidgen.ServerError),
        (429, vidgen.RateLimited),
        (502, vidgen.ServerError),
    ],
)
def test_unknown_code_falls_back_on_the_http_status(
    provider: Provider, status: int, error: type[vidgen.ProviderError]
) -> None:
    body = error_body("brand_new_code", "something new", "new_error")
    parsed = provider.parse_error(make_response(status, json=body))
    assert type(parsed) is error
    assert parsed.provider_code == "brand_new_code"
    assert parsed.message == "something new"
    assert parsed.retryable is error.default_retryable


@pytest.mark.parametrize(
    ("content", "status", "error"),
    [
        (b"<html>502 Bad Gateway</html>", 502, vidgen.ServerError),
        (b'{"error": "just a string"}', 400, vidgen.InvalidRequest),
        (b'{"error": {"code": ["not", "a", "string"]}}', 403, vidgen.PermissionDenied),
        (b"[]", 401, vidgen.AuthenticationError),
        (b"", 404, vidgen.NotFound),
    ],
    ids=["html", "error-string", "error-bad-fields", "list", "empty"],
)
def test_error_bodies_not_in_the_documented_shape(
    provider: Provider, content: bytes, status: int, error: type[vidgen.ProviderError]
) -> None:
    parsed = provider.parse_error(make_response(status, content=content))
    assert type(parsed) is error
    assert parsed.status_code == status
    assert parsed.message  # never empty


# -- what a submit does with each answer ---------------------------------------------------------


def test_submit_answered_by_rate_limit_is_resent(clock: FakeClock, make_client: MakeClient) -> None:
    limited = error_body("rate_limit_exceeded", "Too many requests", "rate_limit_error")
    script = FakeServer().on(
        "POST",
        CREATE_URL,
        reply(429, json=limited, headers={"Retry-After": "3"}),
        reply(json=CREATED),
    )
    job = make_client(script).submit(vidgen.VideoRequest(prompt="x", duration=8))
    assert job.id == CREATED_ID
    assert len(script.sent("POST")) == 2
    assert clock.sleeps == [3.0]  # the server's Retry-After
    assert script.body(0) == script.body(1)


def test_submit_rate_limited_every_time_gives_up(clock: FakeClock, make_client: MakeClient) -> None:
    limited = error_body("rate_limit_exceeded", "Too many requests", "rate_limit_error")
    script = FakeServer().on("POST", CREATE_URL, *[reply(429, json=limited)] * 3)
    client = make_client(script)
    with pytest.raises(vidgen.RateLimited):
        client.submit(vidgen.VideoRequest(prompt="x"))
    assert len(script.sent("POST")) == 3  # RetryPolicy().submit_attempts
    assert len(clock.sleeps) == 2


def test_submit_answered_by_spend_limit_is_not_resent(
    clock: FakeClock, make_client: MakeClient
) -> None:
    spent = error_body("spend_limit_exceeded", "Key spend limit reached", "billing_error")
    script = FakeServer().on("POST", CREATE_URL, reply(429, json=spent), reply(json=CREATED))
    client = make_client(script)
    with pytest.raises(vidgen.InsufficientCredits) as caught:
        client.submit(vidgen.VideoRequest(prompt="x"))
    assert caught.value.provider_code == "spend_limit_exceeded"
    assert len(script.sent("POST")) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [(500, "internal_error", vidgen.ServerError), (503, "upstream_error", vidgen.UpstreamError)],
)
def test_submit_answered_by_a_server_error_is_not_resent(
    make_client: MakeClient, status: int, code: str, error: type[vidgen.ProviderError]
) -> None:
    # The task may have been created: a resend could pay twice.
    script = FakeServer().on(
        "POST", CREATE_URL, reply(status, json=error_body(code, "boom", "api_error"))
    )
    client = make_client(script)
    with pytest.raises(error) as caught:
        client.submit(vidgen.VideoRequest(prompt="x"))
    assert len(script.sent("POST")) == 1
    assert "not resent" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("status", "code", "kind", "error", "retryable", "message"),
    [row for row in ERROR_ROWS if row[0] in (400, 401, 402, 403) or row[1] == "model_not_found"],
    ids=["400", "401", "402", "403", "404-model"],
)
def test_submit_refused_by_a_client_error_is_not_resent(
    make_client: MakeClient,
    status: int,
    code: str,
    kind: str,
    error: type[vidgen.ProviderError],
    retryable: bool,
    message: str,
) -> None:
    script = FakeServer().on(
        "POST", CREATE_URL, reply(status, json=error_body(code, message, kind))
    )
    with pytest.raises(error):
        make_client(script).submit(vidgen.VideoRequest(prompt="x"))
    assert len(script.sent("POST")) == 1


def test_query_of_an_unknown_task_is_not_found_without_retries(make_client: MakeClient) -> None:
    missing = error_body("task_not_found", "Task ID does not exist", "invalid_request_error")
    script = FakeServer().on("GET", f"{API}/tasks/nope", reply(404, json=missing))
    with pytest.raises(vidgen.NotFound) as caught:
        make_client(script).get("nope")
    assert caught.value.provider_code == "task_not_found"
    assert len(script.requests) == 1


def test_query_answered_by_a_server_error_is_retried(make_client: MakeClient) -> None:
    script = FakeServer().on(
        "GET",
        f"{API}/tasks/{CREATED_ID}",
        reply(500, json=error_body("internal_error", "Unexpected server error", "api_error")),
        reply(json={"id": CREATED_ID, "status": "pending", "model": "sora-2"}),
    )
    job = make_client(script).get(CREATED_ID)
    assert job.status is vidgen.JobStatus.QUEUED
    assert len(script.requests) == 2


def test_query_answered_by_spend_limit_is_not_retried(
    clock: FakeClock, make_client: MakeClient
) -> None:
    spent = error_body("spend_limit_exceeded", "Key spend limit reached", "billing_error")
    script = FakeServer().on("GET", f"{API}/tasks/{CREATED_ID}", reply(429, json=spent))
    with pytest.raises(vidgen.InsufficientCredits):
        make_client(script).get(CREATED_ID)
    assert len(script.requests) == 1
    assert clock.sleeps == []


def test_query_answered_by_rate_limit_is_retried_after_the_hint(
    clock: FakeClock, make_client: MakeClient
) -> None:
    limited = error_body("rate_limit_exceeded", "Too many requests", "rate_limit_error")
    script = FakeServer().on(
        "GET",
        f"{API}/tasks/{CREATED_ID}",
        reply(429, json=limited, headers={"Retry-After": "4"}),
        reply(json={"id": CREATED_ID, "status": "processing", "progress": None}),
    )
    job = make_client(script).get(CREATED_ID)
    assert job.status is vidgen.JobStatus.RUNNING
    assert len(script.requests) == 2
    assert clock.sleeps == [4.0]
