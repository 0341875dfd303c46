"""Kling's credentials: an API key, or an HS256 token minted per request from a key pair.

The token is checked against PyJWT (the library Kling's own quick start uses), byte for
byte, and decoded back; the time comes from an injected clock, never from the provider.
"""

from __future__ import annotations

import base64
import json
import pickle
from typing import Any

import httpx
import jwt
import pytest
from conftest import KEY
from kling_payloads import SUCCEEDED, envelope, task

import vidgen
from vidgen.testing import FakeClock, FakeServer, fake_client, make_response, reply
from vidgen_kling import KlingJWT, KlingProvider, encode_hs256

AK = "ak-test-7f3c9a0b1d2e4f56"
SK = "sk-test-secret-9a8b7c6d5e4f3a2b1c0d"
NOW = 1_774_805_136


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(
        token, SK, algorithms=["HS256"], options={"verify_exp": False, "verify_nbf": False}
    )


def _bearer(request: httpx.Request) -> str:
    scheme, _, token = request.headers["authorization"].partition(" ")
    assert scheme == "Bearer"
    return token


# -- the token itself -------------------------------------------------------------------------


def test_our_hs256_is_pyjwts_byte_for_byte() -> None:
    payload = {"iss": AK, "exp": NOW + 1800, "nbf": NOW - 5}
    ours = encode_hs256(payload, SK)
    theirs = jwt.encode(payload, SK, algorithm="HS256", headers={"alg": "HS256", "typ": "JWT"})
    assert ours == theirs


def test_minted_token_has_klings_header_and_claims() -> None:
    token = KlingJWT(AK, SK, clock=lambda: NOW + 0.9)()
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    assert _claims(token) == {"iss": AK, "exp": NOW + 1800, "nbf": NOW - 5}


def test_pyjwt_accepts_the_token_now_and_refuses_it_after_thirty_minutes() -> None:
    # Verified against the real clock: mint with it, as the default minter does.
    token = KlingJWT(AK, SK)()
    assert jwt.decode(token, SK, algorithms=["HS256"])["iss"] == AK
    stale = KlingJWT(AK, SK, clock=lambda: NOW - 1801)()
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(stale, SK, algorithms=["HS256"])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, SK + "x", algorithms=["HS256"])


def test_a_token_is_minted_for_each_request_from_the_injected_clock() -> None:
    clock = FakeClock(start=NOW)
    provider = vidgen.get_provider("kling", token_provider=KlingJWT(AK, SK, clock=clock))
    job = vidgen.Job(id="t2v-1", provider="kling")
    first = _bearer(provider.build_status(job))
    clock.advance(1700)
    second = _bearer(provider.build_status(job))
    assert _claims(first)["exp"] == NOW + 1800
    assert _claims(second)["exp"] == NOW + 1700 + 1800
    assert _claims(second)["nbf"] == NOW + 1700 - 5


def test_a_long_wait_never_sends_a_stale_token(clock: FakeClock) -> None:
    # An hour of polling: every poll carries a token valid at the moment it is sent.
    server = FakeServer()
    polls = [envelope(task("processing"))] * 12 + [SUCCEEDED]
    server.route(
        "GET",
        "/v1/videos/text2video/867283741759111202",
        *(reply(json=body) for body in polls),
    )
    provider = KlingProvider(token_provider=KlingJWT(AK, SK, clock=clock))
    client = fake_client(
        server, provider=provider, clock=clock, poll=vidgen.PollPolicy(initial=300, maximum=300)
    )
    client.wait(vidgen.Job(id="t2v-867283741759111202", provider="kling"), timeout=7200)
    requests = server.sent("GET")
    assert len(requests) == 13
    stamps = [_claims(_bearer(r)) for r in requests]
    assert all(c["exp"] - c["nbf"] == 1805 for c in stamps)
    assert stamps[-1]["nbf"] - stamps[0]["nbf"] >= 3600  # re-minted, not reused


