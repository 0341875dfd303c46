"""The volcengine provider through `vidgen.Client` and `vidgen.AsyncClient`, on cassettes
written by hand from Volcengine's documented request and response examples."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from volcengine_payloads import CREATE_BODY, KEY, REQUEST, STORAGE_HOST, TASK_ID

import vidgen
from vidgen import JobStatus
from vidgen.testing import FakeClock

VIDEO_STUB = b"stub video bytes for task cgt-20251212113435-x7k2p, not MP4"
VOLCENGINE: dict[str, Any] = {"provider": "volcengine", "api_key": KEY}
START = 1765510475.0


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The shared settings, with request bodies matched too (JSON compared parsed)."""
    return {**vcr_config, "match_on": [*vcr_config["match_on"], "body"]}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=START)


@pytest.mark.vcr
def test_generate_sync(
    vcr: Any,
    tmp_path: Path,
    clock: FakeClock,
    cassette_client: Callable[..., vidgen.Client],
    sent: list[httpx.Request],
) -> None:
    client = cassette_client(clock=clock, **VOLCENGINE)
    seen: list[vidgen.Job] = []
    path = client.generate(REQUEST, tmp_path / "cat.mp4", on_progress=seen.append)
    assert path.read_bytes() == VIDEO_STUB
    assert [j.status for j in seen] == [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED]
    done = seen[-1]
    assert done.usage is not None
    assert (done.id, done.usage.tokens) == (TASK_ID, 246840)
    assert vcr.all_played
    assert json.loads(sent[0].content) == CREATE_BODY
    assert sent[0].url.host == "ark.cn-beijing.volces.com"
    assert sent[-1].url.host == STORAGE_HOST
    assert "authorization" not in sent[-1].headers


@pytest.mark.vcr
@pytest.mark.anyio
async def test_generate_async(
    vcr: Any,
    tmp_path: Path,
    clock: FakeClock,
    cassette_async_client: Callable[..., vidgen.AsyncClient],
    sent: list[httpx.Request],
) -> None:
    async with cassette_async_client(clock=clock, **VOLCENGINE) as client:
        job = await client.submit(REQUEST)
        done = await client.wait(job, timeout=600)
        path = await client.download(done, tmp_path / "cat.mp4")
    assert path.read_bytes() == VIDEO_STUB
    assert done.status is JobStatus.SUCCEEDED
    assert vcr.all_played
    assert [r.method for r in sent] == ["POST", "GET", "GET", "GET"]
