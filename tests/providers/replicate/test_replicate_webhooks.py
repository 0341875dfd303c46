"""Replicate webhooks: Standard Webhooks signatures, checked against ``now``, then parsed."""

from __future__ import annotations

import datetime as dt

import pytest
from replicate_payloads import OUTPUT_URL, PREDICTION_ID, SUCCEEDED
from replicate_signing import new_secret, signed

import vidgen
from vidgen import JobStatus

KEY = "r8_test_0123456789abcdef"
NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)


def test_a_signed_delivery_verifies_and_parses() -> None:
    secret = new_secret()
    provider = vidgen.get_provider("replicate", api_key=KEY, webhook_secret=secret)
    headers, body = signed(secret, SUCCEEDED, at=NOW - dt.timedelta(seconds=20))
    delivery = provider.verify_webhook(headers, body, secret=None, now=NOW)
    assert (delivery.id, delivery.sent_at) == ("msg_2a3KvR8", NOW - dt.timedelta(seconds=20))
    job = provider.parse_webhook(headers, body)
    assert (job.id, job.status, [o.url for o in job.outputs]) == (
        PREDICTION_ID,
        JobStatus.SUCCEEDED,
        [OUTPUT_URL],
    )


def test_the_secret_argument_wins() -> None:
    secret = new_secret()
    provider = vidgen.get_provider("replicate", api_key=KEY, webhook_secret=new_secret())
    headers, body = signed(secret, SUCCEEDED, at=NOW)
    assert provider.verify_webhook(headers, body, secret=secret, now=NOW).id == "msg_2a3KvR8"


def test_stale_is_judged_against_now_not_the_wall_clock() -> None:
    secret = new_secret()
    provider = vidgen.get_provider("replicate", api_key=KEY, webhook_secret=secret)
    old = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    headers, body = signed(secret, SUCCEEDED, at=old)
    # Signed in 2020 and received then: fine, whatever the machine's clock says today.
    assert provider.verify_webhook(headers, body, secret=None, now=old + dt.timedelta(seconds=299))
    for late in (301, -301, 3600):
        with pytest.raises(vidgen.WebhookRejected) as caught:
            provider.verify_webhook(
                headers, body, secret=None, now=old + dt.timedelta(seconds=late)
            )
        assert caught.value.reason == "stale"


def test_forged_and_altered_deliveries_are_refused() -> None:
    secret = new_secret()
    provider = vidgen.get_provider("replicate", api_key=KEY, webhook_secret=secret)
    headers, body = signed(new_secret(), SUCCEEDED, at=NOW)
    with pytest.raises(vidgen.WebhookRejected) as caught:
        provider.verify_webhook(headers, body, secret=None, now=NOW)
    assert (caught.value.reason, caught.value.status_code) == ("forged", 401)
    headers, body = signed(secret, SUCCEEDED, at=NOW)
    with pytest.raises(vidgen.WebhookRejected, match="does not match"):
        provider.verify_webhook(
            headers, body.replace(b"succeeded", b"failed"), secret=None, now=NOW
        )
    headers["webhook-id"] = "msg_other"
    with pytest.raises(vidgen.WebhookRejected, match="does not match"):
        provider.verify_webhook(headers, body, secret=None, now=NOW)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("webhook-id", None),
        ("webhook-signature", None),
        ("webhook-timestamp", "soon"),
        ("webhook-timestamp", None),
    ],
)
def test_malformed_deliveries(header: str, value: str | None) -> None:
    secret = new_secret()
    provider = vidgen.get_provider("replicate", api_key=KEY, webhook_secret=secret)
    headers, body = signed(secret, SUCCEEDED, at=NOW)
    if value is None:
        del headers[header]
    else:
        headers[header] = value
    with pytest.raises(vidgen.WebhookRejected) as caught:
        provider.verify_webhook(headers, body, secret=None, now=NOW)
    assert caught.value.reason == "malformed"


def test_a_body_that_is_not_utf8_is_malformed() -> None:
    secret = new_secret()
    provider = vidgen.get_provider("replicate", api_key=KEY, webhook_secret=secret)
    headers, _ = signed(secret, SUCCEEDED, at=NOW)
    with pytest.raises(vidgen.WebhookRejected, match="unreadable"):
        provider.verify_webhook(headers, b"\xff\xfe", secret=None, now=NOW)


def test_without_a_secret_the_message_says_where_to_get_it() -> None:
    provider = vidgen.get_provider("replicate", api_key=KEY)
    with pytest.raises(vidgen.ConfigError, match="webhooks/default/secret"):
        provider.verify_webhook({}, b"{}", secret=None, now=NOW)


def test_the_secret_never_shows() -> None:
    secret = new_secret()
    provider = vidgen.get_provider("replicate", api_key=KEY, webhook_secret=secret)
    assert secret not in repr(provider)
    assert "webhook_secret" not in provider.public_settings()


def test_callbacks_are_the_same_deliveries() -> None:
    provider = vidgen.get_provider("replicate", api_key=KEY)
    _, body = signed(new_secret(), SUCCEEDED, at=NOW)
    assert provider.parse_callback({}, body).status is JobStatus.SUCCEEDED
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_webhook({}, b"[1, 2]")
