"""The minimax provider through `vidgen.Client` and `vidgen.AsyncClient`, on cassettes:
V2 (MiniMax-H3) and V1 (Hailuo, with its two-step download).

Each test replays ``cassettes/minimax/<test name>.yaml``, written by hand from MiniMax's
documented examples (``minimax_payloads.py``); request bodies are matched as parsed JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from minimax_payloads import (
    KEY,
    STORAGE_HOST,
    V1_CREATE_BODY,
    V1_DOWNLOAD_URL,
    V1_FILE_ID,
    V1_REQUEST,
    V1_TASK_ID,
    V2_CREATE_BODY,
    V2_DELETE_URL,
    V2_ERRORS,
    V2_FAILED,
    V2_IMAGE_BODY,
    V2_IMAGE_PROMPT,
    V2_IMAGE_URL,
    V2_QUERY_URL,
    V2_REQUEST,
    V2_TASK_ID,
    V2_VIDEO_URL,
)

import vidgen
from vidgen import JobStatus
from vidgen.testing import FakeClock

UTC = dt.timezone.utc
API_HOST = "api.minimax.io"
V2_STUB = b"stub video bytes for task 424010985738629, not MP4"
V1_STUB = b"stub video bytes for task 106916112212032, not MP4"
MINIMAX: dict[str, Any] = {"provider": "minimax", "api_key": KEY}
#: Just before the V1 file answer's Date (2026-11-30 10:00 UTC): its URL is still valid.
START = 1795946400.0
V1_FIRST = "https://example.com/hailuo/first.jpg"
V1_LAST = "https://example.com/hailuo/last.jpg"
V1_IMAGE_BODY: dict[str, Any] = {
    "model": "MiniMax-Hailuo-02",
    "prompt": "The paper boat drifts to the end of the gutter",
    "duration": 10,
    "resolution": "768P",
    "first_frame_image": V1_FIRST,
    "last_frame_image": V1_LAST,
}


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The shared settings, with request bodies matched too (JSON compared parsed)."""
    return {**vcr_config, "match_on": [*vcr_config["match_on"], "body"]}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=START)


@pytest.fixture
def client(cassette_client: Callable[..., vidgen.Client], clock: FakeClock) -> vidgen.Client:
    return cassette_client(clock=clock, **MINIMAX)


# -- V2 ---------------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_v2_generate_sync(
    vcr: Any, tmp_path: Path, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    seen: list[vidgen.Job] = []
    path = client.generate(V2_REQUEST, tmp_path / "fleet.mp4", on_progress=seen.append)
    assert path.read_bytes() == V2_STUB
    assert [j.status for j in seen] == [
        JobStatus.QUEUED,
        JobStatus.QUEUED,
        JobStatus.RUNNING,
        JobStatus.SUCCEEDED,
    ]
    done = seen[-1]
    assert (done.id, done.size, done.seconds) == (V2_TASK_ID, "2560x1440", 5)
    assert done.usage is not None
    assert done.usage.seconds == 5
    assert clock.sleeps == [10.0, 15.0]  # MiniMax's own pace: every 10 s, growing
    assert vcr.all_played
    assert json.loads(sent[0].content) == V2_CREATE_BODY
    assert [(r.method, r.url.host, r.url.path) for r in sent] == [
        ("POST", API_HOST, "/v2/video_generation"),
        *[("GET", API_HOST, f"/v2/query/video_generation/{V2_TASK_ID}")] * 3,
        ("GET", STORAGE_HOST, httpx.URL(V2_VIDEO_URL).path),
    ]
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in sent[:4])
    assert "authorization" not in sent[-1].headers


@pytest.mark.vcr
@pytest.mark.anyio
async def test_v2_generate_async(
    vcr: Any,
    tmp_path: Path,
    clock: FakeClock,
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
) -> None:
    request = vidgen.VideoRequest(
        prompt=V2_IMAGE_PROMPT,
        model="hailuo-3",
        duration=5,
        resolution="1440p",
        aspect="16:9",
        reference=vidgen.Reference.from_url(V2_IMAGE_URL),
    )
    async with cassette_async_client(clock=clock, **MINIMAX) as client:
        job = await client.submit(request)
        done = await client.wait(job, timeout=900)
        path = await client.download(done, tmp_path / "ramen.mp4")
    assert path.read_bytes() == V2_STUB
    assert vcr.all_played
    assert json.loads(sent[0].content) == V2_IMAGE_BODY


@pytest.mark.vcr
def test_v2_failed_task(vcr: Any, tmp_path: Path, client: vidgen.Client) -> None:
    with pytest.raises(vidgen.JobFailed) as caught:
        client.generate(V2_REQUEST, tmp_path / "fleet.mp4")
    job = caught.value.job
    assert job.id == V2_FAILED["task"]["id"]
    assert job.error is not None
    assert (job.error.code, job.error.provider_code) == ("content_policy", "1026")
    assert vcr.all_played


@pytest.mark.vcr
def test_v2_cancel_sync(vcr: Any, client: vidgen.Client, sent: list[httpx.Request]) -> None:
    job = client.submit(V2_REQUEST)
    cancelled = client.cancel(job)
    assert cancelled.status is JobStatus.CANCELLED
    assert [(r.method, str(r.url)) for r in sent[1:]] == [
        ("GET", V2_QUERY_URL),
        ("DELETE", V2_DELETE_URL),
        ("GET", V2_QUERY_URL),
    ]
    assert vcr.all_played


