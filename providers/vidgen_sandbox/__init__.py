"""vidgen's ``sandbox`` provider: the whole job lifecycle with no key, no network, no bill.

See `SandboxProvider`.
"""

from .provider import SandboxProvider

__all__ = ["SandboxProvider"]
