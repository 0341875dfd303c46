"""vidgen's provider for Azure OpenAI video generation: the jobs API and the v1 videos path."""

from .provider import AzureProvider

__all__ = ["AzureProvider"]
