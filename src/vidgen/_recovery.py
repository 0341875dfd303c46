"""Finishing what the ledger says is unfinished: the clients behind ``vidgen resume``.

A job is finished with the client that sent it, rebuilt from the ledger (its profile, or
its provider with the non-secret settings kept); `_resume` does the finishing. Nothing
here ever submits a job.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import httpx

from ._client import Client
from ._clock import Clock
from ._config import Config, load_config
from ._ledger import Group, Ledger, LedgerEntry
from ._resume import CannotTell, Outcome, ResumeState, find_submitted, resume_entry

__all__ = [
    "CannotTell",
    "Outcome",
    "ResumeState",
    "client_for",
    "client_for_group",
    "find_submitted",
    "resume_entry",
]


def client_for(
    entry: LedgerEntry,
    *,
    ledger: Ledger,
    config: Config | str | os.PathLike[str] | None = None,
    clock: Clock | None = None,
    sleep: Callable[[float], Any] | None = None,
    http_client: httpx.Client | None = None,
) -> Client:
    """A client for where an entry was sent, on the same ledger.

    The entry's profile when the config still has it; otherwise its provider, rebuilt
    from the non-secret settings the ledger kept (a ``base_url`` or ``models`` given in
    Python), with the key from the environment as before.
    """
    loaded = config if isinstance(config, Config) else load_config(config)
    common: dict[str, Any] = {
        "ledger": ledger,
        "allow_retired": True,
        "clock": clock,
        "sleep": sleep,
        "http_client": http_client,
    }
    if entry.profile and entry.profile in loaded.profiles:
        return Client(entry.profile, config=loaded, **common)
    settings = dict(entry.settings)
    return Client(
        provider=entry.provider,
        base_url=settings.pop("base_url", None),
        api_key_env=settings.pop("api_key_env", None),
        models=settings.pop("models", None),
        settings=settings or None,
        **common,
    )


def client_for_group(
    group: Group,
    *,
    ledger: Ledger,
    config: Config | str | os.PathLike[str] | None = None,
    clock: Clock | None = None,
    sleep: Callable[[float], Any] | None = None,
    http_client: httpx.Client | None = None,
) -> Client:
    """A client like the one that started a storyboard (its profile or provider again)."""
    settings = dict(group.settings)
    loaded = config if config is not None else settings.get("config")
    provider_settings = dict(settings.get("provider_settings") or {})
    common: dict[str, Any] = {
        "ledger": ledger,
        "clock": clock,
        "sleep": sleep,
        "http_client": http_client,
        "allow_retired": bool(settings.get("allow_retired", False)),
        "policy": "nearest" if settings.get("policy") == "nearest" else "strict",
        "max_job_cost": settings.get("max_job_cost"),
    }
    if settings.get("provider"):
        return Client(
            provider=str(settings["provider"]),
            base_url=provider_settings.pop("base_url", None),
            api_key_env=provider_settings.pop("api_key_env", None),
            models=provider_settings.pop("models", None),
            settings=provider_settings or None,
            **common,
        )
    return Client(settings.get("profile"), config=loaded, **common)
