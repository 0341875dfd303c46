"""Deliveries for every provider that sends them, built here with test secrets and keys.

Nothing here is a recording. The bodies are the documented examples the provider tests
use (tests/providers/<name>/*_payloads.py cite their sources), cut down to what each
parser reads, with ids, times and URLs of our own; the signatures are made with secrets
and ED25519 keys generated per test run, exactly as each vendor signs (WIRE-LIVE.md §2 fal,
§3 Replicate; docs/providers/openrouter.md for OpenRouter).

A `Case` knows, for one provider: how to seed the ledger with a job submitted through
vidgen (with its callback token), how to build a genuine delivery for it and a forged
one, and (for unsigned callbacks) what the provider's API answers when the job is read.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import json
import secrets
import uuid
from typing import Any, Literal

import attrs
import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from standardwebhooks import Webhook

import vidgen
from vidgen import Job, JobStatus
from vidgen._events import SubmitAccepted, SubmitStarting
from vidgen._plan import Attempt
from vidgen.provider import Provider
from vidgen_kling import external_task_id_for

#: Providers whose deliveries are signed, and those whose callbacks carry vidgen's token.
SIGNED = ("replicate", "fal", "openrouter")
TOKEN = ("aivideoapi", "byteplus", "volcengine", "kling", "minimax")
ALL = (*SIGNED, *TOKEN)

#: Bytes standing in for a video (the download is what is tested, not the file).
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"vidgen webhook test video " * 40
HOOK = "https://hooks.example.com/vidgen"

_counter = itertools.count(1)


def _unique() -> int:
    return next(_counter) * 7919 + secrets.randbelow(1_000_000)


def whsec() -> str:
    """A Standard Webhooks secret made for the test run (never Replicate's)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def jwks(key: Ed25519PrivateKey) -> dict[str, Any]:
    """The public half of ``key`` as fal publishes its keys."""
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": base64.urlsafe_b64encode(raw).decode().rstrip("="),
            }
        ]
    }


@attrs.define
class Delivery:
    """One POST as a provider would send it."""

    headers: dict[str, str]
    body: bytes
    #: the query string of the URL it is sent to (the callback token), if any
    query: str = ""


