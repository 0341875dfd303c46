"""The minimax catalog through fit and quote: per-model values and V1's mode rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from minimax_payloads import KEY

import vidgen
from vidgen.provider import Provider

FIRST = vidgen.Reference.from_url("https://example.com/first.png")


@pytest.fixture
def provider() -> Provider:
    return vidgen.get_provider("minimax", api_key=KEY)


def fit(provider: Provider, policy: str = "strict", **fields: Any) -> vidgen.Fitted:
    fields.setdefault("prompt", "a calm sea")
    return provider.fit(vidgen.VideoRequest(**fields), policy=policy)


@pytest.mark.parametrize(
    ("family", "model"),
    [
        ("hailuo-3", "MiniMax-H3"),
        ("hailuo-3-max", "MiniMax-H3-Max"),
        ("hailuo-2.3", "MiniMax-Hailuo-2.3"),
        ("hailuo-2.3-fast", "MiniMax-Hailuo-2.3-Fast"),
        ("hailuo-02", "MiniMax-Hailuo-02"),
    ],
)
def test_families(provider: Provider, family: str, model: str) -> None:
    assert fit(provider, "nearest", model=family, reference=FIRST).model == model


def test_h3_durations_tiers_and_prices(provider: Provider) -> None:
    spec = provider.catalog.get("MiniMax-H3")
    assert spec is not None
    assert spec.durations == tuple(range(4, 16))
    assert {s.resolution for s in spec.sizes} == {"768p", "1440p"}
    q768 = provider.quote(fit(provider, model="MiniMax-H3", duration=10, resolution="768p"))
    q2k = provider.quote(fit(provider, model="MiniMax-H3", duration=10, resolution="1440p"))
    assert (q768.amount, q2k.amount) == (Decimal("0.80"), Decimal("1.30"))
    assert q2k.source == "https://platform.minimax.io/docs/guides/pricing-paygo"
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model="MiniMax-H3", duration=3)
    assert caught.value.param == "duration"
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model="MiniMax-H3", resolution="1080p")
    assert caught.value.param == "resolution"


def test_h3_always_has_sound_and_takes_no_seed(provider: Provider) -> None:
    for field, value in (("audio", False), ("seed", 7), ("negative_prompt", "rain")):
        with pytest.raises(vidgen.UnsupportedRequest) as caught:
            fit(provider, model="MiniMax-H3", **{field: value})
        assert caught.value.param == field


def test_h3_max_takes_no_reference_images(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model="MiniMax-H3-Max", references=[FIRST])
    assert caught.value.param == "references"
    assert provider.quote(fit(provider, model="MiniMax-H3-Max", resolution="480p")).unit_price == (
        Decimal("0.05")
    )


def test_v1_ten_seconds_is_not_offered_at_1080p(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model="hailuo-2.3", duration=10, resolution="1080p")
    assert (caught.value.param, caught.value.value) == ("duration", 10)
    moved = fit(provider, "nearest", model="hailuo-2.3", duration=10, resolution="1080p")
    assert moved.seconds == 6
    assert [(a.field, a.requested, a.sent) for a in moved.adjustments] == [("duration", 10, 6)]
    assert fit(provider, model="hailuo-2.3", duration=10, resolution="768p").seconds == 10


def test_v1_text_to_video_is_16_9_but_a_first_frame_sets_the_shape(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model="hailuo-2.3", aspect="9:16")
    assert caught.value.param == "aspect"
    assert fit(provider, "nearest", model="hailuo-2.3", aspect="9:16").aspect == "16:9"
    portrait = fit(provider, model="hailuo-2.3", aspect="9:16", reference=FIRST)
    assert (portrait.aspect, portrait.size) == ("9:16", "768x1366")


def test_v1_fast_needs_a_first_frame(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model="hailuo-2.3-fast")
    assert caught.value.param == "reference"
    # nothing can be adjusted into an image: refused under nearest too, before any submit
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, "nearest", model="hailuo-2.3-fast")
    assert caught.value.param == "reference"
    assert (
        fit(provider, model="hailuo-2.3-fast", reference=FIRST).model == "MiniMax-Hailuo-2.3-Fast"
    )


def test_v1_hailuo_02_512p_is_for_images_only(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model="hailuo-02", resolution="512p")
    assert caught.value.param == "resolution"
    assert fit(provider, "nearest", model="hailuo-02", resolution="512p").resolution == "768p"
    assert fit(provider, model="hailuo-02", resolution="512p", reference=FIRST).size == "912x512"
    last = vidgen.Reference.from_url("https://example.com/last.png")
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model="hailuo-02", resolution="512p", reference=FIRST, last_frame=last)
    assert caught.value.param == "last_frame"


def test_v1_prompt_limit_and_prices(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model="hailuo-2.3", prompt="x" * 2001)
    assert caught.value.param == "prompt"
    full_hd = provider.quote(fit(provider, model="hailuo-2.3", resolution="1080p"))
    assert (full_hd.amount, full_hd.unit) == (Decimal("0.49"), "video")
    assert full_hd.note is not None
    assert "reseller" in full_hd.note
    assert provider.quote(fit(provider, model="hailuo-2.3")).amount is None
    assert provider.quote(fit(provider, model="hailuo-02")).amount is None


def test_every_model_has_callbacks_and_an_api(provider: Provider) -> None:
    for spec in provider.catalog.models:
        assert spec.callbacks
        assert spec.wire["api"] in ("v1", "v2")
