"""Fixtures for the google and google-vertex tests: no Google key, project or credentials
from the environment, and the two providers with dummy credentials."""

from __future__ import annotations

import pytest
from google_payloads import KEY, PROJECT, TOKEN

import vidgen
from vidgen_google import GoogleProvider, GoogleVertexProvider

#: Variables that could bring a real key, project or credentials into a test.
_GOOGLE_ENV = (
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
    "GOOGLE_APPLICATION_CREDENTIALS",
)


@pytest.fixture(autouse=True)
def no_google_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared ``isolated`` fixture does not know Google's variables; this one does."""
    for name in _GOOGLE_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def gemini() -> GoogleProvider:
    """The ``google`` provider with a dummy key."""
    provider = vidgen.get_provider("google", api_key=KEY)
    assert isinstance(provider, GoogleProvider)
    return provider


@pytest.fixture
def vertex() -> GoogleVertexProvider:
    """The ``google-vertex`` provider with a project and a dummy token provider."""
    provider = vidgen.get_provider("google-vertex", project=PROJECT, token_provider=lambda: TOKEN)
    assert isinstance(provider, GoogleVertexProvider)
    return provider
