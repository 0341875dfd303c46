"""The byteplus catalog through fit and quote: values per model, sizes, token prices."""

from __future__ import annotations

from decimal import Decimal

import pytest
from byteplus_payloads import KEY, SUCCEEDED

import vidgen
from vidgen.provider import Provider

SEEDANCE_2 = "dreamina-seedance-2-0-260128"


@pytest.fixture
def provider() -> Provider:
    return vidgen.get_provider("byteplus", api_key=KEY)


def fit(provider: Provider, policy: str = "strict", **fields: object) -> vidgen.Fitted:
    fields.setdefault("prompt", "a calm sea")
    return provider.fit(vidgen.VideoRequest(**fields), policy=policy)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("family", "model"),
    [
        ("seedance-2.0", "dreamina-seedance-2-0-260128"),
        ("seedance-2.0-fast", "dreamina-seedance-2-0-fast-260128"),
        ("seedance-2.0-mini", "dreamina-seedance-2-0-mini-260615"),
        ("seedance-2.5", "dreamina-seedance-2-5-260628"),
        ("seedance-1.5-pro", "seedance-1-5-pro-251215"),
        ("seedance-1.0-pro", "seedance-1-0-pro-250528"),
        ("seedance-1.0-pro-fast", "seedance-1-0-pro-fast-251015"),
    ],
)
def test_every_family_resolves_to_its_byteplus_id(
    provider: Provider, family: str, model: str
) -> None:
    assert fit(provider, model=family).model == model


@pytest.mark.parametrize(
    ("model", "durations"),
    [
        (SEEDANCE_2, range(4, 16)),
        ("dreamina-seedance-2-5-260628", range(4, 31)),
        ("seedance-1-5-pro-251215", range(4, 13)),
        ("seedance-1-0-pro-250528", range(2, 13)),
    ],
)
def test_durations_are_whole_seconds_in_the_documented_range(
    provider: Provider, model: str, durations: range
) -> None:
    assert provider.catalog.get(model).durations == tuple(durations)  # type: ignore[union-attr]
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model=model, duration=durations.stop)
    assert caught.value.param == "duration"
    adjusted = fit(provider, "nearest", model=model, duration=durations.stop + 5)
    assert adjusted.seconds == durations.stop - 1
    assert adjusted.adjustments[0].field == "duration"


@pytest.mark.parametrize(
    ("model", "resolution", "aspect", "size"),
    [
        (SEEDANCE_2, "480p", "16:9", "864x496"),
        (SEEDANCE_2, "720p", "21:9", "1470x630"),
        (SEEDANCE_2, "1080p", "4:3", "1664x1248"),
        (SEEDANCE_2, "2160p", "9:16", "2160x3840"),
        ("dreamina-seedance-2-5-260628", "480p", "16:9", "854x480"),
        ("seedance-1-0-pro-250528", "480p", "16:9", "864x480"),
        ("seedance-1-0-pro-250528", "720p", "16:9", "1248x704"),
        ("seedance-1-0-pro-250528", "1080p", "9:16", "1088x1920"),
    ],
)
def test_sizes_are_the_pixels_ark_renders(
    provider: Provider, model: str, resolution: str, aspect: str, size: str
) -> None:
    fitted = fit(provider, model=model, resolution=resolution, aspect=aspect)
    assert (fitted.size, fitted.resolution) == (size, resolution)


def test_fast_and_mini_stop_at_720p(provider: Provider) -> None:
    for model in ("seedance-2.0-fast", "seedance-2.0-mini"):
        with pytest.raises(vidgen.UnsupportedRequest) as caught:
            fit(provider, model=model, resolution="1080p")
        assert caught.value.param == "resolution"
        assert fit(provider, "nearest", model=model, resolution="1080p").resolution == "720p"


def test_the_quote_is_in_tokens_by_ark_s_formula(provider: Provider) -> None:
    # 1280 x 720 x (24 x 5 + 1) / 1024 = 108900, the recorded count of a 2.0 720p 5 s task.
    quote = provider.quote(fit(provider, model=SEEDANCE_2, duration=5, resolution="720p"))
    assert quote.amount == Decimal("7.00") * 108900 / 1_000_000
    assert (quote.currency, quote.unit) == ("USD", "million tokens")
    assert quote.note is not None
    assert "108,900 tokens" in quote.note
    assert quote.source == "https://docs.byteplus.com/en/docs/ModelArk/1544106"


def test_the_formula_matches_the_recorded_body() -> None:
    # The recorded 1.0 pro task: 864 x 480, 2 s at 24 fps.
    assert 864 * 480 * (24 * SUCCEEDED["duration"] + 1) // 1024 == 19845
    assert SUCCEEDED["usage"]["completion_tokens"] == 19845


@pytest.mark.parametrize(
    ("resolution", "rate"),
    [("480p", "7.00"), ("720p", "7.00"), ("1080p", "7.70"), ("2160p", "4.00")],
)
def test_seedance_2_rates_by_resolution(provider: Provider, resolution: str, rate: str) -> None:
    quote = provider.quote(fit(provider, model=SEEDANCE_2, resolution=resolution))
    assert quote.unit_price == Decimal(rate)


def test_seedance_1_5_pro_costs_half_without_sound(provider: Provider) -> None:
    loud = provider.quote(fit(provider, model="seedance-1.5-pro", audio=True))
    silent = provider.quote(fit(provider, model="seedance-1.5-pro", audio=False))
    assert (loud.unit_price, silent.unit_price) == (Decimal("2.40"), Decimal("1.20"))
    assert loud.note is not None
    assert "reseller" in loud.note


def test_an_unknown_price_stays_unknown(provider: Provider) -> None:
    quote = provider.quote(fit(provider, model="seedance-1.0-pro"))
    assert quote.amount is None


def test_seedance_1_0_is_silent(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model="seedance-1.0-pro", audio=True)
    assert caught.value.param == "audio"


def test_pro_fast_takes_no_last_frame_and_1_x_no_reference_images(provider: Provider) -> None:
    first = vidgen.Reference.from_url("https://example.com/f.png")
    last = vidgen.Reference.from_url("https://example.com/l.png")
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model="seedance-1.0-pro-fast", reference=first, last_frame=last)
    assert caught.value.param == "last_frame"
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model="seedance-1.5-pro", references=[first])
    assert caught.value.param == "references"


def test_reference_image_limits(provider: Provider) -> None:
    many = [vidgen.Reference.from_url(f"https://example.com/{i}.png") for i in range(10)]
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, model=SEEDANCE_2, references=many)
    assert caught.value.param == "references"
    assert len(fit(provider, model="seedance-2.5", references=many).references) == 10


def test_every_model_fits_a_plain_request_and_quotes(provider: Provider) -> None:
    for spec in provider.catalog.models:
        fitted = fit(provider, model=spec.id)
        assert fitted.seconds == 5
        provider.quote(fitted)
        provider.build_submit(fitted)
        assert spec.callbacks
        assert spec.seed
        assert spec.fps == 24
