"""fit and quote: what each policy does with each field, and the price of the result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

import pytest

import vidgen
from vidgen import (
    Adjustment,
    ModelRetired,
    Reference,
    UnsupportedRequest,
    VideoRequest,
)
from vidgen.provider import Provider
from vidgen.testing import gif_bytes, jpeg_bytes, png_bytes

TODAY = dt.date(2026, 6, 1)


class Tiny(Provider):
    """A provider with a catalog made in each test, and no wire format."""

    name = "tiny"
    display_name = "Tiny"
    reserved_options: ClassVar[frozenset[str]] = frozenset({"prompt", "seconds", "size"})


def model(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "std",
        "durations": [4, 8, 12],
        "sizes": ["1280x720", "720x1280", "1920x1080", "1080x1920"],
        "max_variants": {"default": 1, "720p": 2},
        "prices": [
            {"resolutions": ["720p"], "per_second": "0.10", "source": "doc", "as_of": "2026-01-01"},
            {
                "resolutions": ["1080p"],
                "per_second": "0.25",
                "source": "doc",
                "as_of": "2026-01-01",
            },
        ],
    }
    entry.update(overrides)
    return entry


def tiny(*models: dict[str, Any]) -> Tiny:
    return Tiny(models=list(models) or [model()])


def fit(
    provider: Provider, policy: str = "strict", allow_retired: bool = False, **fields: Any
) -> vidgen.Fitted:
    request = VideoRequest(prompt=fields.pop("prompt", "a lighthouse in a storm"), **fields)
    return provider.fit(request, policy=policy, allow_retired=allow_retired, today=TODAY)


def refused(provider: Provider, policy: str = "strict", **fields: Any) -> UnsupportedRequest:
    with pytest.raises(UnsupportedRequest) as info:
        fit(provider, policy, **fields)
    return info.value


# -- defaults -------------------------------------------------------------------------------


def test_defaults_come_from_the_catalog() -> None:
    provider = tiny(model(), model(id="other", durations=[5]))
    fitted = fit(provider)
    assert (fitted.model, fitted.seconds, fitted.size) == ("std", 4, "1280x720")
    assert (fitted.aspect, fitted.resolution, fitted.variants) == ("16:9", "720p", 1)
    assert (fitted.width, fitted.height) == (1280, 720)
    assert fitted.warnings == ()
    assert fitted.adjustments == ()
    assert fitted.provider == "tiny"
    assert fitted.spec.id == "std"


def test_named_model_and_alias() -> None:
    provider = tiny(model(), model(id="other", aliases=["other-2026"], durations=[5]))
    assert fit(provider, model="other").seconds == 5
    fitted = fit(provider, model="other-2026")
    assert fitted.model == "other-2026"  # the id asked for is what is sent
    assert fitted.spec.id == "other"


def test_aspect_only_picks_the_lowest_tier() -> None:
    fitted = fit(tiny(), aspect="9:16")
    assert fitted.size == "720x1280"
    assert fitted.resolution == "720p"


def test_resolution_and_aspect_pick_the_exact_size() -> None:
    assert fit(tiny(), aspect="9:16", resolution="1080p").size == "1080x1920"


# -- strict ---------------------------------------------------------------------------------


def test_strict_duration() -> None:
    error = refused(tiny(), duration=6)
    assert (error.param, error.value, error.supported) == ("duration", 6, (4, 8, 12))
    assert "supported durations are 4, 8, 12 seconds" in str(error)
    assert str(error).startswith("tiny model std:")
    assert (error.provider, error.model) == ("tiny", "std")


def test_strict_aspect() -> None:
    error = refused(tiny(), aspect="4:3")
    assert (error.param, error.value) == ("aspect", "4:3")
    assert error.supported == ("16:9", "9:16")
    assert "16:9 at 720p (1280x720)" in str(error)
    assert "9:16 at 1080p (1080x1920)" in str(error)


def test_strict_resolution() -> None:
    error = refused(tiny(), aspect="16:9", resolution="480p")
    assert (error.param, error.value, error.supported) == ("resolution", "480p", ("720p", "1080p"))
    assert "480p at 16:9 is not offered" in str(error)


def test_strict_variants() -> None:
    error = refused(tiny(), variants=3)
    assert (error.param, error.value, error.supported) == ("variants", 3, (1, 2))
    assert "at most 2 variant(s) per job at 720p" in str(error)
    # The limit is per tier: 1080p allows only one.
    assert refused(tiny(), variants=2, resolution="1080p").supported == (1,)
    assert fit(tiny(), variants=2).variants == 2


def test_strict_callback_url() -> None:
    url = "https://hooks.example.com/done"
    error = refused(tiny(), callback_url=url)
    assert (error.param, error.value) == ("callback_url", url)
    assert "no per-request callbacks; poll with wait() instead" in str(error)
    assert fit(tiny(model(callbacks=True)), callback_url=url).callback_url == url


def test_invalid_policy() -> None:
    with pytest.raises(ValueError, match="policy must be 'strict' or 'nearest'"):
        fit(tiny(), policy="closest")


# -- nearest --------------------------------------------------------------------------------


def test_nearest_adjusts_every_field_and_says_so() -> None:
    url = "https://hooks.example.com/done"
    fitted = fit(
        tiny(),
        "nearest",
        duration=10,
        aspect="4:3",
        resolution="1440p",
        variants=5,
        callback_url=url,
    )
    assert (fitted.seconds, fitted.aspect, fitted.size, fitted.variants) == (
        12,
        "16:9",
        "1920x1080",
        1,
    )
    assert fitted.callback_url is None
    by_field = {a.field: a for a in fitted.adjustments}
    assert [a.field for a in fitted.adjustments] == [
        "duration",
        "aspect",
        "resolution",
        "variants",
        "callback_url",
    ]
    assert (by_field["duration"].requested, by_field["duration"].sent) == (10, 12)
    assert (by_field["aspect"].requested, by_field["aspect"].sent) == ("4:3", "16:9")
    assert (by_field["resolution"].requested, by_field["resolution"].sent) == ("1440p", "1080p")
    assert (by_field["variants"].requested, by_field["variants"].sent) == (5, 1)
    assert (by_field["callback_url"].requested, by_field["callback_url"].sent) == (url, None)
    assert len(fitted.warnings) == 5
    assert fitted.warnings[0].startswith("duration 10 changed to 12: supported durations are")
    assert fitted.request.duration == 10  # the request is kept as asked


def test_nearest_keeps_what_fits() -> None:
    fitted = fit(tiny(), "nearest", duration=8, aspect="9:16", resolution="1080p")
    assert fitted.adjustments == ()
    assert fitted.warnings == ()


@pytest.mark.parametrize(("asked", "sent"), [(1, 4), (5, 4), (6, 8), (10, 12), (99, 12)])
def test_nearest_duration_ties_go_longer(asked: int, sent: int) -> None:
    fitted = fit(tiny(), "nearest", duration=asked)
    assert fitted.seconds == sent
    assert fitted.adjustments == (
        Adjustment(
            field="duration",
            requested=asked,
            sent=sent,
            reason="supported durations are 4, 8, 12 seconds",
        ),
    )


@pytest.mark.parametrize(
    ("asked", "sent"), [("900p", "720p"), ("901p", "1080p"), ("480p", "720p"), ("2160p", "1080p")]
)
def test_nearest_resolution_ties_go_lower(asked: str, sent: str) -> None:
    fitted = fit(tiny(), "nearest", aspect="16:9", resolution=asked)
    assert fitted.resolution == sent
    assert [(a.requested, a.sent) for a in fitted.adjustments] == [(asked, sent)]


def test_nearest_aspect_moves_to_the_closest_ratio() -> None:
    assert fit(tiny(), "nearest", aspect="21:9").aspect == "16:9"
    assert fit(tiny(), "nearest", aspect="3:4").aspect == "9:16"


def test_hints_are_appended_to_messages_and_warnings() -> None:
    provider = tiny(model(hints={"duration": {"10": "10 s is only on std-pro"}}))
    error = refused(provider, duration=10)
    assert str(error).endswith(". 10 s is only on std-pro")
    fitted = fit(provider, "nearest", duration=10)
    assert fitted.warnings[0].endswith(". 10 s is only on std-pro")
    # No hint for another value.
    assert "std-pro" not in str(refused(provider, duration=6))


def test_wildcard_hint_applies_to_every_value() -> None:
    provider = tiny(model(hints={"duration": {"*": "durations are fixed by the plan"}}))
    assert str(refused(provider, duration=6)).endswith(". durations are fixed by the plan")


# -- refused under both policies ----------------------------------------------------------------


def test_unknown_model_lists_the_catalog() -> None:
    for policy in ("strict", "nearest"):
        error = refused(tiny(model(), model(id="std-pro")), policy, model="sora-9")
        assert (error.param, error.value, error.supported) == (
            "model",
            "sora-9",
            ("std", "std-pro"),
        )
        assert "tiny has no model 'sora-9'; it offers std, std-pro" in str(error)
        assert "[[profiles.NAME.models]]" in str(error)


def test_empty_catalog() -> None:
    provider = Tiny()
    error = refused(provider)
    assert error.param == "model"
    assert "no models in its catalog" in str(error)


@pytest.mark.parametrize("policy", ["strict", "nearest"])
def test_prompt_too_long(policy: str) -> None:
    provider = tiny(model(max_prompt_chars=20))
    error = refused(provider, policy, prompt="x" * 21)
    assert (error.param, error.value, error.supported) == ("prompt", 21, (20,))
    assert "the prompt has 21 characters; the limit is 20. Shorten it" in str(error)
    assert fit(provider, policy, prompt="x" * 20).model == "std"


def _retired(**lifecycle: Any) -> Tiny:
    return tiny(model(id="old", lifecycle=lifecycle))


def test_retired_model_is_refused_with_date_and_replacement() -> None:
    provider = _retired(
        status="retired", retired_on="2026-03-01", replacement="new", note="Gone for good"
    )
    for policy in ("strict", "nearest"):
        with pytest.raises(ModelRetired) as info:
            fit(provider, policy)
        error = info.value
        assert error.retired_on == dt.date(2026, 3, 1)
        assert error.replacement == "new"
        assert error.model == "old"
        assert "tiny model old was retired on 2026-03-01; use new instead. Gone for good" in str(
            error
        )
        assert "allow_retired=True" in str(error)


def test_retired_model_allowed_with_a_warning() -> None:
    provider = _retired(status="retired", retired_on="2026-03-01", replacement="new")
    fitted = fit(provider, allow_retired=True)
    assert fitted.model == "old"
    assert fitted.warnings == (
        "old was retired on 2026-03-01; use new instead; sent anyway (allow_retired)",
    )


def test_deprecated_model_with_a_future_date_warns() -> None:
    provider = _retired(status="deprecated", retired_on="2026-09-24")
    fitted = fit(provider)
    assert fitted.warnings == ("old shuts down on 2026-09-24",)


def test_deprecated_model_without_a_date_warns() -> None:
    provider = _retired(status="deprecated", note="use std-2")
    assert fit(provider).warnings == ("old is deprecated: use std-2",)


def test_today_decides_whether_a_dated_model_is_retired() -> None:
    provider = _retired(status="deprecated", retired_on="2026-09-24")
    request = VideoRequest(prompt="a lighthouse")
    assert provider.fit(request, today=dt.date(2026, 9, 23)).model == "old"
    with pytest.raises(ModelRetired) as info:
        provider.fit(request, today=dt.date(2026, 9, 24))
    assert info.value.retired_on == dt.date(2026, 9, 24)
    assert info.value.replacement is None


def test_reserved_provider_options_are_refused() -> None:
    for policy in ("strict", "nearest"):
        error = refused(tiny(), policy, provider_options={"tiny": {"seconds": "4", "seed": 1}})
        assert error.param == "provider_options.tiny.seconds"
        assert "set it through VideoRequest" in str(error)


def test_own_provider_options_pass_and_others_are_ignored() -> None:
    options = {"tiny": {"seed": 7}, "azure": {"seconds": 4}}
    fitted = fit(tiny(), provider_options=options)
    assert fitted.options == {"seed": 7}


# -- reference images -------------------------------------------------------------------------

PNG_720 = Reference.from_bytes(png_bytes(1280, 720))
PNG_PORTRAIT = Reference.from_bytes(png_bytes(720, 1280))
URL_REF = Reference.from_url("https://cdn.example.com/first.png", width=1280, height=720)


@pytest.mark.parametrize("policy", ["strict", "nearest"])
def test_model_without_reference_support(policy: str) -> None:
    error = refused(tiny(), policy, reference=PNG_720)
    assert error.param == "reference"
    assert "takes no reference image; leave reference unset" in str(error)


def test_file_reference_on_a_url_only_model() -> None:
    error = refused(tiny(model(reference=["url"])), "nearest", reference=PNG_720)
    assert (error.param, error.value, error.supported) == ("reference", "file", ("url",))
    assert "only as a url; host the image and pass Reference.from_url(...)" in str(error)
    assert fit(tiny(model(reference=["url"])), reference=URL_REF).size == "1280x720"


def test_url_reference_on_a_file_only_model() -> None:
    error = refused(tiny(model(reference=["file"])), "nearest", reference=URL_REF)
    assert (error.param, error.value) == ("reference", "url")
    assert "only as a file; submit the request and vidgen fetches the URL first" in str(error)
    assert "Reference.from_path(...)" in str(error)


def test_reference_type_not_accepted() -> None:
    provider = tiny(model(reference=["file"], reference_formats=["image/png"]))
    error = refused(provider, "strict", reference=Reference.from_bytes(jpeg_bytes(1280, 720)))
    assert (error.param, error.value, error.supported) == (
        "reference",
        "image/jpeg",
        ("image/png",),
    )
    assert "the reference image is image/jpeg; it takes image/png" in str(error)
    # GIF is sniffed, but not in the default formats.
    assert (
        refused(
            tiny(model(reference=["file"])), reference=Reference.from_bytes(gif_bytes(1280, 720))
        ).value
        == "image/gif"
    )


def test_reference_too_big() -> None:
    limit = len(PNG_720.data or b"") - 1
    provider = tiny(model(reference=["file"], reference_max_bytes=limit))
    error = refused(provider, "strict", reference=PNG_720)
    assert (error.param, error.supported) == ("reference", (limit,))
    assert f"the limit is {limit}" in str(error)
    assert "reference_fit='crop'" in str(error)


def test_reference_too_small() -> None:
    provider = tiny(model(reference=["file"], reference_min_side=800))
    error = refused(provider, "nearest", reference=PNG_720)
    assert (error.param, error.value) == ("reference", "1280x720")
    assert "its short side must be at least 800 px" in str(error)


def test_reference_aspect_out_of_range() -> None:
    provider = tiny(model(reference=["file"], reference_aspect_range=[0.5, 1.5]))
    error = refused(provider, "nearest", reference=PNG_720)
    assert error.supported == (0.5, 1.5)
    assert "(width/height 1.78); it must be between 0.5 and 1.5" in str(error)


def test_reference_must_match_the_video_size() -> None:
    provider = tiny(model(reference=["file", "url"], reference_must_match_size=True))
    big = Reference.from_bytes(png_bytes(1920, 1080))
    error = refused(provider, "strict", reference=big, aspect="16:9", resolution="720p")
    assert (error.param, error.value, error.supported) == ("reference", "1920x1080", ("1280x720",))
    assert "resize the image to 1280x720" in str(error)
    # Without a resolution, the size of the image is chosen when the model renders it.
    assert fit(provider, reference=big).size == "1920x1080"
    assert fit(provider, reference=PNG_720, aspect="16:9", resolution="720p").size == "1280x720"


def test_aspect_is_inferred_from_the_reference() -> None:
    provider = tiny(model(reference=["file"]))
    fitted = fit(provider, reference=PNG_PORTRAIT)
    assert (fitted.aspect, fitted.size) == ("9:16", "720x1280")
    assert fitted.adjustments == ()
    # A JPEG the size of a 1080p frame picks 1080p.
    tall = Reference.from_bytes(jpeg_bytes(1080, 1920, progressive=True))
    assert fit(provider, reference=tall).size == "1080x1920"


def test_reference_aspect_the_model_cannot_render() -> None:
    provider = tiny(model(reference=["file"]))
    square = Reference.from_bytes(png_bytes(512, 512))
    error = refused(provider, reference=square)
    assert (error.param, error.value) == ("aspect", "1:1")
    assert "(the reference image's shape; pass aspect= to choose)" in str(error)
    fitted = fit(provider, "nearest", reference=square)
    assert fitted.aspect == "16:9"
    assert [(a.field, a.requested, a.sent) for a in fitted.adjustments] == [
        ("aspect", "1:1", "16:9")
    ]


def test_reference_checks_come_before_sizing() -> None:
    # An image that is too small is refused as such, not as an aspect the model lacks.
    provider = tiny(model(reference=["file"], reference_min_side=600))
    error = refused(provider, reference=Reference.from_bytes(png_bytes(300, 300)))
    assert (error.param, error.value) == ("reference", "300x300")


# -- quote --------------------------------------------------------------------------------------


def test_quote_per_second_times_seconds_times_variants() -> None:
    provider = tiny()
    fitted = fit(provider, duration=12, variants=2)
    quote = provider.quote(fitted)
    assert quote.amount == Decimal("2.40")
    assert (quote.unit_price, quote.unit, quote.billed_seconds) == (Decimal("0.10"), "second", 24)
    assert (quote.currency, quote.source, quote.as_of) == ("USD", "doc", dt.date(2026, 1, 1))
    assert provider.quote(fit(provider, duration=8, resolution="1080p")).amount == Decimal("2.00")


def test_quote_per_video() -> None:
    provider = tiny(
        model(
            prices=[
                {"per_video": "0.35", "currency": "EUR", "source": "list", "as_of": "2026-02-02"}
            ]
        )
    )
    quote = provider.quote(fit(provider, duration=12, variants=2))
    assert quote.amount == Decimal("0.70")
    assert (quote.unit, quote.unit_price, quote.currency) == ("video", Decimal("0.35"), "EUR")
    assert quote.format_amount() == "0.70 EUR"


def test_quote_unknown_price_is_none_not_zero() -> None:
    provider = tiny(model(prices=[]))
    quote = provider.quote(fit(provider, duration=8))
    assert quote.amount is None
    assert quote.amount != 0
    assert quote.unit_price is None
    assert quote.billed_seconds == 8
    assert quote.note == "no published price for this model/size"
    assert str(quote) == "price unknown (no published price for this model/size)"


def test_quote_unknown_price_for_one_tier_keeps_the_note() -> None:
    provider = tiny(
        model(
            prices=[
                {"resolutions": ["720p"], "per_second": "0.10"},
                {"resolutions": ["1080p"], "note": "credits only", "source": "faq"},
            ]
        )
    )
    quote = provider.quote(fit(provider, resolution="1080p"))
    assert quote.amount is None
    assert (quote.note, quote.source) == ("credits only", "faq")


def test_config_described_relay_quotes_its_own_price() -> None:
    relay = vidgen.get_provider(
        "openai-compatible",
        base_url="https://relay.example.com/v1",
        models=[
            {
                "id": "veo-3.1-fast",
                "durations": [4, 6, 8],
                "sizes": ["1280x720", "720x1280"],
                "price_per_second": "0.15",
                "price_source": "https://relay.example.com/pricing",
                "price_as_of": "2026-10-01",
            }
        ],
    )
    fitted = relay.fit(VideoRequest(prompt="a fox", duration=6, aspect="portrait"))
    assert (fitted.model, fitted.size) == ("veo-3.1-fast", "720x1280")
    quote = relay.quote(fitted)
    assert quote.amount == Decimal("0.90")
    assert quote.as_of == dt.date(2026, 10, 1)


# -- the shipped OpenAI catalog -------------------------------------------------------------------


def test_openai_models_are_retired() -> None:
    openai = vidgen.get_provider("openai")
    with pytest.raises(ModelRetired) as info:
        openai.fit(VideoRequest(prompt="a cat", duration=8))
    assert info.value.retired_on == dt.date(2026, 9, 24)
    assert "openai-compatible" in str(info.value)


def test_openai_sora_2_fits_and_quotes() -> None:
    openai = vidgen.get_provider("openai")
    fitted = openai.fit(VideoRequest(prompt="a cat", duration=8, aspect="16:9"), allow_retired=True)
    assert (fitted.model, fitted.size, fitted.seconds) == ("sora-2", "1280x720", 8)
    assert openai.quote(fitted).amount == Decimal("0.80")


def test_openai_sora_2_pro_1080p() -> None:
    openai = vidgen.get_provider("openai")
    request = VideoRequest(
        prompt="a cat", duration=12, aspect="16:9", resolution="1080p", model="sora-2-pro"
    )
    fitted = openai.fit(request, allow_retired=True)
    assert fitted.size == "1920x1080"
    quote = openai.quote(fitted)
    assert quote.amount == Decimal("8.40")
    assert quote.note == "not seen on an OpenAI page; likely, not verified"


def test_openai_strict_refuses_1080p_on_sora_2() -> None:
    openai = vidgen.get_provider("openai")
    with pytest.raises(UnsupportedRequest) as info:
        openai.fit(
            VideoRequest(prompt="a cat", resolution="1080p", aspect="16:9"), allow_retired=True
        )
    assert info.value.param == "resolution"
    assert info.value.supported == ("720p",)


def test_openai_reference_must_match_size() -> None:
    openai = vidgen.get_provider("openai")
    request = VideoRequest(
        prompt="a cat", aspect="16:9", reference=Reference.from_bytes(png_bytes(1024, 576))
    )
    with pytest.raises(UnsupportedRequest, match="resize the image to 1280x720"):
        openai.fit(request, policy="strict", allow_retired=True)


# -- fitting reference images (issue 15) -----------------------------------------------------


def test_nearest_fits_a_reference_to_the_video_size_and_says_so() -> None:
    pytest.importorskip("PIL.Image")
    provider = tiny(model(reference=["file"], reference_must_match_size=True))
    big = Reference.from_bytes(png_bytes(1920, 1080))
    fitted = fit(provider, "nearest", reference=big, aspect="16:9", resolution="720p")
    assert fitted.reference is not None
    assert fitted.reference.size == "1280x720"
    assert fitted.request.reference is big  # the request stays as asked
    (change,) = [a for a in fitted.adjustments if a.field == "reference"]
    assert change.requested == "1920x1080"
    assert "cropped 1920x1080 to fill 1280x720" in change.reason


@pytest.mark.parametrize(("mode", "word"), [("crop", "cropped"), ("pad", "letterboxed")])
def test_reference_fit_is_the_users_choice_even_under_strict(mode: str, word: str) -> None:
    pytest.importorskip("PIL.Image")
    provider = tiny(model(reference=["file"], reference_must_match_size=True))
    square = Reference.from_bytes(png_bytes(1024, 1024))
    fitted = fit(
        provider, "strict", reference=square, aspect="16:9", resolution="720p", reference_fit=mode
    )
    assert fitted.reference is not None
    assert fitted.reference.size == "1280x720"
    assert any(word in a.reason for a in fitted.adjustments)


def test_reference_fit_strict_refuses_even_under_nearest() -> None:
    provider = tiny(model(reference=["file"], reference_must_match_size=True))
    square = Reference.from_bytes(png_bytes(1024, 1024))
    error = refused(
        provider,
        "nearest",
        reference=square,
        aspect="16:9",
        resolution="720p",
        reference_fit="strict",
    )
    assert error.param == "reference"


def test_a_reference_in_a_format_the_model_refuses_is_converted_under_nearest() -> None:
    pytest.importorskip("PIL.Image")
    provider = tiny(model(reference=["file"], reference_formats=["image/jpeg"]))
    fitted = fit(provider, "nearest", reference=PNG_720, aspect="16:9", resolution="720p")
    assert fitted.reference is not None
    assert fitted.reference.mime == "image/jpeg"


def test_a_bad_reference_fit_value_is_refused_at_construction() -> None:
    with pytest.raises((ValueError, TypeError)):
        VideoRequest(prompt="x", reference_fit="stretch")
