"""Kling's API tokens: HS256 JSON Web Tokens minted from an access key and a secret key.

Kling's guide (quick start, "API Authentication") signs ``{"iss": AK, "exp": now + 1800,
"nbf": now - 5}`` with the secret key under the header ``{"alg": "HS256", "typ": "JWT"}``
and sends it as ``Authorization: Bearer <token>``. That is a few lines of the standard
library, so vidgen needs no JWT package; the tests check the result against PyJWT.

Minting needs the time, and a provider never reads the clock: the time comes from the
``clock`` a `KlingJWT` is given (the wall clock unless a test or an application passes its
own), and the provider only calls the minter.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from vidgen import ConfigError
from vidgen.provider import Secret

__all__ = ["KlingJWT", "encode_hs256"]

#: How long a token is valid, and how far back its "not before" is set (Kling's values).
TOKEN_LIFETIME = 1800
CLOCK_SKEW = 5


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _compact(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def encode_hs256(payload: Mapping[str, Any], key: str) -> str:
    """A compact JWT (RFC 7519) of ``payload``, signed with HMAC-SHA256 under ``key``."""
    header = _b64url(_compact({"alg": "HS256", "typ": "JWT"}))
    signing_input = f"{header}.{_b64url(_compact(payload))}"
    signature = hmac.new(key.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


class KlingJWT:
    """Mints a fresh Kling API token each time it is called.

    Args:
        access_key: the access key (the token's ``iss``).
        secret_key: the secret key that signs it.
        clock: the current unix time in seconds; the wall clock by default. Pass a fixed
            or fake clock in tests, or your application's clock.

    A token is valid for 30 minutes from the clock's "now" (and from 5 s before it, for
    servers whose clocks run slightly behind). Minting costs one HMAC, so the provider
    mints one per request instead of caching: a token is never sent stale, however long a
    job is waited on. Neither key ever appears in a repr, a str or an error.
    """

    __slots__ = ("_access_key", "_clock", "_secret_key")

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        try:
            self._access_key = Secret(access_key)
            self._secret_key = Secret(secret_key)
        except ConfigError:
            raise ConfigError(
                "kling: the access key and the secret key must both be non-empty strings"
            ) from None
        if not callable(clock):
            raise ConfigError("kling: clock must be a callable returning unix seconds")
        self._clock = clock

    def __call__(self) -> str:
        """A token valid from 5 s before the clock's now until 30 minutes after it."""
        now = self._clock()
        if not isinstance(now, (int, float)) or not math.isfinite(now):
            raise ConfigError(f"kling: the token clock returned {now!r}, not unix seconds")
        seconds = int(now)
        payload = {
            "iss": self._access_key.reveal(),
            "exp": seconds + TOKEN_LIFETIME,
            "nbf": seconds - CLOCK_SKEW,
        }
        return encode_hs256(payload, self._secret_key.reveal())

    def __repr__(self) -> str:
        return "KlingJWT(access_key='***', secret_key='***')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a KlingJWT holds keys and cannot be pickled")
