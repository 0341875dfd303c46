"""Callbacks: MiniMax first POSTs a challenge (answered with `challenge_answer`), then the
task on each status change, unsigned. The client takes a callback as a hint, checks the
job's token and reads the task from the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from minimax_payloads import (
    API,
    CHALLENGE,
    KEY,
    V1_CALLBACK,
    V1_CREATED,
    V1_QUERY_URL,
    V1_SUCCESS,
    V1_TASK_ID,
    V2_CREATED,
    V2_QUERY_URL,
    V2_RUNNING,
    V2_SUCCEEDED,
    V2_VIDEO_URL,
)

import vidgen
from vidgen import JobStatus
from vidgen.testing import FakeClock, FakeServer, fake_async_client, fake_client, reply
from vidgen_minimax import challenge_answer

HOOK = "https://hooks.example.com/minimax"
FORGED = {"task": {**V2_SUCCEEDED["task"], "content": {"url": "https://evil.example.net/x.mp4"}}}


def client_on(server: FakeServer) -> vidgen.Client:
    return fake_client(
        server, clock=FakeClock(start=1785125529.0), provider="minimax", api_key=KEY, ledger=True
    )


def hook_of(server: FakeServer) -> str:
    return str(server.body(0)["callback_url"])


def test_v2_callback_is_verified_then_read_from_the_api() -> None:
    server = FakeServer().on("POST", f"{API}/v2/video_generation", reply(json=V2_CREATED))
    server.on("GET", V2_QUERY_URL, reply(json=V2_SUCCEEDED))
    client = client_on(server)
    client.submit(vidgen.VideoRequest(prompt="x", model="MiniMax-H3", callback_url=HOOK))
    assert challenge_answer(json.dumps(CHALLENGE)) is not None  # the receiver answers first
    fresh = client.handle_callback(json.dumps(FORGED), url=hook_of(server))
    assert fresh.status is JobStatus.SUCCEEDED
    assert [o.url for o in fresh.outputs] == [V2_VIDEO_URL]
    assert len(server.sent("GET")) == 1


def test_v2_callback_status_is_only_a_hint() -> None:
    server = FakeServer().on("POST", f"{API}/v2/video_generation", reply(json=V2_CREATED))
    server.on("GET", V2_QUERY_URL, reply(json=V2_RUNNING))
    client = client_on(server)
    client.submit(vidgen.VideoRequest(prompt="x", model="MiniMax-H3", callback_url=HOOK))
    assert client.handle_callback(json.dumps(V2_SUCCEEDED), url=hook_of(server)).status is (
        JobStatus.RUNNING
    )


def test_v1_callback_reads_the_query_not_the_bodys_file_id() -> None:
    server = FakeServer().on("POST", f"{API}/v1/video_generation", reply(json=V1_CREATED))
    server.on("GET", f"{API}/v1/query/video_generation", reply(json=V1_SUCCESS))
    client = client_on(server)
    client.submit(vidgen.VideoRequest(prompt="x", model="hailuo-2.3", callback_url=HOOK))
    forged = {**V1_CALLBACK, "file_id": "999999999999999"}
    fresh = client.handle_callback(json.dumps(forged), url=hook_of(server))
    (get,) = server.sent("GET")
    assert str(get.url) == V1_QUERY_URL
    assert (fresh.id, fresh.status) == (V1_TASK_ID, JobStatus.RUNNING)
    assert [o.ref for o in fresh.outputs] == [V1_SUCCESS["file_id"]]


@pytest.mark.parametrize(
    ("body", "reason"),
    [(json.dumps(CHALLENGE), "malformed"), (json.dumps(V2_SUCCEEDED), "bad_token")],
    ids=["challenge", "no-token"],
)
def test_rejected_callbacks(body: str, reason: str) -> None:
    server = FakeServer().on("POST", f"{API}/v2/video_generation", reply(json=V2_CREATED))
    client = client_on(server)
    client.submit(vidgen.VideoRequest(prompt="x", model="MiniMax-H3", callback_url=HOOK))
    with pytest.raises(vidgen.CallbackRejected) as caught:
        client.handle_callback(body, url=HOOK)
    assert caught.value.reason == reason
    assert server.sent("GET") == []


@pytest.mark.anyio
async def test_async_callback() -> None:
    server = FakeServer().on("POST", f"{API}/v2/video_generation", reply(json=V2_CREATED))
    server.on("GET", V2_QUERY_URL, reply(json=V2_SUCCEEDED))
    client = fake_async_client(
        server, clock=FakeClock(start=1785125529.0), provider="minimax", api_key=KEY, ledger=True
    )
    await client.submit(vidgen.VideoRequest(prompt="x", model="MiniMax-H3", callback_url=HOOK))
    fresh: Any = await client.handle_callback(json.dumps(FORGED), url=hook_of(server))
    assert fresh.outputs[0].url == V2_VIDEO_URL
