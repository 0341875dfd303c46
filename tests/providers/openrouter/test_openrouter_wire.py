"""The OpenRouter provider, sans-IO: the requests it builds and the jobs it reads."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from openrouter_payloads import (
    API,
    CANCELLED,
    COMPLETED,
    COMPLETED_EXAMPLE,
    CONTENT_URL,
    CREATED,
    EXPIRED,
    FAILED,
    IN_PROGRESS,
    JOB_ID,
    KEY,
    MODERATED,
    MOUNTAINS,
    PENDING,
    SENT_BODY,
)

import vidgen
from vidgen import Job, JobStatus, Output
from vidgen.provider import Provider
from vidgen.testing import make_response, png_bytes

UTC = dt.timezone.utc


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


def fit(provider: Provider, **fields: Any) -> vidgen.Fitted:
    return provider.fit(vidgen.VideoRequest(**{"prompt": "a quiet harbour", **fields}))


# -- the create request ----------------------------------------------------------------------


def test_the_documented_create_request(provider: Provider) -> None:
    request = provider.build_submit(provider.fit(MOUNTAINS))
    assert (request.method, str(request.url)) == ("POST", f"{API}/videos")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert body_of(request) == SENT_BODY
    assert isinstance(body_of(request)["duration"], int)


def test_a_family_name_sends_the_openrouter_id(provider: Provider) -> None:
    body = body_of(provider.build_submit(fit(provider, model="veo-3.1-fast", duration=6)))
    assert body["model"] == "google/veo-3.1-fast"
    assert body["duration"] == 6


@pytest.mark.parametrize(
    ("model", "resolution", "aspect", "sent"),
    [
        ("google/veo-3.1", "2160p", "16:9", "4K"),
        ("bytedance/seedance-2.0", "2160p", "21:9", "4K"),
        ("minimax/hailuo-3", "1440p", "4:3", "2K"),
        ("bytedance/seedance-2.5", "720p", "4:3", "720p"),
        ("x-ai/grok-imagine-video", "480p", "3:2", "480p"),
    ],
)
def test_resolution_is_sent_in_openrouter_names(
    provider: Provider, model: str, resolution: str, aspect: str, sent: str
) -> None:
    fitted = fit(provider, model=model, resolution=resolution, aspect=aspect)
    body = body_of(provider.build_submit(fitted))
    assert (body["resolution"], body["aspect_ratio"]) == (sent, aspect)
    assert "size" not in body


def test_sound_is_sent_where_the_model_can_switch_it(provider: Provider) -> None:
    silent = body_of(provider.build_submit(fit(provider, model="google/veo-3.1", audio=False)))
    assert silent["generate_audio"] is False
    # Hailuo 2.3 renders no sound: nothing to send.
    hailuo = body_of(provider.build_submit(fit(provider, model="minimax/hailuo-2.3")))
    assert "generate_audio" not in hailuo
    # Grok does not say: sent only when asked.
    grok = body_of(provider.build_submit(fit(provider, model="x-ai/grok-imagine-video")))
    assert "generate_audio" not in grok
    asked = provider.fit(
        vidgen.VideoRequest(prompt="a harbour", model="x-ai/grok-imagine-video", audio=True),
        policy="nearest",
    )
    assert body_of(provider.build_submit(asked))["generate_audio"] is True


def test_frames_references_seed_and_callback(provider: Provider) -> None:
    first = vidgen.Reference.from_bytes(png_bytes(1280, 720))
    last = vidgen.Reference.from_url("https://images.example.com/last.png")
    fitted = fit(
        provider,
        model="google/veo-3.1",
        reference=first,
        last_frame=last,
        seed=42,
        callback_url="https://hooks.example.com/openrouter",
    )
    body = body_of(provider.build_submit(fitted))
    assert body["frame_images"] == [
        {"type": "image_url", "image_url": {"url": first.data_url()}, "frame_type": "first_frame"},
        {"type": "image_url", "image_url": {"url": last.url}, "frame_type": "last_frame"},
    ]
    assert body["seed"] == 42
    assert body["callback_url"] == "https://hooks.example.com/openrouter"
    assert "input_references" not in body


def test_reference_images_go_to_input_references(provider: Provider) -> None:
    refs = [vidgen.Reference.from_url(f"https://images.example.com/{n}.png") for n in (1, 2)]
    body = body_of(provider.build_submit(fit(provider, model="seedance-2.0", references=refs)))
    assert body["input_references"] == [
        {"type": "image_url", "image_url": {"url": ref.url}} for ref in refs
    ]
    assert "frame_images" not in body


def test_provider_options_pass_through(provider: Provider) -> None:
    passthrough = {"options": {"google-vertex": {"parameters": {"personGeneration": "allow"}}}}
    fitted = fit(
        provider,
        model="google/veo-3.1",
        provider_options={"openrouter": {"provider": passthrough}},
    )
    assert body_of(provider.build_submit(fitted))["provider"] == passthrough


@pytest.mark.parametrize("field", ["model", "duration", "callback_url", "frame_images", "size"])
def test_provider_options_cannot_override_what_vidgen_sets(provider: Provider, field: str) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model="google/veo-3.1", provider_options={"openrouter": {field: "x"}})
    assert caught.value.param == f"provider_options.openrouter.{field}"


def test_status_requests_quote_the_job_id(provider: Provider) -> None:
    request = provider.build_status(Job(id="gen/../../keys?x=1", provider="openrouter"))
    assert str(request.url) == f"{API}/videos/gen%2F..%2F..%2Fkeys%3Fx%3D1"
    assert request.headers["authorization"] == f"Bearer {KEY}"


# -- the jobs it reads -----------------------------------------------------------------------


def test_the_documented_create_answer(provider: Provider) -> None:
    job = provider.parse_submit(make_response(202, json=CREATED, url=f"{API}/videos"))
    assert (job.id, job.status, job.provider) == (JOB_ID, JobStatus.QUEUED, "openrouter")
    assert job.outputs == ()
    assert job.usage is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (PENDING, JobStatus.QUEUED),
        (IN_PROGRESS, JobStatus.RUNNING),
        (COMPLETED, JobStatus.SUCCEEDED),
        (FAILED, JobStatus.FAILED),
        (CANCELLED, JobStatus.CANCELLED),
        (EXPIRED, JobStatus.FAILED),
        ({"id": JOB_ID, "status": "queued_somewhere_new"}, JobStatus.UNKNOWN),
    ],
)
def test_every_status(provider: Provider, body: dict[str, Any], status: JobStatus) -> None:
    assert provider.parse_status(make_response(json=body)).status is status


def test_a_completed_job_has_its_outputs_and_billed_cost(provider: Provider) -> None:
    job = provider.parse_status(make_response(json=COMPLETED))
    assert job.outputs == (Output(kind="video", url=CONTENT_URL, ref=JOB_ID, index=0),)
    assert job.usage == vidgen.Usage(
        cost=Decimal("3.2"),
        currency="USD",
        note="usage.cost: the USD OpenRouter billed for the job",
    )
    assert job.error is None


def test_a_byok_cost_says_so(provider: Provider) -> None:
    body = {**COMPLETED, "usage": {"cost": 0.01, "is_byok": True}}
    usage = provider.parse_status(make_response(json=body)).usage
    assert usage is not None
    assert usage.cost == Decimal("0.01")
    assert usage.note is not None
    assert "BYOK" in usage.note


@pytest.mark.parametrize("cost", [None, "lots", -1, True, [1], {"usd": 1}])
def test_an_unusable_cost_is_no_usage(provider: Provider, cost: Any) -> None:
    body = {**COMPLETED, "usage": {"cost": cost}}
    assert provider.parse_status(make_response(json=body)).usage is None


def test_newer_answers_carry_an_expiry(provider: Provider) -> None:
    body = {**COMPLETED, "expires_at": 1787400000, "urls": ["https://cdn.example.com/x.mp4"]}
    job = provider.parse_status(make_response(json=body))
    when = dt.datetime.fromtimestamp(1787400000, UTC)
    assert job.expires_at == when
    assert job.outputs[0].expires_at == when
    assert job.outputs[0].url == CONTENT_URL  # the signed storage link is not preferred


def test_a_completed_job_without_urls_is_served_by_the_content_endpoint(
    provider: Provider,
) -> None:
    job = provider.parse_status(make_response(json={**COMPLETED, "unsigned_urls": None}))
    assert [(o.url, o.index) for o in job.outputs] == [(None, 0)]
    request = provider.build_download(job)
    assert str(request.url) == CONTENT_URL


def test_failures_keep_the_message_and_spot_moderation(provider: Provider) -> None:
    failed = provider.parse_status(make_response(json=FAILED))
    assert failed.error is not None
    assert (failed.error.code, failed.error.message) == ("generation_failed", FAILED["error"])
    moderated = provider.parse_status(make_response(json=MODERATED))
    assert moderated.error is not None
    assert moderated.error.code == "content_policy"
    expired = provider.parse_status(make_response(json=EXPIRED))
    assert expired.error is not None
    assert expired.error.code == "expired"
    nothing = provider.parse_status(make_response(json={**FAILED, "error": None}))
    assert nothing.error is not None
    assert nothing.error.message == "OpenRouter gave no reason"


@pytest.mark.parametrize(
    "body",
    [
        {"status": "completed"},
        {"id": "", "status": "pending"},
        {"id": 123, "status": "pending"},
        {"id": JOB_ID, "unsigned_urls": "https://openrouter.ai/x"},
        {"id": JOB_ID, "expires_at": 1e300},
        {"id": JOB_ID, "expires_at": "tomorrow"},
        [CREATED],
        "pending",
    ],
)
def test_unreadable_jobs_are_protocol_errors(provider: Provider, body: Any) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_status(make_response(json=body))


# -- downloads: the key goes to OpenRouter's origin only -----------------------------------------


def test_a_download_on_openrouters_origin_carries_the_key(provider: Provider) -> None:
    job = provider.parse_status(make_response(json=COMPLETED))
    request = provider.build_download(job)
    assert str(request.url) == CONTENT_URL
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_an_unsigned_url_on_another_host_is_fetched_through_the_content_endpoint(
    provider: Provider,
) -> None:
    # The OpenAPI example names a placeholder storage host: the key never goes there.
    job = provider.parse_status(make_response(json=COMPLETED_EXAMPLE))
    request = provider.build_download(job)
    assert request.url.host == "openrouter.ai"
    assert str(request.url) == CONTENT_URL
    look_alike = {**COMPLETED, "unsigned_urls": ["https://openrouter.ai.evil.example/v.mp4"]}
    request = provider.build_download(provider.parse_status(make_response(json=look_alike)))
    assert request.url.host == "openrouter.ai"


def test_a_proxy_base_url_keeps_the_key_on_the_proxy() -> None:
    proxy = vidgen.get_provider("openrouter", api_key=KEY, base_url="https://or-proxy.example/v1")
    job = proxy.parse_status(make_response(json=COMPLETED))
    request = proxy.build_download(job)
    assert str(request.url) == "https://or-proxy.example/v1/videos/job-abc123/content?index=0"


def test_download_index_and_variant_are_checked(provider: Provider) -> None:
    job = provider.parse_status(
        make_response(json={**COMPLETED, "unsigned_urls": [CONTENT_URL, CONTENT_URL[:-1] + "1"]})
    )
    assert str(provider.build_download(job, index=1).url).endswith("index=1")
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.build_download(job, index=2)
    assert caught.value.param == "index"
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.build_download(job, variant="thumbnail")
    assert caught.value.param == "variant"


def test_no_cancel_endpoint(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.build_cancel(Job(id=JOB_ID, provider="openrouter", status=JobStatus.RUNNING))
    assert "cannot cancel" in str(caught.value)
