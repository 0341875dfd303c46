"""The byteplus provider through `vidgen.Client` and `vidgen.AsyncClient`, on cassettes.

Each test replays ``cassettes/byteplus/<test name>.yaml`` (record mode none, network
blocked); the cassettes are written by hand from the documented Ark payloads in
``byteplus_payloads.py`` and say so in their headers. Request bodies are matched as parsed
JSON, so a create that sent ``"duration": "2"`` or ``"ratio": "7:3"`` would not replay.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from byteplus_payloads import (
    CREATE_BODY,
    ERROR_ROWS,
    KEY,
    LAST_FRAME_URL,
    PAGE,
    PROMPT,
    REQUEST,
    STORAGE_HOST,
    SUCCEEDED,
    TASK_ID,
    TASK_URL,
    TASKS,
    VIDEO_URL,
)

import vidgen
from vidgen import JobStatus
from vidgen.testing import FakeClock

UTC = dt.timezone.utc
API_HOST = "ark.ap-southeast.bytepluses.com"
VIDEO_STUB = b"stub video bytes for task cgt-20260828062711-hj94q, not MP4"
FRAME_STUB = b"stub png bytes: the last frame of cgt-20260828062711-hj94q"
BYTEPLUS: dict[str, Any] = {"provider": "byteplus", "api_key": KEY}
FIRST = "https://example.com/seedance/first.png"
LAST = "https://example.com/seedance/last.png"
#: When the recorded task was created: its outputs have not expired yet.
START = 1787869631.0


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The shared settings, with request bodies matched too (JSON compared parsed)."""
    return {**vcr_config, "match_on": [*vcr_config["match_on"], "body"]}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=START)


@pytest.fixture
def client(cassette_client: Callable[..., vidgen.Client], clock: FakeClock) -> vidgen.Client:
    return cassette_client(clock=clock, **BYTEPLUS)


def image_request() -> vidgen.VideoRequest:
    return vidgen.VideoRequest(
        prompt=PROMPT,
        model="seedance-1.0-pro",
        duration=2,
        resolution="480p",
        aspect="16:9",
        reference=vidgen.Reference.from_url(FIRST),
        last_frame=vidgen.Reference.from_url(LAST),
        provider_options={"byteplus": {"return_last_frame": True}},
    )


IMAGE_BODY: dict[str, Any] = {
    **CREATE_BODY,
    "content": [
        {"type": "text", "text": PROMPT},
        {"type": "image_url", "image_url": {"url": FIRST}, "role": "first_frame"},
        {"type": "image_url", "image_url": {"url": LAST}, "role": "last_frame"},
    ],
    "return_last_frame": True,
}


# -- the whole lifecycle --------------------------------------------------------------------------


@pytest.mark.vcr
def test_generate_sync(
    vcr: Any, tmp_path: Path, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    seen: list[vidgen.Job] = []
    path = client.generate(REQUEST, tmp_path / "fox.mp4", on_progress=seen.append)

    assert path.read_bytes() == VIDEO_STUB
    assert [j.status for j in seen] == [
        JobStatus.QUEUED,  # the create answer
        JobStatus.QUEUED,
        JobStatus.RUNNING,
        JobStatus.SUCCEEDED,
    ]
    done = seen[-1]
    assert (done.id, done.model, done.seconds, done.size) == (
        TASK_ID,
        "seedance-1-0-pro-250528",
        2,
        "864x480",
    )
    assert done.usage is not None
    assert done.usage.tokens == 19845
    assert done.expires_at == dt.datetime.fromtimestamp(SUCCEEDED["updated_at"], UTC) + (
        dt.timedelta(hours=24)
    )
    assert len(clock.sleeps) == 2

    assert vcr.all_played
    assert [(r.method, r.url.host, r.url.path) for r in sent] == [
        ("POST", API_HOST, "/api/v3/contents/generations/tasks"),
        ("GET", API_HOST, f"/api/v3/contents/generations/tasks/{TASK_ID}"),
        ("GET", API_HOST, f"/api/v3/contents/generations/tasks/{TASK_ID}"),
        ("GET", API_HOST, f"/api/v3/contents/generations/tasks/{TASK_ID}"),
        ("GET", STORAGE_HOST, "/seedance-1-0-pro/recorded-video.mp4"),
    ]
    assert json.loads(sent[0].content) == CREATE_BODY
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in sent[:4])
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
    async with cassette_async_client(clock=clock, **BYTEPLUS) as client:
        job = await client.submit(image_request())
        assert (job.id, job.status, job.size) == (TASK_ID, JobStatus.QUEUED, "864x480")
        done = await client.wait(job, timeout=600)
        assert done.status is JobStatus.SUCCEEDED
        video = await client.download(done, tmp_path / "fox.mp4")
        frame = await client.download(done, tmp_path / "fox.png", variant="last_frame")
    assert video.read_bytes() == VIDEO_STUB
    assert frame.read_bytes() == FRAME_STUB

    assert vcr.all_played
    assert json.loads(sent[0].content) == IMAGE_BODY
    assert [str(r.url) for r in sent[-2:]] == [VIDEO_URL, LAST_FRAME_URL]
    assert all("authorization" not in r.headers for r in sent[-2:])


