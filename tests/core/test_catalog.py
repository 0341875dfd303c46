"""Sizes, aspect filing, and loading catalogs (shipped data merged with config models)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import vidgen
from vidgen import ConfigError, Lifecycle, SizeSpec
from vidgen._catalog import load_catalog
from vidgen._sizes import aspect_of, parse_size, resolution_of

# -- sizes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "aspect"),
    [
        (1792, 1024, "16:9"),  # 1.75, within 3% of 16:9
        (854, 480, "16:9"),
        (1280, 720, "16:9"),
        (720, 1280, "9:16"),
        (480, 480, "1:1"),
        (1024, 768, "4:3"),
        (1000, 300, "10:3"),  # no common ratio within 3%: the exact one
    ],
)
def test_aspect_of(width: int, height: int, aspect: str) -> None:
    assert aspect_of(width, height) == aspect


def test_resolution_and_parse_size() -> None:
    assert resolution_of(1280, 720) == "720p"
    assert resolution_of(1024, 1792) == "1024p"
    assert parse_size(" 1280 x 720 ") == (1280, 720)
    with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
        parse_size("1280:720")


def test_size_spec_from_size() -> None:
    assert SizeSpec.from_size("1792x1024") == SizeSpec(
        size="1792x1024", aspect="16:9", resolution="1024p"
    )


# -- load_catalog -----------------------------------------------------------------------------


def _raw() -> dict[str, Any]:
    return {
        "default_model": "beta",
        "models": [
            {
                "id": "alpha",
                "durations": [5, 10],
                "sizes": ["1280x720", "720x1280", "1920x1080"],
                "prices": [
                    {
                        "sizes": ["1920x1080"],
                        "per_second": "0.50",
                        "source": "s-1080",
                        "as_of": "2026-01-02",
                    },
                    {"resolutions": ["720p"], "per_second": "0.20", "source": "s-720"},
                ],
            },
            {
                "id": "beta",
                "aliases": ["beta-2026-01"],
                "durations": [4, 8],
                "default_duration": 8,
                "sizes": [{"size": "1024x1024"}, "1280x720"],
                "default_size": "1280x720",
            },
        ],
    }


def test_defaults_are_filled_in() -> None:
    catalog = load_catalog(_raw(), provider="p")
    alpha = catalog.get("alpha")
    assert alpha is not None
    assert alpha.default_duration == 5  # the shortest
    assert alpha.default_size == "1280x720"  # the first
    assert alpha.reference == ()
    assert alpha.reference_formats == ("image/jpeg", "image/png", "image/webp")
    assert alpha.variants_limit("720p") == 1
    assert alpha.lifecycle == Lifecycle()
    assert catalog.default_model == "beta"
    assert catalog.ids == ("alpha", "beta")
    beta = catalog.get("beta-2026-01")
    assert beta is not None
    assert beta.id == "beta"
    assert (beta.default_duration, beta.default_size) == (8, "1280x720")
    assert beta.size_spec("1024x1024") == SizeSpec(
        size="1024x1024", aspect="1:1", resolution="1024p"
    )
    assert catalog.get("gamma") is None


def test_default_model_is_the_first_when_unset() -> None:
    raw = _raw()
    del raw["default_model"]
    assert load_catalog(raw, provider="p").default_model == "alpha"
    assert load_catalog({}, provider="p").default_model is None


def test_price_lookup_by_size_then_resolution() -> None:
    alpha = load_catalog(_raw(), provider="p").get("alpha")
    assert alpha is not None
    full_hd = alpha.price_for(SizeSpec.from_size("1920x1080"))
    assert full_hd is not None
    assert full_hd.per_second == Decimal("0.50")
    assert full_hd.as_of == dt.date(2026, 1, 2)
    for size in ("1280x720", "720x1280"):
        price = alpha.price_for(SizeSpec.from_size(size))
        assert price is not None
        assert (price.per_second, price.source, price.currency) == (Decimal("0.20"), "s-720", "USD")
    assert alpha.price_for(SizeSpec.from_size("1080x1080")) is None


def test_float_prices_are_refused_naming_the_model() -> None:
    raw = _raw()
    raw["models"][0]["prices"][1]["per_second"] = 0.2
    with pytest.raises(ConfigError, match=r"model 'alpha' is malformed.*write prices as strings"):
        load_catalog(raw, provider="p", where="test catalog")


def test_unknown_keys_are_refused_naming_the_model() -> None:
    raw = _raw()
    raw["models"][1]["duration"] = [4]  # a typo for durations
    with pytest.raises(ConfigError, match=r"test catalog: model 'beta' is malformed.*duration"):
        load_catalog(raw, provider="p", where="test catalog")


def test_unknown_key_in_a_nested_table_is_refused() -> None:
    raw = _raw()
    raw["models"][0]["lifecycle"] = {"status": "retired", "retire_on": "2026-01-01"}
    with pytest.raises(ConfigError, match=r"model 'alpha'.*retire_on"):
        load_catalog(raw, provider="p")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"durations": []}, "lists no durations"),
        ({"sizes": ["1280-720"]}, "WIDTHxHEIGHT"),
        ({"default_duration": 7}, "default_duration is not one of its durations"),
        ({"lifecycle": {"status": "sunset"}}, "lifecycle status 'sunset'"),
        ({"reference": ["base64"]}, "reference form 'base64'"),
    ],
)
def test_malformed_models(change: dict[str, Any], message: str) -> None:
    raw = _raw()
    raw["models"][0].update(change)
    with pytest.raises(ConfigError, match=message):
        load_catalog(raw, provider="p")


def test_config_model_overrides_a_shipped_price() -> None:
    catalog = load_catalog(
        _raw(),
        provider="p",
        extra_models=[{"id": "alpha", "price_per_second": "0.12", "price_source": "my contract"}],
    )
    alpha = catalog.get("alpha")
    assert alpha is not None
    price = alpha.price_for(SizeSpec.from_size("1920x1080"))
    assert price is not None
    assert (price.per_second, price.source) == (Decimal("0.12"), "my contract")
    # Everything the override does not give stays as shipped.
    assert alpha.durations == (5, 10)
    assert catalog.ids == ("alpha", "beta")


def test_config_model_adds_a_model() -> None:
    extra = {
        "id": "veo-3.1-fast",
        "durations": [4, 6, 8],
        "sizes": ["1280x720", "720x1280"],
        "price_per_second": "0.15",
        "price_source": "https://relay.example.com/pricing",
        "price_as_of": "2026-10-01",
        "currency": "USD",
    }
    catalog = load_catalog(_raw(), provider="p", extra_models=[extra])
    spec = catalog.get("veo-3.1-fast")
    assert spec is not None
    assert catalog.ids[-1] == "veo-3.1-fast"
    (price,) = spec.prices
    assert price.per_second == Decimal("0.15")
    assert price.source == "https://relay.example.com/pricing"
    assert price.as_of == dt.date(2026, 10, 1)
    assert price.currency == "USD"
    assert price.applies_to(SizeSpec.from_size("720x1280"))


def test_config_model_without_id() -> None:
    with pytest.raises(ConfigError, match="profile 'x': every model needs an 'id'"):
        load_catalog({}, provider="p", extra_models=[{"durations": [4]}], where="profile 'x'")


def test_config_model_float_price_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"model 'm'.*write prices as strings"):
        load_catalog(
            {},
            provider="p",
            extra_models=[
                {"id": "m", "durations": [4], "sizes": ["1280x720"], "price_per_second": 0.1}
            ],
        )


def test_shipped_catalog_is_not_mutated_by_an_override() -> None:
    raw = _raw()
    load_catalog(raw, provider="p", extra_models=[{"id": "alpha", "durations": [99]}])
    assert raw["models"][0]["durations"] == [5, 10]
    assert load_catalog(raw, provider="p").get("alpha").durations == (5, 10)  # type: ignore[union-attr]


def test_provider_models_setting_does_not_leak_between_instances() -> None:
    # The raw catalog is cached per package; one profile's override must not reach another.
    custom = vidgen.get_provider("openai", models=[{"id": "sora-2", "durations": [4]}])
    assert custom.catalog.get("sora-2").durations == (4,)  # type: ignore[union-attr]
    plain = vidgen.get_provider("openai")
    assert plain.catalog.get("sora-2").durations == (4, 8, 12, 16, 20)  # type: ignore[union-attr]


# -- lifecycle ----------------------------------------------------------------------------------


def test_lifecycle_is_retired_by_status() -> None:
    assert Lifecycle(status="retired").is_retired(dt.date(2000, 1, 1))
    assert not Lifecycle(status="active").is_retired(dt.date(2100, 1, 1))
    assert not Lifecycle(status="deprecated").is_retired(dt.date(2100, 1, 1))


def test_lifecycle_is_retired_by_date() -> None:
    life = Lifecycle(status="deprecated", retired_on=dt.date(2026, 9, 24))
    assert not life.is_retired(dt.date(2026, 9, 23))
    assert life.is_retired(dt.date(2026, 9, 24))
    assert life.is_retired(dt.date(2027, 1, 1))


def test_openai_catalog_ships_dated_sourced_prices() -> None:
    catalog = vidgen.get_provider("openai").catalog
    assert catalog.default_model == "sora-2"
    for spec in catalog.models:
        assert spec.lifecycle.retired_on == dt.date(2026, 9, 24)
        assert spec.prices
        for price in spec.prices:
            assert price.source
            assert price.as_of is not None
            assert isinstance(price.per_second, Decimal)
