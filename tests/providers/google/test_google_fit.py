"""Fitting requests to Google's models: the catalog's values, Google's narrower rules
(8 s at 1080p and 4k, and with reference images), images as inline bytes only, and the
models' lifecycle."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import attrs
import pytest

import vidgen
from vidgen.testing import png_bytes
from vidgen_google import GoogleProvider, GoogleVertexProvider

FIRST = vidgen.Reference.from_bytes(png_bytes(1280, 720), filename="first.png")
URL_IMAGE = vidgen.Reference.from_url("https://example.com/frame.png")
TODAY = dt.date(2026, 11, 30)


def fit(provider: vidgen.provider.Provider, policy: str = "strict", **fields: Any) -> vidgen.Fitted:
    fields.setdefault("prompt", "A marble rolls down a spiral wooden track")
    return provider.fit(vidgen.VideoRequest(**fields), policy=policy, today=TODAY)


# -- the catalog's values --------------------------------------------------------------------


def test_the_default_model_is_gemini_omni(gemini: GoogleProvider) -> None:
    fitted = fit(gemini)
    assert fitted.model == "gemini-omni-1.1-flash"
    assert (fitted.seconds, fitted.size) == (8, "1280x720")


@pytest.mark.parametrize(
    ("model", "duration"),
    [("veo-3.1-generate-001", 5), ("gemini-omni-1.1-flash", 11), ("gemini-omni-1.2-flash", 16)],
)
def test_strict_refuses_an_undocumented_duration(
    gemini: GoogleProvider, model: str, duration: int
) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(gemini, model=model, duration=duration)
    assert caught.value.param == "duration"


def test_nearest_moves_a_duration_and_says_so(gemini: GoogleProvider) -> None:
    fitted = fit(gemini, "nearest", model="veo-3.1-fast", duration=5)
    assert fitted.seconds == 6
    assert [a.field for a in fitted.adjustments] == ["duration"]


def test_veo_lite_has_no_4k_and_takes_no_negative_prompt(gemini: GoogleProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(gemini, model="veo-3.1-lite", resolution="2160p")
    assert caught.value.param == "resolution"
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(gemini, model="veo-3.1-lite", negative_prompt="blur")
    assert caught.value.param == "negative_prompt"


def test_omni_takes_no_negative_prompt_and_1_1_no_seed(gemini: GoogleProvider) -> None:
    for field, value in (("negative_prompt", "blur"), ("seed", 1)):
        with pytest.raises(vidgen.UnsupportedRequest) as caught:
            fit(gemini, model="gemini-omni-1.1-flash", **{field: value})
        assert caught.value.param == field
    assert fit(gemini, model="gemini-omni-1.2-flash", seed=1).seed == 1


def test_veo_renders_up_to_four_samples_and_omni_one(gemini: GoogleProvider) -> None:
    assert fit(gemini, model="veo-3.1", variants=4).variants == 4
    with pytest.raises(vidgen.UnsupportedRequest):
        fit(gemini, model="veo-3.1", variants=5)
    with pytest.raises(vidgen.UnsupportedRequest):
        fit(gemini, model="gemini-omni-1.1-flash", variants=2)


# -- Google's narrower duration rules (catalog wire data) -----------------------------------------


@pytest.mark.parametrize("resolution", ["1080p", "2160p"])
def test_veo_renders_1080p_and_4k_only_at_8_seconds(
    gemini: GoogleProvider, resolution: str
) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(gemini, model="veo-3.1-fast", duration=4, resolution=resolution)
    assert caught.value.param == "duration"
    assert caught.value.supported == (8,)
    assert f"at {resolution}" in str(caught.value)
    fitted = fit(gemini, "nearest", model="veo-3.1-fast", duration=4, resolution=resolution)
    assert fitted.seconds == 8
    assert fitted.adjustments[-1] == vidgen.Adjustment(
        field="duration",
        requested=4,
        sent=8,
        reason=f"veo-3.1-fast-generate-001 renders only 8 s at {resolution}",
    )
    # ...and the quote prices the 8 s that will be sent.
    assert gemini.quote(fitted).billed_seconds == 8


def test_veo_takes_reference_images_only_at_8_seconds(gemini: GoogleProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest, match="with reference images"):
        fit(gemini, model="veo-3.1", duration=6, references=[FIRST])
    assert fit(gemini, model="veo-3.1", duration=4).seconds == 4
    assert fit(gemini, model="veo-3.1", duration=8, references=[FIRST] * 3).seconds == 8
    with pytest.raises(vidgen.UnsupportedRequest):
        fit(gemini, model="veo-3.1", references=[FIRST] * 4)


def test_veo_fast_and_lite_take_no_reference_images(gemini: GoogleProvider) -> None:
    for model in ("veo-3.1-fast", "veo-3.1-lite"):
        with pytest.raises(vidgen.UnsupportedRequest) as caught:
            fit(gemini, model=model, references=[FIRST])
        assert caught.value.param == "references"


def test_omni_1_2_renders_at_most_10_seconds_from_a_first_frame(gemini: GoogleProvider) -> None:
    assert fit(gemini, model="gemini-omni-1.2-flash", duration=15).seconds == 15
    with pytest.raises(vidgen.UnsupportedRequest, match="with a first frame"):
        fit(gemini, model="gemini-omni-1.2-flash", duration=15, reference=FIRST)
    assert (
        fit(gemini, "nearest", model="gemini-omni-1.2-flash", duration=15, reference=FIRST).seconds
        == 10
    )


def test_omni_wants_a_first_frame_or_reference_images_not_both(gemini: GoogleProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest, match="not both"):
        fit(gemini, model="gemini-omni-1.1-flash", reference=FIRST, references=[FIRST])
    assert fit(gemini, model="gemini-omni-1.1-flash", references=[FIRST] * 5).request.references
    with pytest.raises(vidgen.UnsupportedRequest):
        fit(gemini, model="gemini-omni-1.1-flash", references=[FIRST] * 6)


def test_omni_takes_no_last_frame(gemini: GoogleProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(gemini, model="gemini-omni-1.1-flash", last_frame=FIRST)
    assert caught.value.param == "last_frame"


# -- images as inline bytes only -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        ("veo-3.1", "reference", URL_IMAGE),
        ("veo-3.1", "last_frame", URL_IMAGE),
        ("veo-3.1", "references", [URL_IMAGE]),
        ("gemini-omni-1.1-flash", "reference", URL_IMAGE),
        ("gemini-omni-1.1-flash", "references", [URL_IMAGE]),
    ],
)
def test_a_url_image_is_refused_with_the_way_to_send_it(
    gemini: GoogleProvider, model: str, field: str, value: object
) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(gemini, model=model, **{field: value})
    assert caught.value.param == field
    assert "Reference.from_path" in str(caught.value)


def test_a_profile_that_claims_url_images_is_still_refused_before_any_http() -> None:
    """The wire has no field for a URL: even a catalog saying "url" cannot send one."""
    provider = vidgen.get_provider(
        "google",
        api_key="test-key-0123456789",
        models=[{"id": "veo-3.1-generate-001", "reference": ["file", "url"]}],
    )
    with pytest.raises(vidgen.UnsupportedRequest, match="inline bytes") as caught:
        fit(provider, model="veo-3.1-generate-001", reference=URL_IMAGE)
    assert caught.value.supported == ("file",)


def test_a_url_reference_the_core_has_downloaded_is_sent_inline(gemini: GoogleProvider) -> None:
    """What the proposed core step will do for providers with ``inline_references``:
    turn a URL reference into bytes before fitting. The provider is ready for it."""
    assert gemini.inline_references is True
    asked = vidgen.VideoRequest(prompt="x", model="veo-3.1", reference=URL_IMAGE)
    downloaded = attrs.evolve(
        asked, reference=vidgen.Reference.from_bytes(png_bytes(1280, 720), filename="frame.png")
    )
    fitted = gemini.fit(downloaded, today=TODAY)
    sent = json.loads(gemini.build_submit(fitted).content)
    assert sent["instances"][0]["image"]["mimeType"] == "image/png"
    assert sent["instances"][0]["image"]["bytesBase64Encoded"]


def test_vertex_refuses_url_images_too(vertex: GoogleVertexProvider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(vertex, model="veo-3.1", reference=URL_IMAGE)
    assert "Reference.from_path" in str(caught.value)


# -- provider options -------------------------------------------------------------------------------


def test_person_generation_takes_only_its_documented_values(gemini: GoogleProvider) -> None:
    options = {"google": {"personGeneration": "allow_everyone"}}
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(gemini, model="veo-3.1", provider_options=options)
    assert caught.value.param == "provider_options.google.personGeneration"
    assert caught.value.supported == ("dont_allow", "allow_adult", "allow_all")


@pytest.mark.parametrize(
    "field", ["durationSeconds", "sampleCount", "storageUri", "background", "model"]
)
def test_options_may_not_set_what_vidgen_sends(gemini: GoogleProvider, field: str) -> None:
    with pytest.raises(vidgen.UnsupportedRequest):
        fit(gemini, model="veo-3.1", provider_options={"google": {field: 1}})


# -- sound ----------------------------------------------------------------------------------------


def test_sound_is_always_on_for_the_gemini_api_and_optional_on_vertex(
    gemini: GoogleProvider, vertex: GoogleVertexProvider
) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(gemini, model="veo-3.1", audio=False)
    assert caught.value.param == "audio"
    silent = fit(vertex, model="veo-3.1", audio=False)
    assert silent.audio is False
    # Google's silent price was not found; OpenRouter's is quoted, and says so.
    quote = vertex.quote(silent)
    assert quote.amount == Decimal("1.60")
    assert "OpenRouter" in (quote.note or "")


# -- lifecycle and families ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "retired_on", "replacement"),
    [
        ("veo-3.1-generate-preview", dt.date(2026, 10, 22), "gemini-omni-1.1-flash"),
        ("veo-3.1-fast-generate-preview", dt.date(2026, 10, 22), "gemini-omni-1.1-flash"),
        ("veo-3.1-lite-generate-preview", dt.date(2026, 10, 22), "gemini-omni-1.1-flash"),
        ("gemini-omni-flash-preview", dt.date(2026, 9, 30), "gemini-omni-1.1-flash"),
    ],
)
def test_the_shut_down_previews_are_refused_naming_the_replacement(
    gemini: GoogleProvider, model: str, retired_on: dt.date, replacement: str
) -> None:
    with pytest.raises(vidgen.ModelRetired) as caught:
        fit(gemini, model=model)
    assert caught.value.retired_on == retired_on
    assert caught.value.replacement == replacement
    before = gemini.fit(
        vidgen.VideoRequest(prompt="x", model=model), today=retired_on - dt.timedelta(days=1)
    )
    assert any("shuts down" in warning for warning in before.warnings)


def test_veo_3_0_is_retired_on_vertex(vertex: GoogleVertexProvider) -> None:
    with pytest.raises(vidgen.ModelRetired) as caught:
        fit(vertex, model="veo-3.0-generate-001")
    assert caught.value.replacement == "veo-3.1-generate-001"


def test_every_entry_names_a_canonical_family(
    gemini: GoogleProvider, vertex: GoogleVertexProvider
) -> None:
    families = {
        "veo-3.1",
        "veo-3.1-fast",
        "veo-3.1-lite",
        "veo-3",
        "veo-3-fast",
        "gemini-omni-1.1-flash",
        "gemini-omni-1.2-flash",
    }
    for provider in (gemini, vertex):
        for spec in provider.catalog.models:
            assert spec.family in families, spec.id


def test_the_same_family_quotes_the_same_on_both_providers(
    gemini: GoogleProvider, vertex: GoogleVertexProvider
) -> None:
    request = vidgen.VideoRequest(prompt="x", model="veo-3.1-fast", duration=8, aspect="16:9")
    quotes = [p.quote(p.fit(request, today=TODAY)) for p in (gemini, vertex)]
    assert [q.amount for q in quotes] == [Decimal("0.80"), Decimal("0.80")]
    assert all(q.source == "https://ai.google.dev/gemini-api/docs/pricing" for q in quotes)


@pytest.mark.parametrize(
    ("model", "resolution", "amount"),
    [
        ("veo-3.1", "720p", "3.20"),
        ("veo-3.1", "2160p", "4.80"),
        ("veo-3.1-fast", "1080p", "0.96"),
        ("veo-3.1-fast", "2160p", "2.40"),
        ("veo-3.1-lite", "720p", "0.40"),
        ("veo-3.1-lite", "1080p", "0.64"),
        ("gemini-omni-1.1-flash", "720p", "0.80"),
    ],
)
def test_prices(gemini: GoogleProvider, model: str, resolution: str, amount: str) -> None:
    quote = gemini.quote(fit(gemini, model=model, duration=8, resolution=resolution))
    assert quote.amount == Decimal(amount)


def test_unknown_omni_prices_are_unknown_not_zero(gemini: GoogleProvider) -> None:
    for model, resolution in (
        ("gemini-omni-1.1-flash", "1080p"),
        ("gemini-omni-1.2-flash", "720p"),
    ):
        quote = gemini.quote(fit(gemini, model=model, resolution=resolution))
        assert quote.amount is None
