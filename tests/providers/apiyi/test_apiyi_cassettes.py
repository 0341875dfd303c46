"""The ``apiyi`` provider end to end on hand-written cassettes (see each cassette's header).

Every test replays ``cassettes/apiyi/<test name>.yaml`` with the network blocked. The
requests vidgen actually sent are captured with an httpx event hook, so a test can tell
"sent once" from "sent twice" and check the body that went out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

import vidgen
from vidgen.testing import FakeClock

PROMPT = (
    "A serene Japanese garden with cherry blossoms, koi pond, traditional bridge, "
    "golden hour, ultra detailed"
)
VIDEO_ID = "video_abc123def456"
#: APIYI's 10-30 s pace (ApiyiProvider.default_poll): 10 s, then x1.5, capped at 30 s.
APIYI_POLL_SLEEPS = [10.0, 15.0, 22.5, 30.0]
APIYI: dict[str, Any] = {"provider": "apiyi", "api_key": "sk-test", "allow_retired": True}
CassetteClient = Callable[..., vidgen.Client]


@pytest.fixture
def client(cassette_client: CassetteClient) -> tuple[vidgen.Client, FakeClock]:
    """An ``apiyi`` client on a fake clock near the payloads' ``created_at``."""
    clock = FakeClock(start=1712697600.0)
    return cassette_client(clock=clock, **APIYI), clock


def _json(request: httpx.Request) -> Any:
    return json.loads(request.read())


def _request() -> vidgen.VideoRequest:
    return vidgen.VideoRequest(prompt=PROMPT, duration=8, aspect="16:9")


# -- the whole lifecycle --------------------------------------------------------------------


@pytest.mark.vcr
def test_generate_sync(client, sent, vcr, tmp_path: Path) -> None:
    c, clock = client
    seen: list[vidgen.Job] = []

    out = c.generate(_request(), tmp_path / "out.mp4", on_progress=seen.append)

    assert out == tmp_path / "out.mp4"
    assert out.read_bytes() == b"stub-mp4-bytes-for-video_abc123def456"
    assert [(j.status, j.progress) for j in seen] == [
        (vidgen.JobStatus.QUEUED, 0),
        (vidgen.JobStatus.QUEUED, 0),
        (vidgen.JobStatus.RUNNING, 25),
        (vidgen.JobStatus.RUNNING, 60),
        (vidgen.JobStatus.RUNNING, 90),
        (vidgen.JobStatus.SUCCEEDED, 100),
    ]
    final = seen[-1]
    assert final.id == VIDEO_ID
    assert final.provider == "apiyi"
    assert final.seconds == 8
    assert final.size == "1280x720"
    assert final.request_id == "req_apiyi_poll_5"
    assert final.expires_at is not None
    assert final.expires_at.timestamp() == 1712697600 + 86400  # APIYI keeps outputs 1 day
    # No poll hint from the relay: APIYI's pace, 10 s growing to the 30 s cap.
    assert clock.sleeps == APIYI_POLL_SLEEPS
    # What went out: one create with seconds as a string, five polls, one download.
    assert [(r.method, r.url.path) for r in sent] == [
        ("POST", "/v1/videos"),
        *[("GET", f"/v1/videos/{VIDEO_ID}")] * 5,
        ("GET", f"/v1/videos/{VIDEO_ID}/content"),
    ]
    assert _json(sent[0]) == {
        "model": "sora-2",
        "prompt": PROMPT,
        "seconds": "8",
        "size": "1280x720",
    }
    assert all(r.headers["authorization"] == "Bearer sk-test" for r in sent)
    assert sent[-1].url.params["variant"] == "video"
    assert vcr.all_played