@pytest.mark.vcr
def test_failed_task_is_reported(
    vcr: Any, tmp_path: Path, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    with pytest.raises(vidgen.JobFailed) as caught:
        client.generate(REQUEST, tmp_path / "fox.mp4")
    job = caught.value.job
    assert job.error is not None
    assert (job.error.code, job.error.provider_code) == (
        "content_policy",
        "OutputVideoSensitiveContentDetected",
    )
    assert vcr.all_played
    assert all(r.url.host == API_HOST for r in sent)
    assert not (tmp_path / "fox.mp4").exists()


# -- cancel ---------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_cancel_sync(vcr: Any, client: vidgen.Client, sent: list[httpx.Request]) -> None:
    job = client.submit(REQUEST)
    cancelled = client.cancel(job)
    assert cancelled.status is JobStatus.CANCELLED
    assert cancelled.error is None
    assert vcr.all_played
    # read first (a DELETE would delete a finished task), then cancel, then read the result
    assert [(r.method, str(r.url)) for r in sent[1:]] == [
        ("GET", TASK_URL),
        ("DELETE", TASK_URL),
        ("GET", TASK_URL),
    ]


@pytest.mark.vcr
@pytest.mark.anyio
async def test_cancel_async(
    vcr: Any,
    clock: FakeClock,
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
) -> None:
    async with cassette_async_client(clock=clock, **BYTEPLUS) as client:
        job = await client.submit(REQUEST)
        cancelled = await client.cancel(job)
    assert cancelled.status is JobStatus.CANCELLED
    assert vcr.all_played
    assert [r.method for r in sent] == ["POST", "GET", "DELETE", "GET"]


# -- errors ---------------------------------------------------------------------------------------

CREATE_ROWS = [
    row
    for row in ERROR_ROWS
    if row[1]
    in (
        "InvalidParameter",
        "AuthenticationError",
        "ModelNotOpen",
        "RateLimitExceeded.EndpointRPMExceeded",
        "InternalServiceError",
    )
]


@pytest.mark.vcr
@pytest.mark.parametrize(
    ("status", "code", "kind", "error", "retryable", "message"),
    CREATE_ROWS,
    ids=[f"{row[0]}-{row[1]}" for row in CREATE_ROWS],
)
def test_create_answered_by_error(
    vcr: Any,
    client: vidgen.Client,
    sent: list[httpx.Request],
    status: int,
    code: str,
    kind: str,
    error: type[vidgen.ProviderError],
    retryable: bool,
    message: str,
) -> None:
    with pytest.raises(vidgen.ProviderError) as caught:
        client.submit(REQUEST)
    raised = caught.value
    assert type(raised) is error
    assert (raised.status_code, raised.provider_code, raised.retryable) == (
        status,
        code,
        retryable,
    )
    # Only a rate limit is resent: it proves the task was not created. A 500 is not.
    resends = 3 if status == 429 else 1
    assert len(sent) == resends
    assert vcr.all_played


@pytest.mark.vcr
def test_create_rate_limited_then_accepted(
    vcr: Any, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    job = client.submit(REQUEST)
    assert job.id == TASK_ID
    assert clock.sleeps == [2.0]  # the 429's Retry-After
    assert sent[0].content == sent[1].content
    assert vcr.all_played


# -- list -----------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_list_jobs(vcr: Any, client: vidgen.Client, sent: list[httpx.Request]) -> None:
    jobs = client.list_jobs(limit=2)
    assert [(j.id, j.status) for j in jobs] == [
        (TASK_ID, JobStatus.SUCCEEDED),
        (TASK_ID, JobStatus.RUNNING),
    ]
    assert str(sent[0].url) == f"{TASKS}?page_num=1&page_size=2"
    assert vcr.all_played
    assert PAGE["total"] == 3
