"""The neutral request side: what is asked, how it was fitted, what it costs, and offers.

Loaded on first use (not by `import vidgen`), so that discovering providers stays cheap.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import attrs

from ._catalog import Lifecycle, ModelSpec
from ._exceptions import InvalidInput, InvalidInputType
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
        raise InvalidInputType(
            "duration must be a whole number of seconds, e.g. duration=8", param="duration"
        )
    if isinstance(value, str):
        text = value.strip().removesuffix("s").strip()
        if not text.isdigit():
            raise InvalidInput(
                f"duration {value!r} is not a whole number of seconds, e.g. 8", param="duration"
            )
        value = int(text)
    if isinstance(value, float):
        if not value.is_integer():
            raise InvalidInput(
                f"duration {value!r} is not a whole number of seconds, e.g. 8", param="duration"
            )
        value = int(value)
    if not isinstance(value, int):
        raise InvalidInputType(
            f"duration must be a whole number of seconds, not {type(value).__name__}",
            param="duration",
        )
    if value <= 0:
        raise InvalidInput(f"duration must be positive, got {value}", param="duration")
    return value


def _aspect(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputType(
            f"aspect must be a string like '16:9', not {type(value).__name__}", param="aspect"
        )
    try:
        return normalize_aspect(value)
    except ValueError as exc:
        raise InvalidInput(str(exc), param="aspect") from None


def _resolution(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise InvalidInputType(
            f"resolution must be a string like '720p', not {type(value).__name__}",
            param="resolution",
        )
    try:
        return normalize_resolution(str(value))
    except ValueError as exc:
        raise InvalidInput(str(exc), param="resolution") from None


# Control characters have no place in a description and some APIs choke on them (a NUL
# ends a C string); newlines and tabs are how people lay a long prompt out.
_ALLOWED_CONTROLS = frozenset("\n\t")


def _prompt(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInputType(
            f"prompt must be a string, not {type(value).__name__}", param="prompt"
        )
    if not value.strip():
        raise InvalidInput("prompt is empty; describe the video to generate", param="prompt")
    # Windows line endings are line endings, not stray carriage returns.
    text = value.replace("\r\n", "\n")
    bad = next(
        (
            (position, char)
            for position, char in enumerate(text)
            if char not in _ALLOWED_CONTROLS and unicodedata.category(char) == "Cc"
        ),
        None,
    )
    if bad is not None:
        position, char = bad
        raise InvalidInput(
            f"prompt has a control character ({_char_name(char)}) at position {position}; "
            "only newlines and tabs are allowed. Remove it (was the text copied from a "
            "binary file or a terminal?)",
            param="prompt",
        )
    return value


def _char_name(char: str) -> str:
    names = {"\x00": "NUL", "\r": "carriage return", "\x1b": "escape", "\x7f": "DEL"}
    return names.get(char, f"U+{ord(char):04X}")


def _model(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputType(
            f"model must be a model id string such as 'sora-2', not {type(value).__name__}",
            param="model",
        )
    if not value.strip() or value != value.strip():
        raise InvalidInput(
            f"model {value!r} is not a model id; leave it unset for the provider's default "
            "(`vidgen models` lists them)",
            param="model",
        )
    return value


def _image(param: str) -> Callable[[Any], Reference | None]:
    """A converter that takes a `Reference` (or None) for ``param`` and says how to make one."""

    def convert(value: Any) -> Reference | None:
        if value is None or isinstance(value, Reference):
            return value
        if isinstance(value, (str, os.PathLike)):
            text = os.fspath(value)
            how = (
                f"Reference.from_url({text!r})"
                if str(text).startswith(("http://", "https://"))
                else f"Reference.from_path({text!r})"
            )
            raise InvalidInputType(
                f"{param} must be a vidgen.Reference, not a {type(value).__name__}; "
                f"write {param}=vidgen.{how}",
                param=param,
            )
        if isinstance(value, (bytes, bytearray, memoryview)):
            raise InvalidInputType(
                f"{param} must be a vidgen.Reference, not bytes; "
                f"write {param}=vidgen.Reference.from_bytes(data)",
                param=param,
            )
        raise InvalidInputType(
            f"{param} must be a vidgen.Reference (Reference.from_path, .from_url or "
            f".from_bytes), not {type(value).__name__}",
            param=param,
        )

    return convert


_image_reference = _image("reference")
_image_last_frame = _image("last_frame")


def _reference(value: Any) -> Reference | None:
    return _image_reference(value)


def _last_frame(value: Any) -> Reference | None:
    return _image_last_frame(value)


def _callback_url(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputType(
            f"callback_url must be a URL string, not {type(value).__name__}",
            param="callback_url",
        )
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(f"callback_url {value!r} is not an http(s) URL", param="callback_url")
    return value


def _options(value: Mapping[str, Mapping[str, Any]] | None) -> Mapping[str, Mapping[str, Any]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInputType(
            "provider_options maps provider names to dicts of options",
            param="provider_options",
        )
    for name, options in value.items():
        if not isinstance(options, Mapping):
            raise InvalidInputType(
                f"provider_options[{name!r}] must be a dict of that provider's options, "
                f"e.g. provider_options={{{name!r}: {{...}}}}",
                param="provider_options",
            )
    return {name: dict(options) for name, options in value.items()}


def _references(value: Any) -> tuple[Reference, ...]:
    if value is None:
        return ()
    if isinstance(value, Reference):
        return (value,)
    if isinstance(value, (str, bytes, os.PathLike)) or not isinstance(value, Iterable):
        raise InvalidInputType(
            "references is a list of vidgen.Reference values "
            "([Reference.from_path(...), Reference.from_url(...)])",
            param="references",
        )
    items = tuple(value)
    for item in items:
        if not isinstance(item, Reference):
            raise InvalidInputType(
                "references must be vidgen.Reference values (Reference.from_path(...), "
                f"Reference.from_url(...)), not {type(item).__name__}",
                param="references",
            )
    return items


def _optional_text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputType(
            f"negative_prompt must be text, not {type(value).__name__}", param="negative_prompt"
        )
    return value if value.strip() else None


def _seed(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputType(
            f"seed must be a whole number, not {type(value).__name__}", param="seed"
        )
    if not 0 <= value < 2**32:
        raise InvalidInput(f"seed must be between 0 and {2**32 - 1}, got {value}", param="seed")
    return value


def _audio(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise InvalidInputType(
        f"audio must be True, False or None (the model's default), not {value!r}", param="audio"
    )


def _reference_fit(value: Any) -> str | None:
    if value is None:
        return None
    if value in ("crop", "pad", "strict"):
        return str(value)
    raise InvalidInput(
        f"reference_fit must be 'crop', 'pad' or 'strict', not {value!r}", param="reference_fit"
    )


def _positive(_: Any, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(
            f"{attribute.name} must be a whole number of 1 or more, got {value!r}",
            param=attribute.name,
        )


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
    reference: Reference | None = attrs.field(default=None, converter=_reference)
    last_frame: Reference | None = attrs.field(default=None, converter=_last_frame)
    references: tuple[Reference, ...] = attrs.field(default=(), converter=_references)
    audio: bool | None = attrs.field(default=None, converter=_audio)
    negative_prompt: str | None = attrs.field(default=None, converter=_optional_text)
    seed: int | None = attrs.field(default=None, converter=_seed)
    reference_fit: str | None = attrs.field(default=None, converter=_reference_fit)
    model: str | None = attrs.field(default=None, converter=_model)
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