def test_keys_never_show() -> None:
    minter = KlingJWT(AK, SK)
    provider = KlingProvider(access_key=AK, secret_key=SK)
    for text in (repr(minter), str(minter), repr(provider), str(provider)):
        assert AK not in text
        assert SK not in text
    assert "access key + secret key" in repr(provider)
    request = provider.build_status(vidgen.Job(id="t2v-1", provider="kling"))
    assert SK not in repr(request)
    error = provider.parse_error(make_response(401, json={"code": 1004, "message": "expired"}))
    assert SK not in str(error)
    assert AK not in str(error)
    with pytest.raises(TypeError):
        pickle.dumps(minter)


def test_key_pair_settings_are_never_stored() -> None:
    provider = vidgen.get_provider(
        "kling", access_key=AK, secret_key=SK, base_url="https://api.klingai.com"
    )
    assert provider.public_settings() == {"base_url": "https://api.klingai.com"}


# -- which credential is used ----------------------------------------------------------------


def test_an_api_key_is_sent_as_it_is() -> None:
    request = vidgen.get_provider("kling", api_key=KEY).build_status(
        vidgen.Job(id="t2v-1", provider="kling")
    )
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_the_key_pair_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLING_ACCESS_KEY", AK)
    monkeypatch.setenv("KLING_SECRET_KEY", SK)
    provider = vidgen.get_provider("kling")
    assert provider.has_key
    token = _bearer(provider.build_status(vidgen.Job(id="t2v-1", provider="kling")))
    assert _claims(token)["iss"] == AK


def test_an_api_key_in_the_environment_wins_over_a_key_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KLING_API_KEY", KEY)
    monkeypatch.setenv("KLING_ACCESS_KEY", AK)
    monkeypatch.setenv("KLING_SECRET_KEY", SK)
    request = vidgen.get_provider("kling").build_status(vidgen.Job(id="t2v-1", provider="kling"))
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_a_token_provider_wins_over_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLING_API_KEY", KEY)
    provider = vidgen.get_provider("kling", token_provider=lambda: "from-the-vault-0123456789")
    request = provider.build_status(vidgen.Job(id="t2v-1", provider="kling"))
    assert request.headers["authorization"] == "Bearer from-the-vault-0123456789"
    assert "token provider" in repr(provider)


def test_no_credentials_names_every_variable() -> None:
    provider = vidgen.get_provider("kling")
    assert not provider.has_key
    with pytest.raises(vidgen.ConfigError) as caught:
        provider.build_status(vidgen.Job(id="t2v-1", provider="kling"))
    for name in ("KLING_API_KEY", "KLING_ACCESS_KEY", "KLING_SECRET_KEY"):
        assert name in str(caught.value)


def test_half_a_key_pair_says_which_half_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLING_ACCESS_KEY", AK)
    with pytest.raises(vidgen.ConfigError, match="KLING_SECRET_KEY"):
        vidgen.get_provider("kling").build_status(vidgen.Job(id="t2v-1", provider="kling"))
    with pytest.raises(vidgen.ConfigError, match="both"):
        vidgen.get_provider("kling", access_key=AK)


@pytest.mark.parametrize(
    "settings",
    [
        {"token_provider": "not callable"},
        {"access_key": "", "secret_key": SK},
    ],
)
def test_bad_credential_settings_are_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(vidgen.ConfigError):
        vidgen.get_provider("kling", **settings)


def test_a_token_provider_that_returns_nothing_is_refused() -> None:
    provider = vidgen.get_provider("kling", token_provider=lambda: "")
    with pytest.raises(vidgen.ConfigError, match="no token"):
        provider.build_status(vidgen.Job(id="t2v-1", provider="kling"))


def test_a_broken_clock_is_refused() -> None:
    with pytest.raises(vidgen.ConfigError, match="clock"):
        KlingJWT(AK, SK, clock=lambda: float("nan"))()


@pytest.mark.parametrize(
    ("code", "word"), [(1003, "clock"), (1004, "clock"), (1001, "KLING_API_KEY")]
)
def test_token_errors_say_what_to_do(code: int, word: str) -> None:
    provider = vidgen.get_provider("kling", api_key=KEY)
    error = provider.parse_error(
        make_response(401, json={"code": code, "message": "Authentication failed"})
    )
    assert isinstance(error, vidgen.AuthenticationError)
    assert error.hint is not None
    assert word in error.hint
