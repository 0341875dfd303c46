"""The ``azure`` catalog (lifecycle, prices) and the ways to configure the provider."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from azure_payloads import ENDPOINT, KEY, QUICKSTART_QUEUED, V1_QUEUED

import vidgen
from vidgen.testing import FakeClock, FakeServer, check_provider, fake_client, reply
from vidgen_azure import AzureProvider

PRICING_PAGE = "https://azure.microsoft.com/pricing/details/cognitive-services/openai-service/"


def provider(api: str = "jobs", **settings: Any) -> AzureProvider:
    settings.setdefault("api_key", KEY)
    made = vidgen.get_provider("azure", endpoint=ENDPOINT, api=api, **settings)
    assert isinstance(made, AzureProvider)
    return made


def request(**fields: Any) -> vidgen.VideoRequest:
    return vidgen.VideoRequest(prompt="A cat playing piano in a jazz bar.", **fields)


# -- lifecycle --------------------------------------------------------------------------------------


def test_sora_is_retired_with_sora_2_as_replacement() -> None:
    with pytest.raises(vidgen.ModelRetired) as caught:
        provider("jobs").fit(request())

    retired = caught.value
    assert retired.model == "sora"
    assert retired.provider == "azure"
    assert retired.retired_on == dt.date(2026, 2, 28)
    assert retired.replacement == "sora-2"
    assert retired.source is not None
    assert "model retirements" in retired.source
    assert "2025-05-02" in retired.source  # the version the table lists
    assert "use sora-2 instead" in str(retired)
    assert "allow_retired=True" in str(retired)


def test_sora_2_is_retired_without_a_replacement() -> None:
    with pytest.raises(vidgen.ModelRetired) as caught:
        provider("videos").fit(request())

    retired = caught.value
    assert retired.model == "sora-2"
    assert retired.retired_on == dt.date(2026, 4, 30)
    assert retired.replacement is None
    assert retired.source is not None
    assert "model retirements" in retired.source
    assert "2025-10-15" in retired.source
    assert "instead" not in str(retired)


@pytest.mark.parametrize(("api", "model"), [("jobs", "sora"), ("videos", "sora-2")])
def test_allow_retired_fits_with_a_warning(api: str, model: str) -> None:
    fitted = provider(api).fit(request(), allow_retired=True)

    assert fitted.model == model
    assert any(f"{model} was retired" in warning for warning in fitted.warnings)


def test_retirement_is_checked_before_any_http() -> None:
    server = FakeServer()  # answers nothing: any request fails the test
    with (
        fake_client(
            server,
            provider="azure",
            api_key=KEY,
            settings={"endpoint": ENDPOINT},
            clock=FakeClock.at("2026-11-30"),  # after the retirement date
        ) as c,
        pytest.raises(vidgen.ModelRetired),
    ):
        c.submit(request())
    assert server.requests == []


def test_a_profile_can_mark_the_model_as_served(tmp_path: Path) -> None:
    # Where a deployment still answers, the profile overrides the shipped lifecycle.
    (tmp_path / "vidgen.toml").write_text(
        """
[profiles.old-sora]
provider = "azure"
endpoint = "https://example-resource.openai.azure.com"

[[profiles.old-sora.models]]
id = "sora"
lifecycle = { status = "preview", note = "our deployment still serves it" }
""",
        encoding="utf-8",
    )
    with vidgen.Client(profile="old-sora") as client:
        fitted = client.fit(request(duration=20))

    assert fitted.model == "sora"
    assert fitted.seconds == 20  # the rest of the shipped entry is kept
    assert not any("retired" in warning for warning in fitted.warnings)


# -- prices -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["jobs", "videos"])
def test_no_published_price_means_an_unknown_quote(api: str) -> None:
    p = provider(api)
    quote = p.quote(p.fit(request(duration=4), allow_retired=True))

    assert quote.amount is None  # unknown, never 0
    assert quote.unit_price is None
    assert quote.is_known is False
    assert quote.format_amount() == "unknown"
    assert quote.source == PRICING_PAGE
    assert quote.as_of == dt.date(2026, 8, 21)
    assert quote.note
    assert "no primary figure" in quote.note or "no figure" in quote.note
    assert str(quote).startswith("price unknown")
    assert quote.billed_seconds == 4


def test_a_profile_can_give_its_own_price(tmp_path: Path) -> None:
    (tmp_path / "vidgen.toml").write_text(
        """
[profiles.az]
provider = "azure"
api = "videos"