@attrs.define
class Case:
    """One provider's deliveries (see the module's docs)."""

    name: str
    kind: Literal["signed", "token"]
    #: what the route's secret is (a ``whsec_``, an HMAC secret, a JWKS as JSON)
    secret: str | None = None
    #: a second, unrelated secret: deliveries signed with it are forged
    other_secret: str | None = None
    key: Ed25519PrivateKey | None = None
    other_key: Ed25519PrivateKey | None = None

    # -- the job ---------------------------------------------------------------------

    def new_job_id(self) -> str:
        n = _unique()
        if self.name == "replicate":
            return f"rp{n:012d}abcdefghij"
        if self.name == "fal" or self.name == "aivideoapi":
            return str(uuid.uuid4())
        if self.name == "openrouter":
            return f"vid_{n:010d}"
        if self.name in ("byteplus", "volcengine"):
            return f"cgt-20261130100000-{n:06d}"
        if self.name == "minimax":
            return f"4240{n:011d}"
        if self.name == "kling":
            return f"t2v-8605{n:014d}"
        raise AssertionError(self.name)

    def seed(
        self,
        ledger: vidgen.Ledger,
        provider: Provider,
        job_id: str,
        *,
        at: dt.datetime,
        token: str | None = None,
    ) -> None:
        """Record ``job_id`` in the ledger as submitted through vidgen at ``at``."""
        fitted = provider.fit(
            vidgen.VideoRequest(prompt="a lighthouse at dusk", callback_url=HOOK),
            policy="nearest",
            allow_retired=True,
        )
        attempt = Attempt(
            provider=provider.name,
            profile=provider.profile,
            fitted=fitted,
            quote=provider.quote(fitted),
        )
        ledger_id = ledger.record(
            SubmitStarting(at=at, attempt=attempt, endpoint=provider.endpoint, callback_token=token)
        )
        job = Job(
            id=job_id,
            provider=provider.name,
            model=fitted.model,
            status=JobStatus.QUEUED,
            profile=provider.profile,
        )
        ledger.record(
            SubmitAccepted(at=at, ledger_id=ledger_id, job=job, endpoint=provider.endpoint)
        )

    # -- what the provider sends ------------------------------------------------------

    def video_url(self, job_id: str, origin: str | None = None) -> str:
        """Where the job's video is (a CDN, or ``origin`` when given)."""
        base = origin or {
            "replicate": "https://replicate.delivery/xezq/files",
            "fal": "https://v3b.fal.media/files/b",
            "openrouter": "https://openrouter.ai/api/v1/videos",
        }.get(self.name, "https://cdn.example.com/videos")
        if self.name == "openrouter":
            return f"{base}/{job_id}/content"
        return f"{base}/{job_id.replace('/', '_')}.mp4"

    def job_body(
        self, job_id: str, *, at: dt.datetime, status: str = "succeeded", origin: str | None = None
    ) -> dict[str, Any]:
        """The job as the provider describes it, finished ``at`` (status: succeeded,
        running or failed, in the provider's words below)."""
        stamp = int(at.timestamp())
        url = self.video_url(job_id, origin)
        done = status == "succeeded"
        if self.name == "replicate":
            body: dict[str, Any] = {
                "id": job_id,
                "model": "google/veo-3.1-fast",
                "status": {"succeeded": "succeeded", "running": "processing"}.get(status, status),
                "created_at": (at - dt.timedelta(minutes=2)).isoformat().replace("+00:00", "Z"),
                "urls": {"get": f"https://api.replicate.com/v1/predictions/{job_id}"},
            }
            if done:
                body["output"] = url
                body["completed_at"] = at.isoformat().replace("+00:00", "Z")
            return body
        if self.name == "fal":
            if not done:
                return {
                    "request_id": job_id,
                    "gateway_request_id": job_id,
                    "status": "ERROR",
                    "error": "Invalid status code: 422",
                    "payload": {"detail": "failed"},
                }
            return {
                "request_id": job_id,
                "gateway_request_id": job_id,
                "status": "OK",
                "payload": {
                    "video": {
                        "url": url,
                        "content_type": "video/mp4",
                        "width": 1280,
                        "height": 720,
                        "duration": 8.0,
                    },
                    "seed": 7,
                },
            }
        if self.name == "openrouter":
            wire = {"succeeded": "completed", "running": "in_progress"}.get(status, status)
            data: dict[str, Any] = {"id": job_id, "status": wire, "model": "google/veo-3.1-fast"}
            if done:
                data["unsigned_urls"] = [url]
                data["usage"] = {"cost": 0.4, "is_byok": False}
            return {"type": f"video.generation.{wire}", "created_at": stamp, "data": data}
        if self.name == "aivideoapi":
            wire = {"succeeded": "completed", "running": "processing"}.get(status, status)
            body = {"id": job_id, "status": wire, "model": "sora-2", "created_at": stamp - 120}
            if done:
                body["completed_at"] = stamp
                body["output"] = {"urls": [url], "metadata": {"duration": 4}}
            return body
        if self.name in ("byteplus", "volcengine"):
            body = {
                "id": job_id,
                "model": "dreamina-seedance-2-0-260128",
                "status": status,
                "created_at": stamp - 120,
                "updated_at": stamp,
            }
            if done:
                body["content"] = {"video_url": url}
            return body
        if self.name == "minimax":
            task: dict[str, Any] = {
                "id": job_id,
                "model": "MiniMax-H3",
                "status": status,
                "created_at": stamp - 120,
                "updated_at": stamp,
                "duration": 5,
            }
            if done:
                task["content"] = {"url": url}
            return {"task": task}
        raise AssertionError(self.name)

    def kling_task(
        self, job_id: str, token: str, *, at: dt.datetime, status: str, origin: str | None = None
    ) -> dict[str, Any]:
        millis = int(at.timestamp() * 1000)
        task: dict[str, Any] = {
            "task_id": job_id.removeprefix("t2v-"),
            "task_status": {"succeeded": "succeed", "running": "processing"}.get(status, status),
            "task_status_msg": "",
            "task_info": {
                "external_task_id": external_task_id_for(
                    f"{HOOK}?vidgen_token={token}", "text2video"
                )
            },
            "created_at": millis - 120_000,
            "updated_at": millis,
        }
        if status == "succeeded":
            task["task_result"] = {
                "videos": [{"id": "v", "url": self.video_url(job_id, origin), "duration": "5.0"}]
            }
        return task

    def delivery(
        self,
        job_id: str,
        *,
        at: dt.datetime,
        token: str | None = None,
        forged: bool = False,
        status: str = "succeeded",
        ident: str | None = None,
        origin: str | None = None,
    ) -> Delivery:
        """A delivery about ``job_id``, sent (and signed) ``at``; ``forged``: signed with
        a secret that is not the route's, or carrying a token that is not the job's."""
        if self.kind == "token":
            assert token is not None
            given = "forged-" + secrets.token_urlsafe(12) if forged else token
            if self.name == "kling":
                body_json: Any = self.kling_task(job_id, token, at=at, status=status, origin=origin)
            else:
                body_json = self.job_body(job_id, at=at, status=status, origin=origin)
            return Delivery(
                headers={"content-type": "application/json"},
                body=json.dumps(body_json).encode(),
                query=str(httpx.QueryParams({"vidgen_token": given})),
            )
        raw = json.dumps(self.job_body(job_id, at=at, status=status, origin=origin)).encode()
        stamp = int(at.timestamp())
        ident = ident or f"msg_{_unique()}"
        if self.name == "replicate":
            assert self.secret
            assert self.other_secret
            signer = Webhook(self.other_secret if forged else self.secret)
            signature = signer.sign(ident, at, raw.decode())
            return Delivery(
                headers={
                    "webhook-id": ident,
                    "webhook-timestamp": str(stamp),
                    "webhook-signature": signature,
                    "content-type": "application/json",
                },
                body=raw,
            )
        if self.name == "fal":
            assert self.key
            assert self.other_key
            user = "user_0123"
            message = "\n".join([job_id, user, str(stamp), hashlib.sha256(raw).hexdigest()])
            signature = (self.other_key if forged else self.key).sign(message.encode()).hex()
            return Delivery(
                headers={
                    "x-fal-webhook-request-id": job_id,
                    "x-fal-webhook-user-id": user,
                    "x-fal-webhook-timestamp": str(stamp),
                    "x-fal-webhook-signature": signature,
                    "content-type": "application/json",
                },
                body=raw,
            )
        if self.name == "openrouter":
            assert self.secret
            assert self.other_secret
            key = (self.other_secret if forged else self.secret).encode()
            digest = hmac.new(key, f"{stamp},".encode() + raw, hashlib.sha256).hexdigest()
            return Delivery(
                headers={
                    "x-openrouter-signature": f"t={stamp},v1={digest}",
                    "x-openrouter-idempotency-key": f"{job_id}-{status}-{ident}",
                    "content-type": "application/json",
                },
                body=raw,
            )
        raise AssertionError(self.name)

    def status_body(
        self, job_id: str, token: str, *, at: dt.datetime, origin: str | None = None
    ) -> Any:
        """What the provider's API answers when the (succeeded) job is read."""
        if self.name == "kling":
            return {
                "code": 0,
                "message": "SUCCEED",
                "request_id": "r-1",
                "data": self.kling_task(job_id, token, at=at, status="succeeded", origin=origin),
            }
        return self.job_body(job_id, at=at, origin=origin)


def make_case(name: str) -> Case:
    """The case for ``name``, with fresh secrets and keys."""
    if name in TOKEN:
        return Case(name=name, kind="token")
    if name == "fal":
        key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
        return Case(
            name=name,
            kind="signed",
            secret=json.dumps(jwks(key)),
            other_secret=json.dumps(jwks(other)),
            key=key,
            other_key=other,
        )
    if name == "replicate":
        return Case(name=name, kind="signed", secret=whsec(), other_secret=whsec())
    return Case(
        name=name,
        kind="signed",
        secret="or-test-signing-" + secrets.token_hex(8),
        other_secret="or-test-signing-" + secrets.token_hex(8),
    )
