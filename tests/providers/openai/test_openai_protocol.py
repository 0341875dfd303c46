"""Sans-IO tests of the ``/v1/videos`` protocol: hand-made responses, no client, no network.

Every status, error shape and example payload of shared/WIRE.md section 1 is parsed here;
the payloads themselves are in ``openai_payloads.py``.
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import json
import struct
import zlib
from decimal import Decimal
from typing import Any

import httpx
import pytest
from openai_payloads import (
    COMPLETED,
    DELETED,
    IN_PROGRESS,
    INPAINT_SIZE_MISMATCH,
    INVALID_REFERENCE_TYPE,
    INVALID_SECONDS_TYPE,
    INVALID_SECONDS_VALUE,
    LIST_ABBREVIATED,
    QUEUED,
    REMIX,
    error_body,
    failed,
)

import vidgen
from vidgen.testing import check_provider, make_response
from vidgen_openai import OpenAICompatibleProvider, OpenAIProvider

KEY = "sk-test-not-a-real-key"
UTC = dt.timezone.utc
RELAY_URL = "https://relay.example.com/v1"
RELAY_MODEL = {
    "id": "veo-3.1-fast",
    "durations": [4, 6, 8],
    "sizes": ["1280x720", "720x1280"],
    "reference": ["url"],
    "price_per_second": "0.15",
    "price_source": "https://relay.example.com/pricing",
    "price_as_of": "2026-11-01",
}


@pytest.fixture
def openai() -> OpenAIProvider:
    provider = vidgen.get_provider("openai", api_key=KEY)
    assert isinstance(provider, OpenAIProvider)
    return provider


@pytest.fixture
def relay(monkeypatch: pytest.MonkeyPatch) -> OpenAICompatibleProvider:
    monkeypatch.setenv("MYRELAY_API_KEY", "relay-test-key")
    provider = vidgen.get_provider(
        "openai-compatible",
        base_url=RELAY_URL,
        api_key_env="MYRELAY_API_KEY",
        models=[RELAY_MODEL],
    )
    assert isinstance(provider, OpenAICompatibleProvider)
    return provider


def png_header(width: int, height: int) -> bytes:
    """The first bytes of a PNG: enough for vidgen to read its type and size."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + b"IHDR"
        + ihdr
        + crc
        + b"\x00\x00\x00\x00IEND\xaeB`\x82"  # IEND: the file is whole
    )


def fit(provider: vidgen.provider.Provider, **fields: Any) -> vidgen.Fitted:
    fields.setdefault("prompt", "A calico cat playing a piano on stage")
    return provider.fit(vidgen.VideoRequest(**fields), allow_retired=True)


def multipart_fields(request: httpx.Request) -> dict[str, tuple[str, str | None, bytes]]:
    """A multipart body as ``{name: (content type, filename, bytes)}``."""
    body = request.read()
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        parts[name] = (part.get_content_type(), part.get_filename(), payload)
    return parts


def video(status: str, **fields: Any) -> httpx.Response:
    return make_response(200, json={**QUEUED, "status": status, **fields})


# -- statuses and the Video object -----------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "neutral"),
    [
        ("queued", vidgen.JobStatus.QUEUED),
        ("in_progress", vidgen.JobStatus.RUNNING),
        ("completed", vidgen.JobStatus.SUCCEEDED),
        ("failed", vidgen.JobStatus.FAILED),
        # Not in OpenAI's enum; Azure's samples test for it (WIRE.md 7 #9).
        ("cancelled", vidgen.JobStatus.CANCELLED),
        ("IN_PROGRESS", vidgen.JobStatus.RUNNING),
    ],
)
def test_every_documented_status_maps(
    openai: OpenAIProvider, wire: str, neutral: vidgen.JobStatus
) -> None:
    job = openai.parse_status(video(wire))
    assert job.status is neutral
    assert job.raw["status"] == wire


@pytest.mark.parametrize("wire", ["expired", "processing", "", None, 42])
def test_an_unseen_status_is_unknown_and_not_terminal(openai: OpenAIProvider, wire: Any) -> None:
    job = openai.parse_status(video(wire))
    assert job.status is vidgen.JobStatus.UNKNOWN
    assert not job.is_terminal
    assert job.id == "video_123"


def test_a_missing_status_is_unknown(openai: OpenAIProvider) -> None:
    body = {key: value for key, value in QUEUED.items() if key != "status"}
    assert openai.parse_status(make_response(json=body)).status is vidgen.JobStatus.UNKNOWN


def test_queued_create_response(openai: OpenAIProvider) -> None:
    response = make_response(200, json=QUEUED, method="POST", headers={"x-request-id": "req_1"})
    job = openai.parse_submit(response)
    assert job.id == "video_123"
    assert job.provider == "openai"
    assert job.model == "sora-2"
    assert job.status is vidgen.JobStatus.QUEUED
    assert job.progress == 0
    assert job.size == "1024x1792"
    assert job.seconds == 8  # "8" on the wire
    assert job.created_at == dt.datetime(2024, 4, 9, 21, 20, tzinfo=UTC)
    assert job.completed_at is None
    assert job.expires_at is None
    assert job.outputs == ()
    assert job.error is None
    assert job.request_id == "req_1"
    # The undocumented "quality" field is ignored, but kept in raw.
    assert job.raw["quality"] == "standard"


