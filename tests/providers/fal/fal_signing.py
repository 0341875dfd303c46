"""Signing fal webhook deliveries in tests, with ED25519 keys made here (never fal's).

fal signs ``request_id\\nuser_id\\ntimestamp\\nhex(sha256(body))`` with ED25519 and publishes
the public keys as a JWKS (fal's webhook docs). These helpers do the same with a key pair
generated per test run.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

USER_ID = "user_0123"


def new_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def jwks(*keys: Ed25519PrivateKey, padded: bool = False) -> dict[str, Any]:
    """The public half of ``keys`` as fal publishes it."""
    entries = []
    for key in keys:
        raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        x = base64.urlsafe_b64encode(raw).decode()
        entries.append({"kty": "OKP", "crv": "Ed25519", "x": x if padded else x.rstrip("=")})
    return {"keys": entries}


def signed(
    key: Ed25519PrivateKey,
    body: dict[str, Any] | bytes,
    *,
    timestamp: int,
    request_id: str | None = None,
) -> tuple[dict[str, str], bytes]:
    """Headers and raw body of a delivery signed as fal signs one."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    rid = request_id or (json.loads(raw)["request_id"] if not isinstance(body, bytes) else "r")
    message = "\n".join([rid, USER_ID, str(timestamp), hashlib.sha256(raw).hexdigest()])
    signature = key.sign(message.encode()).hex()
    headers = {
        "X-Fal-Webhook-Request-Id": rid,
        "X-Fal-Webhook-User-Id": USER_ID,
        "X-Fal-Webhook-Timestamp": str(timestamp),
        "X-Fal-Webhook-Signature": signature,
        "Content-Type": "application/json",
    }
    return headers, raw
