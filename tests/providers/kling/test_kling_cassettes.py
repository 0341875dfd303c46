"""The kling provider through `vidgen.Client` and `vidgen.AsyncClient`, on cassettes.

Each test replays ``cassettes/kling/<test name>.yaml`` (record mode none, network blocked);
the cassettes are written by hand from Kling's documented examples (kling_payloads.py says
which) and say so in their headers. Request bodies are matched as parsed JSON, so a create
that sent ``"duration": 5`` instead of ``"5"`` would not replay.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import KEY, START
from kling_payloads import (
    API,
    CDN_HOST,
    DONE_MS,
    ERROR_ROWS,
    EXTERNAL_ID,
    I2V_BODY,
    I2V_TASK_ID,
    RABBIT,
    T2V_BODY,
    TASK_ID,
    VIDEO_URL,
)

import vidgen
from vidgen import JobStatus
from vidgen.testing import FakeClock

UTC = dt.timezone.utc
STUB = b"stub video bytes for a kling task, not MP4"
KLING: dict[str, Any] = {"provider": "kling", "api_key": KEY}
RABBIT_REQUEST = vidgen.VideoRequest(
    prompt=RABBIT,
    model="kling-v3-std",
    duration=5,
    aspect="16:9",
    provider_options={"kling": {"external_task_id": EXTERNAL_ID}},
)


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The shared settings, with request bodies matched too (JSON compared parsed)."""
    return {**vcr_config, "match_on": [*vcr_config["match_on"], "body"]}


@pytest.fixture
def clock() -> FakeClock:
    """A minute after the logged create."""
    return FakeClock(start=START)


@pytest.fixture
def client(cassette_client: Callable[..., vidgen.Client], clock: FakeClock) -> vidgen.Client:
    """A kling client on the folder's clock, answered by the test's cassette."""
    return cassette_client(clock=clock, **KLING)


# -- the whole lifecycle --------------------------------------------------------------------------


