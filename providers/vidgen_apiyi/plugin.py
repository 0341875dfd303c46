"""Registers the ``apiyi`` provider through vidgen's plugin hook."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .provider import ApiyiProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``apiyi``."""
    registry.add(ApiyiProvider.name, ApiyiProvider)
