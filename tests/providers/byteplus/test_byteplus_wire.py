"""The sans-IO part of the byteplus provider (and the content-array protocol under it):
requests built, responses read."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from byteplus_payloads import (
    API,
    CANCELLED,
    CREATE_BODY,
    CREATED,
    EXPIRED,
    FAILED,
    KEY,
    LAST_FRAME_URL,
    PAGE,
    QUEUED,
    REQUEST,
    RUNNING,
    SUCCEEDED,
    TASK_ID,
    TASK_URL,
    TASKS,
    VIDEO_URL,
)

import vidgen
from vidgen import JobStatus
from vidgen.provider import Provider
from vidgen.testing import make_response, png_bytes

UTC = dt.timezone.utc
SEEDANCE_2 = "dreamina-seedance-2-0-260128"


@pytest.fixture
def provider() -> Provider:
    return vidgen.get_provider("byteplus", api_key=KEY)


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


def answer(body: Any, status: int = 200, **headers: str) -> httpx.Response:
    return make_response(status, json=body, headers=headers, url=TASK_URL)


def submit_body(provider: Provider, **fields: Any) -> Any:
    fields.setdefault("prompt", "a calm sea")
    fields.setdefault("model", SEEDANCE_2)
    return body_of(provider.build_submit(provider.fit(vidgen.VideoRequest(**fields))))


# -- create ---------------------------------------------------------------------------------


def test_text_to_video_is_the_content_array_with_ark_fields(provider: Provider) -> None:
    request = provider.build_submit(provider.fit(REQUEST))
    assert (request.method, str(request.url)) == ("POST", TASKS)
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"
    assert body_of(request) == CREATE_BODY
    assert type(body_of(request)["duration"]) is int


def test_a_family_name_sends_the_byteplus_id(provider: Provider) -> None:
    body = submit_body(provider, model="seedance-2.0")
    assert body["model"] == SEEDANCE_2
    assert submit_body(provider, model="seedance-2.0-fast")["model"] == (
        "dreamina-seedance-2-0-fast-260128"
    )


def test_images_go_in_the_content_array_with_their_roles(provider: Provider) -> None:
    first = vidgen.Reference.from_url("https://example.com/first.png")
    last = vidgen.Reference.from_bytes(png_bytes(1280, 720), filename="last.png")
    body = submit_body(provider, reference=first, last_frame=last, aspect="16:9")
    assert body["content"][0] == {"type": "text", "text": "a calm sea"}
    assert body["content"][1] == {
        "type": "image_url",
        "image_url": {"url": "https://example.com/first.png"},
        "role": "first_frame",
    }
    assert body["content"][2]["role"] == "last_frame"
    assert body["content"][2]["image_url"]["url"].startswith("data:image/png;base64,")


def test_reference_images_have_the_reference_image_role(provider: Provider) -> None:
    refs = [vidgen.Reference.from_url(f"https://example.com/{i}.png") for i in range(3)]
    body = submit_body(provider, references=refs)
    assert [item.get("role") for item in body["content"]] == [None] + ["reference_image"] * 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"last_frame": vidgen.Reference.from_url("https://example.com/l.png")}, "first frame"),
        (
            {
                "reference": vidgen.Reference.from_url("https://example.com/f.png"),
                "references": [vidgen.Reference.from_url("https://example.com/r.png")],
            },
            "cannot be mixed",
        ),
    ],
    ids=["last-without-first", "frames-and-references"],
)
def test_ark_mode_rules_refuse_before_any_request(
    provider: Provider, fields: dict[str, Any], message: str
) -> None:
    for policy in ("strict", "nearest"):
        with pytest.raises(vidgen.UnsupportedRequest, match=message):
            provider.fit(vidgen.VideoRequest(prompt="x", model=SEEDANCE_2, **fields), policy=policy)


def test_seed_audio_and_watermark(provider: Provider) -> None:
    body = submit_body(provider, seed=42, audio=False)
    assert (body["seed"], body["generate_audio"], body["watermark"]) == (42, False, False)
    assert submit_body(provider)["generate_audio"] is True  # the model's default, explicit
    assert "seed" not in submit_body(provider)
    silent = submit_body(provider, model="seedance-1-0-pro-250528")
    assert "generate_audio" not in silent  # Seedance 1.0 has no sound switch
    marked = vidgen.get_provider("byteplus", api_key=KEY, watermark=True)
    assert submit_body(marked)["watermark"] is True


def test_watermark_must_be_a_bool() -> None:
    with pytest.raises(vidgen.ConfigError, match="watermark"):
        vidgen.get_provider("byteplus", api_key=KEY, watermark="yes")


@pytest.mark.parametrize(
    ("aspect", "resolution", "ratio", "wire"),
    [("21:9", "720p", "21:9", "720p"), ("16:9", "2160p", "16:9", "4k"), ("9:16", "480p", "9:16", "480p")],
)  # fmt: skip
def test_ratio_and_resolution_as_ark_names_them(
    provider: Provider, aspect: str, resolution: str, ratio: str, wire: str
) -> None:
    body = submit_body(provider, aspect=aspect, resolution=resolution)
    assert (body["ratio"], body["resolution"]) == (ratio, wire)


def test_callback_url_and_provider_options(provider: Provider) -> None:
    body = submit_body(
        provider,
        callback_url="https://hooks.example.com/ark",
        provider_options={"byteplus": {"return_last_frame": True, "service_tier": "flex"}},
    )
    assert body["callback_url"] == "https://hooks.example.com/ark"
    assert (body["return_last_frame"], body["service_tier"]) == (True, "flex")


@pytest.mark.parametrize("field", ["ratio", "resolution", "duration", "content", "watermark"])
def test_provider_options_cannot_override_what_vidgen_sets(provider: Provider, field: str) -> None:
    request = vidgen.VideoRequest(prompt="x", provider_options={"byteplus": {field: "x"}})
    with pytest.raises(vidgen.UnsupportedRequest, match=field):
        provider.fit(request)


def test_status_cancel_and_delete_requests(provider: Provider) -> None:
    job = provider.parse_submit(answer(CREATED))
    status = provider.build_status(job)
    assert (status.method, str(status.url)) == ("GET", TASK_URL)
    cancel = provider.build_cancel(job)
    assert (cancel.method, str(cancel.url)) == ("DELETE", TASK_URL)
    assert cancel.headers["authorization"] == f"Bearer {KEY}"
    assert provider.build_delete(job).method == "DELETE"


def test_a_job_id_stays_one_path_segment(provider: Provider) -> None:
    job = vidgen.Job(id="../../admin?x=1", provider="byteplus")
    assert provider.build_status(job).url.raw_path == (
        b"/api/v3/contents/generations/tasks/..%2F..%2Fadmin%3Fx%3D1"
    )


def test_cancel_refuses_a_finished_job(provider: Provider) -> None:
    done = provider.parse_status(answer(SUCCEEDED))
    with pytest.raises(vidgen.UnsupportedRequest, match="delete"):
        provider.build_cancel(done)


# -- responses ----------------------------------------------------------------------------------


def test_the_create_answer_is_a_queued_job(provider: Provider) -> None:
    job = provider.parse_submit(answer(CREATED, **{"x-request-id": "req-1"}))
    assert (job.id, job.status, job.provider, job.request_id) == (
        TASK_ID,
        JobStatus.QUEUED,
        "byteplus",
        "req-1",
    )


@pytest.mark.parametrize(
    "body", [{}, {"id": ""}, {"id": "cgt\x00bad"}, {"id": {"x": 1}}, [], "cgt-1"]
)
def test_an_unreadable_create_answer_is_a_protocol_error(provider: Provider, body: Any) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_submit(answer(body))


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (QUEUED, JobStatus.QUEUED),
        (RUNNING, JobStatus.RUNNING),
        (SUCCEEDED, JobStatus.SUCCEEDED),
        (FAILED, JobStatus.FAILED),
        (EXPIRED, JobStatus.FAILED),
        (CANCELLED, JobStatus.CANCELLED),
        ({**QUEUED, "status": "paused"}, JobStatus.UNKNOWN),
    ],
    ids=["queued", "running", "succeeded", "failed", "expired", "cancelled", "unseen"],
)
def test_every_status_maps(provider: Provider, body: Any, status: JobStatus) -> None:
    job = provider.parse_status(answer(body))
    assert job.status is status
    assert job.id == TASK_ID
    assert job.outputs == () or status is JobStatus.SUCCEEDED


def test_the_recorded_succeeded_task(provider: Provider) -> None:
    job = provider.parse_status(answer(SUCCEEDED))
    updated = dt.datetime.fromtimestamp(SUCCEEDED["updated_at"], UTC)
    assert job.model == "seedance-1-0-pro-250528"
    assert (job.seconds, job.size) == (2, "864x480")
    assert job.created_at == dt.datetime.fromtimestamp(SUCCEEDED["created_at"], UTC)
    assert job.completed_at == updated
    assert job.expires_at == updated + dt.timedelta(hours=24)  # the signed TOS URL's life
    assert [(o.kind, o.url) for o in job.outputs] == [
        ("video", VIDEO_URL),
        ("last_frame", LAST_FRAME_URL),
    ]
    assert job.usage is not None
    assert job.usage.tokens == 19845
    assert "completion_tokens" in (job.usage.note or "")
    assert job.raw["seed"] == 17918


def test_a_failed_task_is_http_200_with_its_error(provider: Provider) -> None:
    job = provider.parse_status(answer(FAILED))
    assert job.error is not None
    assert (job.error.code, job.error.provider_code) == (
        "content_policy",
        "OutputVideoSensitiveContentDetected",
    )
    assert "sensitive" in job.error.message
    assert job.usage is None


@pytest.mark.parametrize(
    ("code", "neutral"),
    [
        ("InternalServiceError", "server_error"),
        ("OutputAudioSensitiveContentDetected.PolicyViolation", "content_policy"),
        ("InputImageSensitiveContentDetected.PrivacyInformation", "content_policy"),
        ("SomethingElse", "generation_failed"),
    ],
)
def test_failure_codes_are_neutral(provider: Provider, code: str, neutral: str) -> None:
    job = provider.parse_status(answer({**FAILED, "error": {"code": code, "message": "m"}}))
    assert job.error is not None
    assert job.error.code == neutral


def test_an_expired_task_says_why(provider: Provider) -> None:
    job = provider.parse_status(answer(EXPIRED))
    assert job.error is not None
    assert job.error.code == "expired"
    assert "execution_expires_after" in job.error.message


def test_a_cancelled_task_has_no_error_and_no_outputs(provider: Provider) -> None:
    job = provider.parse_status(answer(CANCELLED))
    assert (job.error, job.outputs, job.is_terminal) == (None, (), True)


@pytest.mark.parametrize(
    "body",
    [
        {"status": "queued"},
        {**SUCCEEDED, "content": "https://elsewhere.example/v.mp4"},
        {**SUCCEEDED, "created_at": 1e300},
        {**SUCCEEDED, "usage": {"completion_tokens": "many"}},
        {**SUCCEEDED, "status": ["succeeded"]},
        {**SUCCEEDED, "id": "x\ny"},
    ],
    ids=["no-id", "content-string", "far-time", "tokens-string", "status-list", "control-id"],
)
def test_an_unreadable_task_is_a_protocol_error(provider: Provider, body: Any) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_status(answer(body))


def test_downloads_go_to_the_storage_host_without_the_key(provider: Provider) -> None:
    job = provider.parse_status(answer(SUCCEEDED))
    video = provider.build_download(job)
    assert str(video.url) == VIDEO_URL
    assert "authorization" not in video.headers
    frame = provider.build_download(job, variant="last_frame")
    assert str(frame.url) == LAST_FRAME_URL
    with pytest.raises(vidgen.UnsupportedRequest):
        provider.build_download(job, index=1)
    with pytest.raises(vidgen.UnsupportedRequest):
        provider.build_download(job, variant="thumbnail")
    plain = provider.parse_status(answer({**SUCCEEDED, "content": {"video_url": "http://x/v"}}))
    with pytest.raises(vidgen.ProtocolError, match="https"):
        provider.build_download(plain)


def test_list_pages_by_number(provider: Provider) -> None:
    first = provider.build_list(limit=2)
    assert (first.url.path, dict(first.url.params)) == (
        "/api/v3/contents/generations/tasks",
        {"page_num": "1", "page_size": "2"},
    )
    page = provider.parse_list(make_response(json=PAGE, url=str(first.url)))
    assert [j.status for j in page.jobs] == [JobStatus.SUCCEEDED, JobStatus.RUNNING]
    assert page.next_cursor == "2"
    second = provider.build_list(limit=2, after=page.next_cursor)
    assert second.url.params["page_num"] == "2"
    last = provider.parse_list(make_response(json=PAGE, url=str(second.url)))
    assert last.next_cursor is None
    assert provider.build_list(limit=10_000).url.params["page_size"] == "500"
    with pytest.raises(vidgen.UnsupportedRequest):
        provider.build_list(after="cgt-1")


def test_a_list_that_is_not_a_page_is_a_protocol_error(provider: Provider) -> None:
    for body in ([SUCCEEDED], {"items": "x"}, {"items": [{"status": "queued"}]}):
        with pytest.raises(vidgen.ProtocolError):
            provider.parse_list(make_response(json=body, url=f"{TASKS}?page_num=1"))


def test_a_callback_is_read_like_a_status(provider: Provider) -> None:
    job = provider.parse_callback({}, json.dumps(SUCCEEDED).encode())
    assert (job.id, job.status) == (TASK_ID, JobStatus.SUCCEEDED)
    for body in (b"", b"not json", b"[]", b'{"status": "succeeded"}', b"[" * 5000):
        with pytest.raises(vidgen.ProtocolError):
            provider.parse_callback({}, body)


def test_the_cancel_answer_defers_to_a_status_read(provider: Provider) -> None:
    job = provider.parse_submit(answer(CREATED))
    assert provider.parse_cancel(make_response(json={}, url=TASK_URL), job) is None


def test_defaults() -> None:
    provider = vidgen.get_provider("byteplus", api_key=KEY)
    assert provider.base_url == API
    assert provider.key_env == "ARK_API_KEY"
    assert provider.catalog.default_model == SEEDANCE_2
