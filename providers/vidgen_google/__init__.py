"""vidgen's providers for Google's video APIs: ``google`` (the Gemini API: Veo and Gemini
Omni) and ``google-vertex`` (Veo on Vertex AI).

`GoogleVideoProvider` (in `vidgen_google.protocol`) is the wire format both share, public
so that a relay speaking it can build on it.
"""

from .protocol import GoogleVideoProvider
from .providers import GoogleProvider, GoogleVertexProvider

__all__ = ["GoogleProvider", "GoogleVertexProvider", "GoogleVideoProvider"]
