"""Fixtures for the Replicate tests: no real token, the provider with a dummy one, and a
cassette matcher that ignores the random callback token in a webhook URL."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import vidgen
from vidgen.provider import Provider

KEY = "r8_test_0123456789abcdef"


@pytest.fixture(autouse=True)
def no_replicate_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's REPLICATE_API_TOKEN never reaches a test."""
    monkeypatch.delenv("REPLICATE_API_TOKEN", raising=False)


@pytest.fixture
def provider() -> Provider:
    """The Replicate provider with a dummy token."""
    return vidgen.get_provider("replicate", api_key=KEY)


def _normal_body(body: Any) -> Any:
    if not body:
        return body
    try:
        data = json.loads(body)
    except (ValueError, TypeError):
        return body
    if isinstance(data, dict) and isinstance(data.get("webhook"), str):
        url = httpx.URL(data["webhook"])
        params = [(k, v) for k, v in url.params.multi_items() if k != "vidgen_token"]
        data["webhook"] = str(url.copy_with(params=params))
    return data


def _replicate_body(r1: Any, r2: Any) -> None:
    """Bodies match as JSON, but for the token inside ``webhook``."""
    assert _normal_body(r1.body) == _normal_body(r2.body), f"{r1.body!r} != {r2.body!r}"


def pytest_recording_configure(config: Any, vcr: Any) -> None:
    """The Replicate cassettes match bodies with `_replicate_body`."""
    vcr.register_matcher("replicate_body", _replicate_body)


@pytest.fixture
def clock() -> Any:
    """A fake clock two minutes after the documented prediction was created, so its output
    (kept for an hour after completion) has not expired yet."""
    import datetime as dt

    from vidgen.testing import FakeClock

    return FakeClock(start=dt.datetime(2024, 1, 1, 0, 2, tzinfo=dt.timezone.utc).timestamp())
