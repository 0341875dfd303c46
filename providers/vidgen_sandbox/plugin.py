"""Registers the ``sandbox`` provider through vidgen's plugin hook, like any third-party plugin."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .provider import SandboxProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``sandbox``."""
    registry.add(SandboxProvider.name, SandboxProvider)