@pytest.mark.vcr
@pytest.mark.anyio
async def test_v2_cancel_async(
    vcr: Any,
    clock: FakeClock,
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
) -> None:
    async with cassette_async_client(clock=clock, **MINIMAX) as client:
        job = await client.submit(V2_REQUEST)
        cancelled = await client.cancel(job)
    assert cancelled.status is JobStatus.CANCELLED
    assert [r.method for r in sent] == ["POST", "GET", "DELETE", "GET"]
    assert vcr.all_played


@pytest.mark.vcr
@pytest.mark.parametrize(
    ("status", "body", "error", "retryable"), V2_ERRORS, ids=[str(row[0]) for row in V2_ERRORS]
)
def test_v2_create_answered_by_error(
    vcr: Any,
    client: vidgen.Client,
    sent: list[httpx.Request],
    status: int,
    body: Any,
    error: type[vidgen.ProviderError],
    retryable: bool,
) -> None:
    with pytest.raises(vidgen.ProviderError) as caught:
        client.submit(V2_REQUEST)
    assert type(caught.value) is error
    assert caught.value.status_code == status
    assert len(sent) == (3 if status == 429 else 1)  # only a rate limit is resent
    assert vcr.all_played


@pytest.mark.vcr
def test_v2_list_jobs(vcr: Any, client: vidgen.Client, sent: list[httpx.Request]) -> None:
    jobs = client.list_jobs(limit=4)
    assert [j.status for j in jobs] == [JobStatus.SUCCEEDED, JobStatus.FAILED]
    assert sent[0].url.params["page_size"] == "4"
    assert vcr.all_played


# -- V1 ---------------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_v1_generate_sync(
    vcr: Any, tmp_path: Path, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    seen: list[vidgen.Job] = []
    path = client.generate(V1_REQUEST, tmp_path / "book.mp4", on_progress=seen.append)
    assert path.read_bytes() == V1_STUB
    assert [j.status for j in seen] == [
        JobStatus.QUEUED,  # the create answer
        JobStatus.QUEUED,  # Preparing
        JobStatus.RUNNING,  # Processing
        JobStatus.RUNNING,  # Success: rendered, the download URL one read away
        JobStatus.SUCCEEDED,  # files/retrieve
    ]
    done = seen[-1]
    assert (done.id, done.model, done.size) == (V1_TASK_ID, "MiniMax-Hailuo-2.3", "1920x1080")
    assert done.expires_at == dt.datetime(2026, 11, 30, 11, tzinfo=UTC)
    assert clock.sleeps[-1] == 0.2  # the file is asked for at once (the poll policy's floor)
    assert vcr.all_played
    assert json.loads(sent[0].content) == V1_CREATE_BODY
    assert [(r.method, r.url.path, dict(r.url.params)) for r in sent] == [
        ("POST", "/v1/video_generation", {}),
        ("GET", "/v1/query/video_generation", {"task_id": V1_TASK_ID}),
        ("GET", "/v1/query/video_generation", {"task_id": V1_TASK_ID}),
        ("GET", "/v1/query/video_generation", {"task_id": V1_TASK_ID}),
        ("GET", "/v1/files/retrieve", {"file_id": V1_FILE_ID}),
        ("GET", httpx.URL(V1_DOWNLOAD_URL).path, {}),
    ]
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in sent[:5])
    assert "authorization" not in sent[-1].headers


@pytest.mark.vcr
@pytest.mark.anyio
async def test_v1_generate_async(
    vcr: Any,
    tmp_path: Path,
    clock: FakeClock,
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
) -> None:
    request = vidgen.VideoRequest(
        prompt=V1_IMAGE_BODY["prompt"],
        model="hailuo-02",
        duration=10,
        resolution="768p",
        aspect="16:9",
        reference=vidgen.Reference.from_url(V1_FIRST),
        last_frame=vidgen.Reference.from_url(V1_LAST),
    )
    async with cassette_async_client(clock=clock, **MINIMAX) as client:
        job = await client.submit(request)
        done = await client.wait(job, timeout=900)
        assert done.status is JobStatus.SUCCEEDED
        path = await client.download(done, tmp_path / "boat.mp4")
    assert path.read_bytes() == V1_STUB
    assert vcr.all_played
    assert json.loads(sent[0].content) == V1_IMAGE_BODY
    assert [r.url.path for r in sent][-2:] == [
        "/v1/files/retrieve",
        httpx.URL(V1_DOWNLOAD_URL).path,
    ]


@pytest.mark.vcr
def test_v1_download_of_a_job_still_resolving(
    vcr: Any, tmp_path: Path, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    # A job last seen at "Success" (from the ledger, say): download reads the file first.
    job = vidgen.Job(
        id=V1_TASK_ID,
        provider="minimax",
        model="MiniMax-Hailuo-2.3",
        status=JobStatus.RUNNING,
        outputs=(vidgen.Output(ref=V1_FILE_ID),),
    )
    path = client.download(job, tmp_path / "book.mp4")
    assert path.read_bytes() == V1_STUB
    assert [r.url.path for r in sent] == ["/v1/files/retrieve", httpx.URL(V1_DOWNLOAD_URL).path]
    assert vcr.all_played


@pytest.mark.vcr
def test_v1_failed_task(vcr: Any, tmp_path: Path, client: vidgen.Client) -> None:
    with pytest.raises(vidgen.JobFailed) as caught:
        client.generate(V1_REQUEST, tmp_path / "book.mp4")
    assert caught.value.job.error is not None
    assert caught.value.job.error.provider_code == "1027"
    assert vcr.all_played


@pytest.mark.vcr
def test_v1_create_refused_with_http_200(
    vcr: Any, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    with pytest.raises(vidgen.InsufficientCredits) as caught:
        client.submit(V1_REQUEST)
    assert caught.value.provider_code == "1008"
    assert len(sent) == 1
    assert vcr.all_played
