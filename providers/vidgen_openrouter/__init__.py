"""vidgen's provider for OpenRouter's video API (one key, many models, billed cost per job)."""

from .provider import OpenRouterProvider

__all__ = ["OpenRouterProvider"]
