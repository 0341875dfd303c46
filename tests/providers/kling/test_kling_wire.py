"""What vidgen sends to Kling, and what a fit allows: per model and mode, from the catalog."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest
from kling_payloads import API, I2V_BODY, RABBIT, T2V_BODY, TASK_ID

import vidgen
from vidgen.provider import Provider
from vidgen.testing import png_bytes
from vidgen_kling import external_task_id_for

IMAGE = vidgen.Reference.from_url(I2V_BODY["image"])
TAIL = vidgen.Reference.from_url(I2V_BODY["image_tail"])


def body_of(
    provider: Provider, request: vidgen.VideoRequest, policy: str = "strict"
) -> dict[str, Any]:
    built = provider.build_submit(provider.fit(request, policy=policy))
    return dict(json.loads(built.content))


# -- the catalog ------------------------------------------------------------------------------


def test_every_entry_has_its_canonical_family(provider: Provider) -> None:
    assert {spec.id: spec.family for spec in provider.catalog.models} == {
        "kling-v3-std": "kling-v3-std",
        "kling-v3-pro": "kling-v3-pro",
        "kling-v2.6-std": "kling-v2.6-std",
        "kling-v2.6-pro": "kling-v2.6-pro",
        "kling-v2.5-turbo-std": "kling-v2.5-turbo-std",
        "kling-v2.5-turbo-pro": "kling-v2.5-turbo-pro",
    }


@pytest.mark.parametrize(
    ("model", "audio", "price"),
    [
        ("kling-v3-std", False, "0.42"),
        ("kling-v3-std", True, "0.63"),
        ("kling-v3-pro", False, "0.56"),
        ("kling-v3-pro", True, "0.84"),
        ("kling-v2.6-std", None, "0.21"),
        ("kling-v2.6-pro", True, "0.70"),
        ("kling-v2.5-turbo-std", None, "0.21"),
        ("kling-v2.5-turbo-pro", None, "0.35"),
    ],
)
def test_quotes(provider: Provider, model: str, audio: bool | None, price: str) -> None:
    fitted = provider.fit(vidgen.VideoRequest(prompt="x", model=model, duration=5, audio=audio))
    quote = provider.quote(fitted)
    assert quote.amount == Decimal(price)
    assert quote.source == "https://kling.ai/document-api/pricing/base/video"
    assert "transcription" in (quote.note or "")


def test_a_family_name_reaches_its_entry(provider: Provider) -> None:
    fitted = provider.fit(vidgen.VideoRequest(prompt="x", model="kling-v2.5-turbo-pro"))
    assert (fitted.model, fitted.size) == ("kling-v2.5-turbo-pro", "1920x1080")


# -- text-to-video --------------------------------------------------------------------------------


def test_text_to_video_body(provider: Provider) -> None:
    request = vidgen.VideoRequest(
        prompt=RABBIT,
        model="kling-v3-std",
        duration=5,
        aspect="16:9",
        provider_options={"kling": {"external_task_id": T2V_BODY["external_task_id"]}},
    )
    built = provider.build_submit(provider.fit(request))
    assert str(built.url) == f"{API}/v1/videos/text2video"
    assert json.loads(built.content) == T2V_BODY


@pytest.mark.parametrize(
    ("model", "seconds", "aspect", "mode", "name"),
    [
        ("kling-v3-pro", 15, "9:16", "pro", "kling-v3"),
        ("kling-v3-std", 3, "1:1", "std", "kling-v3"),
        ("kling-v2.6-pro", 10, "16:9", "pro", "kling-v2-6"),
        ("kling-v2.5-turbo-std", 10, "9:16", "std", "kling-v2-5-turbo"),
    ],
)
def test_durations_are_strings_and_the_mode_comes_from_the_wire_table(
    provider: Provider, model: str, seconds: int, aspect: str, mode: str, name: str
) -> None:
    body = body_of(
        provider, vidgen.VideoRequest(prompt="x", model=model, duration=seconds, aspect=aspect)
    )
    assert (body["model_name"], body["mode"], body["duration"], body["aspect_ratio"]) == (
        name,
        mode,
        str(seconds),
        aspect,
    )


def test_sound_is_sent_only_where_the_model_has_it(provider: Provider) -> None:
    assert (
        body_of(provider, vidgen.VideoRequest(prompt="x", model="kling-v3-pro", audio=True))[
            "sound"
        ]
        == "on"
    )
    assert (
        body_of(provider, vidgen.VideoRequest(prompt="x", model="kling-v3-pro"))["sound"] == "off"
    )
    assert "sound" not in body_of(
        provider, vidgen.VideoRequest(prompt="x", model="kling-v2.5-turbo-pro")
    )
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", model="kling-v2.6-std", audio=True))
    assert caught.value.param == "audio"


def test_negative_prompt_and_cfg_scale(provider: Provider) -> None:
    request = vidgen.VideoRequest(
        prompt="x",
        model="kling-v3-std",
        negative_prompt="blur",
        provider_options={"kling": {"cfg_scale": 0.7}},
    )
    body = body_of(provider, request)
    assert (body["negative_prompt"], body["cfg_scale"]) == ("blur", 0.7)


def test_cfg_scale_is_refused_on_v2_models_or_dropped_with_a_warning(provider: Provider) -> None:
    request = vidgen.VideoRequest(
        prompt="x", model="kling-v2.6-pro", provider_options={"kling": {"cfg_scale": 0.5}}
    )
    with pytest.raises(vidgen.UnsupportedRequest, match="cfg_scale"):
        provider.fit(request)
    fitted = provider.fit(request, policy="nearest")
    assert "cfg_scale" not in fitted.options
    assert any("cfg_scale" in w for w in fitted.warnings)
    assert "cfg_scale" not in json.loads(provider.build_submit(fitted).content)


@pytest.mark.parametrize("value", [1.5, -0.1, "0.5", True])
def test_cfg_scale_must_be_between_zero_and_one(provider: Provider, value: Any) -> None:
    request = vidgen.VideoRequest(
        prompt="x", model="kling-v3-std", provider_options={"kling": {"cfg_scale": value}}
    )
    with pytest.raises(vidgen.UnsupportedRequest):
        provider.fit(request, policy="nearest")


def test_a_long_negative_prompt_is_refused(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", negative_prompt="n" * 2501))
    assert caught.value.param == "negative_prompt"


@pytest.mark.parametrize(
    "option", ["model_name", "mode", "duration", "image", "sound", "aspect_ratio"]
)
def test_fields_vidgen_sets_cannot_be_overridden(provider: Provider, option: str) -> None:
    with pytest.raises(vidgen.UnsupportedRequest):
        provider.fit(vidgen.VideoRequest(prompt="x", provider_options={"kling": {option: "x"}}))


# -- image-to-video -------------------------------------------------------------------------------


def test_image_to_video_body_is_the_documented_example(provider: Provider) -> None:
    request = vidgen.VideoRequest(
        prompt=I2V_BODY["prompt"],
        model="kling-v2.6-pro",
        duration=5,
        reference=IMAGE,
        last_frame=TAIL,
    )
    built = provider.build_submit(provider.fit(request))
    assert str(built.url) == f"{API}/v1/videos/image2video"
    assert json.loads(built.content) == I2V_BODY  # no aspect_ratio: the image sets the shape


def test_an_image_file_is_sent_as_raw_base64(provider: Provider) -> None:
    data = png_bytes(640, 360)
    body = body_of(
        provider, vidgen.VideoRequest(prompt="x", reference=vidgen.Reference.from_bytes(data))
    )
    assert body["image"] == base64.b64encode(data).decode()
    assert not body["image"].startswith("data:")


def test_a_last_frame_alone_goes_to_image_to_video(provider: Provider) -> None:
    built = provider.build_submit(
        provider.fit(vidgen.VideoRequest(prompt="x", model="kling-v3-pro", last_frame=TAIL))
    )
    body = json.loads(built.content)
    assert built.url.path == "/v1/videos/image2video"
    assert (body["image_tail"], "image" in body) == (TAIL.url, False)


@pytest.mark.parametrize("model", ["kling-v2.6-std", "kling-v2.5-turbo-std"])
def test_standard_modes_without_an_end_frame_refuse_one(provider: Provider, model: str) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", model=model, reference=IMAGE, last_frame=TAIL))
    assert caught.value.param == "last_frame"


def test_v26_pro_renders_start_and_end_frames_only_silently(provider: Provider) -> None:
    request = vidgen.VideoRequest(
        prompt="x", model="kling-v2.6-pro", reference=IMAGE, last_frame=TAIL, audio=True
    )
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(request)
    assert caught.value.param == "audio"
    fitted = provider.fit(request, policy="nearest")
    assert fitted.audio is False
    assert [a.field for a in fitted.adjustments] == ["audio"]
    assert provider.quote(fitted).amount == Decimal("0.35")  # the silent price
    # With a first frame only, sound is allowed.
    alone = provider.fit(
        vidgen.VideoRequest(prompt="x", model="kling-v2.6-pro", reference=IMAGE, audio=True)
    )
    assert json.loads(provider.build_submit(alone).content)["sound"] == "on"


def test_a_reference_shape_kling_refuses_is_refused_before_sending(provider: Provider) -> None:
    wide = vidgen.Reference.from_bytes(png_bytes(1200, 300))  # 4:1, outside 1:2.5 .. 2.5:1
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", reference=wide, aspect="16:9"))
    assert caught.value.param == "reference"
    small = vidgen.Reference.from_bytes(png_bytes(200, 200))
    with pytest.raises(vidgen.UnsupportedRequest):
        provider.fit(vidgen.VideoRequest(prompt="x", reference=small, aspect="1:1"))


def test_an_aspect_the_image_overrides_is_warned_about(provider: Provider) -> None:
    tall = vidgen.Reference.from_bytes(png_bytes(720, 1280))
    fitted = provider.fit(vidgen.VideoRequest(prompt="x", reference=tall, aspect="9:16"))
    assert not any("not sent" in w for w in fitted.warnings)
    square = vidgen.Reference.from_bytes(png_bytes(720, 720))
    fitted = provider.fit(vidgen.VideoRequest(prompt="x", reference=square, aspect="16:9"))
    assert fitted.aspect == "16:9"
    assert "aspect_ratio" not in json.loads(provider.build_submit(fitted).content)


# -- strict and nearest ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "asked", "nearest"),
    [
        ("kling-v2.6-pro", 7, 5),
        ("kling-v2.5-turbo-std", 8, 10),
        ("kling-v3-std", 16, 15),
        ("kling-v3-pro", 2, 3),
    ],
)
def test_undocumented_durations(provider: Provider, model: str, asked: int, nearest: int) -> None:
    request = vidgen.VideoRequest(prompt="x", model=model, duration=asked)
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(request)
    assert caught.value.param == "duration"
    assert provider.fit(request, policy="nearest").seconds == nearest


def test_undocumented_aspects_and_tiers(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", aspect="4:3"))
    assert caught.value.param == "aspect"
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", model="kling-v3-std", resolution="1080p"))
    assert caught.value.param == "resolution"
    nearest = provider.fit(vidgen.VideoRequest(prompt="x", aspect="21:9"), policy="nearest")
    assert nearest.aspect == "16:9"


def test_seed_and_variants_are_not_kling_things(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest):
        provider.fit(vidgen.VideoRequest(prompt="x", seed=3))
    with pytest.raises(vidgen.UnsupportedRequest):
        provider.fit(vidgen.VideoRequest(prompt="x", variants=2))


def test_a_long_prompt_is_refused(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="p" * 2501))
    assert caught.value.param == "prompt"


# -- callbacks and external_task_id ---------------------------------------------------------------


def test_a_callback_carries_an_external_id_derived_from_its_token(provider: Provider) -> None:
    hook = "https://hooks.example.com/kling?vidgen_token=tok-123"
    request = vidgen.VideoRequest(prompt="x", reference=IMAGE, callback_url=hook)
    body = body_of(provider, request)
    assert body["callback_url"] == hook
    external = body["external_task_id"]
    assert external == external_task_id_for(hook, "image2video")
    assert external.startswith("vidgen-i2v-")
    assert "tok-123" not in external
    assert external_task_id_for(hook, "text2video") != external
    assert external_task_id_for(hook.replace("123", "124"), "image2video") != external


def test_no_token_no_external_id() -> None:
    assert external_task_id_for("https://hooks.example.com/kling", "text2video") is None
    assert external_task_id_for(None, "text2video") is None


def test_an_external_id_of_ones_own_is_sent_without_a_callback(provider: Provider) -> None:
    request = vidgen.VideoRequest(
        prompt="x", provider_options={"kling": {"external_task_id": "batch-42"}}
    )
    assert body_of(provider, request)["external_task_id"] == "batch-42"


@pytest.mark.parametrize("value", ["", 42, None])
def test_an_unusable_external_id_is_refused(provider: Provider, value: Any) -> None:
    request = vidgen.VideoRequest(
        prompt="x", provider_options={"kling": {"external_task_id": value}}
    )
    with pytest.raises(vidgen.UnsupportedRequest):
        provider.fit(request)


def test_an_external_id_of_ones_own_and_a_callback_are_refused_together(provider: Provider) -> None:
    request = vidgen.VideoRequest(
        prompt="x",
        callback_url="https://hooks.example.com/kling",
        provider_options={"kling": {"external_task_id": "mine"}},
    )
    with pytest.raises(vidgen.UnsupportedRequest, match="callback"):
        provider.fit(request)


# -- ids, status, download, cancel ------------------------------------------------------------------


def test_status_goes_to_the_endpoint_in_the_job_id(provider: Provider) -> None:
    assert str(provider.build_status(vidgen.Job(id=f"t2v-{TASK_ID}", provider="kling")).url) == (
        f"{API}/v1/videos/text2video/{TASK_ID}"
    )
    assert provider.build_status(vidgen.Job(id="i2v-a/b", provider="kling")).url.raw_path == (
        b"/v1/videos/image2video/a%2Fb"
    )


@pytest.mark.parametrize("job_id", [TASK_ID, "x2v-1", "t2v-", "text2video/1"])
def test_an_id_without_its_endpoint_is_refused_with_the_format(
    provider: Provider, job_id: str
) -> None:
    with pytest.raises(vidgen.UnsupportedRequest, match="t2v-<task_id>"):
        provider.build_status(vidgen.Job(id=job_id, provider="kling"))


def test_kling_has_no_cancel(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest, match="no cancel"):
        provider.build_cancel(vidgen.Job(id=f"t2v-{TASK_ID}", provider="kling"))


def test_download_is_a_plain_https_get(provider: Provider) -> None:
    done = vidgen.Job(
        id=f"t2v-{TASK_ID}",
        provider="kling",
        status=vidgen.JobStatus.SUCCEEDED,
        outputs=(vidgen.Output(url="https://cdn.klingai.com/v.mp4"),),
    )
    request = provider.build_download(done)
    assert "authorization" not in request.headers
    with pytest.raises(vidgen.UnsupportedRequest):
        provider.build_download(done, variant="thumbnail")
    plain = vidgen.Job(
        id="t2v-1", provider="kling", outputs=(vidgen.Output(url="http://cdn.klingai.com/v.mp4"),)
    )
    with pytest.raises(vidgen.ProtocolError):
        provider.build_download(plain)


def test_the_older_host_is_a_base_url() -> None:
    provider = vidgen.get_provider("kling", api_key="k" * 12, base_url="https://api.klingai.com")
    assert str(provider.build_status(vidgen.Job(id="t2v-1", provider="kling")).url) == (
        "https://api.klingai.com/v1/videos/text2video/1"
    )


# -- wire tables users write ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        ({"mode": "std"}, "model_name"),
        ({"model_name": "kling-v9", "mode": "max"}, "mode"),
        ({"model_name": "kling-v9", "mode": "std", "sound": "yes"}, "sound"),
        ({"model_name": "kling-v9", "mode": "std", "speed": 2}, "unknown"),
        ({"model_name": "kling-v9", "mode": "std", "max_negative_prompt_chars": 0}, "positive"),
    ],
)
def test_a_bad_wire_table_is_a_config_error(wire: dict[str, Any], message: str) -> None:
    model = {"id": "kling-v9-std", "durations": [5], "sizes": ["1280x720"], "wire": wire}
    provider = vidgen.get_provider("kling", api_key="k" * 12, models=[model])
    with pytest.raises(vidgen.ConfigError, match=message):
        provider.fit(vidgen.VideoRequest(prompt="x", model="kling-v9-std"))


def test_a_model_added_in_config_is_sent_by_its_wire_table() -> None:
    model = {
        "id": "kling-v2.1-master",
        "durations": [5, 10],
        "sizes": ["1920x1080"],
        "wire": {"model_name": "kling-v2-1-master", "mode": "pro"},
    }
    provider = vidgen.get_provider("kling", api_key="k" * 12, models=[model])
    body = body_of(provider, vidgen.VideoRequest(prompt="x", model="kling-v2.1-master"))
    assert (body["model_name"], body["mode"]) == ("kling-v2-1-master", "pro")
