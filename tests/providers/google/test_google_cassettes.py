"""``google`` and ``google-vertex`` through `vidgen.Client` and `vidgen.AsyncClient`, on
cassettes.

Each test replays ``cassettes/google/<test name>.yaml`` (record mode none, network
blocked). The cassettes are written by hand from Google's documented shapes and say so
in their headers. Request bodies are matched as parsed JSON, so a create that sent the
wrong duration type or a missing field would not replay. The requests vidgen actually
sent are captured (``sent``), so a test can tell "sent once" from "sent twice" and check
the credentials on each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from google_payloads import (
    BUCKET,
    GEMINI_HOST,
    INTERACTION_ID,
    KEY,
    PROJECT,
    TOKEN,
    VEO_FILE_1,
    VEO_FILE_2,
    VEO_OPERATION,
    VERTEX_OPERATION,
)

import vidgen
from vidgen import JobStatus
from vidgen.testing import FakeClock

UTC = dt.timezone.utc
#: The made-up operations start at 2026-11-30T10:00:00Z.
START = dt.datetime(2026, 11, 30, 10, 0, tzinfo=UTC).timestamp()
PROMPT = "A marble rolls down a spiral wooden track"
GOOGLE: dict[str, Any] = {"provider": "google", "api_key": KEY}
VERTEX: dict[str, Any] = {
    "provider": "google-vertex",
    "settings": {"project": PROJECT, "token_provider": lambda: TOKEN, "storage_uri": BUCKET},
}
CassetteClient = Callable[..., vidgen.Client]


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The shared settings, with request bodies matched too (JSON compared parsed)."""
    return {**vcr_config, "match_on": [*vcr_config["match_on"], "body"]}


def veo_request(variants: int = 2) -> vidgen.VideoRequest:
    return vidgen.VideoRequest(
        prompt=PROMPT, model="veo-3.1-fast", duration=8, aspect="16:9", variants=variants
    )


OMNI = vidgen.VideoRequest(prompt=PROMPT, model="gemini-omni-1.1-flash", duration=8, aspect="16:9")
VERTEX_VEO = vidgen.VideoRequest(prompt=PROMPT, model="veo-3.1", duration=8, aspect="16:9")


def assert_key_only_on_google(sent: list[httpx.Request]) -> None:
    for request in sent:
        assert KEY not in str(request.url)
        if request.url.host == GEMINI_HOST:
            assert request.headers["x-goog-api-key"] == KEY
        else:
            assert "x-goog-api-key" not in request.headers


# -- Veo on the Gemini API -------------------------------------------------------------------


@pytest.mark.vcr
def test_veo_lifecycle_sync(
    cassette_client: CassetteClient, sent: list[httpx.Request], vcr: Any, tmp_path: Path
) -> None:
    clock = FakeClock(start=START)
    client = cassette_client(clock=clock, **GOOGLE)
    seen: list[vidgen.Job] = []

    job = client.submit(veo_request())
    assert (job.id, job.status) == (VEO_OPERATION, JobStatus.RUNNING)
    done = client.wait(job, on_progress=seen.append)
    first = client.download(done, tmp_path / "first.mp4")
    second = client.download(done, tmp_path / "second.mp4", index=1)

    assert [j.status for j in seen] == [JobStatus.RUNNING, JobStatus.SUCCEEDED]
    assert [o.url for o in done.outputs] == [VEO_FILE_1, VEO_FILE_2]
    assert done.model == "veo-3.1-fast-generate-001"
    assert done.expires_at == dt.datetime(2026, 12, 2, 10, 1, 30, tzinfo=UTC)
    assert first.read_bytes() == b"stub-mp4-bytes-for-veo-sample-0"
    assert second.read_bytes() == b"stub-mp4-bytes-for-veo-sample-1"
    # Google's examples poll every 10 s.
    assert clock.sleeps == [10.0]
    assert [(r.method, r.url.path) for r in sent] == [
        ("POST", "/v1beta/models/veo-3.1-fast-generate-001:predictLongRunning"),
        ("GET", f"/v1beta/{VEO_OPERATION}"),
        ("GET", f"/v1beta/{VEO_OPERATION}"),
        ("GET", "/v1beta/files/3m1v0k2qz8ab:download"),
        ("GET", "/v1beta/files/9c7x4w1pe5rd:download"),
    ]
    assert_key_only_on_google(sent)
    assert vcr.all_played


