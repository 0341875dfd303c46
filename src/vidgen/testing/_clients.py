"""Clients wired to a fake server and a fake clock: the whole lifecycle, instantly, offline."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import httpx

from .._client import AsyncClient, Client
from .._ledger import Ledger
from .._policies import PollPolicy, RetryPolicy
from ..provider import Provider
from ._clock import FakeClock
from ._http import FakeServer

__all__ = ["fake_async_client", "fake_client"]


def fake_client(
    server: FakeServer,
    *,
    provider: str | Provider | None = None,
    profile: str | None = None,
    api_key: str | None = "sk-test-0123456789",
    base_url: str | None = None,
    models: Sequence[Mapping[str, Any]] | None = None,
    settings: Mapping[str, Any] | None = None,
    clock: FakeClock | None = None,
    ledger: Ledger | str | os.PathLike[str] | bool = False,
    policy: str = "strict",
    allow_retired: bool = False,
    max_job_cost: Decimal | str | None = None,
    max_daily_spend: Decimal | str | None = None,
    retry: RetryPolicy | None = None,
    poll: PollPolicy | None = None,
) -> Client:
    """A `vidgen.Client` whose requests ``server`` answers, on a fake clock.

    Sleeping advances ``clock`` at once (``client.clock``), so polling and retries take no
    time; ``server.requests`` holds what was sent. The ledger is off unless given.
    """
    clock = clock or FakeClock()
    return Client(
        profile,
        provider=provider,
        api_key=None if isinstance(provider, Provider) else api_key,
        base_url=base_url,
        models=models,
        settings=settings,
        policy="nearest" if policy == "nearest" else "strict",
        allow_retired=allow_retired,
        max_job_cost=max_job_cost,
        max_daily_spend=max_daily_spend,
        ledger=ledger,
        clock=clock,
        sleep=clock.sleep,
        retry=retry,
        poll=poll,
        http_client=httpx.Client(transport=server.transport()),
    )


def fake_async_client(
    server: FakeServer,
    *,
    provider: str | Provider | None = None,
    profile: str | None = None,
    api_key: str | None = "sk-test-0123456789",
    base_url: str | None = None,
    models: Sequence[Mapping[str, Any]] | None = None,
    settings: Mapping[str, Any] | None = None,
    clock: FakeClock | None = None,
    ledger: Ledger | str | os.PathLike[str] | bool = False,
    policy: str = "strict",
    allow_retired: bool = False,
    max_job_cost: Decimal | str | None = None,
    max_daily_spend: Decimal | str | None = None,
    retry: RetryPolicy | None = None,
    poll: PollPolicy | None = None,
) -> AsyncClient:
    """The async twin of `fake_client`."""
    clock = clock or FakeClock()
    return AsyncClient(
        profile,
        provider=provider,
        api_key=None if isinstance(provider, Provider) else api_key,
        base_url=base_url,
        models=models,
        settings=settings,
        policy="nearest" if policy == "nearest" else "strict",
        allow_retired=allow_retired,
        max_job_cost=max_job_cost,
        max_daily_spend=max_daily_spend,
        ledger=ledger,
        clock=clock,
        sleep=clock.asleep,
        retry=retry,
        poll=poll,
        http_client=httpx.AsyncClient(transport=server.transport()),
    )
