"""The ``azure`` provider end to end on hand-written cassettes (see each cassette's header).

Every test replays ``cassettes/azure/<test name>.yaml`` with the network blocked. The
requests vidgen actually sent are captured with an httpx event hook, so a test can tell
"sent once" from "sent twice" and check the body and headers that went out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import vidgen
from vidgen.testing import FakeClock

ENDPOINT = "https://example-resource.openai.azure.com"
JOBS_PATH = "/openai/v1/video/generations/jobs"
TEST_KEY = "test-key"
#: vidgen's default pace when the server gives no hint: 5 s, then x1.5.
DEFAULT_POLL_SLEEPS = [5.0, 7.5, 11.25]
V1_VIDEO_ID = "video_68ff7cef76cc8190b7eab9395e936d9e"
CassetteClient = Callable[..., vidgen.Client]


def azure_options(**settings: Any) -> dict[str, Any]:
    """The options of an ``azure`` client with ``settings`` on top of the endpoint."""
    return {
        "provider": "azure",
        "api_key": TEST_KEY,
        "settings": {"endpoint": ENDPOINT, **settings},
        "allow_retired": True,
    }


@pytest.fixture
def jobs_client(cassette_client: CassetteClient) -> tuple[vidgen.Client, FakeClock]:
    """A jobs-API client on a fake clock at the task_01 payloads' created_at."""
    clock = FakeClock(start=1743551594.0)
    return cassette_client(clock=clock, **azure_options()), clock


def _json(request: httpx.Request) -> Any:
    return json.loads(request.read())


def _paths(sent: list[httpx.Request]) -> list[tuple[str, str]]:
    return [(r.method, r.url.path) for r in sent]


def _jobs_request(prompt: str = "test_success", **fields: Any) -> vidgen.VideoRequest:
    fields = {"duration": 5, "aspect": "1:1", "resolution": "480p", **fields}
    return vidgen.VideoRequest(prompt=prompt, **fields)


CREATE_BODY = {
    "model": "sora",
    "prompt": "test_success",
    "width": 480,
    "height": 480,
    "n_seconds": 5,
    "n_variants": 1,
}


def _assert_authenticated(sent: list[httpx.Request]) -> None:
    for request in sent:
        assert request.headers["api-key"] == TEST_KEY
        assert "authorization" not in request.headers


# -- the jobs API ---------------------------------------------------------------------------------


@pytest.mark.vcr
def test_jobs_lifecycle_sync(jobs_client, sent, vcr, tmp_path: Path) -> None:
    c, clock = jobs_client
    seen: list[vidgen.Job] = []

    out = c.generate(_jobs_request(), tmp_path / "out.mp4", on_progress=seen.append)

    assert out.read_bytes() == b"stub-mp4-bytes-for-gen_01"
    assert [j.status for j in seen] == [
        vidgen.JobStatus.QUEUED,  # the create response: queued
        vidgen.JobStatus.QUEUED,  # preprocessing
        vidgen.JobStatus.RUNNING,  # running
        vidgen.JobStatus.RUNNING,  # processing
        vidgen.JobStatus.SUCCEEDED,
    ]
    assert [j.raw["status"] for j in seen] == [
        "queued",
        "preprocessing",
        "running",
        "processing",
        "succeeded",
    ]
    final = seen[-1]
    assert final.id == "task_01"
    assert final.provider == "azure"
    assert final.seconds == 5
    assert final.size == "480x480"
    assert final.request_id == "apim-sync-poll-4"
    assert final.completed_at is not None
    assert final.completed_at.timestamp() == 1743551606
    assert final.expires_at is not None
    assert final.expires_at.timestamp() == 1743551594 + 86400
    assert [(o.ref, o.index) for o in final.outputs] == [("gen_01", 0)]
    assert clock.sleeps == DEFAULT_POLL_SLEEPS
    # One create, four polls, one download through the generation id.
    assert _paths(sent) == [
        ("POST", JOBS_PATH),
        *[("GET", f"{JOBS_PATH}/task_01")] * 4,
        ("GET", "/openai/v1/video/generations/gen_01/content/video"),
    ]
    assert all(r.url.params["api-version"] == "preview" for r in sent)
    assert _json(sent[0]) == CREATE_BODY
    _assert_authenticated(sent)
    assert vcr.all_played


