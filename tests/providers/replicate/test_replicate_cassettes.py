"""Replicate through `vidgen.Client` and `vidgen.AsyncClient`, on cassettes: create, poll,
download, cancel, ``Prefer: wait`` and webhooks.

Each test replays ``cassettes/replicate/<test name>.yaml`` (record mode none, network
blocked), written by hand from Replicate's documented examples. Bodies are matched as JSON
(but for the random token vidgen puts in a webhook URL), so an input sent as ``"8"`` instead
of ``8`` would not replay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from replicate_payloads import DELIVERY_HOST, GET_URL, OUTPUT_URL, PREDICTION_ID, SUCCEEDED
from replicate_signing import new_secret, signed

import vidgen
from vidgen import JobStatus
from vidgen.testing import FakeClock

KEY = "r8_test_0123456789abcdef"
STUB = b"stub video bytes for prediction gm3qorzd, not MP4"
LANTERN = vidgen.VideoRequest(
    prompt="A paper lantern rising over a lake at night", model="veo-3.1-fast", audio=False
)
MODEL_URL = "https://api.replicate.com/v1/models/google/veo-3.1-fast/predictions"


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The shared settings, with bodies matched as JSON but for the webhook token."""
    return {**vcr_config, "match_on": [*vcr_config["match_on"], "replicate_body"]}


@pytest.fixture
def client(cassette_client: Callable[..., vidgen.Client], clock: FakeClock) -> vidgen.Client:
    return cassette_client(clock=clock, provider="replicate", api_key=KEY)


@pytest.mark.vcr
def test_lifecycle_sync(
    vcr: Any, tmp_path: Path, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    job = client.submit(LANTERN)
    assert (job.id, job.status) == (PREDICTION_ID, JobStatus.QUEUED)
    done = client.wait(job, timeout=900)
    assert done.status is JobStatus.SUCCEEDED
    assert done.expires_at == done.completed_at + dt.timedelta(hours=1)  # type: ignore[operator]
    path = client.download(done, tmp_path / "lantern.mp4")
    assert path.read_bytes() == STUB
    assert vcr.all_played
    assert [(r.method, str(r.url)) for r in sent] == [
        ("POST", MODEL_URL),
        ("GET", GET_URL),
        ("GET", GET_URL),
        ("GET", OUTPUT_URL),
    ]
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in sent[:3])
    assert "authorization" not in sent[3].headers


@pytest.mark.vcr
@pytest.mark.anyio
async def test_prefer_wait_answers_finished_async(
    vcr: Any,
    tmp_path: Path,
    clock: FakeClock,
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
) -> None:
    provider = vidgen.get_provider("replicate", api_key=KEY, prefer_wait=60)
    async with cassette_async_client(clock=clock, provider=provider) as client:
        job = await client.submit(LANTERN)
        assert job.status is JobStatus.SUCCEEDED  # no poll needed
        done = await client.wait(job, timeout=900)
        path = await client.download(done, tmp_path / "lantern.mp4")
    assert path.read_bytes() == STUB
    assert sent[0].headers["prefer"] == "wait=60"
    assert [r.url.host for r in sent] == ["api.replicate.com", DELIVERY_HOST]
    assert vcr.all_played


@pytest.mark.vcr
def test_cancel_sync(vcr: Any, client: vidgen.Client, sent: list[httpx.Request]) -> None:
    job = client.submit(LANTERN)
    after = client.cancel(job)
    assert after.status is JobStatus.CANCELLED
    assert [(r.method, r.url.path) for r in sent] == [
        ("POST", "/v1/models/google/veo-3.1-fast/predictions"),
        ("POST", f"/v1/predictions/{PREDICTION_ID}/cancel"),
    ]
    assert vcr.all_played


@pytest.mark.vcr
@pytest.mark.anyio
async def test_cancel_async(
    vcr: Any, clock: FakeClock, cassette_async_client: Callable[..., vidgen.AsyncClient]
) -> None:
    async with cassette_async_client(clock=clock, provider="replicate", api_key=KEY) as client:
        job = await client.submit(LANTERN)
        after = await client.cancel(job)
    assert (after.id, after.status) == (PREDICTION_ID, JobStatus.CANCELLED)
    assert vcr.all_played


def _delivery(secret: str) -> tuple[dict[str, str], bytes, dt.datetime]:
    now = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)
    headers, body = signed(secret, SUCCEEDED, at=now - dt.timedelta(seconds=3))
    return headers, body, now


@pytest.mark.vcr
def test_webhook_sync(
    vcr: Any,
    tmp_path: Path,
    cassette_client: Callable[..., vidgen.Client],
    clock: FakeClock,
    sent: list[httpx.Request],
) -> None:
    secret = new_secret()
    client = cassette_client(
        clock=clock, provider=vidgen.get_provider("replicate", api_key=KEY, webhook_secret=secret)
    )
    job = client.submit(
        vidgen.VideoRequest(
            prompt=LANTERN.prompt,
            model=LANTERN.model,
            audio=False,
            callback_url="https://hooks.example.com/replicate",
        )
    )
    headers, body, now = _delivery(secret)
    assert client.provider.verify_webhook(headers, body, secret=None, now=now).id == "msg_2a3KvR8"
    done = client.provider.parse_webhook(headers, body)
    assert done.id == job.id
    path = client.download(done, tmp_path / "lantern.mp4")
    assert path.read_bytes() == STUB
    assert vcr.all_played
    import json

    sent_body = json.loads(sent[0].content)
    assert sent_body["webhook_events_filter"] == ["completed"]
    assert httpx.URL(sent_body["webhook"]).params["vidgen_token"] == client.callback_token(job)


@pytest.mark.vcr
@pytest.mark.anyio
async def test_webhook_async(
    vcr: Any,
    tmp_path: Path,
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    clock: FakeClock,
) -> None:
    secret = new_secret()
    provider = vidgen.get_provider("replicate", api_key=KEY, webhook_secret=secret)
    async with cassette_async_client(clock=clock, provider=provider) as client:
        job = await client.submit(
            vidgen.VideoRequest(
                prompt=LANTERN.prompt,
                model=LANTERN.model,
                audio=False,
                callback_url="https://hooks.example.com/replicate",
            )
        )
        headers, body, now = _delivery(secret)
        with pytest.raises(vidgen.WebhookRejected):
            provider.verify_webhook(headers, body, secret=None, now=now + dt.timedelta(minutes=6))
        provider.verify_webhook(headers, body, secret=None, now=now)
        done = provider.parse_webhook(headers, body)
        assert done.id == job.id
        path = await client.download(done, tmp_path / "lantern.mp4")
    assert path.read_bytes() == STUB
    assert vcr.all_played


@pytest.mark.vcr
def test_failed_prediction(vcr: Any, tmp_path: Path, client: vidgen.Client) -> None:
    with pytest.raises(vidgen.JobFailed) as caught:
        client.generate(LANTERN, tmp_path / "lantern.mp4")
    error = caught.value.job.error
    assert error is not None
    assert (error.code, error.provider_code) == ("content_policy", "E005")
    assert vcr.all_played


@pytest.mark.vcr
def test_create_throttled_then_accepted(
    vcr: Any, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    job = client.submit(LANTERN)
    assert job.id == PREDICTION_ID
    assert clock.sleeps == [30.0]  # "resets in ~30s": a 429 proves nothing was created
    assert len(sent) == 2
    assert vcr.all_played
