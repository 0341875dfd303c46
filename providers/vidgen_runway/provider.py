"""The ``runway`` provider: Runway's API (``/v1/text_to_video``, ``/v1/image_to_video``, tasks).

Runway hosts its own models (Gen-4.5, Gen-4 Turbo) and other makers' (Veo 3.1, Seedance,
Gemini Omni, HappyHorse) behind one task API. Every request carries
``X-Runway-Version: 2024-11-06``. A create answers ``{"id"}``; ``GET /v1/tasks/{id}``
reports ``PENDING``, ``THROTTLED`` (waiting for a concurrency slot), ``RUNNING`` (with a
progress from 0 to 1), ``SUCCEEDED`` (with output URLs that expire within 24 to 48 hours;
reading the task again gives fresh ones), ``FAILED`` (with a dotted ``failureCode``) or
``CANCELLED``. ``DELETE /v1/tasks/{id}`` cancels a queued or running task, and deletes a
finished one with its outputs, so vidgen sends it as a cancel only for a job last seen
queued or running.

The size of a video is sent as ``ratio``, a pixel string per model (``"1280:720"``), from
the catalog's ``wire.ratio`` table. Runway has no webhooks.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import cattrs
import httpx

from vidgen import (
    AuthenticationError,
    ConfigError,
    ContentExpired,
    ContentPolicyViolation,
    InsufficientCredits,
    InvalidRequest,
    Job,
    JobError,
    JobStatus,
    Output,
    PollPolicy,
    ProtocolError,
    ProviderError,
    RateLimited,
    UnsupportedRequest,
    Usage,
)
from vidgen.provider import (
    USER_AGENT,
    Provider,
    error_body,
    error_class_for_status,
    parse_retry_after,
    percent,
    quote_segment,
    read_json,
    request_id_from,
    same_origin,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from vidgen import Fitted, ModelSpec, Reference, SizeSpec

__all__ = ["RunwayProvider"]

API_VERSION = "2024-11-06"
#: A data URI may have this many characters (Runway's API reference).
MAX_DATA_URI = 5_242_880
#: An https URL may have this many characters.
MAX_URL = 2048
#: $0.01 per credit (a third-party figure; Runway's pricing page gives credits only).
CREDIT_USD = Decimal("0.01")

_ENDPOINTS = ("text_to_video", "image_to_video")
_THRESHOLDS = ("auto", "low")

# failureCode families (docs.dev.runwayml.com/errors/task-failures): the neutral code and
# what to do, by the code's first segments.
_FAILURES: tuple[tuple[str, str, str], ...] = (
    (
        "SAFETY.INPUT",
        "content_policy",
        "Runway's moderation refused an input (prompt or image); change it. Runway says not "
        "to retry these, and does not refund them",
    ),
    (
        "SAFETY.OUTPUT",
        "content_policy",
        "Runway's moderation refused the generated video; try another prompt or seed",
    ),
    ("SAFETY", "content_policy", "Runway's moderation refused the task; change the prompt"),
    (
        "INTERNAL.BAD_OUTPUT",
        "server_error",
        "Runway's checks rejected the generated video; submitting again may work",
    ),
    ("INTERNAL", "server_error", "Runway failed; submitting again may work"),
    ("ASSET.INVALID", "generation_failed", "Runway could not use an input; fix the image"),
)


class RunwayProvider(Provider):
    """Runway's API.

    Settings:
        api_key: the key (default ``$RUNWAYML_API_SECRET``).
        base_url: another API root (default ``https://api.dev.runwayml.com``).
        models: catalog overrides.
        api_version: the ``X-Runway-Version`` header (default ``2024-11-06``, the only
            version Runway's API has).
        public_figure_threshold: ``"auto"`` or ``"low"`` (less strict about recognizable
            public figures), sent as ``contentModeration`` to the models that take it.
    """

    name = "runway"
    display_name = "Runway"
    api_key_env = "RUNWAYML_API_SECRET"
    default_base_url = "https://api.dev.runwayml.com"
    catalog_package = "vidgen_runway"
    docs_url = "docs/providers/runway.md"
    #: DELETE cancels a running task and deletes a finished one: vidgen reads first.
    cancel_deletes_finished: ClassVar[bool] = True
    #: Each read of a task signs its output links afresh.
    outputs_refreshable: ClassVar[bool] = True
    reserved_options: ClassVar[frozenset[str]] = frozenset(
        {
            "model",
            "promptText",
            "promptImage",
            "ratio",
            "resolution",
            "duration",
            "seed",
            "audio",
            "negativePrompt",
            "references",
        }
    )
    #: "Consumers of this API should not expect updates more frequent than once every
    #: five seconds for a given task."
    default_poll: ClassVar[PollPolicy | None] = PollPolicy(initial=5.0, factor=1.5, maximum=30.0)
    #: Output URLs "expire within 24-48 hours": the short end, counted from the answer
    #: that carried them.
    output_retention: ClassVar[dt.timedelta] = dt.timedelta(hours=24)
    status_map: ClassVar[Mapping[str, JobStatus]] = {
        "PENDING": JobStatus.QUEUED,
        "THROTTLED": JobStatus.QUEUED,
        "RUNNING": JobStatus.RUNNING,
        "SUCCEEDED": JobStatus.SUCCEEDED,
        "FAILED": JobStatus.FAILED,
        "CANCELLED": JobStatus.CANCELLED,
    }

    def __init__(
        self,
        *,
        api_key: str | None = None,
        api_key_env: str | None = None,
        base_url: str | None = None,
        models: Iterable[Mapping[str, Any]] = (),
        profile: str | None = None,
        api_version: str = API_VERSION,
        public_figure_threshold: str | None = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            api_key_env=api_key_env,
            base_url=base_url,
            models=models,
            profile=profile,
        )
        if not isinstance(api_version, str) or not api_version.strip():
            raise ConfigError(f"runway: api_version must be a date string like {API_VERSION!r}")
        if public_figure_threshold not in (None, *_THRESHOLDS):
            raise ConfigError(
                f"runway: public_figure_threshold must be 'auto' or 'low', "
                f"not {public_figure_threshold!r}"
            )
        self.api_version = api_version.strip()
        self.public_figure_threshold = public_figure_threshold

    def headers(self, **extra: str) -> dict[str, str]:
        """Every API request carries the key and ``X-Runway-Version``."""
        return super().headers(**{"X-Runway-Version": self.api_version, **extra})

    # -- fit ------------------------------------------------------------------------------

    def check_fitted(self, fitted: Fitted, policy: str) -> Fitted:
        """What Runway's endpoints refuse, refused before any HTTP.

        The endpoint (text or image), the size's ratio on that endpoint, a last frame
        without a first one, references mixed with frames, https-only URLs and the data
        URI limit, and the prompt in UTF-16 code units.
        """
        spec, request = fitted.spec, fitted.request
        wire = _Wire.of(spec)
        endpoint = "image_to_video" if request.reference is not None else "text_to_video"

        def refuse(param: str, value: Any, supported: Any, message: str) -> None:
            raise UnsupportedRequest(
                f"{self.name} model {spec.id}: {message}",
                param=param,
                value=value,
                supported=tuple(supported),
                provider=self.name,
                model=spec.id,
            )

        if endpoint not in wire.endpoints:
            if endpoint == "text_to_video":
                refuse(
                    "reference",
                    None,
                    ["image"],
                    "it makes videos only from an image: give a first frame "
                    "(reference=vidgen.Reference.from_path(...))",
                )
            refuse("reference", "image", [], "it takes no first frame; leave reference unset")
        if endpoint == "text_to_video" and fitted.size not in wire.text_sizes:
            offered = [s for s in spec.sizes if s.size in wire.text_sizes]
            reason = (
                f"{fitted.size} ({fitted.aspect}) is offered only from a first frame; without "
                "one it renders " + ", ".join(f"{s.size} ({s.aspect})" for s in offered)
            )
            if policy == "strict" or not offered:
                refuse("aspect", fitted.aspect, sorted({s.aspect for s in offered}), reason)
            fitted = _nearest_size(fitted, offered, reason)
        if request.last_frame is not None and request.reference is None:
            refuse(
                "last_frame",
                "image",
                [],
                "Runway takes a last frame only together with a first frame",
            )
        if request.references and request.reference is not None:
            refuse(
                "references",
                len(request.references),
                [0],
                "Runway does not mix reference images with a first frame; send one or the other",
            )
        if wire.image_ratio or endpoint == "text_to_video":
            wire.ratio_for(fitted.size, spec.id)
        else:
            wire.image_resolution_for(fitted.resolution, spec.id)
        for name, image in (
            ("reference", request.reference),
            ("last_frame", request.last_frame),
            *(("references", image) for image in request.references),
        ):
            if image is not None:
                self._check_image(name, image, spec.id)
        limit = spec.max_prompt_chars
        units = len(request.prompt.encode("utf-16-le")) // 2
        if limit is not None and units > limit:
            refuse(
                "prompt",
                units,
                [limit],
                f"the prompt is {units} UTF-16 code units long; Runway takes at most {limit} "
                "(characters outside the Basic Multilingual Plane, such as emoji, count twice)",
            )
        options = fitted.options
        if "contentModeration" in options and not wire.content_moderation:
            refuse(
                "provider_options.runway.contentModeration",
                options["contentModeration"],
                [],
                "it takes no contentModeration (Gen-4.5 and Gen-4 Turbo do)",
            )
        if endpoint == "image_to_video" and not wire.image_ratio:
            image = request.reference
            if image is not None and image.width and image.height and request.aspect:
                shape = f"{image.width}x{image.height}"
                if fitted.aspect != _aspect(image.width, image.height):
                    return attrs.evolve(
                        fitted,
                        warnings=(
                            *fitted.warnings,
                            f"{spec.id} makes the video in the first frame's shape ({shape}), "
                            f"not {fitted.aspect}; only the resolution is sent",
                        ),
                    )
        return fitted

    def _check_image(self, name: str, image: Reference, model: str) -> None:
        if image.url is not None:
            url = httpx.URL(image.url)
            if url.scheme != "https" or len(image.url) > MAX_URL:
                raise UnsupportedRequest(
                    f"{self.name} model {model}: Runway fetches images only over https, from "
                    f"URLs of at most {MAX_URL} characters; host it there or pass the file",
                    param=name,
                    value=image.url[:100],
                    provider=self.name,
                    model=model,
                )
            return
        size = len(image.data_url())
        if size > MAX_DATA_URI:
            raise UnsupportedRequest(
                f"{self.name} model {model}: the {name.replace('_', ' ')} is {size:,} characters "
                f"as a data URI; Runway takes at most {MAX_DATA_URI:,} (about 3.9 MB of image). "
                "Compress it, or host it and pass Reference.from_url(...)",
                param=name,
                value=size,
                supported=[MAX_DATA_URI],
                provider=self.name,
                model=model,
            )

    # -- requests -----------------------------------------------------------------------

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        """``POST /v1/text_to_video``, or ``/v1/image_to_video`` with a first frame."""
        spec, request = fitted.spec, fitted.request
        wire = _Wire.of(spec)
        endpoint = "image_to_video" if request.reference is not None else "text_to_video"
        body: dict[str, Any] = {
            "model": fitted.model,
            "promptText": request.prompt,
            "duration": fitted.seconds,
        }
        if endpoint == "text_to_video" or wire.image_ratio:
            body["ratio"] = wire.ratio_for(fitted.size, spec.id)
        else:
            body["resolution"] = wire.image_resolution_for(fitted.resolution, spec.id)
        if request.reference is not None:
            first = _uri(request.reference)
            if request.last_frame is not None:
                body["promptImage"] = [
                    {"uri": first, "position": "first"},
                    {"uri": _uri(request.last_frame), "position": "last"},
                ]
            else:
                body["promptImage"] = first
        if request.references:
            body["references"] = [{"uri": _uri(image)} for image in request.references]
        if fitted.seed is not None:
            body["seed"] = fitted.seed
        if spec.audio_optional and fitted.audio is not None:
            body["audio"] = fitted.audio
        if fitted.negative_prompt:
            body["negativePrompt"] = fitted.negative_prompt
        if wire.content_moderation and self.public_figure_threshold is not None:
            body["contentModeration"] = {"publicFigureThreshold": self.public_figure_threshold}
        body.update(fitted.options)
        return httpx.Request("POST", self.url(f"v1/{endpoint}"), headers=self.headers(), json=body)

    def build_status(self, job: Job) -> httpx.Request:
        """``GET /v1/tasks/{id}``."""
        return httpx.Request(
            "GET", self.url(f"v1/tasks/{quote_segment(job.id)}"), headers=self.headers()
        )

    def build_cancel(self, job: Job) -> httpx.Request:
        """``DELETE /v1/tasks/{id}``, for a job last seen queued or running only.

        Runway's DELETE deletes a finished task and its outputs, so a job whose state is
        unknown (known by its id alone) or already finished is refused here: read it
        first (``client.get(job_id)``) and cancel the job that returns.
        """
        if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
            raise UnsupportedRequest(
                f"{self.name}: job {job.id} is {job.status.value}, not queued or running. "
                "Runway's cancel (DELETE /v1/tasks/{id}) deletes a finished task and its "
                "video, so vidgen cancels only a job last seen queued or running: read it "
                "first (client.get(job_id)) and cancel the Job that returns; to delete a "
                "finished one on purpose, use client.delete(job)",
                param="job",
                value=job.status.value,
                supported=(JobStatus.QUEUED.value, JobStatus.RUNNING.value),
                provider=self.name,
            )
        return self.build_delete(job)

    def parse_cancel(self, response: httpx.Response, job: Job) -> Job | None:
        """The job, cancelled. Runway keeps no record of a cancelled task (a later read
        answers 404), so the state is not read back."""
        self.raise_for_error(response)
        return attrs.evolve(
            job,
            status=JobStatus.CANCELLED,
            progress=None,
            request_id=request_id_from(response) or job.request_id,
        )

    def build_delete(self, job: Job) -> httpx.Request:
        """``DELETE /v1/tasks/{id}``: cancels a running task, deletes a finished one."""
        return httpx.Request(
            "DELETE", self.url(f"v1/tasks/{quote_segment(job.id)}"), headers=self.headers()
        )

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        """A plain GET of the output URL (a signed link on Runway's CDN): no key goes there.

        The link is the one from the last time the task was read. Runway's links expire
        within 24-48 hours; downloading by job id (``client.download(job.id, ...)``,
        ``vidgen download``) reads the task first and gets a fresh one.
        """
        self.check_variant(variant, ("video",))
        url = httpx.URL(self.output(job, index, field="url"))
        if url.scheme != "https":
            raise ProtocolError(
                f"{self.name} returned an output URL that is not https; refusing to download it",
                provider=self.name,
                body=str(url),
            )
        if self.base_url and same_origin(url, self.base_url):
            return httpx.Request("GET", url, headers=self.headers())
        return httpx.Request("GET", url, headers={"User-Agent": USER_AGENT})

    # -- responses ----------------------------------------------------------------------

    def parse_submit(self, response: httpx.Response) -> Job:
        """The created task (queued): ``{"id": "<uuid>"}``."""
        from . import _wire

        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        try:
            created = _wire.converter.structure(body, _wire.Created)
            if not created.id:
                raise ValueError("the task id is empty")
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            raise ProtocolError(
                f"{self.name} answered the create without a task id: {exc}",
                provider=self.name,
                body=body,
            ) from exc
        return Job(
            id=created.id,
            provider=self.name,
            status=JobStatus.QUEUED,
            profile=self.profile,
            request_id=request_id_from(response),
            raw=dict(body),
        )

    def parse_status(self, response: httpx.Response) -> Job:
        """The task's state, progress, outputs (with their expiry) and failure."""
        from . import _wire

        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        try:
            task = _wire.converter.structure(body, _wire.Task)
            if not task.id:
                raise ValueError("the task id is empty")
            created_at = _iso_time(task.createdAt)
            progress = None
            if task.progress is not None:
                if not math.isfinite(task.progress):
                    raise ValueError(f"progress {task.progress!r} is not a number")
                progress = percent(task.progress * 100)
        except (cattrs.BaseValidationError, ValueError, TypeError, OverflowError) as exc:
            raise ProtocolError(
                f"{self.name} sent a task vidgen cannot read: {exc}",
                provider=self.name,
                body=body,
            ) from exc
        status = self.status_map.get((task.status or "").upper(), JobStatus.UNKNOWN)
        outputs: tuple[Output, ...] = ()
        expires_at = None
        if status is JobStatus.SUCCEEDED:
            # The links were issued for this answer: 24 h from its Date (or, without one,
            # from the task's creation, which is earlier still).
            issued = _answer_time(response) or created_at
            expires_at = issued + self.output_retention if issued else None
            outputs = tuple(
                Output(kind="video", url=url, index=i, expires_at=expires_at)
                for i, url in enumerate(task.output or ())
            )
        return Job(
            id=task.id,
            provider=self.name,
            status=status,
            progress=progress if status is JobStatus.RUNNING else None,
            created_at=created_at,
            expires_at=expires_at,
            outputs=outputs,
            error=_failure(task) if status is JobStatus.FAILED else None,
            profile=self.profile,
            request_id=request_id_from(response),
            usage=_usage(task.cost),
            raw=dict(body),
        )

    def parse_error(self, response: httpx.Response) -> ProviderError:
        """``{"error": "<explanation>", "issues"?: [...]}`` by HTTP status.

        Runway documents 400 (bad input: don't retry), 401, 404 and 405 (don't retry),
        429 (too many requests, or the daily generation cap) and 502/503/504 (shedding
        load: retry with backoff and jitter).
        """
        body: Any = error_body(response)
        message = None
        issues: list[str] = []
        if isinstance(body, Mapping):
            error = body.get("error")
            if isinstance(error, str) and error.strip():
                message = error.strip()
            elif isinstance(error, Mapping) and isinstance(error.get("message"), str):
                message = error["message"]
            raw_issues = body.get("issues")
            if isinstance(raw_issues, list):
                issues = [_issue(item) for item in raw_issues[:5]]
        if message is None:
            message = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        if issues:
            message = f"{message}: {'; '.join(issue for issue in issues if issue)}"
        status = response.status_code
        cls = error_class_for_status(status)
        lowered = message.lower()
        hint = None
        if (
            status == 400
            and "credit" in lowered
            and ("enough" in lowered or "insufficient" in lowered)
        ):
            cls, hint = InsufficientCredits, "Buy credits in the Runway developer portal"
        elif status == 400 and ("moderation" in lowered or "safety" in lowered):
            cls = ContentPolicyViolation
        elif status == 405:
            cls = InvalidRequest
        elif cls is AuthenticationError:
            hint = "Check RUNWAYML_API_SECRET (keys are made at https://dev.runwayml.com)"
        elif cls is RateLimited:
            hint = (
                "Too many requests, or the daily generation limit of your tier (a rolling "
                "24 hours) was reached"
            )
        kwargs: dict[str, Any] = {
            "provider": self.name,
            "status_code": status,
            "request_id": request_id_from(response),
            "hint": hint,
            "body": body,
        }
        if issubclass(cls, RateLimited):
            kwargs["retry_after"] = parse_retry_after(response.headers)
        return cls(message, **kwargs)

    def parse_download_error(
        self, response: httpx.Response, job: Job, now: dt.datetime
    ) -> ProviderError:
        """A refused link on Runway's CDN means it expired: read the task for a fresh one."""
        error = super().parse_download_error(response, job, now)
        try:
            host_is_api = bool(self.base_url) and same_origin(response.request.url, self.base_url)
        except RuntimeError:
            host_is_api = False
        if response.status_code in (401, 403, 404, 410) and not host_is_api:
            return ContentExpired(
                f"the output link of {self.name} job {job.id} was refused "
                f"(HTTP {response.status_code}); Runway's links expire within 24-48 hours",
                provider=self.name,
                status_code=response.status_code,
                request_id=error.request_id,
                hint=(
                    f"Download by job id (client.download('{job.id}', ...) or `vidgen download "
                    f"{job.id}`): vidgen reads the task again and Runway issues a fresh link, "
                    "as long as it still keeps the task"
                ),
                body=error.body,
            )
        return error


# -- the wire table ------------------------------------------------------------------------


@attrs.frozen
class _Wire:
    """A model's ``wire`` table, checked (users add models in vidgen.toml)."""

    model: str
    ratio: Mapping[str, str]
    text_sizes: frozenset[str]
    endpoints: frozenset[str]
    image_ratio: bool
    image_resolution: Mapping[str, str]
    content_moderation: bool

    @classmethod
    def of(cls, spec: ModelSpec) -> _Wire:
        """The checked wire table of ``spec``.

        Raises:
            ConfigError: a key has the wrong type or names an unknown endpoint.
        """
        wire = spec.wire
        where = f"runway model {spec.id}: wire"
        ratio = wire.get("ratio", {})
        if not _string_table(ratio):
            raise ConfigError(
                f"{where}.ratio must map sizes to Runway's ratio strings, e.g. "
                '{"1280x720" = "1280:720"}'
            )
        image_resolution = wire.get("image_resolution", {})
        if not _string_table(image_resolution):
            raise ConfigError(
                f"{where}.image_resolution must map tiers to Runway's names, e.g. "
                '{"720p" = "720p"}'
            )
        sizes = [s.size for s in spec.sizes]
        text_sizes = wire.get("text_sizes", sizes)
        endpoints = wire.get("endpoints", list(_ENDPOINTS))
        for key, value, allowed in (
            ("text_sizes", text_sizes, None),
            ("endpoints", endpoints, _ENDPOINTS),
        ):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}.{key} must be a list of strings")
            if allowed is not None and not set(value) <= set(allowed):
                raise ConfigError(f"{where}.{key} may name only {', '.join(allowed)}")
        flags = {}
        for key, default in (("image_ratio", True), ("content_moderation", False)):
            value = wire.get(key, default)
            if not isinstance(value, bool):
                raise ConfigError(f"{where}.{key} must be true or false")
            flags[key] = value
        return cls(
            model=spec.id,
            ratio=dict(ratio),
            text_sizes=frozenset(text_sizes),
            endpoints=frozenset(endpoints),
            image_ratio=flags["image_ratio"],
            image_resolution=dict(image_resolution),
            content_moderation=flags["content_moderation"],
        )

    def ratio_for(self, size: str, model: str) -> str:
        """The ``ratio`` string for ``size``.

        Raises:
            ConfigError: the wire table has none (a user-added model needs one per size).
        """
        ratio = self.ratio.get(size)
        if ratio is None:
            raise ConfigError(
                f"runway model {model}: wire.ratio has no entry for {size}; add "
                f'"{size}" = "<Runway\'s ratio string>" to the model\'s wire.ratio table'
            )
        return ratio

    def image_resolution_for(self, tier: str, model: str) -> str:
        """The ``resolution`` string an image-to-video request sends for ``tier``."""
        value = self.image_resolution.get(tier)
        if value is None:
            raise ConfigError(
                f"runway model {model}: wire.image_resolution has no entry for {tier}"
            )
        return value


def _nearest_size(fitted: Fitted, offered: list[SizeSpec], reason: str) -> Fitted:
    """The fitted request moved to the offered size nearest in shape (then in tier)."""
    from vidgen import Adjustment

    def distance(size: SizeSpec) -> tuple[float, int]:
        shape = abs(math.log(_ratio(size.aspect) / _ratio(fitted.aspect)))
        return shape, abs(int(size.resolution[:-1]) - int(fitted.resolution[:-1]))

    chosen = min(offered, key=distance)
    return attrs.evolve(
        fitted,
        size=chosen.size,
        aspect=chosen.aspect,
        resolution=chosen.resolution,
        warnings=(
            *fitted.warnings,
            f"aspect {fitted.aspect!r} changed to {chosen.aspect!r}: {reason}",
        ),
        adjustments=(
            *fitted.adjustments,
            Adjustment(field="aspect", requested=fitted.aspect, sent=chosen.aspect, reason=reason),
        ),
    )


def _ratio(aspect: str) -> float:
    width, height = aspect.split(":")
    return int(width) / int(height)


def _string_table(value: Any) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


# -- helpers -------------------------------------------------------------------------------


def _uri(image: Reference) -> str:
    """An image as Runway takes it: its https URL, or a base64 ``data:`` URI."""
    return image.url if image.url is not None else image.data_url()


def _aspect(width: int, height: int) -> str:
    from vidgen import SizeSpec

    return SizeSpec.from_size(f"{width}x{height}").aspect


def _iso_time(value: str | None) -> dt.datetime | None:
    """``2024-06-27T19:49:32.335Z`` as an aware datetime (None when unreadable)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None  # informational only: a paid task's state matters more than its date
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)


def _answer_time(response: httpx.Response) -> dt.datetime | None:
    """When the answer was sent, from its ``Date`` header (None without a usable one)."""
    value = response.headers.get("date")
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)


def _failure(task: Any) -> JobError:
    """A failed task's neutral error, by its ``failureCode`` family."""
    code = task.failureCode
    reason = task.failure or "Runway gave no reason"
    for prefix, neutral, advice in _FAILURES:
        if code and (code == prefix or code.startswith(prefix + ".")):
            return JobError(code=neutral, message=f"{reason} ({advice})", provider_code=code)
    return JobError(code="generation_failed", message=reason, provider_code=code)


def _usage(cost: Any) -> Usage | None:
    """The task's reported final cost in credits, where it reports one."""
    if isinstance(cost, Mapping):
        cost = cost.get("credits")
    if isinstance(cost, bool) or not isinstance(cost, (int, float, str)):
        return None
    try:
        credits = Decimal(str(cost))
    except InvalidOperation:
        return None
    if not credits.is_finite() or credits < 0:
        return None
    return Usage(
        cost=credits * CREDIT_USD,
        currency="USD",
        units=credits,
        note="Runway's reported cost in credits, at $0.01 per credit",
    )


def _issue(item: Any) -> str:
    """One entry of a 400's ``issues`` as text."""
    if isinstance(item, Mapping):
        path = item.get("path")
        text = item.get("message")
        where = ".".join(str(p) for p in path) if isinstance(path, list) else ""
        if isinstance(text, str):
            return f"{where}: {text}" if where else text
    return str(item)[:200]
