"""The ``apiyi`` catalog, `fit`, `quote` and `build_submit`: all before (and without) HTTP.

The facts come from APIYI's official-relay docs (shared/vendor-docs/apiyi-sora2-overview.txt,
apiyi-text-to-video-reference.txt). APIYI's blog (apiyi-blog-seconds-error.txt) contradicts
them on durations and on the type of ``seconds``; these tests check that vidgen follows the
official docs and explains the difference to users who copied the blog.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

import vidgen
from vidgen import ModelRetired, Reference, UnsupportedRequest, VideoRequest
from vidgen.provider import Provider
from vidgen.testing import gif_bytes, png_bytes

SHUTDOWN = dt.date(2026, 9, 24)
PRICES_READ = dt.date(2026, 8, 21)


@pytest.fixture
def apiyi() -> Provider:
    return vidgen.get_provider("apiyi", api_key="sk-test")


def fit(provider, policy: str = "strict", **fields) -> vidgen.Fitted:
    return provider.fit(
        VideoRequest(prompt="a koi pond", **fields), policy=policy, allow_retired=True
    )


# -- catalog: models, sizes, prices ---------------------------------------------------------


def test_models_and_their_sizes(apiyi) -> None:
    catalog = apiyi.catalog
    sora2 = catalog.get("sora-2")
    pro = catalog.get("sora-2-pro")

    assert catalog.ids == ("sora-2", "sora-2-pro")
    assert catalog.default_model == "sora-2"
    assert {s.size for s in sora2.sizes} == {"720x1280", "1280x720"}
    assert {s.resolution for s in sora2.sizes} == {"720p"}
    assert {s.size for s in pro.sizes} == {
        "720x1280",
        "1280x720",
        "1024x1792",
        "1792x1024",
        "1080x1920",
        "1920x1080",
    }
    assert {s.resolution for s in pro.sizes} == {"720p", "1024p", "1080p"}
    for spec in (sora2, pro):
        assert spec.durations == (4, 8, 12)
        assert spec.default_duration == 4
        assert spec.default_size == "720x1280"
        assert spec.reference == ("file",)
        assert spec.reference_must_match_size


def test_current_snapshot_is_an_alias_sent_as_asked(apiyi) -> None:
    fitted = fit(apiyi, model="sora-2-2025-12-08", duration=4)

    assert fitted.spec.id == "sora-2"
    assert json.loads(apiyi.build_submit(fitted).read())["model"] == "sora-2-2025-12-08"


def test_unknown_model_lists_the_models(apiyi) -> None:
    with pytest.raises(UnsupportedRequest) as caught:
        fit(apiyi, model="veo-3.1")

    assert caught.value.param == "model"
    assert caught.value.supported == ("sora-2", "sora-2-pro")


@pytest.mark.parametrize(
    ("model", "resolution", "per_second"),
    [
        ("sora-2", "720p", "0.10"),
        ("sora-2-pro", "720p", "0.30"),
        ("sora-2-pro", "1024p", "0.50"),
        ("sora-2-pro", "1080p", "0.70"),
    ],
)
def test_each_price_has_its_source_and_date(apiyi, model, resolution, per_second) -> None:
    spec = apiyi.catalog.get(model)
    size = next(s for s in spec.sizes if s.resolution == resolution)
    price = spec.price_for(size)

    assert price is not None
    assert price.per_second == Decimal(per_second)
    assert price.currency == "USD"
    assert "docs.apiyi.com/en/api-capabilities/sora-2/overview" in price.source
    assert price.as_of == PRICES_READ


# APIYI's pricing table, cell by cell (shared/vendor-docs/apiyi-sora2-overview.txt).
@pytest.mark.parametrize(
    ("model", "aspect", "resolution", "seconds", "amount", "size"),
    [
        ("sora-2", "9:16", "720p", 4, "0.40", "720x1280"),
        ("sora-2", "16:9", "720p", 8, "0.80", "1280x720"),
        ("sora-2", "16:9", "720p", 12, "1.20", "1280x720"),
        ("sora-2-pro", "16:9", "720p", 4, "1.20", "1280x720"),
        ("sora-2-pro", "9:16", "720p", 8, "2.40", "720x1280"),
        ("sora-2-pro", "16:9", "720p", 12, "3.60", "1280x720"),
        ("sora-2-pro", "9:16", "1024p", 4, "2.00", "1024x1792"),
        ("sora-2-pro", "16:9", "1024p", 8, "4.00", "1792x1024"),
        ("sora-2-pro", "16:9", "1024p", 12, "6.00", "1792x1024"),
        ("sora-2-pro", "9:16", "1080p", 4, "2.80", "1080x1920"),
        ("sora-2-pro", "9:16", "1080p", 8, "5.60", "1080x1920"),
        ("sora-2-pro", "16:9", "1080p", 12, "8.40", "1920x1080"),
    ],
)
def test_quote_matches_the_vendor_table(
    apiyi, model, aspect, resolution, seconds, amount, size
) -> None:
    fitted = fit(apiyi, model=model, aspect=aspect, resolution=resolution, duration=seconds)
    quote = apiyi.quote(fitted)

    assert fitted.size == size
    assert quote.amount == Decimal(amount)
    assert quote.currency == "USD"
    assert quote.billed_seconds == seconds
    assert quote.as_of == PRICES_READ
    assert "docs.apiyi.com/en/api-capabilities/sora-2/overview" in quote.source


# -- lifecycle ------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["sora-2", "sora-2-pro"])
def test_retired_with_openai_shutdown(apiyi, model) -> None:
    spec = apiyi.catalog.get(model)
    assert spec.is_retired(dt.date(2026, 11, 30))  # the retired_on date decides
    assert spec.lifecycle.retired_on == SHUTDOWN
    assert "2026-09-24" in spec.lifecycle.source

    with pytest.raises(ModelRetired) as caught:
        apiyi.fit(VideoRequest(prompt="a koi pond", model=model))

    error = caught.value
    assert error.model == model
    assert error.retired_on == SHUTDOWN
    assert "allow_retired=True" in str(error)
    assert "lifecycle to active" in str(error)


def test_allow_retired_fits_with_a_warning(apiyi) -> None:
    fitted = apiyi.fit(VideoRequest(prompt="a koi pond"), allow_retired=True)

    assert fitted.model == "sora-2"
    assert any("retired on 2026-09-24" in w for w in fitted.warnings)


def test_retired_model_refused_before_any_request() -> None:
    with (
        vidgen.Client(provider="apiyi", api_key="sk-test") as client,
        pytest.raises(ModelRetired),
    ):
        client.submit(VideoRequest(prompt="a koi pond"))


def test_profile_overrides_the_lifecycle_to_active() -> None:
    provider = vidgen.get_provider(
        "apiyi", api_key="sk-test", models=[{"id": "sora-2", "lifecycle": {"status": "active"}}]
    )

    fitted = provider.fit(VideoRequest(prompt="a koi pond", duration=8))

    assert fitted.model == "sora-2"
    assert not any("retired" in w for w in fitted.warnings)
    assert provider.quote(fitted).amount == Decimal("0.80")  # prices are kept
    with pytest.raises(ModelRetired):  # the override names one model only
        provider.fit(VideoRequest(prompt="a koi pond", model="sora-2-pro"))


def test_config_file_overrides_the_lifecycle_to_active(tmp_path) -> None:
    (tmp_path / "vidgen.toml").write_text(
        """
