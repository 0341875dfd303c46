"""One model's input, described as data: the ``wire`` table of a hosted model's catalog entry.

A host such as fal or Replicate serves each model with its own input schema. The catalog
entry of a model (shipped, or added by a user in ``vidgen.toml``) describes it::

    [models.wire]
    text_to_video = "fal-ai/veo3.1"                  # where a request without a first frame goes
    image_to_video = "fal-ai/veo3.1/image-to-video"  # where a request with a first frame goes
    reference_to_video = "fal-ai/veo3.1/reference-to-video"   # optional: reference images only

    [models.wire.fields]
    prompt = "prompt"                                # the field name (this one is the default)
    duration = { name = "duration", format = "{seconds}s" }          # "8s"
    aspect = { name = "aspect_ratio", modes = ["text"] }             # not sent with a first frame
    resolution = { name = "resolution", values = { "2160p" = "4k" } }
    audio = "generate_audio"
    first_frame = "image_url"
    last_frame = { name = "end_image_url", modes = ["image"] }
    negative_prompt = "negative_prompt"
    seed = "seed"

    [models.wire.extra]                              # constant fields, sent every time
    auto_fix = false

Endpoints. ``text_to_video``, ``image_to_video`` and ``reference_to_video`` name what the
provider sends to (a fal endpoint id, a Replicate model or version). A request with a first
frame uses ``image_to_video``; one with reference images and no first frame uses
``reference_to_video`` when it is given; every other request uses ``text_to_video``. Each
defaults to the one before it (``text_to_video`` to the model id); ``false`` says the model
has no such endpoint (an image-to-video-only model sets ``text_to_video = false``).

Fields. The keys of ``[wire.fields]`` are vidgen's neutral fields:

=================  ============================  ===========================================
field              value                         default wire format
=================  ============================  ===========================================
prompt             the prompt                    text (the field defaults to ``prompt``)
duration           the fitted seconds            ``{seconds}`` as an int
aspect             the fitted aspect, ``16:9``   ``{aspect}``
resolution         the fitted tier, ``720p``     ``{resolution}``
size               the fitted size               ``{width}x{height}``
audio              sound on or off               a JSON bool
first_frame        the first frame               its URL, or a ``data:`` URL for bytes
last_frame         the last frame                as first_frame
reference_images   the reference images          a list of URLs / ``data:`` URLs
negative_prompt    the negative prompt           text
seed               the seed                      an int
=================  ============================  ===========================================

A field is a name (``"aspect_ratio"``; dots nest: ``"video.duration"``) or a table:

* ``name``: the wire field.
* ``format`` (duration, aspect, resolution and size only): a template. Placeholders are
  ``{seconds}``, ``{width}``, ``{height}``, ``{size}`` (``1280x720``), ``{aspect}``
  (``16:9``) and ``{resolution}`` (``720p``); anything else is literal text, ``{{`` and
  ``}}`` are braces. ``"{seconds}s"`` gives ``"8s"``, ``"{width}*{height}"`` gives
  ``"1280*720"``.
* ``type``: ``"str"``, ``"int"``, ``"float"`` or ``"bool"``: what the rendered text becomes
  (``format = "{seconds}"`` with ``type = "str"`` sends ``"8"``, with ``"int"`` sends ``8``).
  Without a ``format`` the default is ``int`` for duration and ``str`` for the others; with
  one it is ``str``.
* ``values``: a table from rendered text to the value sent instead (``{ "2160p" = "4k" }``,
  ``{ "768p" = "768P" }``); values not listed are sent as rendered.
* ``modes``: where the field is sent: any of ``"text"``, ``"image"``, ``"reference"``
  (default: all three).
* ``list`` (first_frame and last_frame): send the image as a one-item list.

A request that asks for something the chosen endpoint has no field for (a negative prompt
on a model without one, a last frame without a first frame on a model whose last-frame
field is ``image``-only) is refused before anything is sent: see `InputMap.problems`.

Extra constant fields: ``[wire.extra]`` (every request), ``[wire.text_extra]``,
``[wire.image_extra]`` and ``[wire.reference_extra]`` (one endpoint's requests).

Every mistake in a wire table is a `vidgen.ConfigError` that names the model, the key and
what would be right.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs

from vidgen import ConfigError, Reference, UnsupportedRequest

if TYPE_CHECKING:
    from vidgen import Fitted

__all__ = [
    "FIELDS",
    "MODES",
    "PLACEHOLDERS",
    "FieldMap",
    "InputMap",
    "build_input",
    "check_fitted",
]

Mode = Literal["text", "image", "reference"]

#: Where a request goes: without a first frame, with one, with reference images only.
MODES: tuple[Mode, ...] = ("text", "image", "reference")

#: The neutral fields a wire table may map.
FIELDS = (
    "prompt",
    "duration",
    "aspect",
    "resolution",
    "size",
    "audio",
    "first_frame",
    "last_frame",
    "reference_images",
    "negative_prompt",
    "seed",
)

#: The placeholders a ``format`` template may use.
PLACEHOLDERS = ("seconds", "width", "height", "size", "aspect", "resolution")

_FORMATTED = {
    "duration": ("{seconds}", "int"),
    "aspect": ("{aspect}", "str"),
    "resolution": ("{resolution}", "str"),
    "size": ("{width}x{height}", "str"),
}
_IMAGES = ("first_frame", "last_frame", "reference_images")
_TYPES = ("str", "int", "float", "bool")
_ENDPOINTS = ("text_to_video", "image_to_video", "reference_to_video")
_EXTRAS = {
    "extra": MODES,
    "text_extra": ("text",),
    "image_extra": ("image",),
    "reference_extra": ("reference",),
}
_FIELD_KEYS = ("name", "format", "type", "values", "modes", "list")


@attrs.frozen(kw_only=True)
class FieldMap:
    """How one neutral field is sent to one model.

    Attributes:
        field: the neutral field (one of `FIELDS`).
        name: the wire field; dots nest (``"video.duration"``).
        format: the value's template (see the module docs), for duration, aspect,
            resolution and size.
        type: what the rendered template becomes: ``str``, ``int``, ``float`` or ``bool``
            (default: ``int`` for a duration without a format, else ``str``).
        values: rendered text mapped to the value sent instead.
        modes: the endpoints the field is sent to.
        as_list: send a single image as a one-item list.
    """

    field: str
    name: str
    format: str | None = None
    type: str | None = None
    values: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    modes: tuple[Mode, ...] = MODES
    as_list: bool = False

    def render(self, fitted: Fitted) -> Any:
        """The wire value of a formatted field (duration, aspect, resolution, size)."""
        template, default_type = _FORMATTED[self.field]
        text = (self.format or template).format_map(_placeholders(fitted))
        if text in self.values:
            return self.values[text]
        kind = self.type or (default_type if self.format is None else "str")
        try:
            return _cast(text, kind)
        except ValueError:
            raise ConfigError(
                f"model {fitted.spec.id!r}: wire field {self.field} renders {text!r}, which is "
                f'not a {kind}; change its format or set type = "str"'
            ) from None


@attrs.frozen(kw_only=True)
class InputMap:
    """A model's whole input mapping: endpoints, fields and constant extras.

    Build one with `InputMap.from_wire`; it is validated there.
    """

    model: str
    text_to_video: str | None
    image_to_video: str | None
    reference_to_video: str | None
    fields: Mapping[str, FieldMap] = attrs.field(factory=dict, hash=False)
    extras: Mapping[Mode, Mapping[str, Any]] = attrs.field(factory=dict, hash=False)

    # -- reading a wire table ---------------------------------------------------------------

    @classmethod
    def from_wire(
        cls,
        wire: Mapping[str, Any],
        *,
        model: str,
        provider_keys: Iterable[str] = (),
        where: str = "catalog",
    ) -> InputMap:
        """Read and validate a model's ``wire`` table.

        Args:
            wire: the table.
            model: the model id (the default endpoint, and named in errors).
            provider_keys: top-level keys the calling provider reads itself (accepted
                here without checking).
            where: names the catalog or profile in errors.

        Raises:
            ConfigError: the table is malformed; the message names the key and the fix.
        """
        at = f"{where}: model {model!r}: wire"
        if not isinstance(wire, Mapping):
            raise ConfigError(f"{at} must be a table, not {type(wire).__name__}")
        known = {*_ENDPOINTS, "fields", *_EXTRAS, *provider_keys}
        unknown = sorted(str(k) for k in wire if k not in known)
        if unknown:
            raise ConfigError(
                f"{at}: unknown key {unknown[0]!r}; a wire table has " + ", ".join(sorted(known))
            )
        endpoints: dict[str, str | None] = {}
        previous: str | None = model
        for key in _ENDPOINTS:
            value = wire.get(key, previous if key != "reference_to_video" else None)
            if value is False:
                value = None
            elif value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigError(
                    f"{at}.{key} must be the endpoint or model to send to (text), or false "
                    f"when the model has none; got {value!r}"
                )
            endpoints[key] = value
            if key == "text_to_video":
                previous = value if value is not None else model
            elif key == "image_to_video":
                previous = value
        if endpoints["text_to_video"] is None and endpoints["image_to_video"] is None:
            raise ConfigError(f"{at}: text_to_video and image_to_video cannot both be false")
        raw_fields = wire.get("fields", {})
        if not isinstance(raw_fields, Mapping):
            raise ConfigError(f"{at}.fields must be a table of field = wire name")
        fields = {"prompt": FieldMap(field="prompt", name="prompt")}
        for key, value in raw_fields.items():
            fields[str(key)] = _field(str(key), value, f"{at}.fields.{key}")
        extras: dict[Mode, dict[str, Any]] = {mode: {} for mode in MODES}
        for key, modes in _EXTRAS.items():
            table = wire.get(key, {})
            if not isinstance(table, Mapping):
                raise ConfigError(f"{at}.{key} must be a table of constant fields")
            for mode in modes:
                extras[mode].update(table)
        for mode in MODES:
            names = {f.name for f in fields.values() if mode in f.modes}
            clash = sorted(set(extras[mode]) & names)
            if clash:
                raise ConfigError(
                    f"{at}: the constant field {clash[0]!r} is also a mapped field; keep one"
                )
        return cls(
            model=model,
            text_to_video=endpoints["text_to_video"],
            image_to_video=endpoints["image_to_video"],
            reference_to_video=endpoints["reference_to_video"],
            fields=fields,
            extras=extras,
        )

    @classmethod
    def of(cls, fitted: Fitted, *, provider_keys: Iterable[str] = ()) -> InputMap:
        """The validated map of a fitted request's model (its catalog ``wire`` table)."""
        return cls.from_wire(fitted.spec.wire, model=fitted.spec.id, provider_keys=provider_keys)

    def check_spec(self, spec: Any, *, where: str = "catalog") -> None:
        """Refuse a wire table that cannot send what the model's catalog entry offers.

        ``spec`` is a `vidgen.ModelSpec`: a model that takes a first frame needs a
        first_frame field, one that takes a negative prompt a negative_prompt field, and so on.

        Raises:
            ConfigError: names the catalog field and the missing wire field.
        """
        needs = {
            "first_frame": bool(spec.reference),
            "last_frame": bool(spec.last_frame),
            "reference_images": bool(spec.reference_images),
            "negative_prompt": bool(spec.negative_prompt),
            "seed": bool(spec.seed),
            "audio": bool(spec.audio_optional),
        }
        for field, needed in needs.items():
            if needed and field not in self.fields:
                raise ConfigError(
                    f"{where}: model {spec.id!r}: the catalog says it takes {field.replace('_', ' ')}"
                    f', but wire.fields has no {field}; add {field} = "<its wire name>"'
                )
        if spec.reference and self.image_to_video is None:
            raise ConfigError(
                f"{where}: model {spec.id!r}: it takes a first frame, but wire.image_to_video "
                "is false"
            )

    # -- using it ---------------------------------------------------------------------------

    def mode(self, fitted: Fitted) -> Mode:
        """The endpoint a fitted request goes to: ``text``, ``image`` or ``reference``."""
        request = fitted.request
        if request.reference is not None:
            return "image"
        if request.references and self.reference_to_video is not None:
            return "reference"
        return "text"

    def endpoint(self, fitted: Fitted) -> str:
        """Where the fitted request is sent.

        Raises:
            ConfigError: the model has no endpoint for this request (see `problems`,
                which says so before anything is built).
        """
        mode = self.mode(fitted)
        target = {
            "text": self.text_to_video,
            "image": self.image_to_video,
            "reference": self.reference_to_video,
        }[mode]
        if target is None:
            raise ConfigError(f"model {self.model!r} has no {mode}-to-video endpoint")
        return target

    def field_for(self, field: str, mode: Mode) -> FieldMap | None:
        """The mapping of ``field`` at ``mode``'s endpoint, if it is sent there."""
        mapped = self.fields.get(field)
        return mapped if mapped is not None and mode in mapped.modes else None

    def wire_names(self, fitted: Fitted) -> set[str]:
        """The top-level wire fields vidgen sets for this request (provider options must not)."""
        mode = self.mode(fitted)
        names = {m.name.split(".")[0] for m in self.fields.values() if mode in m.modes}
        return names | set(self.extras.get(mode, {}))

    def problems(self, fitted: Fitted) -> list[tuple[str, str]]:
        """What the request asks for that this model's endpoints cannot take.

        Returns:
            ``(param, reason)`` pairs; empty when everything asked can be sent.
        """
        request = fitted.request
        mode = self.mode(fitted)
        found: list[tuple[str, str]] = []
        if mode == "text" and self.text_to_video is None:
            found.append(("reference", "it only animates a first frame; pass reference="))
            return found
        asked = {
            "last_frame": request.last_frame is not None,
            "reference_images": bool(request.references),
            "negative_prompt": fitted.negative_prompt is not None,
            "seed": fitted.seed is not None,
        }
        params = {"reference_images": "references"}
        for field, wanted in asked.items():
            if not wanted or self.field_for(field, mode) is not None:
                continue
            elsewhere = [m for m in MODES if self.field_for(field, m) is not None]
            if elsewhere:
                need = {
                    "image": "only with a first frame (reference=)",
                    "text": "only without a first frame",
                    "reference": "only with reference images and no first frame",
                }
                how = " or ".join(need[m] for m in elsewhere)
                reason = f"it takes {field.replace('_', ' ')} {how}"
            else:
                reason = f"its wire table sends no {field.replace('_', ' ')}"
            found.append((params.get(field, field), reason))
        return found

    def build(self, fitted: Fitted) -> dict[str, Any]:
        """The model's input for a fitted request (without provider options)."""
        mode = self.mode(fitted)
        request = fitted.request
        body: dict[str, Any] = {}
        values: dict[str, Any] = {
            "prompt": request.prompt,
            "audio": fitted.audio,
            "first_frame": request.reference,
            "last_frame": request.last_frame,
            "reference_images": list(request.references) or None,
            "negative_prompt": fitted.negative_prompt,
            "seed": fitted.seed,
        }
        for field, mapped in self.fields.items():
            if mode not in mapped.modes:
                continue
            if field in _FORMATTED:
                value: Any = mapped.render(fitted)
            else:
                value = values.get(field)
                if value is None:
                    continue
                if field in _IMAGES:
                    value = _image_value(value, as_list=mapped.as_list)
            _put(body, mapped.name, value)
        for name, value in self.extras.get(mode, {}).items():
            body.setdefault(name, value)
        return body


