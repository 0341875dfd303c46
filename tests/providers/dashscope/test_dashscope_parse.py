"""Reading DashScope's answers: every status, UNKNOWN after 24 h, results, usage, errors at any
HTTP status, cancel and the task list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from dashscope_payloads import (
    API,
    CANCEL_REFUSED,
    CREATE_URL,
    CREATED,
    ERROR_ROWS,
    EXPIRED,
    FAILED,
    I2V_SUCCEEDED,
    R2V_SUCCEEDED,
    RUNNING,
    TASK_ID,
    TASK_LIST,
    VIDEO_URL,
    error_body,
    query,
)

import vidgen
from vidgen import JobStatus
from vidgen.provider import Provider
from vidgen.testing import make_response

BEIJING = dt.timezone(dt.timedelta(hours=8))
STATUS_URL = f"{API}/tasks/{TASK_ID}"


def answer(body: Any, status: int = 200, url: str = STATUS_URL, **kwargs: Any) -> httpx.Response:
    return make_response(status, json=body, url=url, **kwargs)


# -- create ----------------------------------------------------------------------------------------


def test_the_documented_create(provider: Provider) -> None:
    job = provider.parse_submit(answer(CREATED, url=CREATE_URL, method="POST"))
    assert (job.id, job.status) == (TASK_ID, JobStatus.QUEUED)
    assert job.request_id == CREATED["request_id"]


def test_the_documented_create_error(provider: Provider) -> None:
    error = provider.parse_error(
        answer(CREATE_ERROR_BODY := dict(error_body("InvalidApiKey")), 401)
    )
    assert isinstance(error, vidgen.AuthenticationError)
    assert error.provider_code == "InvalidApiKey"
    assert error.message == "No API-key provided."
    assert error.request_id == CREATE_ERROR_BODY["request_id"]
    assert "region" in (error.hint or "")


def test_an_error_at_http_200_is_raised(provider: Provider) -> None:
    body = {
        "request_id": "r-1",
        "code": "InvalidParameter",
        "message": "duration must be 5, 10 or 15",
    }
    with pytest.raises(vidgen.InvalidRequest) as caught:
        provider.parse_submit(answer(body, url=CREATE_URL, method="POST"))
    assert (caught.value.status_code, caught.value.provider_code) == (200, "InvalidParameter")
    assert "duration" in caught.value.message


def test_a_create_without_a_task_id(provider: Provider) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_submit(answer({"request_id": "r", "output": {"task_status": "PENDING"}}))


# -- statuses ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "neutral"),
    [
        ("PENDING", JobStatus.QUEUED),
        ("RUNNING", JobStatus.RUNNING),
        ("SUCCEEDED", JobStatus.SUCCEEDED),
        ("FAILED", JobStatus.FAILED),
        ("CANCELED", JobStatus.CANCELLED),
        ("SUSPENDED", JobStatus.UNKNOWN),
    ],
)
def test_every_documented_status(provider: Provider, wire: str, neutral: JobStatus) -> None:
    assert provider.parse_status(answer(query(wire))).status is neutral


def test_running(provider: Provider) -> None:
    job = provider.parse_status(answer(RUNNING))
    assert job.status is JobStatus.RUNNING
    assert job.created_at == dt.datetime(2025, 9, 25, 11, 7, 28, 590000, tzinfo=BEIJING)
    assert job.completed_at is None
    assert job.outputs == ()


def test_an_expired_task_says_what_happened(provider: Provider) -> None:
    with pytest.raises(vidgen.ContentExpired) as caught:
        provider.parse_status(answer(EXPIRED))
    error = caught.value
    assert error.provider_code == "UNKNOWN"
    assert "502a00b1-19d9-4839-a82f-xxxxxx" in str(error)
    assert "24 hours" in str(error)
    assert "region" in (error.hint or "")
    assert not error.retryable


def test_the_documented_result(provider: Provider) -> None:
    job = provider.parse_status(answer(I2V_SUCCEEDED))
    assert job.status is JobStatus.SUCCEEDED
    end = dt.datetime(2025, 9, 25, 11, 17, 11, 650000, tzinfo=BEIJING)
    assert job.completed_at == end
    assert [o.url for o in job.outputs] == [VIDEO_URL]
    # The documented URL's Expires is redacted ("xxx"): 24 hours after the end, then.
    assert job.expires_at == end + dt.timedelta(hours=24)
    assert job.outputs[0].expires_at == job.expires_at
    assert job.seconds == 15
    assert job.usage is not None
    assert job.usage.seconds == 15
    assert "usage.duration" in (job.usage.note or "")


def test_a_signed_urls_own_expiry_wins(provider: Provider) -> None:
    url = "https://dashscope-result-sh.oss-accelerate.aliyuncs.com/1.mp4?Expires=1758856631"
    job = provider.parse_status(answer(query("SUCCEEDED", video_url=url)))
    assert job.expires_at == dt.datetime.fromtimestamp(1758856631, dt.timezone.utc)


def test_reference_to_video_bills_input_and_output_seconds(provider: Provider) -> None:
    job = provider.parse_status(answer(R2V_SUCCEEDED))
    assert job.usage is not None
    assert job.usage.seconds == 10.0  # usage.duration: 5 s of reference video + 5 s made
    assert job.seconds == 5
    assert job.size == "1280x720"


def test_a_failed_task_at_http_200(provider: Provider) -> None:
    job = provider.parse_status(answer(FAILED))
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert (job.error.code, job.error.provider_code) == ("generation_failed", "InvalidParameter")
    assert job.error.message == "The size is not match xxxxxx"
    assert job.usage is None


@pytest.mark.parametrize(
    ("code", "neutral"),
    [
        ("DataInspectionFailed", "content_policy"),
        ("DataInspectionFailed.Output", "content_policy"),
        ("InternalError.Timeout", "server_error"),
        (None, "generation_failed"),
    ],
)
def test_failure_codes(provider: Provider, code: str | None, neutral: str) -> None:
    job = provider.parse_status(answer(query("FAILED", code=code, message=None)))
    assert job.error is not None
    assert job.error.code == neutral
    assert job.error.message == "the task failed"


@pytest.mark.parametrize("value", [None, "", "2025-13-45 99:00:00", 12, "yesterday"])
def test_odd_times_never_break_a_finished_job(provider: Provider, value: Any) -> None:
    job = provider.parse_status(answer(query("SUCCEEDED", end_time=value, submit_time=value)))
    assert job.status is JobStatus.SUCCEEDED
    assert job.expires_at is None
    assert job.outputs[0].url == VIDEO_URL


@pytest.mark.parametrize(
    "usage",
    [
        {"duration": "nan"},
        {"duration": "soon"},
        {"output_video_duration": 5.5},
        {"size": "big"},
        {},
    ],
)
def test_odd_usage_never_breaks_a_finished_job(provider: Provider, usage: dict[str, Any]) -> None:
    body = {**query("SUCCEEDED"), "usage": usage}
    job = provider.parse_status(answer(body))
    assert job.status is JobStatus.SUCCEEDED
    assert job.seconds is None
    assert job.size is None


@pytest.mark.parametrize(
    "body",
    [
        {"output": {"task_status": "RUNNING"}},
        {"output": {"task_id": 7, "task_status": "RUNNING"}},
        {"output": {"task_id": TASK_ID, "video_url": ["x"]}},
        {"output": "RUNNING"},
        {"request_id": "r"},
        [],
    ],
)
def test_unreadable_answers_are_protocol_errors(provider: Provider, body: Any) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_status(answer(body))


# -- errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "cls", "retryable"), ERROR_ROWS, ids=[f"{r[0]}-{r[1]}" for r in ERROR_ROWS]
)
def test_every_documented_error_code(
    provider: Provider, status: int, code: str, cls: type[vidgen.ProviderError], retryable: bool
) -> None:
    body = error_body(code)
    error = provider.parse_error(answer(body, status))
    assert type(error) is cls
    assert error.retryable is retryable
    assert (error.status_code, error.provider_code, error.request_id) == (
        status,
        code,
        body["request_id"],
    )
    assert error.message == body["message"]
    assert error.hint


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (429, "Throttling.Something", vidgen.RateLimited),
        (400, "DataInspectionFailed.Input", vidgen.ContentPolicyViolation),
        (500, "InternalError.Algo", vidgen.ServerError),
        (400, "BadRequest.TooLarge", vidgen.InvalidRequest),
        (409, "Conflict", vidgen.ServerError),
        (418, "Teapot", vidgen.ProviderError),
    ],
)
def test_unknown_codes_by_family_then_by_status(
    provider: Provider, status: int, code: str, cls: type[vidgen.ProviderError]
) -> None:
    error = provider.parse_error(answer({"code": code, "message": "m"}, status))
    assert isinstance(error, cls)


def test_throttling_honours_retry_after(provider: Provider) -> None:
    error = provider.parse_error(
        answer(error_body("Throttling"), 429, headers={"Retry-After": "3"})
    )
    assert isinstance(error, vidgen.RateLimited)
    assert error.retry_after == 3.0


def test_html_and_empty_errors(provider: Provider) -> None:
    assert isinstance(
        provider.parse_error(make_response(502, content=b"<html>bad gateway</html>")),
        vidgen.ServerError,
    )
    assert isinstance(
        provider.parse_error(make_response(401, content=b"")), vidgen.AuthenticationError
    )


# -- cancel and list ---------------------------------------------------------------------------------------


def test_cancel_request(provider: Provider) -> None:
    request = provider.build_cancel(vidgen.Job(id=TASK_ID, provider="dashscope"))
    assert (request.method, str(request.url)) == ("POST", f"{API}/tasks/{TASK_ID}/cancel")
    assert request.headers["authorization"].startswith("Bearer ")


def test_a_cancel_is_read_back_afterwards(provider: Provider) -> None:
    job = vidgen.Job(id=TASK_ID, provider="dashscope")
    assert provider.parse_cancel(answer({"request_id": "r-9"}, method="POST"), job) is None
    assert provider.parse_cancel(make_response(200, content=b"", method="POST"), job) is None


def test_a_running_task_cannot_be_cancelled(provider: Provider) -> None:
    job = vidgen.Job(id=TASK_ID, provider="dashscope")
    for status in (400, 200):
        with pytest.raises(vidgen.InvalidRequest) as caught:
            provider.parse_cancel(answer(CANCEL_REFUSED, status, method="POST"), job)
        assert "PENDING" in str(caught.value)


def test_the_task_list(provider: Provider) -> None:
    request = provider.build_list(limit=20)
    assert str(request.url) == f"{API}/tasks?page_no=1&page_size=20"
    page = provider.parse_list(answer(TASK_LIST, url=str(request.url)))
    [job] = page.jobs
    assert (job.id, job.model, job.status) == (
        "6075262c-b56d-4968-9abf-2a9784a90f3e",
        "wan2.6-t2v",
        JobStatus.UNKNOWN,  # SUCCEEDED in the list, which carries no video URL
    )
    assert job.raw["status"] == "SUCCEEDED"
    assert job.created_at == dt.datetime.fromtimestamp(1709260684.485, dt.timezone.utc)
    assert page.next_cursor is None
    more = provider.parse_list(answer({**TASK_LIST, "total_page": 3}))
    assert more.next_cursor == "2"
    assert str(provider.build_list(5, "2").url) == f"{API}/tasks?page_no=2&page_size=5"


@pytest.mark.parametrize("cursor", ["0", "x", "-1"])
def test_a_bad_list_cursor(provider: Provider, cursor: str) -> None:
    with pytest.raises(vidgen.UnsupportedRequest):
        provider.build_list(after=cursor)


def test_a_list_error(provider: Provider) -> None:
    with pytest.raises(vidgen.AuthenticationError):
        provider.parse_list(answer(error_body("InvalidApiKey"), 401))
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_list(answer({"data": "none"}))
