"""Fitting requests to OpenRouter's models: what strict refuses and nearest adjusts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import vidgen
from vidgen.provider import Provider
from vidgen.testing import png_bytes

TODAY = dt.date(2026, 8, 21)


def fit(provider: Provider, policy: str = "strict", **fields: Any) -> vidgen.Fitted:
    request = vidgen.VideoRequest(**{"prompt": "a quiet harbour", **fields})
    return provider.fit(request, policy=policy, today=TODAY)


def refused(provider: Provider, **fields: Any) -> str:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, **fields)
    return caught.value.param


def test_the_default_model_and_request(provider: Provider) -> None:
    fitted = fit(provider)
    assert (fitted.model, fitted.size, fitted.seconds) == ("google/veo-3.1-fast", "1280x720", 4)
    assert fitted.audio is True


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"model": "google/veo-3.1", "duration": 5}, "duration"),
        ({"model": "google/veo-3.1", "aspect": "1:1"}, "aspect"),
        ({"model": "kwaivgi/kling-v3.0-pro", "resolution": "1080p"}, "resolution"),
        ({"model": "kwaivgi/kling-v3.0-pro", "seed": 7}, "seed"),
        ({"model": "minimax/hailuo-2.3", "audio": True}, "audio"),
        ({"model": "minimax/hailuo-2.3", "negative_prompt": "blur"}, "negative_prompt"),
        (
            {
                "model": "openai/sora-2-pro",
                "reference": vidgen.Reference.from_url("https://i.example.com/a.png"),
            },
            "reference",
        ),
        (
            {
                "model": "alibaba/happyhorse-1.0",
                "last_frame": vidgen.Reference.from_url("https://i.example.com/z.png"),
            },
            "last_frame",
        ),
        (
            {
                "model": "google/veo-3.1",
                "references": [vidgen.Reference.from_url("https://i.example.com/r.png")],
            },
            "references",
        ),
        ({"model": "google/veo-3.1", "variants": 2}, "variants"),
        ({"model": "no/such-model"}, "model"),
    ],
)
def test_strict_refuses_what_the_listing_does_not_offer(
    provider: Provider, fields: dict[str, Any], param: str
) -> None:
    assert refused(provider, **fields) == param


def test_nearest_adjusts_and_says_so(provider: Provider) -> None:
    fitted = fit(provider, "nearest", model="google/veo-3.1", duration=5, aspect="1:1", seed=None)
    assert (fitted.seconds, fitted.aspect) == (6, "16:9")
    assert {a.field for a in fitted.adjustments} == {"duration", "aspect"}


def test_a_callback_must_be_https(provider: Provider) -> None:
    assert refused(provider, callback_url="http://hooks.example.com/x") == "callback_url"
    fitted = fit(provider, "nearest", callback_url="http://hooks.example.com/x")
    assert fitted.callback_url is None
    assert any("https" in warning for warning in fitted.warnings)
    kept = fit(provider, callback_url="https://hooks.example.com/x")
    assert kept.callback_url == "https://hooks.example.com/x"


def test_frames_win_over_references(provider: Provider) -> None:
    fields: dict[str, Any] = {
        "model": "bytedance/seedance-2.0",
        "reference": vidgen.Reference.from_url("https://i.example.com/first.png"),
        "references": [vidgen.Reference.from_url("https://i.example.com/ref.png")],
    }
    assert refused(provider, **fields) == "references"
    fitted = fit(provider, "nearest", **fields)
    assert fitted.request.references == ()
    assert fitted.request.reference is not None
    body = provider.build_submit(fitted)
    assert b"input_references" not in body.content


def test_the_50_mib_body_limit(provider: Provider) -> None:
    big = vidgen.Reference.from_bytes(png_bytes(16, 16) + b"\0" * (40 * 1024 * 1024))
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        fit(provider, "nearest", model="google/veo-3.1", reference=big)
    assert "50 MiB" in str(caught.value)
    small = vidgen.Reference.from_bytes(png_bytes(1280, 720))
    assert fit(provider, model="google/veo-3.1", reference=small).request.reference == small


def test_the_first_frame_sets_the_shape(provider: Provider) -> None:
    portrait = vidgen.Reference.from_bytes(png_bytes(720, 1280))
    fitted = fit(provider, model="google/veo-3.1", reference=portrait)
    assert (fitted.size, fitted.aspect) == ("720x1280", "9:16")


def test_a_user_model_with_a_broken_wire_table_is_a_config_error() -> None:
    provider = vidgen.get_provider(
        "openrouter",
        api_key="sk-or-test-0123456789",
        models=[
            {
                "id": "acme/video-1",
                "durations": [5],
                "sizes": ["1280x720"],
                "wire": {"resolutions": ["720p"]},
            }
        ],
    )
    with pytest.raises(vidgen.ConfigError) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", model="acme/video-1"))
    assert "wire.resolutions" in str(caught.value)


def test_a_user_model_without_a_wire_table_sends_vidgen_tier_names() -> None:
    provider = vidgen.get_provider(
        "openrouter",
        api_key="sk-or-test-0123456789",
        models=[{"id": "acme/video-1", "durations": [5], "sizes": ["1280x720", "3840x2160"]}],
    )
    for resolution, sent in (("720p", b'"720p"'), ("2160p", b'"4K"')):
        fitted = provider.fit(
            vidgen.VideoRequest(prompt="x", model="acme/video-1", resolution=resolution)
        )
        assert b'"resolution":' + sent in provider.build_submit(fitted).content
