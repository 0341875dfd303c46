"""The OpenRouter provider through `vidgen.Client` and `vidgen.AsyncClient`, on cassettes.

Each test replays ``cassettes/openrouter/<test name>.yaml`` (record mode none, network
blocked); the cassettes are written by hand from OpenRouter's documentation and say so in
their headers. Request bodies are matched as parsed JSON, so a create that sent
``"duration": "8"`` or another resolution name would not replay.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from openrouter_payloads import (
    API,
    ASYNC_BODY,
    CONTENT_URL,
    ERROR_ROWS,
    FAILED,
    HOOK,
    HOST,
    JOB_ID,
    KEY,
    MOUNTAINS,
    SENT_BODY,
    SUNSET,
    VIDEO_STUB,
    WEBHOOK_EVENT,
    webhook_headers,
)

import vidgen
from vidgen import JobStatus
from vidgen.testing import FakeClock

OPENROUTER: dict[str, Any] = {"provider": "openrouter", "api_key": KEY}


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The shared settings, with request bodies matched too (JSON compared parsed)."""
    return {**vcr_config, "match_on": [*vcr_config["match_on"], "body"]}


@pytest.fixture
def client(cassette_client: Callable[..., vidgen.Client], clock: FakeClock) -> vidgen.Client:
    """An OpenRouter client on the folder's clock, answered by the test's cassette."""
    return cassette_client(clock=clock, **OPENROUTER)


# -- the whole lifecycle ------------------------------------------------------------------------


@pytest.mark.vcr
def test_generate_sync(
    vcr: Any, tmp_path: Path, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    seen: list[vidgen.Job] = []
    path = client.generate(MOUNTAINS, tmp_path / "mountains.mp4", on_progress=seen.append)

    assert path.read_bytes() == VIDEO_STUB
    assert [j.status for j in seen] == [
        JobStatus.QUEUED,
        JobStatus.QUEUED,
        JobStatus.RUNNING,
        JobStatus.SUCCEEDED,
    ]
    done = seen[-1]
    assert done.usage is not None
    assert (done.usage.cost, done.usage.currency) == (Decimal("3.2"), "USD")
    assert [o.url for o in done.outputs] == [CONTENT_URL]
    # OpenRouter's pace: 10 s, then 15 s (no server hints).
    assert clock.sleeps == [10.0, 15.0]

    assert vcr.all_played
    assert [(r.method, str(r.url)) for r in sent] == [
        ("POST", f"{API}/videos"),
        ("GET", f"{API}/videos/{JOB_ID}"),
        ("GET", f"{API}/videos/{JOB_ID}"),
        ("GET", f"{API}/videos/{JOB_ID}"),
        ("GET", CONTENT_URL),
    ]
    assert json.loads(sent[0].content) == SENT_BODY
    # Every request, the download included, goes to OpenRouter with the key.
    assert all(r.url.host == HOST for r in sent)
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in sent)


@pytest.mark.vcr
@pytest.mark.anyio
async def test_generate_async(
    vcr: Any,
    tmp_path: Path,
    clock: FakeClock,
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
) -> None:
    async with cassette_async_client(clock=clock, **OPENROUTER) as client:
        job = await client.submit(SUNSET)
        assert (job.id, job.status, job.seconds, job.size) == (
            "job-def456",
            JobStatus.QUEUED,
            5,
            "1280x720",
        )
        done = await client.wait(job, timeout=600)
        assert done.status is JobStatus.SUCCEEDED
        assert done.usage is not None
        assert done.usage.cost == Decimal("0.7623")
        path = await client.download(done, tmp_path / "sunset.mp4")
        assert path.read_bytes() == VIDEO_STUB

    assert vcr.all_played
    assert json.loads(sent[0].content) == ASYNC_BODY
    assert [r.url.host for r in sent] == [HOST] * 4
    assert sent[-1].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.vcr
