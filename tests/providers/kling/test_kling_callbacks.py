"""Callbacks: Kling POSTs the task to callback_url, unsigned. vidgen tags the task with an
external_task_id derived from the job's token (so a callback names its endpoint), accepts a
callback only with the job's token, and reads the job from the API."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from kling_payloads import (
    API,
    CREATED,
    I2V_TASK_ID,
    I2V_VIDEO_URL,
    SUCCEEDED,
    TASK_ID,
    VIDEO_URL,
    callback,
    envelope,
    task,
)

import vidgen
from vidgen import JobStatus
from vidgen.provider import Provider
from vidgen.testing import FakeServer, reply
from vidgen_kling import external_task_id_for

MakeClient = Callable[..., vidgen.Client]
MakeAsyncClient = Callable[..., vidgen.AsyncClient]

HOOK = "https://hooks.example.com/kling?source=vidgen"
EVIL_URL = "https://evil.example.net/not-your-video.mp4"


def _server(kind: str = "text2video", task_id: str = TASK_ID, url: str = VIDEO_URL) -> FakeServer:
    created = envelope({**CREATED["data"], "task_id": task_id})
    return (
        FakeServer()
        .route("POST", f"/v1/videos/{kind}", reply(json=created))
        .route(
            "GET",
            f"/v1/videos/{kind}/{task_id}",
            reply(json=envelope(task("succeed", task_id=task_id, url=url))),
        )
    )


def _token(server: FakeServer) -> tuple[str, str]:
    body = server.body(0)
    token = httpx.URL(body["callback_url"]).params["vidgen_token"]
    return body["callback_url"], token


# -- provider.parse_callback ---------------------------------------------------------------------


def test_parse_callback_places_the_task_by_its_external_id(provider: Provider) -> None:
    external = external_task_id_for(f"{HOOK}&vidgen_token=t0k", "image2video")
    job = provider.parse_callback(
        {}, json.dumps(callback("succeed", external, task_id=I2V_TASK_ID)).encode()
    )
    assert job.id == f"i2v-{I2V_TASK_ID}"
    assert job.status is JobStatus.SUCCEEDED
    assert job.usage is not None


def test_parse_callback_accepts_the_task_in_an_envelope_too(provider: Provider) -> None:
    external = external_task_id_for(f"{HOOK}&vidgen_token=t0k", "text2video")
    body = envelope(callback("processing", external))
    assert provider.parse_callback({}, json.dumps(body).encode()).id == f"t2v-{TASK_ID}"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"task_id=1&task_status=succeed",
        b"\xff\xfe\x00garbage",
        b"[]",
        json.dumps(callback("succeed", None)).encode(),  # not a task vidgen tagged
        json.dumps(callback("succeed", "my-own-id")).encode(),
        json.dumps({"task_status": "succeed"}).encode(),
    ],
    ids=["empty", "form", "binary", "list", "untagged", "foreign-tag", "no-id"],
)
def test_parse_callback_refuses_what_it_cannot_place(provider: Provider, body: bytes) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_callback({}, body)


# -- the whole round trip ------------------------------------------------------------------------


def test_submit_with_a_callback_then_receive_it(make_client: MakeClient) -> None:
    server = _server()
    client = make_client(server)
    job = client.submit(vidgen.VideoRequest(prompt="a fox", callback_url=HOOK))
    url, token = _token(server)
    external = server.body(0)["external_task_id"]
    assert external == external_task_id_for(url, "text2video")

    # Kling posts the task; a forger adds another video URL. Only the API is believed.
    forged = callback("succeed", external)
    forged["task_result"]["videos"][0]["url"] = EVIL_URL
    seen = client.handle_callback(json.dumps(forged).encode(), url=url)
    assert seen.id == job.id == f"t2v-{TASK_ID}"
    assert seen.status is JobStatus.SUCCEEDED
    assert [o.url for o in seen.outputs] == [VIDEO_URL]
    assert server.count("GET", f"/v1/videos/text2video/{TASK_ID}") == 1
    # The token's value travels only in the callback URL, never in the external id.
    assert token not in external


def test_an_image_to_video_callback_is_read_back_on_its_own_path(make_client: MakeClient) -> None:
    server = _server("image2video", I2V_TASK_ID, I2V_VIDEO_URL)
    client = make_client(server)
    image = vidgen.Reference.from_url("https://example.com/first.png")
    job = client.submit(vidgen.VideoRequest(prompt="a fox", reference=image, callback_url=HOOK))
    _, token = _token(server)
    body = callback("succeed", server.body(0)["external_task_id"], task_id=I2V_TASK_ID)
    seen = client.handle_callback(json.dumps(body).encode(), token=token)
    assert seen.id == job.id == f"i2v-{I2V_TASK_ID}"
    assert server.count("GET", f"/v1/videos/image2video/{I2V_TASK_ID}") == 1


def test_a_callback_with_a_wrong_token_is_rejected(make_client: MakeClient) -> None:
    server = _server()
    client = make_client(server)
    client.submit(vidgen.VideoRequest(prompt="a fox", callback_url=HOOK))
    body = json.dumps(callback("succeed", server.body(0)["external_task_id"])).encode()
    with pytest.raises(vidgen.CallbackRejected) as caught:
        client.handle_callback(body, token="guessed")
    assert caught.value.reason == "bad_token"
    assert server.count("GET") == 0  # nothing was read for a rejected callback


def test_a_callback_for_a_job_this_client_never_sent_is_rejected(make_client: MakeClient) -> None:
    client = make_client(_server())
    external = external_task_id_for(f"{HOOK}&vidgen_token=abc", "text2video")
    with pytest.raises(vidgen.CallbackRejected) as caught:
        client.handle_callback(json.dumps(callback("succeed", external)).encode(), token="abc")
    assert caught.value.reason == "unknown_job"


@pytest.mark.anyio
async def test_the_async_round_trip(make_async_client: MakeAsyncClient) -> None:
    server = _server()
    async with make_async_client(server) as client:
        job = await client.submit(vidgen.VideoRequest(prompt="a fox", callback_url=HOOK))
        url, _ = _token(server)
        body = callback("succeed", server.body(0)["external_task_id"])
        seen = await client.handle_callback(json.dumps(body).encode(), url=url)
    assert seen.id == job.id
    assert seen.status is JobStatus.SUCCEEDED


def test_the_documented_success_shape_parses_as_a_callback(provider: Provider) -> None:
    # The query's data and the callback body are the same task object.
    external = external_task_id_for(f"{HOOK}&vidgen_token=t", "text2video")
    data = {**SUCCEEDED["data"], "task_info": {"external_task_id": external}}
    assert provider.parse_callback({}, json.dumps(data).encode()).outputs[0].url == VIDEO_URL
    assert API in provider.base_url
