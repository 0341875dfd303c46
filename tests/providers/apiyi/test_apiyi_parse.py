"""Sans-IO: how the ``apiyi`` provider reads APIYI's statuses and error bodies.

The bodies follow APIYI's documents (shared/vendor-docs/apiyi-text-to-video-reference.txt,
apiyi-sora2-overview.txt, apiyi-blog-seconds-error.txt) and WIRE.md sections 1.4, 1.8 and 2.
Where APIYI documents only a status code and its meaning, the message text is illustrative.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

import vidgen
from vidgen import JobStatus
from vidgen.provider import Provider
from vidgen.testing import FakeClock, FakeServer, fake_client, make_response, reply

URL = "https://api.apiyi.com/v1/videos"
VIDEO_ID = "video_abc123def456"
BILLING_FIX = ("Sora2官转", "usage-based billing")


@pytest.fixture
def apiyi() -> Provider:
    return vidgen.get_provider("apiyi", api_key="sk-test")


def video(status: str, **fields: Any) -> dict[str, Any]:
    """APIYI's documented video object (apiyi-text-to-video-reference.txt)."""
    return {
        "id": VIDEO_ID,
        "object": "video",
        "model": "sora-2",
        "status": status,
        "progress": 0,
        "created_at": 1712697600,
        "size": "1280x720",
        "seconds": "8",
        "quality": "standard",
        **fields,
    }


def error_response(status: int, body: Any, **headers: str) -> httpx.Response:
    return make_response(
        status,
        json=body,
        headers={"x-request-id": f"req_{status}", **headers},
        method="POST",
        url=URL,
    )


def openai_error(message: str, code: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"error": {"message": message, "type": None, "param": None, "code": code, **fields}}


# -- statuses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "status"),
    [
        ("queued", JobStatus.QUEUED),
        ("in_progress", JobStatus.RUNNING),
        ("completed", JobStatus.SUCCEEDED),
        ("failed", JobStatus.FAILED),
        # The withdrawn reverse-engineered channel's first status (WIRE.md 2, 7 row 16).
        ("submitted", JobStatus.QUEUED),
        ("SUBMITTED", JobStatus.QUEUED),
        # Never seen from APIYI: unknown, not a crash.
        ("processing", JobStatus.UNKNOWN),
        ("expired", JobStatus.UNKNOWN),
        ("", JobStatus.UNKNOWN),
    ],
)
def test_every_status(apiyi, wire, status) -> None:
    job = apiyi.parse_status(make_response(json=video(wire)))

    assert job.status is status
    assert job.raw["status"] == wire
    assert job.is_terminal == (status in (JobStatus.SUCCEEDED, JobStatus.FAILED))


def test_missing_status_is_unknown(apiyi) -> None:
    body = video("queued")
    del body["status"]

    assert apiyi.parse_status(make_response(json=body)).status is JobStatus.UNKNOWN


def test_documented_create_response(apiyi) -> None:
    job = apiyi.parse_submit(
        make_response(json=video("queued"), headers={"x-request-id": "req_1"}, method="POST")
    )

    assert job.id == VIDEO_ID
    assert job.provider == "apiyi"
    assert job.model == "sora-2"
    assert job.status is JobStatus.QUEUED
    assert job.progress == 0
    assert job.created_at == dt.datetime(2024, 4, 9, 21, 20, tzinfo=dt.timezone.utc)
    assert job.seconds == 8
    assert job.size == "1280x720"
    assert job.outputs == ()
    assert job.request_id == "req_1"
    assert job.raw["quality"] == "standard"  # kept, though vidgen has no field for it


def test_legacy_submitted_create_response(apiyi) -> None:
    # The legacy manual's example: {"id":"video_abc123def456","status":"submitted","progress":0,...}
    job = apiyi.parse_submit(
        make_response(json={"id": VIDEO_ID, "status": "submitted", "progress": 0}, method="POST")
    )

    assert job.status is JobStatus.QUEUED
    assert not job.is_terminal


