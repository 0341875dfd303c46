"""Registers the ``azure`` provider through vidgen's plugin hook."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .provider import AzureProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``azure``."""
    registry.add(AzureProvider.name, AzureProvider)
