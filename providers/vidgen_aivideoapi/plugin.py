"""Registers the ``aivideoapi`` provider through vidgen's plugin hook."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .provider import AivideoapiProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``aivideoapi``."""
    registry.add(AivideoapiProvider.name, AivideoapiProvider)
