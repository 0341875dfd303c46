"""The Runway provider through `vidgen.Client` and `vidgen.AsyncClient`, on cassettes.

Each test replays ``cassettes/runway/<test name>.yaml`` (record mode none, network
blocked); the cassettes are written by hand from Runway's documentation and SDK and say so
in their headers. Request bodies are matched as parsed JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from runway_payloads import (
    API,
    BUNNY,
    BUNNY_BODY,
    BUNNY_IMAGE,
    BUNNY_IMAGE_BODY,
    CDN,
    DONE_DATE,
    ERROR_ROWS,
    FAILURE_ROWS,
    FRESH_URL,
    HOST,
    KEY,
    OUTPUT_URL,
    SUCCEEDED,
    TASK_ID,
    TASK_URL,
    VERSION,
    VIDEO_STUB,
)

import vidgen
from vidgen import JobStatus
from vidgen.testing import FakeClock, FakeServer, make_response, reply

UTC = dt.timezone.utc
# Two days after the documented task finished: the time of a later read.
LATER = "Sat, 29 Jun 2024 19:52:00 GMT"
RUNWAY: dict[str, Any] = {"provider": "runway", "api_key": KEY}


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The shared settings, with request bodies matched too (JSON compared parsed)."""
    return {**vcr_config, "match_on": [*vcr_config["match_on"], "body"]}


@pytest.fixture
def client(cassette_client: Callable[..., vidgen.Client], clock: FakeClock) -> vidgen.Client:
    """A Runway client on the folder's clock, answered by the test's cassette."""
    return cassette_client(clock=clock, **RUNWAY)


def api_requests(sent: list[httpx.Request]) -> list[httpx.Request]:
    return [r for r in sent if r.url.host == HOST]


# -- the whole lifecycle ------------------------------------------------------------------------


