"""The OpenRouter catalog: generated from ``GET /videos/models`` by the same mapping that
``vidgen prices refresh openrouter`` runs, with the research notes' pricing rules."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from openrouter_payloads import API, KEY

import vidgen
from vidgen.provider import Provider
from vidgen.testing import FakeServer, make_response, reply
from vidgen_openrouter import generate_catalog
from vidgen_openrouter._catalog_map import catalog_tables, model_table, rate_for

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

LISTING_FILE = Path(__file__).parent / "data" / "openrouter-video-models-2026-08-21.json"
LISTING: list[dict[str, Any]] = json.loads(LISTING_FILE.read_text(encoding="utf-8"))
AS_OF = dt.date(2026, 8, 21)
SOURCE = "https://openrouter.ai/api/v1/videos/models"
#: The answer's Date header on the day the listing was read.
DATE_HEADER = {"Date": "Fri, 21 Aug 2026 08:00:00 GMT"}
TODAY = dt.date(2026, 8, 21)

# The brief's canonical family ids; OpenRouter adds two models that have none yet.
CANONICAL = {
    "veo-3.1",
    "veo-3.1-fast",
    "veo-3.1-lite",
    "seedance-1.5-pro",
    "seedance-2.0",
    "seedance-2.0-fast",
    "seedance-2.0-mini",
    "seedance-2.5",
    "kling-v3-pro",
    "kling-v3-std",
    "kling-o1",
    "hailuo-2.3",
    "hailuo-3",
    "wan-2.6",
    "wan-2.7",
    "happyhorse-1.0",
    "sora-2-pro",
    "runway-gen-4.5",
    "grok-imagine-video-1.5",
    "flux-3-video",
}
NEW_FAMILIES = {"happyhorse-1.1", "grok-imagine-video"}


def shipped_text() -> str:
    return resources.files("vidgen_openrouter").joinpath("catalog.toml").read_text("utf-8")


def listing_response(models: Any = None, **headers: str) -> Any:
    return make_response(
        json={"data": LISTING if models is None else models},
        headers={**DATE_HEADER, **headers},
        url=f"{API}/videos/models",
    )


def quote(provider: Provider, **fields: Any) -> vidgen.Quote:
    request = vidgen.VideoRequest(**{"prompt": "a quiet harbour", **fields})
    return provider.quote(provider.fit(request, today=TODAY))


# -- the shipped file is exactly what the generator writes -------------------------------------


def test_the_shipped_catalog_is_the_generators_output() -> None:
    expected = generate_catalog.render(LISTING, as_of=AS_OF, input_name=LISTING_FILE.name)
    assert shipped_text() == expected, (
        "catalog.toml differs from the generator's output: run "
        "`python -m vidgen_openrouter.generate_catalog tests/providers/openrouter/data/"
        "openrouter-video-models-2026-08-21.json --as-of 2026-08-21 "
        "-o providers/vidgen_openrouter/catalog.toml`"
    )


def test_the_generator_command_line(tmp_path: Path) -> None:
    out = tmp_path / "catalog.toml"
    wrapped = tmp_path / "answer.json"
    wrapped.write_text(json.dumps({"data": LISTING}), encoding="utf-8")
    assert generate_catalog.main([str(wrapped), "--as-of", "2026-08-21", "-o", str(out)]) == 0
    assert (
        tomllib.loads(out.read_text("utf-8"))["models"] == tomllib.loads(shipped_text())["models"]
    )


def test_a_refresh_maps_the_listing_exactly_as_the_shipped_catalog(provider: Provider) -> None:
    tables, cursor = provider.parse_catalog_refresh(listing_response())
    assert cursor is None
    assert tables == tomllib.loads(shipped_text())["models"]


def test_skipped_models_say_why() -> None:
    _, skipped = catalog_tables(LISTING)
    assert dict(skipped) == {
        "black-forest-labs/flux-video-upscale": "it edits or upscales a video, and vidgen's "
        "request carries no video input",
        "runway/aleph-2": "it edits or upscales a video, and vidgen's request carries no "
        "video input",
    }
    assert "runway/aleph-2" in shipped_text()  # named in the header, with the reason


# -- families, lifecycle, capabilities ---------------------------------------------------------


def test_every_model_has_its_canonical_family(provider: Provider) -> None:
    families = {spec.family for spec in provider.catalog.models}
    assert None not in families
    assert families == CANONICAL | NEW_FAMILIES
    fast = provider.catalog.get("veo-3.1-fast")
    assert fast is not None
    assert fast.id == "google/veo-3.1-fast"


def test_sora_2_pro_is_retired_on_the_shutdown_date(provider: Provider) -> None:
    request = vidgen.VideoRequest(prompt="a harbour", model="sora-2-pro")
    assert provider.fit(request, today=dt.date(2026, 9, 23)).model == "openai/sora-2-pro"
    with pytest.raises(vidgen.ModelRetired) as caught:
        provider.fit(request, today=dt.date(2026, 9, 24))
    assert caught.value.retired_on == dt.date(2026, 9, 24)
    assert (caught.value.source or "").startswith("https://")


def test_capabilities_come_from_the_listing(provider: Provider) -> None:
    veo = provider.catalog.get("google/veo-3.1")
    assert veo is not None
    assert veo.durations == (4, 6, 8)
    assert {(s.size, s.aspect, s.resolution) for s in veo.sizes} >= {
        ("1280x720", "16:9", "720p"),
        ("3840x2160", "16:9", "2160p"),
    }
    assert (veo.reference, veo.last_frame) == (("file", "url"), ("file", "url"))
    assert (veo.audio, veo.audio_optional, veo.seed, veo.callbacks) == (True, True, True, True)
    assert veo.wire["resolutions"]["2160p"] == "4K"
    lite = provider.catalog.get("google/veo-3.1-lite")
    assert lite is not None
    assert lite.durations == (4, 6, 8)  # listed unsorted: [8, 4, 6]
    hailuo = provider.catalog.get("minimax/hailuo-2.3")
    assert hailuo is not None
    assert (hailuo.audio, hailuo.seed, hailuo.last_frame) == (False, False, ())
    grok = provider.catalog.get("x-ai/grok-imagine-video")
    assert grok is not None
    assert grok.audio is None
    sora = provider.catalog.get("openai/sora-2-pro")
    assert sora is not None
    assert sora.reference == ()  # no frame images listed


def test_seedance_25_sizes_keep_their_tier() -> None:
    table, _ = model_table(next(m for m in LISTING if m["id"] == "bytedance/seedance-2.5"))
    assert table is not None
    assert {"size": "1112x834", "aspect": "4:3", "resolution": "720p"} in table["sizes"]
    assert {"size": "640x640", "aspect": "1:1", "resolution": "480p"} in table["sizes"]


def test_sizes_are_computed_where_the_listing_has_none() -> None:
    table, _ = model_table(next(m for m in LISTING if m["id"] == "minimax/hailuo-3"))
    assert table is not None
    assert "2560x1440" in table["sizes"]
    assert any("vidgen's estimate" in note for note in table["notes"])


# -- prices: the research notes' rules and worked checks ---------------------------------------


@pytest.mark.parametrize(
    ("fields", "amount"),
    [
        # research/hosts.md section 4.3, "Worked checks"
        ({"model": "google/veo-3.1", "duration": 8, "resolution": "1080p"}, "3.20"),
        ({"model": "google/veo-3.1-fast", "duration": 8, "resolution": "720p"}, "0.80"),
        ({"model": "kwaivgi/kling-v3.0-pro", "duration": 5}, "0.84"),
        # Seedance tokens: 1280 x 720 x (24 x 5 + 1) / 1024 = 108,900 at $7 per million
        ({"model": "bytedance/seedance-2.0", "duration": 5}, "0.7623"),
        ({"model": "google/veo-3.1", "duration": 8, "audio": False}, "1.60"),
        ({"model": "google/veo-3.1", "duration": 4, "resolution": "2160p"}, "2.40"),
        (
            {"model": "google/veo-3.1-fast", "duration": 4, "resolution": "2160p", "audio": False},
            "1.00",
        ),
        ({"model": "kwaivgi/kling-v3.0-std", "duration": 10, "audio": False}, "0.840"),
        ({"model": "x-ai/grok-imagine-video-1.5", "duration": 10, "resolution": "1080p"}, "2.50"),
        ({"model": "runway/gen-4.5", "duration": 10}, "1.20"),
        ({"model": "alibaba/happyhorse-1.0", "duration": 10, "resolution": "1080p"}, "1.694"),
        ({"model": "black-forest-labs/flux-3-video", "duration": 5, "resolution": "1080p"}, "1.45"),
    ],
)
def test_worked_prices(provider: Provider, fields: dict[str, Any], amount: str) -> None:
    quoted = quote(provider, **fields)
    assert quoted.amount == Decimal(amount)
    assert quoted.currency == "USD"
    assert quoted.source == SOURCE
    assert quoted.as_of == AS_OF


def test_image_to_video_has_its_own_rate_where_listed(provider: Provider) -> None:
    text = quote(provider, model="alibaba/wan-2.6", duration=5)
    image = quote(
        provider,
        model="alibaba/wan-2.6",
        duration=5,
        reference=vidgen.Reference.from_url("https://images.example.com/first.png"),
    )
    assert (text.amount, image.amount) == (Decimal("0.40"), Decimal("0.50"))
    assert image.note is not None
    assert "image_to_video_duration_seconds_720p" in image.note


def test_every_price_says_it_is_an_estimate(provider: Provider) -> None:
    for spec in provider.catalog.models:
        assert spec.prices, f"{spec.id} has no price"
        for price in spec.prices:
            assert price.note is not None
            assert "estimate" in price.note
            assert "usage.cost" in price.note
            assert price.source == SOURCE
            assert price.as_of == AS_OF


def test_what_the_rate_leaves_out_is_in_the_note(provider: Provider) -> None:
    grok = provider.catalog.get("x-ai/grok-imagine-video")
    assert grok is not None
    assert "$0.002 per input image" in (grok.prices[0].note or "")
    hailuo = provider.catalog.get("minimax/hailuo-3")
    assert hailuo is not None
    assert "$0.04 per reference image" in (hailuo.prices[0].note or "")


@pytest.mark.parametrize(
    ("skus", "resolution", "audio", "expected"),
    [
        # A key without a tier covers the tiers with no key of their own.
        (
            {"duration_seconds_with_audio": "0.12", "duration_seconds_with_audio_720p": "0.10"},
            "1080p",
            True,
            ("0.12", "second"),
        ),
        (
            {"duration_seconds_with_audio": "0.12", "duration_seconds_with_audio_720p": "0.10"},
            "720p",
            True,
            ("0.10", "second"),
        ),
        # A key without a sound qualifier is the silent (base) price.
        (
            {"duration_seconds": "0.112", "duration_seconds_with_audio": "0.168"},
            "720p",
            False,
            ("0.112", "second"),
        ),
        # Cents, by tier.
        ({"cents_per_video_output_second_480p": "5"}, "480p", None, ("0.05", "second")),
        ({"cents_per_video_output_second_480p": "5"}, "1080p", None, None),
        # Tokens: the tier key, else the plain one; never the video-input rate.
        (
            {"video_tokens": "0.000007", "video_tokens_1080p_with_video_input": "0.0000047"},
            "1080p",
            True,
            ("0.000007", "token"),
        ),
        (
            {"video_tokens": "0.000007", "video_tokens_4k": "0.000004"},
            "4K",
            True,
            ("0.000004", "token"),
        ),
        # Junk values are ignored, not trusted.
        ({"duration_seconds": "free", "duration_seconds_720p": "-1"}, "720p", None, None),
        ({}, "720p", None, None),
    ],
)
def test_pricing_rules(
    skus: dict[str, str], resolution: str, audio: bool | None, expected: tuple[str, str] | None
) -> None:
    rate = rate_for(skus, resolution=resolution, audio=audio)
    if expected is None:
        assert rate is None
    else:
        assert rate is not None
        assert (rate.amount, rate.unit) == (Decimal(expected[0]), expected[1])


# -- vidgen prices refresh openrouter ------------------------------------------------------------


def test_the_refresh_request_needs_no_key() -> None:
    keyless = vidgen.get_provider("openrouter")
    request = keyless.build_catalog_refresh()
    assert request is not None
    assert (request.method, str(request.url)) == ("GET", f"{API}/videos/models")
    assert "authorization" not in request.headers
    assert keyless.build_catalog_refresh("next") is None
    keyed = vidgen.get_provider("openrouter", api_key=KEY).build_catalog_refresh()
    assert keyed is not None
    assert keyed.headers["authorization"] == f"Bearer {KEY}"


def test_a_refresh_marks_a_model_no_longer_listed_as_retired(provider: Provider) -> None:
    without_sora = [m for m in LISTING if m["id"] != "openai/sora-2-pro"]
    tables, _ = provider.parse_catalog_refresh(listing_response(without_sora))
    retired = next(t for t in tables if t["id"] == "openai/sora-2-pro")
    assert retired == {
        "id": "openai/sora-2-pro",
        "lifecycle": {
            "status": "retired",
            "source": SOURCE,
            "note": "no longer listed by GET /videos/models on 2026-08-21",
            "retired_on": AS_OF,
        },
    }


def test_a_refresh_reads_new_prices_and_models(provider: Provider) -> None:
    veo = next(m for m in LISTING if m["id"] == "google/veo-3.1")
    cheaper = {**veo, "pricing_skus": {"duration_seconds_with_audio": "0.30"}}
    newcomer = {**veo, "id": "google/veo-4", "canonical_slug": "google/veo-4-20261101"}
    tables, _ = provider.parse_catalog_refresh(
        listing_response([cheaper, newcomer], Date="Mon, 30 Nov 2026 10:00:00 GMT")
    )
    first = tables[0]
    assert first["prices"][0]["per_second"] == "0.30"
    assert first["prices"][0]["as_of"] == dt.date(2026, 11, 30)
    assert tables[1]["id"] == "google/veo-4"
    assert "family" not in tables[1]  # a model vidgen does not know yet has no family


@pytest.mark.parametrize(
    "body",
    [{"data": "none"}, {"models": []}, "models", 42],
    ids=["string", "key", "text", "number"],
)
def test_an_unreadable_listing_is_a_protocol_error(provider: Provider, body: Any) -> None:
    with pytest.raises(vidgen.ProtocolError):
        provider.parse_catalog_refresh(make_response(json=body, url=f"{API}/videos/models"))


def test_broken_entries_are_skipped_not_fatal(provider: Provider) -> None:
    veo = next(m for m in LISTING if m["id"] == "google/veo-3.1")
    junk = [None, "veo", {"id": 7}, {**veo, "supported_durations": "4-8"}, veo]
    tables, _ = provider.parse_catalog_refresh(listing_response(junk))
    assert [t["id"] for t in tables if "durations" in t] == ["google/veo-3.1"]


def test_refresh_catalog_keeps_an_overlay_the_quotes_use(
    make_client: Callable[..., vidgen.Client],
) -> None:
    veo = next(m for m in LISTING if m["id"] == "google/veo-3.1")
    cheaper = {**veo, "pricing_skus": {"duration_seconds_with_audio": "0.30"}}
    server = FakeServer().route(
        "GET", "/api/v1/videos/models", reply(json={"data": [cheaper]}, headers=DATE_HEADER)
    )
    with make_client(server) as client:
        path = client.refresh_catalog()
        assert path.name == "openrouter.json"
        offers = client.plan(
            vidgen.VideoRequest(prompt="a harbour", model="google/veo-3.1", duration=8)
        )
        quoted = offers.attempts[0].quote
    assert quoted.amount == Decimal("2.40")
    assert quoted.source == SOURCE
    assert [r.url.path for r in server.requests] == ["/api/v1/videos/models"]
