"""vidgen's provider for Kling's own API (Kuaishou): text- and image-to-video, std and pro.

`KlingJWT` mints the HS256 tokens Kling's access key and secret key authenticate with;
pass one as ``token_provider`` to control its clock.
"""

from ._auth import KlingJWT, encode_hs256
from .provider import KlingProvider, external_task_id_for

__all__ = ["KlingJWT", "KlingProvider", "encode_hs256", "external_task_id_for"]
