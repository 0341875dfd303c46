"""What vidgen sends to DashScope, and what a fit allows: per model family, from the catalog's
wire tables (wan2.6: size "1280*720" and img_url; wan2.7: resolution "720P", ratio, media)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from dashscope_payloads import API, CREATE_URL, TASK_ID

import vidgen
from vidgen.provider import Provider
from vidgen.testing import png_bytes

FRAME = vidgen.Reference.from_url("https://cdn.example.com/first.png")
LAST = vidgen.Reference.from_url("https://cdn.example.com/last.png")
GUITAR = vidgen.Reference.from_url("https://cdn.example.com/guitar.png")


def sent(
    provider: Provider, request: vidgen.VideoRequest, policy: str = "strict"
) -> dict[str, Any]:
    built = provider.build_submit(provider.fit(request, policy=policy))
    assert str(built.url) == CREATE_URL
    assert built.headers["x-dashscope-async"] == "enable"
    return dict(json.loads(built.content))


# -- the catalog -----------------------------------------------------------------------------------


def test_families(provider: Provider) -> None:
    assert {s.id: s.family for s in provider.catalog.models} == {
        "wan2.7-t2v": "wan-2.7",
        "wan2.6-t2v": "wan-2.6",
    }
    assert provider.catalog.get("wan-2.6").id == "wan2.6-t2v"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("model", "resolution", "seconds", "amount"),
    [
        ("wan-2.6", "720p", 5, "0.50"),
        ("wan-2.6", "1080p", 10, "1.50"),
        ("wan-2.7", "720p", 2, "0.20"),
        ("wan-2.7", "1080p", 15, "2.25"),
    ],
)
def test_quotes(provider: Provider, model: str, resolution: str, seconds: int, amount: str) -> None:
    quote = provider.quote(
        provider.fit(
            vidgen.VideoRequest(prompt="x", model=model, resolution=resolution, duration=seconds)
        )
    )
    assert quote.amount == Decimal(amount)
    assert "LiteLLM" in (quote.note or "")
    assert (quote.source or "").startswith("https://")


# -- wan2.6 -----------------------------------------------------------------------------------------


def test_wan26_text_to_video(provider: Provider) -> None:
    body = sent(
        provider,
        vidgen.VideoRequest(
            prompt="a kite",
            model="wan-2.6",
            aspect="9:16",
            resolution="1080p",
            duration=10,
            seed=12345,
            negative_prompt="blur",
        ),
    )
    assert body == {
        "model": "wan2.6-t2v",
        "input": {"prompt": "a kite", "negative_prompt": "blur"},
        "parameters": {"duration": 10, "size": "1080*1920", "audio": True, "seed": 12345},
    }


@pytest.mark.parametrize(
    ("aspect", "resolution", "size"),
    [
        ("16:9", "720p", "1280*720"),
        ("1:1", "720p", "960*960"),
        ("4:3", "720p", "1088*832"),
        ("3:4", "1080p", "1248*1632"),
        ("1:1", "1080p", "1440*1440"),
    ],
)
def test_wan26_sizes_are_sent_with_an_asterisk(
    provider: Provider, aspect: str, resolution: str, size: str
) -> None:
    body = sent(
        provider,
        vidgen.VideoRequest(prompt="x", model="wan2.6-t2v", aspect=aspect, resolution=resolution),
    )
    assert body["parameters"]["size"] == size


def test_wan26_image_to_video_by_url(provider: Provider) -> None:
    body = sent(
        provider, vidgen.VideoRequest(prompt="x", model="wan-2.6", reference=FRAME, audio=False)
    )
    assert body == {
        "model": "wan2.6-i2v",
        "input": {"prompt": "x", "img_url": FRAME.url},
        "parameters": {"duration": 5, "resolution": "720P", "audio": False},
    }


def test_wan26_image_to_video_by_bytes_is_a_data_uri(provider: Provider) -> None:
    data = png_bytes(640, 360)
    body = sent(
        provider,
        vidgen.VideoRequest(
            prompt="x",
            model="wan-2.6",
            reference=vidgen.Reference.from_bytes(data),
            resolution="1080p",
        ),
    )
    assert body["input"]["img_url"].startswith("data:image/png;base64,")
    assert body["parameters"]["resolution"] == "1080P"


def test_wan26_takes_no_last_frame_or_reference_images(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(
            vidgen.VideoRequest(prompt="x", model="wan-2.6", reference=FRAME, last_frame=LAST)
        )
    assert caught.value.param == "last_frame"
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", model="wan-2.6", references=[GUITAR]))
    assert caught.value.param == "references"


def test_wan26_prompts_are_cut_at_1500_so_longer_ones_are_refused(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="p" * 1501, model="wan-2.6"))
    assert "1500" in str(caught.value)
    provider.fit(vidgen.VideoRequest(prompt="p" * 1501, model="wan-2.7"))


def test_naming_the_i2v_id_without_an_image_is_refused(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", model="wan2.6-i2v"))
    assert caught.value.param == "model"
    assert "wan2.6-t2v" in str(caught.value)
    fitted = provider.fit(vidgen.VideoRequest(prompt="x", model="wan2.6-i2v", reference=FRAME))
    assert fitted.model == "wan2.6-i2v"


def test_the_entry_id_picks_by_the_images(provider: Provider) -> None:
    fitted = provider.fit(vidgen.VideoRequest(prompt="x", model="wan2.6-t2v", reference=FRAME))
    assert fitted.model == "wan2.6-i2v"  # the id the ledger records is the one sent


# -- wan2.7 -------------------------------------------------------------------------------------------


def test_wan27_text_to_video(provider: Provider) -> None:
    body = sent(
        provider,
        vidgen.VideoRequest(
            prompt="a kite", model="wan-2.7", aspect="4:3", resolution="1080p", duration=15
        ),
    )
    assert body == {
        "model": "wan2.7-t2v",
        "input": {"prompt": "a kite"},
        "parameters": {"duration": 15, "resolution": "1080P", "ratio": "4:3"},
    }


def test_wan27_first_and_last_frames_go_in_media(provider: Provider) -> None:
    body = sent(
        provider,
        vidgen.VideoRequest(
            prompt="x", model="wan-2.7", reference=FRAME, last_frame=LAST, duration=10
        ),
    )
    assert body == {
        "model": "wan2.7-i2v",
        "input": {
            "prompt": "x",
            "media": [
                {"type": "first_frame", "url": FRAME.url},
                {"type": "last_frame", "url": LAST.url},
            ],
        },
        "parameters": {"duration": 10, "resolution": "720P"},  # i2v follows the image's shape
    }


def test_wan27_reference_images_make_a_reference_to_video_task(provider: Provider) -> None:
    body = sent(
        provider,
        vidgen.VideoRequest(
            prompt="character1 plays the guitar", model="wan-2.7", references=[GUITAR, FRAME]
        ),
    )
    assert body["model"] == "wan2.7-r2v"
    assert body["input"]["media"] == [
        {"type": "reference_image", "url": GUITAR.url},
        {"type": "reference_image", "url": FRAME.url},
    ]
    assert (body["parameters"]["resolution"], body["parameters"]["ratio"]) == ("720P", "16:9")


def test_wan27_takes_image_urls_only(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(
            vidgen.VideoRequest(
                prompt="x",
                model="wan-2.7",
                reference=vidgen.Reference.from_bytes(png_bytes(640, 360)),
            )
        )
    assert caught.value.value == "file"


def test_a_first_frame_and_reference_images_together_are_refused(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest, match="not both"):
        provider.fit(
            vidgen.VideoRequest(prompt="x", model="wan-2.7", reference=FRAME, references=[GUITAR])
        )


def test_a_last_frame_needs_a_first_frame(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", model="wan-2.7", last_frame=LAST))
    assert caught.value.param == "last_frame"


def test_wan27_always_renders_sound(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", model="wan-2.7", audio=False))
    assert caught.value.param == "audio"
    assert (
        "audio"
        not in sent(provider, vidgen.VideoRequest(prompt="x", model="wan-2.7"))["parameters"]
    )


# -- options, limits, policies ------------------------------------------------------------------------


def test_options_go_to_parameters_and_audio_url_to_input(provider: Provider) -> None:
    options = {
        "dashscope": {
            "prompt_extend": False,
            "watermark": True,
            "shot_type": "multi",
            "audio_url": "https://cdn.example.com/a.mp3",
        }
    }
    body = sent(
        provider, vidgen.VideoRequest(prompt="x", model="wan-2.6", provider_options=options)
    )
    assert body["input"]["audio_url"] == "https://cdn.example.com/a.mp3"
    assert {k: body["parameters"][k] for k in ("prompt_extend", "watermark", "shot_type")} == {
        "prompt_extend": False,
        "watermark": True,
        "shot_type": "multi",
    }


@pytest.mark.parametrize(
    "option", ["model", "size", "resolution", "duration", "img_url", "media", "seed", "audio"]
)
def test_fields_vidgen_sets_cannot_be_overridden(provider: Provider, option: str) -> None:
    with pytest.raises(vidgen.UnsupportedRequest):
        provider.fit(vidgen.VideoRequest(prompt="x", provider_options={"dashscope": {option: "x"}}))


def test_negative_prompt_and_seed_limits(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", negative_prompt="n" * 501))
    assert caught.value.param == "negative_prompt"
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", seed=2147483648))
    assert caught.value.param == "seed"


@pytest.mark.parametrize(
    ("model", "asked", "nearest"),
    [("wan-2.6", 7, 5), ("wan-2.6", 13, 15), ("wan-2.7", 1, 2), ("wan-2.7", 20, 15)],
)
def test_undocumented_durations(provider: Provider, model: str, asked: int, nearest: int) -> None:
    request = vidgen.VideoRequest(prompt="x", model=model, duration=asked)
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(request)
    assert caught.value.param == "duration"
    assert provider.fit(request, policy="nearest").seconds == nearest


def test_undocumented_tiers_and_aspects(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", model="wan-2.6", resolution="480p"))
    assert caught.value.param == "resolution"
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", model="wan-2.7", aspect="21:9"))
    assert caught.value.param == "aspect"
    assert (
        provider.fit(
            vidgen.VideoRequest(prompt="x", model="wan-2.7", aspect="21:9"), policy="nearest"
        ).aspect
        == "16:9"
    )


def test_no_callbacks(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", callback_url="https://hooks.example.com/d"))
    assert caught.value.param == "callback_url"


# -- regions, ids, download ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "root"),
    [
        ("intl", "https://dashscope-intl.aliyuncs.com/api/v1"),
        ("cn", "https://dashscope.aliyuncs.com/api/v1"),
        ("us", "https://dashscope-us.aliyuncs.com/api/v1"),
    ],
)
def test_regions(region: str, root: str) -> None:
    provider = vidgen.get_provider("dashscope", api_key="k" * 12, region=region)
    assert provider.base_url == root
    assert provider.public_settings() == {"region": region}
    assert (
        str(provider.build_status(vidgen.Job(id="t-1", provider="dashscope")).url)
        == f"{root}/tasks/t-1"
    )


def test_a_base_url_wins_over_the_region() -> None:
    root = "https://ws-1.ap-southeast-1.maas.aliyuncs.com/api/v1"
    provider = vidgen.get_provider("dashscope", api_key="k" * 12, region="cn", base_url=root)
    assert provider.base_url == root


def test_an_unknown_region_is_refused() -> None:
    with pytest.raises(vidgen.ConfigError, match="intl, cn, us"):
        vidgen.get_provider("dashscope", region="mars")


def test_a_missing_key_names_the_variable(provider: Provider) -> None:
    with pytest.raises(vidgen.ConfigError, match="DASHSCOPE_API_KEY"):
        vidgen.get_provider("dashscope").build_status(vidgen.Job(id="t", provider="dashscope"))


def test_a_task_id_is_one_path_segment(provider: Provider) -> None:
    assert (
        provider.build_status(vidgen.Job(id="a/../b", provider="dashscope")).url.raw_path
        == b"/api/v1/tasks/a%2F..%2Fb"
    )
    assert (
        str(provider.build_status(vidgen.Job(id=TASK_ID, provider="dashscope")).url)
        == f"{API}/tasks/{TASK_ID}"
    )


def test_download_is_a_plain_https_get(provider: Provider) -> None:
    url = "https://dashscope-result-sh.oss-accelerate.aliyuncs.com/1.mp4?Expires=1"
    done = vidgen.Job(id="t", provider="dashscope", outputs=(vidgen.Output(url=url),))
    request = provider.build_download(done)
    assert str(request.url) == url
    assert "authorization" not in request.headers
    with pytest.raises(vidgen.ProtocolError):
        provider.build_download(
            vidgen.Job(id="t", provider="dashscope", outputs=(vidgen.Output(url="http://x/1.mp4"),))
        )


# -- wire tables users write ------------------------------------------------------------------------------


def _model(wire: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": "wan9-t2v", "durations": [5], "sizes": ["1280x720"], "wire": wire, **extra}


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        ({"t2v": "wan9-t2v", "t2v_size": "size"}, "format"),
        ({"format": "media"}, "names no model"),
        ({"format": "media", "t2v": "wan9-t2v", "t2v_size": "pixels"}, "t2v_size"),
        ({"format": "img_url", "r2v": "wan9-r2v", "r2v_size": "size"}, "media"),
        ({"format": "media", "t2v": "wan9-t2v", "t2v_size": "resolution"}, "720p"),
        ({"format": "media", "t2v": "wan9-t2v", "t2v_size": "size", "fps": 30}, "unknown"),
        ({"format": "media", "t2v": "", "t2v_size": "size"}, "model id"),
        ({"format": "media", "t2v": "wan9-t2v", "t2v_size": "size", "audio": 1}, "audio"),
    ],
)
def test_a_bad_wire_table_is_a_config_error(wire: dict[str, Any], message: str) -> None:
    provider = vidgen.get_provider("dashscope", api_key="k" * 12, models=[_model(wire)])
    with pytest.raises(vidgen.ConfigError, match=message):
        provider.fit(vidgen.VideoRequest(prompt="x", model="wan9-t2v"))


def test_an_image_to_video_only_model_added_in_config() -> None:
    # wan2.6-i2v-flash is not shipped (it needs a first frame); users add it like this.
    flash = {
        "id": "wan2.6-i2v-flash",
        "family": "wan-2.6-flash",
        "durations": [5, 10, 15],
        "sizes": ["1280x720", "1920x1080"],
        "reference": ["url", "file"],
        "prices": [
            {
                "per_second": "0.05",
                "resolutions": ["720p"],
                "source": "https://github.com/BerriAI/litellm",
                "as_of": "2026-11-30",
            }
        ],
        "wire": {
            "format": "img_url",
            "i2v": "wan2.6-i2v-flash",
            "i2v_size": "resolution",
            "resolutions": {"720p": "720P", "1080p": "1080P"},
        },
    }
    provider = vidgen.get_provider("dashscope", api_key="k" * 12, models=[flash])
    with pytest.raises(vidgen.UnsupportedRequest, match="first frame"):
        provider.fit(vidgen.VideoRequest(prompt="x", model="wan-2.6-flash"))
    body = sent(provider, vidgen.VideoRequest(prompt="x", model="wan-2.6-flash", reference=FRAME))
    assert (body["model"], body["parameters"]) == (
        "wan2.6-i2v-flash",
        {"duration": 5, "resolution": "720P"},
    )
