"""Replicate's predictions API, sans-IO: requests built, documented answers parsed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from replicate_payloads import (
    ABORTED,
    API,
    CANCEL_URL,
    CANCELED,
    CREATED,
    FAILED,
    GET_URL,
    INVALID,
    NOT_FOUND,
    OUTPUT_URL,
    PAYMENT,
    PREDICTION_ID,
    PROCESSING,
    SUCCEEDED,
    THROTTLED,
    UNAUTHENTICATED,
)

import vidgen
from vidgen import JobStatus
from vidgen.provider import Provider
from vidgen.testing import make_response

KEY = "r8_test_0123456789abcdef"
UTC = dt.timezone.utc
FIRST = vidgen.Reference.from_url("https://example.com/first.png")
LAST = vidgen.Reference.from_url("https://example.com/last.png")

ROWS: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    (
        "veo 3.1 with frames and references",
        {
            "model": "veo-3.1",
            "reference": FIRST,
            "last_frame": LAST,
            "references": [LAST],
            "seed": 5,
            "negative_prompt": "blur",
            "audio": False,
        },
        "/v1/models/google/veo-3.1/predictions",
        {
            "prompt": "p",
            "duration": 8,
            "aspect_ratio": "16:9",
            "resolution": "1080p",
            "generate_audio": False,
            "image": FIRST.url,
            "last_frame": LAST.url,
            "reference_images": [LAST.url],
            "negative_prompt": "blur",
            "seed": 5,
        },
    ),
    (
        "veo 3.1 fast",
        {"model": "veo-3.1-fast", "duration": 4, "aspect": "9:16"},
        "/v1/models/google/veo-3.1-fast/predictions",
        {
            "prompt": "p",
            "duration": 4,
            "aspect_ratio": "9:16",
            "resolution": "720p",
            "generate_audio": True,
        },
    ),
    (
        "kling 2.5 turbo pro from a start image",
        {"model": "kling-v2.5-turbo-pro", "duration": 10, "reference": FIRST, "last_frame": LAST},
        "/v1/models/kwaivgi/kling-v2.5-turbo-pro/predictions",
        {"prompt": "p", "duration": 10, "start_image": FIRST.url, "end_image": LAST.url},
    ),
    (
        "seedance 2.0 21:9",
        {"model": "seedance-2.0", "aspect": "21:9", "duration": 1, "resolution": "480p"},
        "/v1/models/bytedance/seedance-2.0/predictions",
        {
            "prompt": "p",
            "duration": 1,
            "aspect_ratio": "21:9",
            "resolution": "480p",
            "generate_audio": True,
        },
    ),
    (
        "hailuo 2.3 1080p",
        {"model": "hailuo-2.3", "resolution": "1080p", "reference": FIRST},
        "/v1/models/minimax/hailuo-2.3/predictions",
        {"prompt": "p", "duration": 6, "resolution": "1080p", "first_frame_image": FIRST.url},
    ),
    (
        "wan 2.5 text: size with a star",
        {"model": "wan-2.5", "aspect": "9:16", "resolution": "480p", "seed": 1},
        "/v1/models/wan-video/wan-2.5-t2v/predictions",
        {"prompt": "p", "duration": 5, "size": "480*832", "seed": 1},
    ),
    (
        "wan 2.5 image: another model",
        {"model": "wan-2.5", "reference": FIRST, "resolution": "1080p"},
        "/v1/models/wan-video/wan-2.5-i2v/predictions",
        {"prompt": "p", "duration": 5, "resolution": "1080p", "image": FIRST.url},
    ),
]


@pytest.mark.parametrize(
    ("asked", "path", "inputs"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_each_model_s_input(
    provider: Provider, asked: dict[str, Any], path: str, inputs: dict[str, Any]
) -> None:
    request = provider.build_submit(provider.fit(vidgen.VideoRequest(prompt="p", **asked)))
    assert (request.method, request.url.path) == ("POST", path)
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert "prefer" not in request.headers
    assert json.loads(request.content) == {"input": inputs}


def test_every_shipped_model_is_covered(provider: Provider) -> None:
    covered = {provider.fit(vidgen.VideoRequest(prompt="p", **r[1])).spec.id for r in ROWS}
    assert covered == set(provider.catalog.ids)
    assert {s.family for s in provider.catalog.models} == {
        "veo-3.1",
        "veo-3.1-fast",
        "kling-v2.5-turbo-pro",
        "seedance-2.0",
        "hailuo-2.3",
        "wan-2.5",
    }
    # no price could be confirmed: each model has one unknown entry saying so
    assert all(len(s.prices) == 1 and not s.prices[0].known for s in provider.catalog.models)


def test_a_pinned_version_goes_to_predictions() -> None:
    version = "a" * 64
    model = {
        "id": "me/my-video",
        "durations": [5],
        "sizes": ["1280x720"],
        "wire": {"text_to_video": f"me/my-video:{version}"},
    }
    provider = vidgen.get_provider("replicate", api_key=KEY, models=[model])
    request = provider.build_submit(
        provider.fit(vidgen.VideoRequest(prompt="p", model="me/my-video"))
    )
    assert str(request.url) == f"{API}/predictions"
    assert json.loads(request.content) == {"version": version, "input": {"prompt": "p"}}


def test_a_target_that_is_not_a_model_is_refused() -> None:
    model = {
        "id": "me/x",
        "durations": [5],
        "sizes": ["1280x720"],
        "wire": {"text_to_video": "not a model"},
    }
    with pytest.raises(vidgen.ConfigError, match="not a Replicate model"):
        _ = vidgen.get_provider("replicate", api_key=KEY, models=[model]).catalog


def test_settings_webhook_lifetime_and_prefer_wait() -> None:
    provider = vidgen.get_provider(
        "replicate",
        api_key=KEY,
        prefer_wait=30,
        lifetime="10m",
        webhook_events=["start", "completed"],
    )
    fitted = provider.fit(
        vidgen.VideoRequest(
            prompt="p", model="veo-3.1-fast", callback_url="https://hooks.example.com/r"
        )
    )
    request = provider.build_submit(fitted)
    assert request.headers["prefer"] == "wait=30"
    body = json.loads(request.content)
    assert (body["webhook"], body["webhook_events_filter"], body["lifetime"]) == (
        "https://hooks.example.com/r",
        ["start", "completed"],
        "10m",
    )


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("prefer_wait", 0),
        ("prefer_wait", 61),
        ("prefer_wait", True),
        ("lifetime", "5 minutes"),
        ("lifetime", ""),
        ("webhook_events", ["done"]),
    ],
)
def test_bad_settings_are_config_errors(setting: str, value: Any) -> None:
    with pytest.raises(vidgen.ConfigError, match=setting):
        vidgen.get_provider("replicate", api_key=KEY, **{setting: value})


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (CREATED, JobStatus.QUEUED),
        (PROCESSING, JobStatus.RUNNING),
        (SUCCEEDED, JobStatus.SUCCEEDED),
        (FAILED, JobStatus.FAILED),
        (CANCELED, JobStatus.CANCELLED),
        (ABORTED, JobStatus.CANCELLED),
        ({**CREATED, "status": "paused"}, JobStatus.UNKNOWN),
    ],
)
def test_every_status(provider: Provider, body: dict[str, Any], status: JobStatus) -> None:
    job = provider.parse_status(make_response(json=body, url=GET_URL))
    assert (job.id, job.status, job.model) == (PREDICTION_ID, status, "google/veo-3.1-fast")
    assert job.created_at == dt.datetime(2024, 1, 1, tzinfo=UTC)


def test_a_success_expires_an_hour_after_completion(provider: Provider) -> None:
    job = provider.parse_status(make_response(json=SUCCEEDED, url=GET_URL))
    done = dt.datetime(2024, 1, 1, 0, 1, 10, 500000, tzinfo=UTC)
    assert job.completed_at == done
    assert job.expires_at == done + dt.timedelta(hours=1)
    assert [(o.url, o.expires_at) for o in job.outputs] == [
        (OUTPUT_URL, done + dt.timedelta(hours=1))
    ]
    assert job.usage is not None
    assert job.usage.seconds == 65.5


def test_output_may_be_a_list(provider: Provider) -> None:
    second = OUTPUT_URL.replace(".mp4", "-2.mp4")
    job = provider.parse_status(
        make_response(json={**SUCCEEDED, "output": [OUTPUT_URL, second]}, url=GET_URL)
    )
    assert [o.url for o in job.outputs] == [OUTPUT_URL, second]
    empty = provider.parse_status(make_response(json={**SUCCEEDED, "output": None}, url=GET_URL))
    assert empty.status is JobStatus.FAILED


def test_errors_of_failed_predictions(provider: Provider) -> None:
    job = provider.parse_status(make_response(json=FAILED, url=GET_URL))
    assert job.error is not None
    assert (job.error.code, job.error.provider_code) == ("content_policy", "E005")
    other = provider.parse_status(
        make_response(json={**FAILED, "error": "CUDA out of memory"}, url=GET_URL)
    )
    assert other.error is not None
    assert other.error.code == "generation_failed"
    aborted = provider.parse_status(make_response(json=ABORTED, url=GET_URL))
    assert aborted.error is not None
    assert "not billed" in aborted.error.message


@pytest.mark.parametrize(
    "stamp",
    [
        "2024-01-01T00:00:00Z",
        "2024-01-01T00:00:00.123456789Z",
        "2024-01-01T00:00:00+00:00",
        "2024-01-01T00:00:00.1Z",
    ],
)
def test_timestamps(provider: Provider, stamp: str) -> None:
    job = provider.parse_status(make_response(json={**CREATED, "created_at": stamp}, url=GET_URL))
    assert job.created_at is not None
    assert job.created_at.replace(microsecond=0) == dt.datetime(2024, 1, 1, tzinfo=UTC)


def test_an_unreadable_time_is_a_protocol_error(provider: Provider) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_status(
            make_response(json={**CREATED, "created_at": "yesterday"}, url=GET_URL)
        )


def test_status_cancel_and_list_requests(provider: Provider) -> None:
    job = provider.parse_status(make_response(json=CREATED, url=GET_URL))
    assert str(provider.build_status(job).url) == GET_URL
    cancel = provider.build_cancel(job)
    assert (cancel.method, str(cancel.url)) == ("POST", CANCEL_URL)
    after = provider.parse_cancel(httpx.Response(200, json=CANCELED, request=cancel), job)
    assert after is not None
    assert after.status is JobStatus.CANCELLED
    listing = provider.build_list(after="cD0yMDI0")
    assert str(listing.url) == f"{API}/predictions?cursor=cD0yMDI0"
    page = provider.parse_list(
        make_response(
            json={
                "next": f"{API}/predictions?cursor=bmV4dA",
                "previous": None,
                "results": [SUCCEEDED, PROCESSING],
            }
        )
    )
    assert [j.status for j in page.jobs] == [JobStatus.SUCCEEDED, JobStatus.RUNNING]
    assert page.next_cursor == "bmV4dA"


def test_ids_are_one_path_segment(provider: Provider) -> None:
    job = vidgen.Job(id="../account", provider="replicate")
    assert provider.build_status(job).url.raw_path == b"/v1/predictions/..%2Faccount"


@pytest.mark.parametrize(
    ("status", "body", "cls", "retry_after"),
    [
        (404, NOT_FOUND, vidgen.NotFound, None),
        (429, THROTTLED, vidgen.RateLimited, 30.0),
        (401, UNAUTHENTICATED, vidgen.AuthenticationError, None),
        (402, PAYMENT, vidgen.InsufficientCredits, None),
        (422, INVALID, vidgen.InvalidRequest, None),
        (
            422,
            {"detail": "The input was flagged as sensitive. (E005)"},
            vidgen.ContentPolicyViolation,
            None,
        ),
        (500, "<html>oops</html>", vidgen.ServerError, None),
    ],
)
def test_errors(
    provider: Provider, status: int, body: Any, cls: type, retry_after: float | None
) -> None:
    response = (
        make_response(status, content=body)
        if isinstance(body, str)
        else make_response(status, json=body)
    )
    error = provider.parse_error(response)
    assert type(error) is cls
    assert error.provider == "replicate"
    if retry_after is not None:
        assert error.retry_after == retry_after
    if status == 404:
        assert error.message == "Model not found: foo/bar"


def test_downloads_carry_no_token(provider: Provider) -> None:
    job = provider.parse_status(make_response(json=SUCCEEDED, url=GET_URL))
    request = provider.build_download(job)
    assert str(request.url) == OUTPUT_URL
    assert "authorization" not in request.headers
