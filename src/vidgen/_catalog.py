"""The catalog: each provider's models, capabilities, prices and lifecycle, as data.

A provider package ships ``catalog.toml``; a config profile may add models or override
fields of shipped ones. `fit` and `quote` read only this data, so no provider keeps a list
of durations or prices in Python.
"""

from __future__ import annotations

import copy
import datetime as dt
import sys
import typing
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs
import cattrs

from ._exceptions import ConfigError, InvalidInput
from ._public import public
from ._sizes import aspect_of, normalize_aspect, normalize_resolution, parse_size, resolution_of

__all__ = [
    "Catalog",
    "Lifecycle",
    "ModelSpec",
    "Price",
    "SizeSpec",
    "load_catalog",
    "read_catalog_resource",
]

LIFECYCLE_STATUSES = ("active", "preview", "deprecated", "retired")
REFERENCE_FORMS = ("file", "url")


@public
@attrs.frozen(kw_only=True)
class SizeSpec:
    """One output size and the aspect and resolution tier it is filed under."""

    size: str
    aspect: str
    resolution: str

    @classmethod
    def from_size(cls, size: str) -> SizeSpec:
        """Derive the aspect and tier from ``"WIDTHxHEIGHT"``."""
        width, height = parse_size(size)
        return cls(
            size=f"{width}x{height}",
            aspect=aspect_of(width, height),
            resolution=resolution_of(width, height),
        )


@public
@attrs.frozen(kw_only=True)
class Price:
    """A price for some (or all) sizes of a model.

    Attributes:
        per_second: the price of one second of video, or None when unpublished.
        per_video: the price of one video, for providers that bill per video.
        per_million_tokens: the price of a million video tokens, for providers that bill
            tokens (Seedance); a quote estimates the tokens as width x height x (fps x
            seconds + 1) / 1024, the vendor's rule.
        token_fps: the frame rate in that estimate.
        currency: ISO code.
        sizes, resolutions: which sizes it applies to; both empty means all.
        audio: True when it applies only to videos with sound, False only to silent
            ones, None to both.
        source: where the figure comes from (URL or document).
        as_of: when it was read there.
        note: credits, tier names, caveats.
    """

    per_second: Decimal | None = None
    per_video: Decimal | None = None
    per_million_tokens: Decimal | None = None
    token_fps: int = 24
    currency: str = "USD"
    sizes: tuple[str, ...] = ()
    resolutions: tuple[str, ...] = ()
    audio: bool | None = None
    source: str | None = None
    as_of: dt.date | None = None
    note: str | None = None

    def __attrs_post_init__(self) -> None:
        for name in ("per_second", "per_video", "per_million_tokens"):
            amount = getattr(self, name)
            if amount is not None and (not amount.is_finite() or amount < 0):
                raise InvalidInput(
                    f'price {name} {amount} must be zero or more, e.g. "0.10"', param=name
                )
        if self.token_fps <= 0:
            raise InvalidInput(
                f"token_fps must be a positive frame rate, not {self.token_fps}", param="token_fps"
            )

    @property
    def known(self) -> bool:
        """True when it gives an amount (per second, per video or per token)."""
        return any(
            amount is not None
            for amount in (self.per_second, self.per_video, self.per_million_tokens)
        )

    def applies_to(self, size: SizeSpec, audio: bool | None = None) -> bool:
        """True when this price covers ``size`` (and a video with or without sound)."""
        if self.audio is not None and audio is not None and self.audio != audio:
            return False
        if not self.sizes and not self.resolutions:
            return True
        return size.size in self.sizes or size.resolution in self.resolutions


@public
@attrs.frozen(kw_only=True)
class Lifecycle:
    """Whether a model can still be used, from the vendor's announcements.

    Attributes:
        status: ``active``, ``preview``, ``deprecated`` (still served, going away) or
            ``retired``.
        retired_on: the shutdown date. A deprecated model counts as retired from this date.
        replacement: the model the vendor points to, if any.
        source: where the dates come from.
        note: anything else worth saying.
    """

    status: str = "active"
    retired_on: dt.date | None = None
    replacement: str | None = None
    source: str | None = None
    note: str | None = None

    def is_retired(self, today: dt.date) -> bool:
        """True when the model is gone on ``today``."""
        if self.status == "retired":
            return True
        return self.retired_on is not None and self.retired_on <= today


