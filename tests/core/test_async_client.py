"""The async client drives the same flows: the key cases again, awaited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from core_support import FAKE_NOW, KeyHeader, video

import vidgen
from vidgen import (
    BudgetExceeded,
    ContentExpired,
    Job,
    JobFailed,
    JobStatus,
    ServerError,
    TransportError,
    VideoRequest,
    WaitTimeout,
)
from vidgen.testing import FakeClock, FakeServer, broken_body, fail, reply

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., vidgen.AsyncClient]

CREATE = "/v1/videos"
STATUS = "/v1/videos/video_123"
CONTENT = "/v1/videos/video_123/content"
REQUEST = VideoRequest(prompt="A calico cat playing a piano", duration=8, aspect="16:9")


def finished_job(**changes: object) -> Job:
    values: dict[str, object] = {
        "id": "video_123",
        "provider": "openai",
        "status": JobStatus.SUCCEEDED,
        "expires_at": dt.datetime.fromtimestamp(FAKE_NOW + 3600, tz=dt.timezone.utc),
    }
    values.update(changes)
    return Job(**values)  # type: ignore[arg-type]


async def test_submit_resent_after_connect_error(
    api: FakeServer, make_async_client: MakeClient, clock: FakeClock
) -> None:
    api.route("POST", CREATE, fail(httpx.ConnectError), reply(json=video()))
    async with make_async_client() as client:
        job = await client.submit(REQUEST)
    assert job.id == "video_123"
    assert api.count("POST") == 2
    assert len(clock.sleeps) == 1


async def test_submit_resent_after_rate_limit(
    api: FakeServer, make_async_client: MakeClient, clock: FakeClock
) -> None:
    limited = {"error": {"message": "slow down", "code": "rate_limit_exceeded"}}
    api.route(
        "POST",
        CREATE,
        reply(429, json=limited, headers={"retry-after-ms": "2500"}),
        reply(json=video()),
    )
    async with make_async_client() as client:
        await client.submit(REQUEST)
    assert api.count("POST") == 2
    assert clock.sleeps == [2.5]


@pytest.mark.parametrize("error", [httpx.ReadTimeout, httpx.RemoteProtocolError])
async def test_submit_not_resent_after_ambiguous_failure(
    api: FakeServer, make_async_client: MakeClient, error: type[httpx.TransportError]
) -> None:
    api.route("POST", CREATE, fail(error), reply(json=video()))
    async with make_async_client() as client:
        with pytest.raises(TransportError) as info:
            await client.submit(REQUEST)
    assert api.count("POST") == 1
    assert info.value.request_sent is True
    assert "a job may exist" in str(info.value)


async def test_submit_not_resent_after_500(api: FakeServer, make_async_client: MakeClient) -> None:
    api.route("POST", CREATE, reply(500, json={"error": {"message": "oops"}}), reply(json=video()))
    async with make_async_client() as client:
        with pytest.raises(ServerError) as info:
            await client.submit(REQUEST)
    assert api.count("POST") == 1
    assert "may have created the job" in (info.value.hint or "")


async def test_read_retried(
    api: FakeServer, make_async_client: MakeClient, clock: FakeClock
) -> None:
    api.route(
        "GET",
        STATUS,
        fail(httpx.ReadTimeout),
        reply(503, content=b"busy", headers={"retry-after": "4"}),
        reply(json=video("in_progress", progress=5)),
    )
    async with make_async_client() as client:
        job = await client.get("video_123")
    assert job.progress == 5
    assert api.count("GET") == 3
    assert clock.sleeps[1] == 4.0


async def test_wait_hint_and_progress(
    api: FakeServer, make_async_client: MakeClient, clock: FakeClock
) -> None:
    api.route(
        "GET",
        STATUS,
        reply(json=video("in_progress", progress=20), headers={"openai-poll-after-ms": "1500"}),
        reply(json=video("mystery-state")),
        reply(json=video("completed", progress=100)),
    )
    seen: list[Job] = []
    async with make_async_client() as client:
        job = await client.wait("video_123", on_progress=seen.append)
    assert job.status is JobStatus.SUCCEEDED
    assert [j.status for j in seen] == [JobStatus.RUNNING, JobStatus.UNKNOWN, JobStatus.SUCCEEDED]
    assert clock.sleeps == [1.5, 5.0]


async def test_wait_timeout(
    api: FakeServer, make_async_client: MakeClient, clock: FakeClock
) -> None:
    api.route("GET", STATUS, reply(json=video("queued")))
    start = clock.now
    async with make_async_client() as client:
        with pytest.raises(WaitTimeout) as info:
            await client.wait("video_123", timeout=12)
    assert info.value.job.status is JobStatus.QUEUED
    assert clock.now - start == pytest.approx(12)


async def test_wait_job_failed(api: FakeServer, make_async_client: MakeClient) -> None:
    api.route("GET", STATUS, reply(json=video("failed", error={"code": "x", "message": "broke"})))
    async with make_async_client() as client:
        with pytest.raises(JobFailed) as info:
            await client.wait("video_123")
    assert info.value.job.status is JobStatus.FAILED


async def test_download_cut_short_keeps_the_target(
    api: FakeServer, make_async_client: MakeClient, tmp_path: Path
) -> None:
    target = tmp_path / "out.mp4"
    target.write_bytes(b"old")
    api.route("GET", CONTENT, reply(content=b"short", headers={"content-length": "100"}))
    async with make_async_client() as client:
        with pytest.raises(TransportError, match="cut short"):
            await client.download(finished_job(), target, overwrite=True)
    assert target.read_bytes() == b"old"
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names[1:] == ["home", "out.mp4"]
    assert names[0].startswith(".out.mp4.")
    assert names[0].endswith(".part")  # kept for a resumed download


async def test_download_broken_mid_stream_leaves_only_a_part(
    api: FakeServer, make_async_client: MakeClient, tmp_path: Path
) -> None:
    api.route("GET", CONTENT, broken_body())
    target = tmp_path / "out.mp4"
    async with make_async_client() as client:
        with pytest.raises(TransportError):
            await client.download(finished_job(), target)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names[1:] == ["home"]  # nothing under the target's name
    assert names[0].endswith(".part")


async def test_download_and_redirect(
    api: FakeServer, make_async_client: MakeClient, tmp_path: Path
) -> None:
    api.route("GET", CONTENT, reply(302, headers={"location": "https://cdn.example.net/v.mp4"}))
    api.route("GET", "/v.mp4", reply(content=b"async video"))
    async with make_async_client() as client:
        path = await client.download(finished_job(), tmp_path / "out.mp4")
    assert path.read_bytes() == b"async video"
    assert "authorization" not in api.requests[1].headers


async def test_expired_before_any_http(
    api: FakeServer, make_async_client: MakeClient, tmp_path: Path
) -> None:
    expired = dt.datetime.fromtimestamp(FAKE_NOW - 60, tz=dt.timezone.utc)
    async with make_async_client() as client:
        with pytest.raises(ContentExpired):
            await client.download(finished_job(expires_at=expired), tmp_path / "out.mp4")
    assert api.requests == []


async def test_budget_before_any_http(api: FakeServer, make_async_client: MakeClient) -> None:
    async with make_async_client(max_job_cost="0.10") as client:
        with pytest.raises(BudgetExceeded) as info:
            await client.submit(REQUEST)
    assert info.value.amount == Decimal("0.80")
    assert api.requests == []


async def test_generate(
    api: FakeServer, make_async_client: MakeClient, clock: FakeClock, tmp_path: Path
) -> None:
    api.route("POST", CREATE, reply(json=video()))
    api.route("GET", STATUS, reply(json=video("completed", progress=100)))
    api.route("GET", CONTENT, reply(content=b"generated"))
    async with make_async_client() as client:
        path = await client.generate(REQUEST, tmp_path / "cat.mp4")
    assert path.read_bytes() == b"generated"
    assert api.count("POST") == 1


async def test_sync_sleep_function_is_accepted(api: FakeServer, clock: FakeClock) -> None:
    # sleep= may be a plain function as well as a coroutine function.
    api.route("GET", STATUS, reply(json=video("queued")), reply(json=video("completed")))
    async with vidgen.AsyncClient(
        provider="openai",
        api_key="sk-test",
        clock=clock,
        sleep=clock.sleep,
        http_client=api.async_client(),
    ) as client:
        await client.wait("video_123")
    assert clock.sleeps == [5.0]


async def test_a_following_http_client_does_not_follow(
    api: FakeServer, clock: FakeClock, tmp_path: Path
) -> None:
    # httpx would forward the api-key header to the other host; vidgen's own following drops it.
    api.route(
        "GET", "/v1/jobs/j1/video", reply(302, headers={"location": "https://cdn.example.net/v"})
    )
    api.route("GET", "/v", reply(content=b"video"))
    http = httpx.AsyncClient(transport=api.transport(), follow_redirects=True)
    async with vidgen.AsyncClient(
        provider=KeyHeader(api_key="key-must-stay-home"),
        clock=clock,
        sleep=clock.asleep,
        http_client=http,
    ) as client:
        await client.download(finished_job(id="j1", provider="keyheader"), tmp_path / "out.mp4")
    first, second = api.requests
    assert first.headers["api-key"] == "key-must-stay-home"
    assert second.url.host == "cdn.example.net"
    assert "api-key" not in second.headers
    await http.aclose()
