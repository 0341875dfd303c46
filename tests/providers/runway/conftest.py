"""Fixtures for the Runway tests: the provider, a clock, and clients on a FakeServer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from runway_payloads import KEY, START

import vidgen
from vidgen.provider import Provider
from vidgen.testing import FakeClock, FakeServer, fake_async_client, fake_client

CLIENT_DEFAULTS: dict[str, Any] = {"provider": "runway", "api_key": KEY, "ledger": True}


@pytest.fixture(autouse=True)
def _no_real_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key on the developer's machine never reaches a test."""
    monkeypatch.delenv("RUNWAYML_API_SECRET", raising=False)


@pytest.fixture
def provider() -> Provider:
    """The provider with a dummy key."""
    return vidgen.get_provider("runway", api_key=KEY)


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock when the documented tasks were created."""
    return FakeClock(start=START)


@pytest.fixture
def make_client(clock: FakeClock) -> Callable[..., vidgen.Client]:
    """``make_client(server, **options)``: a Runway client on ``server`` and ``clock``."""

    def make(server: FakeServer, **options: Any) -> vidgen.Client:
        return fake_client(server, clock=clock, **{**CLIENT_DEFAULTS, **options})

    return make


@pytest.fixture
def make_async_client(clock: FakeClock) -> Callable[..., vidgen.AsyncClient]:
    """``make_async_client(server, **options)``: the async twin of ``make_client``."""

    def make(server: FakeServer, **options: Any) -> vidgen.AsyncClient:
        return fake_async_client(server, clock=clock, **{**CLIENT_DEFAULTS, **options})

    return make
