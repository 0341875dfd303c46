"""Setting up the ``apiyi`` provider: base URL, key, profiles, and the provider contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import vidgen
from vidgen.testing import FakeServer, check_provider, fake_client
from vidgen_apiyi import ApiyiProvider

REQUEST = vidgen.VideoRequest(prompt="A koi pond at golden hour", duration=8, aspect="16:9")


def test_check_provider_finds_no_problems() -> None:
    assert check_provider(vidgen.get_provider("apiyi", api_key="sk-test")) == []


def test_registered_through_the_plugin_door() -> None:
    provider = vidgen.get_provider("apiyi", api_key="sk-test")

    assert isinstance(provider, ApiyiProvider)
    # Registered by the "apiyi" entry point, the door third-party plugins use too.
    registry = vidgen.plugins.get_registry()
    assert registry.origin("apiyi") == "apiyi"
    assert not [f for f in registry.failures if f.plugin == "apiyi"]


def test_default_base_url_and_bearer_key() -> None:
    provider = vidgen.get_provider("apiyi", api_key="sk-test")
    fitted = provider.fit(REQUEST, allow_retired=True)

    submit = provider.build_submit(fitted)

    assert provider.base_url == "https://api.apiyi.com/v1"
    assert str(submit.url) == "https://api.apiyi.com/v1/videos"
    assert submit.headers["authorization"] == "Bearer sk-test"


def test_key_read_from_apiyi_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APIYI_API_KEY", "sk-from-env")
    provider = vidgen.get_provider("apiyi")

    submit = provider.build_submit(provider.fit(REQUEST, allow_retired=True))

    assert provider.has_key
    assert submit.headers["authorization"] == "Bearer sk-from-env"
    assert "sk-from-env" not in repr(provider)


def test_missing_key_is_a_config_error_naming_the_variable() -> None:
    provider = vidgen.get_provider("apiyi")
    fitted = provider.fit(REQUEST, allow_retired=True)  # fit and quote need no key

    assert not provider.has_key
    assert provider.quote(fitted).amount is not None
    with pytest.raises(vidgen.ConfigError, match="APIYI_API_KEY"):
        provider.build_submit(fitted)


def test_missing_key_fails_before_any_request() -> None:
    server = FakeServer()  # answers nothing: any request fails the test
    with (
        fake_client(server, provider="apiyi", api_key=None, allow_retired=True) as client,
        pytest.raises(vidgen.ConfigError, match="APIYI_API_KEY"),
    ):
        client.submit(REQUEST)
    assert server.requests == []


def test_base_url_override_as_a_setting() -> None:
    provider = vidgen.get_provider(
        "apiyi", api_key="sk-test", base_url="https://apiyi-gateway.example.com/v1/"
    )
    job = provider.job_ref("video_abc123def456")

    assert provider.base_url == "https://apiyi-gateway.example.com/v1"
    assert str(provider.build_status(job).url) == (
        "https://apiyi-gateway.example.com/v1/videos/video_abc123def456"
    )


def test_base_url_must_be_http() -> None:
    with pytest.raises(vidgen.ConfigError, match="base_url"):
        vidgen.get_provider("apiyi", base_url="api.apiyi.com/v1")


def test_profile_with_base_url_and_key_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    Path("vidgen.toml").write_text(
        """
default_profile = "relay"

[profiles.relay]
provider = "apiyi"
base_url = "https://apiyi-gateway.example.com/v1"
api_key_env = "MY_APIYI_KEY"
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("MY_APIYI_KEY", "sk-profile")

    with vidgen.Client(allow_retired=True) as client:
        submit = client.provider.build_submit(client.fit(REQUEST))

    assert client.provider.name == "apiyi"
    assert client.provider.profile == "relay"
    assert str(submit.url) == "https://apiyi-gateway.example.com/v1/videos"
    assert submit.headers["authorization"] == "Bearer sk-profile"


def test_profile_without_key_names_the_variable() -> None:
    Path("vidgen.toml").write_text(
        '[profiles.apiyi]\nprovider = "apiyi"\napi_key_env = "MY_APIYI_KEY"\n', encoding="utf-8"
    )

    with vidgen.Client(profile="apiyi", allow_retired=True) as client:
        fitted = client.fit(REQUEST)
        with pytest.raises(vidgen.ConfigError, match="MY_APIYI_KEY"):
            client.provider.build_submit(fitted)


@pytest.mark.parametrize("with_key_variable", [True, False])
def test_switching_from_openai_is_the_provider_line(
    monkeypatch: pytest.MonkeyPatch, with_key_variable: bool
) -> None:
    """The same profile with ``provider = "apiyi"`` sends the same body to APIYI's host."""
    key_line = 'api_key_env = "VIDEO_KEY"\n' if with_key_variable else ""
    monkeypatch.setenv("VIDEO_KEY", "sk-shared")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    monkeypatch.setenv("APIYI_API_KEY", "sk-apiyi")
    built = {}
    for name in ("openai", "apiyi"):
        text = f'[profiles.video]\nprovider = "{name}"\n{key_line}'
        Path("vidgen.toml").write_text(text, encoding="utf-8")
        with vidgen.Client(profile="video", allow_retired=True) as client:
            built[name] = client.provider.build_submit(client.fit(REQUEST))

    before, after = built["openai"], built["apiyi"]
    assert json.loads(before.read()) == json.loads(after.read())
    assert json.loads(after.read())["seconds"] == "8"
    assert str(before.url) == "https://api.openai.com/v1/videos"
    assert str(after.url) == "https://api.apiyi.com/v1/videos"
    if with_key_variable:
        assert before.headers["authorization"] == after.headers["authorization"]
    else:
        assert after.headers["authorization"] == "Bearer sk-apiyi"