@pytest.mark.anyio
@pytest.mark.vcr
async def test_jobs_lifecycle_async(cassette_async_client, sent, vcr, tmp_path: Path) -> None:
    clock = FakeClock(start=1743551594.0)
    async with cassette_async_client(clock=clock, **azure_options()) as c:
        job = await c.submit(_jobs_request())
        assert job.status is vidgen.JobStatus.QUEUED
        assert job.request_id == "apim-async-create"
        done = await c.wait(job)
        out = await c.download(done, tmp_path / "out.mp4")

    assert done.status is vidgen.JobStatus.SUCCEEDED
    assert done.outputs[0].ref == "gen_01"
    assert out.read_bytes() == b"stub-mp4-bytes-for-gen_01"
    assert clock.sleeps == DEFAULT_POLL_SLEEPS
    assert len(sent) == 6
    assert _json(sent[0]) == CREATE_BODY
    _assert_authenticated(sent)
    assert vcr.all_played


@pytest.mark.vcr
def test_jobs_moderation_failure(cassette_client, sent, vcr) -> None:
    clock = FakeClock(start=1743556719.0)
    c = cassette_client(clock=clock, **azure_options())
    with pytest.raises(vidgen.JobFailed) as caught:
        c.generate(_jobs_request("test_failure"), "never-written.mp4")

    failed = caught.value.job
    assert failed.id == "task_02"
    assert failed.status is vidgen.JobStatus.FAILED
    assert failed.error is not None
    assert failed.error.code == "content_policy"
    assert failed.error.provider_code == "output_moderation"
    assert failed.outputs == ()
    assert failed.request_id == "apim-mod-poll-2"
    assert "content_policy" in str(caught.value)
    assert clock.sleeps == [5.0]
    # Nothing to download: no request after the failed poll.
    assert _paths(sent) == [("POST", JOBS_PATH), *[("GET", f"{JOBS_PATH}/task_02")] * 2]
    assert not Path("never-written.mp4").exists()
    assert vcr.all_played


@pytest.mark.vcr
def test_jobs_create_top_level_policy_error(jobs_client, sent, vcr) -> None:
    c, clock = jobs_client
    with pytest.raises(vidgen.ContentPolicyViolation) as caught:
        c.submit(vidgen.VideoRequest(prompt="A famous cartoon mouse dancing on a stage"))

    error = caught.value
    assert error.status_code == 400
    assert error.code == "content_policy"
    assert error.provider_code == "ResponsibleAIPolicyViolation"
    assert error.param == "prompt"
    assert error.message == "Your request was rejected by the content filter."
    assert error.request_id == "apim-policy-400"
    assert "request id apim-policy-400" in str(error)
    assert _json(sent[0])["width"] == 1280  # the catalog default: 720p landscape
    assert len(sent) == 1
    assert clock.sleeps == []
    assert vcr.all_played


@pytest.mark.vcr
def test_jobs_create_wrapped_unauthorized(jobs_client, sent, vcr) -> None:
    c, _ = jobs_client
    with pytest.raises(vidgen.AuthenticationError) as caught:
        c.submit(_jobs_request())

    error = caught.value
    assert error.status_code == 401
    assert error.provider_code == "401"
    assert error.message == "Access denied due to invalid subscription key or wrong API endpoint."
    assert error.request_id == "apim-401"
    assert error.retryable is False
    assert "AZURE_OPENAI_API_KEY" in str(error)
    assert TEST_KEY not in str(error)
    assert TEST_KEY not in repr(error)
    assert len(sent) == 1
    assert vcr.all_played


@pytest.mark.vcr
def test_jobs_create_rate_limited_then_accepted(jobs_client, sent, vcr) -> None:
    c, clock = jobs_client
    job = c.submit(_jobs_request())

    assert job.id == "task_01"
    assert job.status is vidgen.JobStatus.QUEUED
    assert job.request_id == "apim-create-after-429"
    # A 429 means no job was created: the same create goes again after Retry-After.
    assert _paths(sent) == [("POST", JOBS_PATH)] * 2
    assert _json(sent[0]) == _json(sent[1]) == CREATE_BODY
    assert clock.sleeps == [2.0]
    assert vcr.all_played


@pytest.mark.vcr
def test_jobs_create_server_error_not_resent(jobs_client, sent, vcr) -> None:
    c, clock = jobs_client
    with pytest.raises(vidgen.ServerError) as caught:
        c.submit(_jobs_request())

    error = caught.value
    assert error.status_code == 500
    assert error.provider_code == "InternalServerError"
    assert error.request_id == "apim-500"
    assert "not resent" in str(error)
    # The server may have created (and will bill) the job: the create is never sent twice.
    assert len(sent) == 1
    assert clock.sleeps == []
    assert vcr.play_count == 1


