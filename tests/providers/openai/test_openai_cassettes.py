"""The OpenAI provider through `vidgen.Client` and `vidgen.AsyncClient`, on cassettes.

Each test replays ``cassettes/openai/<test name>.yaml`` (record mode none, network
blocked); the cassettes are written by hand from shared/WIRE.md section 1 and say so in
their headers. Request bodies are matched too, so a create that sends ``seconds`` as an
integer, or the wrong size, does not replay. Time is a `FakeClock`: every sleep is
recorded and none is real.
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
from openai_payloads import RELAY_MODEL, RELAY_URL

import vidgen
from vidgen.testing import FakeClock, make_response

KEY = "sk-test"
PROMPT = "A calico cat playing a piano on stage"
UTC = dt.timezone.utc
# The documented create response's created_at (WIRE.md 1.4, spec example).
CREATED = 1712697600
VIDEO_STUB = b"stub-mp4-bytes-for-video_123"
#: The catalog retires every OpenAI model on 2026-09-24; the cassettes were written before.
OPENAI: dict[str, Any] = {"provider": "openai", "api_key": KEY, "allow_retired": True}
CassetteClient = Callable[..., vidgen.Client]


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The shared settings, with request bodies matched as well (JSON compared parsed)."""
    return {**vcr_config, "match_on": [*vcr_config["match_on"], "body"]}


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


# -- the whole lifecycle -------------------------------------------------------------------


@pytest.mark.vcr
def test_lifecycle_sync(
    vcr: Any, tmp_path: Path, cassette_client: CassetteClient, sent: list
) -> None:
    clock = FakeClock(start=CREATED + 1)
    client = cassette_client(clock=clock, **OPENAI)
    request = vidgen.VideoRequest(prompt=PROMPT, duration=8, aspect="16:9", resolution="720p")

    job = client.submit(request)
    assert job.id == "video_123"
    assert job.status is vidgen.JobStatus.QUEUED
    assert job.request_id == "req_create_sync"
    assert job.seconds == 8
    assert job.raw["quality"] == "standard"

    seen: list[vidgen.Job] = []
    done = client.wait(job, timeout=600, on_progress=seen.append)
    assert [(j.status, j.progress) for j in seen] == [
        (vidgen.JobStatus.RUNNING, 33),
        (vidgen.JobStatus.RUNNING, 80),
        (vidgen.JobStatus.SUCCEEDED, 100),
    ]
    # The first poll comes at once; then the server's openai-poll-after-ms (2000), then
    # vidgen's first default interval (no hint on the second poll).
    assert clock.sleeps == [2.0, 5.0]
    assert done.created_at == dt.datetime.fromtimestamp(CREATED, tz=UTC)
    assert done.expires_at == dt.datetime.fromtimestamp(CREATED + 86400, tz=UTC)
    assert done.outputs[0].ref == "video_123"
    assert done.request_id == "req_poll_3"

    folder = tmp_path / "videos"
    folder.mkdir()
    path = client.download(done, folder / "out.mp4")
    assert path == folder / "out.mp4"
    assert path.read_bytes() == VIDEO_STUB
    assert list(folder.iterdir()) == [path]  # no temporary file left behind

    assert vcr.all_played
    assert [(r.method, r.url.path) for r in sent] == [
        ("POST", "/v1/videos"),
        ("GET", "/v1/videos/video_123"),
        ("GET", "/v1/videos/video_123"),
        ("GET", "/v1/videos/video_123"),
        ("GET", "/v1/videos/video_123/content"),
    ]
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in sent)
    assert body_of(sent[0])["seconds"] == "8"
    assert sent[-1].url.params["variant"] == "video"


@pytest.mark.vcr
@pytest.mark.anyio
async def test_lifecycle_async(
    vcr: Any, tmp_path: Path, cassette_async_client: Callable[..., vidgen.AsyncClient], sent: list
) -> None:
    clock = FakeClock(start=CREATED + 1)
    async with cassette_async_client(clock=clock, **OPENAI) as client:
        request = vidgen.VideoRequest(prompt=PROMPT, duration=8, aspect="16:9")
        seen: list[vidgen.Job] = []
        path = await client.generate(request, tmp_path / "out.mp4", on_progress=seen.append)
        assert path.read_bytes() == VIDEO_STUB
        assert [j.progress for j in seen] == [0, 33, 80, 100]
        assert seen[-1].status is vidgen.JobStatus.SUCCEEDED
        # Both polls were paced by openai-poll-after-ms (1500, then 3000).
        assert clock.sleeps == [1.5, 3.0]

        # By job id alone: one status read, then the thumbnail variant.
        thumb = await client.download("video_123", tmp_path / "thumb.webp", variant="thumbnail")
        assert thumb.read_bytes() == b"stub-webp-thumbnail-for-video_123"

    assert vcr.all_played
    assert [r.url.params.get("variant") for r in sent if r.url.path.endswith("/content")] == [
        "video",
        "thumbnail",
    ]
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in sent)
    assert body_of(sent[0]) == {
        "model": "sora-2",
        "prompt": PROMPT,
        "seconds": "8",
        "size": "1280x720",
    }


