"""Registers the ``runway`` provider through vidgen's plugin hook."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .provider import RunwayProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``runway``."""
    registry.add(RunwayProvider.name, RunwayProvider)
