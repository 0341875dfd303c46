"""Registers the ``minimax`` provider through vidgen's plugin hook."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .provider import MinimaxProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``minimax``."""
    registry.add(MinimaxProvider.name, MinimaxProvider)
