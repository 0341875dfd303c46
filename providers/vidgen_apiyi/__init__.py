"""vidgen's provider for APIYI's Sora 2 official relay (OpenAI-compatible ``/v1/videos``)."""

from .provider import ApiyiProvider

__all__ = ["ApiyiProvider"]
