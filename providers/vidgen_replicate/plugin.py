"""Registers the ``replicate`` provider through vidgen's plugin hook."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .provider import ReplicateProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``replicate``."""
    registry.add(ReplicateProvider.name, ReplicateProvider)
