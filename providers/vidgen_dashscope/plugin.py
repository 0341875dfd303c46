"""Registers the ``dashscope`` provider through vidgen's plugin hook."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .provider import DashscopeProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``dashscope``."""
    registry.add(DashscopeProvider.name, DashscopeProvider)
