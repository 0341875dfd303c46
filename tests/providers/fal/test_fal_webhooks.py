"""fal webhooks: ED25519 signatures checked against a JWKS given as data, then parsed."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from fal_payloads import (
    VIDEO_URL,
    WEBHOOK_ERROR,
    WEBHOOK_OK,
    WEBHOOK_PAYLOAD_ERROR,
    WEBHOOK_REQUEST_ID,
)
from fal_signing import jwks, new_key, signed

import vidgen
from vidgen import JobStatus

KEY = "fal-test-key-0123456789"
NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc)
STAMP = int(NOW.timestamp())


def test_a_signed_delivery_verifies_and_parses() -> None:
    key = new_key()
    provider = vidgen.get_provider("fal", api_key=KEY, webhook_jwks=jwks(key))
    headers, body = signed(key, WEBHOOK_OK, timestamp=STAMP - 30)
    delivery = provider.verify_webhook(headers, body, secret=None, now=NOW)
    assert delivery.id == WEBHOOK_REQUEST_ID
    assert delivery.sent_at == NOW - dt.timedelta(seconds=30)
    job = provider.parse_webhook(headers, body)
    assert (job.id, job.status) == (WEBHOOK_REQUEST_ID, JobStatus.SUCCEEDED)
    assert [o.url for o in job.outputs] == [VIDEO_URL]


@pytest.mark.parametrize("form", ["dict", "json", "path", "padded"])
def test_keys_are_data_in_any_form(tmp_path: Path, form: str) -> None:
    old, current = new_key(), new_key()  # fal may publish several keys
    keys = jwks(old, current, padded=form == "padded")
    setting: object = keys
    if form == "json":
        setting = json.dumps(keys)
    elif form == "path":
        path = tmp_path / "fal-jwks.json"
        path.write_text(json.dumps(keys), encoding="utf-8")
        setting = str(path)
    provider = vidgen.get_provider("fal", api_key=KEY, webhook_jwks=setting)
    headers, body = signed(current, WEBHOOK_OK, timestamp=STAMP)
    assert provider.verify_webhook(headers, body, secret=None, now=NOW).id == WEBHOOK_REQUEST_ID


def test_the_secret_argument_carries_keys_too() -> None:
    key = new_key()
    provider = vidgen.get_provider("fal", api_key=KEY)
    headers, body = signed(key, WEBHOOK_OK, timestamp=STAMP)
    assert provider.verify_webhook(headers, body, secret=json.dumps(jwks(key)), now=NOW).id


def test_a_forged_or_altered_delivery_is_refused() -> None:
    key, stranger = new_key(), new_key()
    provider = vidgen.get_provider("fal", api_key=KEY, webhook_jwks=jwks(key))
    headers, body = signed(stranger, WEBHOOK_OK, timestamp=STAMP)
    with pytest.raises(vidgen.WebhookRejected) as caught:
        provider.verify_webhook(headers, body, secret=None, now=NOW)
    assert (caught.value.reason, caught.value.status_code) == ("forged", 401)
    headers, body = signed(key, WEBHOOK_OK, timestamp=STAMP)
    tampered = body.replace(b"v3b.fal.media", b"evil.example")
    with pytest.raises(vidgen.WebhookRejected, match="matches none"):
        provider.verify_webhook(headers, tampered, secret=None, now=NOW)


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_a_stale_delivery_is_refused_against_now(offset: int) -> None:
    key = new_key()
    provider = vidgen.get_provider("fal", api_key=KEY, webhook_jwks=jwks(key))
    headers, body = signed(key, WEBHOOK_OK, timestamp=STAMP + offset)
    with pytest.raises(vidgen.WebhookRejected) as caught:
        provider.verify_webhook(headers, body, secret=None, now=NOW)
    assert caught.value.reason == "stale"


def test_the_tolerance_edge_is_accepted() -> None:
    key = new_key()
    provider = vidgen.get_provider("fal", api_key=KEY, webhook_jwks=jwks(key))
    headers, body = signed(key, WEBHOOK_OK, timestamp=STAMP - 300)
    assert provider.verify_webhook(headers, body, secret=None, now=NOW)


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("X-Fal-Webhook-Signature", None),
        ("X-Fal-Webhook-Signature", "not-hex"),
        ("X-Fal-Webhook-Timestamp", "yesterday"),
        ("X-Fal-Webhook-User-Id", None),
    ],
)
def test_malformed_deliveries(change: str, value: str | None) -> None:
    key = new_key()
    provider = vidgen.get_provider("fal", api_key=KEY, webhook_jwks=jwks(key))
    headers, body = signed(key, WEBHOOK_OK, timestamp=STAMP)
    if value is None:
        del headers[change]
    else:
        headers[change] = value
    with pytest.raises(vidgen.WebhookRejected) as caught:
        provider.verify_webhook(headers, body, secret=None, now=NOW)
    assert caught.value.reason == "malformed"


def test_without_keys_the_message_says_how_to_get_them() -> None:
    provider = vidgen.get_provider("fal", api_key=KEY)
    with pytest.raises(vidgen.ConfigError, match=r"webhook_jwks.*jwks\.json"):
        provider.verify_webhook({}, b"{}", secret=None, now=NOW)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"keys": []}, "no Ed25519 key"),
        ({"keys": [{"kty": "RSA", "n": "x"}]}, "no Ed25519 key"),
        ({"nokeys": 1}, "must be a JWKS"),
        ("{not json", "not JSON"),
        ("/nonexistent/fal-jwks.json", "cannot be read"),
    ],
)
def test_bad_keys_are_config_errors(value: object, message: str) -> None:
    with pytest.raises(vidgen.ConfigError, match=message):
        vidgen.get_provider("fal", api_key=KEY, webhook_jwks=value)


def test_without_cryptography_the_message_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    key = new_key()
    provider = vidgen.get_provider("fal", api_key=KEY, webhook_jwks=jwks(key))
    headers, body = signed(key, WEBHOOK_OK, timestamp=STAMP)
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.asymmetric.ed25519", None)
    with pytest.raises(vidgen.ConfigError, match=r"pip install 'vidgen\[webhooks\]'"):
        provider.verify_webhook(headers, body, secret=None, now=NOW)


def test_an_error_delivery_is_a_failed_job() -> None:
    provider = vidgen.get_provider("fal", api_key=KEY)
    job = provider.parse_webhook({}, json.dumps(WEBHOOK_ERROR).encode())
    assert job.status is JobStatus.FAILED
    assert job.error is not None
    assert job.error.message == "Invalid status code: 422: prompt: field required"
    assert job.error.provider_code == "value_error.missing"


def test_a_payload_error_delivery_sends_vidgen_to_the_result() -> None:
    provider = vidgen.get_provider("fal", api_key=KEY)
    job = provider.parse_webhook({}, json.dumps(WEBHOOK_PAYLOAD_ERROR).encode())
    assert job.status is JobStatus.RUNNING
    assert job.raw["status"] == "COMPLETED"  # the next read is the result


def test_callbacks_are_the_same_deliveries() -> None:
    provider = vidgen.get_provider("fal", api_key=KEY)
    assert (
        provider.parse_callback({}, json.dumps(WEBHOOK_OK).encode()).status is JobStatus.SUCCEEDED
    )
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_webhook({}, b"not json")


def test_a_callback_is_a_hint_and_the_result_is_read_from_the_queue() -> None:
    from fal_payloads import QUEUE, REQUEST_ID, REQUEST_URL, RESULT, SUBMITTED

    from vidgen.testing import FakeServer, fake_client, reply

    server = FakeServer()
    server.route("POST", "/fal-ai/veo3.1/fast", reply(200, json=SUBMITTED))
    server.route("GET", f"/fal-ai/veo3.1/requests/{REQUEST_ID}", reply(200, json=RESULT))
    request = vidgen.VideoRequest(
        prompt="p", model="veo-3.1-fast", callback_url="https://hooks.example.com/fal"
    )
    with fake_client(server, provider="fal") as client:
        job = client.submit(request)
        hook_url = server.sent("POST")[0].url.params["fal_webhook"]
        body = json.dumps({**WEBHOOK_OK, "request_id": REQUEST_ID}).encode()
        done = client.handle_callback(body, url=hook_url)
    assert (done.id, done.status) == (job.id, JobStatus.SUCCEEDED)
    assert str(server.requests[-1].url) == REQUEST_URL  # re-read from fal, not trusted
    assert QUEUE in REQUEST_URL