[[profiles.az.models]]
id = "sora-2"
price_per_second = "0.10"
price_source = "our Azure agreement"
price_as_of = 2026-03-01
""",
        encoding="utf-8",
    )
    with vidgen.Client(profile="az", allow_retired=True) as client:
        quote = client.quote(request(duration=8))

    assert quote.amount == Decimal("0.80")
    assert quote.unit_price == Decimal("0.10")
    assert quote.source == "our Azure agreement"
    assert quote.as_of == dt.date(2026, 3, 1)


def test_billed_seconds_count_every_variant() -> None:
    p = provider("jobs")
    quote = p.quote(
        p.fit(request(duration=10, aspect="1:1", resolution="480p", variants=3), allow_retired=True)
    )

    assert quote.billed_seconds == 30
    assert quote.amount is None


def test_quotes_need_no_key_and_no_endpoint() -> None:
    p = vidgen.get_provider("azure")
    quote = p.quote(p.fit(request(), allow_retired=True))

    assert quote.amount is None
    assert quote.source == PRICING_PAGE


def test_a_budget_cannot_pass_an_unknown_price() -> None:
    server = FakeServer()  # answers nothing: any request fails the test
    with (
        fake_client(
            server,
            provider="azure",
            api_key=KEY,
            settings={"endpoint": ENDPOINT},
            allow_retired=True,
            max_job_cost="5.00",
        ) as c,
        pytest.raises(vidgen.BudgetExceeded) as caught,
    ):
        c.submit(request())

    assert server.requests == []
    assert caught.value.amount is None
    assert "no known price" in str(caught.value)


# -- the provider contract ------------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["jobs", "videos"])
def test_check_provider(api: str) -> None:
    # A key long enough to be told apart from the repr's own words: check_provider looks
    # for the key as a substring, and a one-letter key such as "k" is in "api-key".
    made = vidgen.get_provider("azure", api_key="check-key-0123", endpoint=ENDPOINT, api=api)

    assert check_provider(made) == []


@pytest.mark.parametrize("api", ["jobs", "videos"])
def test_check_provider_with_a_token_provider(api: str) -> None:
    made = vidgen.get_provider(
        "azure", endpoint="https://x.openai.azure.com", api=api, token_provider=lambda: "tok"
    )

    assert check_provider(made) == []


@pytest.mark.parametrize("api", ["jobs", "videos"])
def test_catalog_entries_carry_their_sources(api: str) -> None:
    catalog = provider(api).catalog

    assert len(catalog.models) == 1
    spec = catalog.models[0]
    assert spec.source is not None
    assert "video-generation.md" in spec.source
    assert spec.is_retired(dt.date(2026, 11, 30))  # the retired_on date decides
    assert all(price.source == PRICING_PAGE and price.as_of for price in spec.prices)


# -- configuration --------------------------------------------------------------------------------------


def write_config(tmp_path: Path, text: str) -> None:
    (tmp_path / "vidgen.toml").write_text(text, encoding="utf-8")


def recording_client(
    profile: str, answer: dict[str, Any]
) -> tuple[vidgen.Client, list[httpx.Request]]:
    """A client of ``profile`` (its key from the environment) whose submit gets ``answer``."""
    server = FakeServer().route("POST", "/openai/v1/videos", reply(json=answer))
    server.route("POST", "/openai/v1/video/generations/jobs", reply(json=answer))
    client = fake_client(server, profile=profile, api_key=None, allow_retired=True)
    return client, server.requests


def test_a_videos_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(
        tmp_path,
        """
default_profile = "azure-sora2"

[profiles.azure-sora2]
provider = "azure"
api = "videos"
endpoint = "https://example-resource.openai.azure.com"
api_key_env = "CONTOSO_AZURE_KEY"
deployments = { "sora-2" = "contoso-sora-2" }
""",
    )
    monkeypatch.setenv("CONTOSO_AZURE_KEY", "contoso-key-0123")
    client, sent = recording_client("azure-sora2", V1_QUEUED)

    with client:
        job = client.submit(request(duration=8, aspect="16:9"))

    assert client.provider.api == "videos"
    assert client.provider.profile == "azure-sora2"
    assert job.profile == "azure-sora2"
    assert job.status is vidgen.JobStatus.QUEUED
    assert [str(r.url) for r in sent] == [f"{ENDPOINT}/openai/v1/videos"]
    assert sent[0].headers["api-key"] == "contoso-key-0123"
    assert json.loads(sent[0].read()) == {
        "model": "contoso-sora-2",
        "prompt": "A cat playing piano in a jazz bar.",
        "seconds": "8",
        "size": "1280x720",
    }


def test_the_profile_and_the_keyword_settings_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        tmp_path,
        """
[profiles.az]
provider = "azure"
api = "videos"
endpoint = "https://example-resource.openai.azure.com"
api_key_env = "CONTOSO_AZURE_KEY"
""",
    )
    monkeypatch.setenv("CONTOSO_AZURE_KEY", KEY)
    with vidgen.Client(profile="az") as client:
        from_profile = client.provider
    from_keywords = vidgen.get_provider("azure", api_key=KEY, endpoint=ENDPOINT, api="videos")
    fitted = from_keywords.fit(request(duration=12), allow_retired=True)

    a = from_profile.build_submit(fitted)
    b = from_keywords.build_submit(fitted)
    assert (a.url, a.headers["api-key"], a.read()) == (b.url, b.headers["api-key"], b.read())


def test_a_jobs_profile_with_an_api_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        tmp_path,
        """
[profiles.az-jobs]
provider = "azure"
api_version = "2025-02-15-preview"
deployments = { sora = "contoso-sora" }
""",
    )
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", ENDPOINT)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    client, sent = recording_client("az-jobs", QUICKSTART_QUEUED)

    with client:
        client.submit(request(duration=5, aspect="1:1", resolution="480p"))

    assert client.provider.api == "jobs"
    assert str(sent[0].url) == (
        f"{ENDPOINT}/openai/v1/video/generations/jobs?api-version=2025-02-15-preview"
    )
    assert json.loads(sent[0].read())["model"] == "contoso-sora"


def test_a_key_in_the_profile_is_refused(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        f"""
[profiles.az]
provider = "azure"
endpoint = "{ENDPOINT}"
api_key = "{KEY}"
""",
    )

    with pytest.raises(vidgen.ConfigError) as caught:
        vidgen.Client(profile="az")
    assert "api_key_env" in str(caught.value)
    assert KEY not in str(caught.value)


def test_an_unknown_api_in_a_profile_names_the_profile(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        """
[profiles.az]
provider = "azure"
api = "sora2"
""",
    )

    with pytest.raises(vidgen.ConfigError) as caught:
        vidgen.Client(profile="az")
    assert "'az'" in str(caught.value)
    assert "'jobs' or 'videos'" in str(caught.value)
