"""vidgen's provider for Alibaba Cloud Model Studio (DashScope): Wan 2.6 and 2.7 video."""

from .provider import REGIONS, DashscopeProvider

__all__ = ["REGIONS", "DashscopeProvider"]
