"""The neutral values: validation, normalisation, frozenness."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

import vidgen
from vidgen import Job, JobStatus, Offer, Quote, VideoRequest

# -- VideoRequest ---------------------------------------------------------------------------


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t"])
def test_empty_prompt_is_refused(prompt: str) -> None:
    with pytest.raises(ValueError, match="prompt is empty"):
        VideoRequest(prompt=prompt)


def test_prompt_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="prompt must be a string, not int"):
        VideoRequest(prompt=42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "expected"), [("8", 8), (8.0, 8), (8, 8), ("8s", 8), (" 12 ", 12)]
)
def test_duration_is_normalised_to_int(given: object, expected: int) -> None:
    duration = VideoRequest(prompt="a cat", duration=given).duration  # type: ignore[arg-type]
    assert duration == expected
    assert type(duration) is int


def test_duration_none_means_model_default() -> None:
    assert VideoRequest(prompt="a cat").duration is None


def test_duration_bool_is_refused() -> None:
    # True is an int in Python; it must not quietly become a 1-second video.
    with pytest.raises(TypeError, match="whole number of seconds"):
        VideoRequest(prompt="a cat", duration=True)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (-1, "must be positive"),
        (0, "must be positive"),
        (8.5, "not a whole number"),
        ("eight", "not a whole number"),
        ("-1", "not a whole number"),
    ],
)
def test_bad_durations_are_refused(given: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VideoRequest(prompt="a cat", duration=given)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("16:9", "16:9"),
        ("16/9", "16:9"),
        ("32:18", "16:9"),
        (" 9 : 16 ", "9:16"),
        ("landscape", "16:9"),
        ("Portrait", "9:16"),
        ("square", "1:1"),
        ("4x3", "4:3"),
    ],
)
def test_aspect_is_normalised(given: str, expected: str) -> None:
    assert VideoRequest(prompt="a cat", aspect=given).aspect == expected


@pytest.mark.parametrize("given", ["wide", "16:0", "0:9", "16-9", ""])
def test_bad_aspect_is_refused_with_examples(given: str) -> None:
    with pytest.raises(ValueError, match=r"is not a ratio like '16:9'"):
        VideoRequest(prompt="a cat", aspect=given)


def test_non_string_aspect_is_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match="aspect"):
        VideoRequest(prompt="a cat", aspect=1.78)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "expected"), [("720p", "720p"), ("720P", "720p"), ("720", "720p"), ("1080p", "1080p")]
)
def test_resolution_is_normalised(given: str, expected: str) -> None:
    assert VideoRequest(prompt="a cat", resolution=given).resolution == expected


@pytest.mark.parametrize("given", ["hd", "4k", "72p", "720i", "1280x720"])
def test_bad_resolution_is_refused(given: str) -> None:
    with pytest.raises(ValueError, match="is not a tier like '720p'"):
        VideoRequest(prompt="a cat", resolution=given)


@pytest.mark.parametrize("given", [0, -2, True, 1.5])
def test_variants_must_be_a_positive_int(given: object) -> None:
    with pytest.raises(ValueError, match="variants must be a whole number of 1 or more"):
        VideoRequest(prompt="a cat", variants=given)  # type: ignore[arg-type]


def test_variants_default_and_explicit() -> None:
    assert VideoRequest(prompt="a cat").variants == 1
    assert VideoRequest(prompt="a cat", variants=3).variants == 3


@pytest.mark.parametrize("url", ["ftp://example.com/cb", "example.com/cb", "https://", "/cb"])
def test_callback_url_must_be_http(url: str) -> None:
    with pytest.raises(ValueError, match="callback_url"):
        VideoRequest(prompt="a cat", callback_url=url)


def test_callback_url_accepted() -> None:
    request = VideoRequest(prompt="a cat", callback_url="https://hooks.example.com/v")
    assert request.callback_url == "https://hooks.example.com/v"


def test_provider_options_shape() -> None:
    options = {"azure": {"inpaint_items": [1]}}
    request = VideoRequest(prompt="a cat", provider_options=options)
    assert request.provider_options == {"azure": {"inpaint_items": [1]}}
    # A copy: changing the caller's dict afterwards does not change the frozen request.
    options["azure"]["extra"] = True
    assert "extra" not in request.provider_options["azure"]
    assert VideoRequest(prompt="a cat").provider_options == {}


def test_provider_options_values_must_be_dicts() -> None:
    with pytest.raises(TypeError, match=r"provider_options\['azure'\] must be a dict"):
        VideoRequest(prompt="a cat", provider_options={"azure": "x"})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="maps provider names to dicts"):
        VideoRequest(prompt="a cat", provider_options=[("azure", {})])  # type: ignore[arg-type]


def test_reference_must_be_a_reference() -> None:
    with pytest.raises(TypeError):
        VideoRequest(prompt="a cat", reference="first.png")  # type: ignore[arg-type]


def test_request_is_frozen_and_evolve_revalidates() -> None:
    request = VideoRequest(prompt="a cat", duration=8, aspect="16:9")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        request.duration = 4  # type: ignore[misc]
    changed = attrs.evolve(request, duration="12", aspect="portrait")
    assert (changed.duration, changed.aspect) == (12, "9:16")
    assert (request.duration, request.aspect) == (8, "16:9")
    with pytest.raises(ValueError, match="must be positive"):
        attrs.evolve(request, duration=-1)


# -- Job --------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["created_at", "completed_at", "expires_at"])
def test_job_timestamps_must_be_aware(field: str) -> None:
    naive = dt.datetime(2026, 1, 1, 12, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        Job(id="v1", provider="openai", **{field: naive})
    aware = naive.replace(tzinfo=dt.timezone.utc)
    assert getattr(Job(id="v1", provider="openai", **{field: aware}), field) == aware


def test_job_is_frozen_and_outputs_become_a_tuple() -> None:
    job = Job(id="v1", provider="openai", outputs=[vidgen.Output(ref="v1")])
    assert job.outputs == (vidgen.Output(ref="v1"),)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        job.status = JobStatus.SUCCEEDED  # type: ignore[misc]
    assert attrs.evolve(job, status=JobStatus.SUCCEEDED).is_terminal


@pytest.mark.parametrize(
    ("status", "terminal"),
    [
        (JobStatus.QUEUED, False),
        (JobStatus.RUNNING, False),
        (JobStatus.UNKNOWN, False),
        (JobStatus.SUCCEEDED, True),
        (JobStatus.FAILED, True),
        (JobStatus.CANCELLED, True),
    ],
)
def test_job_status_is_terminal(status: JobStatus, terminal: bool) -> None:
    assert status.is_terminal is terminal
    assert Job(id="v1", provider="p", status=status).is_terminal is terminal


def test_job_default_status_is_unknown_and_describe() -> None:
    job = Job(id="v1", provider="openai")
    assert job.status is JobStatus.UNKNOWN
    running = Job(id="v1", provider="openai", status=JobStatus.RUNNING, progress=40)
    assert running.describe() == "openai job v1: running (40%)"
    failed = Job(
        id="v1",
        provider="openai",
        status=JobStatus.FAILED,
        error=vidgen.JobError(code="content_policy", message="refused"),
    )
    assert failed.describe() == "openai job v1: failed: refused [content_policy]"


# -- Quote ------------------------------------------------------------------------------------


def _quote(**kwargs: object) -> Quote:
    values: dict[str, object] = {
        "amount": Decimal("0.80"),
        "currency": "USD",
        "unit_price": Decimal("0.10"),
        "billed_seconds": 8,
        "source": "https://example.com/pricing",
        "as_of": dt.date(2026, 8, 21),
    }
    values.update(kwargs)
    return Quote(**values)  # type: ignore[arg-type]


def test_quote_formats_known_amounts() -> None:
    quote = _quote()
    assert quote.is_known
    assert quote.format_amount() == "$0.80"
    assert str(quote) == "$0.80 (8 s at 0.10/s, as of 2026-08-21)"
    euro = _quote(amount=Decimal("12"), currency="EUR", unit_price=Decimal("1.5"))
    assert euro.format_amount() == "12.00 EUR"


def test_quote_unknown_amount_never_says_zero() -> None:
    quote = _quote(amount=None, unit_price=None, note="credits only")
    assert not quote.is_known
    assert quote.format_amount() == "unknown"
    assert str(quote) == "price unknown (credits only)"
    assert "0" not in quote.format_amount()
    assert str(_quote(amount=None, unit_price=None)) == "price unknown"


def test_quote_per_video_unit() -> None:
    quote = _quote(amount=Decimal("1.00"), unit_price=Decimal("0.50"), unit="video", as_of=None)
    assert str(quote) == "$1.00 (8 s at 0.50/video)"


# -- Offer ------------------------------------------------------------------------------------


def test_offer_available_and_label() -> None:
    fitted = vidgen.get_provider("openai").fit(VideoRequest(prompt="a cat"), allow_retired=True)
    ok = Offer(provider="openai", profile=None, model="sora-2", fitted=fitted, quote=_quote())
    assert ok.available
    assert ok.label == "openai"
    refused = Offer(
        provider="openai-compatible",
        profile="relay",
        model="m",
        fitted=None,
        quote=None,
        reason="too long",
    )
    assert not refused.available
    assert refused.label == "relay"
    # A fitted offer with a reason (say, a retired model) is not available either.
    flagged = attrs.evolve(ok, reason="retired")
    assert not flagged.available


def test_adjustment_str() -> None:
    adjustment = vidgen.Adjustment(field="duration", requested=9, sent=8, reason="durations 4, 8")
    assert str(adjustment) == "duration: 9 -> 8 (durations 4, 8)"
