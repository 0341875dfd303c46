"""Fixtures for the emulator tests: one running emulator per module, on a hand-moved clock."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from emulator_support import TIMING

from vidgen.emulator import Emulator
from vidgen.testing import FakeClock


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[Emulator, FakeClock]]:
    """An emulator on a clock that only moves when a test moves it (shared by a module:
    starting a server per test would cost more than the tests)."""
    clock = FakeClock()
    with Emulator(clock=clock, timing=TIMING) as emulator:
        yield emulator, clock


@pytest.fixture
def emulator(shared: tuple[Emulator, FakeClock]) -> Iterator[Emulator]:
    """The module's emulator, with no faults and fresh counters."""
    emulator = shared[0]
    emulator.clear_faults()
    emulator.reset_stats()
    yield emulator
    emulator.clear_faults()


@pytest.fixture
def emu_clock(shared: tuple[Emulator, FakeClock]) -> FakeClock:
    """The emulator's clock: ``emu_clock.advance(seconds)`` moves every job on."""
    return shared[1]


@pytest.fixture
def http(emulator: Emulator) -> Iterator[httpx.Client]:
    """A plain HTTP client on the emulator."""
    with httpx.Client(base_url=emulator.url, timeout=30) as client:
        yield client
