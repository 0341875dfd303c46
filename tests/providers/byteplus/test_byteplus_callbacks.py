"""Callbacks: Ark POSTs the task object to ``callback_url`` on each status change, unsigned.

The provider reads the body as a hint; the client accepts it only with the job's
``vidgen_token`` and then reads the task from the API (nothing in the body is trusted).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from byteplus_payloads import CREATED, KEY, RUNNING, SUCCEEDED, TASK_ID, TASK_URL, TASKS, VIDEO_URL

import vidgen
from vidgen import JobStatus
from vidgen.testing import FakeClock, FakeServer, fake_async_client, fake_client, reply

HOOK = "https://hooks.example.com/ark?source=vidgen"
EVIL_URL = "https://evil.example.net/not-your-video.mp4"
FORGED = {**SUCCEEDED, "content": {"video_url": EVIL_URL}}
START = 1787869631.0


def api(*statuses: dict[str, Any]) -> FakeServer:
    server = FakeServer().on("POST", TASKS, reply(json=CREATED))
    return server.on("GET", TASK_URL, *(reply(json=s) for s in statuses))


def client_on(server: FakeServer, **options: Any) -> vidgen.Client:
    return fake_client(
        server, clock=FakeClock(start=START), provider="byteplus", api_key=KEY, ledger=True,
        **options,
    )  # fmt: skip


def with_hook() -> vidgen.VideoRequest:
    return vidgen.VideoRequest(prompt="a fox", callback_url=HOOK)


def sent_hook(server: FakeServer) -> str:
    return str(server.body(0)["callback_url"])


def test_the_callback_url_carries_a_per_job_token() -> None:
    server = api()
    client = client_on(server)
    job = client.submit(with_hook())
    url = httpx.URL(sent_hook(server))
    assert (url.host, url.path, url.params["source"]) == ("hooks.example.com", "/ark", "vidgen")
    assert url.params["vidgen_token"] == client.callback_token(job)


def test_a_callback_is_verified_then_read_from_the_api() -> None:
    server = api(SUCCEEDED)
    client = client_on(server)
    client.submit(with_hook())
    fresh = client.handle_callback(json.dumps(FORGED).encode(), url=sent_hook(server))
    (get,) = server.sent("GET")
    assert str(get.url) == TASK_URL
    assert fresh.status is JobStatus.SUCCEEDED
    assert [o.url for o in fresh.outputs if o.kind == "video"] == [VIDEO_URL]


def test_the_callback_status_is_only_a_hint() -> None:
    server = api(RUNNING)
    client = client_on(server)
    client.submit(with_hook())
    fresh = client.handle_callback(json.dumps(SUCCEEDED), url=sent_hook(server))
    assert (fresh.id, fresh.status, fresh.outputs) == (TASK_ID, JobStatus.RUNNING, ())


@pytest.mark.parametrize(
    ("body", "url", "reason"),
    [
        (json.dumps(FORGED), HOOK + "&vidgen_token=forged", "bad_token"),
        (json.dumps({**SUCCEEDED, "id": "cgt-someone-else"}), None, "unknown_job"),
        ("<html>not json</html>", None, "malformed"),
    ],
    ids=["bad-token", "unknown-job", "malformed"],
)
def test_a_bad_callback_is_rejected_before_any_request(
    body: str, url: str | None, reason: str
) -> None:
    server = api(SUCCEEDED)
    client = client_on(server)
    client.submit(with_hook())
    with pytest.raises(vidgen.CallbackRejected) as caught:
        client.handle_callback(body, url=url or sent_hook(server).replace("vidgen_token", "x"))
    assert caught.value.reason == reason
    assert server.sent("GET") == []


@pytest.mark.anyio
async def test_async_callback_is_verified_then_read_from_the_api() -> None:
    server = api(SUCCEEDED)
    client = fake_async_client(
        server, clock=FakeClock(start=START), provider="byteplus", api_key=KEY, ledger=True
    )
    await client.submit(with_hook())
    fresh = await client.handle_callback(json.dumps(FORGED), url=sent_hook(server))
    assert fresh.status is JobStatus.SUCCEEDED
    assert len(server.sent("GET")) == 1
