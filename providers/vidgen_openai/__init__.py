"""vidgen's providers for the OpenAI Videos API protocol: ``openai`` and ``openai-compatible``.

`VideosAPIProvider` is the protocol itself, public so that relays can build on it.
"""

from .protocol import VideosAPIProvider
from .providers import OpenAICompatibleProvider, OpenAIProvider

__all__ = ["OpenAICompatibleProvider", "OpenAIProvider", "VideosAPIProvider"]
