"""`vidgen.webhooks.receive`: every provider's genuine delivery is taken and recorded; a
forged, replayed or stale one is refused before anything in it is trusted."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from webhook_cases import ALL, SIGNED, TOKEN, Case, Delivery, make_case
from webhook_world import World

import vidgen
from vidgen import JobStatus, webhooks
from vidgen.testing import FakeClock, fake_client

EVIL = "https://evil.example.net"


@pytest.fixture(params=ALL)
def case(request: pytest.FixtureRequest) -> Case:
    return make_case(request.param)


@pytest.fixture
def world(case: Case, ledger: vidgen.Ledger, clock: FakeClock) -> World:
    return World.make(case, ledger, at=clock.utcnow() - dt.timedelta(minutes=5))


def send(world: World, delivery: Delivery, clock: FakeClock, **options: object) -> vidgen.Job:
    """``receive`` as a user's own handler calls it."""
    client = fake_client(world.server, provider=world.provider, ledger=world.ledger, clock=clock)
    with client:
        return webhooks.receive(
            delivery.headers,
            delivery.body,
            provider=world.provider,
            secret=world.case.secret,
            url=world.url(delivery),
            client=client,
            **options,  # type: ignore[arg-type]
        )


def refused(world: World, delivery: Delivery, clock: FakeClock) -> vidgen.WebhookRejected:
    with pytest.raises(vidgen.WebhookRejected) as caught:
        send(world, delivery, clock)
    return caught.value


# -- the matrix: accepted, forged, replayed, stale ---------------------------------------------


def test_a_genuine_delivery_is_accepted_and_recorded(world: World, clock: FakeClock) -> None:
    assert world.status() == "queued"
    # An unsigned callback's body points at another host: only the API is believed.
    origin = EVIL if world.case.kind == "token" else None
    job = send(world, world.delivery(at=clock.utcnow(), origin=origin), clock)
    assert job.id == world.job_id
    assert job.status is JobStatus.SUCCEEDED
    assert world.status() == "succeeded"
    assert job.outputs
    assert EVIL not in (job.outputs[0].url or "")
    entry = world.entry()
    assert entry is not None
    assert entry.job is not None
    assert entry.job.status is JobStatus.SUCCEEDED
    assert world.reads() == (1 if world.case.kind == "token" else 0)


def test_a_forged_delivery_is_refused(world: World, clock: FakeClock) -> None:
    error = refused(world, world.delivery(at=clock.utcnow(), forged=True), clock)
    assert (error.reason, error.status_code) == ("forged", 401)
    assert world.status() == "queued"
    assert world.reads() == 0
    for secret in (world.case.secret, world.case.other_secret, world.token):
        assert not secret or secret not in str(error)


def test_a_replayed_delivery_is_refused(world: World, clock: FakeClock) -> None:
    delivery = world.delivery(at=clock.utcnow())
    assert send(world, delivery, clock).status is JobStatus.SUCCEEDED
    clock.advance(30)  # still well inside every tolerance
    error = refused(world, delivery, clock)
    assert (error.reason, error.status_code) == ("replayed", 400)
    assert world.reads() == (1 if world.case.kind == "token" else 0)


def test_a_stale_delivery_is_refused(world: World, clock: FakeClock) -> None:
    if world.case.kind == "signed":
        # Signed ten minutes ago: outside every vendor's five-minute tolerance.
        delivery = world.delivery(at=clock.utcnow() - dt.timedelta(minutes=10))
    else:
        # A token is good for the callback window after its job's submit.
        clock.advance((webhooks.DEFAULT_CALLBACK_WINDOW + dt.timedelta(minutes=1)).total_seconds())
        delivery = world.delivery(at=clock.utcnow())
    error = refused(world, delivery, clock)
    assert (error.reason, error.status_code) == ("stale", 400)
    assert world.status() == "queued"
    assert world.reads() == 0


def test_a_delivery_signed_in_the_future_is_stale_too(
    clock: FakeClock, ledger: vidgen.Ledger
) -> None:
    for name in SIGNED:
        world = World.make(make_case(name), ledger, at=clock.utcnow())
        error = refused(world, world.delivery(at=clock.utcnow() + dt.timedelta(minutes=10)), clock)
        assert error.reason == "stale", name


