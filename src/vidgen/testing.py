"""Helpers for testing vidgen and vidgen plugins without a network or a real clock.

* `FakeClock`: a clock and sleep pair; sleeping advances the clock instantly, so
  recorded polling replays in microseconds (``Client(..., clock=c, sleep=c.sleep)``).
* `make_response`: an ``httpx.Response`` for sans-IO tests of ``parse_*`` methods.
* `check_provider`: the contract every provider (built-in or plugin) must meet.
"""

from __future__ import annotations

import datetime as dt
import json as jsonlib
from collections.abc import Mapping
from typing import Any

import httpx

from ._exceptions import ModelRetired, ProviderError, VidgenError
from ._request import VideoRequest
from .provider import Provider

__all__ = ["FakeClock", "check_provider", "make_response"]


class FakeClock:
    """A wall clock (unix seconds) that only moves when something sleeps on it.

    Attributes:
        now: the current time.
        sleeps: every duration slept, in order.
    """

    def __init__(self, start: float = 1_760_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """Advance the clock by ``seconds`` at once."""
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        """The async twin of `sleep`."""
        self.sleep(seconds)

    def advance(self, seconds: float) -> None:
        """Move time on without recording a sleep."""
        self.now += seconds


def make_response(
    status_code: int = 200,
    *,
    json: Any = None,
    content: bytes | str | None = None,
    headers: Mapping[str, str] | None = None,
    method: str = "GET",
    url: str = "https://api.example.invalid/v1/videos",
) -> httpx.Response:
    """A complete ``httpx.Response`` (body read, request attached) for a parse test."""
    if json is not None:
        body = jsonlib.dumps(json).encode()
        all_headers = {"content-type": "application/json", **(headers or {})}
    else:
        body = content.encode() if isinstance(content, str) else (content or b"")
        all_headers = dict(headers or {})
    return httpx.Response(
        status_code,
        content=body,
        headers=all_headers,
        request=httpx.Request(method, url),
    )


def check_provider(provider: Provider, *, today: dt.date | None = None) -> list[str]:
    """Check a provider instance against the contract; return the problems found.

    Checks: a name and display name; a catalog that loads; every price with a source and
    a date; every non-retired model fits a plain request (``nearest``) and quotes; the
    submit request builds without I/O; the key never shows in a repr or a built
    request's repr; an error response parses to a `vidgen.ProviderError`.

    Args:
        provider: an instance, built with a dummy ``api_key`` where it needs one.
        today: the date lifecycle data is checked against.

    Returns:
        Readable problems; empty when the provider meets the contract.
    """
    problems: list[str] = []
    if not provider.name:
        problems.append("the provider class sets no name")
    if not provider.display_name:
        problems.append(f"{provider.name}: no display_name")
    try:
        catalog = provider.catalog
    except VidgenError as exc:
        return [*problems, f"{provider.name}: catalog does not load: {exc}"]
    for spec in catalog.models:
        for price in spec.prices:
            if not price.source:
                problems.append(f"{provider.name}/{spec.id}: a price has no source")
            if price.as_of is None:
                problems.append(f"{provider.name}/{spec.id}: a price has no as_of date")
        request = VideoRequest(prompt="a calm sea at dawn", model=spec.id)
        try:
            fitted = provider.fit(request, policy="nearest", today=today)
        except ModelRetired:
            fitted = provider.fit(request, policy="nearest", allow_retired=True, today=today)
        except VidgenError as exc:
            problems.append(f"{provider.name}/{spec.id}: a plain request does not fit: {exc}")
            continue
        provider.quote(fitted)
        try:
            built: object = provider.build_submit(fitted)
        except VidgenError as exc:
            problems.append(f"{provider.name}/{spec.id}: build_submit failed: {exc}")
            continue
        if not isinstance(built, httpx.Request):
            problems.append(f"{provider.name}: build_submit returned {type(built).__name__}")
    secret = provider._api_key.reveal() if provider._api_key is not None else None
    if secret is not None and len(secret) < 8:
        secret = None  # too short to tell a leak from an ordinary word; use a longer dummy key
    if secret and secret in repr(provider):
        problems.append(f"{provider.name}: the key shows in repr(provider)")
    error: object = provider.parse_error(make_response(500, content=b"<html>oops</html>"))
    if not isinstance(error, ProviderError):
        problems.append(f"{provider.name}: parse_error returned {type(error).__name__}")
    elif secret and secret in str(error):
        problems.append(f"{provider.name}: the key shows in an error message")
    return problems
