"""Fixtures for the core tests: a scripted HTTP server, clients on it, an async backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from core_support import FakeAPI

import vidgen
from vidgen.testing import FakeClock


@pytest.fixture
def api() -> FakeAPI:
    return FakeAPI()


@pytest.fixture
def make_client(api: FakeAPI, clock: FakeClock) -> Iterator[Callable[..., vidgen.Client]]:
    """``make_client(**kwargs)``: an OpenAI `Client` on the fake API with fake time."""
    made: list[vidgen.Client] = []

    def make(**kwargs: Any) -> vidgen.Client:
        options: dict[str, Any] = {
            "provider": "openai",
            "api_key": "sk-test-secret",
            "allow_retired": True,
            "clock": clock,
            "sleep": clock.sleep,
            "http_client": httpx.Client(transport=httpx.MockTransport(api)),
            **kwargs,
        }
        client = vidgen.Client(**options)
        made.append(client)
        return client

    yield make
    for client in made:
        client._http.close()


@pytest.fixture
def make_async_client(api: FakeAPI, clock: FakeClock) -> Callable[..., vidgen.AsyncClient]:
    """``make_async_client(**kwargs)``: the async twin of ``make_client``."""

    def make(**kwargs: Any) -> vidgen.AsyncClient:
        options: dict[str, Any] = {
            "provider": "openai",
            "api_key": "sk-test-secret",
            "allow_retired": True,
            "clock": clock,
            "sleep": clock.asleep,
            "http_client": httpx.AsyncClient(transport=httpx.MockTransport(api)),
            **kwargs,
        }
        return vidgen.AsyncClient(**options)

    return make


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
