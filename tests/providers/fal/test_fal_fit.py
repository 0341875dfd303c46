"""Fitting requests to fal's catalog: strict refuses, nearest adjusts, and each model's
fields go out in that model's own wire format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import vidgen
from vidgen.provider import Provider
from vidgen.testing import FakeServer, fake_client, reply

KEY = "fal-test-key-0123456789"
FIRST = vidgen.Reference.from_url("https://example.com/first.png")
LAST = vidgen.Reference.from_url("https://example.com/last.png")


# Each row: a request, the endpoint it must go to, and the exact body fal must get.
WIRE_ROWS: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    (
        "veo-3.1 4k silent with seed",
        {
            "model": "veo-3.1",
            "duration": 4,
            "resolution": "2160p",
            "audio": False,
            "seed": 3,
            "negative_prompt": "blur",
        },
        "fal-ai/veo3.1",
        {
            "prompt": "p",
            "duration": "4s",
            "aspect_ratio": "16:9",
            "resolution": "4k",
            "generate_audio": False,
            "negative_prompt": "blur",
            "seed": 3,
        },
    ),
    (
        "veo-3.1-fast portrait from a first frame",
        {"model": "veo-3.1-fast", "aspect": "9:16", "reference": FIRST},
        "fal-ai/veo3.1/fast/image-to-video",
        {
            "prompt": "p",
            "duration": "8s",
            "aspect_ratio": "9:16",
            "resolution": "720p",
            "generate_audio": True,
            "image_url": FIRST.url,
        },
    ),
    (
        "kling v3 std with first and last frame",
        {
            "model": "kling-v3-std",
            "duration": 12,
            "reference": FIRST,
            "last_frame": LAST,
            "audio": False,
        },
        "fal-ai/kling-video/v3/standard/image-to-video",
        {
            "prompt": "p",
            "duration": "12",
            "generate_audio": False,
            "start_image_url": FIRST.url,
            "end_image_url": LAST.url,
        },
    ),
    (
        "kling v3 pro square",
        {"model": "kling-v3-pro", "aspect": "1:1"},
        "fal-ai/kling-video/v3/pro/text-to-video",
        {"prompt": "p", "duration": "5", "aspect_ratio": "1:1", "generate_audio": True},
    ),
    (
        "kling 2.5 turbo pro tail frame",
        {"model": "kling-v2.5-turbo-pro", "duration": 10, "reference": FIRST, "last_frame": LAST},
        "fal-ai/kling-video/v2.5-turbo/pro/image-to-video",
        {"prompt": "p", "duration": "10", "image_url": FIRST.url, "tail_image_url": LAST.url},
    ),
    (
        "seedance 2.0 21:9 1080p",
        {
            "model": "seedance-2.0",
            "aspect": "21:9",
            "resolution": "1080p",
            "duration": 15,
            "seed": 9,
        },
        "bytedance/seedance-2.0/text-to-video",
        {
            "prompt": "p",
            "duration": "15",
            "aspect_ratio": "21:9",
            "resolution": "1080p",
            "generate_audio": True,
            "seed": 9,
        },
    ),
    (
        "seedance 2.0 fast from an image",
        {"model": "seedance-2.0-fast", "reference": FIRST, "resolution": "480p"},
        "bytedance/seedance-2.0/fast/image-to-video",
        {
            "prompt": "p",
            "duration": "5",
            "aspect_ratio": "16:9",
            "resolution": "480p",
            "generate_audio": True,
            "image_url": FIRST.url,
        },
    ),
    (
        "wan 2.7 integer duration",
        {"model": "wan-2.7", "duration": 2, "aspect": "4:3", "resolution": "720p"},
        "fal-ai/wan/v2.7/text-to-video",
        {"prompt": "p", "duration": 2, "aspect_ratio": "4:3", "resolution": "720p"},
    ),
    (
        "hailuo 02 capital P",
        {"model": "hailuo-02", "duration": 10},
        "fal-ai/minimax/hailuo-02/standard/text-to-video",
        {"prompt": "p", "duration": "10", "resolution": "768P"},
    ),
    (
        "hailuo 2.3 from an image",
        {"model": "hailuo-2.3", "reference": FIRST},
        "fal-ai/minimax/hailuo-2.3/standard/image-to-video",
        {"prompt": "p", "duration": "6", "image_url": FIRST.url},
    ),
    (
        "ltx-2 1440p",
        {"model": "ltx-2", "resolution": "1440p", "duration": 10, "audio": False},
        "fal-ai/ltx-2/text-to-video",
        {"prompt": "p", "duration": 10, "resolution": "1440p", "generate_audio": False},
    ),
]


@pytest.mark.parametrize(
    ("asked", "endpoint", "body"), [r[1:] for r in WIRE_ROWS], ids=[r[0] for r in WIRE_ROWS]
)
def test_each_model_s_wire_format(
    provider: Provider, asked: dict[str, Any], endpoint: str, body: dict[str, Any]
) -> None:
    fitted = provider.fit(vidgen.VideoRequest(prompt="p", **asked))
    request = provider.build_submit(fitted)
    assert request.url.path == f"/{endpoint}"
    assert json.loads(request.content) == body


def test_every_shipped_model_is_covered_by_the_rows(provider: Provider) -> None:
    covered = {provider.fit(vidgen.VideoRequest(prompt="p", **r[1])).spec.id for r in WIRE_ROWS}
    assert covered == set(provider.catalog.ids)


def test_families_are_canonical(provider: Provider) -> None:
    assert {s.family for s in provider.catalog.models} == {
        "veo-3.1",
        "veo-3.1-fast",
        "kling-v3-std",
        "kling-v3-pro",
        "kling-v2.5-turbo-pro",
        "seedance-2.0",
        "seedance-2.0-fast",
        "wan-2.7",
        "hailuo-02",
        "hailuo-2.3",
        "ltx-2",
    }


@pytest.mark.parametrize(
    ("asked", "param"),
    [
        ({"model": "veo-3.1", "duration": 5}, "duration"),
        ({"model": "veo-3.1", "aspect": "1:1"}, "aspect"),
        ({"model": "kling-v2.5-turbo-pro", "audio": True}, "audio"),
        ({"model": "kling-v3-std", "seed": 1}, "seed"),
        ({"model": "seedance-2.0-fast", "resolution": "1080p"}, "resolution"),
        ({"model": "hailuo-2.3", "last_frame": LAST, "reference": FIRST}, "last_frame"),
        ({"model": "kling-v3-std", "last_frame": LAST}, "last_frame"),  # needs a first frame
        ({"model": "veo-3.1", "reference": FIRST, "references": [LAST]}, "references"),
        ({"model": "ltx-2", "aspect": "9:16"}, "aspect"),
    ],
)
def test_strict_refuses(provider: Provider, asked: dict[str, Any], param: str) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="p", **asked), policy="strict")
    assert caught.value.param == param


def test_nearest_adjusts_and_says_so(provider: Provider) -> None:
    fitted = provider.fit(
        vidgen.VideoRequest(prompt="p", model="veo-3.1", duration=5, aspect="1:1", seed=None),
        policy="nearest",
    )
    assert (fitted.seconds, fitted.aspect) == (6, "16:9")
    assert {a.field for a in fitted.adjustments} == {"duration", "aspect"}
    assert json.loads(provider.build_submit(fitted).content)["duration"] == "6s"


def test_quotes_by_tier_and_sound(provider: Provider) -> None:
    def quote(**asked: Any) -> str:
        return str(provider.quote(provider.fit(vidgen.VideoRequest(prompt="p", **asked))).amount)

    assert quote(model="veo-3.1", duration=8, audio=False) == "1.60"
    assert quote(model="veo-3.1", duration=8, audio=True, resolution="2160p") == "4.80"
    assert quote(model="kling-v3-std", duration=10, audio=False) == "0.840"
    assert quote(model="ltx-2", duration=10, resolution="2160p") == "2.40"
    unknown = provider.quote(provider.fit(vidgen.VideoRequest(prompt="p", model="kling-v3-pro")))
    assert unknown.amount is None
    assert (
        vidgen.get_provider("fal", api_key=KEY)
        .quote(provider.fit(vidgen.VideoRequest(prompt="p", model="seedance-2.0", duration=5)))
        .unit
        == "million tokens"
    )


# -- an endpoint added only in vidgen.toml ------------------------------------------------------

CONFIG = """
default_profile = "myfal"

