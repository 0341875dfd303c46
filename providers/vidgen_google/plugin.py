"""Registers the ``google`` and ``google-vertex`` providers through vidgen's plugin hook."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .providers import GoogleProvider, GoogleVertexProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``google`` and ``google-vertex``."""
    registry.add(GoogleProvider.name, GoogleProvider)
    registry.add(GoogleVertexProvider.name, GoogleVertexProvider)