@pytest.mark.anyio
@pytest.mark.vcr
async def test_generate_async(cassette_async_client, sent, vcr, tmp_path: Path) -> None:
    clock = FakeClock(start=1712697600.0)
    async with cassette_async_client(clock=clock, **APIYI) as c:
        job = await c.submit(_request())
        assert job.status is vidgen.JobStatus.QUEUED
        assert job.request_id == "req_apiyi_create_1"
        done = await c.wait(job)
        out = await c.download(done, tmp_path / "out.mp4")

    assert done.status is vidgen.JobStatus.SUCCEEDED
    assert done.outputs[0].ref == VIDEO_ID
    assert out.read_bytes() == b"stub-mp4-bytes-for-video_abc123def456"
    assert clock.sleeps == APIYI_POLL_SLEEPS
    assert len(sent) == 7
    assert _json(sent[0])["seconds"] == "8"
    assert vcr.all_played


@pytest.mark.vcr
def test_generate_1080p_pro(client, sent, vcr, tmp_path: Path) -> None:
    c, clock = client
    clock.now = 1760000000.0
    request = vidgen.VideoRequest(
        prompt="A cinematic sunrise over mountains with birds flying",
        model="sora-2-pro",
        duration=12,
        aspect="16:9",
        resolution="1080p",
    )

    fitted = c.fit(request)
    quote = c.quote(request)
    out = c.generate(request, tmp_path / "pro.mp4")

    assert (fitted.model, fitted.size, fitted.seconds) == ("sora-2-pro", "1920x1080", 12)
    assert quote.amount == Decimal("8.40")
    assert quote.unit_price == Decimal("0.70")
    assert quote.billed_seconds == 12
    assert quote.format_amount() == "$8.40"
    assert out.read_bytes() == b"stub-mp4-bytes-for-1080p-pro"
    assert _json(sent[0]) == {
        "model": "sora-2-pro",
        "prompt": "A cinematic sunrise over mountains with birds flying",
        "seconds": "12",
        "size": "1920x1080",
    }
    # The cap holds: after 30 s the interval stays at 30 s.
    assert clock.sleeps == [*APIYI_POLL_SLEEPS, 30.0]
    assert vcr.all_played


# -- errors on create -------------------------------------------------------------------------


@pytest.mark.vcr
def test_create_wrapped_invalid_seconds(cassette_client, sent, vcr) -> None:
    # A profile that copied the blog's durations lets "10" past fit; the relay refuses it
    # with the wrapped body, which vidgen unwraps.
    with (
        cassette_client(**APIYI, models=[{"id": "sora-2", "durations": [4, 8, 10, 12]}]) as c,
        pytest.raises(vidgen.InvalidRequest) as caught,
    ):
        c.submit(vidgen.VideoRequest(prompt=PROMPT, duration=10, aspect="16:9"))

    error = caught.value
    assert error.status_code == 400
    assert error.message == "Invalid value: '10'. Supported values are: '4', '8', and '12'."
    assert error.param == "seconds"
    assert error.provider_code == "invalid_value"
    assert error.request_id == "req_apiyi_400_seconds"
    assert error.retryable is False
    assert "request id req_apiyi_400_seconds" in str(error)
    assert _json(sent[0])["seconds"] == "10"
    assert len(sent) == 1
    assert vcr.all_played


@pytest.mark.vcr
def test_create_billing_group_401(client, sent, vcr) -> None:
    c, _ = client
    with pytest.raises(vidgen.AuthenticationError) as caught:
        c.submit(_request())

    error = caught.value
    text = str(error)
    assert error.status_code == 401
    assert error.request_id == "req_apiyi_401"
    assert error.retryable is False
    assert "APIYI_API_KEY" in text
    assert "Sora2官转" in text
    assert "usage-based billing" in text
    assert len(sent) == 1
    assert vcr.all_played


@pytest.mark.vcr
def test_create_billing_group_403(client, sent, vcr) -> None:
    c, _ = client
    with pytest.raises(vidgen.PermissionDenied) as caught:
        c.submit(_request())

    error = caught.value
    assert not isinstance(error, vidgen.ContentPolicyViolation)
    assert error.status_code == 403
    assert error.provider_code == "group_not_allowed"
    assert error.request_id == "req_apiyi_403_billing"
    assert "Sora2官转" in str(error)
    assert "usage-based billing" in str(error)
    assert len(sent) == 1
    assert vcr.all_played