def test_in_progress_guide_example(openai: OpenAIProvider) -> None:
    job = openai.parse_status(make_response(json=IN_PROGRESS))
    assert job.status is vidgen.JobStatus.RUNNING
    assert job.progress == 33
    assert job.model == "sora-2-pro"
    assert job.seconds == 8
    assert job.size == "1280x720"
    assert job.outputs == ()
    assert job.describe() == f"openai job {IN_PROGRESS['id']}: running (33%)"


def test_completed_has_aware_timestamps_and_an_expiring_output(openai: OpenAIProvider) -> None:
    job = openai.parse_status(make_response(json=COMPLETED))
    assert job.status is vidgen.JobStatus.SUCCEEDED
    assert job.is_terminal
    assert job.progress == 100
    assert job.seconds == 4
    for stamp in (job.created_at, job.completed_at, job.expires_at):
        assert stamp is not None
        assert stamp.tzinfo is not None
        assert stamp.utcoffset() == dt.timedelta(0)
    assert job.created_at == dt.datetime.fromtimestamp(1760627796, tz=UTC)
    assert job.completed_at == dt.datetime.fromtimestamp(1760627863, tz=UTC)
    assert job.expires_at - job.created_at == dt.timedelta(hours=24)
    assert job.outputs == (
        vidgen.Output(kind="video", ref=COMPLETED["id"], index=0, expires_at=job.expires_at),
    )
    assert job.error is None


def test_remix_response_is_a_queued_job(openai: OpenAIProvider) -> None:
    job = openai.parse_submit(make_response(json=REMIX, method="POST"))
    assert (job.id, job.status, job.seconds) == ("video_456", vidgen.JobStatus.QUEUED, 8)
    assert job.raw["remixed_from_video_id"] == "video_123"


@pytest.mark.parametrize(
    ("code", "message", "neutral"),
    [
        (
            "moderation_blocked",
            "Your request was blocked by our moderation system.",
            "content_policy",
        ),
        ("content_policy_violation", "The output was flagged.", "content_policy"),
        ("internal_error", "Video generation failed.", "server_error"),
        ("video_generation_failed", "Something went wrong.", "generation_failed"),
    ],
)
def test_failed_arrives_as_http_200_with_an_error(
    openai: OpenAIProvider, code: str, message: str, neutral: str
) -> None:
    response = make_response(200, json=failed(code, message))
    assert not response.is_error
    job = openai.parse_status(response)
    assert job.status is vidgen.JobStatus.FAILED
    assert job.is_terminal
    assert job.error == vidgen.JobError(code=neutral, message=message, provider_code=code)
    assert job.outputs == ()
    assert job.completed_at is None
    assert job.expires_at is None
    assert job.describe().endswith(f"{message} [{neutral}]")


def test_failed_without_an_error_object_still_has_a_reason(openai: OpenAIProvider) -> None:
    job = openai.parse_status(video("failed", error=None))
    assert job.status is vidgen.JobStatus.FAILED
    assert job.error is not None
    assert job.error.code == "generation_failed"
    assert "no reason" in job.error.message


def test_a_relays_bare_string_error_is_the_message(openai: OpenAIProvider) -> None:
    job = openai.parse_status(video("failed", error="upstream timeout"))
    assert job.error == vidgen.JobError(code="server_error", message="upstream timeout")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"seconds": "12"}, 12),
        ({"seconds": " 4 "}, 4),
        ({"seconds": 8}, 8),  # an integer from a lenient relay
        ({"seconds": None}, None),
        ({"seconds": "4.5"}, None),  # not a whole number: unknown, not a crash
    ],
)
def test_seconds_is_read_from_a_string(
    openai: OpenAIProvider, fields: dict[str, Any], expected: int | None
) -> None:
    assert openai.parse_status(video("queued", **fields)).seconds == expected


@pytest.mark.parametrize(("wire", "expected"), [(150, 100), (-5, 0), (33.7, 33), ("40", 40)])
def test_progress_is_clamped_to_0_100(openai: OpenAIProvider, wire: Any, expected: int) -> None:
    assert openai.parse_status(video("in_progress", progress=wire)).progress == expected


def test_unknown_fields_are_ignored(openai: OpenAIProvider) -> None:
    extra = {"quality": "high", "prompt": "a cat", "characters": [{"id": "c"}], "url": None}
    job = openai.parse_status(video("queued", **extra))
    assert job.status is vidgen.JobStatus.QUEUED
    assert job.raw["characters"] == [{"id": "c"}]


# -- malformed responses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        make_response(200, content="<html><body>Bad gateway</body></html>"),
        make_response(200, content=b""),
        make_response(200, content=b"\xff\xfe\x00garbage"),
    ],
    ids=["html", "empty", "binary"],
)
@pytest.mark.parametrize("method", ["parse_submit", "parse_status", "parse_list"])
def test_a_body_that_is_not_json_is_a_protocol_error(
    openai: OpenAIProvider, response: httpx.Response, method: str
) -> None:
    with pytest.raises(vidgen.ProtocolError, match="not JSON") as caught:
        getattr(openai, method)(response)
    assert caught.value.provider == "openai"
    assert caught.value.body is not None


