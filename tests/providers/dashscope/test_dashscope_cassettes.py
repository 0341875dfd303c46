"""The dashscope provider through `vidgen.Client` and `vidgen.AsyncClient`, on cassettes.

Each test replays ``cassettes/dashscope/<test name>.yaml`` (record mode none, network
blocked); the cassettes are written by hand from Model Studio's documented examples
(dashscope_payloads.py says which) and say so in their headers. Request bodies are matched
as parsed JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import KEY, START
from dashscope_payloads import API, ERROR_ROWS, OSS_HOST, TASK_ID, VIDEO_URL, error_body

import vidgen
from vidgen import JobStatus
from vidgen.testing import FakeClock

STUB = b"stub video bytes for a dashscope task, not MP4"
DASHSCOPE: dict[str, Any] = {"provider": "dashscope", "api_key": KEY}
BEIJING = dt.timezone(dt.timedelta(hours=8))

#: The documented wan2.7 text-to-video create (its prompt is elided in the source).
KITE = vidgen.VideoRequest(
    prompt="A red kite climbs over a windy beach at dusk, the camera tracking it from below",
    model="wan-2.7",
    duration=15,
    aspect="16:9",
    resolution="720p",
    provider_options={"dashscope": {"prompt_extend": True, "watermark": True}},
)
FOX = vidgen.VideoRequest(prompt="A fox trots across fresh snow", model="wan-2.6", duration=5)


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The shared settings, with request bodies matched too (JSON compared parsed)."""
    return {**vcr_config, "match_on": [*vcr_config["match_on"], "body"]}


@pytest.fixture
def clock() -> FakeClock:
    """The documented task's submit time."""
    return FakeClock(start=START)


@pytest.fixture
def client(cassette_client: Callable[..., vidgen.Client], clock: FakeClock) -> vidgen.Client:
    """A dashscope client on the folder's clock, answered by the test's cassette."""
    return cassette_client(clock=clock, **DASHSCOPE)


# -- the whole lifecycle ------------------------------------------------------------------------------


@pytest.mark.vcr
def test_generate_sync(
    vcr: Any, tmp_path: Path, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    seen: list[vidgen.Job] = []
    path = client.generate(KITE, tmp_path / "kite.mp4", on_progress=seen.append)

    assert path.read_bytes() == STUB
    assert [j.status for j in seen] == [
        JobStatus.QUEUED,
        JobStatus.RUNNING,
        JobStatus.RUNNING,
        JobStatus.SUCCEEDED,
    ]
    assert {j.id for j in seen} == {TASK_ID}
    done = seen[-1]
    assert done.seconds == 15
    assert done.usage is not None
    assert done.usage.seconds == 15
    end = dt.datetime(2025, 9, 25, 11, 17, 11, 650000, tzinfo=BEIJING)
    assert done.expires_at == end + dt.timedelta(hours=24)
    assert len(clock.sleeps) == 2

    assert vcr.all_played
    assert json.loads(sent[0].content) == {
        "model": "wan2.7-t2v",
        "input": {"prompt": KITE.prompt},
        "parameters": {
            "resolution": "720P",
            "ratio": "16:9",
            "prompt_extend": True,
            "watermark": True,
            "duration": 15,
        },
    }
    assert sent[0].headers["x-dashscope-async"] == "enable"
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in sent[:4])
    assert [(r.method, r.url.host) for r in sent] == [
        ("POST", "dashscope-intl.aliyuncs.com"),
        ("GET", "dashscope-intl.aliyuncs.com"),
        ("GET", "dashscope-intl.aliyuncs.com"),
        ("GET", "dashscope-intl.aliyuncs.com"),
        ("GET", OSS_HOST),
    ]
    assert str(sent[4].url) == VIDEO_URL
    assert "authorization" not in sent[4].headers


@pytest.mark.vcr
@pytest.mark.anyio
async def test_generate_async(
    vcr: Any,
    tmp_path: Path,
    clock: FakeClock,
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
) -> None:
    request = vidgen.VideoRequest(
        prompt="The cat turns to the camera and yawns",
        model="wan-2.6",
        duration=5,
        reference=vidgen.Reference.from_url("https://cdn.example.com/cat.png"),
        audio=False,
    )
    async with cassette_async_client(clock=clock, **DASHSCOPE) as client:
        job = await client.submit(request)
        assert (job.id, job.status, job.model) == (TASK_ID, JobStatus.QUEUED, "wan2.6-i2v")
        done = await client.wait(job, timeout=900)
        assert done.status is JobStatus.SUCCEEDED
        path = await client.download(done, tmp_path / "cat.mp4")
        assert path.read_bytes() == STUB

    assert vcr.all_played
    assert json.loads(sent[0].content) == {
        "model": "wan2.6-i2v",
        "input": {"prompt": request.prompt, "img_url": "https://cdn.example.com/cat.png"},
        "parameters": {"duration": 5, "resolution": "720P", "audio": False},
    }
    assert sent[-1].url.host == OSS_HOST
    assert "authorization" not in sent[-1].headers