@pytest.mark.vcr
def test_create_content_policy_403(client, sent, vcr) -> None:
    c, _ = client
    with pytest.raises(vidgen.ContentPolicyViolation) as caught:
        c.submit(vidgen.VideoRequest(prompt="A famous cartoon mouse dancing", aspect="16:9"))

    error = caught.value
    assert error.status_code == 403
    assert error.code == "content_policy"
    assert error.provider_code == "moderation_blocked"
    assert error.request_id == "req_apiyi_403_policy"
    assert error.retryable is False
    assert "Sora2官转" not in str(error)  # not a billing problem: no billing advice
    assert len(sent) == 1
    assert vcr.all_played


@pytest.mark.vcr
def test_create_insufficient_balance_429(client, sent, vcr) -> None:
    c, clock = client
    with pytest.raises(vidgen.InsufficientCredits) as caught:
        c.submit(_request())

    error = caught.value
    assert not isinstance(error, vidgen.RateLimited)
    assert error.status_code == 429
    assert error.retryable is False
    assert error.request_id == "req_apiyi_429_balance"
    assert "Top up" in str(error)
    # An empty balance does not fill up by waiting: sent once, no sleep.
    assert len(sent) == 1
    assert clock.sleeps == []
    assert vcr.all_played


@pytest.mark.vcr
def test_create_rate_limited_then_accepted(client, sent, vcr) -> None:
    c, clock = client
    job = c.submit(_request())

    assert job.id == VIDEO_ID
    assert job.status is vidgen.JobStatus.QUEUED
    assert job.request_id == "req_apiyi_create_2"
    # A 429 rate limit means no job was created: the same submit goes again after Retry-After.
    assert [(r.method, r.url.path) for r in sent] == [("POST", "/v1/videos")] * 2
    assert _json(sent[0]) == _json(sent[1])
    assert clock.sleeps == [3.0]
    assert vcr.all_played


@pytest.mark.vcr
def test_create_server_error_not_resent(client, sent, vcr) -> None:
    c, clock = client
    with pytest.raises(vidgen.ServerError) as caught:
        c.submit(_request())

    error = caught.value
    assert error.status_code == 500
    assert error.retryable is True
    assert error.request_id == "req_apiyi_500"
    assert "not resent" in str(error)
    # The relay may have created (and will bill) the job: the submit is never sent twice.
    assert len(sent) == 1
    assert clock.sleeps == []
    assert vcr.play_count == 1


# -- polling ----------------------------------------------------------------------------------


@pytest.mark.vcr
def test_wait_failed_generation(client, sent, vcr) -> None:
    c, clock = client
    job = c.submit(
        vidgen.VideoRequest(prompt="A crowded city street at night, neon signs", aspect="9:16")
    )
    with pytest.raises(vidgen.JobFailed) as caught:
        c.wait(job)

    failed = caught.value.job
    assert failed.status is vidgen.JobStatus.FAILED
    assert failed.error is not None
    assert failed.error.code == "content_policy"
    assert failed.error.provider_code == "moderation_blocked"
    assert "not billed" in str(caught.value)
    assert _json(sent[0])["seconds"] == "4"  # sora-2's default duration
    assert _json(sent[0])["size"] == "720x1280"
    assert clock.sleeps == [10.0]
    assert vcr.all_played


@pytest.mark.vcr
def test_wait_retries_poll_after_upstream_502(cassette_client, sent, vcr) -> None:
    clock = FakeClock(start=1712697700.0)
    with cassette_client(
        clock=clock, provider="apiyi", api_key="sk-test", retry=vidgen.RetryPolicy(jitter=0.0)
    ) as c:
        job = c.wait(VIDEO_ID)

    assert job.status is vidgen.JobStatus.SUCCEEDED
    assert job.request_id == "req_apiyi_poll_after_502"
    # A status read is safe to repeat: retried after the first backoff step.
    assert len(sent) == 2
    assert clock.sleeps == [0.5]
    assert vcr.all_played
