"""Sans-IO tests of Azure's v1 videos path (``api="videos"``): OpenAI's ``/v1/videos``
protocol on ``{endpoint}/openai/v1``, with Azure's auth, deployment names and limits
(shared/WIRE.md 4.3).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from azure_payloads import API_ROOT, ENDPOINT, KEY, V1_QUEUED
from multipart_support import multipart_fields

import vidgen
from vidgen.testing import make_response, png_bytes
from vidgen_azure import AzureProvider

UTC = dt.timezone.utc
VIDEO_ID = V1_QUEUED["id"]


@pytest.fixture
def v1() -> AzureProvider:
    provider = vidgen.get_provider("azure", api_key=KEY, endpoint=ENDPOINT, api="videos")
    assert isinstance(provider, AzureProvider)
    return provider


@pytest.fixture
def jobs() -> AzureProvider:
    provider = vidgen.get_provider("azure", api_key=KEY, endpoint=ENDPOINT)
    assert isinstance(provider, AzureProvider)
    return provider


def fit(provider: vidgen.provider.Provider, policy: str = "strict", **fields: Any) -> vidgen.Fitted:
    fields.setdefault("prompt", "A video of a cool cat on a motorcycle in the night")
    return provider.fit(vidgen.VideoRequest(**fields), policy=policy, allow_retired=True)


def body(request: httpx.Request) -> Any:
    return json.loads(request.read())


def video(status: str, **fields: Any) -> httpx.Response:
    return make_response(
        200,
        json={**V1_QUEUED, "status": status, **fields},
        headers={"apim-request-id": "apim-v1"},
        url=f"{API_ROOT}/videos/{VIDEO_ID}",
    )


# -- create ------------------------------------------------------------------------------------------


def test_create_posts_to_openai_v1_videos_with_seconds_as_a_string(v1: AzureProvider) -> None:
    request = v1.build_submit(fit(v1, duration=8, aspect="16:9"))

    assert request.method == "POST"
    # No api-version: the documented calls send none on this path.
    assert str(request.url) == f"{API_ROOT}/videos"
    assert request.headers["api-key"] == KEY
    assert "authorization" not in request.headers
    assert body(request) == {
        "model": "sora-2",
        "prompt": "A video of a cool cat on a motorcycle in the night",
        "seconds": "8",
        "size": "1280x720",
    }


def test_defaults_are_4_seconds_portrait(v1: AzureProvider) -> None:
    sent = body(v1.build_submit(fit(v1)))

    assert (sent["seconds"], sent["size"]) == ("4", "720x1280")


def test_model_is_the_deployment_name() -> None:
    provider = vidgen.get_provider(
        "azure", api_key=KEY, endpoint=ENDPOINT, api="videos", deployments={"sora-2": "my-sora-2"}
    )
    fitted = fit(provider, duration=12)

    assert fitted.model == "sora-2"
    assert body(provider.build_submit(fitted))["model"] == "my-sora-2"


def test_api_version_is_sent_when_configured() -> None:
    provider = vidgen.get_provider(
        "azure", api_key=KEY, endpoint=ENDPOINT, api="videos", api_version="v1"
    )

    assert provider.build_submit(fit(provider)).url.params["api-version"] == "v1"
    assert provider.build_status(provider.job_ref(VIDEO_ID)).url.params["api-version"] == "v1"


def test_token_provider_on_the_v1_path() -> None:
    provider = vidgen.get_provider(
        "azure", endpoint=ENDPOINT, api="videos", token_provider=lambda: "entra-0123"
    )
    request = provider.build_submit(fit(provider))

    assert request.headers["authorization"] == "Bearer entra-0123"
    assert "api-key" not in request.headers


def test_a_file_reference_goes_up_as_input_reference(v1: AzureProvider) -> None:
    image = png_bytes(1280, 720)
    fitted = fit(v1, duration=8, reference=vidgen.Reference.from_bytes(image, filename="frame.png"))
    parts = multipart_fields(v1.build_submit(fitted))

    assert parts["input_reference"] == ("image/png", "frame.png", image)
    assert parts["seconds"][2] == b"8"
    assert parts["size"][2] == b"1280x720"
    assert "inpaint_items" not in parts  # a jobs-API field


def test_the_reference_must_match_the_size(v1: AzureProvider) -> None:
    reference = vidgen.Reference.from_bytes(png_bytes(1920, 1080))

    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(v1, reference=reference, resolution="720p")
    assert caught.value.param == "reference"
    assert caught.value.supported == ("1280x720",)


# -- the catalog limits of this path ----------------------------------------------------------------


def test_20_seconds_works_on_jobs_and_is_refused_on_v1(
    jobs: AzureProvider, v1: AzureProvider
) -> None:
    request = vidgen.VideoRequest(prompt="A cat playing piano in a jazz bar.", duration=20)

    assert jobs.fit(request, allow_retired=True).seconds == 20
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        v1.fit(request, allow_retired=True)
    assert caught.value.param == "duration"
    assert caught.value.value == 20
    assert caught.value.supported == (4, 8, 12)
    assert "4, 8, 12" in str(caught.value)


def test_nearest_moves_20_seconds_to_12_on_v1(v1: AzureProvider) -> None:
    fitted = fit(v1, "nearest", duration=20)

    assert fitted.seconds == 12
    assert body(v1.build_submit(fitted))["seconds"] == "12"
    assert [(a.field, a.requested, a.sent) for a in fitted.adjustments] == [("duration", 20, 12)]


@pytest.mark.parametrize(("aspect", "size"), [("16:9", "1280x720"), ("9:16", "720x1280")])
def test_the_two_sizes(v1: AzureProvider, aspect: str, size: str) -> None:
    assert fit(v1, aspect=aspect, resolution="720p").size == size


@pytest.mark.parametrize(
    ("aspect", "resolution", "param"),
    [("16:9", "1080p", "resolution"), ("1:1", None, "aspect"), ("16:9", "480p", "resolution")],
)
def test_sizes_the_jobs_api_has_are_refused_on_v1(
    v1: AzureProvider, aspect: str, resolution: str | None, param: str
) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(v1, aspect=aspect, resolution=resolution)

    assert caught.value.param == param


def test_one_video_per_job_on_v1(v1: AzureProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(v1, variants=2)

    assert caught.value.param == "variants"
    assert caught.value.supported == (1,)


def test_the_jobs_model_is_not_on_v1_and_back(jobs: AzureProvider, v1: AzureProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as on_v1:
        fit(v1, model="sora")
    with pytest.raises(vidgen.UnsupportedRequest) as on_jobs:
        fit(jobs, model="sora-2")

    assert on_v1.value.supported == ("sora-2",)
    assert on_jobs.value.supported == ("sora",)


# -- reads ------------------------------------------------------------------------------------------


def test_status_download_list_delete_paths(v1: AzureProvider) -> None:
    done = v1.parse_status(video("completed", completed_at=1761574190, expires_at=1761660527))

    status = v1.build_status(done)
    download = v1.build_download(done)
    thumbnail = v1.build_download(done, variant="thumbnail")
    listing = v1.build_list(limit=5, after="video_1")
    delete = v1.build_delete(done)

    assert str(status.url) == f"{API_ROOT}/videos/{VIDEO_ID}"
    assert str(download.url) == f"{API_ROOT}/videos/{VIDEO_ID}/content?variant=video"
    assert thumbnail.url.params["variant"] == "thumbnail"
    assert listing.url.path == "/openai/v1/videos"
    assert listing.url.params["after"] == "video_1"
    assert (delete.method, delete.url.path) == ("DELETE", f"/openai/v1/videos/{VIDEO_ID}")
    for request in (status, download, listing, delete):
        assert request.headers["api-key"] == KEY
        assert "api-version" not in request.url.params


def test_only_one_output_per_video(v1: AzureProvider) -> None:
    done = v1.parse_status(video("completed"))

    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        v1.build_download(done, index=1)
    assert caught.value.param == "index"


# -- responses --------------------------------------------------------------------------------------


def test_the_documented_queued_video(v1: AzureProvider) -> None:
    got = v1.parse_submit(video("queued"))

    assert got.id == VIDEO_ID
    assert got.status is vidgen.JobStatus.QUEUED
    assert got.model == "sora-2"
    assert got.seconds == 8  # "8" on the wire
    assert got.size == "1280x720"
    assert got.progress == 0
    assert got.created_at == dt.datetime.fromtimestamp(1761574127, tz=UTC)
    assert got.completed_at is None
    assert got.request_id == "apim-v1"


@pytest.mark.parametrize(
    ("wire", "status"),
    [
        ("queued", vidgen.JobStatus.QUEUED),
        ("in_progress", vidgen.JobStatus.RUNNING),
        ("completed", vidgen.JobStatus.SUCCEEDED),
        ("failed", vidgen.JobStatus.FAILED),
        ("cancelled", vidgen.JobStatus.CANCELLED),
        ("processing", vidgen.JobStatus.UNKNOWN),  # a jobs-API word, unknown here
    ],
)
def test_v1_statuses(v1: AzureProvider, wire: str, status: vidgen.JobStatus) -> None:
    assert v1.parse_status(video(wire)).status is status


def test_completed_video_is_one_output(v1: AzureProvider) -> None:
    got = v1.parse_status(
        video("completed", progress=100, completed_at=1761574190, expires_at=1761660527)
    )

    assert got.outputs == (
        vidgen.Output(kind="video", ref=VIDEO_ID, index=0, expires_at=got.expires_at),
    )
    assert got.expires_at == dt.datetime.fromtimestamp(1761660527, tz=UTC)


def test_failed_video_carries_its_error(v1: AzureProvider) -> None:
    got = v1.parse_status(
        video("failed", error={"code": "moderation_blocked", "message": "Blocked by moderation."})
    )

    assert got.status is vidgen.JobStatus.FAILED
    assert got.error is not None
    assert got.error.code == "content_policy"
    assert got.error.provider_code == "moderation_blocked"


def test_v1_list_pages(v1: AzureProvider) -> None:
    page = v1.parse_list(
        make_response(
            200,
            json={
                "object": "list",
                "data": [V1_QUEUED],
                "first_id": VIDEO_ID,
                "last_id": VIDEO_ID,
                "has_more": True,
            },
        )
    )

    assert [j.id for j in page.jobs] == [VIDEO_ID]
    assert page.next_cursor == VIDEO_ID


def test_openai_poll_header_is_honoured_on_v1(v1: AzureProvider) -> None:
    hinted = make_response(200, json=V1_QUEUED, headers={"openai-poll-after-ms": "3000"})

    assert v1.poll_hint(hinted) == 3.0
