"""Google's video protocols, shared by the ``google`` and ``google-vertex`` providers.

Two wire formats live here, each chosen per model by the catalog's ``wire.api``:

* ``"predict"``: Veo's long-running operations. ``POST .../models/{model}:predictLongRunning``
  with ``{"instances": [...], "parameters": {...}}`` answers an operation; the operation is
  read until ``done``. The Gemini API and Vertex AI send the same body and differ in auth,
  URLs, how an operation is read and the shape of the finished answer; the subclasses
  supply those.
* ``"interactions"``: Gemini Omni on the Interactions API, ``POST /v1beta/interactions``
  with ``background: true``, read with ``GET /v1beta/interactions/{id}``.

`GoogleVideoProvider` is public so that a relay speaking Google's wire format can build on
it, as ``apiyi`` builds on the OpenAI protocol.

Where the sources disagree (the Omni duration as ``8`` or ``"8s"``; ``response_format`` or
``generation_config.video_config``), the choice is catalog data (`InteractionsWire`,
`PredictWire`), never code: a user fixes it in ``vidgen.toml`` without a release.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

import attrs
import httpx

from vidgen import (
    AuthenticationError,
    ConfigError,
    ContentPolicyViolation,
    InsufficientCredits,
    InvalidRequest,
    Job,
    JobError,
    JobStatus,
    NotFound,
    Output,
    PermissionDenied,
    PollPolicy,
    ProtocolError,
    ProviderError,
    RateLimited,
    ServerError,
    UnsupportedRequest,
    Usage,
)
from vidgen.provider import (
    USER_AGENT,
    Provider,
    error_class_for_status,
    parse_retry_after,
    percent,
    request_id_from,
    same_origin,
)

from . import _wire

if TYPE_CHECKING:
    from vidgen import Fitted, ModelSpec, Reference

__all__ = [
    "APIS",
    "INLINE_REF",
    "GoogleVideoProvider",
    "InteractionsWire",
    "PredictWire",
    "is_operation",
    "operation_path",
    "read_body",
    "segment",
]

APIS = ("predict", "interactions")
DURATION_FORMATS = ("integer", "seconds_string")
INPUT_FORMATS = ("user_input", "content")

#: The prefix of an output reference for a video Google returned inline (base64).
INLINE_REF = "inline:"

#: Interaction statuses (the Interactions API's enum) and what they mean to vidgen. A
#: completed interaction counts as succeeded only when it carries a video.
_INTERACTION_STATUSES: Mapping[str, JobStatus] = {
    "in_progress": JobStatus.RUNNING,
    "completed": JobStatus.SUCCEEDED,
    "failed": JobStatus.FAILED,
    "cancelled": JobStatus.CANCELLED,
    "incomplete": JobStatus.FAILED,
    "budget_exceeded": JobStatus.FAILED,
    # vidgen sends no tools, so nothing it could answer: the job would never move on.
    "requires_action": JobStatus.FAILED,
}
_INTERACTION_FAILURES: Mapping[str, tuple[str, str]] = {
    "failed": ("generation_failed", "the interaction failed"),
    "incomplete": (
        "generation_failed",
        "the interaction ended incomplete (Google stopped before the video was finished)",
    ),
    "budget_exceeded": (
        "budget_exceeded",
        "the interaction ran out of its budget before the video was finished",
    ),
    "requires_action": (
        "generation_failed",
        "the interaction is waiting for a client action (a tool result), which vidgen's "
        "video jobs never send",
    ),
}

# google.rpc canonical codes (an operation's error.code) and the HTTP statuses' names.
_GRPC_STATUS = {
    1: "CANCELLED",
    2: "UNKNOWN",
    3: "INVALID_ARGUMENT",
    4: "DEADLINE_EXCEEDED",
    5: "NOT_FOUND",
    7: "PERMISSION_DENIED",
    8: "RESOURCE_EXHAUSTED",
    9: "FAILED_PRECONDITION",
    10: "ABORTED",
    11: "OUT_OF_RANGE",
    13: "INTERNAL",
    14: "UNAVAILABLE",
    16: "UNAUTHENTICATED",
}
_STATUS_ERRORS: Mapping[str, type[ProviderError]] = {
    "INVALID_ARGUMENT": InvalidRequest,
    "FAILED_PRECONDITION": InvalidRequest,
    "OUT_OF_RANGE": InvalidRequest,
    "UNAUTHENTICATED": AuthenticationError,
    "PERMISSION_DENIED": PermissionDenied,
    "NOT_FOUND": NotFound,
    "RESOURCE_EXHAUSTED": RateLimited,
    "INTERNAL": ServerError,
    "UNAVAILABLE": ServerError,
    "DEADLINE_EXCEEDED": ServerError,
    "UNKNOWN": ServerError,
    "ABORTED": ServerError,
}
_FAILURE_CODES: Mapping[str, str] = {
    "INVALID_ARGUMENT": "invalid_request",
    "FAILED_PRECONDITION": "invalid_request",
    "OUT_OF_RANGE": "invalid_request",
    "PERMISSION_DENIED": "permission_denied",
    "UNAUTHENTICATED": "permission_denied",
    "RESOURCE_EXHAUSTED": "rate_limited",
    "INTERNAL": "server_error",
    "UNAVAILABLE": "server_error",
    "DEADLINE_EXCEEDED": "server_error",
    "UNKNOWN": "server_error",
    "ABORTED": "server_error",
    "CANCELLED": "cancelled",
}
_AUTH_REASONS = (
    "API_KEY_INVALID",
    "API_KEY_EXPIRED",
    "ACCESS_TOKEN_EXPIRED",
    "ACCESS_TOKEN_INVALID",
)
_POLICY_WORDS = (
    "responsible ai",
    "usage guidelines",
    "safety filter",
    "safety polic",
    "content polic",
    "violate",
    "raimediafiltered",
    "sensitive words",
    "prohibited content",
)
_BILLING_WORDS = (
    "prepay",
    "credits are depleted",
    "credit balance",
    "spending cap",
    "spend cap",
    "billing account",
    "billing is not enabled",
    "enable billing",
    "billing to be enabled",
)
#: JSON keys whose long string values are video or image bytes, dropped from ``Job.raw``
#: so a ledger never stores megabytes of base64 per poll.
_BYTES_KEYS = frozenset({"bytesBase64Encoded", "encodedVideo", "videoBytes", "data"})
_BYTES_KEEP = 256
_MAX_SCRUB_DEPTH = 64

_SEGMENT = re.compile(r"^[A-Za-z0-9._~:@!$&'()*+,;=-]+$")
_OPERATION_NAME = re.compile(r"^(?:[^/]+/[^/]+/)*operations/[^/]+$")
_MODEL_IN_NAME = re.compile(r"(?:^|/)models/([^/]+)/operations/")
_FILE_NAME = re.compile(r"^files/[A-Za-z0-9_-]+(?::download)?(?:\?alt=media)?$")
_FIELD_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")


def segment(value: str) -> str:
    """``value`` as exactly one URL path segment (``/``, ``?``, ``#``, ``%`` escaped)."""
    return quote(value, safe="")


def operation_path(name: str, *, provider: str) -> str:
    """An operation name (``models/veo-3.1-generate-001/operations/abc``) as a URL path,
    each segment escaped so that an id can never climb out of the API's path.

    Raises:
        UnsupportedRequest: the name is not an operation name.
    """
    parts = name.split("/")
    if (
        len(name) > 1024
        or not _OPERATION_NAME.match(name)
        or any(part in ("", ".", "..") or not _SEGMENT.match(part) for part in parts)
    ):
        raise UnsupportedRequest(
            f"{provider}: {name[:200]!r} is not a Google operation name "
            "(e.g. 'models/veo-3.1-generate-001/operations/abc123'); use the job id vidgen "
            "printed when it submitted the job",
            param="job",
            value=name[:200],
            provider=provider,
        )
    return "/".join(segment(part) for part in parts)


def is_operation(job_id: str) -> bool:
    """Whether a job id names a long-running operation (Veo) rather than an interaction."""
    return job_id.startswith(("models/", "operations/", "projects/")) or "/operations/" in job_id


# -- the wire settings a catalog entry carries -------------------------------------------


def _config(provider: str, model: str, message: str) -> ConfigError:
    return ConfigError(
        f"{provider}: model {model!r} has a bad wire table: {message} "
        "(see docs/providers/google.md, 'Catalog wire keys')"
    )


def _choice(
    wire: Mapping[str, Any], key: str, choices: Sequence[str], default: str, where: tuple[str, str]
) -> str:
    value = wire.get(key, default)
    if value not in choices:
        raise _config(*where, f"{key} must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


def _field(
    wire: Mapping[str, Any], key: str, default: str | None, where: tuple[str, str]
) -> str | None:
    value = wire.get(key, default)
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _FIELD_PATH.match(value):
        raise _config(
            *where,
            f"{key} must be a dotted field path like 'response_format.duration', not {value!r}",
        )
    return value


def _tiers(wire: Mapping[str, Any], key: str, where: tuple[str, str]) -> dict[str, str]:
    value = wire.get(key, {})
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()
    ):
        raise _config(*where, f'{key} must map tiers to wire values, e.g. {{"2160p" = "4k"}}')
    return dict(value)


def _seconds(value: Any, key: str, where: tuple[str, str]) -> tuple[int, ...]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        raise _config(*where, f"{key} must be a list of whole seconds, e.g. [8]")
    return tuple(value)


def _strings(value: Any, key: str, where: tuple[str, str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _config(*where, f"{key} must be a list of strings")
    return tuple(value)


@attrs.frozen(kw_only=True)
class PredictWire:
    """How a Veo model is sent on ``:predictLongRunning`` (the catalog's ``wire`` table).

    Attributes:
        duration_format: ``durationSeconds`` as an ``integer`` (what Google's reference and
            the Gemini clients send) or a ``seconds_string`` (``"8s"``).
        resolutions: tier to wire value (``2160p`` is ``"4k"``); other tiers go as named.
        send_resolution: whether ``resolution`` is sent at all (Veo 2 takes none).
        audio_parameter: the boolean switching sound (``generateAudio`` on Vertex AI);
            None where the API has no such field.
        durations_by_resolution: durations allowed at a tier, where narrower than the
            model's (Veo 3.1 renders 1080p and 4k only at 8 s).
        durations_with_references: durations allowed with reference images.
        durations_with_frames: durations allowed with a first or last frame.
        person_generation: the ``personGeneration`` values the model takes.
    """

    duration_format: str = "integer"
    resolutions: Mapping[str, str] = attrs.field(factory=dict)
    send_resolution: bool = True
    audio_parameter: str | None = None
    durations_by_resolution: Mapping[str, tuple[int, ...]] = attrs.field(factory=dict)
    durations_with_references: tuple[int, ...] | None = None
    durations_with_frames: tuple[int, ...] | None = None
    person_generation: tuple[str, ...] = ()

    @classmethod
    def read(cls, spec: ModelSpec, provider: str) -> PredictWire:
        """The settings in ``spec.wire``, checked.

        Raises:
            ConfigError: a key has a value vidgen cannot use (names the key).
        """
        wire, where = spec.wire, (provider, spec.id)
        by_resolution = wire.get("durations_by_resolution", {})
        if not isinstance(by_resolution, Mapping):
            raise _config(*where, "durations_by_resolution must map tiers to lists of seconds")
        send = wire.get("send_resolution", True)
        if not isinstance(send, bool):
            raise _config(*where, "send_resolution must be true or false")
        audio = wire.get("audio_parameter")
        if audio is not None and (not isinstance(audio, str) or not _FIELD_PATH.match(audio)):
            raise _config(*where, f"audio_parameter must be a field name, not {audio!r}")
        references = wire.get("durations_with_references")
        frames = wire.get("durations_with_frames")
        return cls(
            duration_format=_choice(wire, "duration_format", DURATION_FORMATS, "integer", where),
            resolutions=_tiers(wire, "resolutions", where),
            send_resolution=send,
            audio_parameter=audio,
            durations_by_resolution={
                str(tier): _seconds(seconds, "durations_by_resolution", where)
                for tier, seconds in by_resolution.items()
            },
            durations_with_references=None
            if references is None
            else _seconds(references, "durations_with_references", where),
            durations_with_frames=None
            if frames is None
            else _seconds(frames, "durations_with_frames", where),
            person_generation=_strings(
                wire.get("person_generation", []), "person_generation", where
            ),
        )


@attrs.frozen(kw_only=True)
class InteractionsWire:
    """How a Gemini Omni model is sent on the Interactions API (the catalog's ``wire``).

    The field paths are dotted (``response_format.duration``), because the sources
    disagree on where duration and resolution go: TanStack AI (checked against the live
    API on 2026-07-02) sends ``response_format.{aspect_ratio,duration,resolution}`` with
    the duration as ``"8s"``; another client puts them under
    ``generation_config.video_config`` as an integer.

    Attributes:
        input_format: ``user_input`` (``[{"type": "user_input", "content": [...]}]``, the
            2026-05-20 revision) or ``content`` (a bare list of content blocks).
        aspect_field, duration_field, resolution_field: where each value goes.
        duration_format: ``seconds_string`` (``"8s"``) or ``integer``.
        resolutions: tier to wire value (``2160p`` is ``"4k"``).
        delivery_field, delivery: ask for the video by URI rather than inline base64
            (inline media is capped at 4 MB, and vidgen downloads URLs only); no field is
            sent when ``delivery`` is empty.
        seed_field: where a seed goes, for models that take one.
        durations_with_frames: durations allowed with a first frame (Omni 1.2: up to 10 s).
    """

    input_format: str = "user_input"
    aspect_field: str | None = "response_format.aspect_ratio"
    duration_field: str | None = "response_format.duration"
    duration_format: str = "seconds_string"
    resolution_field: str | None = "response_format.resolution"
    resolutions: Mapping[str, str] = attrs.field(factory=dict)
    delivery_field: str | None = "response_format.delivery"
    delivery: str | None = "uri"
    seed_field: str | None = None
    durations_with_frames: tuple[int, ...] | None = None

    @classmethod
    def read(cls, spec: ModelSpec, provider: str) -> InteractionsWire:
        """The settings in ``spec.wire``, checked.

        Raises:
            ConfigError: a key has a value vidgen cannot use (names the key).
        """
        wire, where = spec.wire, (provider, spec.id)
        delivery = wire.get("delivery", "uri")
        if delivery is not None and not isinstance(delivery, str):
            raise _config(*where, "delivery must be a string ('uri') or empty")
        frames = wire.get("durations_with_frames")
        return cls(
            input_format=_choice(wire, "input_format", INPUT_FORMATS, "user_input", where),
            aspect_field=_field(wire, "aspect_field", "response_format.aspect_ratio", where),
            duration_field=_field(wire, "duration_field", "response_format.duration", where),
            duration_format=_choice(
                wire, "duration_format", DURATION_FORMATS, "seconds_string", where
            ),
            resolution_field=_field(wire, "resolution_field", "response_format.resolution", where),
            resolutions=_tiers(wire, "resolutions", where),
            delivery_field=_field(wire, "delivery_field", "response_format.delivery", where),
            delivery=delivery or None,
            seed_field=_field(wire, "seed_field", None, where),
            durations_with_frames=None
            if frames is None
            else _seconds(frames, "durations_with_frames", where),
        )


def _duration(seconds: int, fmt: str) -> int | str:
    return f"{seconds}s" if fmt == "seconds_string" else seconds


def _set_path(body: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = body
    for name in parents:
        child = target.get(name)
        if not isinstance(child, dict):
            child = target[name] = {}
        target = child
    target[last] = value


def _merge_under(base: dict[str, Any], extra: Mapping[str, Any]) -> None:
    """Add ``extra``'s fields to ``base`` without replacing any ``base`` already has;
    nested tables merge the same way (vidgen's own values win)."""
    for key, value in extra.items():
        if key not in base:
            base[key] = value
        elif isinstance(base[key], dict) and isinstance(value, Mapping):
            _merge_under(base[key], value)


def _scrub(value: Any, depth: int = 0) -> Any:
    """``value`` with long base64 strings (video and image bytes) replaced by a note."""
    if depth > _MAX_SCRUB_DEPTH:
        return value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in _BYTES_KEYS and isinstance(item, str) and len(item) > _BYTES_KEEP:
                out[key] = f"<{len(item)} characters of base64 omitted by vidgen>"
            else:
                out[key] = _scrub(item, depth + 1)
        return out
    if isinstance(value, list):
        return [_scrub(item, depth + 1) for item in value]
    return value


def read_body(response: httpx.Response, provider: str) -> Any:
    """The body as JSON, or `ProtocolError` (a body nested too deep included)."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        text = response.content[:500].decode("utf-8", "replace")
        raise ProtocolError(
            f"{provider} sent a body that is not JSON vidgen can read "
            f"(HTTP {response.status_code}): {text!r}",
            provider=provider,
            body=text,
        ) from exc


def _base64(reference: Reference) -> str:
    """An image's bytes as base64 (`check_fitted` refuses URL references before this)."""
    if reference.data is None:
        raise UnsupportedRequest(
            "Google takes images only as inline bytes; pass Reference.from_path(...)",
            param="reference",
            value="url",
            supported=["file"],
        )
    return base64.b64encode(reference.data).decode("ascii")


def _image(reference: Reference) -> dict[str, str]:
    """An image as Veo takes it: inline base64 with its type."""
    return {"bytesBase64Encoded": _base64(reference), "mimeType": reference.mime or "image/png"}


def _words(*texts: str | None) -> str:
    return " ".join(t for t in texts if t).lower()


def _failure_code(status: _wire.RpcStatus) -> str:
    """The neutral code of a failed operation or interaction."""
    if any(word in _words(status.message, *status.reasons) for word in _POLICY_WORDS):
        return "content_policy"
    name = status.status or (_GRPC_STATUS.get(status.code) if status.code is not None else None)
    return _FAILURE_CODES.get(name or "", "generation_failed")


# -- the base class --------------------------------------------------------------------------


class GoogleVideoProvider(Provider):
    """What the ``google`` and ``google-vertex`` providers share.

    Subclasses set `catalog_section`, the auth (`auth_headers`) and the URLs: they
    implement `build_submit`, `build_status`, `parse_submit` and `parse_status` with the
    bodies and parsers here.
    """

    display_name = "Google"
    catalog_package = "vidgen_google"
    #: The section of ``catalog.toml`` that holds this provider's models.
    catalog_section: ClassVar[str] = ""
    #: The APIs this provider speaks (a catalog entry naming another is a ConfigError).
    apis: ClassVar[tuple[str, ...]] = APIS
    #: How long Google keeps a generated video it returns by URL, where documented.
    output_retention: ClassVar[dt.timedelta | None] = None
    #: Google takes images only as inline bytes (or a ``gs://`` URI, which a `Reference`
    #: cannot hold). For the core step proposed in docs/providers/google.md: a client that
    #: downloads URL references before fitting, for providers that set this. Until the core
    #: has it, `check_fitted` refuses a URL reference with a message saying what to pass.
    inline_references: ClassVar[bool] = True
    #: Google's own examples poll every 10 s; a video takes one to six minutes.
    default_poll: ClassVar[PollPolicy | None] = PollPolicy(initial=10.0, factor=1.5, maximum=30.0)
    # Fields vidgen sets from the request, in either API's body: provider_options may not.
    reserved_options: ClassVar[frozenset[str]] = frozenset(
        {
            "instances",
            "parameters",
            "prompt",
            "image",
            "lastFrame",
            "referenceImages",
            "aspectRatio",
            "resolution",
            "durationSeconds",
            "sampleCount",
            "seed",
            "negativePrompt",
            "generateAudio",
            "storageUri",
            "model",
            "input",
            "background",
            "stream",
            "response_modalities",
        }
    )
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id", "x-goog-request-id")

    # -- catalog -------------------------------------------------------------------------

    def raw_catalog(self) -> Mapping[str, Any]:
        """This provider's section of the shared ``catalog.toml``."""
        section: Mapping[str, Any] = super().raw_catalog().get(self.catalog_section, {})
        return section

    def api_of(self, spec: ModelSpec) -> str:
        """The API a model is served by (``wire.api``, default ``predict``).

        Raises:
            ConfigError: the catalog names an API this provider does not speak.
        """
        api = spec.wire.get("api", "predict")
        if api not in self.apis:
            raise _config(
                self.name,
                spec.id,
                f"api must be one of {', '.join(self.apis)} on {self.name}, not {api!r}",
            )
        return str(api)

    # -- checks after the catalog's fit ----------------------------------------------------

    def check_fitted(self, fitted: Fitted, policy: str) -> Fitted:
        """Google's rules the catalog cannot state as plain lists.

        * Images go inline (base64): a URL reference is refused, since a provider never
          downloads anything itself.
        * Durations narrower at some tiers or with images (``wire.durations_*``).
        * ``personGeneration`` takes only its documented values.
        * Omni infers its task from the images it gets, so a first frame and reference
          images in one request are refused.
        """
        spec = fitted.spec
        api = self.api_of(spec)
        request = fitted.request
        images: list[tuple[str, Reference]] = []
        if request.reference is not None:
            images.append(("reference", request.reference))
        if request.last_frame is not None:
            images.append(("last_frame", request.last_frame))
        images.extend(("references", image) for image in request.references)
        for param, image in images:
            if image.is_url:
                raise UnsupportedRequest(
                    f"{self.name} model {spec.id}: Google takes images only as inline bytes; "
                    "submit the request (vidgen fetches the URL first), or plan "
                    "client.fetch_references(request), or pass Reference.from_path(...)",
                    param=param,
                    value="url",
                    supported=["file"],
                    provider=self.name,
                    model=spec.id,
                )
        allowed = set(spec.durations)
        why: list[str] = []
        frames = request.reference is not None or request.last_frame is not None
        if api == "predict":
            wire = PredictWire.read(spec, self.name)
            tier = wire.durations_by_resolution.get(fitted.resolution)
            if tier is not None:
                allowed &= set(tier)
                why.append(f"at {fitted.resolution}")
            if request.references and wire.durations_with_references is not None:
                allowed &= set(wire.durations_with_references)
                why.append("with reference images")
            if frames and wire.durations_with_frames is not None:
                allowed &= set(wire.durations_with_frames)
                why.append("with a first or last frame")
            self._check_person_generation(fitted, wire)
        else:
            omni = InteractionsWire.read(spec, self.name)
            if request.reference is not None and request.references:
                raise UnsupportedRequest(
                    f"{self.name} model {spec.id}: Gemini Omni infers the task from the images "
                    "it gets, so give either a first frame (reference) or reference images "
                    "(references), not both",
                    param="references",
                    value=len(request.references),
                    supported=[0],
                    provider=self.name,
                    model=spec.id,
                )
            if frames and omni.durations_with_frames is not None:
                allowed &= set(omni.durations_with_frames)
                why.append("with a first frame")
        if fitted.seconds in allowed:
            return fitted
        return self._fit_seconds(fitted, sorted(allowed), " and ".join(why), policy)

    def _fit_seconds(self, fitted: Fitted, allowed: list[int], why: str, policy: str) -> Fitted:
        spec = fitted.spec
        offered = ", ".join(str(s) for s in allowed)
        reason = (
            f"{spec.id} renders only {offered} s {why}"
            if allowed
            else f"{spec.id} renders nothing {why}"
        )
        if policy == "strict" or not allowed:
            raise UnsupportedRequest(
                f"{self.name} model {spec.id}: {fitted.seconds} s is not offered {why}; "
                f"supported durations there are {offered or 'none'} seconds",
                param="duration",
                value=fitted.seconds,
                supported=allowed,
                provider=self.name,
                model=spec.id,
            )
        from vidgen import Adjustment  # a lazy public name: loaded on first use

        chosen = min(allowed, key=lambda s: (abs(s - fitted.seconds), -s))
        return attrs.evolve(
            fitted,
            seconds=chosen,
            warnings=(
                *fitted.warnings,
                f"duration {fitted.seconds!r} changed to {chosen!r}: {reason}",
            ),
            adjustments=(
                *fitted.adjustments,
                Adjustment(field="duration", requested=fitted.seconds, sent=chosen, reason=reason),
            ),
        )

    def _check_person_generation(self, fitted: Fitted, wire: PredictWire) -> None:
        value = fitted.options.get("personGeneration")
        if value is None or not wire.person_generation or value in wire.person_generation:
            return
        raise UnsupportedRequest(
            f"{self.name} model {fitted.spec.id}: personGeneration {value!r} is not one of "
            f"{', '.join(wire.person_generation)}",
            param=f"provider_options.{self.name}.personGeneration",
            value=value,
            supported=wire.person_generation,
            provider=self.name,
            model=fitted.spec.id,
        )

    # -- request bodies --------------------------------------------------------------------

    def predict_body(self, fitted: Fitted) -> dict[str, Any]:
        """The ``:predictLongRunning`` body for a fitted request."""
        wire = PredictWire.read(fitted.spec, self.name)
        request = fitted.request
        instance: dict[str, Any] = {"prompt": request.prompt}
        if request.reference is not None:
            instance["image"] = _image(request.reference)
        if request.last_frame is not None:
            instance["lastFrame"] = _image(request.last_frame)
        if request.references:
            instance["referenceImages"] = [
                {"image": _image(image), "referenceType": "asset"} for image in request.references
            ]
        parameters: dict[str, Any] = {
            "aspectRatio": fitted.aspect,
            "durationSeconds": _duration(fitted.seconds, wire.duration_format),
            "sampleCount": fitted.variants,
        }
        if wire.send_resolution:
            parameters["resolution"] = wire.resolutions.get(fitted.resolution, fitted.resolution)
        if fitted.negative_prompt is not None:
            parameters["negativePrompt"] = fitted.negative_prompt
        if fitted.seed is not None:
            parameters["seed"] = fitted.seed
        if wire.audio_parameter and fitted.audio is not None:
            parameters[wire.audio_parameter] = fitted.audio
        parameters.update(self.extra_parameters())
        _merge_under(parameters, fitted.options)
        return {"instances": [instance], "parameters": parameters}

    def extra_parameters(self) -> dict[str, Any]:
        """Parameters the provider's settings add to every predict body (none here)."""
        return {}

    def interaction_body(self, fitted: Fitted) -> dict[str, Any]:
        """The Interactions API body for a fitted request: a background job for video."""
        wire = InteractionsWire.read(fitted.spec, self.name)
        request = fitted.request
        content: list[dict[str, Any]] = []
        for image in (request.reference, *request.references):
            if image is not None:
                content.append(
                    {
                        "type": "image",
                        "data": _base64(image),
                        "mime_type": image.mime or "image/png",
                    }
                )
        content.append({"type": "text", "text": request.prompt})
        turn: Any = [{"type": "user_input", "content": content}]
        body: dict[str, Any] = {
            "model": fitted.model,
            "input": turn if wire.input_format == "user_input" else content,
            "response_modalities": ["video"],
            "background": True,
        }
        if wire.aspect_field:
            _set_path(body, wire.aspect_field, fitted.aspect)
        if wire.duration_field:
            _set_path(body, wire.duration_field, _duration(fitted.seconds, wire.duration_format))
        if wire.resolution_field:
            tier = wire.resolutions.get(fitted.resolution, fitted.resolution)
            _set_path(body, wire.resolution_field, tier)
        if wire.delivery_field and wire.delivery:
            _set_path(body, wire.delivery_field, wire.delivery)
        if wire.seed_field and fitted.seed is not None:
            _set_path(body, wire.seed_field, fitted.seed)
        format_ = body.get("response_format")
        if isinstance(format_, dict):
            body["response_format"] = {"type": "video", **format_}
        _merge_under(body, fitted.options)
        return body

    # -- responses -------------------------------------------------------------------------

    def operation_job(self, body: Any, response: httpx.Response) -> Job:
        """The job a long-running operation describes."""
        try:
            operation = _wire.read_operation(body)
        except ValueError as exc:
            raise ProtocolError(
                f"{self.name} sent an operation vidgen cannot read: {exc}",
                provider=self.name,
                body=body,
            ) from exc
        status = JobStatus.RUNNING
        error = None
        outputs: tuple[Output, ...] = ()
        completed = None
        expires = None
        if operation.done is None:
            status = JobStatus.UNKNOWN
        elif operation.done:
            completed = operation.updated
            if operation.error is not None:
                status = JobStatus.FAILED
                error = JobError(
                    code=_failure_code(operation.error),
                    message=operation.error.message
                    or "the operation failed; Google gave no reason",
                    provider_code=operation.error.status
                    or (str(operation.error.code) if operation.error.code is not None else None),
                )
            elif operation.videos:
                status = JobStatus.SUCCEEDED
                base = operation.updated or operation.created
                if base is not None and self.output_retention is not None:
                    expires = base + self.output_retention
                outputs = self._outputs(operation.videos, expires)
            else:
                status = JobStatus.FAILED
                error = self._no_video_error(operation)
        model = _MODEL_IN_NAME.search(operation.name)
        try:
            progress = percent(operation.progress)
        except ValueError:
            progress = None
        return Job(
            id=operation.name,
            provider=self.name,
            model=model.group(1) if model else None,
            status=status,
            progress=100 if status is JobStatus.SUCCEEDED else progress,
            created_at=operation.created,
            completed_at=completed,
            expires_at=expires,
            outputs=outputs,
            error=error,
            profile=self.profile,
            request_id=request_id_from(response, *self.request_id_headers),
            raw=_scrub(body),
        )

    def _no_video_error(self, operation: _wire.Operation) -> JobError:
        if operation.filtered_reasons or operation.filtered_count:
            reasons = "; ".join(operation.filtered_reasons) or "no reason given"
            count = operation.filtered_count
            what = f"{count} video(s)" if count else "the video"
            return JobError(
                code="content_policy",
                message=f"Google's safety filters (Responsible AI) removed {what}: {reasons}",
                provider_code="raiMediaFiltered",
            )
        return JobError(
            code="generation_failed",
            message="the operation finished without a video and Google gave no reason",
        )

    def _outputs(
        self, videos: Sequence[_wire.Video], expires: dt.datetime | None
    ) -> tuple[Output, ...]:
        outputs = []
        for index, video in enumerate(videos):
            if video.uri is not None:
                outputs.append(
                    Output(
                        kind="video",
                        url=self.output_url(video.uri),
                        index=index,
                        expires_at=expires,
                    )
                )
            else:
                outputs.append(Output(kind="video", ref=f"{INLINE_REF}{index}", index=index))
        return tuple(outputs)

    def output_url(self, uri: str) -> str:
        """An output URI as a URL; a bare Files API name (``files/abc``) becomes its
        download URL on the API's own origin."""
        if self.base_url and _FILE_NAME.match(uri):
            name, _, query = uri.partition("?")
            if not name.endswith(":download"):
                name += ":download"
            return self.url(f"{name}?{query or 'alt=media'}")
        return uri

    def interaction_job(self, body: Any, response: httpx.Response) -> Job:
        """The job an interaction describes."""
        try:
            interaction = _wire.read_interaction(body)
        except ValueError as exc:
            raise ProtocolError(
                f"{self.name} sent an interaction vidgen cannot read: {exc}",
                provider=self.name,
                body=body,
            ) from exc
        wire_status = interaction.status or ""
        status = _INTERACTION_STATUSES.get(wire_status, JobStatus.UNKNOWN)
        error = None
        outputs: tuple[Output, ...] = ()
        if status is JobStatus.SUCCEEDED:
            if interaction.videos:
                outputs = self._outputs(interaction.videos, None)
            else:
                status = JobStatus.FAILED
                error = JobError(
                    code="generation_failed",
                    message=(
                        "the interaction completed without a video (Google's safety filters "
                        "may have removed it); Google gave no reason"
                    ),
                    provider_code="completed_without_video",
                )
        elif status is JobStatus.FAILED:
            code, text = _INTERACTION_FAILURES.get(
                wire_status, ("generation_failed", "the interaction failed")
            )
            detail = interaction.error
            if detail is not None and detail.message:
                text = f"{text}: {detail.message}"
                if code == "generation_failed":
                    code = _failure_code(detail)
            error = JobError(code=code, message=text, provider_code=wire_status)
        return Job(
            id=interaction.id,
            provider=self.name,
            model=interaction.model,
            status=status,
            progress=100 if status is JobStatus.SUCCEEDED else None,
            created_at=interaction.created,
            completed_at=interaction.updated if status.is_terminal else None,
            outputs=outputs,
            error=error,
            profile=self.profile,
            request_id=request_id_from(response, *self.request_id_headers),
            usage=self._usage(interaction),
            raw=_scrub(body),
        )

    def _usage(self, interaction: _wire.Interaction) -> Usage | None:
        counts = {
            "video output": interaction.video_tokens,
            "output": interaction.output_tokens,
            "input": interaction.input_tokens,
            "total": interaction.total_tokens,
        }
        known = {name: count for name, count in counts.items() if count is not None}
        if not known:
            return None
        billed = (
            interaction.video_tokens
            if interaction.video_tokens is not None
            else interaction.output_tokens
        )
        note = "tokens Google counted (" + ", ".join(f"{n}: {c:,}" for n, c in known.items()) + ")"
        return Usage(tokens=billed, note=note)

    def inline_output(self, job: Job, index: int = 0) -> bool:
        """Whether output ``index`` came back inline (``ref="inline:N"``), not as a URL."""
        output = next((o for o in job.outputs if o.index == index), None)
        return output is not None and output.url is None and (output.ref or "").startswith(INLINE_REF)

    def read_inline_output(self, response: httpx.Response, job: Job, index: int = 0) -> bytes:
        """The bytes of an output Google returned inline, from a fresh read of the job.

        vidgen drops inline base64 from ``Job.raw`` (a ledger stores every state it sees),
        so the bytes come from reading the job again: the core's download does that when
        `inline_output` says so, and saves the bytes atomically.

        Raises:
            UnsupportedRequest: the job has no inline output ``index``.
            ProtocolError: the answer is unreadable or the base64 is damaged.
        """
        self.raise_for_error(response)
        body = read_body(response, self.name)
        try:
            if is_operation(job.id):
                videos = _wire.read_operation(body).videos
            else:
                videos = _wire.read_interaction(body).videos
        except ValueError as exc:
            raise ProtocolError(f"{self.name}: {exc}", provider=self.name, body=None) from exc
        if not 0 <= index < len(videos) or videos[index].data is None:
            raise UnsupportedRequest(
                f"{self.name} job {job.id} has no inline output {index}",
                param="index",
                value=index,
                provider=self.name,
            )
        try:
            return base64.b64decode(videos[index].data or "", validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ProtocolError(
                f"{self.name} sent inline video bytes that are not valid base64",
                provider=self.name,
            ) from exc

    # -- downloads -------------------------------------------------------------------------

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        """``GET`` the output's URL; the credentials go only to Google's own API origin.

        Raises:
            UnsupportedRequest: the output came back inline, or is a ``gs://`` object.
        """
        self.check_variant(variant, ("video",))
        output = next((o for o in job.outputs if o.index == index), None)
        if output is None:
            raise UnsupportedRequest(
                f"{self.name} job {job.id} has {len(job.outputs)} output(s); index {index} "
                "does not exist",
                param="index",
                value=index,
                supported=[o.index for o in job.outputs],
                provider=self.name,
            )
        if output.url is None:
            raise UnsupportedRequest(
                self.inline_refusal(job, index), param="index", value=index, provider=self.name
            )
        url = output.url
        if url.startswith("gs://"):
            raise UnsupportedRequest(
                f"{self.name} job {job.id}: output {index} is the Cloud Storage object {url}, in "
                "the bucket you named with storage_uri; vidgen downloads over https only and "
                f"sends no Cloud Storage credentials. Fetch it with `gcloud storage cp {url} .`",
                param="index",
                value=index,
                provider=self.name,
            )
        if not url.startswith("https://"):
            raise ProtocolError(
                f"{self.name} job {job.id}: output {index} is not an https URL; refusing to "
                "download it",
                provider=self.name,
            )
        if self.base_url and same_origin(url, self.base_url):
            headers = self.headers()
        else:
            headers = {"User-Agent": USER_AGENT}
        return httpx.Request("GET", url, headers=headers)

    def inline_refusal(self, job: Job, index: int) -> str:
        """Why an inline output cannot be downloaded, and what to do instead."""
        return (
            f"{self.name} job {job.id}: Google returned output {index} inline (base64 inside "
            "the job's JSON), and this vidgen downloads URLs only"
        )

    # -- errors ----------------------------------------------------------------------------

    def parse_error(self, response: httpx.Response) -> ProviderError:
        """The neutral error for a ``google.rpc``-style error body (or any other)."""
        try:
            body: Any = json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = response.content[:2000].decode("utf-8", "replace")
        if isinstance(body, list) and body and isinstance(body[0], Mapping):
            body = body[0]  # the streaming endpoints wrap the error in a list
        status = _wire.read_status(body.get("error")) if isinstance(body, Mapping) else None
        status = status or _wire.RpcStatus()
        cls = self.classify_error(response.status_code, status)
        message = status.message
        if not message:
            text = body if isinstance(body, str) else json.dumps(body)[:300]
            message = f"HTTP {response.status_code} {response.reason_phrase}".strip()
            if text.strip():
                message += f": {text.strip()[:300]}"
        kwargs: dict[str, Any] = {
            "provider": self.name,
            "status_code": response.status_code,
            "provider_code": status.reasons[0] if status.reasons else status.status,
            "request_id": request_id_from(response, *self.request_id_headers),
            "hint": self.error_hint(cls),
            "body": body,
        }
        if issubclass(cls, RateLimited):
            hinted = parse_retry_after(response.headers)
            kwargs["retry_after"] = hinted if hinted is not None else status.retry_delay
        return cls(message, **kwargs)

    def classify_error(self, status_code: int, status: _wire.RpcStatus) -> type[ProviderError]:
        """The error class for an HTTP status and its ``google.rpc.Status``."""
        words = _words(status.message, *status.reasons)
        if (
            any(reason in status.reasons for reason in _AUTH_REASONS)
            or status.status == "UNAUTHENTICATED"
        ):
            return AuthenticationError
        if any(word in words for word in _POLICY_WORDS):
            return ContentPolicyViolation
        if any(word in words for word in _BILLING_WORDS):
            return InsufficientCredits
        if status.status is not None and status.status in _STATUS_ERRORS and status_code >= 400:
            return _STATUS_ERRORS[status.status]
        return error_class_for_status(status_code)

    def error_hint(self, cls: type[ProviderError]) -> str | None:
        """What the user can do about an error of class ``cls``."""
        hints: dict[type[ProviderError], str] = {
            AuthenticationError: self.auth_hint(),
            PermissionDenied: (
                "The project may not have access to this model, or the API is not enabled "
                "for it, or your region is not served"
            ),
            InsufficientCredits: "Enable billing on the project, or add prepaid credit",
            RateLimited: "Wait and try again (vidgen retries reads and rate-limited submits itself)",
            ContentPolicyViolation: (
                "Google's safety filters refused the prompt or image; change it (the "
                "personGeneration option also limits people in the video)"
            ),
            NotFound: (
                "Check the model id (the Veo 3.1 preview ids were shut down on 2026-10-22) "
                "and the job id"
            ),
            InvalidRequest: (
                "Change the request as the message says; `vidgen models` lists what each "
                "model accepts"
            ),
            ServerError: "Google failed; try again later",
        }
        for klass in cls.__mro__:
            if klass in hints:
                return hints[klass]
        return None

    def auth_hint(self) -> str:
        """How to fix a refused credential."""
        return f"Check the key in {self.key_env or 'api_key'}"
