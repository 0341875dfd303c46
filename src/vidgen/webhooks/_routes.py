"""Which provider a delivery is for, how it is checked, and where its secret comes from.

A route is a provider or a config profile: its name is the path a receiver serves it at
(``POST /replicate``, ``POST /my-fal-profile``). Two kinds of delivery exist:

* ``signed``: the provider signs each delivery (it overrides
  `vidgen.provider.Provider.verify_webhook`): Replicate, fal, OpenRouter. The body is
  trusted once the signature checks out.
* ``token``: the provider POSTs an unsigned callback (it overrides only ``parse_callback``):
  aivideoapi, BytePlus and Volcengine Ark, Kling, MiniMax. The callback URL carries the
  per-job token vidgen added at submit; the body is only a hint and the job is read from
  the API.

Every other provider sends nothing (poll with ``client.wait``).

Secrets come from the caller, else from the environment: ``<NAME>_WEBHOOK_SECRET`` for the
route's name (a profile ``my-rep`` reads ``MY_REP_WEBHOOK_SECRET``), then for its provider
(``REPLICATE_WEBHOOK_SECRET``), each optionally with ``<NAME>_WEBHOOK_PREVIOUS_SECRET``
tried second while a secret is rotated. Without any, the provider's own setting is used
(``webhook_secret`` for Replicate, ``webhook_jwks`` for fal).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import Literal

import attrs

from .._config import ROUTE, Config, load_config
from .._exceptions import ConfigError, WebhookRejected
from ..plugins import get_provider, get_registry
from ..provider import Provider

__all__ = [
    "DeliveryKind",
    "Route",
    "all_routes",
    "delivery_kind",
    "resolve_route",
    "secret_env_names",
    "secrets_from_env",
]

#: How a provider's deliveries are checked: a signature, or the per-job token.
DeliveryKind = Literal["signed", "token"]
"""How a provider's deliveries are checked: ``"signed"`` or ``"token"`` (per job)."""


def delivery_kind(provider: Provider | type[Provider]) -> DeliveryKind | None:
    """``"signed"``, ``"token"``, or None for a provider that sends no deliveries."""
    cls = provider if isinstance(provider, type) else type(provider)
    if cls.verify_webhook is not Provider.verify_webhook:
        return "signed"
    if cls.parse_callback is not Provider.parse_callback:
        return "token"
    return None


def no_webhooks(name: str) -> WebhookRejected:
    """The one line for a provider that sends nothing to receive."""
    return WebhookRejected(
        f"{name} sends no webhooks or callbacks; poll with client.wait(job) "
        "(or `vidgen wait JOB_ID`) instead",
        reason="unsupported",
        status_code=404,
    )


@attrs.frozen(kw_only=True)
class Route:
    """Where one provider's (or profile's) deliveries arrive, and how they are checked.

    Attributes:
        name: the path segment it is served at: the profile's name, else the provider's.
        provider: the provider instance that verifies and parses its deliveries.
        kind: ``"signed"`` or ``"token"`` (see the module's docs).
    """

    name: str
    provider: Provider = attrs.field(eq=False)
    kind: DeliveryKind

    @property
    def secret_envs(self) -> tuple[str, ...]:
        """The environment variables its secret is read from, in order."""
        return secret_env_names(self.name, self.provider.name)

    def describe(self) -> str:
        """One line for people: the path, the provider and how deliveries are checked."""
        where = (
            self.name if self.name == self.provider.name else f"{self.name} ({self.provider.name})"
        )
        if self.kind == "token":
            key = f" (with ${self.provider.key_env})" if self.provider.key_env else ""
            return (
                f"/{where}: unsigned callbacks, checked by vidgen's per-job token; the job is "
                f"then read from the API{key}"
            )
        found = next((name for name in self.secret_envs if os.environ.get(name)), None)
        if found:
            return f"/{where}: signed, secret from ${found}"
        return (
            f"/{where}: signed; no ${self.secret_envs[0]} set, so the provider's own "
            "setting is used (without one, deliveries are refused)"
        )


def _env_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper()