@pytest.mark.parametrize(
    "body",
    [
        {key: value for key, value in QUEUED.items() if key != "id"},
        {**QUEUED, "id": ""},
        {**QUEUED, "id": None},
        [QUEUED],
        "video_123",
        None,
    ],
    ids=["no-id", "empty-id", "null-id", "list", "string", "null"],
)
def test_a_video_without_an_id_is_a_protocol_error(openai: OpenAIProvider, body: Any) -> None:
    response = make_response(200, content=json.dumps(body))
    with pytest.raises(vidgen.ProtocolError, match="without an id") as caught:
        openai.parse_status(response)
    assert caught.value.body == body


@pytest.mark.parametrize(
    "fields",
    [
        {"id": {"nested": "object"}},
        {"status": {"nested": "object"}},
        {"created_at": "yesterday"},
        {"created_at": 1712697600000},  # milliseconds: year 56000
        {"expires_at": 1e20},
        {"progress": "NaN"},
        {"error": 5},
        {"error": {"code": {"nested": 1}}},
    ],
    ids=str,
)
def test_unreadable_fields_are_a_protocol_error_not_a_crash(
    openai: OpenAIProvider, fields: dict[str, Any]
) -> None:
    with pytest.raises(vidgen.ProtocolError, match="cannot read") as caught:
        openai.parse_status(make_response(json={**QUEUED, **fields}))
    assert caught.value.body["object"] == "video"


def test_an_error_of_an_odd_shape_still_fails_the_job(openai: OpenAIProvider) -> None:
    job = openai.parse_status(video("failed", error=["a", "list"]))
    assert job.status is vidgen.JobStatus.FAILED
    assert job.error == vidgen.JobError(code="generation_failed", message="openai gave no reason")


# -- HTTP errors -------------------------------------------------------------------------------

ERROR_CASES: list[tuple[str, int, Any, dict[str, str], dict[str, Any]]] = [
    (
        "400-invalid-value-seconds",
        400,
        INVALID_SECONDS_VALUE,
        {},
        {
            "cls": vidgen.InvalidRequest,
            "code": "invalid_request",
            "provider_code": "invalid_value",
            "param": "seconds",
            "retryable": False,
            "says": "Fix the 'seconds' field",
        },
    ),
    (
        "400-invalid-type-seconds",
        400,
        INVALID_SECONDS_TYPE,
        {},
        {
            "cls": vidgen.InvalidRequest,
            "code": "invalid_request",
            "provider_code": "invalid_type",
            "param": "seconds",
            "retryable": False,
            "says": "Fix the 'seconds' field",
        },
    ),
    (
        "400-invalid-type-input-reference",
        400,
        INVALID_REFERENCE_TYPE,
        {},
        {
            "cls": vidgen.InvalidRequest,
            "code": "invalid_request",
            "provider_code": "invalid_type",
            "param": "input_reference",
            "retryable": False,
            "says": "Fix the 'input_reference' field",
        },
    ),
    (
        "400-null-code-and-param",
        400,
        INPAINT_SIZE_MISMATCH,
        {},
        {
            "cls": vidgen.InvalidRequest,
            "code": "invalid_request",
            # With a null code the error's type is the best code there is.
            "provider_code": "invalid_request_error",
            "param": None,
            "retryable": False,
            "says": "Change the request as the message says",
        },
    ),
    (
        "401",
        401,
        error_body(
            "Incorrect API key provided.",
            type="invalid_request_error",
            param=None,
            code="invalid_api_key",
        ),
        {},
        {
            "cls": vidgen.AuthenticationError,
            "code": "authentication",
            "provider_code": "invalid_api_key",
            "param": None,
            "retryable": False,
            "says": "Check the key in OPENAI_API_KEY",
        },
    ),
    (
        "403",
        403,
        error_body(
            "Your organization must be verified to use this model.",
            type="invalid_request_error",
            param=None,
            code=None,
        ),
        {},
        {
            "cls": vidgen.PermissionDenied,
            "code": "permission_denied",
            "provider_code": "invalid_request_error",
            "param": None,
            "retryable": False,
            "says": "may not have access to this model",
        },
    ),
    (
        "404",
        404,
        error_body(
            "Video with id 'video_404' not found.",
            type="invalid_request_error",
            param=None,
            code=None,
        ),
        {},
        {
            "cls": vidgen.NotFound,
            "code": "not_found",
            "provider_code": "invalid_request_error",
            "param": None,
            "retryable": False,
            "says": "Check the job id",
        },
    ),
    (
        "409",
        409,
        error_body(
            "Another request for this video is in progress.",
            type="invalid_request_error",
            param=None,
            code="conflict",
        ),
        {},
        {
            # vidgen.provider maps 409 to ServerError (retryable, as the SDK retries it).
            "cls": vidgen.ServerError,
            "code": "server_error",
            "provider_code": "conflict",
            "param": None,
            "retryable": True,
            "says": "try again later",
        },
    ),
    (
        "422",
        422,
        error_body(
            "The reference image could not be processed.",
            type="invalid_request_error",
            param="input_reference",
            code="unprocessable",
        ),
        {},
        {
            "cls": vidgen.InvalidRequest,
            "code": "invalid_request",
            "provider_code": "unprocessable",
            "param": "input_reference",
            "retryable": False,
            "says": "Fix the 'input_reference' field",
        },
    ),
    (
        "429-insufficient-quota",
        429,
        error_body(
            "You exceeded your current quota, please check your plan and billing details.",
            type="insufficient_quota",
            param=None,
            code="insufficient_quota",
        ),
        {},
        {
            "cls": vidgen.InsufficientCredits,
            "code": "insufficient_credits",
            "provider_code": "insufficient_quota",
            "param": None,
            "retryable": False,
            "says": "Add credit",
        },
    ),
    (
        "429-billing-hard-limit",
        429,
        error_body(
            "Billing hard limit has been reached.",
            type="invalid_request_error",
            param=None,
            code="billing_hard_limit_reached",
        ),
        {},
        {
            "cls": vidgen.InsufficientCredits,
            "code": "insufficient_credits",
            "provider_code": "billing_hard_limit_reached",
            "param": None,
            "retryable": False,
            "says": "spend limit",
        },
    ),
    (
        "400-moderation-code",
        400,
        error_body(
            "Your request was rejected by the safety system.",
            type="invalid_request_error",
            param=None,
            code="moderation_blocked",
        ),
        {},
        {
            "cls": vidgen.ContentPolicyViolation,
            "code": "content_policy",
            "provider_code": "moderation_blocked",
            "param": None,
            "retryable": False,
            "says": "Change the prompt or reference image",
        },
    ),
    (
        "400-content-policy-violation",
        400,
        error_body(
            "The prompt may contain copyrighted characters.",
            type="invalid_request_error",
            param="prompt",
            code="content_policy_violation",
        ),
        {},
        {
            "cls": vidgen.ContentPolicyViolation,
            "code": "content_policy",
            "provider_code": "content_policy_violation",
            "param": "prompt",
            "retryable": False,
            "says": "moderation refused it",
        },
    ),
    (
        "400-azure-content-filter",
        400,
        error_body(
            "The response was filtered due to the prompt triggering content management policy.",
            type="invalid_request_error",
            param="prompt",
            code="content_filter",
        ),
        {},
        {
            "cls": vidgen.ContentPolicyViolation,
            "code": "content_policy",
            "provider_code": "content_filter",
            "param": "prompt",
            "retryable": False,
            "says": "moderation refused it",
        },
    ),
    (
        "500-json",
        500,
        error_body(
            "The server had an error while processing your request.",
            type="server_error",
            param=None,
            code=None,
        ),
        {},
        {
            "cls": vidgen.ServerError,
            "code": "server_error",
            "provider_code": "server_error",
            "param": None,
            "retryable": True,
            "says": "try again later",
        },
    ),
    (
        "502-html",
        502,
        "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>",
        {"content-type": "text/html"},
        {
            "cls": vidgen.ServerError,
            "code": "server_error",
            "provider_code": None,
            "param": None,
            "retryable": True,
            "says": "try again later",
        },
    ),
    (
        "503-empty",
        503,
        "",
        {},
        {
            "cls": vidgen.ServerError,
            "code": "server_error",
            "provider_code": None,
            "param": None,
            "retryable": True,
            "says": "try again later",
        },
    ),
]


