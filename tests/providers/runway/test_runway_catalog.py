"""Runway's catalog: the ratio strings of Runway's SDK, families, and credit prices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import vidgen
from vidgen.provider import Provider

PRICING = "https://docs.dev.runwayml.com/guides/pricing/"

# The `ratio` enums of runwayml/sdk-python v5.13.0 (text_to_video_create_params.py and
# image_to_video_create_params.py), copied here so a catalog edit that drifts from the
# SDK fails a test.
_SEEDANCE_720 = ["992:432", "864:496", "752:560", "640:640", "560:752", "496:864",
                 "1470:630", "1280:720", "1112:834", "960:960", "834:1112", "720:1280"]  # fmt: skip
SDK_RATIOS: dict[str, dict[str, list[str]]] = {
    "gen4.5": {
        "text": ["1280:720", "720:1280"],
        "image": ["1280:720", "720:1280", "1104:832", "960:960", "832:1104", "1584:672"],
    },
    "gen4_turbo": {
        "image": ["1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"],
    },
    "veo3.1": {
        "text": ["1280:720", "720:1280", "1080:1920", "1920:1080"],
        "image": ["1280:720", "720:1280", "1080:1920", "1920:1080"],
    },
    "veo3.1_fast": {
        "text": ["1280:720", "720:1280", "1080:1920", "1920:1080"],
        "image": ["1280:720", "720:1280", "1080:1920", "1920:1080"],
    },
    "seedance2": {
        "text": [
            *_SEEDANCE_720,
            "2206:946",
            "1920:1080",
            "1664:1248",
            "1440:1440",
            "1248:1664",
            "1080:1920",
            "3840:1646",
            "3840:2160",
            "3840:2880",
            "3840:3840",
            "2880:3840",
            "2160:3840",
        ],
    },
    "seedance2_fast": {"text": _SEEDANCE_720},
    "seedance2_mini": {"text": _SEEDANCE_720},
    "seedance2_5": {
        "text": [
            "992:432",
            "854:480",
            "752:560",
            "640:640",
            "560:752",
            "480:854",
            "1470:630",
            "1280:720",
            "1112:834",
            "960:960",
            "834:1112",
            "720:1280",
            "2206:946",
            "1920:1080",
            "1664:1248",
            "1440:1440",
            "1248:1664",
            "1080:1920",
        ],
    },
    "gemini_omni_flash_1.1": {
        "text": [
            "640:360",
            "360:640",
            "1280:720",
            "720:1280",
            "1920:1080",
            "1080:1920",
            "3840:2160",
            "2160:3840",
        ],
    },
    "happyhorse_1_0": {
        "text": [
            "1280:720",
            "720:1280",
            "960:960",
            "1108:832",
            "832:1108",
            "1920:1080",
            "1080:1920",
            "1440:1440",
            "1662:1248",
            "1248:1662",
        ],
    },
}
FAMILIES = {
    "gen4.5": "runway-gen-4.5",
    "gen4_turbo": "runway-gen-4-turbo",
    "veo3.1": "veo-3.1",
    "veo3.1_fast": "veo-3.1-fast",
    "seedance2": "seedance-2.0",
    "seedance2_fast": "seedance-2.0-fast",
    "seedance2_mini": "seedance-2.0-mini",
    "seedance2_5": "seedance-2.5",
    "gemini_omni_flash_1.1": "gemini-omni-1.1-flash",
    "happyhorse_1_0": "happyhorse-1.0",
}


def quote(provider: Provider, **fields: Any) -> vidgen.Quote:
    request = vidgen.VideoRequest(**{"prompt": "a quiet harbour", **fields})
    return provider.quote(provider.fit(request))


def test_the_models_and_their_families(provider: Provider) -> None:
    assert {spec.id: spec.family for spec in provider.catalog.models} == FAMILIES
    assert provider.catalog.default_model == "gen4.5"


@pytest.mark.parametrize("model", sorted(SDK_RATIOS))
def test_ratio_tables_match_runways_sdk(provider: Provider, model: str) -> None:
    spec = provider.catalog.get(model)
    assert spec is not None
    ratio = spec.wire["ratio"]
    # Every size has its ratio string, and each string is the size itself.
    assert set(ratio) == {s.size for s in spec.sizes}
    assert all(value == size.replace("x", ":") for size, value in ratio.items())
    sdk = SDK_RATIOS[model]
    text_sizes = set(spec.wire.get("text_sizes", ratio))
    endpoints = set(spec.wire.get("endpoints", ["text_to_video", "image_to_video"]))
    if "text" in sdk:
        assert "text_to_video" in endpoints
        assert sorted(ratio[s] for s in text_sizes) == sorted(sdk["text"])
    else:
        assert endpoints == {"image_to_video"}
    if "image" in sdk and spec.wire.get("image_ratio", True):
        assert sorted(ratio.values()) == sorted(sdk["image"])


def test_tiers_follow_the_vendors_names(provider: Provider) -> None:
    seedance = provider.catalog.get("seedance2")
    assert seedance is not None
    tiers = {s.size: s.resolution for s in seedance.sizes}
    assert (tiers["864x496"], tiers["1470x630"], tiers["2206x946"], tiers["3840x1646"]) == (
        "480p",
        "720p",
        "1080p",
        "2160p",
    )
    gen45 = provider.catalog.get("gen4.5")
    assert gen45 is not None
    assert {s.resolution for s in gen45.sizes} == {"720p"}


@pytest.mark.parametrize(
    ("fields", "amount"),
    [
        ({"model": "gen4.5", "duration": 10}, "1.20"),
        (
            {
                "model": "gen4_turbo",
                "duration": 10,
                "reference": vidgen.Reference.from_url("https://i.example.com/a.jpg"),
            },
            "0.50",
        ),
        ({"model": "veo3.1", "duration": 8}, "3.20"),
        ({"model": "veo3.1", "duration": 8, "audio": False}, "1.60"),
        ({"model": "veo3.1", "duration": 8, "resolution": "1080p"}, "3.20"),
        ({"model": "veo3.1_fast", "duration": 8}, "1.20"),
        ({"model": "veo3.1_fast", "duration": 4, "audio": False}, "0.40"),
    ],
)
def test_credit_prices(provider: Provider, fields: dict[str, Any], amount: str) -> None:
    quoted = quote(provider, **fields)
    assert quoted.amount == Decimal(amount)
    assert (quoted.currency, quoted.source, quoted.as_of) == ("USD", PRICING, dt.date(2026, 11, 30))
    assert quoted.note is not None
    assert "credits per second" in quoted.note


@pytest.mark.parametrize(
    "model",
    [
        "seedance2",
        "seedance2_fast",
        "seedance2_mini",
        "seedance2_5",
        "gemini_omni_flash_1.1",
        "happyhorse_1_0",
    ],
)
def test_unpublished_credit_rates_are_unknown_never_zero(provider: Provider, model: str) -> None:
    spec = provider.catalog.get(model)
    assert spec is not None
    # One entry that cites where vidgen looked, with no amount.
    assert [(p.known, p.source) for p in spec.prices] == [(False, PRICING)]
    quoted = quote(provider, model=model)
    assert quoted.amount is None
    assert str(quoted).startswith("price unknown (unknown: Runway's pricing guide gives no")


def test_every_model_says_where_its_facts_come_from(provider: Provider) -> None:
    for spec in provider.catalog.models:
        assert spec.source is not None
        assert "sdk-python" in spec.source
        for price in spec.prices:
            assert price.source == PRICING