@pytest.mark.anyio
@pytest.mark.vcr
async def test_veo_lifecycle_async(
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
    vcr: Any,
    tmp_path: Path,
) -> None:
    clock = FakeClock(start=START)
    async with cassette_async_client(clock=clock, **GOOGLE) as client:
        job = await client.submit(veo_request())
        done = await client.wait(job)
        first = await client.download(done, tmp_path / "first.mp4")
        second = await client.download(done, tmp_path / "second.mp4", index=1)

    assert done.status is JobStatus.SUCCEEDED
    assert len(done.outputs) == 2
    assert first.read_bytes() == b"stub-mp4-bytes-for-veo-sample-0"
    assert second.read_bytes() == b"stub-mp4-bytes-for-veo-sample-1"
    assert clock.sleeps == [10.0]
    assert len(sent) == 5
    assert_key_only_on_google(sent)
    assert vcr.all_played


@pytest.mark.vcr
def test_veo_filtered_by_responsible_ai(
    cassette_client: CassetteClient, sent: list[httpx.Request], vcr: Any
) -> None:
    client = cassette_client(clock=FakeClock(start=START), **GOOGLE)
    job = client.submit(veo_request(variants=1))
    with pytest.raises(vidgen.JobFailed) as caught:
        client.wait(job)
    failed = caught.value.job
    assert failed.status is JobStatus.FAILED
    assert failed.error is not None
    assert failed.error.code == "content_policy"
    assert "issue with the audio for your prompt" in failed.error.message
    assert len(sent) == 2
    assert vcr.all_played


@pytest.mark.vcr
def test_veo_rate_limited_then_accepted(
    cassette_client: CassetteClient, sent: list[httpx.Request], vcr: Any
) -> None:
    clock = FakeClock(start=START)
    client = cassette_client(clock=clock, **GOOGLE)
    job = client.submit(veo_request())
    assert job.id == VEO_OPERATION
    # Google's RetryInfo said 30 s; no job existed after the 429, so the create was resent.
    assert clock.sleeps == [30.0]
    assert [r.method for r in sent] == ["POST", "POST"]
    assert vcr.all_played


@pytest.mark.vcr
def test_create_server_error_is_not_resent(
    cassette_client: CassetteClient, sent: list[httpx.Request], vcr: Any
) -> None:
    client = cassette_client(clock=FakeClock(start=START), **GOOGLE)
    with pytest.raises(vidgen.ServerError) as caught:
        client.submit(veo_request())
    assert "not resent" in str(caught.value)
    assert len(sent) == 1
    assert vcr.all_played


# -- Gemini Omni on the Interactions API --------------------------------------------------------


@pytest.mark.vcr
def test_omni_lifecycle_sync(
    cassette_client: CassetteClient, sent: list[httpx.Request], vcr: Any, tmp_path: Path
) -> None:
    clock = FakeClock(start=START)
    client = cassette_client(clock=clock, **GOOGLE)
    seen: list[vidgen.Job] = []

    path = client.generate(OMNI, tmp_path / "omni.mp4", on_progress=seen.append)

    assert path.read_bytes() == b"stub-mp4-bytes-for-omni"
    assert [j.status for j in seen] == [JobStatus.RUNNING, JobStatus.RUNNING, JobStatus.SUCCEEDED]
    done = seen[-1]
    assert done.id == INTERACTION_ID
    assert done.usage is not None
    assert done.usage.tokens == 46336
    assert clock.sleeps == [10.0]
    assert [(r.method, r.url.path) for r in sent] == [
        ("POST", "/v1beta/interactions"),
        ("GET", f"/v1beta/interactions/{INTERACTION_ID}"),
        ("GET", f"/v1beta/interactions/{INTERACTION_ID}"),
        ("GET", "/v1beta/files/omni7q2w8e4r:download"),
    ]
    assert_key_only_on_google(sent)
    assert vcr.all_played