def secret_env_names(route: str, provider: str) -> tuple[str, ...]:
    """``<ROUTE>_WEBHOOK_SECRET``, then ``<PROVIDER>_WEBHOOK_SECRET`` when they differ."""
    names = [f"{_env_name(route)}_WEBHOOK_SECRET"]
    if _env_name(provider) != _env_name(route):
        names.append(f"{_env_name(provider)}_WEBHOOK_SECRET")
    return tuple(names)


def secrets_from_env(route: Route) -> tuple[str, ...]:
    """The route's secrets from the environment: the current one, then the previous one.

    The first variable of `Route.secret_envs` that is set wins; its
    ``..._WEBHOOK_PREVIOUS_SECRET`` twin, when set, is tried second (for a rotation).
    """
    for name in route.secret_envs:
        current = os.environ.get(name, "").strip()
        if current:
            previous = os.environ.get(
                name.replace("_WEBHOOK_SECRET", "_WEBHOOK_PREVIOUS_SECRET"), ""
            ).strip()
            return (current, previous) if previous else (current,)
    return ()


def _config(config: Config | str | os.PathLike[str] | None) -> Config:
    return config if isinstance(config, Config) else load_config(config)


def resolve_route(
    target: str | Provider, config: Config | str | os.PathLike[str] | None = None
) -> Route:
    """The route for a profile name, a provider name or a provider instance.

    A profile of that name in the config wins over a provider of that name.

    Raises:
        ConfigError: the name is neither a profile nor an installed provider.
        WebhookRejected: the provider sends no webhooks or callbacks (``unsupported``).
    """
    if isinstance(target, Provider):
        provider = target
    elif isinstance(target, str) and target:
        loaded = _config(config)
        if target in loaded.profiles:
            chosen = loaded.profile(target)
            if chosen.provider == ROUTE:
                raise ConfigError(
                    f"profile {target!r} is a route over several providers; receive each "
                    "provider's deliveries under its own profile or provider name"
                )
            try:
                provider = get_provider(chosen.provider, profile=chosen.name, **chosen.settings)
            except ConfigError as exc:
                raise ConfigError(f"profile {target!r}: {exc}") from exc
        else:
            provider = get_provider(target)
    else:
        raise ConfigError(
            f"provider must be a provider name, a profile name or a Provider, not {target!r}"
        )
    kind = delivery_kind(provider)
    if kind is None:
        raise no_webhooks(provider.profile or provider.name)
    return Route(name=provider.profile or provider.name, provider=provider, kind=kind)


def all_routes(
    config: Config | str | os.PathLike[str] | None = None,
    names: Sequence[str | Provider] | None = None,
    *,
    skipped: list[str] | None = None,
) -> list[Route]:
    """The routes named (every installed provider and profile that sends deliveries when
    ``names`` is None), one per name.

    Args:
        config: the config whose profiles are served.
        names: profile names, provider names or provider instances to serve.
        skipped: collects a line for each provider or profile left out (when ``names`` is
            None): one that cannot be built with its defaults.

    Raises:
        ConfigError: a name given is unknown, twice, or sends nothing to receive.
    """
    loaded = _config(config)
    routes: list[Route] = []
    if names is not None:
        for name in names:
            try:
                routes.append(resolve_route(name, loaded))
            except WebhookRejected as exc:
                raise ConfigError(str(exc)) from exc
    else:
        registry = get_registry()
        candidates: Iterable[str] = (
            *(n for n in loaded.profiles if loaded.profiles[n].provider != ROUTE),
            *registry.names,
        )
        for name in candidates:
            if name in {r.name for r in routes}:
                continue  # a profile named like a provider stands for it
            if name not in loaded.profiles:
                cls = registry.get(name)
                if cls is None or delivery_kind(cls) is None:
                    continue
            try:
                routes.append(resolve_route(name, loaded))
            except WebhookRejected:
                continue
            except ConfigError as exc:
                if skipped is not None:
                    skipped.append(f"{name}: {exc}")
    seen: set[str] = set()
    for route in routes:
        if route.name in seen:
            raise ConfigError(f"{route.name!r} is served twice; name each route once")
        seen.add(route.name)
    return routes
