"""What aivideoapi accepts (checked before any request), what it costs, and its contract."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import vidgen
from vidgen.provider import Provider
from vidgen.testing import FakeServer, check_provider, fake_client, png_bytes

MakeClient = Callable[..., vidgen.Client]

PHOTO = "https://example.com/photo.jpg"


def refused(provider: Provider, request: vidgen.VideoRequest) -> vidgen.UnsupportedRequest:
    """The refusal under both policies (no adjustment can make these right)."""
    errors = []
    for policy in ("strict", "nearest"):
        with pytest.raises(vidgen.UnsupportedRequest) as caught:
            provider.fit(request, policy=policy)
        errors.append(caught.value)
    assert str(errors[0]) == str(errors[1])
    return errors[0]


# -- the prompt ------------------------------------------------------------------------------


def test_prompt_of_5000_characters_fits(provider: Provider) -> None:
    fitted = provider.fit(vidgen.VideoRequest(prompt="a" * 5000))
    assert len(fitted.request.prompt) == 5000


def test_prompt_over_5000_characters_is_refused(provider: Provider) -> None:
    error = refused(provider, vidgen.VideoRequest(prompt="a" * 5001))
    assert error.param == "prompt"
    assert error.value == 5001
    assert error.supported == (5000,)
    assert "5000" in str(error)


def test_nothing_is_sent_when_fit_refuses(make_client: MakeClient) -> None:
    script = FakeServer()  # answers nothing: any request fails the test
    client = make_client(script)
    with pytest.raises(vidgen.UnsupportedRequest):
        client.submit(vidgen.VideoRequest(prompt="a" * 5001))
    with pytest.raises(vidgen.UnsupportedRequest):
        client.submit(
            vidgen.VideoRequest(
                prompt="x", reference=vidgen.Reference.from_bytes(png_bytes(720, 1280))
            )
        )
    assert script.requests == []


# -- the reference image ------------------------------------------------------------------------


def test_image_bytes_are_refused_with_a_pointer_to_urls(provider: Provider) -> None:
    error = refused(
        provider,
        vidgen.VideoRequest(
            prompt="x", reference=vidgen.Reference.from_bytes(png_bytes(720, 1280))
        ),
    )
    assert error.param == "reference"
    assert error.value == "file"
    assert error.supported == ("url",)
    assert "Reference.from_url" in str(error)


def test_image_file_is_refused_with_a_pointer_to_urls(provider: Provider, tmp_path: Path) -> None:
    path = tmp_path / "first.png"
    path.write_bytes(png_bytes(1280, 720))
    error = refused(
        provider, vidgen.VideoRequest(prompt="x", reference=vidgen.Reference.from_path(path))
    )
    assert error.param == "reference"
    assert "Reference.from_url" in str(error)


def test_url_reference_of_unknown_size_is_sent_as_is(provider: Provider) -> None:
    fitted = provider.fit(
        vidgen.VideoRequest(prompt="x", aspect="9:16", reference=vidgen.Reference.from_url(PHOTO))
    )
    assert fitted.aspect == "9:16"
    assert fitted.warnings == provider.fit(vidgen.VideoRequest(prompt="x")).warnings


@pytest.mark.parametrize(("width", "height"), [(299, 600), (600, 299), (100, 100)])
def test_reference_with_a_short_side_under_300_px_is_refused(
    provider: Provider, width: int, height: int
) -> None:
    reference = vidgen.Reference.from_url(PHOTO, width=width, height=height)
    error = refused(provider, vidgen.VideoRequest(prompt="x", aspect="16:9", reference=reference))
    assert error.param == "reference"
    assert error.value == f"{width}x{height}"
    assert "300" in str(error)


@pytest.mark.parametrize(("width", "height"), [(1301, 520), (520, 1301), (2000, 300)])
def test_reference_outside_2_5_to_5_2_is_refused(
    provider: Provider, width: int, height: int
) -> None:
    reference = vidgen.Reference.from_url(PHOTO, width=width, height=height)
    error = refused(provider, vidgen.VideoRequest(prompt="x", aspect="16:9", reference=reference))
    assert error.param == "reference"
    assert error.supported == (0.4, 2.5)
    assert "between 0.4 and 2.5" in str(error)


@pytest.mark.parametrize(
    ("width", "height", "aspect"),
    [(300, 300, "16:9"), (400, 1000, "9:16"), (1000, 400, "16:9"), (1280, 720, "16:9")],
)
def test_reference_within_the_limits_fits(
    provider: Provider, width: int, height: int, aspect: str
) -> None:
    reference = vidgen.Reference.from_url(PHOTO, width=width, height=height)
    fitted = provider.fit(vidgen.VideoRequest(prompt="x", aspect=aspect, reference=reference))
    assert fitted.aspect == aspect
    assert provider.build_submit(fitted).content.count(PHOTO.encode()) == 1


def test_reference_shape_chooses_the_aspect_when_none_is_asked(provider: Provider) -> None:
    reference = vidgen.Reference.from_url(PHOTO, width=720, height=1280)
    fitted = provider.fit(vidgen.VideoRequest(prompt="x", reference=reference))
    assert fitted.aspect == "9:16"


def test_reference_of_another_shape_needs_an_aspect(provider: Provider) -> None:
    reference = vidgen.Reference.from_url(PHOTO, width=1000, height=1000)
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", reference=reference))
    assert caught.value.param == "aspect"
    assert "pass aspect=" in str(caught.value)
    nearest = provider.fit(vidgen.VideoRequest(prompt="x", reference=reference), policy="nearest")
    assert nearest.aspect in ("16:9", "9:16")
    assert (
        provider.fit(vidgen.VideoRequest(prompt="x", aspect="9:16", reference=reference)).aspect
        == "9:16"
    )


# -- aspect ratios and durations ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "wire", "size"),
    [
        ("16:9", "16:9", "1280x720"),
        ("9:16", "9:16", "720x1280"),
        ("landscape", "16:9", "1280x720"),
        ("portrait", "9:16", "720x1280"),
        (None, "16:9", "1280x720"),
    ],
)
def test_aspect_maps_to_the_wire_aspect_ratio(
    provider: Provider, asked: str | None, wire: str, size: str
) -> None:
    fitted = provider.fit(vidgen.VideoRequest(prompt="x", aspect=asked))
    assert fitted.size == size
    assert fitted.aspect == wire
    request = provider.build_submit(fitted)
    assert f'"aspect_ratio":"{wire}"'.encode() in request.content.replace(b" ", b"")


def test_square_is_refused_strictly_and_moved_with_a_warning(provider: Provider) -> None:
    request = vidgen.VideoRequest(prompt="x", aspect="1:1")
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(request)
    assert caught.value.param == "aspect"
    assert set(caught.value.supported) == {"16:9", "9:16"}
    fitted = provider.fit(request, policy="nearest")
    assert fitted.aspect in ("16:9", "9:16")
    assert [a.field for a in fitted.adjustments] == ["aspect"]
    assert any("aspect '1:1' changed" in w for w in fitted.warnings)


def test_1080p_is_not_offered(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", resolution="1080p"))
    assert caught.value.param == "resolution"


@pytest.mark.parametrize("seconds", [4, 8, 12])
def test_documented_durations_fit_unchanged(provider: Provider, seconds: int) -> None:
    fitted = provider.fit(vidgen.VideoRequest(prompt="x", duration=seconds))
    assert fitted.seconds == seconds
    assert fitted.adjustments == ()


def test_10_seconds_is_refused_strictly(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", duration=10))
    assert caught.value.param == "duration"
    assert caught.value.value == 10
    assert caught.value.supported == (4, 8, 12)


def test_10_seconds_becomes_12_with_a_warning_under_nearest(provider: Provider) -> None:
    fitted = provider.fit(vidgen.VideoRequest(prompt="x", duration=10), policy="nearest")
    assert fitted.seconds == 12
    (adjustment,) = fitted.adjustments
    assert (adjustment.field, adjustment.requested, adjustment.sent) == ("duration", 10, 12)
    assert any("duration 10 changed to 12" in w for w in fitted.warnings)
    assert provider.build_submit(fitted).content.replace(b" ", b"").count(b'"duration":12') == 1


def test_one_variant_per_task(provider: Provider) -> None:
    with pytest.raises(vidgen.UnsupportedRequest) as caught:
        provider.fit(vidgen.VideoRequest(prompt="x", variants=2))
    assert caught.value.param == "variants"
    assert provider.fit(vidgen.VideoRequest(prompt="x", variants=2), policy="nearest").variants == 1


def test_callback_url_is_kept(provider: Provider) -> None:
    fitted = provider.fit(
        vidgen.VideoRequest(prompt="x", callback_url="https://hooks.example.com/a")
    )
    assert fitted.callback_url == "https://hooks.example.com/a"
    assert fitted.adjustments == ()


# -- lifecycle --------------------------------------------------------------------------------


@pytest.mark.parametrize("today", [dt.date(2026, 8, 1), dt.date(2026, 11, 21), dt.date(2030, 1, 1)])
def test_deprecated_model_warns_but_is_not_refused(provider: Provider, today: dt.date) -> None:
    fitted = provider.fit(vidgen.VideoRequest(prompt="x"), today=today)
    assert fitted.model == "sora-2"
    (warning,) = fitted.warnings
    assert "deprecated" in warning
    assert "not confirmed" in warning
    spec = provider.catalog.get("sora-2")
    assert spec is not None
    assert spec.lifecycle.status == "deprecated"
    assert spec.lifecycle.retired_on is None
    assert not spec.is_retired(today)


def test_profile_can_mark_the_model_active_or_retired() -> None:
    # The overrides docs/providers/aivideoapi.md describes, once the status is known.
    active = vidgen.get_provider(
        "aivideoapi", models=[{"id": "sora-2", "lifecycle": {"status": "active"}}]
    )
    fitted = active.fit(vidgen.VideoRequest(prompt="x", duration=8))
    assert fitted.warnings == ()
    assert active.quote(fitted).amount == Decimal("1.00")  # the rest of the entry is kept
    retired = vidgen.get_provider(
        "aivideoapi",
        models=[{"id": "sora-2", "lifecycle": {"status": "retired", "retired_on": "2026-10-01"}}],
    )
    with pytest.raises(vidgen.ModelRetired) as caught:
        retired.fit(vidgen.VideoRequest(prompt="x"), today=dt.date(2026, 11, 21))
    assert caught.value.retired_on == dt.date(2026, 10, 1)


# -- pricing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "credits", "dollars"), [(4, 100, "0.50"), (8, 200, "1.00"), (12, 300, "1.50")]
)
def test_quote_matches_the_vendor_price_table(
    provider: Provider, seconds: int, credits: int, dollars: str
) -> None:
    quote = provider.quote(provider.fit(vidgen.VideoRequest(prompt="x", duration=seconds)))
    assert quote.amount == Decimal(dollars)
    assert isinstance(quote.amount, Decimal)
    assert quote.currency == "USD"
    assert quote.unit == "second"
    assert quote.unit_price == Decimal("0.125")
    assert quote.billed_seconds == seconds
    assert seconds * 25 == credits  # 25 credits/s
    assert quote.format_amount() == f"${dollars}"
    assert quote.source is not None
    assert "aivideoapi.ai/docs/en/video-generation/sora-2" in quote.source
    assert quote.as_of == dt.date(2026, 8, 21)
    assert "25 credits" in (quote.note or "")


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
def test_both_shapes_cost_the_same(provider: Provider, aspect: str) -> None:
    quote = provider.quote(provider.fit(vidgen.VideoRequest(prompt="x", duration=8, aspect=aspect)))
    assert quote.amount == Decimal("1.00")


def test_compare_offers_aivideoapi_at_1_50_for_12_seconds() -> None:
    offers = vidgen.compare(vidgen.VideoRequest(prompt="x", duration=12, aspect="16:9"))
    (offer,) = [o for o in offers if o.provider == "aivideoapi"]
    assert offer.available
    assert offer.model == "sora-2"
    assert offer.quote is not None
    assert offer.quote.amount == Decimal("1.50")
    assert offer.fitted is not None
    assert offer.fitted.seconds == 12
    assert not offer.retired


def test_client_quote_needs_no_key_and_no_network() -> None:
    client = fake_client(FakeServer(), provider="aivideoapi", api_key=None)
    assert client.quote(vidgen.VideoRequest(prompt="x", duration=8)).amount == Decimal("1.00")


def test_budget_is_checked_before_sending(make_client: MakeClient) -> None:
    script = FakeServer()
    client = make_client(script, max_job_cost="1.00")
    with pytest.raises(vidgen.BudgetExceeded) as caught:
        client.submit(vidgen.VideoRequest(prompt="x", duration=12))
    assert caught.value.amount == Decimal("1.50")
    assert script.requests == []


# -- the contract ----------------------------------------------------------------------------------


def test_check_provider_finds_no_problem(provider: Provider) -> None:
    assert check_provider(provider) == []


def test_registered_with_its_settings() -> None:
    provider = vidgen.get_provider("aivideoapi", api_key="sk-test")
    assert type(provider).__name__ == "AivideoapiProvider"
    assert provider.base_url == "https://api.aivideoapi.ai/v1"
    assert provider.key_env == "AIVIDEOAPI_API_KEY"
    assert "sk-test" not in repr(provider)


def test_missing_key_names_the_environment_variable() -> None:
    provider = vidgen.get_provider("aivideoapi")
    fitted = provider.fit(vidgen.VideoRequest(prompt="x"))
    with pytest.raises(vidgen.ConfigError, match="AIVIDEOAPI_API_KEY"):
        provider.build_submit(fitted)


def test_key_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIVIDEOAPI_API_KEY", "sk-from-env")
    provider = vidgen.get_provider("aivideoapi")
    request = provider.build_status(provider.job_ref("t1"))
    assert request.headers["authorization"] == "Bearer sk-from-env"


def test_profile_from_the_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The set-up docs/providers/aivideoapi.md shows.
    (tmp_path / "vidgen.toml").write_text(
        'default_profile = "aivideo"\n'
        "[profiles.aivideo]\n"
        'provider = "aivideoapi"\n'
        'api_key_env = "AIVIDEOAPI_API_KEY"\n'
        'max_job_cost = "1.00"\n'
    )
    monkeypatch.setenv("AIVIDEOAPI_API_KEY", "sk-profile")
    client = fake_client(FakeServer(), api_key=None)
    assert client.provider.name == "aivideoapi"
    assert client.provider.profile == "aivideo"
    assert client.provider.headers()["Authorization"] == "Bearer sk-profile"
    with pytest.raises(vidgen.BudgetExceeded):
        client.submit(vidgen.VideoRequest(prompt="x", duration=12))


def test_no_list_or_delete_is_documented(make_client: MakeClient) -> None:
    script = FakeServer()
    client = make_client(script)
    with pytest.raises(vidgen.UnsupportedRequest):
        client.list_jobs()
    with pytest.raises(vidgen.UnsupportedRequest):
        client.delete("cbf6b69d-4f03-4817-8ed7-94c0292184a8")
    assert script.requests == []
