"""fal through `vidgen.Client` and `vidgen.AsyncClient`, on cassettes: submit, poll, result,
download, cancel and webhooks.

Each test replays ``cassettes/fal/<test name>.yaml`` (record mode none, network blocked);
the cassettes are written by hand from fal's documented examples and say so. Request
bodies are matched as parsed JSON, so a wrong wire format (``8`` for ``"8s"``) would not
replay; queries are matched except for the random token vidgen puts in a callback URL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fal_payloads import (
    CDN_HOST,
    REQUEST_ID,
    REQUEST_URL,
    STATUS_URL,
    VIDEO_URL,
    WEBHOOK_OK,
)
from fal_signing import jwks, new_key, signed

import vidgen
from vidgen import JobStatus
from vidgen.testing import FakeClock

KEY = "fal-test-key-0123456789"
VIDEO_STUB = b"stub video bytes for fal request 80e732af, not MP4"
LIGHTHOUSE = vidgen.VideoRequest(
    prompt="A lighthouse on a cliff at dusk, waves crashing", model="veo-3.1-fast", audio=False
)
KITE = vidgen.VideoRequest(prompt="A red kite over a wheat field", model="kling-v3-std")


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The shared settings; bodies matched as JSON, queries but for the callback token."""
    match_on = [m for m in vcr_config["match_on"] if m != "query"]
    return {**vcr_config, "match_on": [*match_on, "fal_query", "body"]}


@pytest.fixture
def client(cassette_client: Callable[..., vidgen.Client], clock: FakeClock) -> vidgen.Client:
    return cassette_client(clock=clock, provider="fal", api_key=KEY)


# -- the whole lifecycle ---------------------------------------------------------------------------


@pytest.mark.vcr
def test_lifecycle_sync(
    vcr: Any, tmp_path: Path, clock: FakeClock, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    seen: list[vidgen.Job] = []
    job = client.submit(LIGHTHOUSE)
    assert (job.id, job.status, job.model) == (REQUEST_ID, JobStatus.QUEUED, "fal-ai/veo3.1/fast")
    done = client.wait(job, timeout=900, on_progress=seen.append)
    assert [j.status for j in seen] == [
        JobStatus.QUEUED,
        JobStatus.RUNNING,
        JobStatus.RUNNING,
        JobStatus.SUCCEEDED,
    ]
    assert [o.url for o in done.outputs] == [VIDEO_URL]
    assert done.usage is not None
    assert str(done.usage.units) == "8"
    path = client.download(done, tmp_path / "lighthouse.mp4")
    assert path.read_bytes() == VIDEO_STUB

    assert vcr.all_played
    assert [(r.method, str(r.url)) for r in sent] == [
        ("POST", "https://queue.fal.run/fal-ai/veo3.1/fast"),
        ("GET", STATUS_URL),
        ("GET", STATUS_URL),
        ("GET", STATUS_URL),
        ("GET", REQUEST_URL),  # the result, read as soon as the status said COMPLETED
        ("GET", VIDEO_URL),
    ]
    assert all(r.headers["authorization"] == f"Key {KEY}" for r in sent[:5])
    assert "authorization" not in sent[5].headers  # nothing for fal's CDN
    assert clock.sleeps[-1] < 1.0  # COMPLETED: no wait before the result


@pytest.mark.vcr
@pytest.mark.anyio
async def test_lifecycle_async(
    vcr: Any,
    tmp_path: Path,
    clock: FakeClock,
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
) -> None:
    request = vidgen.VideoRequest(
        prompt="The sailboat drifts toward the horizon",
        model="veo-3.1-fast",
        duration=6,
        aspect="9:16",
        reference=vidgen.Reference.from_url("https://example.com/sailboat.png"),
    )
    async with cassette_async_client(clock=clock, provider="fal", api_key=KEY) as client:
        job = await client.submit(request)
        assert job.model == "fal-ai/veo3.1/fast/image-to-video"
        done = await client.wait(job, timeout=900)
        assert done.status is JobStatus.SUCCEEDED
        path = await client.download(done, tmp_path / "sailboat.mp4")
    assert path.read_bytes() == VIDEO_STUB
    assert vcr.all_played
    assert sent[0].url.path == "/fal-ai/veo3.1/fast/image-to-video"
    assert [r.url.host for r in sent] == ["queue.fal.run"] * 4 + [CDN_HOST]


# -- cancel ------------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_cancel_running_sync(vcr: Any, client: vidgen.Client, sent: list[httpx.Request]) -> None:
    job = client.submit(KITE)
    after = client.cancel(job)
    # CANCELLATION_REQUESTED: the runner was told to stop; vidgen reads where it stands.
    assert (after.id, after.status) == (REQUEST_ID, JobStatus.RUNNING)
    assert vcr.all_played
    assert [(r.method, r.url.path) for r in sent] == [
        ("POST", "/fal-ai/kling-video/v3/standard/text-to-video"),
        ("PUT", f"/fal-ai/kling-video/requests/{REQUEST_ID}/cancel"),
        ("GET", f"/fal-ai/kling-video/requests/{REQUEST_ID}/status"),
    ]


@pytest.mark.vcr
@pytest.mark.anyio
async def test_cancel_queued_async(
    vcr: Any,
    clock: FakeClock,
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
) -> None:
    async with cassette_async_client(clock=clock, provider="fal", api_key=KEY) as client:
        job = await client.submit(KITE)
        after = await client.cancel(job)
    assert after.status is JobStatus.CANCELLED  # OK: removed from the queue
    assert vcr.all_played
    assert [r.method for r in sent] == ["POST", "PUT"]


# -- webhooks ------------------------------------------------------------------------------------------


def _delivery(key: Any) -> tuple[dict[str, str], bytes, dt.datetime]:
    now = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)
    body = {**WEBHOOK_OK, "request_id": REQUEST_ID, "gateway_request_id": REQUEST_ID}
    headers, raw = signed(key, body, timestamp=int(now.timestamp()) - 2)
    return headers, raw, now


