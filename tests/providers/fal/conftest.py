"""Fixtures for the fal tests: no real key in the environment, the provider with a dummy key."""

from __future__ import annotations

from typing import Any

import httpx
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


def _without_token(url: str) -> str:
    """A callback URL without the per-job token vidgen adds (random in every run)."""
    parsed = httpx.URL(url)
    params = [(k, v) for k, v in parsed.params.multi_items() if k != "vidgen_token"]
    return str(parsed.copy_with(params=params))


def _fal_query(r1: Any, r2: Any) -> None:
    """Queries match when equal but for the token inside ``fal_webhook``."""

    def normal(uri: str) -> list[tuple[str, str]]:
        items = httpx.URL(uri).params.multi_items()
        return sorted((k, _without_token(v) if k == "fal_webhook" else v) for k, v in items)

    assert normal(r1.uri) == normal(r2.uri), f"{r1.uri} != {r2.uri}"


def pytest_recording_configure(config: Any, vcr: Any) -> None:
    """The fal cassettes match queries with `_fal_query`."""
    vcr.register_matcher("fal_query", _fal_query)
