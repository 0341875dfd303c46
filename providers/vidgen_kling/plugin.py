"""Registers the ``kling`` provider through vidgen's plugin hook."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .provider import KlingProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``kling``."""
    registry.add(KlingProvider.name, KlingProvider)
