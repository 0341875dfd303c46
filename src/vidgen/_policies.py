"""How often to retry and to poll: small values the client and providers share."""

from __future__ import annotations

import random

import attrs

from ._public import public

__all__ = ["PollPolicy", "RetryPolicy"]


@public
@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How reads and submits are retried.

    Attributes:
        read_attempts: tries for a status, list or download request in all.
        submit_attempts: tries for a submit (only resent when provably not received,
            or after a 429 rate limit).
        initial, maximum: the backoff's first and largest delay in seconds (doubling).
        max_server_wait: the longest server-requested wait that is honoured.
        jitter: the random fraction added to backoff delays (0 for none).
    """

    read_attempts: int = 5
    submit_attempts: int = 3
    initial: float = 0.5
    maximum: float = 8.0
    max_server_wait: float = 120.0
    jitter: float = 0.1

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """The delay before try number ``attempt + 1``."""
        base = min(self.maximum, self.initial * 2.0 ** (attempt - 1))
        return base * (1 + self.jitter * rng.random())


@public
@attrs.frozen(kw_only=True)
class PollPolicy:
    """How often a waiting client polls when the server gives no hint.

    The delay starts at ``initial`` and grows by ``factor`` up to ``maximum``; a hint
    from the server (``openai-poll-after-ms``, ``Retry-After``) wins, within
    ``min_delay`` and ``max_delay``.
    """

    initial: float = 5.0
    factor: float = 1.5
    maximum: float = 20.0
    min_delay: float = 0.2
    max_delay: float = 120.0
