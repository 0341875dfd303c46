"""Reading Kling's answers: every status, the result, usage, every documented error code."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from kling_payloads import (
    API,
    CREATED,
    CREATED_MS,
    DONE_MS,
    ERROR_1303,
    ERROR_ROWS,
    EXTERNAL_ID,
    FAILED,
    PROCESSING,
    SUCCEEDED,
    TASK_ID,
    VIDEO_URL,
    envelope,
    error_body,
    task,
)

import vidgen
from vidgen import JobStatus
from vidgen.provider import Provider
from vidgen.testing import make_response

UTC = dt.timezone.utc
T2V = f"{API}/v1/videos/text2video/{TASK_ID}"
I2V = f"{API}/v1/videos/image2video/{TASK_ID}"


def answer(body: Any, url: str = T2V, status: int = 200, **kwargs: Any) -> httpx.Response:
    return make_response(status, json=body, url=url, **kwargs)


def answering(request: httpx.Request, body: Any) -> httpx.Response:
    """A 200 carrying ``body`` for exactly this request (its path and query)."""
    return make_response(200, json=body, method=request.method, url=str(request.url))


def _ms(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value / 1000, UTC)


# -- create and status ---------------------------------------------------------------------------


def test_the_logged_create(provider: Provider) -> None:
    job = provider.parse_submit(answer(CREATED, url=f"{API}/v1/videos/text2video", method="POST"))
    assert job.id == f"t2v-{TASK_ID}"
    assert job.status is JobStatus.QUEUED
    assert job.created_at == _ms(CREATED_MS)
    assert job.request_id == CREATED["request_id"]
    assert job.raw["task_info"]["external_task_id"] == EXTERNAL_ID


def test_an_image_to_video_create_is_an_i2v_job(provider: Provider) -> None:
    job = provider.parse_submit(answer(CREATED, url=f"{API}/v1/videos/image2video", method="POST"))
    assert job.id == f"i2v-{TASK_ID}"


@pytest.mark.parametrize(
    ("wire", "neutral"),
    [
        ("submitted", JobStatus.QUEUED),
        ("processing", JobStatus.RUNNING),
        ("succeed", JobStatus.SUCCEEDED),
        ("failed", JobStatus.FAILED),
        ("something-new", JobStatus.UNKNOWN),
    ],
)
def test_every_documented_status(provider: Provider, wire: str, neutral: JobStatus) -> None:
    assert provider.parse_status(answer(envelope(task(wire)))).status is neutral


def test_processing(provider: Provider) -> None:
    job = provider.parse_status(answer(PROCESSING))
    assert (job.status, job.outputs, job.completed_at, job.usage) == (
        JobStatus.RUNNING,
        (),
        None,
        None,
    )


def test_the_result_its_retention_and_its_cost(provider: Provider) -> None:
    job = provider.parse_status(answer(SUCCEEDED))
    assert job.status is JobStatus.SUCCEEDED
    assert [o.url for o in job.outputs] == [VIDEO_URL]
    assert job.completed_at == _ms(DONE_MS)
    # "generated images/videos will be cleared after 30 days"
    assert job.expires_at == _ms(DONE_MS) + dt.timedelta(days=30)
    assert job.outputs[0].expires_at == job.expires_at
    assert job.seconds == 5  # Kling reports "5.1"
    assert job.usage is not None
    assert job.usage.units == Decimal("3")
    assert "final_unit_deduction" in (job.usage.note or "")


def test_an_image_to_video_status_keeps_its_prefix(provider: Provider) -> None:
    assert provider.parse_status(answer(SUCCEEDED, url=I2V)).id == f"i2v-{TASK_ID}"


def test_a_moderated_task(provider: Provider) -> None:
    job = provider.parse_status(answer(FAILED))
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.code == "content_policy"
    assert "risk control" in job.error.message
    assert "does not charge" in job.error.message
    assert job.outputs == ()


def test_an_ordinary_failure(provider: Provider) -> None:
    job = provider.parse_status(answer(envelope(task("failed", message="Generation failed"))))
    assert job.error is not None
    assert job.error.code == "generation_failed"


def test_a_failure_without_a_message(provider: Provider) -> None:
    job = provider.parse_status(answer(envelope(task("failed", message=""))))
    assert job.error is not None
    assert job.error.message.startswith("the task failed")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", Decimal("0")),
        ("12.5", Decimal("12.5")),
        (7, Decimal("7")),
        ("nan", None),
        ("-1", None),
        ("soon", None),
    ],
)
def test_unit_deductions(provider: Provider, value: Any, expected: Decimal | None) -> None:
    body = envelope({**task("succeed"), "final_unit_deduction": value})
    usage = provider.parse_status(answer(body)).usage
    assert (usage.units if usage else None) == expected


@pytest.mark.parametrize("duration", ["", "x", None, "1e999", "-3", 5.0, "10"])
def test_odd_durations_never_break_a_finished_job(provider: Provider, duration: Any) -> None:
    body = envelope(task("succeed"))
    body["data"]["task_result"]["videos"][0]["duration"] = duration
    job = provider.parse_status(answer(body))
    assert job.status is JobStatus.SUCCEEDED
    assert job.seconds in (None, 5, 10)


def test_images_null_and_no_videos(provider: Provider) -> None:
    body = envelope({**task("succeed"), "task_result": {"images": None, "videos": None}})
    job = provider.parse_status(answer(body))
    assert job.status is JobStatus.SUCCEEDED
    assert job.outputs == ()


@pytest.mark.parametrize(
    "data",
    [
        {"task_status": "succeed"},
        {"task_id": 12345, "task_status": "succeed"},
        {"task_id": TASK_ID, "task_result": {"videos": "https://x.example/v.mp4"}},
        {"task_id": TASK_ID, "task_result": {"videos": [{"url": ["a"]}]}},
        "not a task",
        None,
    ],
)
def test_unreadable_tasks_are_protocol_errors(provider: Provider, data: Any) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_status(answer(envelope(data)))


def test_a_task_from_an_unknown_path_cannot_be_placed(provider: Provider) -> None:
    with pytest.raises(vidgen.ProtocolError, match="text-to-video or image-to-video"):
        provider.parse_status(
            answer(envelope(task("processing", external=None)), url=f"{API}/elsewhere")
        )


def test_an_unreadable_code_is_a_protocol_error(provider: Provider) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_status(answer({**SUCCEEDED, "code": "zero"}))


# -- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "cls", "retryable", "message"),
    ERROR_ROWS,
    ids=[f"{row[0]}-{row[1]}" for row in ERROR_ROWS],
)
def test_every_documented_error_code(
    provider: Provider,
    status: int,
    code: int,
    cls: type[vidgen.ProviderError],
    retryable: bool,
    message: str,
) -> None:
    error = provider.parse_error(answer(error_body(code, message), status=status))
    assert type(error) is cls
    assert error.retryable is retryable
    assert error.provider_code == str(code)
    assert error.status_code == status
    assert error.message == message
    assert error.hint
    assert error.request_id == error_body(code, message)["request_id"]


def test_a_concurrency_limit_honours_retry_after(provider: Provider) -> None:
    error = provider.parse_error(answer(ERROR_1303, status=429, headers={"Retry-After": "7"}))
    assert isinstance(error, vidgen.RateLimited)
    assert error.retry_after == 7.0
    assert "concurrency" in (error.hint or "")


def test_an_error_code_inside_a_200_envelope_is_raised(provider: Provider) -> None:
    with pytest.raises(vidgen.InsufficientCredits) as caught:
        provider.parse_submit(answer(error_body(1102, "Resource pack depleted or expired")))
    assert caught.value.status_code == 200
    assert caught.value.provider_code == "1102"


def test_an_http_error_is_raised_by_the_parsers(provider: Provider) -> None:
    with pytest.raises(vidgen.NotFound):
        provider.parse_status(answer(error_body(1203, "not found"), status=404))


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (500, b"<html>oops</html>", vidgen.ServerError),
        (429, b"", vidgen.RateLimited),
        (400, b'{"code": 1999, "message": "new"}', vidgen.InvalidRequest),
        (403, b'{"code": "1103", "message": "as a string"}', vidgen.PermissionDenied),
        (418, b"[]", vidgen.ProviderError),
    ],
)
def test_unknown_and_odd_errors_fall_back_to_the_status(
    provider: Provider, status: int, body: bytes, cls: type[vidgen.ProviderError]
) -> None:
    error = provider.parse_error(make_response(status, content=body, url=T2V))
    assert isinstance(error, cls)
    assert error.provider == "kling"


# -- list --------------------------------------------------------------------------------------------


def test_a_list_page_and_its_cursor(provider: Provider) -> None:
    request = provider.build_list(limit=2)
    assert str(request.url) == f"{API}/v1/videos/text2video?pageNum=1&pageSize=2"
    body = envelope([task("succeed"), task("processing", task_id="867283741759111203")])
    response = answering(request, body)
    page = provider.parse_list(response)
    assert [j.id for j in page.jobs] == [f"t2v-{TASK_ID}", "t2v-867283741759111203"]
    assert page.jobs[0].status is JobStatus.SUCCEEDED
    assert page.next_cursor == "t2v:2"
    last = answering(provider.build_list(2, "t2v:2"), envelope([task("succeed")]))
    assert provider.parse_list(last).next_cursor == "i2v:1"
    request = provider.build_list(2, "i2v:1")
    assert request.url.path == "/v1/videos/image2video"
    done = answering(request, envelope([]))
    assert provider.parse_list(done).next_cursor is None


@pytest.mark.parametrize("cursor", ["x:1", "t2v:0", "t2v:abc", "i2v:1001"])
def test_a_bad_cursor_is_refused(provider: Provider, cursor: str) -> None:
    with pytest.raises(vidgen.UnsupportedRequest):
        provider.build_list(after=cursor)


def test_a_list_that_is_not_a_list(provider: Provider) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_list(answering(provider.build_list(), envelope({"a": 1})))


# -- lookup by external_task_id ------------------------------------------------------------------------


def test_a_task_vidgen_tagged_is_found_by_its_external_id(provider: Provider) -> None:
    from vidgen_kling import external_task_id_for

    external = external_task_id_for("https://hooks.example.com/k?vidgen_token=abc", "image2video")
    assert external is not None
    request = provider.build_lookup(external)
    assert request.url.path == f"/v1/videos/image2video/{external}"
    body = envelope(task("succeed", external=external))
    job = provider.parse_status(answering(request, body))
    assert job.id == f"i2v-{TASK_ID}"  # the real task id, ready to poll and download


def test_only_vidgens_external_ids_are_looked_up(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest, match="vidgen-t2v"):
        provider.build_lookup(EXTERNAL_ID)


def test_callback_bodies_are_not_json_safe(provider: Provider) -> None:
    for body in (b"", b"{", b"[" * 5000 + b"]" * 5000, json.dumps({"task_id": TASK_ID}).encode()):
        with pytest.raises(vidgen.ProtocolError):
            provider.parse_callback({}, body)
