"""The neutral request side: what is asked, how it was fitted, what it costs, and offers.

Loaded on first use (not by `import vidgen`), so that discovering providers stays cheap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import attrs

from ._catalog import Lifecycle, ModelSpec
from ._public import public
from ._reference import Reference
from ._sizes import normalize_aspect, normalize_resolution

__all__ = ["Adjustment", "Fitted", "Offer", "Quote", "VideoRequest"]


@public
@attrs.frozen(kw_only=True)
class Quote:
    """What a fitted request will cost, from the provider's catalog.

    Attributes:
        amount: the total, or None when no price is known (never 0 for unknown).
        currency: ISO currency code, ``"USD"``.
        unit_price: the price per billed unit (per second unless ``unit`` says otherwise).
        unit: what one unit is: ``"second"`` or ``"video"``.
        billed_seconds: the seconds billed (video length times variants).
        source: where the price comes from (a URL or a document name).
        as_of: the date the price was read from its source.
        note: anything else about the price (credits, tier, caveats).
    """

    amount: Decimal | None
    currency: str | None
    unit_price: Decimal | None
    billed_seconds: int
    source: str | None
    as_of: dt.date | None
    unit: str = "second"
    note: str | None = None

    @property
    def is_known(self) -> bool:
        """True when there is a price."""
        return self.amount is not None

    def format_amount(self) -> str:
        """``"$0.80"``, ``"12.00 EUR"`` or ``"unknown"``."""
        if self.amount is None:
            return "unknown"
        if self.currency == "USD":
            return f"${self.amount:.2f}"
        return f"{self.amount:.2f} {self.currency}"

    def __str__(self) -> str:
        if self.amount is None:
            return "price unknown" + (f" ({self.note})" if self.note else "")
        per = {"second": "s", "million tokens": "M tokens"}.get(self.unit, self.unit)
        text = f"{self.format_amount()} ({self.billed_seconds} s at {self.unit_price}/{per}"
        if self.as_of:
            text += f", as of {self.as_of.isoformat()}"
        return text + ")"


@public
@attrs.frozen(kw_only=True)
class Adjustment:
    """One field `fit` changed: what was asked, what will be sent, and why."""

    field: str
    requested: Any
    sent: Any
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.requested!r} -> {self.sent!r} ({self.reason})"


def _duration(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("duration must be a whole number of seconds, e.g. duration=8")
    if isinstance(value, str):
        text = value.strip().removesuffix("s").strip()
        if not text.isdigit():
            raise ValueError(f"duration {value!r} is not a whole number of seconds, e.g. 8")
        value = int(text)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"duration {value!r} is not a whole number of seconds, e.g. 8")
        value = int(value)
    if not isinstance(value, int):
        raise TypeError(f"duration must be a whole number of seconds, not {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"duration must be positive, got {value}")
    return value


def _aspect(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"aspect must be a string like '16:9', not {type(value).__name__}")
    return normalize_aspect(value)


def _resolution(value: str | None) -> str | None:
    return None if value is None else normalize_resolution(value)


def _prompt(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"prompt must be a string, not {type(value).__name__}")
    if not value.strip():
        raise ValueError("prompt is empty; describe the video to generate")
    return value


def _callback_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"callback_url {value!r} is not an http(s) URL")
    return value


def _options(value: Mapping[str, Mapping[str, Any]] | None) -> Mapping[str, Mapping[str, Any]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError("provider_options maps provider names to dicts of options")
    for name, options in value.items():
        if not isinstance(options, Mapping):
            raise TypeError(
                f"provider_options[{name!r}] must be a dict of that provider's options, "
                f"e.g. provider_options={{{name!r}: {{...}}}}"
            )
    return {name: dict(options) for name, options in value.items()}


def _references(value: Any) -> tuple[Reference, ...]:
    if value is None:
        return ()
    if isinstance(value, Reference):
        return (value,)
    items = tuple(value)
    for item in items:
        if not isinstance(item, Reference):
            raise TypeError(
                "references must be vidgen.Reference values (Reference.from_path(...), "
                f"Reference.from_url(...)), not {type(item).__name__}"
            )
    return items


def _optional_text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected text, not {type(value).__name__}")
    return value if value.strip() else None


def _seed(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"seed must be a whole number, not {type(value).__name__}")
    if not 0 <= value < 2**32:
        raise ValueError(f"seed must be between 0 and {2**32 - 1}, got {value}")
    return value


def _audio(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise TypeError(f"audio must be True, False or None (the model's default), not {value!r}")


def _positive(_: Any, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be a whole number of 1 or more, got {value!r}")


@public
@attrs.frozen(kw_only=True)
class VideoRequest:
    """What to generate, in terms no provider owns.

    Attributes:
        prompt: the description of the video.
        duration: seconds; None for the model's default.
        aspect: ``"16:9"``, ``"9:16"``, ``"1:1"`` (or ``"landscape"``...); None for the
            reference image's aspect, else the model's default.
        resolution: a tier such as ``"720p"`` or ``"1080p"``; None for the model's default.
        reference: the first frame, if any.
        last_frame: the frame the video should end on, where the model can.
        references: reference images of a subject or style (not frames), where the model
            takes them.
        audio: True for a video with sound, False for a silent one, None for the model's
            default.
        negative_prompt: what the video should not show, where the model takes it.
        seed: a seed for models that take one (the same seed repeats a result).
        reference_fit: how a first or last frame that does not fit the model is made to:
            ``crop`` (fill the video's size), ``pad`` (letterbox) or ``strict`` (refuse);
            None follows the fit policy (``nearest`` crops, ``strict`` refuses).
        model: a model id or a model family (``veo-3.1-fast``); None for the provider's
            default model.
        variants: how many videos to render from this prompt.
        callback_url: where the provider should POST the result, where it has callbacks.
        provider_options: extra wire fields per provider name, e.g.
            ``{"azure": {"inpaint_items": [...]}}``; other providers ignore them.
    """

    prompt: str = attrs.field(converter=_prompt)
    duration: int | None = attrs.field(default=None, converter=_duration)
    aspect: str | None = attrs.field(default=None, converter=_aspect)
    resolution: str | None = attrs.field(default=None, converter=_resolution)
    reference: Reference | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(Reference))
    )
    last_frame: Reference | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(Reference))
    )
    references: tuple[Reference, ...] = attrs.field(default=(), converter=_references)
    audio: bool | None = attrs.field(default=None, converter=_audio)
    negative_prompt: str | None = attrs.field(default=None, converter=_optional_text)
    seed: int | None = attrs.field(default=None, converter=_seed)
    reference_fit: str | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.in_(("crop", "pad", "strict"))),
    )
    model: str | None = None
    variants: int = attrs.field(default=1, validator=_positive)
    callback_url: str | None = attrs.field(default=None, converter=_callback_url)
    provider_options: Mapping[str, Mapping[str, Any]] = attrs.field(
        factory=dict, converter=_options, hash=False
    )


@public
@attrs.frozen(kw_only=True)
class Fitted:
    """A request fitted to one provider's model: exactly what will be sent.

    Attributes:
        request: the request as it was asked.
        provider: the provider's registered name.
        model: the concrete model id.
        size: ``"WIDTHxHEIGHT"``.
        seconds: the duration that will be sent.
        aspect, resolution: the aspect and tier of ``size``.
        variants: how many videos will be rendered.
        reference, last_frame, references: the images that will be sent (the request's,
            or fitted to the model: see ``reference_fit``).
        audio: whether the video will have sound (None where the catalog does not say).
        negative_prompt: the negative prompt that will be sent (None if dropped).
        seed: the seed that will be sent (None if dropped or not asked).
        callback_url: the callback that will be sent (None if dropped or not asked).
        warnings: readable notes on everything that was changed or is worth knowing.
        adjustments: one per changed field: requested vs sent.
        options: this provider's ``provider_options``.
        spec: the catalog entry of the model.
    """

    request: VideoRequest
    provider: str
    model: str
    size: str
    seconds: int
    aspect: str
    resolution: str
    variants: int = 1
    reference: Reference | None = None
    last_frame: Reference | None = None
    references: tuple[Reference, ...] = ()
    audio: bool | None = None
    negative_prompt: str | None = None
    seed: int | None = None
    callback_url: str | None = None
    warnings: tuple[str, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    options: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    spec: ModelSpec = attrs.field(repr=False, eq=False, hash=False)

    @property
    def width(self) -> int:
        """The width in pixels."""
        return int(self.size.split("x")[0])

    @property
    def height(self) -> int:
        """The height in pixels."""
        return int(self.size.split("x")[1])


@public
@attrs.frozen(kw_only=True)
class Offer:
    """One way to serve a request: a provider (or profile) and model, with its price.

    Attributes:
        provider: the provider's registered name.
        profile: the config profile, or None for a provider used with its defaults.
        model: the model id.
        fitted: the fitted request, or None when it cannot be served.
        quote: the price, or None when it cannot be served.
        reason: why it cannot be served (None when it can).
        retired: the catalog says the model is retired.
        retired_on: the retirement date, if known.
        lifecycle: the model's lifecycle entry (status, dates, source).
    """

    provider: str
    profile: str | None
    model: str
    fitted: Fitted | None
    quote: Quote | None
    reason: str | None = None
    retired: bool = False
    retired_on: dt.date | None = None
    lifecycle: Lifecycle | None = None

    @property
    def available(self) -> bool:
        """True when the request can be served (it may still be retired)."""
        return self.fitted is not None and self.reason is None

    @property
    def label(self) -> str:
        """The profile's name, or the provider's when there is no profile."""
        return self.profile or self.provider
