"""vidgen's providers for Seedance on Ark: ``byteplus`` (international) and ``volcengine``
(mainland China).

`vidgen_ark.protocol` is the content-array task protocol itself, public so that other
vendors with the same shape build on it (MiniMax's V2 API does, in ``vidgen_minimax``).
"""

from .protocol import ContentTaskProvider
from .providers import ArkProvider, BytePlusProvider, VolcengineProvider

__all__ = ["ArkProvider", "BytePlusProvider", "ContentTaskProvider", "VolcengineProvider"]