@pytest.mark.vcr
def test_relay_lifecycle(
    vcr: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cassette_client: CassetteClient,
    sent: list,
) -> None:
    monkeypatch.setenv("MYRELAY_API_KEY", "relay-test-key")
    clock = FakeClock(start=1762000000)
    client = cassette_client(
        clock=clock,
        provider="openai-compatible",
        base_url=RELAY_URL,
        api_key_env="MYRELAY_API_KEY",
        models=[RELAY_MODEL],
    )
    request = vidgen.VideoRequest(
        prompt="She turns around and smiles",
        duration=6,
        aspect="16:9",
        reference=vidgen.Reference.from_url("https://example.com/frame.png"),
    )
    quote = client.quote(request)
    assert quote.amount == Decimal("0.90")
    assert quote.as_of == dt.date(2026, 11, 1)

    seen: list[vidgen.Job] = []
    path = client.generate(request, tmp_path / "relay.mp4", on_progress=seen.append)
    assert path.read_bytes() == b"stub-mp4-bytes-for-video_r1"
    assert [(j.provider, j.model, j.status) for j in seen] == [
        ("openai-compatible", "veo-3.1-fast", vidgen.JobStatus.QUEUED),
        ("openai-compatible", "veo-3.1-fast", vidgen.JobStatus.RUNNING),
        ("openai-compatible", "veo-3.1-fast", vidgen.JobStatus.SUCCEEDED),
    ]
    # No server hint from this relay: vidgen's default pace.
    assert clock.sleeps == [5.0]

    assert vcr.all_played
    assert {r.url.host for r in sent} == {"relay.example.com"}
    assert all(r.headers["authorization"] == "Bearer relay-test-key" for r in sent)
    assert body_of(sent[0])["input_reference"] == {"image_url": "https://example.com/frame.png"}
    assert body_of(sent[0])["seconds"] == "6"


# -- failures --------------------------------------------------------------------------------


@pytest.mark.vcr
def test_failed_job(vcr: Any, cassette_client: CassetteClient) -> None:
    clock = FakeClock(start=1760000000)
    client = cassette_client(clock=clock, **OPENAI)
    job = client.submit(vidgen.VideoRequest(prompt="A famous cartoon mouse dancing"))
    assert (job.id, job.status) == ("video_abc", vidgen.JobStatus.QUEUED)

    with pytest.raises(vidgen.JobFailed) as caught:
        client.wait(job)
    failed = caught.value.job
    assert failed.status is vidgen.JobStatus.FAILED
    assert failed.error == vidgen.JobError(
        code="content_policy",
        message="Your request was blocked by our moderation system.",
        provider_code="moderation_blocked",
    )
    assert failed.expires_at is None
    assert failed.outputs == ()
    text = str(caught.value)
    assert "video_abc failed" in text
    assert "blocked by our moderation system" in text
    assert "submit again" in text
    assert clock.sleeps == [5.0]
    assert vcr.all_played


@pytest.mark.vcr
def test_invalid_seconds_on_create(vcr: Any, cassette_client: CassetteClient, sent: list) -> None:
    clock = FakeClock(start=CREATED)
    client = cassette_client(clock=clock, **OPENAI)
    # The catalog takes 16 s from the guide; an endpoint on the spec's 4/8/12 refuses it.
    with pytest.raises(vidgen.InvalidRequest) as caught:
        client.submit(vidgen.VideoRequest(prompt=PROMPT, duration=16, aspect="16:9"))
    error = caught.value
    assert error.status_code == 400
    assert error.param == "seconds"
    assert error.provider_code == "invalid_value"
    assert error.request_id == "req_bad_seconds"
    assert not error.retryable
    assert "Supported values are: '4', '8', and '12'" in str(error)
    assert "Fix the 'seconds' field" in str(error)
    assert body_of(sent[0])["seconds"] == "16"
    assert len(sent) == 1
    assert clock.sleeps == []
    assert vcr.all_played


@pytest.mark.vcr
def test_unauthorized_on_create(vcr: Any, cassette_client: CassetteClient, sent: list) -> None:
    clock = FakeClock(start=CREATED)
    client = cassette_client(clock=clock, **OPENAI)
    with pytest.raises(vidgen.AuthenticationError) as caught:
        client.submit(vidgen.VideoRequest(prompt=PROMPT, duration=8, aspect="16:9"))
    error = caught.value
    assert error.status_code == 401
    assert error.provider_code == "invalid_api_key"
    assert error.request_id == "req_unauthorized"
    assert "OPENAI_API_KEY" in str(error)
    assert KEY not in str(error)
    assert len(sent) == 1  # never resent
    assert clock.sleeps == []
    assert vcr.all_played


