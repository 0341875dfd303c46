"""Fitting requests to Runway's models: what strict refuses, nearest adjusts, and what no
policy can fix."""

from __future__ import annotations

from typing import Any

import pytest
from runway_payloads import KEY

import vidgen
from vidgen.provider import Provider
from vidgen.testing import png_bytes

URL_IMAGE = vidgen.Reference.from_url("https://images.example.com/first.jpg")


def fit(provider: Provider, policy: str = "strict", **fields: Any) -> vidgen.Fitted:
    return provider.fit(
        vidgen.VideoRequest(**{"prompt": "a quiet harbour", **fields}), policy=policy
    )


def refused(provider: Provider, policy: str = "strict", **fields: Any) -> vidgen.UnsupportedRequest:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, policy, **fields)
    return caught.value


def test_the_default_model_and_request(provider: Provider) -> None:
    fitted = fit(provider)
    assert (fitted.model, fitted.size, fitted.seconds, fitted.audio) == (
        "gen4.5",
        "1280x720",
        5,
        False,
    )


def test_text_only_gen45_takes_16_9_or_9_16(provider: Provider) -> None:
    error = refused(provider, model="gen4.5", aspect="1:1")
    assert (error.param, error.supported) == ("aspect", ("16:9", "9:16"))
    nearest = fit(provider, "nearest", model="gen4.5", aspect="4:3")
    assert (nearest.size, nearest.aspect) == ("1280x720", "16:9")
    assert [(a.field, a.requested, a.sent) for a in nearest.adjustments] == [
        ("aspect", "4:3", "16:9")
    ]
    # With a first frame the square shape is there.
    assert fit(provider, model="gen4.5", aspect="1:1", reference=URL_IMAGE).size == "960x960"


def test_gen4_turbo_needs_a_first_frame_under_any_policy(provider: Provider) -> None:
    for policy in ("strict", "nearest"):
        error = refused(provider, policy, model="runway-gen-4-turbo")
        assert error.param == "reference"
        assert "only from a first frame" in str(error)
    assert fit(provider, model="gen4_turbo", reference=URL_IMAGE, duration=10).seconds == 10


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"model": "gen4.5", "duration": 11}, "duration"),
        ({"model": "gen4_turbo", "reference": URL_IMAGE, "duration": 7}, "duration"),
        ({"model": "veo3.1", "duration": 5}, "duration"),
        ({"model": "veo3.1", "resolution": "2160p"}, "resolution"),
        ({"model": "gen4.5", "audio": True}, "audio"),
        ({"model": "gen4.5", "negative_prompt": "rain"}, "negative_prompt"),
        ({"model": "gemini_omni_flash_1.1", "seed": 3}, "seed"),
        ({"model": "gen4.5", "last_frame": URL_IMAGE, "reference": URL_IMAGE}, "last_frame"),
        ({"model": "veo3.1", "last_frame": URL_IMAGE}, "last_frame"),
        ({"model": "seedance2", "reference": URL_IMAGE, "references": [URL_IMAGE]}, "references"),
        ({"model": "seedance2", "references": [URL_IMAGE] * 10}, "references"),
        ({"model": "veo3.1", "callback_url": "https://hooks.example.com/x"}, "callback_url"),
        (
            {"model": "veo3.1", "provider_options": {"runway": {"contentModeration": {}}}},
            "provider_options.runway.contentModeration",
        ),
    ],
)
def test_strict_refusals(provider: Provider, fields: dict[str, Any], param: str) -> None:
    assert refused(provider, **fields).param == param


LONG_URL = "https://images.example.com/" + "a" * 2100 + ".jpg"


def test_image_urls_must_be_short_enough(provider: Provider) -> None:
    # (A plain-http URL is refused by vidgen.Reference itself.)
    long = vidgen.Reference.from_url(LONG_URL)
    error = refused(provider, model="gen4.5", reference=long)
    assert error.param == "reference"
    assert "2048 characters" in str(error)


def image_of(size: int) -> vidgen.Reference:
    """A PNG of exactly ``size`` bytes."""
    head = png_bytes(16, 16)
    return vidgen.Reference.from_bytes(head + b"\0" * (size - len(head)))


