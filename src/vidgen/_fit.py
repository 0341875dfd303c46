"""Fitting a neutral request to one model's catalog entry, and pricing the result.

``strict`` refuses anything the model cannot do as asked; ``nearest`` moves each field to
the closest value the model supports and records every move as a warning and an
`Adjustment`. Some things are refused under both policies because no adjustment can make
them right: an unknown model, a retired model, a prompt that is too long, a reference
image the model cannot take.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any, Literal

from ._catalog import Catalog, ModelSpec, SizeSpec
from ._clock import system_clock
from ._clock import today as today_on
from ._exceptions import ModelRetired, UnsupportedRequest
from ._request import Adjustment, Fitted, Quote, VideoRequest
from ._sizes import aspect_distance, aspect_of, resolution_pixels

__all__ = ["POLICIES", "fit_request", "quote_fitted"]

Policy = Literal["strict", "nearest"]
POLICIES = ("strict", "nearest")


def _join(values: Sequence[Any]) -> str:
    return ", ".join(str(v) for v in values)


class _Fitter:
    def __init__(
        self,
        spec: ModelSpec,
        request: VideoRequest,
        provider: str,
        policy: str,
        where: str | None = None,
    ) -> None:
        self.spec = spec
        self.request = request
        self.provider = provider
        self.where = where or provider
        self.policy = policy
        self.warnings: list[str] = []
        self.adjustments: list[Adjustment] = []

    def refuse(self, param: str, value: Any, supported: Sequence[Any], message: str) -> None:
        hint = self.spec.hint(param, value)
        if hint:
            message = f"{message}. {hint}"
        raise UnsupportedRequest(
            f"{self.where} model {self.spec.id}: {message}",
            param=param,
            value=value,
            supported=supported,
            provider=self.provider,
            model=self.spec.id,
        )

    def adjust(self, field: str, requested: Any, sent: Any, reason: str) -> None:
        self.adjustments.append(
            Adjustment(field=field, requested=requested, sent=sent, reason=reason)
        )
        hint = self.spec.hint(field, requested)
        text = f"{field} {requested!r} changed to {sent!r}: {reason}"
        self.warnings.append(f"{text}. {hint}" if hint else text)

    # -- fields ----------------------------------------------------------------------

    def prompt(self) -> None:
        limit = self.spec.max_prompt_chars
        length = len(self.request.prompt)
        if limit is not None and length > limit:
            self.refuse(
                "prompt",
                length,
                [limit],
                f"the prompt has {length} characters; the limit is {limit}. Shorten it",
            )

    def duration(self) -> int:
        asked = self.request.duration
        durations = self.spec.durations
        if asked is None:
            assert self.spec.default_duration is not None
            return self.spec.default_duration
        if asked in durations:
            return asked
        supported = f"supported durations are {_join(durations)} seconds"
        if self.policy == "strict":
            self.refuse("duration", asked, durations, f"{asked} s is not offered; {supported}")
        # Nearest; on a tie the longer one, so the video is not shorter than asked.
        chosen = min(durations, key=lambda d: (abs(d - asked), -d))
        self.adjust("duration", asked, chosen, f"{supported}")
        return chosen

    def size(self) -> SizeSpec:
        spec = self.spec
        request = self.request
        reference = request.reference
        default = spec.size_spec(spec.default_size or spec.sizes[0].size)
        assert default is not None
        aspects = sorted({s.aspect for s in spec.sizes})

        aspect = request.aspect
        if aspect is None and reference is not None and reference.size is not None:
            # The first frame fixes the shape of the video.
            assert reference.width is not None
            assert reference.height is not None
            aspect = aspect_of(reference.width, reference.height)
        if aspect is None:
            aspect = default.aspect
        wanted_aspect: str = aspect
        if aspect not in aspects:
            offered = ", ".join(self._combos())
            if self.policy == "strict":
                where = (
                    ""
                    if request.aspect
                    else " (the reference image's shape; pass aspect= to choose)"
                )
                self.refuse(
                    "aspect",
                    aspect,
                    aspects,
                    f"aspect {aspect}{where} is not offered; it renders {offered}",
                )
            chosen_aspect = min(aspects, key=lambda a: aspect_distance(a, wanted_aspect))
            self.adjust("aspect", aspect, chosen_aspect, f"the model renders {offered}")
            aspect = chosen_aspect

        same_aspect = [s for s in spec.sizes if s.aspect == aspect]
        resolution = request.resolution
        if resolution is None:
            if reference is not None and reference.size is not None:
                match = next((s for s in same_aspect if s.size == reference.size), None)
                if match is not None:
                    return match
            if default.aspect == aspect:
                return default
            # The default's tier at the asked aspect, else the smallest there.
            tier = next((s for s in same_aspect if s.resolution == default.resolution), None)
            return tier or min(same_aspect, key=lambda s: resolution_pixels(s.resolution))
        exact = next((s for s in same_aspect if s.resolution == resolution), None)
        if exact is not None:
            return exact
        tiers = sorted({s.resolution for s in same_aspect}, key=resolution_pixels)
        offered = ", ".join(self._combos())
        if self.policy == "strict":
            self.refuse(
                "resolution",
                resolution,
                tiers,
                f"{resolution} at {aspect} is not offered; it renders {offered}",
            )
        wanted = resolution_pixels(resolution)
        # Nearest tier; on a tie the lower one (cheaper, and always at least as available).
        chosen = min(
            same_aspect,
            key=lambda s: (
                abs(resolution_pixels(s.resolution) - wanted),
                resolution_pixels(s.resolution),
            ),
        )
        self.adjust("resolution", resolution, chosen.resolution, f"the model renders {offered}")
        return chosen

    def _combos(self) -> list[str]:
        return [f"{s.aspect} at {s.resolution} ({s.size})" for s in self.spec.sizes]

    def reference(self) -> None:
        """Checks on the image itself, before the size is chosen."""
        reference = self.request.reference
        if reference is None:
            return
        spec = self.spec
        forms = spec.reference
        if not forms:
            self.refuse(
                "reference", "image", [], "it takes no reference image; leave reference unset"
            )
        form = "url" if reference.is_url else "file"
        if form not in forms:
            if form == "file":
                fix = "host the image and pass Reference.from_url(...)"
            else:
                fix = "download the image and pass Reference.from_path(...)"
            self.refuse(
                "reference",
                form,
                forms,
                f"it takes the reference image only as a {forms[0]}; {fix}",
            )
        if reference.mime is not None and reference.mime not in spec.reference_formats:
            self.refuse(
                "reference",
                reference.mime,
                spec.reference_formats,
                f"the reference image is {reference.mime}; it takes {_join(spec.reference_formats)}",
            )
        limit = spec.reference_max_bytes
        if reference.data is not None and limit is not None and len(reference.data) > limit:
            self.refuse(
                "reference",
                len(reference.data),
                [spec.reference_max_bytes],
                f"the reference image is {len(reference.data)} bytes; "
                f"the limit is {spec.reference_max_bytes}. Compress or shrink it",
            )
        if reference.width is None or reference.height is None:
            return
        if spec.reference_min_side is not None:
            short = min(reference.width, reference.height)
            if short < spec.reference_min_side:
                self.refuse(
                    "reference",
                    reference.size,
                    [spec.reference_min_side],
                    f"the reference image is {reference.size}; its short side must be at least "
                    f"{spec.reference_min_side} px",
                )
        if spec.reference_aspect_range is not None:
            low, high = spec.reference_aspect_range
            ratio = reference.width / reference.height
            if not low <= ratio <= high:
                self.refuse(
                    "reference",
                    reference.size,
                    [low, high],
                    f"the reference image is {reference.size} (width/height {ratio:.2f}); "
                    f"it must be between {low:g} and {high:g}",
                )

    def reference_fits(self, size: SizeSpec) -> None:
        """The image against the chosen size."""
        reference = self.request.reference
        if reference is None or reference.size is None:
            return
        if self.spec.reference_must_match_size and reference.size != size.size:
            self.refuse(
                "reference",
                reference.size,
                [size.size],
                f"the reference image is {reference.size} but the video will be {size.size}, "
                f"and the first frame must match the video exactly; resize the image to "
                f"{size.size} or ask for the aspect and resolution of the image",
            )

    def variants(self, size: SizeSpec) -> int:
        asked = self.request.variants
        limit = self.spec.variants_limit(size.resolution)
        if asked <= limit:
            return asked
        message = f"it renders at most {limit} variant(s) per job at {size.resolution}"
        if self.policy == "strict":
            self.refuse("variants", asked, list(range(1, limit + 1)), message)
        self.adjust("variants", asked, limit, message)
        return limit

    def callback(self) -> str | None:
        url = self.request.callback_url
        if url is None or self.spec.callbacks:
            return url
        message = f"{self.where} has no per-request callbacks; poll with wait() instead"
        if self.policy == "strict":
            self.refuse("callback_url", url, [], message)
        self.adjust("callback_url", url, None, message)
        return None

    def options(self, reserved: Collection[str]) -> dict[str, Any]:
        options = dict(self.request.provider_options.get(self.provider, {}))
        clash = sorted(set(options) & set(reserved))
        if clash:
            name = clash[0]
            self.refuse(
                f"provider_options.{self.provider}.{name}",
                options[name],
                [],
                f"{name!r} is set by vidgen from the request; set it through VideoRequest "
                f"(prompt, duration, aspect, resolution, reference, model) instead",
            )
        return options


def resolve_model(
    catalog: Catalog, request: VideoRequest, provider: str, profile: str | None = None
) -> ModelSpec:
    """The catalog entry for the request's model (or the default).

    Raises:
        UnsupportedRequest: the model is unknown, or the catalog is empty.
    """
    model = request.model or catalog.default_model
    where = profile or provider
    tables = f"[[profiles.{profile or 'NAME'}.models]]"
    if model is None:
        raise UnsupportedRequest(
            f"{where} has no models in its catalog; declare them in the profile's {tables} tables",
            param="model",
            provider=provider,
        )
    spec = catalog.get(model)
    if spec is None:
        raise UnsupportedRequest(
            f"{where} has no model {model!r}; it offers {_join(catalog.ids) or 'none'}. "
            f"Add it to the profile's {tables} if the provider serves it",
            param="model",
            value=model,
            supported=catalog.ids,
            provider=provider,
        )
    return spec


def fit_request(
    catalog: Catalog,
    request: VideoRequest,
    *,
    provider: str,
    policy: str = "strict",
    allow_retired: bool = False,
    today: dt.date | None = None,
    reserved_options: Collection[str] = (),
    profile: str | None = None,
) -> Fitted:
    """Fit ``request`` to the model it names (or the catalog's default).

    Args:
        catalog: the provider's catalog.
        request: what the user asked for.
        provider: the provider's name, for messages and ``provider_options``.
        policy: ``"strict"`` or ``"nearest"``.
        allow_retired: fit a retired model anyway (with a warning).
        today: the date lifecycle data is checked against; the current UTC date if None.
        reserved_options: wire fields vidgen sets, which ``provider_options`` may not set.
        profile: the config profile the provider was set up from; messages name it, since
            that is the name the user gave.

    Returns:
        The fitted request.

    Raises:
        UnsupportedRequest: the model cannot serve the request (under this policy).
        ModelRetired: the model is retired and ``allow_retired`` is False.
        ValueError: ``policy`` is not one of the two policies.
    """
    if policy not in POLICIES:
        raise ValueError(f"policy must be 'strict' or 'nearest', not {policy!r}")
    spec = resolve_model(catalog, request, provider, profile)
    where = profile or provider
    warnings: list[str] = []
    today = today or today_on(system_clock)
    life = spec.lifecycle
    if spec.is_retired(today):
        when = f" on {life.retired_on.isoformat()}" if life.retired_on else ""
        instead = f"; use {life.replacement} instead" if life.replacement else ""
        if not allow_retired:
            message = f"{where} model {spec.id} was retired{when}{instead}"
            if life.note:
                message += f". {life.note}"
            raise ModelRetired(
                message
                + ". Pass allow_retired=True (--allow-retired) if your endpoint still serves it",
                model=spec.id,
                provider=provider,
                retired_on=life.retired_on,
                replacement=life.replacement,
                source=life.source,
            )
        warnings.append(f"{spec.id} was retired{when}{instead}; sent anyway (allow_retired)")
    elif life.retired_on is not None:
        warnings.append(f"{spec.id} shuts down on {life.retired_on.isoformat()}")
    elif life.status == "deprecated":
        warnings.append(f"{spec.id} is deprecated" + (f": {life.note}" if life.note else ""))

    fitter = _Fitter(spec, request, provider, policy, where)
    fitter.prompt()
    options = fitter.options(reserved_options)
    seconds = fitter.duration()
    fitter.reference()
    size = fitter.size()
    fitter.reference_fits(size)
    variants = fitter.variants(size)
    callback_url = fitter.callback()
    model = request.model or spec.id
    return Fitted(
        request=request,
        provider=provider,
        model=model,
        size=size.size,
        seconds=seconds,
        aspect=size.aspect,
        resolution=size.resolution,
        variants=variants,
        callback_url=callback_url,
        warnings=(*warnings, *fitter.warnings),
        adjustments=tuple(fitter.adjustments),
        options=options,
        spec=spec,
    )


def quote_fitted(fitted: Fitted) -> Quote:
    """Price a fitted request from its model's catalog entry.

    An unknown price gives a `Quote` with ``amount=None``, never zero.
    """
    spec = fitted.spec
    size = spec.size_spec(fitted.size)
    billed = fitted.seconds * fitted.variants
    price = spec.price_for(size) if size is not None else None
    if price is None or (price.per_second is None and price.per_video is None):
        return Quote(
            amount=None,
            currency=price.currency if price else None,
            unit_price=None,
            billed_seconds=billed,
            source=price.source if price else None,
            as_of=price.as_of if price else None,
            note=(price.note if price and price.note else "no published price for this model/size"),
        )
    if price.per_second is not None:
        amount = price.per_second * billed
        unit_price, unit = price.per_second, "second"
    else:
        assert price.per_video is not None
        amount = price.per_video * fitted.variants
        unit_price, unit = price.per_video, "video"
    return Quote(
        amount=Decimal(amount),
        currency=price.currency,
        unit_price=unit_price,
        unit=unit,
        billed_seconds=billed,
        source=price.source,
        as_of=price.as_of,
        note=price.note,
    )