@pytest.mark.anyio
@pytest.mark.vcr
async def test_omni_lifecycle_async(
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
    vcr: Any,
    tmp_path: Path,
) -> None:
    clock = FakeClock(start=START)
    async with cassette_async_client(clock=clock, **GOOGLE) as client:
        path = await client.generate(OMNI, tmp_path / "omni.mp4")
    assert path.read_bytes() == b"stub-mp4-bytes-for-omni"
    assert clock.sleeps == [10.0]
    assert len(sent) == 4
    assert_key_only_on_google(sent)
    assert vcr.all_played


@pytest.mark.vcr
def test_omni_cancel(cassette_client: CassetteClient, sent: list[httpx.Request], vcr: Any) -> None:
    client = cassette_client(clock=FakeClock(start=START), **GOOGLE)
    job = client.submit(OMNI)
    cancelled = client.cancel(job)
    assert cancelled.status is JobStatus.CANCELLED
    assert [(r.method, r.url.path) for r in sent] == [
        ("POST", "/v1beta/interactions"),
        ("POST", f"/v1beta/interactions/{INTERACTION_ID}/cancel"),
    ]
    assert vcr.all_played


@pytest.mark.anyio
@pytest.mark.vcr
async def test_omni_cancel_async(
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
    vcr: Any,
) -> None:
    async with cassette_async_client(clock=FakeClock(start=START), **GOOGLE) as client:
        job = await client.submit(OMNI)
        cancelled = await client.cancel(job)
    assert cancelled.status is JobStatus.CANCELLED
    assert [r.method for r in sent] == ["POST", "POST"]
    assert vcr.all_played


@pytest.mark.vcr
def test_omni_completed_without_a_video(
    cassette_client: CassetteClient, sent: list[httpx.Request], vcr: Any
) -> None:
    client = cassette_client(clock=FakeClock(start=START), **GOOGLE)
    job = client.submit(OMNI)
    with pytest.raises(vidgen.JobFailed) as caught:
        client.wait(job)
    error = caught.value.job.error
    assert error is not None
    assert error.provider_code == "completed_without_video"
    assert vcr.all_played


@pytest.mark.vcr
def test_create_with_a_bad_key(
    cassette_client: CassetteClient, sent: list[httpx.Request], vcr: Any
) -> None:
    client = cassette_client(clock=FakeClock(start=START), **GOOGLE)
    with pytest.raises(vidgen.AuthenticationError) as caught:
        client.submit(OMNI)
    assert caught.value.provider_code == "API_KEY_INVALID"
    assert "GEMINI_API_KEY" in str(caught.value)
    assert len(sent) == 1
    assert vcr.all_played


# -- Veo on Vertex AI --------------------------------------------------------------------------


@pytest.mark.vcr
def test_vertex_lifecycle_sync(
    cassette_client: CassetteClient, sent: list[httpx.Request], vcr: Any, tmp_path: Path
) -> None:
    clock = FakeClock(start=START)
    client = cassette_client(clock=clock, **VERTEX)
    job = client.submit(VERTEX_VEO)
    assert job.id == VERTEX_OPERATION
    done = client.wait(job)
    assert done.status is JobStatus.SUCCEEDED
    assert [o.url for o in done.outputs] == [f"{BUCKET}1744562938/sample_0.mp4"]
    # The video is in the user's bucket: vidgen says where, and sends nothing more.
    with pytest.raises(vidgen.UnsupportedRequest, match="gcloud storage cp"):
        client.download(done, tmp_path / "vertex.mp4")
    assert clock.sleeps == [10.0]
    assert [r.url.path.rsplit(":", 1)[-1] for r in sent] == [
        "predictLongRunning",
        "fetchPredictOperation",
        "fetchPredictOperation",
    ]
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in sent)
    assert vcr.all_played


@pytest.mark.anyio
@pytest.mark.vcr
async def test_vertex_lifecycle_async(
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
    vcr: Any,
) -> None:
    clock = FakeClock(start=START)
    async with cassette_async_client(clock=clock, **VERTEX) as client:
        job = await client.submit(VERTEX_VEO)
        done = await client.wait(job)
    assert done.status is JobStatus.SUCCEEDED
    assert done.outputs[0].url == f"{BUCKET}1744562938/sample_0.mp4"
    assert len(sent) == 3
    assert vcr.all_played
