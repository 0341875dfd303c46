"""The sans-IO part of the aivideoapi provider: requests built, responses read."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from aivideoapi_payloads import (
    API,
    COMPLETED,
    COMPLETED_ID,
    CREATE_URL,
    CREATED,
    CREATED_ID,
    FAILED,
    IMAGE_TO_VIDEO_BODY,
    OUTPUT_URL,
    PROCESSING,
    TEXT_TO_VIDEO_BODY,
    task,
)

import vidgen
from vidgen import JobStatus
from vidgen.provider import Provider
from vidgen.testing import make_response

UTC = dt.timezone.utc


def body_of(request: Any) -> Any:
    return json.loads(request.content)


def status_response(body: Any, **headers: str) -> Any:
    return make_response(json=body, headers=headers, url=f"{API}/tasks/x")


# -- create ---------------------------------------------------------------------------------


def test_text_to_video_builds_the_documented_body(provider: Provider) -> None:
    fitted = provider.fit(
        vidgen.VideoRequest(
            prompt="A drone shot flying over mountains at sunset, cinematic lighting",
            duration=8,
            aspect="16:9",
        )
    )
    request = provider.build_submit(fitted)
    assert request.method == "POST"
    assert str(request.url) == CREATE_URL
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.headers["content-type"] == "application/json"
    assert body_of(request) == TEXT_TO_VIDEO_BODY


def test_image_to_video_builds_the_documented_body(provider: Provider) -> None:
    fitted = provider.fit(
        vidgen.VideoRequest(
            prompt="Camera slowly pushes in, the person turns and smiles",
            duration=4,
            aspect="9:16",
            reference=vidgen.Reference.from_url("https://example.com/photo.jpg"),
            callback_url="https://your-server.com/webhook",
        )
    )
    assert body_of(provider.build_submit(fitted)) == IMAGE_TO_VIDEO_BODY


@pytest.mark.parametrize("seconds", [4, 8, 12])
def test_duration_is_an_integer_on_the_wire(provider: Provider, seconds: int) -> None:
    fitted = provider.fit(vidgen.VideoRequest(prompt="x", duration=seconds))
    request = provider.build_submit(fitted)
    duration = body_of(request)["input"]["duration"]
    assert duration == seconds
    assert type(duration) is int
    assert f'"duration":{seconds}'.encode() in request.content.replace(b" ", b"")


def test_without_a_callback_url_none_is_sent(provider: Provider) -> None:
    request = provider.build_submit(provider.fit(vidgen.VideoRequest(prompt="x")))
    body = body_of(request)
    assert "callback_url" not in body
    assert "image_urls" not in body["input"]
    # The catalog's defaults: 4 s, landscape.
    assert body["input"] == {"prompt": "x", "duration": 4, "aspect_ratio": "16:9"}


def test_provider_options_become_top_level_fields(provider: Provider) -> None:
    request = vidgen.VideoRequest(prompt="x", provider_options={"aivideoapi": {"seed": 7}})
    body = body_of(provider.build_submit(provider.fit(request)))
    assert body["seed"] == 7
    assert body["model"] == "sora-2"


def test_provider_options_may_not_replace_the_fields_vidgen_sets(provider: Provider) -> None:
    request = vidgen.VideoRequest(
        prompt="x", provider_options={"aivideoapi": {"input": {"duration": 99}}}
    )
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(request)
    assert caught.value.param == "provider_options.aivideoapi.input"


def test_query_is_a_get_of_the_task(provider: Provider) -> None:
    request = provider.build_status(provider.job_ref(CREATED_ID))
    assert request.method == "GET"
    assert str(request.url) == f"{API}/tasks/{CREATED_ID}"
    assert request.headers["authorization"] == "Bearer sk-test"


def test_base_url_moves_every_api_request(provider: Provider) -> None:
    relay = vidgen.get_provider(
        "aivideoapi", api_key="sk-test", base_url="https://relay.example.com/aivideo/v1/"
    )
    fitted = relay.fit(vidgen.VideoRequest(prompt="x"))
    assert str(relay.build_submit(fitted).url) == (
        "https://relay.example.com/aivideo/v1/videos/generations"
    )
    assert str(relay.build_status(relay.job_ref("t1")).url) == (
        "https://relay.example.com/aivideo/v1/tasks/t1"
    )


# -- the create envelope ----------------------------------------------------------------------


def test_create_envelope_gives_a_queued_job(provider: Provider) -> None:
    response = make_response(
        json=CREATED, headers={"x-request-id": "req-1"}, method="POST", url=CREATE_URL
    )
    job = provider.parse_submit(response)
    assert job.id == CREATED_ID
    assert job.provider == "aivideoapi"
    assert job.status is JobStatus.QUEUED
    assert job.request_id == "req-1"
    assert job.raw == CREATED


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (402, vidgen.InsufficientCredits),
        (401, vidgen.AuthenticationError),
        (500, vidgen.ServerError),
    ],
)
def test_envelope_with_an_error_code_raises_by_that_code(
    provider: Provider, code: int, error: type[vidgen.ProviderError]
) -> None:
    body = {"code": code, "msg": "not this time", "data": None}
    with pytest.raises(error) as caught:
        provider.parse_submit(make_response(json=body, method="POST", url=CREATE_URL))
    assert caught.value.status_code == code
    assert caught.value.provider_code == str(code)
    assert caught.value.message == "not this time"
    assert caught.value.body == body


@pytest.mark.parametrize(
    "body",
    [
        {"code": 200, "msg": "success"},
        {"code": 200, "msg": "success", "data": None},
        {"code": 200, "msg": "success", "data": {}},
        {"code": 200, "msg": "success", "data": {"taskId": ""}},
        {"code": 200, "msg": "success", "data": "cbf6b69d"},
        ["cbf6b69d"],
        # A bare task object where the envelope belongs.
        PROCESSING,
    ],
    ids=["no-data", "null-data", "empty-data", "empty-id", "string-data", "list", "bare-task"],
)
def test_envelope_without_a_task_id_is_a_protocol_error(provider: Provider, body: Any) -> None:
    with pytest.raises(vidgen.ProtocolError) as caught:
        provider.parse_submit(make_response(json=body, method="POST", url=CREATE_URL))
    assert caught.value.body == body
    assert caught.value.provider == "aivideoapi"


def test_create_answer_that_is_not_json_is_a_protocol_error(provider: Provider) -> None:
    response = make_response(content=b"<html>bad gateway</html>", method="POST", url=CREATE_URL)
    with pytest.raises(vidgen.ProtocolError, match="not JSON") as caught:
        provider.parse_submit(response)
    assert "bad gateway" in caught.value.body


def test_create_answered_by_an_http_error_raises_it(provider: Provider) -> None:
    body = {"error": {"code": "insufficient_credits", "message": "top up", "type": "billing_error"}}
    response = make_response(402, json=body, method="POST", url=CREATE_URL)
    with pytest.raises(vidgen.InsufficientCredits):
        provider.parse_submit(response)


# -- the task object ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "status"),
    [
        ("pending", JobStatus.QUEUED),
        ("processing", JobStatus.RUNNING),
        ("completed", JobStatus.SUCCEEDED),
        ("failed", JobStatus.FAILED),
        ("PROCESSING", JobStatus.RUNNING),
        ("paused_for_review", JobStatus.UNKNOWN),
        ("", JobStatus.UNKNOWN),
        (None, JobStatus.UNKNOWN),
    ],
)
def test_statuses(provider: Provider, wire: str | None, status: JobStatus) -> None:
    job = provider.parse_status(status_response(task(PROCESSING, status=wire)))
    assert job.status is status
    if status is JobStatus.UNKNOWN:
        assert not job.is_terminal


def test_processing_task_with_null_progress(provider: Provider) -> None:
    job = provider.parse_status(status_response(PROCESSING, **{"x-request-id": "req-9"}))
    assert job.id == PROCESSING["id"]
    assert job.status is JobStatus.RUNNING
    assert job.progress is None
    assert job.model == "sora-2"
    assert job.created_at == dt.datetime(2026, 3, 28, 13, 56, 5, tzinfo=UTC)
    assert job.completed_at is None
    assert job.expires_at is None
    assert job.outputs == ()
    assert job.error is None
    assert job.request_id == "req-9"
    assert job.raw == PROCESSING


@pytest.mark.parametrize(("wire", "neutral"), [(0, 0), (42, 42), (57.9, 57), (130, 100), (-5, 0)])
def test_progress_is_kept_within_0_and_100(provider: Provider, wire: float, neutral: int) -> None:
    job = provider.parse_status(status_response(task(PROCESSING, progress=wire)))
    assert job.progress == neutral


def test_completed_task_outputs_expire_24_hours_after_completion(provider: Provider) -> None:
    job = provider.parse_status(status_response(COMPLETED))
    assert job.id == COMPLETED_ID
    assert job.status is JobStatus.SUCCEEDED
    assert job.created_at == dt.datetime.fromtimestamp(1774790227, UTC)
    assert job.completed_at == dt.datetime.fromtimestamp(1774796529, UTC)
    assert job.expires_at == dt.datetime.fromtimestamp(1774796529 + 24 * 3600, UTC)
    assert job.seconds == 8
    assert job.error is None
    assert len(job.outputs) == 1
    output = job.outputs[0]
    assert output.url == OUTPUT_URL
    assert output.kind == "video"
    assert output.index == 0
    assert output.expires_at == job.expires_at


def test_every_output_url_is_an_output(provider: Provider) -> None:
    second = "https://your-r2-bucket.example.com/videos/2026/04/02/second.mp4"
    body = task(COMPLETED, output={"urls": [OUTPUT_URL, second], "metadata": {}})
    job = provider.parse_status(status_response(body))
    assert [(o.index, o.url) for o in job.outputs] == [(0, OUTPUT_URL), (1, second)]
    assert job.seconds is None  # no metadata.duration


def test_failed_task_carries_its_error_and_the_refund(provider: Provider) -> None:
    job = provider.parse_status(status_response(FAILED))
    assert job.status is JobStatus.FAILED
    assert job.is_terminal
    assert job.outputs == ()
    assert job.expires_at is None
    assert job.error is not None
    assert job.error.code == "server_error"
    assert job.error.provider_code == "upstream_error"
    assert "Video generation failed" in job.error.message
    assert "refund" in job.error.message


def test_failed_task_without_an_error_object_still_has_an_error(provider: Provider) -> None:
    job = provider.parse_status(status_response({"id": "t1", "status": "failed"}))
    assert job.error is not None
    assert job.error.code == "generation_failed"
    assert job.error.provider_code is None


def test_unknown_fields_are_ignored(provider: Provider) -> None:
    body = task(COMPLETED, queue_position=3, output={**COMPLETED["output"], "thumbnail": "x"})
    job = provider.parse_status(status_response(body))
    assert job.status is JobStatus.SUCCEEDED
    assert job.outputs[0].url == OUTPUT_URL


@pytest.mark.parametrize(
    "body",
    [
        {"status": "processing"},
        {"id": "", "status": "processing"},
        [COMPLETED],
        "completed",
        task(PROCESSING, created_at="yesterday"),
        task(PROCESSING, progress="half"),
        task(COMPLETED, output={"urls": None}),
        task(COMPLETED, output="https://your-r2-bucket.example.com/v.mp4"),
        # One URL where a list belongs must not become one output per character.
        task(COMPLETED, output={"urls": OUTPUT_URL}),
        task(COMPLETED, output={"urls": [{"url": OUTPUT_URL}]}),
        task(COMPLETED, completed_at=1e20),
        task(PROCESSING, created_at=-1e20),
        # The last second of year 9999: readable, but 24 h later is not a datetime.
        task(COMPLETED, completed_at=253402300799),
    ],
    ids=[
        "no-id",
        "empty-id",
        "list",
        "string",
        "bad-created-at",
        "bad-progress",
        "null-urls",
        "output-string",
        "urls-string",
        "urls-objects",
        "completed-at-overflow",
        "created-at-overflow",
        "expiry-overflow",
    ],
)
def test_unreadable_task_is_a_protocol_error(provider: Provider, body: Any) -> None:
    with pytest.raises(vidgen.ProtocolError) as caught:
        provider.parse_status(status_response(body))
    assert caught.value.provider == "aivideoapi"


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
def test_non_finite_progress_is_a_protocol_error(provider: Provider, literal: bytes) -> None:
    # Python's json accepts these literals; they must not crash int().
    content = b'{"id": "t1", "status": "processing", "progress": ' + literal + b"}"
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_status(make_response(content=content))


def test_task_body_that_is_not_json_is_a_protocol_error(provider: Provider) -> None:
    with pytest.raises(vidgen.ProtocolError, match="not JSON"):
        provider.parse_status(make_response(content=b"upstream timeout"))


def test_http_error_on_query_is_raised(provider: Provider) -> None:
    body = {"error": {"code": "task_not_found", "message": "Task ID does not exist"}}
    with pytest.raises(vidgen.NotFound):
        provider.parse_status(make_response(404, json=body))
