"""Sans-IO tests of Azure's video generation jobs API (``api="jobs"``, the default).

Requests are built and inspected without sending them; responses are hand-made from the
examples of shared/WIRE.md section 4.2 (``azure_payloads.py``). No client, no network.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from azure_payloads import (
    API_ROOT,
    ENDPOINT,
    FAILED,
    KEY,
    QUICKSTART_QUEUED,
    SUCCEEDED,
    SUCCEEDED_EXPIRES_AT,
    generation,
    job,
)
from multipart_support import multipart_fields

import vidgen
from vidgen.testing import make_response, png_bytes
from vidgen_azure import AzureProvider

UTC = dt.timezone.utc
JOBS_URL = f"{API_ROOT}/video/generations/jobs"


@pytest.fixture
def azure() -> AzureProvider:
    provider = vidgen.get_provider("azure", api_key=KEY, endpoint=ENDPOINT)
    assert isinstance(provider, AzureProvider)
    return provider


def fit(provider: vidgen.provider.Provider, policy: str = "strict", **fields: Any) -> vidgen.Fitted:
    fields.setdefault("prompt", "A cat playing piano in a jazz bar.")
    return provider.fit(vidgen.VideoRequest(**fields), policy=policy, allow_retired=True)


def body(request: httpx.Request) -> Any:
    return json.loads(request.read())


def parsed(provider: AzureProvider, payload: Any, **headers: str) -> vidgen.Job:
    return provider.parse_status(
        make_response(200, json=payload, headers=headers, url=f"{JOBS_URL}/task_01")
    )


# -- create -------------------------------------------------------------------------------------


def test_create_is_json_with_integer_n_seconds(azure: AzureProvider) -> None:
    fitted = fit(azure, duration=5, aspect="1:1", resolution="480p")
    request = azure.build_submit(fitted)

    assert request.method == "POST"
    assert str(request.url) == f"{JOBS_URL}?api-version=preview"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["api-key"] == KEY
    assert "authorization" not in request.headers
    sent = body(request)
    # The quickstart's create body, plus n_variants; n_seconds is an integer on this API.
    assert sent == {
        "prompt": "A cat playing piano in a jazz bar.",
        "width": 480,
        "height": 480,
        "n_seconds": 5,
        "n_variants": 1,
        "model": "sora",
    }
    assert isinstance(sent["n_seconds"], int)
    assert isinstance(sent["width"], int)


def test_create_sends_the_deployment_name_as_model() -> None:
    provider = vidgen.get_provider(
        "azure", api_key=KEY, endpoint=ENDPOINT, deployments={"sora": "video-team-sora"}
    )
    fitted = fit(provider, duration=4)

    assert fitted.model == "sora"  # the catalog's model...
    assert body(provider.build_submit(fitted))["model"] == "video-team-sora"  # ...its deployment


def test_create_with_variants(azure: AzureProvider) -> None:
    fitted = fit(azure, aspect="16:9", resolution="720p", variants=2, duration=10)
    sent = body(azure.build_submit(fitted))

    assert (sent["width"], sent["height"]) == (1280, 720)
    assert sent["n_variants"] == 2
    assert sent["n_seconds"] == 10


def test_create_defaults_are_the_documented_ones(azure: AzureProvider) -> None:
    fitted = fit(azure)

    assert fitted.seconds == 5  # n_seconds defaults to 5
    assert fitted.variants == 1
    assert body(azure.build_submit(fitted))["n_seconds"] == 5


def test_create_with_a_file_reference_is_multipart(azure: AzureProvider) -> None:
    image = png_bytes(1280, 720)
    reference = vidgen.Reference.from_bytes(image, filename="first-frame.png")
    fitted = fit(azure, reference=reference, duration=8)

    assert fitted.size == "1280x720"  # the image's shape and size
    request = azure.build_submit(fitted)
    assert str(request.url) == f"{JOBS_URL}?api-version=preview"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    parts = multipart_fields(request)
    assert parts["files"] == ("image/png", "first-frame.png", image)
    assert parts["n_seconds"][2] == b"8"
    assert parts["width"][2] == b"1280"
    assert parts["height"][2] == b"720"
    assert parts["model"][2] == b"sora"
    # inpaint_items travels as a JSON string that names the attached file.
    items = json.loads(parts["inpaint_items"][2])
    assert items == [
        {
            "frame_index": 0,
            "type": "image",
            "file_name": "first-frame.png",
            "crop_bounds": {
                "left_fraction": 0.0,
                "top_fraction": 0.0,
                "right_fraction": 1.0,
                "bottom_fraction": 1.0,
            },
        }
    ]


def test_provider_options_override_the_default_inpaint_item(azure: AzureProvider) -> None:
    reference = vidgen.Reference.from_bytes(png_bytes(480, 480), filename="cat.png")
    mine = [
        {
            "frame_index": 30,
            "type": "image",
            "file_name": "cat.png",
            "crop_bounds": {
                "left_fraction": 0.1,
                "top_fraction": 0.1,
                "right_fraction": 0.9,
                "bottom_fraction": 0.9,
            },
        }
    ]
    fitted = fit(azure, reference=reference, provider_options={"azure": {"inpaint_items": mine}})

    parts = multipart_fields(azure.build_submit(fitted))
    assert json.loads(parts["inpaint_items"][2]) == mine
    assert list(parts).count("inpaint_items") == 1


def test_other_providers_options_are_not_sent(azure: AzureProvider) -> None:
    fitted = fit(azure, provider_options={"openai": {"quality": "high"}})

    assert "quality" not in body(azure.build_submit(fitted))


def test_extra_multipart_options_are_json_encoded(azure: AzureProvider) -> None:
    reference = vidgen.Reference.from_bytes(png_bytes(480, 480), filename="cat.png")
    fitted = fit(
        azure,
        reference=reference,
        provider_options={"azure": {"loop": True, "extra": {"a": 1}, "note": "as is"}},
    )

    parts = multipart_fields(azure.build_submit(fitted))
    # JSON, like every other structured multipart field: not Python's str() of the value.
    assert parts["loop"][2] == b"true"
    assert json.loads(parts["extra"][2]) == {"a": 1}
    assert parts["note"][2] == b"as is"


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("n_seconds", 60),
        ("width", 4096),
        ("height", 4096),
        ("n_variants", 5),
        ("model", "x"),
        ("files", []),
    ],
)
def test_provider_options_cannot_override_fitted_fields(
    azure: AzureProvider, option: str, value: Any
) -> None:
    # These are what fit checked; an option must not slip an unchecked value past it.
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(azure, provider_options={"azure": {option: value}})

    assert caught.value.param == f"provider_options.azure.{option}"


# -- api-version ----------------------------------------------------------------------------------


def test_api_version_defaults_to_preview_on_every_request(azure: AzureProvider) -> None:
    running = parsed(azure, job("running"))
    succeeded = parsed(azure, SUCCEEDED)
    requests = [
        azure.build_submit(fit(azure)),
        azure.build_status(running),
        azure.build_download(succeeded),
        azure.build_list(),
        azure.build_delete(running),
    ]

    assert [r.url.params["api-version"] for r in requests] == ["preview"] * 5


def test_api_version_is_configurable() -> None:
    provider = vidgen.get_provider(
        "azure", api_key=KEY, endpoint=ENDPOINT, api_version="2025-02-15-preview"
    )
    request = provider.build_status(provider.job_ref("task_01"))

    assert request.url.params["api-version"] == "2025-02-15-preview"
    assert len(request.url.params.get_list("api-version")) == 1


# -- get, list, delete, download ------------------------------------------------------------------


def test_status_request(azure: AzureProvider) -> None:
    request = azure.build_status(azure.job_ref("task_01"))

    assert request.method == "GET"
    assert str(request.url) == f"{JOBS_URL}/task_01?api-version=preview"
    assert request.headers["api-key"] == KEY


def test_list_request_and_pages(azure: AzureProvider) -> None:
    request = azure.build_list(limit=2, after="task_00")

    assert request.method == "GET"
    assert request.url.path == "/openai/v1/video/generations/jobs"
    assert dict(request.url.params) == {"limit": "2", "after": "task_00", "api-version": "preview"}
    assert "after" not in azure.build_list(limit=500).url.params
    assert azure.build_list(limit=500).url.params["limit"] == "100"

    more = azure.parse_list(
        make_response(
            200,
            json={
                "object": "list",
                "data": [SUCCEEDED, FAILED],
                "first_id": "task_01",
                "last_id": "task_02",
                "has_more": True,
            },
        )
    )
    assert [j.id for j in more.jobs] == ["task_01", "task_02"]
    assert [j.status for j in more.jobs] == [vidgen.JobStatus.SUCCEEDED, vidgen.JobStatus.FAILED]
    assert more.next_cursor == "task_02"

    last = azure.parse_list(
        make_response(200, json={"object": "list", "data": [QUICKSTART_QUEUED], "has_more": False})
    )
    assert [j.id for j in last.jobs] == ["task_01jwcet0eje35tc5jy54yjax5q"]
    assert last.next_cursor is None


def test_list_without_last_id_uses_the_last_job(azure: AzureProvider) -> None:
    page = azure.parse_list(
        make_response(200, json={"data": [SUCCEEDED, FAILED], "has_more": True})
    )

    assert page.next_cursor == "task_02"


def test_list_without_data_is_a_protocol_error(azure: AzureProvider) -> None:
    with pytest.raises(vidgen.ProtocolError):
        azure.parse_list(make_response(200, json={"object": "list"}))


def test_delete_answers_204_without_error(azure: AzureProvider) -> None:
    request = azure.build_delete(azure.job_ref("task_01"))

    assert request.method == "DELETE"
    assert str(request.url) == f"{JOBS_URL}/task_01?api-version=preview"
    assert azure.parse_delete(make_response(204, method="DELETE")) is None
    with pytest.raises(vidgen.NotFound):
        azure.parse_delete(
            make_response(404, json={"error": {"code": "NotFound", "message": "no job"}})
        )


def test_download_goes_through_the_generation_id(azure: AzureProvider) -> None:
    done = parsed(azure, SUCCEEDED)
    video = azure.build_download(done)
    thumbnail = azure.build_download(done, variant="thumbnail")

    assert video.method == "GET"
    assert (
        str(video.url) == f"{API_ROOT}/video/generations/gen_01/content/video?api-version=preview"
    )
    assert thumbnail.url.path == "/openai/v1/video/generations/gen_01/content/thumbnail"
    assert video.headers["api-key"] == KEY


def test_download_index_selects_the_generation(azure: AzureProvider) -> None:
    two = parsed(
        azure,
        {
            **SUCCEEDED,
            "n_variants": 2,
            "generations": [generation("gen_a"), generation("gen_b", 1)],
        },
    )

    assert azure.build_download(two, index=0).url.path.endswith("/generations/gen_a/content/video")
    assert azure.build_download(two, index=1).url.path.endswith("/generations/gen_b/content/video")
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        azure.build_download(two, index=2)
    assert caught.value.param == "index"
    assert caught.value.supported == (0, 1)


def test_download_of_an_unknown_variant_is_refused(azure: AzureProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        azure.build_download(parsed(azure, SUCCEEDED), variant="spritesheet")

    assert caught.value.param == "variant"
    assert caught.value.supported == ("video", "thumbnail")


def test_download_of_a_job_without_generations_is_refused(azure: AzureProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        azure.build_download(azure.job_ref("task_01"))

    assert caught.value.param == "index"
    assert caught.value.supported == ()


# -- statuses and the job object --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "status"),
    [
        ("preprocessing", vidgen.JobStatus.QUEUED),
        ("queued", vidgen.JobStatus.QUEUED),
        ("running", vidgen.JobStatus.RUNNING),
        ("processing", vidgen.JobStatus.RUNNING),
        ("succeeded", vidgen.JobStatus.SUCCEEDED),
        ("failed", vidgen.JobStatus.FAILED),
        ("cancelled", vidgen.JobStatus.CANCELLED),
        ("Succeeded", vidgen.JobStatus.SUCCEEDED),
        ("paused_for_review", vidgen.JobStatus.UNKNOWN),
    ],
)
def test_statuses(azure: AzureProvider, wire: str, status: vidgen.JobStatus) -> None:
    payload = SUCCEEDED if wire.lower() == "succeeded" else job(wire)
    got = parsed(azure, {**payload, "status": wire})

    assert got.status is status
    assert got.raw["status"] == wire
    assert got.is_terminal is status.is_terminal


def test_unknown_status_is_not_terminal(azure: AzureProvider) -> None:
    got = parsed(azure, job("archiving"))

    assert got.status is vidgen.JobStatus.UNKNOWN
    assert not got.is_terminal
    assert got.error is None


def test_succeeded_job(azure: AzureProvider) -> None:
    got = parsed(
        azure, {**SUCCEEDED, "expires_at": SUCCEEDED_EXPIRES_AT}, **{"apim-request-id": "r-1"}
    )

    assert got.id == "task_01"
    assert got.provider == "azure"
    assert got.created_at == dt.datetime.fromtimestamp(1743551594, tz=UTC)
    assert got.completed_at == dt.datetime.fromtimestamp(1743551606, tz=UTC)
    assert got.expires_at == dt.datetime.fromtimestamp(SUCCEEDED_EXPIRES_AT, tz=UTC)
    assert got.seconds == 5
    assert got.size == "480x480"
    assert got.progress is None  # the jobs API reports none
    assert got.error is None
    assert got.request_id == "r-1"
    assert got.outputs == (
        vidgen.Output(kind="video", ref="gen_01", index=0, expires_at=got.expires_at),
    )
    assert got.raw["generations"][0]["job_id"] == "task_01"


def test_every_generation_is_an_output(azure: AzureProvider) -> None:
    gens = [generation("gen_a"), generation("gen_b", 1), generation("gen_c", 2)]
    got = parsed(azure, {**SUCCEEDED, "n_variants": 3, "generations": gens})

    assert [(o.ref, o.index, o.kind) for o in got.outputs] == [
        ("gen_a", 0, "video"),
        ("gen_b", 1, "video"),
        ("gen_c", 2, "video"),
    ]


def test_outputs_only_once_succeeded(azure: AzureProvider) -> None:
    got = parsed(azure, job("processing", generations=[generation("gen_01")]))

    assert got.status is vidgen.JobStatus.RUNNING
    assert got.outputs == ()


def test_the_quickstart_create_response(azure: AzureProvider) -> None:
    got = azure.parse_submit(make_response(200, json=QUICKSTART_QUEUED, method="POST"))

    assert got.id == "task_01jwcet0eje35tc5jy54yjax5q"
    assert got.status is vidgen.JobStatus.QUEUED
    assert got.model == "sora"
    assert got.created_at == dt.datetime.fromtimestamp(1748469875, tz=UTC)
    assert got.completed_at is None
    assert got.expires_at is None
    assert got.outputs == ()


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("input_moderation", "content_policy"),
        ("output_moderation", "content_policy"),
        ("internal_error", "server_error"),
        ("quota_exhausted_mid_render", "quota_exhausted_mid_render"),
    ],
)
def test_failure_reasons(azure: AzureProvider, reason: str, code: str) -> None:
    got = parsed(azure, {**FAILED, "failure_reason": reason})

    assert got.status is vidgen.JobStatus.FAILED
    assert got.error is not None
    assert got.error.code == code
    assert got.error.provider_code == reason
    assert reason in got.error.message
    assert got.completed_at == dt.datetime.fromtimestamp(1743556734, tz=UTC)


def test_failed_without_a_reason(azure: AzureProvider) -> None:
    got = parsed(azure, {**FAILED, "failure_reason": None})

    assert got.error is not None
    assert got.error.code == "generation_failed"
    assert got.error.provider_code is None


def test_cancelled_job_has_no_error(azure: AzureProvider) -> None:
    got = parsed(azure, job("cancelled"))

    assert got.status is vidgen.JobStatus.CANCELLED
    assert got.error is None


@pytest.mark.parametrize(
    "payload",
    [
        {"status": "queued"},
        {"id": "", "status": "queued"},
        {**SUCCEEDED, "generations": "gen_01"},
        {**SUCCEEDED, "created_at": "yesterday"},
        ["task_01"],
    ],
)
def test_unreadable_job_is_a_protocol_error(azure: AzureProvider, payload: Any) -> None:
    with pytest.raises(vidgen.ProtocolError) as caught:
        parsed(azure, payload)

    assert caught.value.provider == "azure"


def test_a_body_that_is_not_json_is_a_protocol_error(azure: AzureProvider) -> None:
    with pytest.raises(vidgen.ProtocolError) as caught:
        azure.parse_status(make_response(200, content=b"<html>gateway</html>"))

    assert "<html>gateway</html>" in str(caught.value)


def test_retry_after_is_the_poll_hint(azure: AzureProvider) -> None:
    assert (
        azure.poll_hint(make_response(200, json=job("running"), headers={"Retry-After": "12"}))
        == 12.0
    )
    assert azure.poll_hint(make_response(200, json=job("running"))) is None
    # The OpenAI poll header belongs to the v1 path, not to the jobs API.
    hinted = make_response(200, json=job("running"), headers={"openai-poll-after-ms": "3000"})
    assert azure.poll_hint(hinted) is None


# -- fit: durations, sizes, variants ----------------------------------------------------------------


@pytest.mark.parametrize("seconds", [1, 7, 20])
def test_n_seconds_from_1_to_20(azure: AzureProvider, seconds: int) -> None:
    assert fit(azure, duration=seconds).seconds == seconds


def test_longer_than_20_seconds_is_refused_or_clamped(azure: AzureProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(azure, duration=21)
    assert caught.value.param == "duration"
    assert caught.value.supported == tuple(range(1, 21))

    clamped = fit(azure, "nearest", duration=30)
    assert clamped.seconds == 20
    assert [(a.field, a.requested, a.sent) for a in clamped.adjustments] == [("duration", 30, 20)]
    assert any("duration 30 changed to 20" in w for w in clamped.warnings)


@pytest.mark.parametrize(
    ("aspect", "resolution", "size"),
    [
        ("1:1", "480p", "480x480"),
        ("16:9", "480p", "854x480"),
        ("9:16", "480p", "480x854"),
        ("1:1", "720p", "720x720"),
        ("16:9", "720p", "1280x720"),
        ("9:16", "720p", "720x1280"),
        ("1:1", "1080p", "1080x1080"),
        ("16:9", "1080p", "1920x1080"),
        ("9:16", "1080p", "1080x1920"),
    ],
)
def test_the_nine_resolutions(
    azure: AzureProvider, aspect: str, resolution: str, size: str
) -> None:
    fitted = fit(azure, aspect=aspect, resolution=resolution)

    assert fitted.size == size
    width, height = (int(n) for n in size.split("x"))
    sent = body(azure.build_submit(fitted))
    assert (sent["width"], sent["height"]) == (width, height)


def test_an_unlisted_resolution_is_refused_or_moved(azure: AzureProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(azure, aspect="16:9", resolution="1440p")
    assert caught.value.param == "resolution"
    assert caught.value.supported == ("480p", "720p", "1080p")

    moved = fit(azure, "nearest", aspect="16:9", resolution="1440p")
    assert moved.size == "1920x1080"
    assert moved.warnings


@pytest.mark.parametrize(
    ("aspect", "resolution", "limit"),
    [
        ("16:9", "1080p", 1),
        ("1:1", "1080p", 1),
        ("9:16", "720p", 2),
        ("1:1", "720p", 2),
        ("16:9", "480p", 4),
        ("1:1", "480p", 4),
    ],
)
def test_variants_per_resolution(
    azure: AzureProvider, aspect: str, resolution: str, limit: int
) -> None:
    assert fit(azure, aspect=aspect, resolution=resolution, variants=limit).variants == limit

    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(azure, aspect=aspect, resolution=resolution, variants=limit + 1)
    assert caught.value.param == "variants"
    assert caught.value.supported == tuple(range(1, limit + 1))

    clamped = fit(azure, "nearest", aspect=aspect, resolution=resolution, variants=5)
    assert clamped.variants == limit
    assert [(a.field, a.requested, a.sent) for a in clamped.adjustments] == [("variants", 5, limit)]
    assert any(f"at most {limit} variant(s)" in w for w in clamped.warnings)
    assert body(azure.build_submit(clamped))["n_variants"] == limit


def test_a_url_reference_is_refused(azure: AzureProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(azure, reference=vidgen.Reference.from_url("https://example.com/frame.png"))

    assert caught.value.param == "reference"
    assert caught.value.supported == ("file",)


def test_callbacks_are_refused_or_dropped(azure: AzureProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest):
        fit(azure, callback_url="https://hooks.example.com/done")

    dropped = fit(azure, "nearest", callback_url="https://hooks.example.com/done")
    assert dropped.callback_url is None
    assert "callback" not in json.dumps(body(azure.build_submit(dropped)))