@public
@attrs.frozen(kw_only=True)
class ModelSpec:
    """What one model accepts and costs.

    Attributes:
        id: the id sent on the wire.
        aliases: other ids (snapshots) that resolve to this entry.
        durations: the seconds it accepts.
        default_duration: used when the request gives none.
        sizes: the sizes it renders.
        default_size: used when the request gives no aspect or resolution.
        family: the underlying model, the same on every host (``veo-3.1-fast``), so one
            request compares it across vendors.
        reference: the forms it accepts a first frame in (``"file"``, ``"url"``); empty
            when it takes none.
        last_frame: the forms it accepts a last frame in; empty when it takes none.
        reference_images: the forms it accepts reference images (subject, style) in.
        max_reference_images: how many reference images one job may carry.
        reference_formats: accepted MIME types of reference images.
        reference_must_match_size: the reference must have the video's exact size.
        reference_max_bytes, reference_min_side, reference_aspect_range: limits on the
            reference image (the range is ``(min, max)`` of width/height).
        max_prompt_chars: the longest prompt it takes.
        max_variants: per resolution tier (``"default"`` for the rest).
        audio: whether it renders sound (None: not documented).
        audio_optional: whether sound can be switched on and off per request.
        negative_prompt: whether it takes a negative prompt.
        seed: whether it takes a seed.
        fps: the frame rate it renders at, where documented.
        wire: how the provider sends this model (endpoints, field names, value formats);
            free-form, read by the provider, which documents its keys.
        callbacks: whether it can POST the result to a per-request callback URL.
        lifecycle: whether it is still served.
        prices: its prices, by size.
        source: where the capabilities come from.
        notes: anything users should know.
        hints: per field and value, an explanation for a value users often get wrong.
    """

    id: str
    aliases: tuple[str, ...] = ()
    family: str | None = None
    description: str | None = None
    durations: tuple[int, ...]
    default_duration: int | None = None
    sizes: tuple[SizeSpec, ...]
    default_size: str | None = None
    reference: tuple[str, ...] = ()
    last_frame: tuple[str, ...] = ()
    reference_images: tuple[str, ...] = ()
    max_reference_images: int = 3
    reference_formats: tuple[str, ...] = ("image/jpeg", "image/png", "image/webp")
    reference_must_match_size: bool = False
    reference_max_bytes: int | None = None
    reference_min_side: int | None = None
    reference_aspect_range: tuple[float, float] | None = None
    max_prompt_chars: int | None = None
    max_variants: Mapping[str, int] = attrs.field(factory=lambda: {"default": 1}, hash=False)
    audio: bool | None = None
    audio_optional: bool = False
    negative_prompt: bool = False
    seed: bool = False
    fps: int | None = None
    wire: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    callbacks: bool = False
    lifecycle: Lifecycle = attrs.field(factory=Lifecycle)
    prices: tuple[Price, ...] = ()
    source: str | None = None
    notes: tuple[str, ...] = ()
    hints: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict, hash=False)

    def __attrs_post_init__(self) -> None:
        if not self.id or not isinstance(self.id, str):
            raise InvalidInput("every model needs an id", param="id")
        if not self.durations:
            raise InvalidInput(f"model {self.id!r} lists no durations", param="durations")
        bad = [d for d in self.durations if isinstance(d, bool) or d <= 0]
        if bad:
            raise InvalidInput(
                f"model {self.id!r}: durations must be whole seconds above 0, not {bad[0]!r}",
                param="durations",
            )
        if not self.sizes:
            raise InvalidInput(f"model {self.id!r} lists no sizes", param="sizes")
        for name in ("max_prompt_chars", "reference_max_bytes", "reference_min_side"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise InvalidInput(
                    f"model {self.id!r}: {name} must be above 0, not {value}", param=name
                )
        limits = {k: v for k, v in self.max_variants.items() if v < 1}
        if limits:
            raise InvalidInput(
                f"model {self.id!r}: max_variants must be 1 or more, not {limits}",
                param="max_variants",
            )
        if self.default_duration is None:
            object.__setattr__(self, "default_duration", min(self.durations))
        elif self.default_duration not in self.durations:
            raise InvalidInput(
                f"model {self.id!r}: default_duration is not one of its durations",
                param="default_duration",
            )
        if self.default_size is None:
            object.__setattr__(self, "default_size", self.sizes[0].size)
        elif self.default_size not in {s.size for s in self.sizes}:
            raise InvalidInput(
                f"model {self.id!r}: default_size is not one of its sizes", param="default_size"
            )
        if self.lifecycle.status not in LIFECYCLE_STATUSES:
            raise InvalidInput(
                f"model {self.id!r}: lifecycle status {self.lifecycle.status!r} is not one of "
                + ", ".join(LIFECYCLE_STATUSES),
                param="lifecycle",
            )
        for field in ("reference", "last_frame", "reference_images"):
            for form in getattr(self, field):
                if form not in REFERENCE_FORMS:
                    raise InvalidInput(
                        f"model {self.id!r}: {field} form {form!r} is not file or url",
                        param=field,
                    )
        if self.max_reference_images < 0:
            raise InvalidInput(
                f"model {self.id!r}: max_reference_images must be 0 or more",
                param="max_reference_images",
            )

    def size_spec(self, size: str) -> SizeSpec | None:
        """The entry for ``size``, if the model renders it."""
        return next((s for s in self.sizes if s.size == size), None)

    def price_for(self, size: SizeSpec, audio: bool | None = None) -> Price | None:
        """The first price that covers ``size`` (with or without sound)."""
        return next((p for p in self.prices if p.applies_to(size, audio)), None)

    def matches(self, name: str) -> bool:
        """True when ``name`` is this model's id, one of its aliases, or its family."""
        return name == self.id or name in self.aliases or name == self.family

    def variants_limit(self, resolution: str) -> int:
        """The most variants one job may ask for at ``resolution``."""
        return self.max_variants.get(resolution, self.max_variants.get("default", 1))

    def hint(self, field: str, value: Any) -> str | None:
        """The catalog's explanation for a value users often get wrong, if any.

        A hint keyed ``"*"`` applies to every value of the field.
        """
        hints = self.hints.get(field, {})
        return hints.get(str(value)) or hints.get("*")

    def is_retired(self, today: dt.date) -> bool:
        """True when the lifecycle data says the model is gone on ``today``."""
        return self.lifecycle.is_retired(today)


@public
@attrs.frozen(kw_only=True)
class Catalog:
    """The models of one provider (or profile)."""

    provider: str
    models: tuple[ModelSpec, ...] = ()
    default_model: str | None = None

    def get(self, model: str) -> ModelSpec | None:
        """The entry for ``model``: an id or alias first, else the first of its family."""
        for spec in self.models:
            if spec.id == model or model in spec.aliases:
                return spec
        return next((spec for spec in self.models if spec.family == model), None)

    @property
    def ids(self) -> tuple[str, ...]:
        """The model ids, in catalog order."""
        return tuple(spec.id for spec in self.models)


# -- loading -------------------------------------------------------------------------------


def _decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, float):
        raise ValueError(f'write prices as strings, e.g. "{value}", so they stay exact')
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None


