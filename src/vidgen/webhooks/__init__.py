"""Receive providers' webhooks: verify, parse, record, and optionally download.

Renders take minutes; submit with a ``callback_url`` and be told when they end. A delivery
is checked before anything in it is trusted, and a forged, replayed or stale one is
refused with `vidgen.WebhookRejected`:

* providers that **sign** deliveries (Replicate: Standard Webhooks; fal: ED25519 with its
  JWKS; OpenRouter: HMAC): the signature, its timestamp, and the delivery's id, taken once
  in the job ledger;
* providers that send **unsigned callbacks** (aivideoapi, BytePlus and Volcengine Ark,
  Kling, MiniMax): the per-job token vidgen put in the callback URL, checked against the
  ledger; the body is only a hint, and the job is read from the provider's API.

Three ways to use it::

    from vidgen import webhooks

    job = webhooks.receive(headers, body, provider="replicate")      # in your own handler
    api.mount("/hooks", webhooks.app(download_to="videos"))           # an ASGI app
    # $ vidgen webhooks serve --port 8787 --download-to videos        # a server of its own

Secrets come from ``<NAME>_WEBHOOK_SECRET`` in the environment (``REPLICATE_WEBHOOK_SECRET``,
``OPENROUTER_WEBHOOK_SECRET``, ``FAL_WEBHOOK_SECRET`` holding fal's JWKS or its file), or
from the provider's own settings. See docs/webhooks.md.
"""

import attrs as _attrs

from ._app import DEFAULT_MAX_BODY_BYTES, WebhookApp, app
from ._checks import DEFAULT_CALLBACK_WINDOW
from ._receive import answer_challenge, receive
from ._routes import DeliveryKind, Route, delivery_kind, resolve_route
from ._server import serve

__all__ = [
    "DEFAULT_CALLBACK_WINDOW",
    "DEFAULT_MAX_BODY_BYTES",
    "DeliveryKind",
    "Route",
    "WebhookApp",
    "answer_challenge",
    "app",
    "delivery_kind",
    "receive",
    "resolve_route",
    "serve",
]


def _home(*classes: type) -> None:
    """Public classes report the module users import them from (as `vidgen._public.public`
    does for ``vidgen``): tracebacks, ``help()`` and the docs name ``vidgen.webhooks``."""
    for cls in classes:
        if _attrs.has(cls):
            _attrs.resolve_types(cls)
        cls.__module__ = __name__


_home(Route, WebhookApp)
