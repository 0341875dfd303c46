"""The Runway provider, sans-IO: the requests it builds and the tasks it reads."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from runway_payloads import (
    API,
    BUNNY,
    BUNNY_BODY,
    BUNNY_IMAGE,
    BUNNY_IMAGE_BODY,
    CANCELLED,
    CREATED,
    DONE_DATE,
    FAILURE_ROWS,
    KEY,
    OUTPUT_URL,
    PENDING,
    RUNNING,
    SUCCEEDED,
    TASK_ID,
    TASK_URL,
    THROTTLED,
    VERSION,
    failed,
)

import vidgen
from vidgen import Job, JobStatus
from vidgen.provider import Provider
from vidgen.testing import make_response, png_bytes

UTC = dt.timezone.utc
URL_IMAGE = vidgen.Reference.from_url("https://images.example.com/first.jpg")


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


def submit(provider: Provider, policy: str = "strict", **fields: Any) -> dict[str, Any]:
    request = vidgen.VideoRequest(**{"prompt": "a quiet harbour", **fields})
    built = provider.build_submit(provider.fit(request, policy=policy))
    return {"url": str(built.url), **body_of(built)}


# -- the create requests -----------------------------------------------------------------------


def test_the_documented_text_to_video_create(provider: Provider) -> None:
    request = provider.build_submit(provider.fit(BUNNY))
    assert (request.method, str(request.url)) == ("POST", f"{API}/v1/text_to_video")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["x-runway-version"] == VERSION
    assert body_of(request) == BUNNY_BODY


def test_the_documented_image_to_video_create(provider: Provider) -> None:
    request = provider.build_submit(provider.fit(BUNNY_IMAGE))
    assert str(request.url) == f"{API}/v1/image_to_video"
    assert body_of(request) == BUNNY_IMAGE_BODY


@pytest.mark.parametrize(
    ("model", "fields", "ratio"),
    [
        ("gen4.5", {"aspect": "9:16"}, "720:1280"),
        ("gen4.5", {"aspect": "1:1", "reference": URL_IMAGE}, "960:960"),
        ("gen4.5", {"aspect": "4:3", "reference": URL_IMAGE}, "1104:832"),
        ("gen4_turbo", {"aspect": "3:4", "reference": URL_IMAGE}, "832:1104"),
        ("veo3.1", {"resolution": "1080p", "aspect": "9:16"}, "1080:1920"),
        ("veo3.1_fast", {"resolution": "1080p"}, "1920:1080"),
        ("seedance2", {"resolution": "480p"}, "864:496"),
        ("seedance2", {"resolution": "2160p", "aspect": "3:4"}, "2880:3840"),
        ("seedance2_fast", {"resolution": "720p", "aspect": "4:3"}, "1112:834"),
        ("seedance2_5", {"resolution": "480p"}, "854:480"),
        ("gemini_omni_flash_1.1", {"resolution": "2160p"}, "3840:2160"),
        ("happyhorse_1_0", {"resolution": "1080p", "aspect": "4:3"}, "1662:1248"),
    ],
)
def test_sizes_are_sent_as_the_models_ratio_strings(
    provider: Provider, model: str, fields: dict[str, Any], ratio: str
) -> None:
    assert submit(provider, model=model, **fields)["ratio"] == ratio


def test_first_and_last_frames(provider: Provider) -> None:
    first = vidgen.Reference.from_bytes(png_bytes(1280, 720))
    last = vidgen.Reference.from_url("https://images.example.com/last.jpg")
    body = submit(provider, model="veo3.1", reference=first, last_frame=last)
    assert body["url"] == f"{API}/v1/image_to_video"
    assert body["promptImage"] == [
        {"uri": first.data_url(), "position": "first"},
        {"uri": last.url, "position": "last"},
    ]
    only_first = submit(provider, model="veo3.1", reference=first)
    assert only_first["promptImage"] == first.data_url()


def test_reference_images_go_to_the_text_endpoint(provider: Provider) -> None:
    refs = [vidgen.Reference.from_url(f"https://images.example.com/{n}.jpg") for n in (1, 2)]
    body = submit(provider, model="seedance2", references=refs)
    assert body["url"] == f"{API}/v1/text_to_video"
    assert body["references"] == [{"uri": ref.url} for ref in refs]
    assert "promptImage" not in body


def test_sound_seed_and_negative_prompt(provider: Provider) -> None:
    body = submit(provider, model="veo3.1", audio=False, seed=4294967295, negative_prompt="rain")
    assert (body["audio"], body["seed"], body["negativePrompt"]) == (False, 4294967295, "rain")
    gen45 = submit(provider, model="gen4.5", seed=0)
    assert gen45["seed"] == 0
    assert "audio" not in gen45  # Gen-4.5 is silent: nothing to switch
    omni = submit(provider, model="gemini_omni_flash_1.1")
    assert "audio" not in omni  # not documented for this model: not sent


def test_happyhorse_from_an_image_sends_a_resolution_not_a_ratio(provider: Provider) -> None:
    image = vidgen.Reference.from_bytes(png_bytes(1440, 1080))
    body = submit(provider, model="happyhorse_1_0", reference=image, resolution="1080p")
    assert body["url"] == f"{API}/v1/image_to_video"
    assert body["resolution"] == "1080p"
    assert "ratio" not in body
    text = submit(provider, model="happyhorse_1_0", resolution="1080p")
    assert (text["ratio"], "resolution" in text) == ("1920:1080", False)


def test_content_moderation_setting_goes_to_the_models_that_take_it() -> None:
    relaxed = vidgen.get_provider("runway", api_key=KEY, public_figure_threshold="low")
    gen45 = submit(relaxed, model="gen4.5")
    assert gen45["contentModeration"] == {"publicFigureThreshold": "low"}
    veo = submit(relaxed, model="veo3.1")
    assert "contentModeration" not in veo


def test_provider_options_pass_through(provider: Provider) -> None:
    body = submit(
        provider,
        model="gen4.5",
        provider_options={
            "runway": {
                "outputFormat": "prores",
                "contentModeration": {"publicFigureThreshold": "auto"},
            }
        },
    )
    assert (body["outputFormat"], body["contentModeration"]) == (
        "prores",
        {"publicFigureThreshold": "auto"},
    )


@pytest.mark.parametrize("field", ["ratio", "promptImage", "duration", "model"])
def test_provider_options_cannot_override_what_vidgen_sets(provider: Provider, field: str) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        submit(provider, model="gen4.5", provider_options={"runway": {field: "x"}})
    assert caught.value.param == f"provider_options.runway.{field}"


@pytest.mark.parametrize(
    ("settings", "word"),
    [({"api_version": ""}, "api_version"), ({"public_figure_threshold": "none"}, "auto")],
)
def test_settings_are_checked(settings: dict[str, Any], word: str) -> None:
    with pytest.raises(vidgen.ConfigError) as caught:
        vidgen.get_provider("runway", api_key=KEY, **settings)
    assert word in str(caught.value)


def test_another_api_version_is_sent() -> None:
    provider = vidgen.get_provider("runway", api_key=KEY, api_version="2026-01-01")
    request = provider.build_status(Job(id=TASK_ID, provider="runway"))
    assert request.headers["x-runway-version"] == "2026-01-01"


# -- tasks ------------------------------------------------------------------------------------


def test_the_create_answer(provider: Provider) -> None:
    job = provider.parse_submit(make_response(json=CREATED, url=f"{API}/v1/text_to_video"))
    assert (job.id, job.status, job.provider) == (TASK_ID, JobStatus.QUEUED, "runway")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (PENDING, JobStatus.QUEUED),
        (THROTTLED, JobStatus.QUEUED),
        (RUNNING, JobStatus.RUNNING),
        (SUCCEEDED, JobStatus.SUCCEEDED),
        (failed("INTERNAL", "x"), JobStatus.FAILED),
        (CANCELLED, JobStatus.CANCELLED),
        ({**PENDING, "status": "ARCHIVED"}, JobStatus.UNKNOWN),
    ],
)
def test_every_status(provider: Provider, body: dict[str, Any], status: JobStatus) -> None:
    job = provider.parse_status(make_response(json=body, url=TASK_URL))
    assert job.status is status
    assert job.created_at is not None
    assert job.created_at.tzinfo is not None


def test_progress_is_a_percentage_while_running(provider: Provider) -> None:
    assert provider.parse_status(make_response(json=RUNNING)).progress == 42
    done = provider.parse_status(make_response(json={**SUCCEEDED, "progress": 1.0}))
    assert done.progress is None


def test_outputs_expire_24_hours_after_the_answer_that_carried_them(provider: Provider) -> None:
    job = provider.parse_status(make_response(json=SUCCEEDED, headers={"Date": DONE_DATE}))
    expiry = dt.datetime(2024, 6, 28, 19, 51, 2, tzinfo=UTC)
    assert job.expires_at == expiry
    assert [(o.url, o.index, o.expires_at) for o in job.outputs] == [(OUTPUT_URL, 0, expiry)]
    # Without a Date header: from the task's creation, which is earlier still.
    undated = provider.parse_status(make_response(json=SUCCEEDED))
    assert undated.expires_at == dt.datetime(2024, 6, 28, 19, 49, 32, 335000, tzinfo=UTC)
    # Nothing expires before the task succeeded.
    assert provider.parse_status(make_response(json=RUNNING)).expires_at is None


@pytest.mark.parametrize(("code", "failure", "neutral"), FAILURE_ROWS)
def test_failure_code_families(provider: Provider, code: str, failure: str, neutral: str) -> None:
    job = provider.parse_status(make_response(json=failed(code, failure)))
    assert job.error is not None
    assert (job.error.code, job.error.provider_code) == (neutral, code)
    assert job.error.message.startswith(failure)


def test_an_unknown_failure_family_is_generation_failed(provider: Provider) -> None:
    job = provider.parse_status(make_response(json=failed("NEWFAMILY.X", "Something new")))
    assert job.error == vidgen.JobError(
        code="generation_failed", message="Something new", provider_code="NEWFAMILY.X"
    )
    bare = provider.parse_status(make_response(json={**PENDING, "status": "FAILED"}))
    assert bare.error is not None
    assert bare.error.message == "Runway gave no reason"


@pytest.mark.parametrize(
    ("cost", "usd"), [(120, "1.20"), ({"credits": 60}, "0.60"), ("12.5", "0.125")]
)
def test_a_reported_cost_in_credits(provider: Provider, cost: Any, usd: str) -> None:
    usage = provider.parse_status(make_response(json={**SUCCEEDED, "cost": cost})).usage
    assert usage is not None
    assert (usage.cost, usage.currency) == (Decimal(usd), "USD")
    assert usage.units is not None


def test_no_cost_no_usage(provider: Provider) -> None:
    assert provider.parse_status(make_response(json=SUCCEEDED)).usage is None
    assert provider.parse_status(make_response(json={**SUCCEEDED, "cost": "n/a"})).usage is None


def test_an_odd_creation_time_does_not_lose_the_task(provider: Provider) -> None:
    job = provider.parse_status(make_response(json={**SUCCEEDED, "createdAt": "yesterday"}))
    assert (job.status, job.created_at) == (JobStatus.SUCCEEDED, None)


@pytest.mark.parametrize(
    "body",
    [
        {"status": "PENDING"},
        {"id": "", "status": "PENDING"},
        {"id": 7, "status": "PENDING"},
        {"id": TASK_ID, "status": "SUCCEEDED", "output": OUTPUT_URL},
        {"id": TASK_ID, "status": "RUNNING", "progress": "half"},
        ["x"],
    ],
)
def test_unreadable_tasks_are_protocol_errors(provider: Provider, body: Any) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_status(make_response(json=body))


# -- errors -----------------------------------------------------------------------------------


def test_a_400_names_the_issues(provider: Provider) -> None:
    raised = provider.parse_error(
        make_response(
            400,
            json={"error": "Validation failed", "issues": [{"path": ["ratio"], "message": "bad"}]},
        )
    )
    assert type(raised) is vidgen.InvalidRequest
    assert raised.message == "Validation failed: ratio: bad"
    assert raised.retryable is False


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("You do not have enough credits to run this task.", vidgen.InsufficientCredits),
        ("Prompt failed content moderation", vidgen.ContentPolicyViolation),
    ],
)
def test_400s_by_their_explanation(
    provider: Provider, message: str, error: type[vidgen.ProviderError]
) -> None:
    raised = provider.parse_error(make_response(400, json={"error": message}))
    assert type(raised) is error


def test_hints(provider: Provider) -> None:
    unauthorized = provider.parse_error(make_response(401, json={"error": "Invalid API key"}))
    assert "RUNWAYML_API_SECRET" in str(unauthorized)
    limited = provider.parse_error(
        make_response(429, json={"error": "Too many"}, headers={"Retry-After": "30"})
    )
    assert isinstance(limited, vidgen.RateLimited)
    assert limited.retry_after == 30.0
    assert "daily" in str(limited)
    assert type(provider.parse_error(make_response(405, content=b""))) is vidgen.InvalidRequest


# -- download, cancel, delete -------------------------------------------------------------------


def test_a_download_goes_to_the_cdn_without_the_key(provider: Provider) -> None:
    job = provider.parse_status(make_response(json=SUCCEEDED))
    request = provider.build_download(job)
    assert str(request.url) == OUTPUT_URL
    assert "authorization" not in request.headers
    assert "x-runway-version" not in request.headers


def test_a_plain_http_output_is_refused(provider: Provider) -> None:
    job = provider.parse_status(
        make_response(json={**SUCCEEDED, "output": ["http://cdn.example.com/v.mp4"]})
    )
    with pytest.raises(vidgen.ProtocolError):
        provider.build_download(job)


def test_a_refused_link_is_expired_with_the_way_out(provider: Provider) -> None:
    job = provider.parse_status(make_response(json=SUCCEEDED, headers={"Date": DONE_DATE}))
    now = dt.datetime(2024, 6, 27, 20, 0, tzinfo=UTC)
    for status in (401, 403, 404, 410):
        error = provider.parse_download_error(
            make_response(status, content=b"<Error>AccessDenied</Error>", url=OUTPUT_URL), job, now
        )
        assert isinstance(error, vidgen.ContentExpired)
        assert error.hint is not None
        assert f"client.download('{TASK_ID}'" in error.hint
    server = provider.parse_download_error(make_response(500, url=OUTPUT_URL), job, now)
    assert isinstance(server, vidgen.ServerError)


def test_cancel_is_a_delete_of_a_queued_or_running_task(provider: Provider) -> None:
    running = provider.parse_status(make_response(json=RUNNING))
    request = provider.build_cancel(running)
    assert (request.method, str(request.url)) == ("DELETE", TASK_URL)
    assert request.headers["x-runway-version"] == VERSION
    cancelled = provider.parse_cancel(make_response(204, url=TASK_URL, method="DELETE"), running)
    assert cancelled is not None
    assert (cancelled.id, cancelled.status, cancelled.progress) == (
        TASK_ID,
        JobStatus.CANCELLED,
        None,
    )


@pytest.mark.parametrize(
    "status", [JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.UNKNOWN]
)
def test_cancel_never_deletes_a_finished_or_unread_task(
    provider: Provider, status: JobStatus
) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.build_cancel(Job(id=TASK_ID, provider="runway", status=status))
    assert "client.get" in str(caught.value)


def test_delete_is_explicit(provider: Provider) -> None:
    request = provider.build_delete(Job(id=TASK_ID, provider="runway", status=JobStatus.SUCCEEDED))
    assert (request.method, str(request.url)) == ("DELETE", TASK_URL)


def test_task_ids_are_one_path_segment(provider: Provider) -> None:
    request = provider.build_status(Job(id="../organization", provider="runway"))
    assert str(request.url) == f"{API}/v1/tasks/..%2Forganization"


def test_no_webhooks(provider: Provider) -> None:
    with pytest.raises(vidgen.WebhookRejected) as caught:
        provider.verify_webhook({}, b"{}", secret="x", now=dt.datetime.now(UTC))
    assert caught.value.reason == "unsupported"
