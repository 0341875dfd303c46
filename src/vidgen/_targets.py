"""Where a client may send: a profile, a provider, or a route's candidates, with their limits.

This is the part of a client that reads the config file: it turns ``Client(profile=...)``
or ``Client(provider=...)`` into provider instances, each with the per-job spending limit
that applies to it, and the strategy a route chooses among them with.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

import attrs

from ._config import ROUTE, Config, load_config
from ._exceptions import ConfigError
from .plugins import get_provider
from .provider import Provider

__all__ = ["Strategy", "Target", "Targets", "resolve_targets"]

#: How a client chooses among its providers: one provider, or a route's strategy.
Strategy = Literal["single", "cheapest", "in_order"]


@attrs.frozen
class Target:
    """One provider a client may send to, with the limits that apply to it."""

    provider: Provider
    max_job_cost: Decimal | None
    #: jobs its account works on at once (None: the client's or the provider's default)
    max_in_flight: int | None = None

    @property
    def label(self) -> str:
        """The profile's name, or the provider's when there is no profile."""
        return self.provider.profile or self.provider.name


@attrs.frozen
class Targets:
    """A client's providers, in configured order, and how it chooses among them."""

    targets: tuple[Target, ...]
    strategy: Strategy
    config: Config | None = attrs.field(default=None, eq=False)

    def with_limit(self, limit: Decimal) -> Targets:
        """The same targets under one per-job limit (``Client(max_job_cost=...)``)."""
        return attrs.evolve(
            self, targets=tuple(attrs.evolve(t, max_job_cost=limit) for t in self.targets)
        )


def _profile_provider(config: Config, name: str, given: Mapping[str, Any]) -> Provider:
    chosen = config.profile(name)
    try:
        return get_provider(chosen.provider, profile=chosen.name, **{**chosen.settings, **given})
    except ConfigError as exc:
        where = f" in {config.path}" if config.path else ""
        raise ConfigError(f"profile {chosen.name!r}{where}: {exc}") from exc


def resolve_targets(
    profile: str | None,
    provider: str | Provider | None,
    config: Config | str | os.PathLike[str] | None,
    settings: Mapping[str, Any],
) -> Targets:
    """The providers a client sends to, from a profile, a provider name or an instance.

    Args:
        profile: a profile name (the config's default when neither this nor ``provider``
            is given).
        provider: a registered provider name, or a provider instance.
        config: a loaded `Config`, a config file path, or None for the usual search.
        settings: provider settings given to the client (``api_key``, ``base_url``, ...);
            they override the profile's.

    Raises:
        ConfigError: the profile, provider or a setting is unknown or invalid.
    """
    given = {k: v for k, v in settings.items() if v is not None}
    if isinstance(provider, Provider):
        if profile is not None or given:
            raise ConfigError("pass either a Provider instance or a profile and settings, not both")
        loaded = config if isinstance(config, Config) else None
        limit = loaded.max_job_cost if loaded is not None else None
        return Targets((Target(provider, limit),), "single", loaded)
    if provider is not None and profile is not None:
        raise ConfigError("pass profile= or provider=, not both (--profile or --provider)")
    loaded = config if isinstance(config, Config) else load_config(config)
    if provider is not None:
        return Targets(
            (Target(get_provider(provider, **given), loaded.max_job_cost),), "single", loaded
        )
    chosen = loaded.profile(profile)
    own_limit = chosen.max_job_cost if chosen.max_job_cost is not None else loaded.max_job_cost
    if chosen.provider != ROUTE:
        target = Target(
            _profile_provider(loaded, chosen.name, given), own_limit, chosen.max_in_flight
        )
        return Targets((target,), "single", loaded)
    return Targets(
        tuple(_route_targets(loaded, chosen.name, given, own_limit)),
        chosen.settings.get("strategy", "cheapest"),
        loaded,
    )


def _route_targets(
    config: Config, route: str, given: Mapping[str, Any], own_limit: Decimal | None
) -> Sequence[Target]:
    """A route's candidates: other profiles, or providers used with their defaults."""
    chosen = config.profile(route)
    targets = []
    for name in chosen.settings.get("candidates", ()):
        if name in config.profiles:
            candidate = config.profiles[name]
            if candidate.provider == ROUTE:
                raise ConfigError(f"route {route!r}: candidate {name!r} is a route itself")
            limit = chosen.max_job_cost
            if limit is None:
                limit = candidate.max_job_cost if candidate.max_job_cost is not None else own_limit
            targets.append(
                Target(_profile_provider(config, name, given), limit, candidate.max_in_flight)
            )
            continue
        try:
            targets.append(Target(get_provider(name, **given), own_limit))
        except ConfigError as exc:
            raise ConfigError(
                f"route {route!r}: candidate {name!r} is neither a profile nor a "
                f"usable provider ({exc})"
            ) from exc
    return targets
