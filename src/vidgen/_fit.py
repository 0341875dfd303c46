"""Fitting a neutral request to one model's catalog entry, and pricing the result.

``strict`` refuses anything the model cannot do as asked; ``nearest`` moves each field to
the closest value the model supports and records every move as a warning and an
`Adjustment`. Some things are refused under both policies because no adjustment can make
them right: an unknown model, a retired model, a prompt that is too long, a reference
image the model cannot take.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any, Literal

from ._catalog import Catalog, ModelSpec, SizeSpec
from ._clock import system_clock
from ._clock import today as today_on
from ._exceptions import ConfigError, ModelRetired, UnsupportedRequest
from ._reference import Reference
from ._request import Adjustment, Fitted, Quote, VideoRequest
from ._sizes import aspect_distance, aspect_of, resolution_pixels
from .media._images import ImageFitPolicy

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
                fix = (
                    "submit the request and vidgen fetches the URL first (to see that plan, "
                    "plan client.fetch_references(request)), or pass Reference.from_path(...)"
                )
            self.refuse(
                "reference",
                form,
                forms,
                f"it takes the reference image only as a {forms[0]}; {fix}",
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

    def _fix_mode(self) -> ImageFitPolicy | None:
        """How an image may be changed to fit: as the request says, else by the policy."""
        asked = self.request.reference_fit
        if asked == "strict":
            return None
        if asked == "pad":
            return "pad"
        if asked == "crop" or self.policy == "nearest":
            return "crop"
        return None

    def frame(self, name: str, image: Reference | None, size: SizeSpec | None) -> Reference | None:
        """The image to send as ``name``: as given, or fitted to the model (and reported).

        A first or last frame must have the video's size where the model says so; every
        image must be in a format the model takes and under its byte limit. What can be
        fixed (crop or pad to size, convert, recompress) is fixed when the request's
        ``reference_fit`` or the ``nearest`` policy allows it, and refused otherwise.
        """
        if image is None:
            return None
        spec = self.spec
        label = {"reference": "reference image", "references": "reference image"}.get(
            name, name.replace("_", " ")
        )
        problems: list[tuple[Any, Sequence[Any], str]] = []
        if (
            size is not None
            and spec.reference_must_match_size
            and image.size not in (None, size.size)
        ):
            problems.append(
                (
                    image.size,
                    [size.size],
                    f"the {label} is {image.size} but the video will be {size.size}, and the "
                    "frame must match the video exactly",
                )
            )
        if image.mime is not None and image.mime not in spec.reference_formats:
            problems.append(
                (
                    image.mime,
                    spec.reference_formats,
                    f"the {label} is {image.mime}; it takes {_join(spec.reference_formats)}",
                )
            )
        limit = spec.reference_max_bytes
        if image.data is not None and limit is not None and len(image.data) > limit:
            problems.append(
                (
                    len(image.data),
                    [limit],
                    f"the {label} is {len(image.data)} bytes; the limit is {limit}",
                )
            )
        if not problems:
            return image
        value, supported, _ = problems[0]
        said = "; ".join(message for _, _, message in problems)
        mode = self._fix_mode()
        if mode is None or image.data is None:
            if image.data is None:
                fix = "download it and pass Reference.from_path(...)"
            else:
                fix = "pass reference_fit='crop' or 'pad' (or use the nearest policy) to let vidgen fit it"
                if size is not None and spec.reference_must_match_size:
                    fix += f", or resize the image to {size.size}"
            self.refuse(name, value, supported, f"{said}. To send it, {fix}")
        from .media import fit_image  # Pillow, on first use

        target = None
        if size is not None and spec.reference_must_match_size:
            width, height = (int(part) for part in size.size.split("x"))
            target = (width, height)
        try:
            fitted = fit_image(
                image.data,  # type: ignore[arg-type]
                mime=image.mime,
                size=target,
                policy=mode,  # type: ignore[arg-type]
                formats=spec.reference_formats,
                max_bytes=limit,
            )
        except (ValueError, ConfigError) as exc:
            self.refuse(name, value, supported, f"{said}, and it cannot be fitted: {exc}")
        for change in fitted.changes:
            self.adjust(name, value, f"{fitted.width}x{fitted.height} {fitted.mime}", change)
        return Reference.from_bytes(fitted.data, filename=image.filename)

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

    def frames(self) -> None:
        """The last frame and reference images: whether the model takes them, and how."""
        request, spec = self.request, self.spec
        for name, image, forms in (("last_frame", request.last_frame, spec.last_frame),):
            if image is None:
                continue
            if not forms:
                self.refuse(
                    name, "image", [], f"it takes no {name.replace('_', ' ')}; leave {name} unset"
                )
            self._check_image(name, image, forms)
        if request.references:
            forms = spec.reference_images
            if not forms:
                self.refuse(
                    "references",
                    len(request.references),
                    [],
                    "it takes no reference images; leave references unset",
                )
            limit = spec.max_reference_images
            if len(request.references) > limit:
                self.refuse(
                    "references",
                    len(request.references),
                    list(range(limit + 1)),
                    f"{len(request.references)} reference images given; it takes at most {limit}",
                )
            for image in request.references:
                self._check_image("references", image, forms)

    def _check_image(self, name: str, image: Reference, forms: Sequence[str]) -> None:
        form = "url" if image.is_url else "file"
        if form not in forms:
            fix = (
                "host the image and pass Reference.from_url(...)"
                if form == "file"
                else "download the image and pass Reference.from_path(...)"
            )
            self.refuse(
                name,
                form,
                forms,
                f"it takes the {name.replace('_', ' ')} only as a {forms[0]}; {fix}",
            )
        if image.mime is not None and image.mime not in self.spec.reference_formats:
            self.refuse(
                name,
                image.mime,
                self.spec.reference_formats,
                f"the {name.replace('_', ' ')} is {image.mime}; it takes "
                f"{_join(self.spec.reference_formats)}",
            )

    def audio(self) -> bool | None:
        """Sound on or off, as asked where the model can; otherwise what it renders."""
        asked, spec = self.request.audio, self.spec
        if spec.audio is None:
            if asked is not None:
                self.warnings.append(
                    f"the catalog does not say whether {spec.id} renders sound; audio={asked} "
                    "is sent where the provider has a field for it"
                )
            return asked
        if asked is None or asked == spec.audio or spec.audio_optional:
            return spec.audio if asked is None else asked
        what = "always renders sound" if spec.audio else "renders no sound"
        self.refuse_or_adjust("audio", asked, spec.audio, f"it {what}")
        return spec.audio

    def negative_prompt(self) -> str | None:
        text = self.request.negative_prompt
        if text is None or self.spec.negative_prompt:
            return text
        self.refuse_or_adjust("negative_prompt", text, None, "it takes no negative prompt")
        return None

    def seed(self) -> int | None:
        seed = self.request.seed
        if seed is None or self.spec.seed:
            return seed
        self.refuse_or_adjust("seed", seed, None, "it takes no seed")
        return None

    def refuse_or_adjust(self, field: str, asked: Any, sent: Any, reason: str) -> None:
        """Refuse under strict; otherwise send ``sent`` instead and say so."""
        if self.policy == "strict":
            self.refuse(field, asked, [] if sent is None else [sent], reason)
        self.adjust(field, asked, sent, reason)

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
    fitter.frames()
    size = fitter.size()
    reference = fitter.frame("reference", request.reference, size)
    last_frame = fitter.frame("last_frame", request.last_frame, size)
    references = tuple(
        fitted_image
        for image in request.references
        if (fitted_image := fitter.frame("references", image, None)) is not None
    )
    variants = fitter.variants(size)
    audio = fitter.audio()
    negative_prompt = fitter.negative_prompt()
    seed = fitter.seed()
    callback_url = fitter.callback()
    # An alias (a snapshot id) is sent as asked; a family name becomes this vendor's id.
    asked = request.model
    model = asked if asked is not None and (asked == spec.id or asked in spec.aliases) else spec.id
    return Fitted(
        request=request,
        provider=provider,
        model=model,
        size=size.size,
        seconds=seconds,
        aspect=size.aspect,
        resolution=size.resolution,
        variants=variants,
        reference=reference,
        last_frame=last_frame,
        references=references,
        audio=audio,
        negative_prompt=negative_prompt,
        seed=seed,
        callback_url=callback_url,
        warnings=(*warnings, *fitter.warnings),
        adjustments=tuple(fitter.adjustments),
        options=options,
        spec=spec,
    )


def quote_fitted(fitted: Fitted) -> Quote:
    """Price a fitted request from its model's catalog entry.

    An unknown price gives a `Quote` with ``amount=None``, never zero. A per-token price
    is quoted from the tokens the request implies, and the quote's note says how.
    """
    spec = fitted.spec
    size = spec.size_spec(fitted.size)
    billed = fitted.seconds * fitted.variants
    price = spec.price_for(size, fitted.audio) if size is not None else None
    if price is None or not price.known:
        return Quote(
            amount=None,
            currency=price.currency if price else None,
            unit_price=None,
            billed_seconds=billed,
            source=price.source if price else None,
            as_of=price.as_of if price else None,
            note=(price.note if price and price.note else "no published price for this model/size"),
        )
    note = price.note
    if price.per_second is not None:
        amount = price.per_second * billed
        unit_price, unit = price.per_second, "second"
    elif price.per_video is not None:
        amount = price.per_video * fitted.variants
        unit_price, unit = price.per_video, "video"
    else:
        assert price.per_million_tokens is not None
        fps = price.token_fps
        tokens = math.ceil(fitted.width * fitted.height * (fps * fitted.seconds + 1) / 1024)
        amount = price.per_million_tokens * tokens * fitted.variants / 1_000_000
        unit_price, unit = price.per_million_tokens, "million tokens"
        estimate = (
            f"estimated {tokens * fitted.variants:,} tokens ({fitted.width}x{fitted.height} x "
            f"({fps} fps x {fitted.seconds} s + 1) / 1024"
            + (f" x {fitted.variants} videos" if fitted.variants > 1 else "")
            + "); the provider bills the tokens it counts"
        )
        note = f"{estimate}. {note}" if note else estimate
    return Quote(
        amount=Decimal(amount),
        currency=price.currency,
        unit_price=unit_price,
        unit=unit,
        billed_seconds=billed,
        source=price.source,
        as_of=price.as_of,
        note=note,
    )