def _error_response(status: int, body: Any, headers: dict[str, str]) -> httpx.Response:
    headers = {"x-request-id": "req_err_1", **headers}
    if isinstance(body, str):
        return make_response(status, content=body, headers=headers, method="POST")
    return make_response(status, json=body, headers=headers, method="POST")


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [case[1:] for case in ERROR_CASES],
    ids=[case[0] for case in ERROR_CASES],
)
def test_error_shapes(
    openai: OpenAIProvider,
    status: int,
    body: Any,
    headers: dict[str, str],
    expected: dict[str, Any],
) -> None:
    error = openai.parse_error(_error_response(status, body, headers))
    assert type(error) is expected["cls"]
    assert error.provider == "openai"
    assert error.status_code == status
    assert error.code == expected["code"]
    assert error.provider_code == expected["provider_code"]
    assert error.param == expected["param"]
    assert error.request_id == "req_err_1"
    assert error.retryable is expected["retryable"]
    text = str(error)
    assert text.startswith("openai: ")
    assert f"HTTP {status}" in text
    assert "request id req_err_1" in text
    assert expected["says"] in text
    if isinstance(body, dict):
        assert error.message == body["error"]["message"]
        assert error.body == body
    else:
        assert error.message.startswith(f"HTTP {status} ")
    assert KEY not in text


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"), [c[1:] for c in ERROR_CASES[:3]]
)
def test_parse_submit_and_status_raise_the_error(
    openai: OpenAIProvider,
    status: int,
    body: Any,
    headers: dict[str, str],
    expected: dict[str, Any],
) -> None:
    response = _error_response(status, body, headers)
    with pytest.raises(expected["cls"]) as caught:
        openai.parse_submit(response)
    assert caught.value.param == expected["param"]
    with pytest.raises(expected["cls"]):
        openai.parse_status(response)


def test_html_error_body_is_kept_as_text(openai: OpenAIProvider) -> None:
    html = "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
    error = openai.parse_error(make_response(503, content=html))
    assert isinstance(error, vidgen.ServerError)
    assert error.body == html
    assert "503 Service Temporarily Unavailable" in error.message