def build_input(fitted: Fitted, wire: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The input a hosted model gets for ``fitted``, from its ``wire`` table.

    Args:
        fitted: the fitted request.
        wire: the wire table (default: ``fitted.spec.wire``).

    Raises:
        ConfigError: the wire table is malformed.
    """
    table = fitted.spec.wire if wire is None else wire
    return InputMap.from_wire(table, model=fitted.spec.id).build(fitted)


def check_fitted(
    fitted: Fitted, *, provider: str, provider_keys: Iterable[str] = (), where: str = "catalog"
) -> InputMap:
    """Check a fitted request against its model's wire table before anything is built.

    For a provider's `check_fitted`: validates the table (and that it can send what the
    catalog entry offers), refuses what the chosen endpoint has no field for, and refuses
    ``provider_options`` that would overwrite a field vidgen sets.

    Returns:
        The model's validated `InputMap`.

    Raises:
        ConfigError: the wire table is malformed.
        UnsupportedRequest: the request asks for something the model cannot be sent.
    """
    spec = fitted.spec
    mapping = InputMap.from_wire(spec.wire, model=spec.id, provider_keys=provider_keys, where=where)
    mapping.check_spec(spec, where=where)
    for param, reason in mapping.problems(fitted):
        raise UnsupportedRequest(
            f"{provider} model {spec.id}: {reason}",
            param=param,
            provider=provider,
            model=spec.id,
        )
    clash = sorted(set(fitted.options) & mapping.wire_names(fitted))
    if clash:
        raise UnsupportedRequest(
            f"{provider} model {spec.id}: provider_options[{provider!r}][{clash[0]!r}] is a "
            "field vidgen sets from the request; set it through VideoRequest instead",
            param=f"provider_options.{provider}.{clash[0]}",
            value=fitted.options[clash[0]],
            provider=provider,
            model=spec.id,
        )
    return mapping


# -- helpers ------------------------------------------------------------------------------


def _placeholders(fitted: Fitted) -> dict[str, str]:
    return {
        "seconds": str(fitted.seconds),
        "width": str(fitted.width),
        "height": str(fitted.height),
        "size": fitted.size,
        "aspect": fitted.aspect,
        "resolution": fitted.resolution,
    }


def _cast(text: str, kind: str) -> Any:
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "bool":
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise ValueError(text)
        return lowered == "true"
    return text


def _image_value(value: Any, *, as_list: bool) -> Any:
    def one(image: Reference) -> str:
        return image.url if image.url is not None else image.data_url()

    if isinstance(value, Reference):
        return [one(value)] if as_list else one(value)
    return [one(image) for image in value]


def _put(body: dict[str, Any], name: str, value: Any) -> None:
    *parents, last = name.split(".")
    target = body
    for part in parents:
        nested = target.setdefault(part, {})
        if not isinstance(nested, dict):
            raise ConfigError(f"wire field {name!r} nests inside {part!r}, which is a value")
        target = nested
    target[last] = value


def _template_problem(template: str) -> str | None:
    """Why a format template is not valid, or None."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"it is not a valid template ({exc}); write braces as {{{{ and }}}}"
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            return f"{{{name}}} is not a placeholder; use " + ", ".join(
                f"{{{p}}}" for p in PLACEHOLDERS
            )
        if spec or conversion:
            return f"{{{name}}} takes no format spec or conversion; write {{{name}}} alone"
    return None


