"""Outputs come from the URL the task names: https only, and never with the API key."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from aivideoapi_payloads import (
    API,
    COMPLETED,
    COMPLETED_ID,
    CREATE_URL,
    OUTPUT_URL,
    PROCESSING,
    STORAGE_HOST,
    created,
    task,
)

import vidgen
from vidgen.provider import Provider
from vidgen.testing import FakeClock, FakeServer, reply

STATUS_URL = f"{API}/tasks/{COMPLETED_ID}"
STORAGE_URL = OUTPUT_URL.split("?")[0]
MakeClient = Callable[..., vidgen.Client]
MakeAsyncClient = Callable[..., vidgen.AsyncClient]
VIDEO = b"stub video bytes for 7d89c51e"
API_HOST = "api.aivideoapi.ai"


def lifecycle(output_url: str = OUTPUT_URL) -> FakeServer:
    """Create, one processing poll, completed with ``output_url``."""
    return (
        FakeServer()
        .on("POST", CREATE_URL, reply(json=created(COMPLETED_ID)))
        .on(
            "GET",
            STATUS_URL,
            reply(json=task(PROCESSING, id=COMPLETED_ID, created_at=COMPLETED["created_at"])),
            reply(json=task(COMPLETED, output={"urls": [output_url], "metadata": {}})),
        )
    )


def succeeded(output_url: str = OUTPUT_URL) -> vidgen.Job:
    """The documented completed task, with ``output_url`` as its output."""
    body = json.dumps(task(COMPLETED, output={"urls": [output_url]})).encode()
    return vidgen.get_provider("aivideoapi", api_key="sk-test").parse_callback({}, body)


def test_key_goes_to_the_api_and_never_to_the_storage_host(
    make_client: MakeClient, tmp_path: Path
) -> None:
    script = lifecycle().on("GET", STORAGE_URL, reply(content=VIDEO))
    path = make_client(script).generate(vidgen.VideoRequest(prompt="x"), tmp_path / "v.mp4")
    assert path.read_bytes() == VIDEO
    api_requests = script.sent(host=API_HOST)
    assert [r.method for r in api_requests] == ["POST", "GET", "GET"]
    assert all(r.headers["authorization"] == "Bearer sk-test" for r in api_requests)
    (download,) = script.sent(host=STORAGE_HOST)
    assert str(download.url) == OUTPUT_URL  # exactly the URL the task named, query and all
    assert "authorization" not in download.headers
    assert "sk-test" not in str(download.headers)
    assert len(script.requests) == 4


@pytest.mark.anyio
async def test_async_key_never_goes_to_the_storage_host(
    make_async_client: MakeAsyncClient, tmp_path: Path
) -> None:
    script = lifecycle().on("GET", STORAGE_URL, reply(content=VIDEO))
    client = make_async_client(script)
    path = await client.generate(vidgen.VideoRequest(prompt="x"), tmp_path / "v.mp4")
    assert path.read_bytes() == VIDEO
    assert all("authorization" in r.headers for r in script.sent(host=API_HOST))
    (download,) = script.sent(host=STORAGE_HOST)
    assert "authorization" not in download.headers


def test_http_output_url_is_refused(make_client: MakeClient, tmp_path: Path) -> None:
    insecure = OUTPUT_URL.replace("https://", "http://")
    script = lifecycle(insecure)
    client = make_client(script)
    job = client.wait(client.submit(vidgen.VideoRequest(prompt="x")))
    assert job.outputs[0].url == insecure
    with pytest.raises(vidgen.ProtocolError, match="not https"):
        client.download(job, tmp_path / "v.mp4")
    assert script.sent(host=STORAGE_HOST) == []
    assert not (tmp_path / "v.mp4").exists()


def test_build_download_refuses_http_itself(provider: Provider) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.build_download(succeeded(OUTPUT_URL.replace("https://", "http://")))


def test_build_download_is_a_plain_get_of_the_output(provider: Provider) -> None:
    request = provider.build_download(succeeded())
    assert request.method == "GET"
    assert str(request.url) == OUTPUT_URL
    assert "authorization" not in request.headers


@pytest.mark.parametrize(("index", "variant"), [(1, "video"), (-1, "video"), (0, "thumbnail")])
def test_only_the_video_outputs_exist(provider: Provider, index: int, variant: str) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.build_download(succeeded(), index=index, variant=variant)
    assert caught.value.param == ("variant" if variant != "video" else "index")


def test_redirect_to_plain_http_is_not_followed(make_client: MakeClient, tmp_path: Path) -> None:
    insecure = "http://cdn.example.com/7d89c51e.mp4"
    script = FakeServer().on("GET", STORAGE_URL, reply(302, headers={"Location": insecure}))
    client = make_client(script)
    with pytest.raises(vidgen.ProtocolError, match="https"):
        client.download(succeeded(), tmp_path / "v.mp4")
    assert [str(r.url) for r in script.requests] == [OUTPUT_URL]  # refused, not retried
    assert not (tmp_path / "v.mp4").exists()


def test_redirect_to_another_host_carries_no_key(make_client: MakeClient, tmp_path: Path) -> None:
    cdn = "https://cdn.example.com/7d89c51e.mp4"
    script = (
        FakeServer()
        .on("GET", STORAGE_URL, reply(302, headers={"Location": cdn}))
        .on("GET", cdn, reply(content=VIDEO))
    )
    path = make_client(script).download(succeeded(), tmp_path / "v.mp4")
    assert path.read_bytes() == VIDEO
    assert [r.url.host for r in script.requests] == [STORAGE_HOST, "cdn.example.com"]
    assert all("authorization" not in r.headers for r in script.requests)


def test_outputs_are_not_fetched_after_24_hours(
    clock: FakeClock, make_client: MakeClient, tmp_path: Path
) -> None:
    job = succeeded()
    assert job.completed_at is not None
    clock.now = job.completed_at.timestamp() + 24 * 3600 + 1
    script = FakeServer()
    with pytest.raises(vidgen.ContentExpired):
        make_client(script).download(job, tmp_path / "v.mp4")
    assert script.requests == []


def test_just_before_expiry_the_output_is_fetched(
    clock: FakeClock, make_client: MakeClient, tmp_path: Path
) -> None:
    job = succeeded()
    assert job.completed_at is not None
    clock.now = job.completed_at.timestamp() + 24 * 3600 - 60
    script = FakeServer().on("GET", STORAGE_URL, reply(content=VIDEO))
    path = make_client(script).download(job, tmp_path / "v.mp4")
    assert path.read_bytes() == VIDEO
