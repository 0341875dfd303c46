"""Fixtures for the aivideoapi tests."""

from __future__ import annotations

import pytest

import vidgen
from vidgen.provider import Provider
from vidgen.testing import FakeClock

#: Near the documented tasks' created_at, so their outputs have not expired yet.
START = 1774790227.0


@pytest.fixture
def anyio_backend() -> str:
    """The async tests run on asyncio."""
    return "asyncio"


@pytest.fixture
def provider() -> Provider:
    """The provider with a dummy key."""
    return vidgen.get_provider("aivideoapi", api_key="sk-test")


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock that starts when the documented completed task was created."""
    return FakeClock(start=START)
