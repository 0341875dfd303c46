"""vidgen's provider for fal's queue API (``fal``): hosted video models as catalog data."""

from .provider import FalProvider, app_of

__all__ = ["FalProvider", "app_of"]
