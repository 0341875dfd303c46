"""Fixtures for the kling tests: no Kling keys from the environment, the provider, a clock
near the documented tasks, and clients on a `vidgen.testing.FakeServer`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from kling_payloads import CREATED_MS

import vidgen
from vidgen.provider import Provider
from vidgen.testing import FakeClock, FakeServer, fake_async_client, fake_client

KEY = "kling-test-key-0123456789"
#: A minute after the documented create, so its outputs have not expired.
START = CREATED_MS / 1000 + 60

#: The ledger is on, as in a user's client: callbacks find their tokens there.
CLIENT_DEFAULTS: dict[str, Any] = {"provider": "kling", "api_key": KEY, "ledger": True}


@pytest.fixture(autouse=True)
def no_kling_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own Kling keys never reach a test."""
    for name in ("KLING_API_KEY", "KLING_ACCESS_KEY", "KLING_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def provider() -> Provider:
    """The provider with a dummy API key."""
    return vidgen.get_provider("kling", api_key=KEY)


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock a minute after the documented task was created."""
    return FakeClock(start=START)


@pytest.fixture
def make_client(clock: FakeClock) -> Callable[..., vidgen.Client]:
    """``make_client(server, **options)``: a kling `Client` on ``server`` and ``clock``."""

    def make(server: FakeServer, **options: Any) -> vidgen.Client:
        return fake_client(server, clock=clock, **{**CLIENT_DEFAULTS, **options})

    return make


@pytest.fixture
def make_async_client(clock: FakeClock) -> Callable[..., vidgen.AsyncClient]:
    """``make_async_client(server, **options)``: the async twin of ``make_client``."""

    def make(server: FakeServer, **options: Any) -> vidgen.AsyncClient:
        return fake_async_client(server, clock=clock, **{**CLIENT_DEFAULTS, **options})

    return make
