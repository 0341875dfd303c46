"""OpenRouter's signed webhooks: verified before anything is trusted, then parsed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from openrouter_payloads import (
    COMPLETED,
    CONTENT_URL,
    CREATED,
    JOB_ID,
    MOUNTAINS,
    SIGNED_AT,
    WEBHOOK_BODY,
    WEBHOOK_EVENT,
    WEBHOOK_SECRET,
    signature,
    webhook_headers,
)

import vidgen
from vidgen import JobStatus
from vidgen.provider import Delivery, Provider
from vidgen.testing import FakeServer, reply

UTC = dt.timezone.utc
NOW = dt.datetime.fromtimestamp(SIGNED_AT + 30, UTC)


def rejected(
    provider: Provider, headers: dict[str, str], body: bytes = WEBHOOK_BODY, **kw: Any
) -> Any:
    with pytest.raises(vidgen.WebhookRejected) as caught:
        provider.verify_webhook(
            headers, body, secret=kw.get("secret", WEBHOOK_SECRET), now=kw.get("now", NOW)
        )
    return caught.value


def test_a_signed_delivery_is_accepted_once_per_job_state(provider: Provider) -> None:
    delivery = provider.verify_webhook(
        webhook_headers(), WEBHOOK_BODY, secret=WEBHOOK_SECRET, now=NOW
    )
    assert delivery == Delivery(
        id=f"{JOB_ID}-completed", sent_at=dt.datetime.fromtimestamp(SIGNED_AT, UTC)
    )


def test_headers_in_any_case_and_a_bytes_secret(provider: Provider) -> None:
    headers = {k.lower(): v for k, v in webhook_headers().items()}
    delivery = provider.verify_webhook(
        headers, WEBHOOK_BODY, secret=WEBHOOK_SECRET.encode(), now=NOW
    )
    assert delivery.id == f"{JOB_ID}-completed"


def test_without_an_idempotency_key_the_id_comes_from_the_signed_body(provider: Provider) -> None:
    headers = webhook_headers()
    del headers["X-OpenRouter-Idempotency-Key"]
    delivery = provider.verify_webhook(headers, WEBHOOK_BODY, secret=WEBHOOK_SECRET, now=NOW)
    assert delivery.id == f"{JOB_ID}-completed"


def test_a_rotated_secret_may_sign_twice(provider: Provider) -> None:
    old = signature(WEBHOOK_BODY, secret="the-old-secret").split(",v1=")[1]
    headers = {
        **webhook_headers(),
        "X-OpenRouter-Signature": signature(WEBHOOK_BODY) + f",v1={old}",
    }
    assert provider.verify_webhook(headers, WEBHOOK_BODY, secret=WEBHOOK_SECRET, now=NOW).id


def test_a_wrong_secret_or_a_changed_body_is_forged(provider: Provider) -> None:
    assert rejected(provider, webhook_headers(), secret="another-secret").reason == "forged"
    changed = WEBHOOK_BODY.replace(b"3.2", b"0.0")
    error = rejected(provider, webhook_headers(), body=changed)
    assert (error.reason, error.status_code) == ("forged", 401)
    # The signature covers "<t>,<body>": moving the timestamp breaks it.
    moved = webhook_headers()
    moved["X-OpenRouter-Signature"] = moved["X-OpenRouter-Signature"].replace(
        f"t={SIGNED_AT}", f"t={SIGNED_AT + 1}"
    )
    assert rejected(provider, moved).reason == "forged"


def test_no_signature_or_no_secret_is_refused(provider: Provider) -> None:
    unsigned = {"Content-Type": "application/json"}
    assert rejected(provider, unsigned).reason == "forged"
    error = rejected(provider, webhook_headers(), secret=None)
    assert error.reason == "forged"
    assert "signing secret" in str(error)


@pytest.mark.parametrize(
    "value", ["v1=abc", f"t={SIGNED_AT}", "t=soon,v1=abcd", "t=1,v1=not-hex", "garbage", ""]
)
def test_a_malformed_signature_header(provider: Provider, value: str) -> None:
    headers = {**webhook_headers(), "X-OpenRouter-Signature": value}
    assert rejected(provider, headers).reason in ("malformed", "forged")


@pytest.mark.parametrize("offset", [301, -301, 86400])
def test_a_delivery_outside_five_minutes_is_stale(provider: Provider, offset: int) -> None:
    now = dt.datetime.fromtimestamp(SIGNED_AT + offset, UTC)
    assert rejected(provider, webhook_headers(), now=now).reason == "stale"


def test_a_signed_body_that_is_not_an_event_is_malformed(provider: Provider) -> None:
    body = b"not json at all"
    headers = {"X-OpenRouter-Signature": signature(body)}
    assert rejected(provider, headers, body=body).reason == "malformed"


def test_parse_webhook_reads_the_event(provider: Provider) -> None:
    job = provider.parse_webhook(webhook_headers(), WEBHOOK_BODY)
    assert (job.id, job.status, job.model) == (JOB_ID, JobStatus.SUCCEEDED, "google/veo-3.1")
    assert job.outputs[0].url == CONTENT_URL
    assert job.usage is not None
    assert job.usage.cost == Decimal("3.2")


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("video.generation.failed", JobStatus.FAILED),
        ("video.generation.cancelled", JobStatus.CANCELLED),
        ("video.generation.expired", JobStatus.FAILED),
    ],
)
def test_the_event_type_gives_the_state_when_data_has_none(
    provider: Provider, kind: str, status: JobStatus
) -> None:
    body = json.dumps({"type": kind, "data": {"id": JOB_ID}}).encode()
    assert provider.parse_webhook({}, body).status is status


@pytest.mark.parametrize(
    "body",
    [b"", b"[]", b'{"data": "x"}', b'{"data": {"status": "completed"}}', b'{"type": 1}', b"\xff"],
)
def test_unreadable_deliveries_are_protocol_errors(provider: Provider, body: bytes) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_callback({}, body)


def test_a_callback_is_a_hint_the_client_checks_against_the_api(
    make_client: Callable[..., vidgen.Client],
) -> None:
    """`Client.handle_callback`: the token vidgen put in the callback URL, then a status read."""
    server = FakeServer()
    server.route("POST", "/api/v1/videos", reply(202, json=CREATED))
    server.route("GET", f"/api/v1/videos/{JOB_ID}", reply(json=COMPLETED))
    request = vidgen.VideoRequest(
        prompt=MOUNTAINS.prompt,
        model="google/veo-3.1",
        duration=8,
        callback_url="https://hooks.example.com/openrouter",
    )
    with make_client(server) as client:
        job = client.submit(request)
        sent = server.body()["callback_url"]
        token = client.callback_token(job)
        assert token is not None
        assert sent.startswith("https://hooks.example.com/openrouter?vidgen_token=")
        seen = client.handle_callback(WEBHOOK_EVENT, headers=webhook_headers(), url=sent)
        with pytest.raises(vidgen.CallbackRejected):
            client.handle_callback(WEBHOOK_EVENT, url="https://hooks.example.com/openrouter")
    assert seen.status is JobStatus.SUCCEEDED
    assert seen.usage is not None
    assert [r.method for r in server.requests] == ["POST", "GET"]
