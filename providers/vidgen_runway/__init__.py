"""vidgen's provider for Runway's API (Gen-4.5, Gen-4 Turbo, and the hosted Veo, Seedance, Omni)."""

from .provider import RunwayProvider

__all__ = ["RunwayProvider"]
