"""`receive`: one delivery, verified and parsed, in a plain function call.

For a web framework of your own: hand it the headers and the raw body of the request (and,
for providers with unsigned callbacks, the URL it arrived at), answer 2xx for a job,
``exc.status_code`` for a `vidgen.WebhookRejected`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from .._config import Config, load_config
from .._exceptions import ConfigError
from .._ledger import Ledger, LedgerEntry, ledger_location
from .._models import Job
from ..provider import Provider
from ._checks import DEFAULT_CALLBACK_WINDOW, Secrets, check_signed, check_token, token_in
from ._routes import Route, resolve_route, secrets_from_env

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["answer_challenge", "open_ledger", "receive", "reread"]


def _body(body: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError(
        f"body must be the raw bytes of the request, not {type(body).__name__} (a parsed "
        "body cannot be verified: its signature covers the exact bytes)"
    )


@contextlib.contextmanager
def open_ledger(
    ledger: Ledger | str | os.PathLike[str] | bool | None,
    client: Client | None,
    config: Config | None,
) -> Iterator[Ledger]:
    """The ledger deliveries are checked against: the one given, else the client's, else
    the default one (closed afterwards when opened here).

    Raises:
        ConfigError: ``ledger=False``, or a client without a ledger and no ledger given.
    """
    if ledger is None and client is not None:
        if client.ledger is None:
            raise ConfigError(
                "receiving webhooks needs the job ledger (it refuses replays and finds each "
                "job's callback token); this client has none: pass ledger= or a client "
                "with one"
            )
        yield client.ledger
        return
    if ledger is False:
        raise ConfigError(
            "receiving webhooks needs the job ledger: it refuses replayed deliveries and "
            "holds each job's callback token; pass ledger=True, a path or a Ledger"
        )
    if isinstance(ledger, Ledger):
        yield ledger
        return
    given = None if ledger is None or ledger is True else ledger
    opened = Ledger(ledger_location(given, config=config))
    try:
        yield opened
    finally:
        opened.close()


def reread(
    route: Route, entry: LedgerEntry, hint: Job, *, client: Client | None, ledger: Ledger
) -> Job:
    """The job of an accepted unsigned callback, as the provider's API reports it now.

    The job as the ledger recorded it is read (it knows where the provider keeps its
    status; the callback's body is never used). Without a client, one is made for the
    route's provider on ``ledger``: it needs the provider's API key.
    """
    known = entry.job or hint
    if client is not None:
        return client.get(known)
    from .._client import Client

    with Client(provider=route.provider, ledger=ledger, clock=ledger.clock) as made:
        return made.get(known)


def receive(
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    provider: str | Provider,
    secret: Secrets = None,
    token: str | None = None,
    url: str | None = None,
    ledger: Ledger | str | os.PathLike[str] | bool | None = None,
    client: Client | None = None,
    config: Config | str | os.PathLike[str] | None = None,
    now: dt.datetime | None = None,
    callback_window: dt.timedelta = DEFAULT_CALLBACK_WINDOW,
) -> Job:
    """Verify a webhook delivery, then parse it, record it and return the job.

    For a provider that **signs** its deliveries (Replicate, fal, OpenRouter): the
    signature and its timestamp are checked, the delivery's id is taken once in the
    ledger, and the job the body describes is recorded and returned.

    For a provider that sends **unsigned callbacks** (aivideoapi, BytePlus, Volcengine,
    Kling, MiniMax): the per-job token vidgen put in the callback URL must match the one
    the ledger kept, the job must be younger than ``callback_window``, and the same body
    is taken once. The body is then only a hint: the job is read from the provider's API
    (with ``client``, else a client made for the provider, which needs its API key) and
    that is what is recorded and returned. Nothing in the body is trusted.

    Args:
        headers: the request's headers (any case).
        body: the raw body, exactly as it arrived (the signature covers these bytes).
        provider: a profile name, a provider name or a provider instance.
        secret: the signing secret (fal: its JWKS, as JSON or a file path), or several to
            try in turn while one is rotated. Default: ``$<NAME>_WEBHOOK_SECRET`` (see
            `vidgen.webhooks.Route`), else the provider's own setting.
        token: the callback's ``vidgen_token``, if ``url`` is not at hand.
        url: the URL the callback arrived at (its ``vidgen_token`` is read).
        ledger: a `vidgen.Ledger`, a path, or True for the default ledger (default: the
            client's ledger, else the default one). It is required: it refuses replays
            and holds the callback tokens.
        client: reads the job of an unsigned callback from the API.
        config: the config whose profiles name providers (default: the usual search).
        now: the receiver's time (default: the ledger's clock).
        callback_window: how long after its submit a job's unsigned callbacks are taken.

    Returns:
        The job: as a signed delivery describes it, or as the API reports it after an
        unsigned callback.

    Raises:
        WebhookRejected: forged, replayed, stale or malformed (``.reason``; answer with
            ``.status_code``), or the provider sends no webhooks (``unsupported``).
        ConfigError: the provider is unknown, no secret is configured where one is
            needed, or there is no ledger.
        ProviderError, TransportError: re-reading an unsigned callback's job failed.
    """
    raw = _body(body)
    loaded = config if isinstance(config, Config) else load_config(config)
    route = resolve_route(provider, loaded)
    with open_ledger(ledger, client, loaded) as book:
        moment = now or book.now()
        if route.kind == "signed":
            chosen: Secrets = secret if secret is not None else (secrets_from_env(route) or None)
            return check_signed(route, headers, raw, secret=chosen, ledger=book, now=moment)
        hint, entry = check_token(
            route,
            headers,
            raw,
            token=token or token_in(url),
            ledger=book,
            now=moment,
            window=callback_window,
        )
        return reread(route, entry, hint, client=client, ledger=book)


def answer_challenge(
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    provider: str | Provider,
    config: Config | str | os.PathLike[str] | None = None,
) -> bytes | None:
    """The answer to a vendor's check of its callback URL, or None for any other body.

    MiniMax POSTs ``{"challenge": ...}`` to a callback URL before it creates the task, and
    creates it only if the same value comes back (HTTP 200, ``application/json``) within
    3 seconds. Call this before `receive`; the ASGI app does it for you.
    """
    route = resolve_route(provider, config)
    return route.provider.answer_challenge(headers, _body(body))