@pytest.mark.vcr
def test_jobs_list_and_delete(jobs_client, sent, vcr) -> None:
    c, _ = jobs_client

    first = c.list_jobs(limit=2)
    second = c.list_jobs(limit=2, after=first[-1].id)
    c.delete(first[-1])

    assert [(j.id, j.status) for j in first] == [
        ("task_02", vidgen.JobStatus.FAILED),
        ("task_01", vidgen.JobStatus.SUCCEEDED),
    ]
    assert first[0].error is not None
    assert first[0].error.code == "content_policy"
    assert [o.ref for o in first[1].outputs] == ["gen_01"]
    assert [(j.id, j.status) for j in second] == [
        ("task_01jwcet0eje35tc5jy54yjax5q", vidgen.JobStatus.QUEUED)
    ]
    assert _paths(sent) == [
        ("GET", JOBS_PATH),
        ("GET", JOBS_PATH),
        ("DELETE", f"{JOBS_PATH}/task_01"),
    ]
    assert dict(sent[0].url.params) == {"limit": "2", "api-version": "preview"}
    assert dict(sent[1].url.params) == {"limit": "2", "after": "task_01", "api-version": "preview"}
    _assert_authenticated(sent)
    assert vcr.all_played


# -- the v1 videos path -----------------------------------------------------------------------------

V1_CREATE_BODY = {
    "model": "sora-2",
    "prompt": "A paper boat drifting down a rainy street at dusk",
    "seconds": "8",
    "size": "1280x720",
}


def _v1_request() -> vidgen.VideoRequest:
    return vidgen.VideoRequest(
        prompt="A paper boat drifting down a rainy street at dusk", duration=8, aspect="16:9"
    )


@pytest.mark.vcr
def test_videos_lifecycle_sync(cassette_client, sent, vcr, tmp_path: Path) -> None:
    seen: list[vidgen.Job] = []
    clock = FakeClock(start=1761574127.0)
    with cassette_client(clock=clock, **azure_options(api="videos")) as c:
        out = c.generate(_v1_request(), tmp_path / "out.mp4", on_progress=seen.append)

    assert out.read_bytes() == f"stub-mp4-bytes-for-{V1_VIDEO_ID}".encode()
    assert [(j.status, j.progress) for j in seen] == [
        (vidgen.JobStatus.QUEUED, 0),
        (vidgen.JobStatus.RUNNING, 40),
        (vidgen.JobStatus.SUCCEEDED, 100),
    ]
    final = seen[-1]
    assert final.id == V1_VIDEO_ID
    assert final.seconds == 8
    assert final.size == "1280x720"
    assert final.request_id == "apim-v1-sync-poll-2"
    assert final.expires_at is not None
    assert final.expires_at.timestamp() == 1761574127 + 86400
    assert clock.sleeps == [5.0]
    assert _paths(sent) == [
        ("POST", "/openai/v1/videos"),
        *[("GET", f"/openai/v1/videos/{V1_VIDEO_ID}")] * 2,
        ("GET", f"/openai/v1/videos/{V1_VIDEO_ID}/content"),
    ]
    assert _json(sent[0]) == V1_CREATE_BODY  # seconds as a string on this path
    assert all("api-version" not in r.url.params for r in sent)
    assert sent[-1].url.params["variant"] == "video"
    _assert_authenticated(sent)
    assert vcr.all_played


@pytest.mark.anyio
@pytest.mark.vcr
async def test_videos_lifecycle_async(cassette_async_client, sent, vcr, tmp_path: Path) -> None:
    clock = FakeClock(start=1761574127.0)
    async with cassette_async_client(clock=clock, **azure_options(api="videos")) as c:
        job = await c.submit(_v1_request())
        assert job.id == V1_VIDEO_ID
        assert job.status is vidgen.JobStatus.QUEUED
        assert job.request_id == "apim-v1-async-create"
        done = await c.wait(job)
        out = await c.download(done, tmp_path / "out.mp4")

    assert done.status is vidgen.JobStatus.SUCCEEDED
    assert out.read_bytes() == f"stub-mp4-bytes-for-{V1_VIDEO_ID}".encode()
    assert clock.sleeps == [5.0]
    assert len(sent) == 4
    assert _json(sent[0]) == V1_CREATE_BODY
    _assert_authenticated(sent)
    assert vcr.all_played


@pytest.mark.vcr
def test_videos_create_content_filtered(cassette_client, sent, vcr) -> None:
    clock = FakeClock(start=1761574127.0)
    with (
        cassette_client(clock=clock, **azure_options(api="videos")) as c,
        pytest.raises(vidgen.ContentPolicyViolation) as caught,
    ):
        c.submit(vidgen.VideoRequest(prompt="A famous cartoon mouse dancing on a stage"))

    error = caught.value
    assert error.status_code == 400
    assert error.provider_code == "ResponsibleAIPolicyViolation"
    assert error.request_id == "apim-v1-policy"
    assert _json(sent[0]) == {
        "model": "sora-2",
        "prompt": "A famous cartoon mouse dancing on a stage",
        "seconds": "4",
        "size": "720x1280",
    }
    assert len(sent) == 1
    assert clock.sleeps == []
    assert vcr.all_played
