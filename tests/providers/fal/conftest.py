"""Fixtures for the fal tests: no real key in the environment, the provider with a dummy key."""

from __future__ import annotations

import pytest

import vidgen
from vidgen.provider import Provider

KEY = "fal-test-key-0123456789"


@pytest.fixture(autouse=True)
def no_fal_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's FAL_KEY never reaches a test."""
    monkeypatch.delenv("FAL_KEY", raising=False)


@pytest.fixture
def provider() -> Provider:
    """The fal provider with a dummy key."""
    return vidgen.get_provider("fal", api_key=KEY)
