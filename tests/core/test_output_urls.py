"""Output URLs are untrusted (issue 11, item 8): no fetching the local network for a remote
provider, no credentials from a URL, the same checks on every redirect, and an explicit
opt-in (``allow_private_outputs``) for self-hosted setups. The provider's own origin
(a local emulator's 127.0.0.1 included) stays allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

import vidgen
from vidgen.testing import FakeServer, fake_async_client, fake_client, reply

VIDEO = b"stub video bytes"

PRIVATE_URLS = [
    "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "https://127.0.0.1:2375/containers/json",
    "https://[::1]/",
    "https://localhost/v.mp4",
    "https://api.localhost/v.mp4",
    "https://10.0.0.5/v.mp4",
    "https://172.16.3.4/v.mp4",
    "https://192.168.1.1/v.mp4",
    "https://100.64.0.1/v.mp4",
    "https://[fe80::1]/v.mp4",
    "https://[fd00::1]/v.mp4",
    "https://0.0.0.0/v.mp4",
    "https://224.0.0.1/v.mp4",
    "https://2130706433/v.mp4",
    "https://127.1/v.mp4",
    "https://0x7f000001/v.mp4",
    "https://[::ffff:127.0.0.1]/v.mp4",
    "https://[64:ff9b::a9fe:a9fe]/v.mp4",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://printer.local/v.mp4",
    "https://storage/v.mp4",
]


def finished(url: str, provider: str = "aivideoapi") -> vidgen.Job:
    """A succeeded job whose one output is ``url``."""
    return vidgen.Job(
        id="task_1",
        provider=provider,
        status=vidgen.JobStatus.SUCCEEDED,
        outputs=(vidgen.Output(url=url),),
    )


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_an_output_on_the_local_network_is_refused(url: str, tmp_path: Path) -> None:
    server = FakeServer()
    client = fake_client(server, provider="aivideoapi")
    with pytest.raises(vidgen.ProtocolError, match="allow_private_outputs"):
        client.download(finished(url), tmp_path / "v.mp4")
    assert server.requests == []
    assert not (tmp_path / "v.mp4").exists()
    assert not any(p.name.endswith(".part") for p in tmp_path.iterdir())


def test_credentials_in_an_output_url_are_refused(tmp_path: Path) -> None:
    server = FakeServer()
    client = fake_client(server, provider="aivideoapi")
    with pytest.raises(vidgen.ProtocolError, match="user name or password"):
        client.download(finished("https://user:pw@cdn.example.com/v.mp4"), tmp_path / "v.mp4")
    assert server.requests == []


def test_a_public_output_is_downloaded_without_credentials(tmp_path: Path) -> None:
    server = FakeServer().on("GET", "https://cdn.example.com/v.mp4", reply(content=VIDEO))
    client = fake_client(server, provider="aivideoapi")
    path = client.download(finished("https://cdn.example.com/v.mp4"), tmp_path / "v.mp4")
    assert path.read_bytes() == VIDEO
    (sent,) = server.requests
    assert "authorization" not in sent.headers


def test_a_self_hosted_setup_opts_in_to_private_outputs(tmp_path: Path) -> None:
    server = FakeServer().on("GET", "https://10.0.0.5/v.mp4", reply(content=VIDEO))
    client = fake_client(server, provider="aivideoapi", settings={"allow_private_outputs": True})
    path = client.download(finished("https://10.0.0.5/v.mp4"), tmp_path / "v.mp4")
    assert path.read_bytes() == VIDEO
    assert "authorization" not in server.requests[0].headers


def test_the_opt_in_does_not_allow_credentials_in_the_url(tmp_path: Path) -> None:
    server = FakeServer()
    client = fake_client(server, provider="aivideoapi", settings={"allow_private_outputs": True})
    with pytest.raises(vidgen.ProtocolError, match="user name or password"):
        client.download(finished("https://u:p@10.0.0.5/v.mp4"), tmp_path / "v.mp4")


def test_the_opt_in_is_a_profile_setting(tmp_path: Path) -> None:
    config = tmp_path / "vidgen.toml"
    config.write_text(
        "[profiles.home]\n"
        'provider = "aivideoapi"\n'
        'api_key_env = "HOME_KEY"\n'
        "allow_private_outputs = true\n"
    )
    client = vidgen.Client("home", config=config, ledger=False)
    assert client.provider.allow_private_outputs is True
    assert client.provider.public_settings()["allow_private_outputs"] is True
    assert vidgen.get_provider("aivideoapi").allow_private_outputs is False


def test_the_opt_in_must_be_a_boolean() -> None:
    with pytest.raises(vidgen.ConfigError, match="allow_private_outputs must be true or false"):
        vidgen.get_provider("aivideoapi", allow_private_outputs="yes")


def test_the_providers_own_loopback_origin_stays_allowed(tmp_path: Path) -> None:
    # A local emulator serves its API and its outputs from 127.0.0.1.
    server = FakeServer().route("GET", "/v1/videos/video_1/content", reply(content=VIDEO))
    client = fake_client(server, provider="openai-compatible", base_url="http://127.0.0.1:8123/v1")
    job = vidgen.Job(
        id="video_1",
        provider="openai-compatible",
        status=vidgen.JobStatus.SUCCEEDED,
        outputs=(vidgen.Output(ref="video_1"),),
    )
    path = client.download(job, tmp_path / "v.mp4")
    assert path.read_bytes() == VIDEO
    assert server.requests[0].headers["authorization"] == "Bearer sk-test-0123456789"


def test_another_port_on_loopback_is_not_the_providers_origin(tmp_path: Path) -> None:
    server = FakeServer().route(
        "GET",
        "/v1/videos/video_1/content",
        reply(302, headers={"location": "https://127.0.0.1:2375/containers/json"}),
    )
    client = fake_client(server, provider="openai-compatible", base_url="https://127.0.0.1:8123/v1")
    job = vidgen.Job(
        id="video_1",
        provider="openai-compatible",
        status=vidgen.JobStatus.SUCCEEDED,
        outputs=(vidgen.Output(ref="video_1"),),
    )
    with pytest.raises(vidgen.ProtocolError, match="loopback"):
        client.download(job, tmp_path / "v.mp4")
    assert [r.url.port for r in server.requests] == [8123]


# -- redirects get the same checks ------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]:2375/containers/json",
        "https://localhost/v.mp4",
        "https://user:pw@cdn2.example.com/v.mp4",
    ],
)
def test_a_redirect_to_the_local_network_is_refused(location: str, tmp_path: Path) -> None:
    server = FakeServer().on(
        "GET", "https://cdn.example.com/v.mp4", reply(302, headers={"location": location})
    )
    client = fake_client(server, provider="aivideoapi")
    with pytest.raises(vidgen.ProtocolError):
        client.download(finished("https://cdn.example.com/v.mp4"), tmp_path / "v.mp4")
    assert [r.url.host for r in server.requests] == ["cdn.example.com"]
    assert not (tmp_path / "v.mp4").exists()
    assert not any(p.name.endswith(".part") for p in tmp_path.iterdir())


def test_a_redirect_from_the_providers_own_api_to_metadata_is_refused(tmp_path: Path) -> None:
    server = FakeServer().route(
        "GET",
        "/v1/videos/video_1/content",
        reply(307, headers={"location": "https://169.254.169.254/latest/meta-data/"}),
    )
    client = fake_client(server, provider="openai", allow_retired=True)
    job = vidgen.Job(
        id="video_1",
        provider="openai",
        status=vidgen.JobStatus.SUCCEEDED,
        outputs=(vidgen.Output(ref="video_1"),),
    )
    with pytest.raises(vidgen.ProtocolError, match="link-local"):
        client.download(job, tmp_path / "v.mp4")
    assert [r.url.host for r in server.requests] == ["api.openai.com"]


def test_a_redirect_to_a_public_cdn_is_followed(tmp_path: Path) -> None:
    server = (
        FakeServer()
        .on(
            "GET",
            "https://cdn.example.com/v.mp4",
            reply(302, headers={"location": "https://cdn2.example.com/v.mp4"}),
        )
        .on("GET", "https://cdn2.example.com/v.mp4", reply(content=VIDEO))
    )
    client = fake_client(server, provider="aivideoapi")
    path = client.download(finished("https://cdn.example.com/v.mp4"), tmp_path / "v.mp4")
    assert path.read_bytes() == VIDEO


@pytest.mark.anyio
async def test_async_refuses_a_redirect_to_metadata(tmp_path: Path) -> None:
    server = FakeServer().on(
        "GET",
        "https://cdn.example.com/v.mp4",
        reply(302, headers={"location": "https://169.254.169.254/"}),
    )
    client = fake_async_client(server, provider="aivideoapi")
    with pytest.raises(vidgen.ProtocolError, match="allow_private_outputs"):
        await client.download(finished("https://cdn.example.com/v.mp4"), tmp_path / "v.mp4")
    assert len(server.requests) == 1


# -- what counts as local -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["cdn.example.com", "8.8.8.8", "2001:4860:4860::8888", "storage.googleapis.com"]
)
def test_public_hosts_are_not_local(host: str) -> None:
    from vidgen._untrusted import local_destination

    assert local_destination(host) is None


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
