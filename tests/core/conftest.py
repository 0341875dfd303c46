"""Fixtures for the core tests: a scripted server and OpenAI clients on it, on the fake clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import vidgen
from vidgen.testing import FakeClock, FakeServer, fake_async_client, fake_client

#: What ``make_client`` builds unless a test says otherwise. The ledger is on, as in a
#: user's client, so every flow is tested with the bookkeeping it has in real use.
CLIENT_DEFAULTS: dict[str, Any] = {
    "provider": "openai",
    "api_key": "sk-test-secret",
    "allow_retired": True,
    "ledger": True,
}


@pytest.fixture
def api() -> FakeServer:
    """The server every ``make_client`` client talks to."""
    return FakeServer()


@pytest.fixture
def make_client(api: FakeServer, clock: FakeClock) -> Iterator[Callable[..., vidgen.Client]]:
    """``make_client(**options)``: an OpenAI `Client` on ``api`` and the fake clock."""
    made: list[vidgen.Client] = []

    def make(**options: Any) -> vidgen.Client:
        client = fake_client(api, clock=clock, **{**CLIENT_DEFAULTS, **options})
        made.append(client)
        return client

    yield make
    for client in made:
        client._http.close()


@pytest.fixture
def make_async_client(api: FakeServer, clock: FakeClock) -> Callable[..., vidgen.AsyncClient]:
    """``make_async_client(**options)``: the async twin of ``make_client``."""

    def make(**options: Any) -> vidgen.AsyncClient:
        return fake_async_client(api, clock=clock, **{**CLIENT_DEFAULTS, **options})

    return make
