"""A vendor's machine-readable prices kept as a dated overlay (`Client.refresh_catalog`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx

import vidgen
from vidgen.testing import FakeClock, FakeServer, fake_client, reply

PRICES_URL = "https://api.openai.com/v1/prices"


def _refreshing_provider() -> vidgen.Provider:
    base = type(vidgen.get_provider("openai", api_key="sk-test-0123456789"))

    class Refreshing(base):  # type: ignore[misc, valid-type]
        def build_catalog_refresh(self, cursor: str | None = None) -> httpx.Request | None:
            return httpx.Request("GET", PRICES_URL)

        def parse_catalog_refresh(
            self, response: httpx.Response
        ) -> tuple[list[dict[str, Any]], str | None]:
            # an answer with amounts and nothing else: no date, no source
            return [{"id": "sora-2", "prices": [{"per_second": "0.07"}]}], None

    return Refreshing(api_key="sk-test-0123456789")


def test_an_undated_vendor_price_is_dated_by_the_fetch_and_cites_it() -> None:
    server = FakeServer()
    server.route("GET", "/v1/prices", reply(json={"ok": True}))
    clock = FakeClock(start=dt.datetime(2026, 11, 30, 9, tzinfo=dt.timezone.utc).timestamp())
    client = fake_client(server, provider=_refreshing_provider(), clock=clock, allow_retired=True)
    client.refresh_catalog()
    quote = client.quote(vidgen.VideoRequest(prompt="a calm sea", model="sora-2", duration=8))
    assert quote.amount == Decimal("0.56")
    assert quote.as_of == dt.date(2026, 11, 30)
    assert quote.source == PRICES_URL
