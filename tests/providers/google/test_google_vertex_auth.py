"""google-vertex's settings and credentials: a token provider, or application-default
credentials through google-auth (never installed for the tests: a stand-in module plays
it), and the messages that say what to set when something is missing."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
from google_payloads import PROJECT, TOKEN

import vidgen
from vidgen_google import GoogleVertexProvider


class FakeCredentials:
    """What google-auth's credentials offer vidgen: valid, token, refresh(request)."""

    def __init__(self, *, fail: bool = False) -> None:
        self.valid = False
        self.token: str | None = None
        self.refreshed = 0
        self.fail = fail

    def refresh(self, request: Any) -> None:
        self.refreshed += 1
        if self.fail:
            raise sys.modules["google.auth.exceptions"].RefreshError("invalid_grant: token revoked")
        self.valid = True
        self.token = f"adc-token-{self.refreshed}-0123456789"


@pytest.fixture
def fake_google_auth(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Stand-in ``google.auth`` modules; ``state`` sets what ``default()`` returns."""
    state: dict[str, Any] = {"credentials": FakeCredentials(), "project": "adc-project", "calls": 0}
    google = types.ModuleType("google")
    auth = types.ModuleType("google.auth")
    exceptions = types.ModuleType("google.auth.exceptions")
    transport = types.ModuleType("google.auth.transport")
    requests_mod = types.ModuleType("google.auth.transport.requests")

    class DefaultCredentialsError(Exception):
        pass

    class RefreshError(Exception):
        pass

    def default(scopes: list[str]) -> tuple[Any, str | None]:
        state["calls"] += 1
        state["scopes"] = scopes
        if state.get("missing"):
            raise DefaultCredentialsError("no credentials")
        return state["credentials"], state["project"]

    for module, name, value in (
        (exceptions, "DefaultCredentialsError", DefaultCredentialsError),
        (exceptions, "RefreshError", RefreshError),
        (auth, "default", default),
        (requests_mod, "Request", object),
    ):
        setattr(module, name, value)
    for name, module in (
        ("google", google),
        ("google.auth", auth),
        ("google.auth.exceptions", exceptions),
        ("google.auth.transport", transport),
        ("google.auth.transport.requests", requests_mod),
    ):
        monkeypatch.setitem(sys.modules, name, module)
    return state


def vertex(**settings: Any) -> GoogleVertexProvider:
    provider = vidgen.get_provider("google-vertex", **settings)
    assert isinstance(provider, GoogleVertexProvider)
    return provider


def request_for(provider: GoogleVertexProvider) -> Any:
    return provider.build_submit(provider.fit(vidgen.VideoRequest(prompt="x")))


def test_the_token_provider_is_asked_for_each_request() -> None:
    tokens = iter(["token-one-0123456789", "token-two-0123456789"])
    provider = vertex(project=PROJECT, token_provider=lambda: next(tokens))
    assert provider.auth_headers() == {"Authorization": "Bearer token-one-0123456789"}
    assert provider.auth_headers() == {"Authorization": "Bearer token-two-0123456789"}
    assert provider.has_key


def test_a_token_provider_that_returns_nothing_is_a_config_error() -> None:
    provider = vertex(project=PROJECT, token_provider=lambda: "")
    with pytest.raises(vidgen.ConfigError, match="returned no token"):
        provider.auth_headers()
    with pytest.raises(vidgen.ConfigError, match="callable"):
        vertex(project=PROJECT, token_provider="a-token")


def test_the_token_never_shows() -> None:
    provider = vertex(project=PROJECT, token_provider=lambda: TOKEN)
    assert TOKEN not in repr(provider)
    assert "token_provider" not in provider.public_settings()
    assert provider.public_settings() == {"project": PROJECT}


def test_application_default_credentials_are_refreshed_once_and_bring_their_project(
    fake_google_auth: dict[str, Any],
) -> None:
    provider = vertex()
    provider.prepare()
    assert provider.project == "adc-project"
    assert fake_google_auth["scopes"] == ["https://www.googleapis.com/auth/cloud-platform"]
    first = request_for(provider)
    assert first.headers["authorization"] == "Bearer adc-token-1-0123456789"
    assert "/projects/adc-project/" in first.url.path
    request_for(provider)
    assert fake_google_auth["credentials"].refreshed == 1
    assert fake_google_auth["calls"] == 1


def test_a_project_setting_wins_over_the_credentials_project(
    fake_google_auth: dict[str, Any],
) -> None:
    provider = vertex(project="my-project")
    assert "/projects/my-project/" in request_for(provider).url.path


def test_the_project_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "env-project")
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "europe-west4")
    provider = vertex(token_provider=lambda: TOKEN)
    url = request_for(provider).url
    assert url.host == "europe-west4-aiplatform.googleapis.com"
    assert "/projects/env-project/locations/europe-west4/" in url.path


def test_no_project_anywhere_names_the_variable() -> None:
    provider = vertex(token_provider=lambda: TOKEN)
    with pytest.raises(vidgen.ConfigError, match="GOOGLE_CLOUD_PROJECT"):
        request_for(provider)


def test_without_google_auth_the_message_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "google.auth", None)  # an import of it fails
    provider = vertex(project=PROJECT)
    with pytest.raises(vidgen.ConfigError, match=r"vidgen\[google\]"):
        provider.auth_headers()


def test_missing_credentials_say_how_to_log_in(fake_google_auth: dict[str, Any]) -> None:
    fake_google_auth["missing"] = True
    provider = vertex(project=PROJECT)
    with pytest.raises(vidgen.ConfigError, match="gcloud auth application-default login"):
        provider.prepare()


def test_a_failed_refresh_is_an_authentication_error(fake_google_auth: dict[str, Any]) -> None:
    fake_google_auth["credentials"] = FakeCredentials(fail=True)
    provider = vertex(project=PROJECT)
    with pytest.raises(vidgen.AuthenticationError, match="invalid_grant"):
        provider.auth_headers()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"location": "us-central1.evil.example"}, "not a Google Cloud region"),
        ({"location": "US-CENTRAL1"}, "not a Google Cloud region"),
        ({"project": "my project"}, "not a Google Cloud project id"),
        ({"storage_uri": "s3://bucket/x"}, "Cloud Storage URI"),
        ({"storage_uri": "gs://"}, "Cloud Storage URI"),
    ],
)
def test_bad_settings_are_config_errors(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(vidgen.ConfigError, match=message):
        vertex(token_provider=lambda: TOKEN, **settings)


def test_a_custom_base_url_is_kept_for_every_request() -> None:
    provider = vertex(
        project=PROJECT,
        token_provider=lambda: TOKEN,
        base_url="https://psc.example.internal/v1",
    )
    assert request_for(provider).url.host == "psc.example.internal"
    job = vidgen.Job(
        id="projects/p/locations/europe-west4/publishers/google/models/m/operations/o",
        provider="google-vertex",
    )
    assert provider.build_status(job).url.host == "psc.example.internal"