[profiles.apiyi]
provider = "apiyi"

[[profiles.apiyi.models]]
id = "sora-2"
lifecycle = { status = "active" }
""",
        encoding="utf-8",
    )

    with vidgen.Client(profile="apiyi", api_key="sk-test") as client:
        fitted = client.fit(VideoRequest(prompt="a koi pond"))

    assert fitted.model == "sora-2"
    assert not any("retired" in w for w in fitted.warnings)


# -- sizes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aspect", "resolution", "size"),
    [
        (None, None, "720x1280"),
        ("9:16", "720p", "720x1280"),
        ("16:9", "720p", "1280x720"),
        ("9:16", "1024p", "1024x1792"),
        ("16:9", "1024p", "1792x1024"),
        ("9:16", "1080p", "1080x1920"),
        ("16:9", "1080p", "1920x1080"),
    ],
)
def test_sora_2_pro_sizes(apiyi, aspect, resolution, size) -> None:
    fitted = fit(apiyi, model="sora-2-pro", aspect=aspect, resolution=resolution)

    assert fitted.size == size
    assert json.loads(apiyi.build_submit(fitted).read())["size"] == size


def test_1080p_on_sora_2_is_refused_naming_its_sizes(apiyi) -> None:
    with pytest.raises(UnsupportedRequest) as caught:
        fit(apiyi, aspect="16:9", resolution="1080p")

    error = caught.value
    assert error.param == "resolution"
    assert error.value == "1080p"
    assert error.supported == ("720p",)
    assert "720x1280" in str(error)
    assert "1280x720" in str(error)


def test_1080p_on_sora_2_nearest_falls_back_to_720p(apiyi) -> None:
    fitted = fit(apiyi, "nearest", aspect="16:9", resolution="1080p")

    assert fitted.size == "1280x720"
    assert fitted.resolution == "720p"
    [adjustment] = fitted.adjustments
    assert (adjustment.field, adjustment.requested, adjustment.sent) == (
        "resolution",
        "1080p",
        "720p",
    )
    assert any("'1080p' changed to '720p'" in w for w in fitted.warnings)


def test_square_video_is_refused(apiyi) -> None:
    with pytest.raises(UnsupportedRequest) as caught:
        fit(apiyi, aspect="1:1")

    assert caught.value.param == "aspect"
    assert set(caught.value.supported) == {"16:9", "9:16"}


# -- durations and the string ``seconds`` ----------------------------------------------------


@pytest.mark.parametrize("model", ["sora-2", "sora-2-pro"])
@pytest.mark.parametrize(("duration", "wire"), [(4, "4"), (8, "8"), (12, "12"), (None, "4")])
def test_seconds_is_a_string_on_the_wire(apiyi, model, duration, wire) -> None:
    fitted = fit(apiyi, model=model, duration=duration)
    body = json.loads(apiyi.build_submit(fitted).read())

    assert body["seconds"] == wire
    assert isinstance(body["seconds"], str)


@pytest.mark.parametrize("duration", ["10", "15", 10, 15])
def test_reverse_channel_durations_refused_on_sora_2(apiyi, duration) -> None:
    with pytest.raises(UnsupportedRequest) as caught:
        fit(apiyi, duration=duration)

    error = caught.value
    assert error.param == "duration"
    assert error.value == int(duration)
    assert error.supported == (4, 8, 12)
    assert "reverse-engineered channel" in str(error)
    assert "4, 8 or 12" in str(error)


@pytest.mark.parametrize("duration", [10, 15, 25])
def test_blog_durations_refused_on_sora_2_pro(apiyi, duration) -> None:
    with pytest.raises(UnsupportedRequest) as caught:
        fit(apiyi, model="sora-2-pro", duration=duration)

    error = caught.value
    assert error.param == "duration"
    assert error.supported == (4, 8, 12)
    assert "blog" in str(error)
    assert "4, 8 or 12" in str(error)


@pytest.mark.parametrize(
    ("model", "duration", "explanation"),
    [
        ("sora-2", "10", "reverse-engineered channel"),
        ("sora-2", "15", "reverse-engineered channel"),
        ("sora-2-pro", 10, "blog"),
        ("sora-2-pro", 15, "blog"),
        ("sora-2-pro", 25, "blog"),
    ],
)
def test_nearest_adjusts_wrong_durations_and_explains(apiyi, model, duration, explanation) -> None:
    fitted = fit(apiyi, "nearest", model=model, duration=duration)

    assert fitted.seconds == 12
    [adjustment] = fitted.adjustments
    assert (adjustment.field, adjustment.requested, adjustment.sent) == (
        "duration",
        int(duration),
        12,
    )
    [warning] = [w for w in fitted.warnings if w.startswith("duration")]
    assert explanation in warning
    assert json.loads(apiyi.build_submit(fitted).read())["seconds"] == "12"


@pytest.mark.parametrize("policy", ["strict", "nearest"])
@pytest.mark.parametrize("seconds", [8, "8"])
def test_seconds_in_provider_options_is_refused(apiyi, policy, seconds) -> None:
    with pytest.raises(UnsupportedRequest) as caught:
        fit(apiyi, policy, provider_options={"apiyi": {"seconds": seconds}})

    error = caught.value
    assert error.param == "provider_options.apiyi.seconds"
    assert error.value == seconds
    assert "string" in str(error)
    assert "duration=" in str(error)


def test_other_provider_options_reach_the_wire(apiyi) -> None:
    fitted = fit(
        apiyi,
        duration=4,
        provider_options={"apiyi": {"user": "batch-7"}, "azure": {"n_variants": 2}},
    )
    body = json.loads(apiyi.build_submit(fitted).read())

    assert body["user"] == "batch-7"
    assert "n_variants" not in body


# -- the reference image (first frame) -------------------------------------------------------


@pytest.mark.parametrize("policy", ["strict", "nearest"])
def test_url_reference_is_refused(apiyi, policy) -> None:
    reference = Reference.from_url("https://example.com/frame.png", width=1280, height=720)

    with pytest.raises(UnsupportedRequest) as caught:
        fit(apiyi, policy, reference=reference)

    error = caught.value
    assert error.param == "reference"
    assert error.value == "url"
    assert error.supported == ("file",)
    assert "Reference.from_path" in str(error)


def test_file_reference_goes_as_multipart(apiyi) -> None:
    reference = Reference.from_bytes(png_bytes(1280, 720), filename="first_frame.png")
    fitted = fit(apiyi, duration=8, reference=reference)

    submit = apiyi.build_submit(fitted)
    body = submit.read()

    assert fitted.size == "1280x720"  # the frame decides the shape
    assert submit.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="seconds"\r\n\r\n8\r\n' in body
    assert b'name="size"\r\n\r\n1280x720\r\n' in body
    assert b'name="model"\r\n\r\nsora-2\r\n' in body
    assert b'name="input_reference"; filename="first_frame.png"' in body
    assert b"Content-Type: image/png" in body
    assert png_bytes(1280, 720) in body


def test_reference_must_match_the_video_size(apiyi) -> None:
    reference = Reference.from_bytes(png_bytes(1920, 1080))

    with pytest.raises(UnsupportedRequest) as caught:
        fit(apiyi, "strict", aspect="16:9", reference=reference)

    error = caught.value
    assert error.param == "reference"
    assert error.value == "1920x1080"
    assert error.supported == ("1280x720",)
    assert "resize the image to 1280x720" in str(error)


def test_gif_reference_is_refused(apiyi) -> None:
    gif = gif_bytes(1280, 720)

    with pytest.raises(UnsupportedRequest) as caught:
        fit(apiyi, reference=Reference.from_bytes(gif))

    assert caught.value.param == "reference"
    assert caught.value.value == "image/gif"
    assert set(caught.value.supported) == {"image/jpeg", "image/png", "image/webp"}