@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "1500", "retry-after": "7"}, 1.5),  # the SDK reads -ms first
        ({"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"}, None),  # a date needs a clock
        ({}, None),
    ],
    ids=["seconds", "ms", "both", "http-date", "none"],
)
def test_rate_limit_carries_retry_after(
    openai: OpenAIProvider, headers: dict[str, str], retry_after: float | None
) -> None:
    body = error_body(
        "Rate limit reached for sora-2 in organization org-abc on requests per min (RPM).",
        type="requests",
        param=None,
        code="rate_limit_exceeded",
    )
    error = openai.parse_error(make_response(429, json=body, headers=headers))
    assert type(error) is vidgen.RateLimited
    assert error.retryable
    assert error.code == "rate_limited"
    assert error.provider_code == "rate_limit_exceeded"
    assert error.retry_after == retry_after
    assert "Wait and try again" in str(error)


@pytest.mark.parametrize(
    "body",
    [
        {"error": "plain string error"},
        {"message": "a body without an error object"},
        ["a", "list"],
        {"error": {"message": ["not", "a", "string"], "code": {"x": 1}}},
    ],
    ids=["string-error", "no-error-key", "list", "odd-types"],
)
def test_odd_error_bodies_still_give_an_invalid_request(openai: OpenAIProvider, body: Any) -> None:
    error = openai.parse_error(make_response(400, json=body))
    assert type(error) is vidgen.InvalidRequest
    assert error.message
    assert error.body == body


def test_download_404_after_expiry_is_content_expired(openai: OpenAIProvider) -> None:
    job = openai.parse_status(make_response(json=COMPLETED))
    assert job.expires_at is not None
    response = make_response(
        404, json=error_body("gone", type="invalid_request_error", param=None, code=None)
    )
    later = job.expires_at + dt.timedelta(seconds=1)
    expired = openai.parse_download_error(response, job, later)
    assert type(expired) is vidgen.ContentExpired
    assert "expired" in str(expired)
    earlier = job.expires_at - dt.timedelta(hours=1)
    assert type(openai.parse_download_error(response, job, earlier)) is vidgen.NotFound


# -- building requests ------------------------------------------------------------------------


def test_build_submit_is_json_with_seconds_as_a_string(openai: OpenAIProvider) -> None:
    fitted = fit(openai, duration=8, aspect="16:9", resolution="720p")
    request = openai.build_submit(fitted)
    assert request.method == "POST"
    assert str(request.url) == "https://api.openai.com/v1/videos"
    assert request.headers["content-type"] == "application/json"
    body = json.loads(request.content)
    # WIRE.md 1.3 "Example: JSON create", field for field.
    assert body == {
        "model": "sora-2",
        "prompt": "A calico cat playing a piano on stage",
        "seconds": "8",
        "size": "1280x720",
    }
    assert isinstance(body["seconds"], str)


@pytest.mark.parametrize(
    ("model", "aspect", "resolution", "size"),
    [
        ("sora-2", "9:16", "720p", "720x1280"),
        ("sora-2", "16:9", None, "1280x720"),
        ("sora-2", None, None, "720x1280"),  # the catalog's default
        ("sora-2-pro", "16:9", "1024p", "1792x1024"),
        ("sora-2-pro", "9:16", "1080p", "1080x1920"),
        ("sora-2-pro", "landscape", "1080p", "1920x1080"),
    ],
)
def test_size_comes_from_aspect_and_resolution(
    openai: OpenAIProvider, model: str, aspect: str | None, resolution: str | None, size: str
) -> None:
    fitted = fit(openai, model=model, aspect=aspect, resolution=resolution)
    assert json.loads(openai.build_submit(fitted).content)["size"] == size


def test_a_file_reference_is_sent_as_multipart(openai: OpenAIProvider) -> None:
    # A PNG saved under a .jpg name: the bytes decide the type.
    image = png_header(1280, 720)
    reference = vidgen.Reference.from_bytes(image, filename="first_frame.jpg")
    fitted = fit(openai, model="sora-2-pro", duration=8, reference=reference)
    assert fitted.size == "1280x720"  # the first frame fixes the size
    request = openai.build_submit(fitted)
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    parts = multipart_fields(request)
    assert set(parts) == {"model", "prompt", "seconds", "size", "input_reference"}
    assert parts["seconds"][2] == b"8"
    assert parts["size"][2] == b"1280x720"
    assert parts["model"][2] == b"sora-2-pro"
    mime, filename, data = parts["input_reference"]
    assert mime == "image/png"
    assert filename == "first_frame.png"
    assert data == image


def test_multipart_keeps_provider_options_as_text(openai: OpenAIProvider) -> None:
    reference = vidgen.Reference.from_bytes(png_header(720, 1280))
    options = {"openai": {"user": "tester", "metadata": {"run": 7}, "n": 1}}
    request = openai.build_submit(fit(openai, reference=reference, provider_options=options))
    parts = multipart_fields(request)
    assert parts["user"][2] == b"tester"
    assert json.loads(parts["metadata"][2]) == {"run": 7}
    assert parts["n"][2] == b"1"
    assert parts["seconds"][2] == b"4"


def test_a_url_reference_is_json_image_url(openai: OpenAIProvider) -> None:
    reference = vidgen.Reference.from_url("https://example.com/frame.png")
    fitted = fit(openai, prompt="...", aspect="9:16", reference=reference)
    request = openai.build_submit(fitted)
    assert request.headers["content-type"] == "application/json"
    # WIRE.md 1.3 "Example: JSON create with a URL reference", plus seconds.
    assert json.loads(request.content) == {
        "model": "sora-2",
        "prompt": "...",
        "size": "720x1280",
        "seconds": "4",
        "input_reference": {"image_url": "https://example.com/frame.png"},
    }


