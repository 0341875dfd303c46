"""How often to retry and to poll: small values the client and providers share."""

from __future__ import annotations

import math
import random
from typing import Any

import attrs

from ._public import public

__all__ = ["PollPolicy", "RetryPolicy"]


def _seconds(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    # Every delay a flow sleeps comes from these: NaN or infinity would hang a wait.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{attribute.name} must be a number, not {type(value).__name__}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{attribute.name} must be a finite number, 0 or more; got {value!r}")


def _attempts(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be a whole number, 1 or more; got {value!r}")


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

    read_attempts: int = attrs.field(default=5, validator=_attempts)
    submit_attempts: int = attrs.field(default=3, validator=_attempts)
    initial: float = attrs.field(default=0.5, validator=_seconds)
    maximum: float = attrs.field(default=8.0, validator=_seconds)
    max_server_wait: float = attrs.field(default=120.0, validator=_seconds)
    jitter: float = attrs.field(default=0.1, validator=_seconds)

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """The delay before try number ``attempt + 1``."""
        # The exponent is capped: 2.0 ** 1024 overflows long after the maximum is reached.
        base = min(self.maximum, self.initial * 2.0 ** min(max(attempt - 1, 0), 64))
        return base * (1 + self.jitter * rng.random())


@public
@attrs.frozen(kw_only=True)
class PollPolicy:
    """How often a waiting client polls when the server gives no hint.

    The delay starts at ``initial`` and grows by ``factor`` up to ``maximum``; a hint
    from the server (``openai-poll-after-ms``, ``Retry-After``) wins, within
    ``min_delay`` and ``max_delay``.
    """

    initial: float = attrs.field(default=5.0, validator=_seconds)
    factor: float = attrs.field(default=1.5, validator=_seconds)
    maximum: float = attrs.field(default=20.0, validator=_seconds)
    min_delay: float = attrs.field(default=0.2, validator=_seconds)
    max_delay: float = attrs.field(default=120.0, validator=_seconds)