# -- untrusted bodies -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'"done"',
        b"{}",
        b'{"id": 7}',
        b"\xff\xfe",
        b"[" * 5000 + b"]" * 5000,
    ],
    ids=["empty", "text", "list", "string", "object", "bad-id", "binary", "deep"],
)
def test_a_malformed_body_is_refused_never_a_traceback(
    world: World, clock: FakeClock, body: bytes
) -> None:
    """A signed garbage body (the signature is good) or a token callback with garbage."""
    case = world.case
    delivery = world.delivery(at=clock.utcnow())
    if case.kind == "signed":
        # The garbage signed as the vendor would (bytes Standard Webhooks cannot sign
        # arrive under the genuine delivery's headers instead).
        resigned = _resign(case, world.job_id, body, clock.utcnow())
        delivery = resigned or Delivery(headers=delivery.headers, body=body)
    else:
        delivery = Delivery(headers=delivery.headers, body=body, query=delivery.query)
    with pytest.raises((vidgen.WebhookRejected, vidgen.ProtocolError)) as caught:
        send(world, delivery, clock)
    if isinstance(caught.value, vidgen.WebhookRejected):
        assert caught.value.status_code in (400, 401)
    assert world.status() == "queued"


def _resign(case: Case, job_id: str, body: bytes, at: dt.datetime) -> Delivery | None:
    """``body`` signed with the case's genuine secret (a provider that sends nonsense)."""
    import hashlib
    import hmac

    from standardwebhooks import Webhook

    stamp = int(at.timestamp())
    if case.name == "replicate":
        assert case.secret
        try:
            text = body.decode()
        except UnicodeDecodeError:
            return None
        signature = Webhook(case.secret).sign("msg_garbage", at, text)
        return Delivery(
            headers={
                "webhook-id": "msg_garbage",
                "webhook-timestamp": str(stamp),
                "webhook-signature": signature,
            },
            body=body,
        )
    if case.name == "fal":
        assert case.key
        message = "\n".join([job_id, "u", str(stamp), hashlib.sha256(body).hexdigest()])
        return Delivery(
            headers={
                "x-fal-webhook-request-id": job_id,
                "x-fal-webhook-user-id": "u",
                "x-fal-webhook-timestamp": str(stamp),
                "x-fal-webhook-signature": case.key.sign(message.encode()).hex(),
            },
            body=body,
        )
    assert case.secret
    digest = hmac.new(case.secret.encode(), f"{stamp},".encode() + body, hashlib.sha256)
    return Delivery(
        headers={
            "x-openrouter-signature": f"t={stamp},v1={digest.hexdigest()}",
            "x-openrouter-idempotency-key": "garbage",
        },
        body=body,
    )


def test_a_parsed_body_is_refused_the_signature_covers_the_bytes(
    world: World, clock: FakeClock
) -> None:
    delivery = world.delivery(at=clock.utcnow())
    with pytest.raises(TypeError, match="raw bytes"):
        webhooks.receive(
            delivery.headers,
            json.loads(delivery.body),  # type: ignore[arg-type]
            provider=world.provider,
            secret=world.case.secret,
            ledger=world.ledger,
        )


# -- signed deliveries ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["replicate", "openrouter"])  # fal sends one per request
def test_a_late_delivery_never_takes_a_finished_job_back(
    name: str, ledger: vidgen.Ledger, clock: FakeClock
) -> None:
    world = World.make(make_case(name), ledger, at=clock.utcnow())
    send(world, world.delivery(at=clock.utcnow()), clock)
    late = send(world, world.delivery(at=clock.utcnow(), status="running"), clock)
    assert late.status is not JobStatus.SUCCEEDED
    assert world.status() == "succeeded"


@pytest.mark.parametrize("name", SIGNED)
def test_a_signed_delivery_for_a_job_vidgen_did_not_submit_is_taken_not_recorded(
    name: str, ledger: vidgen.Ledger, clock: FakeClock
) -> None:
    world = World.make(make_case(name), ledger, at=clock.utcnow(), seed=False)
    job = send(world, world.delivery(at=clock.utcnow()), clock)
    assert job.id == world.job_id
    assert world.entry() is None


def test_fal_deliveries_get_their_endpoint_from_the_ledger(
    ledger: vidgen.Ledger, clock: FakeClock
) -> None:
    """fal's delivery names no endpoint; the job as recorded does (and it is needed to
    read the request again)."""
    world = World.make(make_case("fal"), ledger, at=clock.utcnow())
    job = send(world, world.delivery(at=clock.utcnow()), clock)
    entry = world.entry()
    assert entry is not None
    assert entry.model
    assert job.model == entry.model
    assert entry.job is not None
    assert entry.job.model == entry.model


