"""Registers the ``openrouter`` provider through vidgen's plugin hook."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .provider import OpenRouterProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``openrouter``."""
    registry.add(OpenRouterProvider.name, OpenRouterProvider)
