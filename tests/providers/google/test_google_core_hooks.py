"""The core steps Google needs: URL images fetched and sent inline; inline videos saved."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from google_payloads import (
    GEMINI,
    KEY,
    TOKEN,
    VEO_CREATED,
    VEO_MODEL,
    VERTEX_CREATED,
    VERTEX_DONE_INLINE,
    VERTEX_INLINE_BYTES,
    VERTEX_MODEL,
)

import vidgen
from vidgen.testing import FakeClock, FakeServer, fake_async_client, fake_client, png_bytes, reply

IMAGE_URL = "https://images.example.com/frames/first.png"
IMAGE = png_bytes(1280, 720, grey=90)
REQUEST = vidgen.VideoRequest(
    prompt="a lighthouse at dusk",
    duration=8,
    aspect="16:9",
    model=VEO_MODEL,
    reference=vidgen.Reference.from_url(IMAGE_URL),
)


def server() -> FakeServer:
    made = FakeServer()
    made.on("GET", IMAGE_URL, reply(content=IMAGE, headers={"content-type": "image/png"}))
    made.route("POST", f"/v1beta/models/{VEO_MODEL}:predictLongRunning", reply(json=VEO_CREATED))
    return made


def sent_image(made: FakeServer) -> bytes:
    body = json.loads(made.sent("POST")[0].content)
    return base64.b64decode(body["instances"][0]["image"]["bytesBase64Encoded"])


def test_a_url_reference_reaches_veo_as_inline_bytes() -> None:
    made = server()
    client = fake_client(made, provider="google", api_key=KEY, clock=FakeClock.at("2026-11-30"))
    client.submit(REQUEST)
    assert sent_image(made) == IMAGE
    fetch = made.sent("GET", host="images.example.com")[0]
    assert "x-goog-api-key" not in fetch.headers  # the key never leaves Google's origin
    assert IMAGE_URL not in made.sent("POST")[0].content.decode()


@pytest.mark.anyio
async def test_a_url_reference_reaches_veo_as_inline_bytes_async() -> None:
    made = server()
    client = fake_async_client(
        made, provider="google", api_key=KEY, clock=FakeClock.at("2026-11-30")
    )
    await client.submit(REQUEST)
    assert sent_image(made) == IMAGE


def test_the_plan_can_see_the_fetched_image() -> None:
    made = server()
    client = fake_client(made, provider="google", api_key=KEY, clock=FakeClock.at("2026-11-30"))
    fetched = client.fetch_references(REQUEST)
    assert fetched.reference is not None
    assert fetched.reference.data == IMAGE
    plan = client.plan(fetched)
    assert plan.fitted.size == "1280x720"
    with pytest.raises(vidgen.UnsupportedRequest, match="fetch_references"):
        client.plan(REQUEST)  # unfetched: the provider says how to send it


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data",
        "https://127.0.0.1/x.png",
        "http://images.example.com/a.png",
    ],
)
def test_a_url_image_from_a_private_or_plain_address_is_never_fetched(url: str) -> None:
    made = FakeServer()
    client = fake_client(made, provider="google", api_key=KEY, clock=FakeClock.at("2026-11-30"))
    request = (
        vidgen.VideoRequest(prompt="x", model=VEO_MODEL, reference=vidgen.Reference.from_url(url))
        if url.startswith("https")
        else None
    )
    if request is None:
        with pytest.raises(vidgen.InvalidInput):
            vidgen.Reference.from_url(url)
        return
    with pytest.raises(vidgen.ProtocolError):
        client.submit(request)
    assert made.requests == []


def test_a_url_that_is_not_an_image_is_refused_before_the_submit() -> None:
    made = FakeServer()
    made.on("GET", IMAGE_URL, reply(content=b"<html>a login page</html>"))
    client = fake_client(made, provider="google", api_key=KEY, clock=FakeClock.at("2026-11-30"))
    with pytest.raises(vidgen.InvalidInput, match="not an image"):
        client.submit(REQUEST)
    assert made.sent("POST") == []


def test_an_inline_vertex_video_is_downloaded(tmp_path: Path) -> None:
    made = FakeServer()
    made.otherwise(reply(json=VERTEX_DONE_INLINE))  # the fresh read of the finished operation
    client = fake_client(
        made,
        provider="google-vertex",
        api_key=None,
        settings={"project": "vidgen-test-project", "token_provider": lambda: TOKEN},
        clock=FakeClock.at("2026-11-30"),
    )
    job = client.provider.parse_status(vidgen.testing.make_response(200, json=VERTEX_DONE_INLINE))
    assert client.provider.inline_output(job, 0)
    path = client.download(job, tmp_path / "inline.mp4")
    assert path.read_bytes() == VERTEX_INLINE_BYTES
    assert [r.method for r in made.requests] == ["POST"]  # one read of the operation
    assert not list(tmp_path.glob(".*part"))
    _ = (VERTEX_CREATED, VERTEX_MODEL, GEMINI)