def test_completed_video_has_one_output_until_it_expires(apiyi) -> None:
    body = video("completed", progress=100, completed_at=1712697900, expires_at=1712784000)

    job = apiyi.parse_status(make_response(json=body))

    assert job.completed_at == dt.datetime(2024, 4, 9, 21, 25, tzinfo=dt.timezone.utc)
    assert job.expires_at - job.created_at == dt.timedelta(days=1)
    [output] = job.outputs
    assert (output.kind, output.ref, output.expires_at) == ("video", VIDEO_ID, job.expires_at)
    assert job.error is None


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ({"code": "moderation_blocked", "message": "flagged by moderation"}, "content_policy"),
        ({"code": "server_error", "message": "upstream capacity"}, "server_error"),
        ({"code": "generation_failed", "message": "could not render"}, "generation_failed"),
        (None, "generation_failed"),
    ],
)
def test_failed_generation_is_in_band(apiyi, error, code) -> None:
    job = apiyi.parse_status(make_response(json=video("failed", error=error)))

    assert job.status is JobStatus.FAILED
    assert job.outputs == ()
    assert job.error is not None
    assert job.error.code == code
    if error is not None:
        assert job.error.provider_code == error["code"]
        assert job.error.message == error["message"]


@pytest.mark.parametrize(
    "response",
    [
        make_response(json={"object": "video", "status": "queued"}),
        make_response(content=b"<html>502 Bad Gateway</html>"),
        make_response(json=["not", "an", "object"]),
    ],
    ids=["no-id", "not-json", "not-an-object"],
)
def test_unreadable_body_is_a_protocol_error(apiyi, response) -> None:
    with pytest.raises(vidgen.ProtocolError) as caught:
        apiyi.parse_status(response)

    assert caught.value.provider == "apiyi"
    assert caught.value.body is not None


# -- error bodies -------------------------------------------------------------------------------

BLOG_MESSAGE = "Invalid value: '10'. Supported values are: '4', '8', and '12'."
BLOG_INNER = {
    "code": "invalid_value",
    "message": BLOG_MESSAGE,
    "param": "seconds",
    "type": "invalid_request_error",
}


@pytest.mark.parametrize(
    "body",
    [
        {"error": BLOG_INNER},  # OpenAI's shape (WIRE.md 1.8)
        {"message": BLOG_MESSAGE, "data": {"error": BLOG_INNER}},  # the blog's wrapped shape
        {"message": BLOG_MESSAGE, "data": {"error": {**BLOG_INNER, "message": ""}}},
    ],
    ids=["plain", "wrapped", "wrapped-message-outside"],
)
def test_invalid_seconds_in_both_shapes(apiyi, body) -> None:
    error = apiyi.parse_error(error_response(400, body))

    assert type(error) is vidgen.InvalidRequest
    assert error.status_code == 400
    assert error.message == BLOG_MESSAGE
    assert error.param == "seconds"
    assert error.provider_code == "invalid_value"
    assert error.request_id == "req_400"
    assert error.retryable is False
    assert error.provider == "apiyi"


def test_message_only_body(apiyi) -> None:
    error = apiyi.parse_error(error_response(400, {"message": "bad request", "data": None}))

    assert type(error) is vidgen.InvalidRequest
    assert error.message == "bad request"


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (401, openai_error("Invalid token", "invalid_api_key"), vidgen.AuthenticationError),
        (401, openai_error("无效的令牌"), vidgen.AuthenticationError),
        (
            403,
            openai_error("per-request billing group cannot use this channel"),
            vidgen.PermissionDenied,
        ),
        (403, openai_error("当前分组不可用，请切换到按量计费"), vidgen.PermissionDenied),
        (403, openai_error("Forbidden"), vidgen.PermissionDenied),
        (
            403,
            {"message": "wrong billing mode", "data": {"error": {"message": "wrong billing mode"}}},
            vidgen.PermissionDenied,
        ),
    ],
    ids=["401", "401-zh", "403-billing", "403-billing-zh", "403-bare", "403-wrapped"],
)
def test_billing_group_errors_say_how_to_fix_the_key(apiyi, status, body, cls) -> None:
    error = apiyi.parse_error(error_response(status, body))

    assert type(error) is cls
    assert error.status_code == status
    assert error.request_id == f"req_{status}"
    assert error.retryable is False
    for words in BILLING_FIX:
        assert words in str(error)