@pytest.mark.vcr
def test_webhook_sync(
    vcr: Any,
    tmp_path: Path,
    cassette_client: Callable[..., vidgen.Client],
    clock: FakeClock,
    sent: list[httpx.Request],
) -> None:
    key = new_key()
    client = cassette_client(
        clock=clock, provider=vidgen.get_provider("fal", api_key=KEY, webhook_jwks=jwks(key))
    )
    job = client.submit(
        vidgen.VideoRequest(
            **{**_fields(LIGHTHOUSE), "callback_url": "https://hooks.example.com/fal"}
        )
    )
    hook = httpx.URL(sent[0].url.params["fal_webhook"])
    assert (hook.host, hook.path) == ("hooks.example.com", "/fal")
    assert hook.params["vidgen_token"] == client.callback_token(job)

    headers, body, now = _delivery(key)
    provider = client.provider
    delivery = provider.verify_webhook(headers, body, secret=None, now=now)
    assert delivery.id == job.id
    done = provider.parse_webhook(headers, body)
    assert (done.id, done.status) == (job.id, JobStatus.SUCCEEDED)
    path = client.download(done, tmp_path / "lighthouse.mp4")
    assert path.read_bytes() == VIDEO_STUB
    assert vcr.all_played
    assert "authorization" not in sent[-1].headers


@pytest.mark.vcr
@pytest.mark.anyio
async def test_webhook_async(
    vcr: Any,
    tmp_path: Path,
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    clock: FakeClock,
    sent: list[httpx.Request],
) -> None:
    key = new_key()
    async with cassette_async_client(
        clock=clock, provider=vidgen.get_provider("fal", api_key=KEY, webhook_jwks=jwks(key))
    ) as client:
        job = await client.submit(
            vidgen.VideoRequest(
                **{**_fields(LIGHTHOUSE), "callback_url": "https://hooks.example.com/fal"}
            )
        )
        headers, body, now = _delivery(key)
        forged_headers = {**headers, "X-Fal-Webhook-Signature": "00" * 64}
        with pytest.raises(vidgen.WebhookRejected):
            client.provider.verify_webhook(forged_headers, body, secret=None, now=now)
        client.provider.verify_webhook(headers, body, secret=None, now=now)
        done = client.provider.parse_webhook(headers, body)
        assert done.id == job.id
        path = await client.download(done, tmp_path / "lighthouse.mp4")
    assert path.read_bytes() == VIDEO_STUB
    assert vcr.all_played


# -- failures -----------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_result_refused_by_content_checker(vcr: Any, tmp_path: Path, client: vidgen.Client) -> None:
    request = vidgen.VideoRequest(prompt="A crowded night market, handheld", model="seedance-2.0")
    with pytest.raises(vidgen.JobFailed) as caught:
        client.generate(request, tmp_path / "market.mp4")
    job = caught.value.job
    assert job.error is not None
    assert (job.error.code, job.error.provider_code) == (
        "content_policy",
        "content_policy_violation",
    )
    assert vcr.all_played
    assert not (tmp_path / "market.mp4").exists()


@pytest.mark.vcr
def test_submit_refused_is_not_resent(
    vcr: Any, client: vidgen.Client, sent: list[httpx.Request]
) -> None:
    with pytest.raises(vidgen.InvalidRequest) as caught:
        client.submit(LIGHTHOUSE)
    assert caught.value.param == "prompt"
    assert len(sent) == 1
    assert vcr.all_played


def _fields(request: vidgen.VideoRequest) -> dict[str, Any]:
    return {"prompt": request.prompt, "model": request.model, "audio": request.audio}


def test_cassettes_are_json_bodies() -> None:
    root = Path(__file__).resolve().parents[3] / "cassettes" / "fal"
    assert sorted(p.stem for p in root.glob("*.yaml")) == sorted(
        name
        for name in globals()
        if name.startswith("test_") and name not in {"test_cassettes_are_json_bodies"}
    )
    assert json.loads(json.dumps(WEBHOOK_OK))  # the payloads module is importable JSON