def test_the_data_uri_limit(provider: Provider) -> None:
    # 3,932,142 bytes is the largest image whose data URI fits 5,242,880 characters.
    fits = image_of(3_932_142)
    assert len(fits.data_url()) <= 5_242_880
    assert fit(provider, model="gen4.5", reference=fits).request.reference is fits
    assert refused(provider, model="gen4.5", reference=image_of(3_932_143)).param == "reference"


def test_the_data_uri_limit_holds_for_a_model_without_a_byte_limit() -> None:
    provider = vidgen.get_provider(
        "runway",
        api_key=KEY,
        models=[
            {
                "id": "gen5",
                "durations": [5],
                "sizes": ["1280x720"],
                "reference": ["file", "url"],
                "wire": {"ratio": {"1280x720": "1280:720"}},
            }
        ],
    )
    error = refused(provider, model="gen5", aspect="16:9", reference=image_of(3_932_143))
    assert (error.param, error.supported) == ("reference", (5_242_880,))
    assert "data URI" in str(error)


def test_a_last_frame_is_checked_like_a_first_one(provider: Provider) -> None:
    long = vidgen.Reference.from_url(LONG_URL)
    error = refused(provider, model="veo3.1", reference=URL_IMAGE, last_frame=long)
    assert error.param == "last_frame"


def test_prompts_are_counted_in_utf16_code_units(provider: Provider) -> None:
    ascii_prompt = "a" * 1000
    assert fit(provider, model="gen4.5", prompt=ascii_prompt).request.prompt == ascii_prompt
    emoji = "🌊" * 501  # 501 characters, 1002 UTF-16 code units
    error = refused(provider, model="gen4.5", prompt=emoji)
    assert (error.param, error.value) == ("prompt", 1002)
    assert "UTF-16" in str(error)
    assert fit(provider, model="seedance2", prompt=emoji).request.prompt == emoji


def test_happyhorse_from_an_image_keeps_the_images_shape(provider: Provider) -> None:
    image = vidgen.Reference.from_bytes(png_bytes(1440, 1080))
    fitted = fit(provider, model="happyhorse_1_0", reference=image, aspect="16:9")
    assert any("first frame's shape" in warning for warning in fitted.warnings)
    by_image = fit(provider, model="happyhorse_1_0", reference=image)
    assert by_image.aspect == "4:3"
    assert not any("shape" in warning for warning in by_image.warnings)


def test_families_reach_runways_ids(provider: Provider) -> None:
    for family, model in (
        ("runway-gen-4.5", "gen4.5"),
        ("veo-3.1", "veo3.1"),
        ("veo-3.1-fast", "veo3.1_fast"),
        ("seedance-2.0", "seedance2"),
        ("gemini-omni-1.1-flash", "gemini_omni_flash_1.1"),
    ):
        assert fit(provider, model=family).model == model


def test_a_user_model_needs_a_ratio_for_each_size() -> None:
    provider = vidgen.get_provider(
        "runway",
        api_key=KEY,
        models=[
            {
                "id": "gen5",
                "durations": [5],
                "sizes": ["1280x720", "720x1280"],
                "wire": {"ratio": {"1280x720": "1280:720"}},
            },
            {"id": "gen6", "durations": [5], "sizes": ["1280x720"], "wire": {"ratio": "16:9"}},
            {
                "id": "gen7",
                "durations": [5],
                "sizes": ["1280x720"],
                "wire": {"ratio": {"1280x720": "1280:720"}, "endpoints": ["video_to_video"]},
            },
        ],
    )
    assert fit(provider, model="gen5").model == "gen5"
    with pytest.raises(vidgen.ConfigError) as caught:
        fit(provider, model="gen5", aspect="9:16")
    assert "wire.ratio has no entry for 720x1280" in str(caught.value)
    with pytest.raises(vidgen.ConfigError) as caught:
        fit(provider, model="gen6")
    assert "wire.ratio must map" in str(caught.value)
    with pytest.raises(vidgen.ConfigError) as caught:
        fit(provider, model="gen7")
    assert "endpoints" in str(caught.value)
