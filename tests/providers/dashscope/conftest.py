"""Fixtures for the dashscope tests: no DashScope key from the environment, the provider, a
clock near the documented tasks, and clients on a `vidgen.testing.FakeServer`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

import vidgen
from vidgen.provider import Provider
from vidgen.testing import FakeClock, FakeServer, fake_async_client, fake_client

KEY = "dashscope-test-key-0123456789"
#: 2025-09-25 11:07:30 in Beijing: the documented image-to-video task's submit time.
START = dt.datetime(2025, 9, 25, 3, 7, 30, tzinfo=dt.timezone.utc).timestamp()

CLIENT_DEFAULTS: dict[str, Any] = {"provider": "dashscope", "api_key": KEY, "ledger": True}


@pytest.fixture(autouse=True)
def no_dashscope_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own DashScope key never reaches a test."""
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)


@pytest.fixture
def provider() -> Provider:
    """The provider with a dummy key."""
    return vidgen.get_provider("dashscope", api_key=KEY)


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at the documented task's submit time."""
    return FakeClock(start=START)


@pytest.fixture
def make_client(clock: FakeClock) -> Callable[..., vidgen.Client]:
    """``make_client(server, **options)``: a dashscope `Client` on ``server`` and ``clock``."""

    def make(server: FakeServer, **options: Any) -> vidgen.Client:
        return fake_client(server, clock=clock, **{**CLIENT_DEFAULTS, **options})

    return make


@pytest.fixture
def make_async_client(clock: FakeClock) -> Callable[..., vidgen.AsyncClient]:
    """``make_async_client(server, **options)``: the async twin of ``make_client``."""

    def make(server: FakeServer, **options: Any) -> vidgen.AsyncClient:
        return fake_async_client(server, clock=clock, **{**CLIENT_DEFAULTS, **options})

    return make
