"""Registers the ``byteplus`` and ``volcengine`` providers through vidgen's plugin hook."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .providers import BytePlusProvider, VolcengineProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``byteplus`` and ``volcengine``."""
    registry.add(BytePlusProvider.name, BytePlusProvider)
    registry.add(VolcengineProvider.name, VolcengineProvider)