def test_401_also_names_the_key_variable(apiyi) -> None:
    error = apiyi.parse_error(error_response(401, openai_error("Invalid token")))

    assert "APIYI_API_KEY" in str(error)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (403, openai_error("Your request was blocked by moderation", "moderation_blocked")),
        (403, openai_error("The prompt violates our content policy")),
        (400, openai_error("Request rejected by the safety system", "content_filter")),
        (
            403,
            {
                "message": "内容违规",
                "data": {"error": {"message": "内容违规", "code": "sensitive_words_detected"}},
            },
        ),
    ],
    ids=["403-moderation", "403-policy", "400-safety", "403-wrapped-zh"],
)
def test_content_policy_refusals(apiyi, status, body) -> None:
    error = apiyi.parse_error(error_response(status, body))

    assert type(error) is vidgen.ContentPolicyViolation
    assert error.code == "content_policy"
    assert error.status_code == status
    assert error.request_id == f"req_{status}"
    assert error.retryable is False
    assert "Sora2官转" not in str(error)


def test_rate_limit_is_retryable_with_retry_after(apiyi) -> None:
    body = openai_error("Rate limit reached for requests", "rate_limit_exceeded")
    error = apiyi.parse_error(error_response(429, body, **{"Retry-After": "7"}))

    assert type(error) is vidgen.RateLimited
    assert error.retryable is True
    assert error.retry_after == 7.0
    assert error.request_id == "req_429"


@pytest.mark.parametrize(
    "body",
    [
        openai_error("You exceeded your current quota", "insufficient_quota"),
        openai_error("Insufficient balance, please top up"),
        openai_error("用户额度不足"),
        {"message": "余额不足", "data": {"error": {"message": "余额不足"}}},
    ],
    ids=["quota", "balance", "zh-quota", "zh-wrapped"],
)
def test_insufficient_balance_429_is_not_retryable(apiyi, body) -> None:
    error = apiyi.parse_error(error_response(429, body))

    assert type(error) is vidgen.InsufficientCredits
    assert error.retryable is False
    assert error.request_id == "req_429"
    assert "Top up" in str(error)


def test_402_is_insufficient_credits(apiyi) -> None:
    error = apiyi.parse_error(error_response(402, openai_error("Payment required")))

    assert type(error) is vidgen.InsufficientCredits


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (500, openai_error("The server had an error"), vidgen.ServerError),
        (503, openai_error("Service unavailable"), vidgen.ServerError),
        (502, openai_error("upstream error: bad gateway"), vidgen.UpstreamError),
        (504, openai_error("上游超时"), vidgen.UpstreamError),
        (
            502,
            {"message": "upstream failed", "data": {"error": {"message": "upstream failed"}}},
            vidgen.UpstreamError,
        ),
    ],
    ids=["500", "503", "502-upstream", "504-upstream-zh", "502-wrapped"],
)
def test_server_errors_are_retryable(apiyi, status, body, cls) -> None:
    error = apiyi.parse_error(error_response(status, body))

    assert type(error) is cls
    assert isinstance(error, vidgen.ServerError)
    assert error.retryable is True
    assert error.status_code == status
    assert error.request_id == f"req_{status}"


def test_non_json_gateway_page(apiyi) -> None:
    response = make_response(
        502, content=b"<html>502 Bad Gateway</html>", headers={"x-request-id": "req_html"}
    )

    error = apiyi.parse_error(response)

    assert isinstance(error, vidgen.ServerError)
    assert "HTTP 502" in error.message
    assert "Bad Gateway" in error.message
    assert error.request_id == "req_html"