@pytest.mark.vcr
def test_rate_limited_submit_is_retried(
    vcr: Any, cassette_client: CassetteClient, sent: list
) -> None:
    clock = FakeClock(start=CREATED)
    client = cassette_client(clock=clock, **OPENAI)
    job = client.submit(vidgen.VideoRequest(prompt=PROMPT, duration=8, aspect="16:9"))
    assert (job.id, job.status) == ("video_123", vidgen.JobStatus.QUEUED)
    assert job.request_id == "req_create_retry"
    # A 429 proves the create was refused, so it is sent again after Retry-After: 3.
    assert clock.sleeps == [3.0]
    assert [r.method for r in sent] == ["POST", "POST"]
    assert sent[0].content == sent[1].content
    assert vcr.play_count == 2
    assert vcr.all_played


@pytest.mark.vcr
def test_server_error_on_create_is_not_resent(
    vcr: Any, cassette_client: CassetteClient, sent: list
) -> None:
    clock = FakeClock(start=CREATED)
    client = cassette_client(clock=clock, **OPENAI)
    with pytest.raises(vidgen.ServerError) as caught:
        client.submit(vidgen.VideoRequest(prompt=PROMPT, duration=8, aspect="16:9"))
    error = caught.value
    assert error.status_code == 500
    assert error.request_id == "req_server_error"
    assert "not resent" in str(error)
    assert "may have created the job" in str(error)
    assert len(sent) == 1
    assert clock.sleeps == []
    assert vcr.all_played


@pytest.mark.vcr
def test_status_retried_after_bad_gateway(vcr: Any, cassette_client: CassetteClient) -> None:
    clock = FakeClock(start=CREATED + 100)
    client = cassette_client(clock=clock, **OPENAI)
    job = client.get("video_123")
    assert job.status is vidgen.JobStatus.SUCCEEDED
    assert job.request_id == "req_after_502"
    # One backoff: 0.5 s plus up to 10% jitter.
    assert len(clock.sleeps) == 1
    assert 0.5 <= clock.sleeps[0] <= 0.55
    assert vcr.all_played


@pytest.mark.vcr
def test_list_and_delete(vcr: Any, cassette_client: CassetteClient, sent: list) -> None:
    clock = FakeClock(start=CREATED + 1000)
    client = cassette_client(clock=clock, **OPENAI)
    first = client.list_jobs(limit=2)
    assert [(j.id, j.status) for j in first] == [
        ("video_456", vidgen.JobStatus.QUEUED),
        ("video_123", vidgen.JobStatus.SUCCEEDED),
    ]
    second = client.list_jobs(limit=2, after=first[-1].id)
    assert [(j.id, j.status) for j in second] == [("video_012", vidgen.JobStatus.FAILED)]
    assert second[0].error is not None
    assert second[0].error.code == "server_error"
    assert client.delete(first[1]) is None
    assert [r.method for r in sent] == ["GET", "GET", "DELETE"]
    assert sent[1].url.params["after"] == "video_123"
    assert clock.sleeps == []
    assert vcr.all_played


@pytest.mark.vcr
def test_rate_limit_hints_on_create(vcr: Any, cassette_client: CassetteClient, sent: list) -> None:
    clock = FakeClock(start=CREATED)
    client = cassette_client(clock=clock, **OPENAI)
    job = client.submit(vidgen.VideoRequest(prompt=PROMPT, duration=8, aspect="16:9"))
    assert job.request_id == "req_create_third"
    # retry-after-ms beats Retry-After; then an HTTP date, counted from the fake clock.
    assert clock.sleeps == [1.5, 4.5]
    assert len(sent) == 3
    assert vcr.all_played


def test_download_after_expiry_sends_nothing(
    tmp_path: Path, cassette_client: CassetteClient, sent: list
) -> None:
    provider = vidgen.get_provider("openai", api_key=KEY)
    done = provider.parse_status(
        make_response(
            json={
                "id": "video_123",
                "object": "video",
                "model": "sora-2",
                "status": "completed",
                "progress": 100,
                "created_at": CREATED,
                "completed_at": CREATED + 67,
                "expires_at": CREATED + 86400,
            },
        )
    )
    clock = FakeClock(start=CREATED + 86400 + 1)
    client = cassette_client(clock=clock, **OPENAI)
    with pytest.raises(vidgen.ContentExpired) as caught:
        client.download(done, tmp_path / "late.mp4")
    assert "expired" in str(caught.value)
    assert "Generate the video again" in str(caught.value)
    assert sent == []
    assert not (tmp_path / "late.mp4").exists()
