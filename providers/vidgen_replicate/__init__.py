"""vidgen's provider for Replicate's predictions API (``replicate``)."""

from .provider import ReplicateProvider

__all__ = ["ReplicateProvider"]