def test_failed_job_is_reported(
    vcr: Any, tmp_path: Path, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    with pytest.raises(vidgen.JobFailed) as caught:
        client.generate(MOUNTAINS, tmp_path / "mountains.mp4")
    job = caught.value.job
    assert (job.id, job.status) == (JOB_ID, JobStatus.FAILED)
    assert job.error is not None
    assert (job.error.code, job.error.message) == ("generation_failed", FAILED["error"])
    assert vcr.all_played
    assert len(sent) == 3  # nothing to download
    assert not (tmp_path / "mountains.mp4").exists()


@pytest.mark.vcr
@pytest.mark.parametrize(
    ("status", "message", "error"), ERROR_ROWS, ids=[str(row[0]) for row in ERROR_ROWS]
)
def test_create_answered_by_error(
    vcr: Any,
    client: vidgen.Client,
    sent: list[httpx.Request],
    status: int,
    message: str,
    error: type[vidgen.ProviderError],
) -> None:
    with pytest.raises(vidgen.ProviderError) as caught:
        client.submit(MOUNTAINS)
    raised = caught.value
    assert type(raised) is error
    assert (raised.status_code, raised.message) == (status, message)
    # Only a 429 proves the job was not created: a 5xx is never resent (OpenRouter's own
    # SDKs do resend it, which can start a second, billed job).
    tries = 3 if status == 429 else 1
    assert len(sent) == tries
    assert vcr.play_count == tries
    assert vcr.all_played
    if status == 500:
        assert raised.hint is not None
        assert "not resent" in raised.hint


@pytest.mark.vcr
def test_download_of_the_documented_example(
    vcr: Any, tmp_path: Path, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    """The OpenAPI example's unsigned URL is on storage.example.com: the key stays home."""
    path = client.download(JOB_ID, tmp_path / "example.mp4")
    assert path.read_bytes() == VIDEO_STUB
    assert vcr.all_played
    assert [str(r.url) for r in sent] == [f"{API}/videos/{JOB_ID}", CONTENT_URL]
    assert all(r.url.host == HOST for r in sent)


@pytest.mark.vcr(match_on=["method", "scheme", "host", "port", "path"])
def test_webhook_then_status(vcr: Any, client: vidgen.Client, sent: list[httpx.Request]) -> None:
    """A callback is a hint: with its token it makes vidgen read the job from the API."""
    request = vidgen.VideoRequest(
        prompt=MOUNTAINS.prompt,
        model="google/veo-3.1",
        duration=8,
        aspect="16:9",
        resolution="720p",
        callback_url=HOOK,
    )
    job = client.submit(request)
    callback_url = json.loads(sent[0].content)["callback_url"]
    assert callback_url.startswith(f"{HOOK}?vidgen_token=")
    # What the receiver got, signed (vidgen.provider.verify_webhook checks it first).
    headers = webhook_headers()
    seen = client.handle_callback(WEBHOOK_EVENT, headers=headers, url=callback_url)
    assert (seen.id, seen.status) == (job.id, JobStatus.SUCCEEDED)
    assert vcr.all_played
    assert [r.method for r in sent] == ["POST", "GET"]


def test_no_cancel_is_sent(client: vidgen.Client, sent: list[httpx.Request]) -> None:
    job = vidgen.Job(id=JOB_ID, provider="openrouter", status=JobStatus.RUNNING)
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        client.cancel(job)
    assert "billed if it succeeds" in str(caught.value)
    assert sent == []


@pytest.mark.vcr
def test_prices_refresh(vcr: Any, client: vidgen.Client, sent: list[httpx.Request]) -> None:
    path = client.refresh_catalog()
    overlay = json.loads(path.read_text(encoding="utf-8"))
    assert overlay["source"] == f"{API}/videos/models"
    ids = [m["id"] for m in overlay["models"]]
    assert ids[:2] == ["google/veo-3.1", "runway/gen-4.5"]
    # The shipped models the answer did not list are marked retired.
    assert all(m["lifecycle"]["status"] == "retired" for m in overlay["models"][2:])
    assert vcr.all_played
    assert [str(r.url) for r in sent] == [f"{API}/videos/models"]