def test_provider_options_are_merged_and_others_ignored(openai: OpenAIProvider) -> None:
    options = {"openai": {"user": "u-1"}, "azure": {"n_variants": 2}}
    body = json.loads(openai.build_submit(fit(openai, provider_options=options)).content)
    assert body["user"] == "u-1"
    assert "n_variants" not in body


@pytest.mark.parametrize("name", ["model", "prompt", "seconds", "size", "input_reference"])
def test_reserved_options_are_refused_by_fit(openai: OpenAIProvider, name: str) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(openai, provider_options={"openai": {name: "x"}})
    assert caught.value.param == f"provider_options.openai.{name}"
    assert "VideoRequest" in str(caught.value)


def test_a_reference_of_the_wrong_size_is_refused_before_any_http(openai: OpenAIProvider) -> None:
    reference = vidgen.Reference.from_bytes(png_header(1024, 1024))
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(openai, aspect="16:9", reference=reference)
    assert caught.value.param in ("aspect", "reference")


@pytest.mark.parametrize("model", ["sora-2", "sora-2-pro"])
@pytest.mark.parametrize("seconds", [16, 20])
def test_the_guides_longer_durations_are_sent(
    openai: OpenAIProvider, model: str, seconds: int
) -> None:
    # WIRE.md 0.2: the guide adds 16 and 20 s to the spec's 4/8/12; do not hard-fail on them.
    body = json.loads(openai.build_submit(fit(openai, model=model, duration=seconds)).content)
    assert body["seconds"] == str(seconds)


def test_a_snapshot_id_is_sent_as_asked(openai: OpenAIProvider) -> None:
    fitted = fit(openai, model="sora-2-2025-12-08", duration=8)
    assert fitted.spec.id == "sora-2"
    assert json.loads(openai.build_submit(fitted).content)["model"] == "sora-2-2025-12-08"


def test_a_prompt_over_32000_characters_is_refused(openai: OpenAIProvider) -> None:
    assert fit(openai, prompt="x" * 32000).request.prompt
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(openai, prompt="x" * 32001)
    assert caught.value.param == "prompt"


def test_there_are_no_per_request_webhooks(openai: OpenAIProvider) -> None:
    # WIRE.md 1.7: webhooks are configured per project in the dashboard, not per request.
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(openai, callback_url="https://example.com/hook")
    assert caught.value.param == "callback_url"
    event = {
        "id": "evt_abc123",
        "object": "event",
        "created_at": 1758941485,
        "type": "video.completed",
        "data": {"id": "video_abc123"},
    }
    with pytest.raises(vidgen.UnsupportedRequest):
        openai.parse_callback({}, json.dumps(event).encode())


def test_retired_models_need_allow_retired(openai: OpenAIProvider) -> None:
    request = vidgen.VideoRequest(prompt="a cat")
    with pytest.raises(vidgen.ModelRetired) as caught:
        openai.fit(request)
    assert caught.value.retired_on == dt.date(2026, 9, 24)
    assert "allow_retired" in str(caught.value)
    fitted = openai.fit(request, allow_retired=True)
    assert any("retired" in warning for warning in fitted.warnings)


def test_quote_from_the_catalog(openai: OpenAIProvider) -> None:
    quote = openai.quote(
        fit(openai, model="sora-2-pro", duration=8, aspect="16:9", resolution="1080p")
    )
    assert quote.amount == Decimal("5.60")
    assert quote.unit_price == Decimal("0.70")
    assert quote.currency == "USD"
    assert quote.billed_seconds == 8


def test_build_status(openai: OpenAIProvider) -> None:
    request = openai.build_status(openai.job_ref("video_123"))
    assert (request.method, str(request.url)) == (
        "GET",
        "https://api.openai.com/v1/videos/video_123",
    )