def test_request_id_kept_on_every_error(apiyi) -> None:
    for status in (400, 401, 402, 403, 404, 409, 429, 500, 502, 503):
        error = apiyi.parse_error(error_response(status, openai_error("x")))
        assert error.request_id == f"req_{status}", status
        assert f"request id req_{status}" in str(error)


# -- download ---------------------------------------------------------------------------------


def test_build_status_and_download(apiyi) -> None:
    job = apiyi.job_ref(VIDEO_ID)

    status = apiyi.build_status(job)
    download = apiyi.build_download(job)

    assert (status.method, str(status.url)) == ("GET", f"{URL}/{VIDEO_ID}")
    assert download.method == "GET"
    assert str(download.url) == f"{URL}/{VIDEO_ID}/content?variant=video"
    assert download.headers["authorization"] == "Bearer sk-test"


def test_download_past_retention_is_content_expired(apiyi) -> None:
    body = video("completed", progress=100, completed_at=1712697900, expires_at=1712784000)
    job = apiyi.parse_status(make_response(json=body))
    assert job.expires_at is not None
    after = job.expires_at + dt.timedelta(seconds=1)
    before = job.expires_at - dt.timedelta(hours=1)

    gone = make_response(404, json=openai_error("Video not found"), headers={"x-request-id": "r"})

    expired = apiyi.parse_download_error(gone, job, after)
    assert type(expired) is vidgen.ContentExpired
    assert expired.request_id == "r"
    assert type(apiyi.parse_download_error(gone, job, before)) is vidgen.NotFound
    gone410 = make_response(410, json=openai_error("Gone"))
    assert type(apiyi.parse_download_error(gone410, job, before)) is vidgen.ContentExpired


# -- the client on a mock transport: what the cassettes do not show -----------------------------


def _server(*bodies: dict[str, Any]) -> FakeServer:
    """Answers the status of VIDEO_ID with ``bodies`` in turn, the last one repeating."""
    return FakeServer().route(
        "GET", f"/v1/videos/{VIDEO_ID}", *(reply(json=body) for body in bodies)
    )


def test_wait_keeps_polling_through_submitted_and_unknown() -> None:
    clock = FakeClock(start=1712697600.0)
    server = _server(
        video("submitted"),
        video("processing", progress=50),
        video("completed", progress=100, completed_at=1712697700, expires_at=1712784000),
    )
    with fake_client(server, provider="apiyi", api_key="sk-test", clock=clock) as client:
        seen: list[vidgen.Job] = []
        job = client.wait(VIDEO_ID, on_progress=seen.append)

    assert [j.status for j in seen] == [JobStatus.QUEUED, JobStatus.UNKNOWN, JobStatus.SUCCEEDED]
    assert job.status is JobStatus.SUCCEEDED
    assert clock.sleeps == [10.0, 15.0]


def test_wait_timeout_keeps_the_job() -> None:
    clock = FakeClock(start=1712697600.0)
    server = _server(video("in_progress", progress=40))
    with (
        fake_client(server, provider="apiyi", api_key="sk-test", clock=clock) as client,
        pytest.raises(vidgen.WaitTimeout) as caught,
    ):
        client.wait(VIDEO_ID, timeout=60)

    assert caught.value.job.id == VIDEO_ID
    assert caught.value.job.progress == 40
    # 10, 15, 22.5, then only what is left of the 60 s.
    assert clock.sleeps == [10.0, 15.0, 22.5, 12.5]
    assert len(server.requests) == 5


def test_expired_download_sends_nothing(tmp_path) -> None:
    body = video("completed", progress=100, completed_at=1712697900, expires_at=1712784000)
    job = vidgen.get_provider("apiyi", api_key="sk-test").parse_status(make_response(json=body))
    clock = FakeClock(start=1712784000.0 + 3600)
    server = FakeServer()  # answers nothing: any request fails the test
    with (
        fake_client(server, provider="apiyi", api_key="sk-test", clock=clock) as client,
        pytest.raises(vidgen.ContentExpired),
    ):
        client.download(job, tmp_path / "late.mp4")

    assert server.requests == []
    assert not (tmp_path / "late.mp4").exists()
