"""Credentials and the endpoint: where they come from, and where they never go.

The HTTP tests run the real clients on a `vidgen.testing.FakeServer`: every request that
would have left the machine is recorded, so a test can show exactly which host saw which
header.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from azure_payloads import ENDPOINT, KEY, SUCCEEDED, SUCCEEDED_EXPIRES_AT

import vidgen
from vidgen.testing import (
    FakeClock,
    FakeServer,
    fake_async_client,
    fake_client,
    make_response,
    reply,
)

BLOB = "https://examplestorage.blob.core.windows.net/videos/gen_01.mp4?sv=2025-01-05&sig=c2ln"
RESOURCE = "example-resource.openai.azure.com"
BLOB_HOST = "examplestorage.blob.core.windows.net"
#: (host, api-key, authorization) of a download redirected to the blob: the key stays home.
KEY_STAYS_HOME = [(RESOURCE, KEY, None), (BLOB_HOST, None, None)]
JOBS_PATH = "/openai/v1/video/generations/jobs"
CONTENT_PATH = "/openai/v1/video/generations/gen_01/content/video"


def plain_request() -> vidgen.VideoRequest:
    return vidgen.VideoRequest(prompt="A cat playing piano in a jazz bar.", duration=5)


def succeeded(provider: vidgen.provider.Provider) -> vidgen.Job:
    payload = {**SUCCEEDED, "expires_at": SUCCEEDED_EXPIRES_AT}
    return provider.parse_status(make_response(200, json=payload))


def seen(server: FakeServer) -> list[tuple[str, str | None, str | None]]:
    """(host, api-key header, authorization header) of every request ``server`` got."""
    return [
        (r.url.host, r.headers.get("api-key"), r.headers.get("authorization"))
        for r in server.requests
    ]


def client(
    server: FakeServer, start: float = 1743551594.0, api_key: str | None = KEY, **settings: object
) -> vidgen.Client:
    """An azure client on ``server`` and a fake clock at ``start``."""
    return fake_client(
        server,
        provider="azure",
        api_key=api_key,
        settings={"endpoint": ENDPOINT, **settings},
        allow_retired=True,
        clock=FakeClock(start=start),
    )


@pytest.fixture
def no_http() -> FakeServer:
    """A server that answers nothing: any request fails the test."""
    return FakeServer()


# -- the key ----------------------------------------------------------------------------------------


def test_api_key_header_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "key-from-env-0123")
    provider = vidgen.get_provider("azure", endpoint=ENDPOINT)
    request = provider.build_submit(provider.fit(plain_request(), allow_retired=True))

    assert request.headers["api-key"] == "key-from-env-0123"
    assert "authorization" not in request.headers


def test_an_explicit_key_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "key-from-env-0123")
    provider = vidgen.get_provider("azure", api_key=KEY, endpoint=ENDPOINT)

    assert provider.build_status(provider.job_ref("task_01")).headers["api-key"] == KEY


def test_another_key_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAM_AZURE_KEY", "team-key-0123")
    provider = vidgen.get_provider("azure", endpoint=ENDPOINT, api_key_env="TEAM_AZURE_KEY")

    assert provider.build_status(provider.job_ref("task_01")).headers["api-key"] == "team-key-0123"


def test_a_missing_key_is_a_config_error_only_when_a_request_is_built() -> None:
    provider = vidgen.get_provider("azure", endpoint=ENDPOINT)

    # No key is needed to fit and quote...
    fitted = provider.fit(plain_request(), allow_retired=True)
    assert provider.quote(fitted).amount is None
    assert provider.has_key is False
    # ...only to talk to the API.
    with pytest.raises(vidgen.ConfigError) as caught:
        provider.build_submit(fitted)
    assert "AZURE_OPENAI_API_KEY" in str(caught.value)
    with pytest.raises(vidgen.ConfigError):
        provider.build_status(provider.job_ref("task_01"))


def test_a_missing_key_sends_nothing(no_http: FakeServer) -> None:
    with client(no_http, api_key=None) as c, pytest.raises(vidgen.ConfigError) as caught:
        c.submit(plain_request())

    assert "AZURE_OPENAI_API_KEY" in str(caught.value)
    assert no_http.requests == []


# -- the token provider -------------------------------------------------------------------------------


def test_token_provider_sends_a_bearer_token_and_no_api_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "key-that-must-not-be-sent")
    tokens = iter(["entra-token-1", "entra-token-2"])
    provider = vidgen.get_provider("azure", endpoint=ENDPOINT, token_provider=lambda: next(tokens))

    first = provider.build_submit(provider.fit(plain_request(), allow_retired=True))
    second = provider.build_status(provider.job_ref("task_01"))

    assert first.headers["authorization"] == "Bearer entra-token-1"
    # Asked again for every request: the token provider refreshes expired tokens.
    assert second.headers["authorization"] == "Bearer entra-token-2"
    assert "api-key" not in first.headers
    assert "api-key" not in second.headers
    assert provider.has_key is True


def test_token_provider_needs_no_key_variable() -> None:
    provider = vidgen.get_provider("azure", endpoint=ENDPOINT, token_provider=lambda: "tok-0123")

    assert provider.has_key is True
    request = provider.build_download(succeeded(provider))
    assert request.headers["authorization"] == "Bearer tok-0123"


def test_token_provider_must_be_callable() -> None:
    with pytest.raises(vidgen.ConfigError) as caught:
        vidgen.get_provider("azure", endpoint=ENDPOINT, token_provider="a-token-string")

    assert "callable" in str(caught.value)


def test_repr_names_the_auth_but_shows_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "key-from-env-0123")
    with_key = vidgen.get_provider("azure", api_key=KEY, endpoint=ENDPOINT)
    from_env = vidgen.get_provider("azure", endpoint=ENDPOINT)
    with_token = vidgen.get_provider("azure", endpoint=ENDPOINT, token_provider=lambda: "tok-0123")
    with_token.build_status(with_token.job_ref("t"))

    assert KEY not in repr(with_key)
    assert "key-from-env-0123" not in repr(from_env)
    from_env.build_status(from_env.job_ref("t"))  # the key is now read and cached
    assert "key-from-env-0123" not in repr(from_env)
    assert "tok-0123" not in repr(with_token)
    assert "auth=api-key" in repr(with_key)
    assert "auth=token provider" in repr(with_token)
    with vidgen.Client(provider="azure", api_key=KEY, settings={"endpoint": ENDPOINT}) as c:
        assert KEY not in repr(c)


# -- the endpoint ---------------------------------------------------------------------------------------


def test_endpoint_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://env-resource.openai.azure.com/")
    provider = vidgen.get_provider("azure", api_key=KEY)
    request = provider.build_status(provider.job_ref("task_01"))

    assert str(request.url) == (
        "https://env-resource.openai.azure.com/openai/v1/video/generations/jobs/task_01"
        "?api-version=preview"
    )


def test_a_missing_endpoint_is_a_config_error_only_when_a_request_is_built() -> None:
    provider = vidgen.get_provider("azure", api_key=KEY)
    fitted = provider.fit(plain_request(), allow_retired=True)
    provider.quote(fitted)

    with pytest.raises(vidgen.ConfigError) as caught:
        provider.build_submit(fitted)
    assert "AZURE_OPENAI_ENDPOINT" in str(caught.value)
    assert KEY not in str(caught.value)


def test_base_url_can_replace_the_endpoint() -> None:
    provider = vidgen.get_provider(
        "azure", api_key=KEY, base_url="https://gateway.example.com/azure/openai/v1"
    )

    assert provider.build_status(provider.job_ref("t")).url.path == (
        "/azure/openai/v1/video/generations/jobs/t"
    )


def test_an_unknown_api_is_a_config_error() -> None:
    with pytest.raises(vidgen.ConfigError) as caught:
        vidgen.get_provider("azure", api_key=KEY, endpoint=ENDPOINT, api="sora2")

    assert "'jobs' or 'videos'" in str(caught.value)


# -- redirects: the key stays with the resource ------------------------------------------------------------


def blob_redirect(status: int = 302, location: str = BLOB) -> FakeServer:
    """The resource redirects the download to ``location``; the blob and the moved path answer."""
    content = f"https://{RESOURCE}{CONTENT_PATH}"
    return (
        FakeServer()
        .on("GET", content, reply(status, headers={"location": location}))
        .on("GET", content + "/moved", reply(content=b"stub-mp4-bytes-same-host"))
        .on("GET", BLOB.split("?")[0], reply(content=b"stub-mp4-bytes-from-blob"))
    )


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_host_drops_the_api_key(status: int, tmp_path: Path) -> None:
    server = blob_redirect(status)
    with client(server) as c:
        out = c.download(succeeded(c.provider), tmp_path / "out.mp4")

    assert out.read_bytes() == b"stub-mp4-bytes-from-blob"
    assert seen(server) == KEY_STAYS_HOME
    # The blob URL's own query (its SAS signature) is kept.
    assert server.requests[1].url == httpx.URL(BLOB)


def test_a_redirect_to_another_host_drops_the_bearer_token(tmp_path: Path) -> None:
    server = blob_redirect()
    with client(server, api_key=None, token_provider=lambda: "entra-token-0123") as c:
        c.download(succeeded(c.provider), tmp_path / "out.mp4")

    assert seen(server) == [
        (RESOURCE, None, "Bearer entra-token-0123"),
        (BLOB_HOST, None, None),
    ]


def test_a_same_host_redirect_keeps_the_api_key(tmp_path: Path) -> None:
    server = blob_redirect(location=CONTENT_PATH + "/moved")
    with client(server) as c:
        out = c.download(succeeded(c.provider), tmp_path / "out.mp4")

    assert out.read_bytes() == b"stub-mp4-bytes-same-host"
    assert seen(server) == [
        (RESOURCE, KEY, None),
        (RESOURCE, KEY, None),
    ]


def test_a_redirect_to_http_is_refused(tmp_path: Path) -> None:
    server = blob_redirect(location=BLOB.replace("https://", "http://"))
    with client(server) as c, pytest.raises(vidgen.ProtocolError) as caught:
        c.download(succeeded(c.provider), tmp_path / "out.mp4")

    assert "refusing to follow" in str(caught.value)
    # Refused, not retried: one request, to the resource only.
    assert seen(server) == [(RESOURCE, KEY, None)]
    assert not (tmp_path / "out.mp4").exists()


@pytest.mark.anyio
async def test_async_redirect_to_another_host_drops_the_api_key(tmp_path: Path) -> None:
    server = blob_redirect()
    async with fake_async_client(
        server,
        provider="azure",
        api_key=KEY,
        settings={"endpoint": ENDPOINT},
        allow_retired=True,
        clock=FakeClock(start=1743551594.0),
    ) as c:
        out = await c.download(succeeded(c.provider), tmp_path / "out.mp4")

    assert out.read_bytes() == b"stub-mp4-bytes-from-blob"
    assert seen(server)[1] == (BLOB_HOST, None, None)


def test_a_redirected_submit_is_not_followed() -> None:
    server = FakeServer().route(
        "POST", JOBS_PATH, reply(307, headers={"location": "https://other.example.net/jobs"})
    )
    with client(server) as c, pytest.raises(vidgen.ProtocolError):
        c.submit(plain_request())

    assert seen(server) == [(RESOURCE, KEY, None)]


def test_a_redirected_status_is_not_followed() -> None:
    server = FakeServer().route(
        "GET",
        f"{JOBS_PATH}/task_01",
        reply(302, headers={"location": "https://other.example.net/status"}),
    )
    with client(server) as c, pytest.raises(vidgen.ProtocolError):
        c.get("task_01")

    assert seen(server) == [(RESOURCE, KEY, None)]


def following(server: FakeServer) -> vidgen.Client:
    """A client whose http_client follows redirects itself (vidgen must not let it)."""
    clock = FakeClock(start=1743551594.0)
    return vidgen.Client(
        provider="azure",
        api_key=KEY,
        settings={"endpoint": ENDPOINT},
        allow_retired=True,
        clock=clock,
        sleep=clock.sleep,
        http_client=httpx.Client(transport=server.transport(), follow_redirects=True),
    )


def test_a_following_http_client_does_not_follow_a_submit_redirect() -> None:
    server = FakeServer().route("POST", JOBS_PATH, reply(302, headers={"location": BLOB}))
    with following(server) as c, pytest.raises(vidgen.ProtocolError):
        c.submit(plain_request())

    # httpx would have forwarded api-key (it drops only Authorization across hosts).
    assert seen(server) == [(RESOURCE, KEY, None)]


def test_a_following_http_client_leaves_download_redirects_to_vidgen(tmp_path: Path) -> None:
    server = blob_redirect()
    with following(server) as c:
        out = c.download(succeeded(c.provider), tmp_path / "out.mp4")

    assert out.read_bytes() == b"stub-mp4-bytes-from-blob"
    assert seen(server) == KEY_STAYS_HOME


@pytest.mark.anyio
async def test_a_following_async_http_client_leaves_download_redirects_to_vidgen(
    tmp_path: Path,
) -> None:
    server = blob_redirect()
    clock = FakeClock(start=1743551594.0)
    async with (
        httpx.AsyncClient(transport=server.transport(), follow_redirects=True) as http,
        vidgen.AsyncClient(
            provider="azure",
            api_key=KEY,
            settings={"endpoint": ENDPOINT},
            allow_retired=True,
            clock=clock,
            sleep=clock.asleep,
            http_client=http,
        ) as c,
    ):
        await c.download(succeeded(c.provider), tmp_path / "out.mp4")

    assert seen(server)[1] == (BLOB_HOST, None, None)


def test_a_download_past_expires_at_is_refused_before_any_http(
    no_http: FakeServer, tmp_path: Path
) -> None:
    with (
        client(no_http, start=SUCCEEDED_EXPIRES_AT + 1.0) as c,
        pytest.raises(vidgen.ContentExpired) as caught,
    ):
        c.download(succeeded(c.provider), tmp_path / "late.mp4")

    assert "task_01" in str(caught.value)

    assert no_http.requests == []
    assert not (tmp_path / "late.mp4").exists()