[profiles.myfal]
provider = "fal"

[[profiles.myfal.models]]
id = "fal-ai/pixverse/v5/text-to-video"
aliases = ["fal-ai/pixverse/v5/image-to-video"]
family = "pixverse-v5"
durations = [5, 8]
sizes = ["1280x720", "720x1280", "960x960"]
reference = ["url"]
negative_prompt = true
seed = true
callbacks = true
source = "https://fal.ai/models/fal-ai/pixverse/v5/text-to-video"

[[profiles.myfal.models.prices]]
per_second = "0.08"
source = "https://fal.ai/models/fal-ai/pixverse/v5/text-to-video"
as_of = 2026-11-30

[profiles.myfal.models.wire]
text_to_video = "fal-ai/pixverse/v5/text-to-video"
image_to_video = "fal-ai/pixverse/v5/image-to-video"

[profiles.myfal.models.wire.fields]
duration = { name = "duration", format = "{seconds}", type = "str" }
aspect = { name = "aspect_ratio", modes = ["text"] }
resolution = { name = "resolution", values = { "720p" = "720p" } }
first_frame = { name = "image_url", modes = ["image"] }
negative_prompt = "negative_prompt"
seed = "seed"

[profiles.myfal.models.wire.extra]
style = "cinematic"
"""


def test_an_endpoint_added_in_vidgen_toml_is_fitted_quoted_and_submitted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "vidgen.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("VIDGEN_CONFIG", str(config))
    monkeypatch.setenv("FAL_KEY", KEY)
    request_id = "0b5d7c2e-3f1a-4e8b-9c6d-1a2b3c4d5e6f"
    queue = "https://queue.fal.run/fal-ai/pixverse/requests/" + request_id
    server = FakeServer()
    server.route(
        "POST",
        "/fal-ai/pixverse/v5/image-to-video",
        reply(
            200,
            json={
                "request_id": request_id,
                "status_url": queue + "/status",
                "response_url": queue,
                "cancel_url": queue + "/cancel",
            },
        ),
    )
    server.route(
        "GET",
        "/fal-ai/pixverse/requests/" + request_id + "/status",
        reply(200, json={"status": "COMPLETED"}),
    )
    server.route(
        "GET",
        "/fal-ai/pixverse/requests/" + request_id,
        reply(200, json={"video": {"url": "https://v3.fal.media/files/x/out.mp4"}}),
    )
    server.otherwise(reply(200, content=b"video"))

    request = vidgen.VideoRequest(
        prompt="a paper boat",
        duration=8,
        model="pixverse-v5",
        seed=11,
        negative_prompt="text",
        reference=vidgen.Reference.from_url("https://example.com/boat.png"),
    )
    with fake_client(server, profile="myfal") as client:
        plan = client.plan(request)
        attempt = plan.attempts[0]
        assert attempt.fitted.model == "fal-ai/pixverse/v5/text-to-video"
        assert str(attempt.quote.amount) == "0.64"
        assert attempt.quote.source == "https://fal.ai/models/fal-ai/pixverse/v5/text-to-video"
        job = client.submit(plan)
        done = client.wait(job, timeout=600)
        path = client.download(done, tmp_path / "boat.mp4")

    assert path.read_bytes() == b"video"
    posted = server.sent("POST")
    assert len(posted) == 1
    assert posted[0].headers["authorization"].startswith("Key ")
    assert json.loads(posted[0].content) == {
        "prompt": "a paper boat",
        "duration": "8",
        "resolution": "720p",
        "image_url": "https://example.com/boat.png",
        "negative_prompt": "text",
        "seed": 11,
        "style": "cinematic",
    }
    assert done.model == "fal-ai/pixverse/v5/image-to-video"


def test_a_bad_wire_table_in_vidgen_toml_names_the_profile() -> None:
    bad = {
        "id": "fal-ai/x/y",
        "durations": [5],
        "sizes": ["1280x720"],
        "wire": {"fields": {"duration": {"name": "d", "format": "{sec}"}}},
    }
    provider = vidgen.get_provider("fal", api_key=KEY, models=[bad], profile="mine")
    with pytest.raises(
        vidgen.ConfigError, match=r"profile 'mine': model 'fal-ai/x/y': wire.fields.duration.format"
    ):
        _ = provider.catalog


def test_an_endpoint_id_that_is_not_a_path_is_refused() -> None:
    bad = {
        "id": "x",
        "durations": [5],
        "sizes": ["1280x720"],
        "wire": {"text_to_video": "../admin?x=1"},
    }
    with pytest.raises(vidgen.ConfigError, match="not a fal endpoint"):
        _ = vidgen.get_provider("fal", api_key=KEY, models=[bad]).catalog
