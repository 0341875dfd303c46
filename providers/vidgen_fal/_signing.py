"""fal's webhook signatures: ED25519 over ``request_id\\nuser_id\\ntimestamp\\nsha256(body)``.

The public keys are data: a JSON Web Key Set (``{"keys": [{"kty": "OKP", "crv": "Ed25519",
"x": "<base64url>"}, ...]}``) that fal publishes at https://rest.fal.ai/.well-known/jwks.json
and that the user gives vidgen (a dict, JSON text, or the path of a JSON file).
``cryptography`` does the ED25519 check; it is imported only when a delivery is verified.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vidgen import ConfigError, WebhookRejected
from vidgen.provider import Delivery, from_unix

#: Where fal publishes its webhook keys (fetching them is the user's job; see the docs).
JWKS_URL = "https://rest.fal.ai/.well-known/jwks.json"
#: fal's tolerance: a delivery signed more than this many seconds from now is refused.
TOLERANCE = 300

_HEADERS = (
    "x-fal-webhook-request-id",
    "x-fal-webhook-user-id",
    "x-fal-webhook-timestamp",
    "x-fal-webhook-signature",
)
_INSTALL = "pip install 'vidgen[webhooks]'"


def load_jwks(value: Any, *, setting: str = "webhook_jwks") -> tuple[bytes, ...]:
    """The ED25519 public keys (raw 32 bytes each) in a JWKS given as a dict, JSON or a path.

    Raises:
        ConfigError: the value is not a readable JWKS with at least one Ed25519 key.
    """
    source = "the JWKS"
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, Path) or (isinstance(value, str) and not value.lstrip().startswith("{")):
        path = Path(value).expanduser()
        source = str(path)
        try:
            value = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"fal: {setting} {str(path)!r} cannot be read ({exc}); save fal's keys there "
                f"(curl -o {path} {JWKS_URL})"
            ) from exc
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ConfigError(f"fal: {setting}: {source} is not JSON ({exc})") from exc
    if not isinstance(value, Mapping) or not isinstance(value.get("keys"), list):
        raise ConfigError(
            f'fal: {setting} must be a JWKS, {{"keys": [...]}}, as published at {JWKS_URL}'
        )
    keys = []
    for entry in value["keys"]:
        if not isinstance(entry, Mapping):
            continue
        if entry.get("kty", "OKP") != "OKP" or entry.get("crv", "Ed25519") != "Ed25519":
            continue
        raw = _b64url(entry.get("x"))
        if raw is not None and len(raw) == 32:
            keys.append(raw)
    if not keys:
        raise ConfigError(f"fal: {setting}: {source} holds no Ed25519 key (kty OKP, crv Ed25519)")
    return tuple(keys)


def verify(
    headers: Mapping[str, str], body: bytes, *, keys: tuple[bytes, ...], now: dt.datetime
) -> Delivery:
    """Check one delivery's headers and signature against ``keys``, at ``now``.

    Raises:
        WebhookRejected: malformed (missing or unreadable headers), stale (more than
            `TOLERANCE` seconds from ``now``) or forged (no key verifies the signature).
        ConfigError: ``cryptography`` is not installed.
    """
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    missing = [name for name in _HEADERS if not lowered.get(name, "").strip()]
    if missing:
        raise WebhookRejected(
            f"fal webhook without {', '.join(missing)}; not a fal delivery", reason="malformed"
        )
    request_id, user_id, timestamp, signature = (lowered[name].strip() for name in _HEADERS)
    try:
        sent = int(timestamp)
        sent_at = from_unix(sent)
    except (ValueError, OverflowError):
        raise WebhookRejected(
            f"fal webhook timestamp {timestamp!r} is not unix seconds", reason="malformed"
        ) from None
    assert sent_at is not None
    if abs((now - sent_at).total_seconds()) > TOLERANCE:
        raise WebhookRejected(
            f"fal webhook signed at {sent_at.isoformat()}, more than {TOLERANCE} s from now "
            f"({now.isoformat()}); refused as stale (check this machine's clock)",
            reason="stale",
        )
    try:
        signature_bytes = bytes.fromhex(signature)
    except ValueError:
        raise WebhookRejected(
            "fal webhook signature is not hexadecimal", reason="malformed"
        ) from None
    message = "\n".join([request_id, user_id, timestamp, hashlib.sha256(body).hexdigest()]).encode(
        "utf-8"
    )
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError as exc:  # pragma: no cover - the dev extra installs it
        raise ConfigError(
            f"verifying fal webhooks needs the cryptography package: {_INSTALL}"
        ) from exc
    for raw in keys:
        try:
            Ed25519PublicKey.from_public_bytes(raw).verify(signature_bytes, message)
        except (InvalidSignature, ValueError):
            continue
        return Delivery(id=request_id, sent_at=sent_at)
    raise WebhookRejected(
        "fal webhook signature matches none of the configured keys (webhook_jwks); if fal "
        f"rotated its keys, fetch {JWKS_URL} again",
        reason="forged",
        status_code=401,
    )


def _b64url(value: Any) -> bytes | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
    except (ValueError, binascii.Error):
        return None
