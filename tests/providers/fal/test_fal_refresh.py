"""fal's pricing API as a dated overlay: ``Client(provider="fal").refresh_catalog()``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from fal_payloads import PRICING_FLUX, PRICING_URL

import vidgen
from vidgen.provider import Provider
from vidgen.testing import FakeServer, fake_client, make_response, reply

KEY = "fal-test-key-0123456789"
DATE = "Mon, 30 Nov 2026 09:00:00 GMT"


def price(endpoint: str, amount: Any, unit: str = "video_second") -> dict[str, Any]:
    # One entry of fal's pricing answer (fal's OpenAPI schema; the values are examples).
    return {"endpoint_id": endpoint, "unit_price": amount, "unit": unit, "currency": "USD"}


def test_the_request_asks_for_every_shipped_endpoint(provider: Provider) -> None:
    request = provider.build_catalog_refresh(None)
    assert request is not None
    assert str(request.url.copy_with(query=None)) == PRICING_URL
    asked = request.url.params.get_list("endpoint_id")
    assert "fal-ai/veo3.1" in asked
    assert "fal-ai/veo3.1/image-to-video" in asked
    assert "fal-ai/veo3.1/reference-to-video" not in asked  # priced like the model
    assert len(asked) == 22 <= 50
    assert request.headers["authorization"] == f"Key {KEY}"
    assert provider.build_catalog_refresh("1:") is None  # one batch is enough


def test_prices_become_dated_tables_citing_the_api(provider: Provider) -> None:
    request = provider.build_catalog_refresh(None)
    assert request is not None
    body = {
        "prices": [
            price("fal-ai/veo3.1", 0.25),
            price("fal-ai/veo3.1/image-to-video", 0.25),
            price("fal-ai/kling-video/v3/pro/text-to-video", 0.112),
            price("bytedance/seedance-2.0/text-to-video", 0.014, "1k_tokens"),
            price("fal-ai/minimax/hailuo-2.3/standard/text-to-video", 0.28, "video"),
        ],
        "next_cursor": None,
        "has_more": False,
    }
    response = httpx.Response(200, json=body, headers={"Date": DATE}, request=request)
    tables, cursor = provider.parse_catalog_refresh(response)
    assert cursor is None
    by_id = {t["id"]: t["prices"] for t in tables}
    assert set(by_id) == {
        "fal-ai/veo3.1",
        "fal-ai/kling-video/v3/pro/text-to-video",
        "fal-ai/minimax/hailuo-2.3/standard/text-to-video",
    }  # a per-token unit is not quoted: Seedance keeps its shipped price
    veo = by_id["fal-ai/veo3.1"]
    base = veo[0]  # the base tier (720p/1080p without sound) is replaced...
    assert (base["per_second"], base["source"], base["as_of"]) == (
        "0.25",
        PRICING_URL,
        "2026-11-30",
    )
    assert (base["resolutions"], base["audio"]) == (["720p", "1080p"], False)
    assert veo[1]["per_second"] == "0.40"  # ...the other tiers keep their shipped figures
    kling = by_id["fal-ai/kling-video/v3/pro/text-to-video"]
    assert kling == [{**kling[0], "per_second": "0.112", "currency": "USD"}]
    assert by_id["fal-ai/minimax/hailuo-2.3/standard/text-to-video"][0]["per_video"] == "0.28"


def test_pages_follow_fal_s_cursor(provider: Provider) -> None:
    request = provider.build_catalog_refresh(None)
    assert request is not None
    first = httpx.Response(
        200, json={"prices": [], "has_more": True, "next_cursor": "Mg=="}, request=request
    )
    _, cursor = provider.parse_catalog_refresh(first)
    assert cursor == "0:Mg=="
    following = provider.build_catalog_refresh(cursor)
    assert following is not None
    assert following.url.params["cursor"] == "Mg=="


def test_a_broken_answer_is_a_protocol_error(provider: Provider) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_catalog_refresh(make_response(json={"models": []}, url=PRICING_URL))
    # the documented example (an image model vidgen does not ship) changes nothing
    tables, _ = provider.parse_catalog_refresh(make_response(json=PRICING_FLUX, url=PRICING_URL))
    assert tables == []


def test_refresh_catalog_keeps_an_overlay_that_quotes_cite() -> None:
    server = FakeServer()
    server.route(
        "GET",
        "/v1/models/pricing",
        reply(
            200,
            json={
                "prices": [price("fal-ai/veo3.1/fast", 0.12)],
                "has_more": False,
                "next_cursor": None,
            },
            headers={"Date": DATE},
        ),
    )
    with fake_client(server, provider="fal") as client:
        before = client.quote(vidgen.VideoRequest(prompt="p", model="veo-3.1-fast", audio=False))
        path = client.refresh_catalog()
        after = client.quote(vidgen.VideoRequest(prompt="p", model="veo-3.1-fast", audio=False))
    assert path.name == "fal.json"
    assert str(before.amount) == "0.80"
    assert (str(after.amount), after.source, after.as_of) == (
        "0.96",
        PRICING_URL,
        dt.date(2026, 11, 30),
    )
    assert len(server.requests) == 1


def test_replicate_publishes_no_prices() -> None:
    replicate = vidgen.get_provider("replicate", api_key="r8_test")
    assert replicate.build_catalog_refresh(None) is None
    with pytest.raises(vidgen.UnsupportedRequest, match="publishes no machine-readable prices"):
        replicate.parse_catalog_refresh(make_response(json={}))
