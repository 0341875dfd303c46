"""vidgen's provider for aivideoapi's task API (envelopes, integer durations, callbacks)."""

from .provider import AivideoapiProvider

__all__ = ["AivideoapiProvider"]
