"""Signing Replicate webhook deliveries in tests (Standard Webhooks, a secret made here)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from typing import Any

from standardwebhooks import Webhook


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def signed(
    secret: str, body: dict[str, Any], *, at: dt.datetime, msg_id: str = "msg_2a3KvR8"
) -> tuple[dict[str, str], bytes]:
    raw = json.dumps(body).encode()
    signature = Webhook(secret).sign(msg_id, at, raw.decode())
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": f"v1,bm90IHRoaXMgb25l {signature}",  # rotated secrets: several
        "content-type": "application/json",
    }
    return headers, raw
