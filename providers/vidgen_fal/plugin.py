"""Registers the ``fal`` provider through vidgen's plugin hook."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .provider import FalProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``fal``."""
    registry.add(FalProvider.name, FalProvider)
