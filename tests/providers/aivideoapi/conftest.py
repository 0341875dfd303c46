"""Fixtures for the aivideoapi tests: the provider, a clock near the documented tasks, and
clients on a `vidgen.testing.FakeServer`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import vidgen
from vidgen.provider import Provider
from vidgen.testing import FakeClock, FakeServer, fake_async_client, fake_client

#: Near the documented tasks' created_at, so their outputs have not expired yet.
START = 1774790227.0

#: The ledger is on, as in a user's client: callbacks find their tokens there.
CLIENT_DEFAULTS: dict[str, Any] = {"provider": "aivideoapi", "api_key": "sk-test", "ledger": True}


@pytest.fixture
def provider() -> Provider:
    """The provider with a dummy key."""
    return vidgen.get_provider("aivideoapi", api_key="sk-test")


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock that starts when the documented completed task was created."""
    return FakeClock(start=START)


@pytest.fixture
def make_client(clock: FakeClock) -> Callable[..., vidgen.Client]:
    """``make_client(server, **options)``: an aivideoapi `Client` on ``server`` and ``clock``."""

    def make(server: FakeServer, **options: Any) -> vidgen.Client:
        return fake_client(server, clock=clock, **{**CLIENT_DEFAULTS, **options})

    return make


@pytest.fixture
def make_async_client(clock: FakeClock) -> Callable[..., vidgen.AsyncClient]:
    """``make_async_client(server, **options)``: the async twin of ``make_client``."""

    def make(server: FakeServer, **options: Any) -> vidgen.AsyncClient:
        return fake_async_client(server, clock=clock, **{**CLIENT_DEFAULTS, **options})

    return make
