"""Fixtures for the webhook tests: no real secret or key, a fake clock, a ledger."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from webhook_cases import ALL

import vidgen
import vidgen.plugins
from vidgen.testing import FakeClock

#: When the tests' deliveries arrive (the fake clock's start).
START = 1_796_040_000.0  # 2026-11-30 10:40 UTC


@pytest.fixture(autouse=True)
def _no_real_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """A signing secret or key on the developer's machine never reaches a test; every
    provider gets a dummy key (re-reads go to a FakeServer)."""
    for name in list(os.environ):
        if name.endswith(("_WEBHOOK_SECRET", "_WEBHOOK_PREVIOUS_SECRET")):
            monkeypatch.delenv(name)
    registry = vidgen.plugins.get_registry()
    for name in ALL:
        cls = registry.get(name)
        assert cls is not None
        assert cls.api_key_env
        monkeypatch.setenv(cls.api_key_env, f"test-key-{name}")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=START)


@pytest.fixture
def ledger(tmp_path: Path, clock: FakeClock) -> Iterator[vidgen.Ledger]:
    book = vidgen.Ledger(tmp_path / "ledger.sqlite3", clock=clock)
    yield book
    book.close()