@pytest.mark.parametrize("variant", ["video", "thumbnail", "spritesheet"])
def test_build_download_variants(openai: OpenAIProvider, variant: str) -> None:
    request = openai.build_download(openai.job_ref("video_123"), variant=variant)
    assert request.method == "GET"
    assert request.url.path == "/v1/videos/video_123/content"
    assert request.url.params["variant"] == variant
    assert request.headers["accept"] == "application/binary"
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_build_download_refuses_an_unknown_variant(openai: OpenAIProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        openai.build_download(openai.job_ref("video_123"), variant="gif")
    assert caught.value.param == "variant"
    assert caught.value.value == "gif"
    assert caught.value.supported == ("video", "thumbnail", "spritesheet")
    assert "video, thumbnail, spritesheet" in str(caught.value)


def test_build_download_refuses_a_second_output(openai: OpenAIProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        openai.build_download(openai.job_ref("video_123"), index=1)
    assert caught.value.param == "index"


# -- list, delete, poll hints ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "after", "params"),
    [
        (20, None, {"limit": "20", "order": "desc"}),
        (0, None, {"limit": "1", "order": "desc"}),
        (500, "video_123", {"limit": "100", "order": "desc", "after": "video_123"}),
    ],
)
def test_build_list(
    openai: OpenAIProvider, limit: int, after: str | None, params: dict[str, str]
) -> None:
    request = openai.build_list(limit=limit, after=after)
    assert request.method == "GET"
    assert request.url.path == "/v1/videos"
    assert dict(request.url.params) == params


def test_parse_list_pages_with_last_id(openai: OpenAIProvider) -> None:
    body = {
        "object": "list",
        "data": [COMPLETED, IN_PROGRESS],
        "first_id": COMPLETED["id"],
        "last_id": IN_PROGRESS["id"],
        "has_more": True,
    }
    page = openai.parse_list(make_response(json=body))
    assert [job.status for job in page.jobs] == [
        vidgen.JobStatus.SUCCEEDED,
        vidgen.JobStatus.RUNNING,
    ]
    assert page.next_cursor == IN_PROGRESS["id"]
    last = openai.parse_list(make_response(json={**body, "has_more": False}))
    assert last.next_cursor is None


def test_parse_list_without_last_id_uses_the_last_job(openai: OpenAIProvider) -> None:
    body = {"object": "list", "data": [QUEUED, COMPLETED], "has_more": True}
    assert openai.parse_list(make_response(json=body)).next_cursor == COMPLETED["id"]


def test_parse_list_abbreviated_spec_example(openai: OpenAIProvider) -> None:
    page = openai.parse_list(make_response(json=LIST_ABBREVIATED))
    assert [(job.id, job.status) for job in page.jobs] == [
        ("video_123", vidgen.JobStatus.SUCCEEDED)
    ]
    assert page.next_cursor is None


@pytest.mark.parametrize(
    "body",
    [[QUEUED], "videos", {"data": None}, {"data": "x"}, {"data": [42]}],
    ids=["bare-list", "string", "null-data", "string-data", "non-object-item"],
)
def test_parse_list_malformed_is_a_protocol_error(openai: OpenAIProvider, body: Any) -> None:
    with pytest.raises(vidgen.ProtocolError):
        openai.parse_list(make_response(json=body))


def test_parse_list_raises_the_providers_error(openai: OpenAIProvider) -> None:
    with pytest.raises(vidgen.AuthenticationError):
        openai.parse_list(
            make_response(401, json=error_body("no", type="x", param=None, code=None))
        )


def test_build_and_parse_delete(openai: OpenAIProvider) -> None:
    request = openai.build_delete(openai.job_ref("video_123"))
    assert (request.method, str(request.url)) == (
        "DELETE",
        "https://api.openai.com/v1/videos/video_123",
    )
    assert openai.parse_delete(make_response(json=DELETED, method="DELETE")) is None
    missing = error_body("Video not found.", type="invalid_request_error", param=None, code=None)
    with pytest.raises(vidgen.NotFound):
        openai.parse_delete(make_response(404, json=missing, method="DELETE"))


@pytest.mark.parametrize(
    ("headers", "hint"),
    [
        ({"openai-poll-after-ms": "2500"}, 2.5),
        ({"openai-poll-after-ms": "2500", "retry-after": "9"}, 2.5),
        ({"openai-poll-after-ms": "soon", "retry-after": "9"}, 9.0),
        ({"retry-after-ms": "700"}, 0.7),
        ({}, None),
    ],
)
def test_poll_hint(openai: OpenAIProvider, headers: dict[str, str], hint: float | None) -> None:
    assert openai.poll_hint(make_response(json=IN_PROGRESS, headers=headers)) == hint


# -- auth ---------------------------------------------------------------------------------------


def test_authorization_is_built_from_the_key(openai: OpenAIProvider) -> None:
    headers = openai.build_status(openai.job_ref("v")).headers
    assert headers["authorization"] == f"Bearer {KEY}"
    assert headers["user-agent"].startswith("vidgen/")
    assert "openai-organization" not in headers
    assert "openai-project" not in headers


def test_organization_and_project_headers() -> None:
    provider = vidgen.get_provider("openai", api_key=KEY, organization="org-1", project="proj_2")
    headers = provider.build_list().headers
    assert headers["openai-organization"] == "org-1"
    assert headers["openai-project"] == "proj_2"
    assert headers["authorization"] == f"Bearer {KEY}"


def test_the_key_is_read_from_openai_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment")
    provider = vidgen.get_provider("openai")
    assert provider.has_key
    headers = provider.build_status(provider.job_ref("v")).headers
    assert headers["authorization"] == "Bearer sk-from-the-environment"


def test_a_missing_key_names_openai_api_key() -> None:
    provider = vidgen.get_provider("openai")
    assert not provider.has_key
    with pytest.raises(vidgen.ConfigError, match="OPENAI_API_KEY"):
        provider.build_status(provider.job_ref("v"))
    with pytest.raises(vidgen.ConfigError, match="OPENAI_API_KEY"):
        provider.build_submit(fit(provider))


def test_api_key_env_names_another_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = vidgen.get_provider("openai", api_key_env="WORK_OPENAI_KEY")
    with pytest.raises(vidgen.ConfigError, match="WORK_OPENAI_KEY"):
        provider.build_status(provider.job_ref("v"))
    monkeypatch.setenv("WORK_OPENAI_KEY", "sk-work")
    assert provider.build_status(provider.job_ref("v")).headers["authorization"] == "Bearer sk-work"


def test_the_key_never_shows(openai: OpenAIProvider) -> None:
    assert KEY not in repr(openai)
    assert KEY not in str(openai)
    assert "api_key=set" in repr(openai)
    openai.build_status(openai.job_ref("v"))
    assert KEY not in repr(openai)
    error = openai.parse_error(make_response(401, json={"error": {"message": "bad key"}}))
    assert KEY not in str(error)
    assert KEY not in repr(error)


def test_check_provider_openai(openai: OpenAIProvider) -> None:
    assert check_provider(openai) == []


# -- openai-compatible -------------------------------------------------------------------------


def test_relay_needs_a_base_url() -> None:
    with pytest.raises(vidgen.ConfigError, match="base_url"):
        vidgen.get_provider("openai-compatible", models=[RELAY_MODEL])


def test_relay_base_url_must_be_http() -> None:
    with pytest.raises(vidgen.ConfigError, match="not an http"):
        vidgen.get_provider("openai-compatible", base_url="relay.example.com/v1")


def test_relay_refuses_unknown_settings() -> None:
    with pytest.raises(vidgen.ConfigError, match="unknown setting") as caught:
        vidgen.get_provider("openai-compatible", base_url=RELAY_URL, name_hint="mine")
    assert "base_url" in str(caught.value)


def test_relay_models_come_from_config(relay: OpenAICompatibleProvider) -> None:
    assert relay.catalog.ids == ("veo-3.1-fast",)
    fitted = fit(relay, duration=6, aspect="16:9")
    assert (fitted.model, fitted.seconds, fitted.size) == ("veo-3.1-fast", 6, "1280x720")
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(relay, duration=5)
    assert caught.value.supported == (4, 6, 8)
    assert "4, 6, 8" in str(caught.value)
    with pytest.raises(vidgen.UnsupportedRequest) as unknown:
        fit(relay, model="sora-2")
    assert unknown.value.supported == ("veo-3.1-fast",)


def test_relay_quotes_from_config(relay: OpenAICompatibleProvider) -> None:
    quote = relay.quote(fit(relay, duration=6))
    assert quote.amount == Decimal("0.90")
    assert quote.unit_price == Decimal("0.15")
    assert quote.source == "https://relay.example.com/pricing"
    assert quote.as_of == dt.date(2026, 11, 1)


def test_relay_builds_requests_against_its_base_url(relay: OpenAICompatibleProvider) -> None:
    request = relay.build_submit(fit(relay, duration=8, aspect="9:16"))
    assert str(request.url) == "https://relay.example.com/v1/videos"
    assert request.headers["authorization"] == "Bearer relay-test-key"
    assert json.loads(request.content) == {
        "model": "veo-3.1-fast",
        "prompt": "A calico cat playing a piano on stage",
        "seconds": "8",
        "size": "720x1280",
    }
    job = relay.job_ref("video_r1")
    assert str(relay.build_status(job).url) == "https://relay.example.com/v1/videos/video_r1"
    download = relay.build_download(job, variant="thumbnail")
    assert (
        str(download.url)
        == "https://relay.example.com/v1/videos/video_r1/content?variant=thumbnail"
    )
    assert relay.parse_status(make_response(json={**QUEUED, "model": "veo-3.1-fast"})).provider == (
        "openai-compatible"
    )


def test_relay_url_reference_is_json(relay: OpenAICompatibleProvider) -> None:
    reference = vidgen.Reference.from_url("https://example.com/frame.png")
    body = json.loads(relay.build_submit(fit(relay, reference=reference)).content)
    assert body["input_reference"] == {"image_url": "https://example.com/frame.png"}
    with pytest.raises(vidgen.UnsupportedRequest, match=r"Reference\.from_url"):
        fit(relay, reference=vidgen.Reference.from_bytes(png_header(1280, 720)))


def test_relay_key_variable_unset_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MYRELAY_API_KEY", raising=False)
    relay = vidgen.get_provider(
        "openai-compatible", base_url=RELAY_URL, api_key_env="MYRELAY_API_KEY", models=[RELAY_MODEL]
    )
    with pytest.raises(vidgen.ConfigError, match="MYRELAY_API_KEY"):
        relay.build_status(relay.job_ref("v"))


def test_relay_without_a_key_sends_no_authorization() -> None:
    relay = vidgen.get_provider("openai-compatible", base_url=RELAY_URL, models=[RELAY_MODEL])
    assert "authorization" not in relay.build_status(relay.job_ref("v")).headers


def test_relay_without_models_says_where_to_declare_them() -> None:
    relay = vidgen.get_provider("openai-compatible", base_url=RELAY_URL)
    with pytest.raises(vidgen.UnsupportedRequest, match=r"profiles\.NAME\.models"):
        fit(relay)


def test_relay_key_never_shows(relay: OpenAICompatibleProvider) -> None:
    relay.build_status(relay.job_ref("v"))
    assert "relay-test-key" not in repr(relay)
    assert "MYRELAY_API_KEY" in repr(relay) or "api_key=set" in repr(relay)


def test_check_provider_relay(relay: OpenAICompatibleProvider) -> None:
    assert check_provider(relay) == []


def test_check_provider_relay_with_a_direct_key() -> None:
    relay = vidgen.get_provider(
        "openai-compatible", base_url=RELAY_URL, api_key="relay-direct-key", models=[RELAY_MODEL]
    )
    assert check_provider(relay) == []
    assert "relay-direct-key" not in repr(relay)