@pytest.mark.parametrize("name", SIGNED)
def test_the_secret_comes_from_the_environment(
    name: str, ledger: vidgen.Ledger, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = make_case(name)
    world = World.make(case, ledger, at=clock.utcnow())
    monkeypatch.setenv(f"{name.upper()}_WEBHOOK_SECRET", str(case.secret))
    delivery = world.delivery(at=clock.utcnow())
    job = webhooks.receive(
        delivery.headers, delivery.body, provider=name, ledger=ledger, now=clock.utcnow()
    )
    assert job.status is JobStatus.SUCCEEDED


@pytest.mark.parametrize("name", SIGNED)
def test_a_rotated_secret_the_previous_one_still_verifies(
    name: str, ledger: vidgen.Ledger, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = make_case(name)
    world = World.make(case, ledger, at=clock.utcnow())
    # The sender still signs with the old secret (case.secret); the new one is set first.
    monkeypatch.setenv(f"{name.upper()}_WEBHOOK_SECRET", str(case.other_secret))
    monkeypatch.setenv(f"{name.upper()}_WEBHOOK_PREVIOUS_SECRET", str(case.secret))
    delivery = world.delivery(at=clock.utcnow())
    job = webhooks.receive(
        delivery.headers, delivery.body, provider=name, ledger=ledger, now=clock.utcnow()
    )
    assert job.status is JobStatus.SUCCEEDED
    monkeypatch.delenv(f"{name.upper()}_WEBHOOK_PREVIOUS_SECRET")
    again = world.delivery(at=clock.utcnow())
    with pytest.raises(vidgen.WebhookRejected) as caught:
        webhooks.receive(
            again.headers, again.body, provider=name, ledger=ledger, now=clock.utcnow()
        )
    assert caught.value.reason == "forged"


def test_a_profile_reads_its_own_secret_and_settings(
    tmp_path: Path, ledger: vidgen.Ledger, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = make_case("replicate")
    config = tmp_path / "vidgen.toml"
    config.write_text('[profiles.team-rep]\nprovider = "replicate"\n', encoding="utf-8")
    monkeypatch.setenv("TEAM_REP_WEBHOOK_SECRET", str(case.secret))
    route = webhooks.resolve_route("team-rep", config)
    assert route.name == "team-rep"
    assert route.secret_envs == ("TEAM_REP_WEBHOOK_SECRET", "REPLICATE_WEBHOOK_SECRET")
    world = World.make(case, ledger, provider=route.provider, at=clock.utcnow())
    delivery = world.delivery(at=clock.utcnow())
    job = webhooks.receive(
        delivery.headers,
        delivery.body,
        provider="team-rep",
        config=config,
        ledger=ledger,
        now=clock.utcnow(),
    )
    assert job.profile == "team-rep"
    assert world.status() == "succeeded"


def test_fal_keys_can_be_a_profile_setting(
    tmp_path: Path, ledger: vidgen.Ledger, clock: FakeClock
) -> None:
    case = make_case("fal")
    keys = tmp_path / "fal-jwks.json"
    keys.write_text(str(case.secret), encoding="utf-8")
    config = tmp_path / "vidgen.toml"
    config.write_text(
        f'[profiles.fal]\nprovider = "fal"\nwebhook_jwks = "{keys}"\n', encoding="utf-8"
    )
    world = World.make(
        case, ledger, provider=webhooks.resolve_route("fal", config).provider, at=clock.utcnow()
    )
    delivery = world.delivery(at=clock.utcnow())
    job = webhooks.receive(
        delivery.headers,
        delivery.body,
        provider="fal",
        config=config,
        ledger=ledger,
        now=clock.utcnow(),
    )
    assert job.status is JobStatus.SUCCEEDED


@pytest.mark.parametrize("name", ["replicate", "fal"])
def test_no_secret_at_all_is_a_config_error_naming_what_to_set(
    name: str, ledger: vidgen.Ledger, clock: FakeClock
) -> None:
    world = World.make(make_case(name), ledger, at=clock.utcnow())
    delivery = world.delivery(at=clock.utcnow())
    with pytest.raises(
        vidgen.ConfigError,
        match=rf"set {name.upper()}_WEBHOOK_SECRET.*(webhook_secret|webhook_jwks)",
    ):
        webhooks.receive(
            delivery.headers, delivery.body, provider=name, ledger=ledger, now=clock.utcnow()
        )


def test_openrouter_without_a_secret_refuses_everything(
    ledger: vidgen.Ledger, clock: FakeClock
) -> None:
    world = World.make(make_case("openrouter"), ledger, at=clock.utcnow())
    delivery = world.delivery(at=clock.utcnow())
    with pytest.raises(vidgen.WebhookRejected) as caught:
        webhooks.receive(
            delivery.headers,
            delivery.body,
            provider="openrouter",
            ledger=ledger,
            now=clock.utcnow(),
        )
    assert caught.value.reason == "forged"


# -- unsigned callbacks -----------------------------------------------------------------------


@pytest.mark.parametrize("name", TOKEN)
def test_a_callback_without_a_token_is_refused(
    name: str, ledger: vidgen.Ledger, clock: FakeClock
) -> None:
    world = World.make(make_case(name), ledger, at=clock.utcnow())
    delivery = world.delivery(at=clock.utcnow())
    with pytest.raises(vidgen.WebhookRejected) as caught:
        webhooks.receive(
            delivery.headers,
            delivery.body,
            provider=name,
            ledger=ledger,
            url=world.url(Delivery(headers={}, body=b"")),
        )
    assert (caught.value.reason, caught.value.status_code) == ("forged", 401)


@pytest.mark.parametrize("name", TOKEN)
def test_a_callback_for_a_job_vidgen_did_not_submit_is_refused(
    name: str, ledger: vidgen.Ledger, clock: FakeClock
) -> None:
    world = World.make(make_case(name), ledger, at=clock.utcnow(), seed=False)
    error = refused(world, world.delivery(at=clock.utcnow()), clock)
    assert (error.reason, error.status_code) == ("unknown_job", 401)


@pytest.mark.parametrize("name", TOKEN)
def test_a_token_is_read_from_the_url_or_given(
    name: str, ledger: vidgen.Ledger, clock: FakeClock
) -> None:
    world = World.make(make_case(name), ledger, at=clock.utcnow())
    delivery = world.delivery(at=clock.utcnow())
    client = fake_client(world.server, provider=world.provider, ledger=ledger, clock=clock)
    job = webhooks.receive(
        delivery.headers, delivery.body, provider=name, token=world.token, client=client
    )
    assert job.status is JobStatus.SUCCEEDED
    assert world.status() == "succeeded"


def test_without_a_client_one_is_made_and_needs_the_key(
    ledger: vidgen.Ledger, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World.make(make_case("minimax"), ledger, at=clock.utcnow())
    monkeypatch.delenv("MINIMAX_API_KEY")
    delivery = world.delivery(at=clock.utcnow())
    with pytest.raises(vidgen.ConfigError, match="MINIMAX_API_KEY"):
        webhooks.receive(
            delivery.headers,
            delivery.body,
            provider="minimax",
            url=world.url(delivery),
            ledger=ledger,
        )


def test_minimax_challenge_is_answered(ledger: vidgen.Ledger) -> None:
    body = b'{"challenge": "c-123"}'
    assert json.loads(webhooks.answer_challenge({}, body, provider="minimax") or b"") == {
        "challenge": "c-123"
    }
    assert webhooks.answer_challenge({}, b'{"task": {}}', provider="minimax") is None
    assert webhooks.answer_challenge({}, body, provider="replicate") is None


# -- what is not a delivery -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["runway", "sandbox", "openai", "google", "dashscope"])
def test_a_provider_without_webhooks_gets_one_clear_line(name: str, ledger: vidgen.Ledger) -> None:
    with pytest.raises(vidgen.WebhookRejected, match=r"sends no webhooks.*client\.wait") as caught:
        webhooks.receive({}, b"{}", provider=name, ledger=ledger)
    assert (caught.value.reason, caught.value.status_code) == ("unsupported", 404)


def test_an_unknown_provider_is_a_config_error(ledger: vidgen.Ledger) -> None:
    with pytest.raises(vidgen.ConfigError, match="unknown provider"):
        webhooks.receive({}, b"{}", provider="no-such-thing", ledger=ledger)


def test_receiving_needs_the_ledger() -> None:
    with pytest.raises(vidgen.ConfigError, match="needs the job ledger"):
        webhooks.receive({}, b"{}", provider="replicate", ledger=False)


def test_the_default_ledger_is_used_and_closed(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDGEN_HOME", str(tmp_path / "vh"))
    case = make_case("openrouter")
    with vidgen.Ledger(tmp_path / "vh" / "ledger.sqlite3", clock=clock) as book:
        world = World.make(case, book, at=clock.utcnow())
    delivery = world.delivery(at=clock.utcnow())
    job = webhooks.receive(
        delivery.headers,
        delivery.body,
        provider="openrouter",
        secret=case.secret,
        now=clock.utcnow(),
    )
    assert job.status is JobStatus.SUCCEEDED
    with vidgen.Ledger(tmp_path / "vh" / "ledger.sqlite3") as book:
        entry = book.find("openrouter", world.provider.endpoint, world.job_id)
        assert entry is not None
        assert entry.status is JobStatus.SUCCEEDED