def _field(field: str, value: Any, at: str) -> FieldMap:
    if field not in FIELDS:
        raise ConfigError(
            f"{at}: {field!r} is not a field vidgen sends; use one of " + ", ".join(FIELDS)
        )
    if isinstance(value, str):
        table: Mapping[str, Any] = {"name": value}
    elif isinstance(value, Mapping):
        table = value
    else:
        raise ConfigError(
            f'{at} must be the wire name ("aspect_ratio") or a table {{ name = ..., ... }}'
        )
    unknown = sorted(str(k) for k in table if k not in _FIELD_KEYS)
    if unknown:
        raise ConfigError(f"{at}: unknown key {unknown[0]!r}; use " + ", ".join(_FIELD_KEYS))
    name = table.get("name")
    if not isinstance(name, str) or not name.strip() or any(not p for p in name.split(".")):
        raise ConfigError(f'{at}.name must be the wire field name, e.g. name = "duration"')
    template = table.get("format")
    kind = table.get("type")
    values = table.get("values", {})
    if field not in _FORMATTED and any(k in table for k in ("format", "type", "values")):
        raise ConfigError(
            f"{at}: format, type and values apply to duration, aspect, resolution and size only"
        )
    if template is not None:
        if not isinstance(template, str):
            raise ConfigError(f'{at}.format must be a template string, e.g. "{{seconds}}s"')
        problem = _template_problem(template)
        if problem:
            raise ConfigError(f"{at}.format {template!r}: {problem}")
    if kind is not None and kind not in _TYPES:
        raise ConfigError(f"{at}.type must be one of " + ", ".join(_TYPES) + f", not {kind!r}")
    if not isinstance(values, Mapping):
        raise ConfigError(f'{at}.values must be a table, e.g. {{ "2160p" = "4k" }}')
    modes = table.get("modes", MODES)
    if isinstance(modes, str):
        modes = [modes]
    if not isinstance(modes, Sequence) or not modes or any(m not in MODES for m in modes):
        raise ConfigError(f"{at}.modes must list some of " + ", ".join(MODES) + f", not {modes!r}")
    as_list = table.get("list", False)
    if not isinstance(as_list, bool):
        raise ConfigError(f"{at}.list must be true or false")
    if as_list and field not in ("first_frame", "last_frame"):
        raise ConfigError(f"{at}.list applies to first_frame and last_frame only")
    return FieldMap(
        field=field,
        name=name,
        format=template,
        type=kind,
        values={str(k): v for k, v in values.items()},
        modes=tuple(modes),
        as_list=as_list,
    )
