"""`vidgen_hosted.inputs`: a hosted model's input, built from its catalog ``wire`` table."""

from __future__ import annotations

from typing import Any

import pytest

import vidgen
from vidgen import ConfigError, Fitted, VideoRequest
from vidgen.testing import png_bytes
from vidgen_hosted.inputs import FIELDS, InputMap, build_input, check_fitted

BASE: dict[str, Any] = {
    "id": "acme/video",
    "durations": [4, 8],
    "sizes": [
        "1280x720",
        "720x1280",
        {"size": "3840x2160", "aspect": "16:9", "resolution": "2160p"},
    ],
    "reference": ["url", "file"],
    "last_frame": ["url"],
    "reference_images": ["url"],
    "negative_prompt": True,
    "seed": True,
    "audio": True,
    "audio_optional": True,
}


def fit(wire: dict[str, Any], **request: Any) -> Fitted:
    """A request fitted to a one-model catalog whose wire table is ``wire``."""
    # Any provider fits against its catalog; a relay described in config has no catalog of
    # its own, so the model is exactly the one given here.
    relay = vidgen.get_provider(
        "openai-compatible",
        base_url="https://relay.example.com/v1",
        models=[{**BASE, "wire": wire}],
    )
    return relay.fit(VideoRequest(**{"prompt": "a calm sea", **request}))


FULL = {
    "text_to_video": "acme/video/t2v",
    "image_to_video": "acme/video/i2v",
    "reference_to_video": "acme/video/r2v",
    "fields": {
        "duration": {"name": "duration", "format": "{seconds}s"},
        "aspect": {"name": "aspect_ratio", "modes": ["text", "reference"]},
        "resolution": {"name": "resolution", "values": {"2160p": "4k"}},
        "audio": "generate_audio",
        "first_frame": {"name": "image_url", "modes": ["image"]},
        "last_frame": {"name": "end_image_url", "modes": ["image"]},
        "reference_images": {"name": "image_urls", "modes": ["reference"]},
        "negative_prompt": "negative_prompt",
        "seed": "seed",
    },
    "extra": {"auto_fix": False},
    "image_extra": {"aspect_ratio": "auto"},
}


def test_a_text_request() -> None:
    fitted = fit(FULL, duration=8, audio=False, seed=7, negative_prompt="blur")
    mapping = InputMap.of(fitted)
    assert mapping.endpoint(fitted) == "acme/video/t2v"
    assert mapping.build(fitted) == {
        "prompt": "a calm sea",
        "duration": "8s",
        "aspect_ratio": "16:9",
        "resolution": "720p",
        "generate_audio": False,
        "negative_prompt": "blur",
        "seed": 7,
        "auto_fix": False,
    }


def test_an_image_request_uses_its_endpoint_fields_and_extras() -> None:
    first = vidgen.Reference.from_url("https://example.com/a.png")
    last = vidgen.Reference.from_url("https://example.com/b.png")
    fitted = fit(FULL, reference=first, last_frame=last, resolution="2160p")
    mapping = InputMap.of(fitted)
    assert mapping.endpoint(fitted) == "acme/video/i2v"
    body = mapping.build(fitted)
    assert body["image_url"] == "https://example.com/a.png"
    assert body["end_image_url"] == "https://example.com/b.png"
    assert body["resolution"] == "4k"
    assert body["aspect_ratio"] == "auto"  # the image endpoint's constant, not the fitted aspect
    assert mapping.problems(fitted) == []


def test_reference_images_alone_use_the_reference_endpoint() -> None:
    refs = [vidgen.Reference.from_url("https://example.com/r.png")]
    fitted = fit(FULL, references=refs)
    mapping = InputMap.of(fitted)
    assert mapping.endpoint(fitted) == "acme/video/r2v"
    assert mapping.build(fitted)["image_urls"] == ["https://example.com/r.png"]


def test_bytes_become_data_urls_and_lists_wrap() -> None:
    wire = {"fields": {"first_frame": {"name": "images", "list": True}}}
    image = vidgen.Reference.from_bytes(png_bytes(64, 36))
    body = build_input(fit(wire, reference=image))
    assert isinstance(body["images"], list)
    assert body["images"][0].startswith("data:image/png;base64,")


@pytest.mark.parametrize(
    ("field", "template", "kind", "expected"),
    [
        ("duration", None, None, 8),
        ("duration", "{seconds}", "str", "8"),
        ("duration", "{seconds}s", None, "8s"),
        ("duration", "{seconds}", "int", 8),
        ("duration", "{seconds}", "float", 8.0),
        ("size", None, None, "1280x720"),
        ("size", "{width}*{height}", None, "1280*720"),
        ("size", "{size}", None, "1280x720"),
        ("aspect", None, None, "16:9"),
        ("resolution", "{resolution}", None, "720p"),
        ("resolution", "{height}", "int", 720),
        ("duration", "{{{seconds}}}", None, "{8}"),
    ],
)
def test_templates(field: str, template: str | None, kind: str | None, expected: Any) -> None:
    spec: dict[str, Any] = {"name": "x"}
    if template is not None:
        spec["format"] = template
    if kind is not None:
        spec["type"] = kind
    body = build_input(fit({"fields": {field: spec}}, duration=8))
    assert body["x"] == expected
    assert type(body["x"]) is type(expected)


