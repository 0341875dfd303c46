"""The module the ``vidgen`` entry point names: it registers the provider."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .provider import ExampleProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``example``."""
    registry.add(ExampleProvider.name, ExampleProvider)