@pytest.mark.vcr
def test_generate_sync(
    vcr: Any, tmp_path: Path, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    seen: list[vidgen.Job] = []
    path = client.generate(RABBIT_REQUEST, tmp_path / "rabbit.mp4", on_progress=seen.append)

    assert path.read_bytes() == STUB
    assert [j.status for j in seen] == [
        JobStatus.QUEUED,
        JobStatus.RUNNING,
        JobStatus.RUNNING,
        JobStatus.SUCCEEDED,
    ]
    assert {j.id for j in seen} == {f"t2v-{TASK_ID}"}
    done = seen[-1]
    assert done.seconds == 5
    assert done.usage is not None
    assert done.usage.units == Decimal("3")
    assert done.expires_at == dt.datetime.fromtimestamp(DONE_MS / 1000, UTC) + dt.timedelta(days=30)
    assert [o.url for o in done.outputs] == [VIDEO_URL]
    assert len(clock.sleeps) == 2

    assert vcr.all_played
    assert [(r.method, r.url.host, r.url.path) for r in sent] == [
        ("POST", "api-singapore.klingai.com", "/v1/videos/text2video"),
        ("GET", "api-singapore.klingai.com", f"/v1/videos/text2video/{TASK_ID}"),
        ("GET", "api-singapore.klingai.com", f"/v1/videos/text2video/{TASK_ID}"),
        ("GET", "api-singapore.klingai.com", f"/v1/videos/text2video/{TASK_ID}"),
        ("GET", CDN_HOST, httpx.URL(VIDEO_URL).path),
    ]
    assert json.loads(sent[0].content) == T2V_BODY
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
    request = vidgen.VideoRequest(
        prompt=I2V_BODY["prompt"],
        model="kling-v2.6-pro",
        duration=5,
        reference=vidgen.Reference.from_url(I2V_BODY["image"]),
        last_frame=vidgen.Reference.from_url(I2V_BODY["image_tail"]),
    )
    async with cassette_async_client(clock=clock, **KLING) as client:
        job = await client.submit(request)
        assert (job.id, job.status, job.model) == (
            f"i2v-{I2V_TASK_ID}",
            JobStatus.QUEUED,
            "kling-v2.6-pro",
        )
        done = await client.wait(job, timeout=600)
        assert done.status is JobStatus.SUCCEEDED
        path = await client.download(done, tmp_path / "smile.mp4")
        assert path.read_bytes() == STUB

    assert vcr.all_played
    assert json.loads(sent[0].content) == I2V_BODY
    assert [r.url.path for r in sent[:3]] == [
        "/v1/videos/image2video",
        f"/v1/videos/image2video/{I2V_TASK_ID}",
        f"/v1/videos/image2video/{I2V_TASK_ID}",
    ]
    assert sent[-1].url.host == CDN_HOST
    assert "authorization" not in sent[-1].headers


@pytest.mark.vcr
def test_failed_task_is_reported_as_moderation(
    vcr: Any, tmp_path: Path, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    with pytest.raises(vidgen.JobFailed) as caught:
        client.generate(RABBIT_REQUEST, tmp_path / "rabbit.mp4")
    job = caught.value.job
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.code == "content_policy"
    assert "risk control" in str(caught.value)
    assert vcr.all_played
    assert all(r.url.host == "api-singapore.klingai.com" for r in sent)
    assert not (tmp_path / "rabbit.mp4").exists()


# -- the error table, one cassette per row ------------------------------------------------------------


@pytest.mark.vcr
@pytest.mark.parametrize(
    ("status", "code", "error", "retryable", "message"),
    ERROR_ROWS,
    ids=[f"{row[0]}-{row[1]}" for row in ERROR_ROWS],
)
def test_create_answered_by_error(
    vcr: Any,
    client: vidgen.Client,
    sent: list[httpx.Request],
    status: int,
    code: int,
    error: type[vidgen.ProviderError],
    retryable: bool,
    message: str,
) -> None:
    with pytest.raises(vidgen.ProviderError) as caught:
        client.submit(RABBIT_REQUEST)
    raised = caught.value
    assert type(raised) is error
    assert (raised.status_code, raised.provider_code) == (status, str(code))
    assert raised.message == message
    assert raised.retryable is retryable
    # Only a retryable rate limit is resent: a 429 proves the task was not created.
    resends = 3 if error is vidgen.RateLimited else 1
    assert len(sent) == resends
    assert vcr.play_count == resends
    assert vcr.all_played


@pytest.mark.vcr
def test_create_over_the_concurrency_limit_then_accepted(
    vcr: Any, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    job = client.submit(RABBIT_REQUEST)
    assert job.id == f"t2v-{TASK_ID}"
    assert clock.sleeps == [2.0]  # the 429's Retry-After
    assert len(sent) == 2
    assert sent[0].content == sent[1].content
    assert vcr.all_played


@pytest.mark.vcr
def test_status_retried_after_maintenance(
    vcr: Any, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    job = client.get(f"t2v-{TASK_ID}")
    assert job.status is JobStatus.SUCCEEDED
    assert len(sent) == 2
    assert len(clock.sleeps) == 1
    assert vcr.all_played


@pytest.mark.vcr
def test_query_answered_by_task_not_found(
    vcr: Any, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    with pytest.raises(vidgen.NotFound) as caught:
        client.get("t2v-867283741759199999")
    assert caught.value.provider_code == "1203"
    assert len(sent) == 1  # a 404 is not retried
    assert vcr.all_played


@pytest.mark.vcr
def test_list_jobs(vcr: Any, client: vidgen.Client, sent: list[httpx.Request]) -> None:
    jobs = client.list_jobs(limit=20)
    assert [(j.id, j.status) for j in jobs] == [
        (f"t2v-{TASK_ID}", JobStatus.SUCCEEDED),
        ("t2v-867283741759111203", JobStatus.RUNNING),
    ]
    assert str(sent[0].url) == f"{API}/v1/videos/text2video?pageNum=1&pageSize=20"
    assert vcr.all_played