def _date(value: Any, _: type) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _size_spec(value: Any, _: type) -> SizeSpec:
    if isinstance(value, str):
        return SizeSpec.from_size(value)
    if isinstance(value, Mapping):
        derived = SizeSpec.from_size(value["size"])
        return SizeSpec(
            size=derived.size,
            aspect=normalize_aspect(value.get("aspect", derived.aspect)),
            resolution=normalize_resolution(value.get("resolution", derived.resolution)),
        )
    raise ValueError(f"a size is 'WIDTHxHEIGHT' or a table with 'size', got {value!r}")


def _int(value: Any, _: type) -> int:
    # cattrs would take int(value): 4.5 becomes 4 and "12" becomes 12 without a word.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not a whole number")
    return value


def _bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is not true or false")
    return value


def _variants(value: Any, _: type) -> Mapping[str, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return {"default": value}
    if isinstance(value, Mapping):
        return {str(k): _int(v, int) for k, v in value.items()}
    raise ValueError("max_variants is a number or a table of numbers by resolution")


def _is_tuple(type_: Any) -> bool:
    return typing.get_origin(type_) is tuple


def _tuple_hook(converter: cattrs.Converter) -> Any:
    def structure(value: Any, type_: Any) -> tuple[Any, ...]:
        # A string is iterable: durations = "12" would become (1, 2) without this.
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{value!r} is not a list; write a list, e.g. [4, 8]")
        args = typing.get_args(type_)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(converter.structure(item, args[0]) for item in value)
        if len(args) != len(value):
            raise ValueError(f"{list(value)!r} must be a list of {len(args)} values")
        return tuple(converter.structure(item, arg) for item, arg in zip(value, args, strict=True))

    return structure


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(Decimal, _decimal)
    converter.register_structure_hook(dt.date, _date)
    converter.register_structure_hook(int, _int)
    converter.register_structure_hook(bool, _bool)
    converter.register_structure_hook(SizeSpec, _size_spec)
    converter.register_structure_hook_func(lambda t: t == Mapping[str, int], _variants)
    converter.register_structure_hook_func(_is_tuple, _tuple_hook(converter))
    return converter


_converter: cattrs.Converter | None = None


def _catalog_converter() -> cattrs.Converter:
    global _converter
    if _converter is None:
        _converter = _make_converter()
    return _converter


def _format_error(exc: BaseException, type_: type | None) -> str:
    # Our hooks and ModelSpec raise ValueErrors that say what to fix; cattrs' default
    # formatter would replace them with a bare "invalid value".
    if isinstance(exc, ValueError) and str(exc):
        return str(exc)
    return cattrs.v.format_exception(exc, type_)


def _describe(exc: Exception) -> str:
    if not isinstance(exc, cattrs.BaseValidationError):
        return str(exc)
    lines = []
    for line in cattrs.transform_error(exc, format_exception=_format_error):
        # cattrs says "message @ $.field"; people read "field: message".
        message, _, path = line.rpartition(" @ $")
        path = path.lstrip(".")
        lines.append(f"{path}: {message}" if message and path else message or line)
    return "; ".join(lines)


def _model_from_config(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Config models may give one price inline: ``price_per_second = "0.15"``."""
    entry = dict(raw)
    inline = {key: entry.pop(key) for key in list(entry) if key.startswith("price_")}
    currency = entry.pop("currency", None)
    if inline or currency:
        price: dict[str, Any] = {}
        for key, value in inline.items():
            name = key.removeprefix("price_")
            price[name] = value
        if currency:
            price["currency"] = currency
        entry["prices"] = [price]
    return entry


def load_catalog(
    raw: Mapping[str, Any],
    *,
    provider: str,
    extra_models: Iterable[Mapping[str, Any]] = (),
    where: str = "catalog",
) -> Catalog:
    """Build a `Catalog` from parsed TOML, with models from config merged in.

    Args:
        raw: the parsed ``catalog.toml`` (may be empty).
        provider: the provider name the catalog belongs to.
        extra_models: model tables from a config profile. One with a shipped id overrides
            the fields it gives; a new id adds a model.
        where: names the source in error messages.

    Raises:
        ConfigError: a model entry is malformed.
    """
    entries: list[dict[str, Any]] = [dict(m) for m in raw.get("models", ())]
    _refuse_duplicates(entries, where)
    extras: list[dict[str, Any]] = []
    for extra in extra_models:
        entry = _model_from_config(extra)
        model_id = entry.get("id")
        if not model_id or not isinstance(model_id, str):
            raise ConfigError(f"{where}: every model needs an 'id'")
        extras.append(entry)
    # Within one list an id may appear once; a profile's model may still override a
    # shipped one of the same id (that is how prices are corrected).
    _refuse_duplicates(extras, where)
    for entry in extras:
        model_id = entry["id"]
        existing = next(
            (e for e in entries if model_id == e.get("id") or model_id in e.get("aliases", ())),
            None,
        )
        if existing is not None:
            entry["id"] = existing["id"]  # an override by alias changes the shipped entry
            existing.update(copy.deepcopy(entry))
        else:
            entries.append(entry)
    models = []
    for entry in entries:
        try:
            models.append(_catalog_converter().structure(entry, ModelSpec))
        except (ValueError, TypeError, KeyError, cattrs.BaseValidationError) as exc:
            name = entry.get("id", "?")
            detail = _describe(exc).removeprefix(f"model {name!r}: ")
            raise ConfigError(f"{where}: model {name!r} is malformed: {detail}") from exc
    default = raw.get("default_model")
    if default is None and models:
        default = models[0].id
    return Catalog(provider=provider, models=tuple(models), default_model=default)


def _names(entry: Mapping[str, Any]) -> list[str]:
    aliases = entry.get("aliases", ())
    names = [entry.get("id")]
    if isinstance(aliases, (list, tuple)):
        names += list(aliases)
    return [name for name in names if isinstance(name, str)]


def _refuse_duplicates(entries: Sequence[Mapping[str, Any]], where: str) -> None:
    """Two entries of one list with the same id (or alias) would silently shadow one another."""
    seen: dict[str, str] = {}
    for entry in entries:
        for name in _names(entry):
            if name in seen:
                first = seen[name]
                what = f"model {name!r}" if first == name else f"{name!r} (an alias of {first!r})"
                raise ConfigError(
                    f"{where}: {what} is listed twice; keep one entry per model id "
                    "(the second would silently replace the first)"
                )
            seen[name] = str(entry.get("id"))


def _loads(text: str) -> dict[str, Any]:
    # Imported on first use: the parser is only needed when a catalog or config is read.
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads(text)
    import tomli  # pragma: no cover - Python 3.10

    data: dict[str, Any] = tomli.loads(text)  # pragma: no cover
    return data  # pragma: no cover


def read_catalog_resource(package: str, name: str = "catalog.toml") -> dict[str, Any]:
    """Parse a TOML file shipped inside a package (a provider's ``catalog.toml``)."""
    from importlib import resources  # only when a catalog is first read

    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    return _loads(text)


def parse_toml(text: str) -> dict[str, Any]:
    """Parse TOML text (``tomllib``, or ``tomli`` on Python 3.10)."""
    return _loads(text)


def model_ids(models: Sequence[ModelSpec]) -> str:
    """``"a, b, c"`` for messages."""
    return ", ".join(spec.id for spec in models)