@pytest.mark.vcr
def test_generate_sync(
    vcr: Any, tmp_path: Path, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    seen: list[vidgen.Job] = []
    path = client.generate(BUNNY, tmp_path / "bunny.mp4", on_progress=seen.append)

    assert path.read_bytes() == VIDEO_STUB
    assert [(j.status, j.progress) for j in seen] == [
        (JobStatus.QUEUED, None),
        (JobStatus.QUEUED, None),
        (JobStatus.QUEUED, None),  # THROTTLED: waiting for a concurrency slot
        (JobStatus.RUNNING, 42),
        (JobStatus.SUCCEEDED, None),
    ]
    done = seen[-1]
    assert done.expires_at == dt.datetime(2024, 6, 28, 19, 51, 2, tzinfo=UTC)
    assert [o.url for o in done.outputs] == [OUTPUT_URL]
    # Runway: no updates more often than every five seconds.
    assert clock.sleeps == [5.0, 7.5, 11.25]

    assert vcr.all_played
    assert [(r.method, str(r.url)) for r in sent] == [
        ("POST", f"{API}/v1/text_to_video"),
        ("GET", TASK_URL),
        ("GET", TASK_URL),
        ("GET", TASK_URL),
        ("GET", TASK_URL),
        ("GET", OUTPUT_URL),
    ]
    assert json.loads(sent[0].content) == BUNNY_BODY
    for request in sent[:5]:
        assert request.headers["authorization"] == f"Bearer {KEY}"
        assert request.headers["x-runway-version"] == VERSION
    # The CDN gets neither the key nor the API version.
    assert sent[5].url.host == CDN
    assert "authorization" not in sent[5].headers
    assert "x-runway-version" not in sent[5].headers


@pytest.mark.vcr
@pytest.mark.anyio
async def test_generate_async(
    vcr: Any,
    tmp_path: Path,
    clock: FakeClock,
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
) -> None:
    async with cassette_async_client(clock=clock, **RUNWAY) as client:
        job = await client.submit(BUNNY_IMAGE)
        assert (job.id, job.status, job.seconds, job.size) == (
            TASK_ID,
            JobStatus.QUEUED,
            10,
            "1280x720",
        )
        done = await client.wait(job, timeout=600)
        assert done.status is JobStatus.SUCCEEDED
        path = await client.download(done, tmp_path / "bunny.mp4")
        assert path.read_bytes() == VIDEO_STUB

    assert vcr.all_played
    assert json.loads(sent[0].content) == BUNNY_IMAGE_BODY
    assert [r.url.host for r in sent] == [HOST, HOST, HOST, CDN]
    assert "authorization" not in sent[-1].headers


FAILED_ROWS = [
    row
    for row in FAILURE_ROWS
    if row[0] in ("SAFETY.INPUT.TEXT", "INTERNAL.BAD_OUTPUT.CODE01", "ASSET.INVALID")
]


@pytest.mark.vcr
@pytest.mark.parametrize(
    ("code", "failure", "neutral"), FAILED_ROWS, ids=[row[0] for row in FAILED_ROWS]
)
def test_failed_task(
    vcr: Any,
    tmp_path: Path,
    client: vidgen.Client,
    sent: list[httpx.Request],
    code: str,
    failure: str,
    neutral: str,
) -> None:
    with pytest.raises(vidgen.JobFailed) as caught:
        client.generate(BUNNY, tmp_path / "bunny.mp4")
    job = caught.value.job
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert (job.error.code, job.error.provider_code) == (neutral, code)
    assert failure in str(caught.value)
    assert vcr.all_played
    assert len(sent) == 3
    assert not (tmp_path / "bunny.mp4").exists()


# -- cancel ---------------------------------------------------------------------------------


@pytest.mark.vcr
def test_cancel_sync(vcr: Any, client: vidgen.Client, sent: list[httpx.Request]) -> None:
    job = client.submit(BUNNY)
    # known by its id alone: vidgen reads it first (a DELETE would delete a finished
    # task), finds it running, and only then cancels
    cancelled = client.cancel(job.id)
    assert (cancelled.id, cancelled.status) == (TASK_ID, JobStatus.CANCELLED)
    assert vcr.all_played
    assert [(r.method, str(r.url)) for r in sent] == [
        ("POST", f"{API}/v1/text_to_video"),
        ("GET", TASK_URL),
        ("DELETE", TASK_URL),
    ]
    assert sent[-1].headers["x-runway-version"] == VERSION


@pytest.mark.vcr
@pytest.mark.anyio
async def test_cancel_async(
    vcr: Any,
    clock: FakeClock,
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
) -> None:
    async with cassette_async_client(clock=clock, **RUNWAY) as client:
        job = await client.submit(BUNNY)
        cancelled = await client.cancel(job)
    assert cancelled.status is JobStatus.CANCELLED
    assert vcr.all_played
    assert [r.method for r in sent] == ["POST", "GET", "DELETE"]


# -- errors -------------------------------------------------------------------------------------

CREATE_ROWS = [row for row in ERROR_ROWS if row[0] in (400, 401, 429, 503)]


@pytest.mark.vcr
@pytest.mark.parametrize(
    ("status", "body", "error", "retryable"), CREATE_ROWS, ids=[str(r[0]) for r in CREATE_ROWS]
)
def test_create_answered_by_error(
    vcr: Any,
    client: vidgen.Client,
    sent: list[httpx.Request],
    status: int,
    body: dict[str, Any],
    error: type[vidgen.ProviderError],
    retryable: bool,
) -> None:
    with pytest.raises(vidgen.ProviderError) as caught:
        client.submit(BUNNY)
    raised = caught.value
    assert type(raised) is error
    assert (raised.status_code, raised.retryable) == (status, retryable)
    # Only a 429 is resent: a 503 may hide a created (and billed) task.
    tries = 3 if status == 429 else 1
    assert len(sent) == tries
    assert vcr.all_played


# -- links that expire ------------------------------------------------------------------------------


@pytest.mark.vcr
def test_a_refused_link_then_a_fresh_one(
    vcr: Any, tmp_path: Path, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    """The CDN refuses a stale link; Runway signs links afresh on every read
    (`outputs_refreshable`), so the download reads the task once more and goes on."""
    provider = client.provider
    stale = provider.parse_status(make_response(json=SUCCEEDED, headers={"Date": DONE_DATE}))
    path = client.download(stale, tmp_path / "bunny.mp4")
    assert path.read_bytes() == VIDEO_STUB
    assert vcr.all_played
    assert [str(r.url) for r in sent] == [OUTPUT_URL, TASK_URL, FRESH_URL]


def test_a_job_past_its_expiry_is_read_again_before_any_download(
    make_client: Callable[..., vidgen.Client], clock: FakeClock, tmp_path: Path
) -> None:
    """A kept Job whose links are past their expiry: the task is read again for fresh
    links before the CDN is asked; if the task is gone, a clear ContentExpired."""
    server = FakeServer()
    fresh = {**SUCCEEDED, "output": ["https://dnznrvs05pmza.cloudfront.net/output.mp4?_jwt=new"]}
    server.route("GET", httpx.URL(TASK_URL).path, reply(json=fresh, headers={"Date": LATER}))
    server.otherwise(reply(content=VIDEO_STUB))
    with make_client(server) as client:
        stale = client.provider.parse_status(
            make_response(json=SUCCEEDED, headers={"Date": DONE_DATE})
        )
        clock.advance(2 * 86400)
        path = client.download(stale, tmp_path / "bunny.mp4")
    assert path.read_bytes() == VIDEO_STUB
    assert [str(r.url) for r in server.requests] == [
        TASK_URL,
        "https://dnznrvs05pmza.cloudfront.net/output.mp4?_jwt=new",
    ]

    gone = FakeServer()
    gone.route("GET", httpx.URL(TASK_URL).path, reply(404, json={"error": "Task not found"}))
    with make_client(gone) as client, pytest.raises(vidgen.VidgenError) as caught:
        client.download(stale, tmp_path / "again.mp4")
    assert not (tmp_path / "again.mp4").exists()
    assert [r.url.host for r in gone.requests] == ["api.dev.runwayml.com"]
    assert "Traceback" not in str(caught.value)
