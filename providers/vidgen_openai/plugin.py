"""Registers the OpenAI providers through vidgen's plugin hook, like any third-party plugin."""

from __future__ import annotations

from vidgen.plugins import Registry, hookimpl

from .providers import OpenAICompatibleProvider, OpenAIProvider


@hookimpl
def vidgen_register_providers(registry: Registry) -> None:
    """Register ``openai`` and ``openai-compatible``."""
    registry.add(OpenAIProvider.name, OpenAIProvider)
    registry.add(OpenAICompatibleProvider.name, OpenAICompatibleProvider)
