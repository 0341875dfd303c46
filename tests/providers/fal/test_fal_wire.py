"""fal's queue API, sans-IO: the requests built and the documented answers parsed."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fal_payloads import (
    CANCEL_URL,
    COMPLETED,
    IN_PROGRESS,
    IN_QUEUE,
    MODEL_ERROR_422,
    PLATFORM_ERROR,
    REQUEST_ERROR,
    REQUEST_ID,
    REQUEST_URL,
    RESULT,
    STATUS_URL,
    STILL_RUNNING,
    SUBMITTED,
    VALIDATION_422,
    VIDEO_URL,
)

import vidgen
from vidgen import JobStatus
from vidgen.provider import Provider
from vidgen.testing import make_response
from vidgen_fal import app_of

KEY = "fal-test-key-0123456789"


def submitted(provider: Provider, endpoint: str = "fal-ai/veo3.1") -> vidgen.Job:
    return provider.parse_submit(
        make_response(200, json=SUBMITTED, method="POST", url=f"https://queue.fal.run/{endpoint}")
    )


def answer(
    provider: Provider, request: httpx.Request, status: int, body: Any, **headers: str
) -> vidgen.Job:
    response = httpx.Response(status, json=body, headers=headers, request=request)
    return provider.parse_status(response)


# -- submit ----------------------------------------------------------------------------------


def test_submit_goes_to_the_endpoint_with_the_key_word_auth(provider: Provider) -> None:
    fitted = provider.fit(vidgen.VideoRequest(prompt="a calm sea", model="veo-3.1", duration=6))
    request = provider.build_submit(fitted)
    assert (request.method, str(request.url)) == ("POST", "https://queue.fal.run/fal-ai/veo3.1")
    assert request.headers["authorization"] == f"Key {KEY}"
    assert json.loads(request.content) == {
        "prompt": "a calm sea",
        "duration": "6s",
        "aspect_ratio": "16:9",
        "resolution": "720p",
        "generate_audio": True,
    }
    assert "x-fal-object-lifecycle-preference" not in request.headers


def test_a_first_frame_picks_the_image_to_video_endpoint(provider: Provider) -> None:
    image = vidgen.Reference.from_url("https://example.com/first.png")
    fitted = provider.fit(vidgen.VideoRequest(prompt="p", model="veo-3.1", reference=image))
    request = provider.build_submit(fitted)
    assert request.url.path == "/fal-ai/veo3.1/image-to-video"
    assert json.loads(request.content)["image_url"] == "https://example.com/first.png"


def test_reference_images_alone_pick_the_reference_endpoint(provider: Provider) -> None:
    refs = [vidgen.Reference.from_url(f"https://example.com/{n}.png") for n in "ab"]
    fitted = provider.fit(vidgen.VideoRequest(prompt="p", model="fal-ai/veo3.1", references=refs))
    request = provider.build_submit(fitted)
    assert request.url.path == "/fal-ai/veo3.1/reference-to-video"
    body = json.loads(request.content)
    assert body["image_urls"] == ["https://example.com/a.png", "https://example.com/b.png"]
    assert "image_url" not in body


def test_bytes_are_sent_as_a_data_url(provider: Provider) -> None:
    from vidgen.testing import png_bytes

    image = vidgen.Reference.from_bytes(png_bytes(1280, 720))
    fitted = provider.fit(
        vidgen.VideoRequest(prompt="p", model="kling-v3-std", reference=image, duration=5)
    )
    body = json.loads(provider.build_submit(fitted).content)
    assert body["start_image_url"].startswith("data:image/png;base64,")
    assert "aspect_ratio" not in body  # image-to-video takes the image's shape


def test_webhook_and_retention_settings() -> None:
    provider = vidgen.get_provider("fal", api_key=KEY, object_expiration_seconds=3600)
    fitted = provider.fit(
        vidgen.VideoRequest(
            prompt="p", model="veo-3.1-fast", callback_url="https://hooks.example.com/fal"
        )
    )
    request = provider.build_submit(fitted)
    assert request.url.params["fal_webhook"] == "https://hooks.example.com/fal"
    assert json.loads(request.headers["x-fal-object-lifecycle-preference"]) == {
        "expiration_duration_seconds": 3600
    }
    never = vidgen.get_provider("fal", api_key=KEY, object_expiration_seconds="never")
    assert never.object_lifecycle_header() == '{"expiration_duration_seconds": null}'


@pytest.mark.parametrize("bad", [0, -5, "soon", True, 1.5])
def test_a_bad_retention_setting_is_refused(bad: Any) -> None:
    with pytest.raises(vidgen.ConfigError, match="object_expiration_seconds"):
        vidgen.get_provider("fal", api_key=KEY, object_expiration_seconds=bad)


def test_provider_options_add_fields_but_never_overwrite_vidgen_s(provider: Provider) -> None:
    ok = vidgen.VideoRequest(
        prompt="p", model="veo-3.1", provider_options={"fal": {"auto_fix": False}}
    )
    body = json.loads(provider.build_submit(provider.fit(ok)).content)
    assert body["auto_fix"] is False
    clash = vidgen.VideoRequest(
        prompt="p", model="veo-3.1", provider_options={"fal": {"duration": "4s"}}
    )
    with pytest.raises(vidgen.UnsupportedRequest, match="duration") as caught:
        provider.fit(clash)
    assert caught.value.param == "provider_options.fal.duration"


def test_the_submit_answer_is_a_queued_job(provider: Provider) -> None:
    job = submitted(provider, "fal-ai/veo3.1/image-to-video")
    assert (job.id, job.status, job.model) == (
        REQUEST_ID,
        JobStatus.QUEUED,
        "fal-ai/veo3.1/image-to-video",
    )
    assert job.raw["status_url"] == STATUS_URL


def test_a_submit_answer_without_request_id_is_a_protocol_error(provider: Provider) -> None:
    with pytest.raises(vidgen.ProtocolError, match="request_id"):
        provider.parse_submit(make_response(200, json={"status": "IN_QUEUE"}, method="POST"))


# -- status and result -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (IN_QUEUE, JobStatus.QUEUED),
        (IN_PROGRESS, JobStatus.RUNNING),
        (COMPLETED, JobStatus.RUNNING),
    ],
)
def test_statuses(provider: Provider, body: dict[str, Any], status: JobStatus) -> None:
    job = submitted(provider)
    request = provider.build_status(job)
    assert str(request.url) == STATUS_URL
    seen = answer(provider, request, 202 if body is not COMPLETED else 200, body)
    assert (seen.id, seen.status, seen.model) == (REQUEST_ID, status, "fal-ai/veo3.1")
    assert seen.raw["response_url"] == REQUEST_URL


def test_completed_is_read_from_the_result_at_once(provider: Provider) -> None:
    job = submitted(provider, "fal-ai/veo3.1/image-to-video")
    completed = answer(provider, provider.build_status(job), 200, COMPLETED)
    assert (
        provider.poll_hint(httpx.Response(200, json=COMPLETED, request=provider.build_status(job)))
        == 0.0
    )
    result_request = provider.build_status(completed)
    assert str(result_request.url) == REQUEST_URL
    done = answer(provider, result_request, 200, RESULT, **{"x-fal-billable-units": "8"})
    assert done.status is JobStatus.SUCCEEDED
    assert done.model == "fal-ai/veo3.1/image-to-video"  # the endpoint, carried along
    assert [o.url for o in done.outputs] == [VIDEO_URL]
    assert done.usage is not None
    assert str(done.usage.units) == "8"


def test_the_result_s_width_height_and_duration(provider: Provider) -> None:
    body = {"video": {"url": VIDEO_URL, "width": 1280, "height": 720, "duration": 8.0}, "seed": 7}
    done = provider.parse_status(make_response(json=body, url=REQUEST_URL))
    assert (done.size, done.seconds) == ("1280x720", 8)


def test_a_result_asked_too_early_means_running(provider: Provider) -> None:
    job = provider.parse_status(make_response(400, json=STILL_RUNNING, url=REQUEST_URL))
    assert (job.id, job.status) == (REQUEST_ID, JobStatus.RUNNING)


def test_a_result_refused_by_the_content_checker_is_a_failed_job(provider: Provider) -> None:
    job = provider.parse_status(make_response(422, json=MODEL_ERROR_422, url=REQUEST_URL))
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert (job.error.code, job.error.provider_code) == (
        "content_policy",
        "content_policy_violation",
    )
    assert "flagged by a content checker" in job.error.message


def test_a_validation_error_on_the_result_is_a_failed_job(provider: Provider) -> None:
    job = provider.parse_status(make_response(422, json=VALIDATION_422, url=REQUEST_URL))
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.code == "generation_failed"
    assert job.error.message == "prompt: field required"


def test_a_request_error_on_the_result_is_a_failed_unbilled_job(provider: Provider) -> None:
    response = make_response(
        504, json=REQUEST_ERROR, url=REQUEST_URL, headers={"x-fal-error-type": "request_timeout"}
    )
    job = provider.parse_status(response)
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert (job.error.code, job.error.provider_code) == ("server_error", "request_timeout")
    assert "does not bill" in job.error.message


def test_an_expired_result_says_where_the_video_may_still_be(provider: Provider) -> None:
    with pytest.raises(vidgen.NotFound) as caught:
        provider.parse_status(make_response(404, json={"detail": "Not Found"}, url=REQUEST_URL))
    assert caught.value.hint is not None
    assert "1 hour" in caught.value.hint


def test_a_result_without_video_is_failed(provider: Provider) -> None:
    job = provider.parse_status(make_response(json={"images": []}, url=REQUEST_URL))
    assert job.status is JobStatus.FAILED


def test_unseen_statuses_are_unknown_and_third_party_ones_are_mapped(provider: Provider) -> None:
    for wire, neutral in [
        ("PAUSED", JobStatus.UNKNOWN),
        ("FAILED", JobStatus.FAILED),
        ("CANCELED", JobStatus.CANCELLED),
    ]:
        job = provider.parse_status(make_response(json={"status": wire}, url=STATUS_URL))
        assert job.status is neutral


def test_logs_setting_asks_for_logs() -> None:
    provider = vidgen.get_provider("fal", api_key=KEY, logs=True)
    assert provider.build_status(submitted(provider)).url.params["logs"] == "1"


# -- job references -----------------------------------------------------------------------------


def test_a_job_known_by_endpoint_and_id(provider: Provider) -> None:
    for ref in (
        f"fal-ai/kling-video/v3/pro/image-to-video/requests/{REQUEST_ID}",
        f"https://queue.fal.run/fal-ai/kling-video/requests/{REQUEST_ID}/status",
    ):
        job = provider.job_ref(ref)
        assert job.id == REQUEST_ID
        assert (
            str(provider.build_status(job).url)
            == f"https://queue.fal.run/fal-ai/kling-video/requests/{REQUEST_ID}/status"
        )


def test_a_bare_request_id_cannot_be_polled(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest, match="needs the endpoint"):
        provider.build_status(provider.job_ref(REQUEST_ID))


def test_urls_on_another_host_are_not_trusted(provider: Provider) -> None:
    body = {**SUBMITTED, "status_url": "https://evil.example.com/steal/status"}
    job = provider.parse_submit(
        make_response(json=body, method="POST", url="https://queue.fal.run/fal-ai/veo3.1")
    )
    assert provider.build_status(job).url.host == "queue.fal.run"


def test_ids_are_one_path_segment(provider: Provider) -> None:
    job = vidgen.Job(id="../../admin", provider="fal", model="fal-ai/veo3.1")
    assert (
        provider.build_status(job).url.raw_path == b"/fal-ai/veo3.1/requests/..%2F..%2Fadmin/status"
    )


@pytest.mark.parametrize(
    ("endpoint", "app"),
    [
        ("fal-ai/kling-video/v3/pro/text-to-video", "fal-ai/kling-video"),
        ("bytedance/seedance-2.0/fast/image-to-video", "bytedance/seedance-2.0"),
        ("fal-ai/veo3.1", "fal-ai/veo3.1"),
        ("workflows/me/my-flow/run", "workflows/me/my-flow"),
    ],
)
def test_the_app_of_an_endpoint(endpoint: str, app: str) -> None:
    assert app_of(endpoint) == app


# -- cancel ----------------------------------------------------------------------------------------


def test_cancel_outcomes(provider: Provider) -> None:
    job = submitted(provider)
    request = provider.build_cancel(job)
    assert (request.method, str(request.url)) == ("PUT", CANCEL_URL)

    def cancel(status: int, body: Any) -> vidgen.Job | None:
        return provider.parse_cancel(httpx.Response(status, json=body, request=request), job)

    removed = cancel(200, {"status": "OK"})
    assert removed is not None
    assert removed.status is JobStatus.CANCELLED
    assert cancel(202, {"status": "CANCELLATION_REQUESTED"}) is None  # vidgen reads the status
    assert cancel(400, {"status": "ALREADY_COMPLETED"}) is None
    with pytest.raises(vidgen.NotFound):
        cancel(404, {"status": "NOT_FOUND"})
    with pytest.raises(vidgen.AuthenticationError):
        cancel(401, {"detail": "Unauthorized"})


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "headers", "cls", "code"),
    [
        (
            504,
            REQUEST_ERROR,
            {"X-Fal-Error-Type": "request_timeout"},
            vidgen.ServerError,
            "request_timeout",
        ),
        (422, MODEL_ERROR_422, {}, vidgen.ContentPolicyViolation, "content_policy_violation"),
        (422, VALIDATION_422, {}, vidgen.InvalidRequest, "value_error.missing"),
        (401, PLATFORM_ERROR, {}, vidgen.AuthenticationError, "authorization_error"),
        (
            401,
            {"detail": "Authentication is required to access this application."},
            {},
            vidgen.AuthenticationError,
            None,
        ),
        (
            403,
            {"detail": "User is locked. Reason: Exhausted balance."},
            {},
            vidgen.InsufficientCredits,
            None,
        ),
        (429, {"detail": "Too many requests"}, {"Retry-After": "7"}, vidgen.RateLimited, None),
        (
            400,
            {"error": {"message": "bad", "code": "invalid_input"}},
            {},
            vidgen.InvalidRequest,
            "invalid_input",
        ),
        (500, "<html>oops</html>", {}, vidgen.ServerError, None),
    ],
)
def test_error_shapes(
    provider: Provider, status: int, body: Any, headers: dict[str, str], cls: type, code: str | None
) -> None:
    if isinstance(body, str):
        response = make_response(status, content=body, headers=headers)
    else:
        response = make_response(status, json=body, headers=headers)
    error = provider.parse_error(response)
    assert type(error) is cls
    assert error.provider_code == code
    assert error.provider == "fal"
    if cls is vidgen.RateLimited:
        assert error.retry_after == 7.0
    if status == 422 and body is VALIDATION_422:
        assert error.param == "prompt"


def test_fal_retryable_header_decides(provider: Provider) -> None:
    error = provider.parse_error(
        make_response(503, json={"detail": "x"}, headers={"X-Fal-Retryable": "false"})
    )
    assert error.retryable is False


# -- downloads -------------------------------------------------------------------------------------


def test_downloads_carry_no_key(provider: Provider) -> None:
    done = provider.parse_status(make_response(json=RESULT, url=REQUEST_URL))
    request = provider.build_download(done)
    assert str(request.url) == VIDEO_URL
    assert "authorization" not in request.headers
    plain = vidgen.Job(
        id="x",
        provider="fal",
        status=JobStatus.SUCCEEDED,
        outputs=(vidgen.Output(url="http://cdn.example/v.mp4"),),
    )
    with pytest.raises(vidgen.ProtocolError, match="not https"):
        provider.build_download(plain)
