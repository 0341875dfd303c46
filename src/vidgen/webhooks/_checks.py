"""The checks every delivery goes through, shared by `receive` and the ASGI app.

Nothing in a delivery is trusted until it passes them:

* a signed delivery: the provider's signature and its timestamp tolerance
  (`Provider.verify_webhook`), then its id taken once in the ledger (a second delivery with
  the same id is a replay), then the body parsed and the job's state recorded;
* an unsigned callback: the per-job token vidgen put in the callback URL, compared in
  constant time with the one the ledger kept for the job the body names; the job's age
  against the callback window (a token is good for a limited time); the body's hash taken
  once; and then the job is read from the API, never from the body.

Every failure is a `vidgen.WebhookRejected` whose ``status_code`` a receiver answers with
(400 or 401; 404 for a provider that sends nothing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Mapping, Sequence
from typing import TypeAlias

import attrs
import httpx

from .._callbacks import CALLBACK_TOKEN_PARAM
from .._events import JobSeen
from .._exceptions import ConfigError, ProtocolError, UnsupportedRequest, WebhookRejected
from .._ledger import Ledger, LedgerEntry
from .._models import Job
from .._untrusted import call_parser
from ..provider import Delivery
from ._routes import Route

__all__ = [
    "DEFAULT_CALLBACK_WINDOW",
    "Secrets",
    "check_signed",
    "check_token",
    "content_id",
    "token_in",
]

log = logging.getLogger("vidgen.webhooks")

#: How long after its submit a job's unsigned callbacks are taken. Video jobs end within
#: hours (and most vendors keep a task for a day to a week); a token that leaked (in an
#: access log, say) stops working once its job is this old.
DEFAULT_CALLBACK_WINDOW = dt.timedelta(hours=72)
"""How old a job may be for a token callback about it to be taken (72 hours)."""

#: A secret, or several to try in turn (the new one first while a secret is rotated).
Secrets: TypeAlias = str | bytes | Sequence[str | bytes] | None


def content_id(body: bytes, sent_at: dt.datetime | None = None) -> str:
    """A delivery id for a delivery that names none: the hash of what was signed."""
    digest = hashlib.sha256()
    if sent_at is not None:
        digest.update(sent_at.isoformat().encode() + b"\n")
    digest.update(body)
    return f"sha256:{digest.hexdigest()}"


def token_in(url: str | None) -> str | None:
    """The ``vidgen_token`` in a callback URL (or its query string), if any."""
    if not url:
        return None
    try:
        parsed = httpx.URL(url if "?" in url or "://" in url else f"?{url}")
    except (httpx.InvalidURL, ValueError, TypeError):
        return None
    return parsed.params.get(CALLBACK_TOKEN_PARAM) or None


def _secret_list(secret: Secrets) -> list[str | bytes | None]:
    if secret is None:
        return [None]
    if isinstance(secret, (str, bytes)):
        return [secret]
    found = [s for s in secret if s]
    return list(found) or [None]


def _malformed(route: Route, exc: Exception) -> WebhookRejected:
    rejected = WebhookRejected(
        f"{route.name}: a delivery vidgen cannot read ({exc})", reason="malformed"
    )
    rejected.__cause__ = exc
    return rejected


def _verify(
    route: Route, headers: Mapping[str, str], body: bytes, secret: Secrets, now: dt.datetime
) -> Delivery:
    provider = route.provider
    refused: WebhookRejected | None = None
    for candidate in _secret_list(secret):
        try:
            delivery = call_parser(
                provider,
                "webhook",
                body,
                lambda c=candidate: provider.verify_webhook(headers, body, secret=c, now=now),
            )
        except WebhookRejected as exc:
            if exc.reason != "forged":
                raise  # stale, malformed: another secret would not change that
            refused = exc
            continue
        except ProtocolError as exc:
            raise _malformed(route, exc) from exc
        except ConfigError as exc:
            if candidate is not None:
                raise
            raise ConfigError(
                f"{route.name}: no webhook secret to verify deliveries with: set "
                f"{route.secret_envs[0]} (or pass secret=) ({exc})"
            ) from exc
        if not isinstance(delivery, Delivery):
            raise _malformed(
                route, ProtocolError(f"{provider.name} verified a delivery without a Delivery")
            )
        return delivery
    assert refused is not None
    raise refused


def check_signed(
    route: Route,
    headers: Mapping[str, str],
    body: bytes,
    *,
    secret: Secrets,
    ledger: Ledger,
    now: dt.datetime,
) -> Job:
    """Verify, parse and record a signed delivery; the job it describes.

    Raises:
        WebhookRejected: forged, stale, malformed or replayed.
        ConfigError: no secret is configured where the provider needs one.
    """
    provider = route.provider
    delivery = _verify(route, headers, body, secret, now)
    try:
        job = call_parser(provider, "webhook", body, provider.parse_webhook, headers, body)
    except (ProtocolError, UnsupportedRequest) as exc:
        raise _malformed(route, exc) from exc
    if not isinstance(job, Job):
        raise _malformed(route, ProtocolError(f"{provider.name} read a webhook as no Job"))
    ident = delivery.id or content_id(body, delivery.sent_at)
    if not ledger.first_delivery(provider.name, ident):
        raise WebhookRejected(
            f"{route.name}: delivery {ident} was taken before; refused as a replay",
            reason="replayed",
        )
    return record(route, job, ledger, now)


def record(route: Route, job: Job, ledger: Ledger, now: dt.datetime) -> Job:
    """Keep a verified job's state in the ledger, filled in from what the ledger knows.

    A delivery may say less than a status read (fal's names no endpoint), so what it
    leaves out is taken from the job as last recorded. A delivery that arrives after the
    job was recorded as finished, saying it is not, is late: it is returned, not recorded.
    """
    provider = route.provider
    entry = ledger.find(provider.name, provider.endpoint, job.id)
    if entry is None:
        log.info(
            "%s job %s is not in the ledger (submitted elsewhere?); nothing to update",
            route.name,
            job.id,
        )
        return attrs.evolve(job, profile=job.profile or provider.profile)
    known = entry.job
    job = attrs.evolve(
        job,
        model=job.model or (known.model if known else None) or entry.model,
        profile=job.profile or (known.profile if known else None) or entry.profile,
        created_at=job.created_at or (known.created_at if known else None),
        seconds=job.seconds or (known.seconds if known else None),
        size=job.size or (known.size if known else None),
    )
    if entry.status is not None and entry.status.is_terminal and not job.status.is_terminal:
        log.info(
            "%s job %s: a late delivery (%s) after it was recorded %s; not recorded",
            route.name,
            job.id,
            job.status.value,
            entry.status.value,
        )
        return job
    ledger.record(JobSeen(at=now, job=job, endpoint=provider.endpoint))
    return job


def check_token(
    route: Route,
    headers: Mapping[str, str],
    body: bytes,
    *,
    token: str | None,
    ledger: Ledger,
    now: dt.datetime,
    window: dt.timedelta = DEFAULT_CALLBACK_WINDOW,
) -> tuple[Job, LedgerEntry]:
    """Check an unsigned callback's token, age and novelty; the hint and the ledger's entry.

    The hint is what the body claims: only its job id is used, to find the job.

    Raises:
        WebhookRejected: no or a wrong token, a job the ledger does not know, a job older
            than ``window`` (stale), an unreadable body, or a replay.
    """
    provider = route.provider
    if not token:
        raise WebhookRejected(
            f"{route.name}: a callback without vidgen's per-job token (the {CALLBACK_TOKEN_PARAM} "
            "in the callback URL vidgen sent)",
            reason="forged",
            status_code=401,
        )
    try:
        hint = call_parser(provider, "callback", body, provider.parse_callback, headers, body)
    except (ProtocolError, UnsupportedRequest) as exc:
        raise _malformed(route, exc) from exc
    if not isinstance(hint, Job):
        raise _malformed(route, ProtocolError(f"{provider.name} read a callback as no Job"))
    entry = ledger.find(provider.name, provider.endpoint, hint.id)
    expected = entry.callback_token if entry is not None else None
    if entry is None or not expected:
        raise WebhookRejected(
            f"{route.name}: a callback for job {hint.id}, which the ledger holds no callback "
            "token for (not submitted with a callback_url through vidgen)",
            reason="unknown_job",
            status_code=401,
        )
    given = token.encode("utf-8", "replace")
    if not hmac.compare_digest(given, expected.encode("utf-8", "replace")):
        raise WebhookRejected(
            f"{route.name}: the callback's token for job {hint.id} is wrong",
            reason="forged",
            status_code=401,
        )
    age = now - entry.created_at
    if age > window:
        raise WebhookRejected(
            f"{route.name}: a callback for job {hint.id}, submitted {entry.created_at.isoformat()}: "
            f"older than the callback window ({window}); refused as stale",
            reason="stale",
        )
    if not ledger.first_delivery(provider.name, content_id(body)):
        raise WebhookRejected(
            f"{route.name}: this callback for job {hint.id} was taken before; refused as a replay",
            reason="replayed",
        )
    return hint, entry