def test_dotted_names_nest() -> None:
    wire = {
        "fields": {
            "duration": "video.duration",
            "aspect": "video.aspect_ratio",
            "prompt": "text.prompt",
        }
    }
    assert build_input(fit(wire, duration=4)) == {
        "text": {"prompt": "a calm sea"},
        "video": {"duration": 4, "aspect_ratio": "16:9"},
    }


def test_defaults_send_the_model_id_and_only_the_prompt() -> None:
    fitted = fit({})
    mapping = InputMap.of(fitted)
    assert (mapping.text_to_video, mapping.image_to_video, mapping.reference_to_video) == (
        "acme/video",
        "acme/video",
        None,
    )
    assert mapping.build(fitted) == {"prompt": "a calm sea"}


def test_a_rendered_value_of_the_wrong_type_is_a_config_error() -> None:
    fitted = fit({"fields": {"duration": {"name": "d", "format": "{seconds}s", "type": "int"}}})
    with pytest.raises(ConfigError, match="renders '4s', which is not a int"):
        build_input(fitted)


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        ([], "must be a table"),
        ({"endpoint": "x"}, "unknown key 'endpoint'"),
        ({"text_to_video": 3}, "text_to_video must be"),
        ({"text_to_video": False, "image_to_video": False}, "cannot both be false"),
        ({"fields": {"duration_s": "d"}}, "not a field vidgen sends"),
        ({"fields": {"duration": 8}}, "must be the wire name"),
        ({"fields": {"duration": {"format": "{seconds}"}}}, "name must be"),
        (
            {"fields": {"duration": {"name": "d", "format": "{secs}s"}}},
            "{secs} is not a placeholder",
        ),
        ({"fields": {"duration": {"name": "d", "format": "{seconds:02d}"}}}, "no format spec"),
        ({"fields": {"duration": {"name": "d", "format": "{seconds"}}}, "not a valid template"),
        ({"fields": {"duration": {"name": "d", "type": "decimal"}}}, "type must be one of"),
        ({"fields": {"duration": {"name": "d", "modes": ["video"]}}}, "modes must list"),
        ({"fields": {"duration": {"name": "d", "when": "text"}}}, "unknown key 'when'"),
        ({"fields": {"seed": {"name": "s", "format": "{seconds}"}}}, "apply to duration"),
        ({"fields": {"seed": {"name": "s", "list": True}}}, "list applies to"),
        ({"fields": {"duration": {"name": "a..b"}}}, "name must be"),
        ({"fields": {"duration": "d"}, "extra": {"d": 1}}, "also a mapped field"),
        ({"extra": ["x"]}, "extra must be a table"),
    ],
)
def test_malformed_wire_tables_are_config_errors(wire: Any, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        InputMap.from_wire(wire, model="acme/video", where="profile 'mine'")
    assert message in str(caught.value)
    assert "profile 'mine': model 'acme/video'" in str(caught.value)


def test_provider_keys_are_accepted() -> None:
    assert (
        InputMap.from_wire({"version": "abc"}, model="m", provider_keys=("version",)).model == "m"
    )


def test_the_wire_table_must_send_what_the_catalog_offers() -> None:
    fitted = fit(
        {
            "fields": {
                "first_frame": "image",
                "last_frame": "end",
                "reference_images": "refs",
                "negative_prompt": "n",
                "seed": "s",
            }
        }
    )
    with pytest.raises(ConfigError, match=r"takes audio, but wire\.fields has no audio"):
        check_fitted(fitted, provider="acme")


@pytest.mark.parametrize(
    ("request_fields", "param", "reason"),
    [
        ({"last_frame": "https://example.com/b.png"}, "last_frame", "only with a first frame"),
        (
            {"reference": "https://example.com/a.png", "references": ["https://example.com/r.png"]},
            "references",
            "only with reference images and no first frame",
        ),
    ],
)
def test_what_the_endpoint_cannot_take_is_refused(
    request_fields: dict[str, Any], param: str, reason: str
) -> None:
    converted: dict[str, Any] = {}
    for key, value in request_fields.items():
        converted[key] = (
            [vidgen.Reference.from_url(v) for v in value]
            if isinstance(value, list)
            else vidgen.Reference.from_url(value)
        )
    fitted = fit(FULL, **converted)
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        check_fitted(fitted, provider="acme")
    assert caught.value.param == param
    assert reason in str(caught.value)


def test_an_image_only_model_needs_a_first_frame() -> None:
    wire = {**FULL, "text_to_video": False}
    with pytest.raises(vidgen.UnsupportedRequest, match="only animates a first frame"):
        check_fitted(fit(wire), provider="acme")


def test_a_field_with_no_mapping_anywhere_is_refused() -> None:
    wire = {
        "fields": {
            "first_frame": "image",
            "last_frame": "end",
            "reference_images": "refs",
            "audio": "a",
            "seed": "s",
        }
    }
    fitted = fit(wire, negative_prompt="blur")
    assert InputMap.of(fitted).problems(fitted) == [
        ("negative_prompt", "its wire table sends no negative prompt")
    ]
    with pytest.raises(ConfigError, match="no negative_prompt"):  # and the table is refused
        check_fitted(fitted, provider="acme")


def test_options_may_not_overwrite_mapped_fields() -> None:
    fitted = fit(FULL, provider_options={"openai-compatible": {"seed": 3}})
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        check_fitted(fitted, provider="openai-compatible")
    assert caught.value.param == "provider_options.openai-compatible.seed"


def test_every_field_is_documented() -> None:
    import vidgen_hosted.inputs as module

    assert module.__doc__ is not None
    for field in FIELDS:
        assert field in module.__doc__
