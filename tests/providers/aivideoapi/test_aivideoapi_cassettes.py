"""The aivideoapi provider through `vidgen.Client` and `vidgen.AsyncClient`, on cassettes.

Each test replays ``cassettes/aivideoapi/<test name>.yaml`` (record mode none, network
blocked); the cassettes are written by hand from the vendor's reference page and say so in
their headers. Request bodies are matched as parsed JSON, so a create that sent
``"duration": "8"`` or the wrong aspect ratio would not replay.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from aivideoapi_payloads import (
    API,
    COMPLETED,
    COMPLETED_ID,
    CREATED_ID,
    ERROR_ROWS,
    FAILED,
    IMAGE_TO_VIDEO_BODY,
    OUTPUT_URL,
    STORAGE_HOST,
    TEXT_TO_VIDEO_BODY,
)

import vidgen
from vidgen import JobStatus
from vidgen.testing import FakeClock

UTC = dt.timezone.utc
VIDEO_STUB = b"stub video bytes for task 7d89c51e, not MP4"
AIVIDEOAPI: dict[str, Any] = {"provider": "aivideoapi", "api_key": "sk-test"}
DRONE = vidgen.VideoRequest(
    prompt="A drone shot flying over mountains at sunset, cinematic lighting",
    duration=8,
    aspect="16:9",
)


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The shared settings, with request bodies matched too (JSON compared parsed)."""
    return {**vcr_config, "match_on": [*vcr_config["match_on"], "body"]}


@pytest.fixture
def client(cassette_client: Callable[..., vidgen.Client], clock: FakeClock) -> vidgen.Client:
    """An aivideoapi client on the folder's clock, answered by the test's cassette."""
    return cassette_client(clock=clock, **AIVIDEOAPI)


# -- the whole lifecycle ------------------------------------------------------------------------


@pytest.mark.vcr
def test_generate_sync(
    vcr: Any, tmp_path: Path, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    seen: list[vidgen.Job] = []
    path = client.generate(DRONE, tmp_path / "drone.mp4", on_progress=seen.append)

    assert path.read_bytes() == VIDEO_STUB
    assert [(j.status, j.progress) for j in seen] == [
        (JobStatus.QUEUED, None),
        (JobStatus.RUNNING, None),
        (JobStatus.RUNNING, None),
        (JobStatus.SUCCEEDED, None),
    ]
    assert {j.id for j in seen} == {COMPLETED_ID}
    done = seen[-1]
    assert done.seconds == 8
    assert done.completed_at == dt.datetime.fromtimestamp(COMPLETED["completed_at"], UTC)
    assert done.expires_at == done.completed_at + dt.timedelta(hours=24)
    assert [o.url for o in done.outputs] == [OUTPUT_URL]
    assert len(clock.sleeps) == 2  # between the three polls; none of it real time

    assert vcr.all_played
    assert [(r.method, r.url.host, r.url.path) for r in sent] == [
        ("POST", "api.aivideoapi.ai", "/v1/videos/generations"),
        ("GET", "api.aivideoapi.ai", f"/v1/tasks/{COMPLETED_ID}"),
        ("GET", "api.aivideoapi.ai", f"/v1/tasks/{COMPLETED_ID}"),
        ("GET", "api.aivideoapi.ai", f"/v1/tasks/{COMPLETED_ID}"),
        ("GET", STORAGE_HOST, "/videos/2026/04/02/7d89c51e.mp4"),
    ]
    assert json.loads(sent[0].content) == TEXT_TO_VIDEO_BODY
    assert all(r.headers["authorization"] == "Bearer sk-test" for r in sent[:4])
    assert str(sent[4].url) == OUTPUT_URL  # as the task named it, query and all
    assert "authorization" not in sent[4].headers
    # The interaction the cassette replayed for the download is the storage host's.
    assert (vcr.requests[-1].host, vcr.requests[-1].path) == (
        STORAGE_HOST,
        "/videos/2026/04/02/7d89c51e.mp4",
    )


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
        prompt="Camera slowly pushes in, the person turns and smiles",
        duration=4,
        aspect="9:16",
        reference=vidgen.Reference.from_url("https://example.com/photo.jpg"),
    )
    async with cassette_async_client(clock=clock, **AIVIDEOAPI) as client:
        job = await client.submit(request)
        assert (job.id, job.status, job.seconds, job.size) == (
            COMPLETED_ID,
            JobStatus.QUEUED,
            4,
            "720x1280",
        )
        done = await client.wait(job, timeout=600)
        assert done.status is JobStatus.SUCCEEDED
        assert done.seconds == 4
        path = await client.download(done, tmp_path / "smile.mp4")
        assert path.read_bytes() == VIDEO_STUB

    assert vcr.all_played
    expected = {k: v for k, v in IMAGE_TO_VIDEO_BODY.items() if k != "callback_url"}
    assert json.loads(sent[0].content) == expected
    assert [r.url.host for r in sent] == ["api.aivideoapi.ai"] * 3 + [STORAGE_HOST]
    assert "authorization" not in sent[-1].headers
    assert vcr.requests[-1].host == STORAGE_HOST


@pytest.mark.vcr
def test_failed_task_is_reported_with_its_refund(
    vcr: Any, tmp_path: Path, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    with pytest.raises(vidgen.JobFailed) as caught:
        client.generate(DRONE, tmp_path / "drone.mp4")
    job = caught.value.job
    assert job.id == FAILED["id"]
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert (job.error.code, job.error.provider_code) == ("server_error", "upstream_error")
    assert "Video generation failed" in str(caught.value)
    assert "refund" in str(caught.value)
    assert vcr.all_played
    assert all(r.url.host == "api.aivideoapi.ai" for r in sent)  # nothing to download
    assert not (tmp_path / "drone.mp4").exists()


# -- the error table, one cassette per row ---------------------------------------------------------

CREATE_ROWS = [row for row in ERROR_ROWS if row[1] != "task_not_found"]


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
        client.submit(DRONE)
    raised = caught.value
    assert type(raised) is error
    assert (raised.status_code, raised.provider_code) == (status, code)
    assert raised.message == message
    assert raised.retryable is retryable
    # Only a rate limit is resent: it proves the task was not created.
    resends = 3 if code == "rate_limit_exceeded" else 1
    assert len(sent) == resends
    assert vcr.play_count == resends
    assert vcr.all_played


@pytest.mark.vcr
def test_create_rate_limited_then_accepted(
    vcr: Any, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    job = client.submit(DRONE)
    assert job.id == CREATED_ID
    assert clock.sleeps == [2.0]  # the 429's Retry-After
    assert len(sent) == 2
    assert sent[0].content == sent[1].content
    assert vcr.all_played


@pytest.mark.vcr
def test_query_answered_by_task_not_found(
    vcr: Any, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    with pytest.raises(vidgen.NotFound) as caught:
        client.get(CREATED_ID)
    assert caught.value.provider_code == "task_not_found"
    assert caught.value.hint is not None
    assert "job id" in caught.value.hint
    assert [str(r.url) for r in sent] == [f"{API}/tasks/{CREATED_ID}"]  # a 404 is not retried
    assert vcr.all_played