@pytest.mark.vcr
def test_failed_task_is_reported_as_moderation(
    vcr: Any, tmp_path: Path, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    with pytest.raises(vidgen.JobFailed) as caught:
        client.generate(FOX, tmp_path / "fox.mp4")
    job = caught.value.job
    assert job.error is not None
    assert (job.error.code, job.error.provider_code) == ("content_policy", "DataInspectionFailed")
    assert vcr.all_played
    assert all(r.url.host == "dashscope-intl.aliyuncs.com" for r in sent)


@pytest.mark.vcr
def test_an_expired_task(vcr: Any, client: vidgen.Client, sent: list[httpx.Request]) -> None:
    with pytest.raises(vidgen.ContentExpired) as caught:
        client.wait(
            vidgen.Job(id="502a00b1-19d9-4839-a82f-xxxxxx", provider="dashscope"), timeout=60
        )
    assert "24 hours" in str(caught.value)
    assert len(sent) == 1  # UNKNOWN ends the wait at once, with the reason
    assert vcr.all_played


# -- errors ----------------------------------------------------------------------------------------------


@pytest.mark.vcr
@pytest.mark.parametrize(
    ("status", "code", "error", "retryable"), ERROR_ROWS, ids=[f"{r[0]}-{r[1]}" for r in ERROR_ROWS]
)
def test_create_answered_by_error(
    vcr: Any,
    client: vidgen.Client,
    sent: list[httpx.Request],
    status: int,
    code: str,
    error: type[vidgen.ProviderError],
    retryable: bool,
) -> None:
    with pytest.raises(vidgen.ProviderError) as caught:
        client.submit(FOX)
    raised = caught.value
    assert type(raised) is error
    assert (raised.status_code, raised.provider_code) == (status, code)
    assert raised.message == error_body(code)["message"]
    assert raised.retryable is retryable
    resends = 3 if error is vidgen.RateLimited and retryable else 1
    assert len(sent) == resends
    assert vcr.all_played


@pytest.mark.vcr
def test_create_refused_with_http_200(
    vcr: Any, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    with pytest.raises(vidgen.InvalidRequest) as caught:
        client.submit(FOX)
    assert (caught.value.status_code, caught.value.provider_code) == (200, "InvalidParameter")
    assert len(sent) == 1
    assert vcr.all_played


@pytest.mark.vcr
def test_create_throttled_then_accepted(
    vcr: Any, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    job = client.submit(FOX)
    assert job.id == TASK_ID
    assert len(sent) == 2
    assert len(clock.sleeps) == 1
    assert vcr.all_played


# -- cancel and list -----------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_cancel_a_pending_task(vcr: Any, client: vidgen.Client, sent: list[httpx.Request]) -> None:
    job = client.cancel(vidgen.Job(id=TASK_ID, provider="dashscope"))
    assert job.status is JobStatus.CANCELLED
    assert [(r.method, r.url.path) for r in sent] == [
        ("POST", f"/api/v1/tasks/{TASK_ID}/cancel"),
        ("GET", f"/api/v1/tasks/{TASK_ID}"),
    ]
    assert vcr.all_played


@pytest.mark.vcr
def test_cancel_a_running_task_is_refused(
    vcr: Any, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    with pytest.raises(vidgen.InvalidRequest) as caught:
        client.cancel(vidgen.Job(id=TASK_ID, provider="dashscope"))
    assert caught.value.provider_code == "UnsupportedOperation"
    assert "PENDING" in str(caught.value)
    assert len(sent) == 1
    assert vcr.all_played


@pytest.mark.vcr
def test_list_jobs(vcr: Any, client: vidgen.Client, sent: list[httpx.Request]) -> None:
    [job] = client.list_jobs(limit=20)
    assert (job.model, job.status) == ("wan2.6-t2v", JobStatus.UNKNOWN)  # no URL in a list
    assert job.raw["status"] == "SUCCEEDED"
    assert str(sent[0].url) == f"{API}/tasks?page_no=1&page_size=20"
    assert vcr.all_played
