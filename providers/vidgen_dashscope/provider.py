"""The ``dashscope`` provider: Alibaba Cloud Model Studio (DashScope), Wan video models.

* Auth: ``Authorization: Bearer $DASHSCOPE_API_KEY``; a key works only in its own region
  (international/Singapore, mainland China/Beijing, US/Virginia: the ``region`` setting).
* Create: ``POST /api/v1/services/aigc/video-generation/video-synthesis`` with
  ``X-DashScope-Async: enable`` (without it the call is refused), body
  ``{model, input: {prompt, ...}, parameters: {...}}``. Text-to-video, image-to-video and
  reference-to-video are different model ids (``wan2.6-t2v``, ``wan2.6-i2v``, ...), and
  wan2.6 and wan2.7 shape the request differently (``size: "1280*720"`` and
  ``input.img_url`` against ``resolution: "720P"`` + ``ratio`` and ``input.media[]``). One
  catalog entry per model family; its ``wire`` table names the ids and shapes, and the
  provider picks the id from the request's images.
* Read: ``GET /api/v1/tasks/{task_id}``: PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED,
  and UNKNOWN for an id DashScope does not know, which is every id after 24 hours.
* Errors are ``{request_id, code, message}``, at HTTP 4xx/5xx and sometimes at HTTP 200.
* Outputs (``video_url``, a signed OSS URL) and task ids are kept 24 hours.
* Cancel: ``POST /api/v1/tasks/{task_id}/cancel``, for PENDING tasks only.

Sources: Model Studio's API references (text-to-video, image-to-video, reference-to-video,
task query, error codes), the official dashscope Python SDK, vercel/ai and BerriAI/litellm;
see docs/providers/dashscope.md for what could not be confirmed.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

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
    NotFound,
    Output,
    PermissionDenied,
    ProtocolError,
    ProviderError,
    RateLimited,
    Reference,
    ServerError,
    UnsupportedRequest,
    Usage,
)
from vidgen.provider import (
    USER_AGENT,
    JobPage,
    Provider,
    error_class_for_status,
    finite_seconds,
    from_unix,
    parse_retry_after,
    read_json,
    request_id_from,
)

__all__ = ["REGIONS", "DashscopeProvider"]

if TYPE_CHECKING:
    from vidgen import Fitted, ModelSpec

#: API roots by region (Model Studio's API references). Keys work only in their region.
REGIONS: Mapping[str, str] = {
    "intl": "https://dashscope-intl.aliyuncs.com/api/v1",
    "cn": "https://dashscope.aliyuncs.com/api/v1",
    "us": "https://dashscope-us.aliyuncs.com/api/v1",
}
_CREATE_PATH = "services/aigc/video-generation/video-synthesis"
_UTC8 = dt.timezone(dt.timedelta(hours=8))  # DashScope's timestamps are Beijing time

_REGION_HINT = (
    "keys work only in their own region: set region to 'intl', 'cn' or 'us' to match the "
    "key (or base_url to your workspace endpoint)"
)

# DashScope's error codes (Model Studio, "Error codes"): class, retryable, what to do.
_ERRORS: dict[str, tuple[type[ProviderError], bool, str]] = {
    "InvalidParameter": (InvalidRequest, False, "Fix the request; the message names the field"),
    "BadRequest.EmptyInput": (InvalidRequest, False, "The request has no input"),
    "BadRequest.EmptyParameters": (InvalidRequest, False, "The request has no parameters"),
    "BadRequest.EmptyModel": (InvalidRequest, False, "The request names no model"),
    "InvalidURL": (
        InvalidRequest,
        False,
        "DashScope cannot use a media URL: it must be public http(s)",
    ),
    "BadRequest.InputDownloadFailed": (
        InvalidRequest,
        False,
        "DashScope could not download an input file: host it publicly, or pass the image "
        "as bytes where the model takes them",
    ),
    "BadRequest.UnsupportedFileFormat": (
        InvalidRequest,
        False,
        "DashScope does not take this file format (images: JPEG, PNG, BMP, WEBP)",
    ),
    "UnsupportedOperation": (
        InvalidRequest,
        False,
        "DashScope refused the operation; a task can be cancelled only while it is PENDING",
    ),
    "DataInspectionFailed": (
        ContentPolicyViolation,
        False,
        "DashScope's moderation refused the input or the output: change the prompt or images",
    ),
    "Arrearage": (
        InsufficientCredits,
        False,
        "The Alibaba Cloud account is in arrears: top it up and try again",
    ),
    "PrepaidBillOverdue": (InsufficientCredits, False, "A prepaid bill is overdue: pay it"),
    "PostpaidBillOverdue": (InsufficientCredits, False, "A post-paid bill is overdue: pay it"),
    "CommodityNotPurchased": (
        InsufficientCredits,
        False,
        "Model Studio is not activated (purchased) for this account: activate it in the console",
    ),
    "AllocationQuota.FreeTierOnly": (
        InsufficientCredits,
        False,
        "The free quota is used up and 'use free tier only' is on: switch it off in the Model "
        "Studio console to pay for more",
    ),
    "InvalidApiKey": (AuthenticationError, False, f"Check DASHSCOPE_API_KEY; {_REGION_HINT}"),
    "AccessDenied": (
        PermissionDenied,
        False,
        "This key may not do this: check the key's workspace and permissions",
    ),
    "Model.AccessDenied": (
        PermissionDenied,
        False,
        "This key or workspace may not use this model: enable it in the Model Studio console",
    ),
    "ModelNotFound": (
        NotFound,
        False,
        f"No such model here: check the id (`vidgen models dashscope`); {_REGION_HINT}",
    ),
    "Throttling": (RateLimited, True, "Too many requests: slow down and retry later"),
    "Throttling.RateQuota": (RateLimited, True, "The rate quota is exceeded: retry later"),
    "Throttling.ServiceOverloaded": (RateLimited, True, "DashScope is overloaded: retry later"),
    "LimitRequests": (RateLimited, True, "Too many requests: slow down and retry later"),
    "Throttling.AllocationQuota": (
        RateLimited,
        False,
        "The account's quota for this model is used up: raise it or wait for it to reset",
    ),
    "InternalError": (ServerError, True, "DashScope failed; try again later"),
    "InternalError.Timeout": (ServerError, True, "DashScope timed out; try again later"),
}
# Codes not in the table, by family.
_PREFIXES: tuple[tuple[str, type[ProviderError], bool], ...] = (
    ("DataInspection", ContentPolicyViolation, False),
    ("Throttling", RateLimited, True),
    ("InternalError", ServerError, True),
    ("BadRequest", InvalidRequest, False),
)

_SIZE_STYLES = ("size", "resolution", "resolution+ratio")
_MODES = ("t2v", "i2v", "r2v")
#: provider_options that belong in ``input``; every other option goes to ``parameters``.
_INPUT_OPTIONS = frozenset({"audio_url"})
_MAX_SEED = 2147483647


@attrs.frozen(kw_only=True)
class _Wire:
    """A catalog entry's ``wire`` table (docs/providers/dashscope.md, "Adding a model")."""

    format: str
    models: Mapping[str, str]
    sizes: Mapping[str, str]
    resolutions: Mapping[str, str]
    audio: str | None = None
    max_negative_prompt_chars: int | None = None


def _read_wire(spec: ModelSpec) -> _Wire:
    """The ``wire`` table of a catalog entry, checked (users add models in vidgen.toml)."""
    raw = dict(spec.wire)
    where = f"dashscope model {spec.id!r}: wire"
    known = {
        "format",
        "resolutions",
        "audio",
        "max_negative_prompt_chars",
        *_MODES,
        *(f"{mode}_size" for mode in _MODES),
    }
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{where} has unknown key(s) {', '.join(unknown)}")
    form = raw.get("format")
    if form not in ("img_url", "media"):
        raise ConfigError(
            f'{where}.format must be "img_url" (wan2.6: input.img_url) or "media" '
            f"(wan2.7: input.media[]), not {form!r}"
        )
    models: dict[str, str] = {}
    sizes: dict[str, str] = {}
    for mode in _MODES:
        model = raw.get(mode)
        if model is None:
            continue
        if not isinstance(model, str) or not model:
            raise ConfigError(f"{where}.{mode} must be the model id DashScope takes")
        style = raw.get(f"{mode}_size")
        if style not in _SIZE_STYLES:
            raise ConfigError(
                f"{where}.{mode}_size must be one of {', '.join(_SIZE_STYLES)}, not {style!r}"
            )
        models[mode], sizes[mode] = model, style
    if not models:
        raise ConfigError(f"{where} names no model id (t2v, i2v or r2v)")
    if "r2v" in models and form != "media":
        raise ConfigError(f'{where}: reference-to-video (r2v) needs format = "media"')
    resolutions = raw.get("resolutions", {})
    if not isinstance(resolutions, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in resolutions.items()
    ):
        raise ConfigError(f'{where}.resolutions must map tiers to values, e.g. {{720p = "720P"}}')
    if any(style != "size" for style in sizes.values()):
        missing = sorted({s.resolution for s in spec.sizes} - set(resolutions))
        if missing:
            raise ConfigError(f"{where}.resolutions has no value for {', '.join(missing)}")
    audio = raw.get("audio")
    if audio is not None and (not isinstance(audio, str) or not audio):
        raise ConfigError(f"{where}.audio must name the parameter that switches sound")
    limit = raw.get("max_negative_prompt_chars")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise ConfigError(f"{where}.max_negative_prompt_chars must be a positive integer")
    return _Wire(
        format=form,
        models=models,
        sizes=sizes,
        resolutions=dict(resolutions),
        audio=audio,
        max_negative_prompt_chars=limit,
    )


def _mode(fitted: Fitted) -> str:
    request = fitted.request
    if request.references:
        return "r2v"
    if request.reference is not None or request.last_frame is not None:
        return "i2v"
    return "t2v"


def _image(reference: Reference) -> str:
    # A URL, or the file as a data URI (the image-to-video reference takes either).
    return reference.url if reference.url is not None else reference.data_url()


def _beijing_time(value: Any) -> dt.datetime | None:
    """``"2025-09-25 11:07:28.590"`` (UTC+8) as an aware datetime; None if unreadable."""
    if not isinstance(value, str):
        return None
    for pattern in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(value.strip(), pattern).replace(tzinfo=_UTC8)
        except ValueError:
            continue
    return None


def _millis(value: Any) -> dt.datetime | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return from_unix(value / 1000)
    except (ValueError, OverflowError, OSError):
        return None


def _url_expiry(url: str) -> dt.datetime | None:
    """The ``Expires`` (unix seconds) of a signed OSS URL, when it carries one."""
    try:
        value = httpx.URL(url).params.get("Expires")
    except (httpx.InvalidURL, ValueError):
        return None
    if value is None or not value.isdigit():
        return None
    try:
        return from_unix(int(value))
    except (ValueError, OverflowError, OSError):
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    return finite_seconds(value) if str(value).strip() else None


class DashscopeProvider(Provider):
    """Alibaba Cloud Model Studio (DashScope): Wan 2.6 and 2.7 video synthesis.

    Settings:
        api_key: the key (default ``$DASHSCOPE_API_KEY``).
        region: ``"intl"`` (Singapore, default), ``"cn"`` (Beijing) or ``"us"`` (Virginia).
            Keys, prices and models differ by region; the shipped prices are international.
        base_url: another API root, including ``/api/v1`` (a workspace endpoint such as
            ``https://WORKSPACE.ap-southeast-1.maas.aliyuncs.com/api/v1``); wins over region.
        models: catalog overrides.
    """

    name = "dashscope"
    display_name = "Alibaba Model Studio (DashScope)"
    api_key_env = "DASHSCOPE_API_KEY"
    default_base_url = REGIONS["intl"]
    catalog_package = "vidgen_dashscope"
    docs_url = "docs/providers/dashscope.md"
    reserved_options: ClassVar[frozenset[str]] = frozenset(
        {
            "model",
            "input",
            "parameters",
            "prompt",
            "negative_prompt",
            "img_url",
            "media",
            "size",
            "resolution",
            "ratio",
            "duration",
            "seed",
            "audio",
        }
    )
    #: "task_id ... valid for 24 hours"; "video_url ... valid for 24 hours" (API reference).
    retention: ClassVar[dt.timedelta] = dt.timedelta(hours=24)
    status_map: ClassVar[Mapping[str, JobStatus]] = {
        "PENDING": JobStatus.QUEUED,
        "RUNNING": JobStatus.RUNNING,
        "SUCCEEDED": JobStatus.SUCCEEDED,
        "FAILED": JobStatus.FAILED,
        "CANCELED": JobStatus.CANCELLED,
    }

    def __init__(self, *, region: str | None = None, **settings: Any) -> None:
        if region is not None and region not in REGIONS:
            raise ConfigError(
                f"dashscope: region must be one of {', '.join(REGIONS)}, not {region!r}"
            )
        if region is not None and settings.get("base_url") is None:
            settings["base_url"] = REGIONS[region]
        super().__init__(**settings)
        self.region = region or next(
            (name for name, url in REGIONS.items() if url == self.base_url), None
        )

    def __repr__(self) -> str:
        key = "set" if self._api_key is not None else f"from ${self.key_env}"
        return f"<DashscopeProvider base_url={self.base_url!r} api_key={key}>"

    # -- fit -------------------------------------------------------------------------------

    def check_fitted(self, fitted: Fitted, policy: str) -> Fitted:
        """Pick the model id for the request's images, and check what the catalog cannot:
        a first frame and reference images together, a last frame without a first frame,
        the negative prompt's length and the seed's range."""
        wire = _read_wire(fitted.spec)
        spec = fitted.spec
        request = fitted.request
        mode = _mode(fitted)

        def refuse(param: str, value: Any, supported: Sequence[Any], message: str) -> None:
            raise UnsupportedRequest(
                f"dashscope model {spec.id}: {message}",
                param=param,
                value=value,
                supported=supported,
                provider=self.name,
                model=spec.id,
            )

        if request.references and (request.reference is not None or request.last_frame):
            refuse(
                "references",
                len(request.references),
                [],
                "it takes reference images (reference-to-video) or a first frame "
                "(image-to-video), not both",
            )
        if request.last_frame is not None and request.reference is None:
            refuse("last_frame", "image", [], "a last frame needs a first frame (reference=)")
        chosen = wire.models.get(mode)
        if chosen is None:
            needs = {
                "t2v": "it animates a first frame: pass reference=",
                "i2v": "it takes no first frame",
                "r2v": "it takes no reference images",
            }[mode]
            refuse("reference" if mode != "r2v" else "references", mode, list(wire.models), needs)
        assert chosen is not None
        asked = fitted.model
        if asked != spec.id and asked != chosen and asked in wire.models.values():
            refuse(
                "model",
                asked,
                [chosen],
                f"{asked} is for another input ({', '.join(f'{m}: {i}' for m, i in wire.models.items())}); "
                f"this request needs {chosen}",
            )
        limit = wire.max_negative_prompt_chars
        negative = fitted.negative_prompt
        if limit is not None and negative is not None and len(negative) > limit:
            refuse(
                "negative_prompt",
                len(negative),
                [limit],
                f"the negative prompt has {len(negative)} characters; the limit is {limit}",
            )
        if fitted.seed is not None and not 0 <= fitted.seed <= _MAX_SEED:
            refuse("seed", fitted.seed, [0, _MAX_SEED], f"the seed must be 0 to {_MAX_SEED}")
        warnings = list(fitted.warnings)
        reference = request.reference
        if (
            mode == "i2v"
            and reference is not None
            and request.aspect is not None
            and reference.width is not None
            and fitted.aspect != request.aspect
        ):
            warnings.append(
                f"image-to-video takes its shape from the first frame ({reference.size}); "
                f"aspect {request.aspect} is not sent"
            )
        return attrs.evolve(fitted, model=chosen, warnings=tuple(warnings))

    # -- requests -----------------------------------------------------------------------

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        """``POST .../video-synthesis`` with ``X-DashScope-Async: enable``."""
        wire = _read_wire(fitted.spec)
        request = fitted.request
        mode = _mode(fitted)
        model = wire.models.get(mode)
        if model is None:
            raise UnsupportedRequest(
                f"dashscope model {fitted.spec.id} has no {mode} model id in its wire table",
                param="model",
                value=fitted.model,
                provider=self.name,
                model=fitted.spec.id,
            )
        task_input: dict[str, Any] = {"prompt": request.prompt}
        if fitted.negative_prompt:
            task_input["negative_prompt"] = fitted.negative_prompt
        media: list[dict[str, str]] = []
        if request.reference is not None:
            if wire.format == "img_url":
                task_input["img_url"] = _image(request.reference)
            else:
                media.append({"type": "first_frame", "url": _image(request.reference)})
        if request.last_frame is not None:
            media.append({"type": "last_frame", "url": _image(request.last_frame)})
        media.extend({"type": "reference_image", "url": _image(r)} for r in request.references)
        if media:
            task_input["media"] = media
        parameters: dict[str, Any] = {"duration": fitted.seconds}
        style = wire.sizes[mode]
        if style == "size":
            parameters["size"] = f"{fitted.width}*{fitted.height}"
        else:
            parameters["resolution"] = wire.resolutions.get(
                fitted.resolution, fitted.resolution.upper()
            )
            if style == "resolution+ratio":
                parameters["ratio"] = fitted.aspect
        if wire.audio is not None and fitted.audio is not None:
            parameters[wire.audio] = fitted.audio
        if fitted.seed is not None:
            parameters["seed"] = fitted.seed
        for key, value in fitted.options.items():
            (task_input if key in _INPUT_OPTIONS else parameters)[key] = value
        body = {"model": model, "input": task_input, "parameters": parameters}
        return httpx.Request(
            "POST",
            self.url(_CREATE_PATH),
            headers=self.headers(**{"X-DashScope-Async": "enable"}),
            json=body,
        )

    def build_status(self, job: Job) -> httpx.Request:
        """``GET /tasks/{task_id}``."""
        return httpx.Request(
            "GET", self.url(f"tasks/{quote(job.id, safe='')}"), headers=self.headers()
        )

    def build_cancel(self, job: Job) -> httpx.Request:
        """``POST /tasks/{task_id}/cancel``: DashScope cancels PENDING tasks only."""
        return httpx.Request(
            "POST", self.url(f"tasks/{quote(job.id, safe='')}/cancel"), headers=self.headers()
        )

    def build_list(self, limit: int = 20, after: str | None = None) -> httpx.Request:
        """``GET /tasks?page_no=&page_size=``: the account's recent asynchronous tasks."""
        page = 1
        if after is not None:
            if not after.isdigit() or int(after) < 1:
                raise UnsupportedRequest(
                    f"{after!r} is not a dashscope list cursor (a page number)",
                    param="after",
                    value=after,
                    provider=self.name,
                )
            page = int(after)
        size = max(1, min(int(limit), 100))
        return httpx.Request(
            "GET",
            self.url("tasks"),
            params={"page_no": page, "page_size": size},
            headers=self.headers(),
        )

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        """A plain GET of the signed ``video_url``: https only, no credentials."""
        self.check_variant(variant, ("video",))
        url = httpx.URL(self.output(job, index, field="url"))
        if url.scheme != "https":
            raise ProtocolError(
                f"{self.name} returned an output URL that is not https; refusing to download it",
                provider=self.name,
                body=str(url),
            )
        return httpx.Request("GET", url, headers={"User-Agent": USER_AGENT})

    # -- responses ----------------------------------------------------------------------

    def _body(self, response: httpx.Response) -> tuple[Any, Any]:
        """The parsed answer and its raw JSON; raises the answer's error, whatever the
        HTTP status (DashScope sends some errors with HTTP 200)."""
        from . import _wire  # the wire format loads on first use

        self.raise_for_error(response)
        raw = _read_json(response, self.name)
        try:
            body = _wire.converter.structure(raw, _wire.Body)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            raise ProtocolError(
                f"{self.name} sent an answer vidgen cannot read: {exc}",
                provider=self.name,
                body=raw,
            ) from exc
        if body.code not in (None, "") and (body.output is None or body.output.task_status is None):
            raise self._error(response, raw)
        return body, raw

    def parse_submit(self, response: httpx.Response) -> Job:
        """The created task (PENDING)."""
        body, raw = self._body(response)
        if body.output is None or not body.output.task_id:
            raise ProtocolError(
                f"{self.name} answered the create without a task_id", provider=self.name, body=raw
            )
        status = self.status_map.get(body.output.task_status or "", JobStatus.QUEUED)
        return Job(
            id=body.output.task_id,
            provider=self.name,
            status=status,
            profile=self.profile,
            request_id=body.request_id or request_id_from(response),
            raw=dict(raw),
        )

    def parse_status(self, response: httpx.Response) -> Job:
        """The task's state. An UNKNOWN task raises `ContentExpired`: DashScope forgets
        every task 24 hours after it is created (and never knew a wrong id)."""
        body, raw = self._body(response)
        output = body.output
        if output is None or not output.task_id:
            raise ProtocolError(
                f"{self.name} sent a task without a task_id", provider=self.name, body=raw
            )
        wire_status = (output.task_status or "").upper()
        request_id = body.request_id or request_id_from(response)
        if wire_status == "UNKNOWN":
            raise ContentExpired(
                f"DashScope no longer knows task {output.task_id} (task_status UNKNOWN). It keeps "
                "task ids and their videos for 24 hours, then forgets them: if this job was "
                "submitted more than a day ago, its video has been deleted. A mistyped id, or "
                "one from another region or account, reads the same",
                provider=self.name,
                status_code=response.status_code,
                provider_code="UNKNOWN",
                request_id=request_id,
                hint=(
                    "Generate the video again, and download it within 24 hours; if the job is "
                    f"recent, check the id and the region ({_REGION_HINT})"
                ),
                body=raw,
            )
        status = self.status_map.get(wire_status, JobStatus.UNKNOWN)
        created_at = _beijing_time(output.submit_time)
        end_time = _beijing_time(output.end_time)
        completed_at = end_time if status.is_terminal else None
        outputs: tuple[Output, ...] = ()
        expires_at = None
        if status is JobStatus.SUCCEEDED and output.video_url:
            finished = end_time or created_at
            expires_at = _url_expiry(output.video_url) or (
                finished + self.retention if finished else None
            )
            outputs = (Output(kind="video", url=output.video_url, index=0, expires_at=expires_at),)
        error = None
        if status is JobStatus.FAILED:
            code = output.code or ""
            neutral = "generation_failed"
            if code.startswith("DataInspection"):
                neutral = "content_policy"
            elif code.startswith("InternalError"):
                neutral = "server_error"
            error = JobError(
                code=neutral,
                message=output.message or "the task failed",
                provider_code=output.code,
            )
        usage, seconds, size = self._usage(body.usage) if body.usage else (None, None, None)
        return Job(
            id=output.task_id,
            provider=self.name,
            status=status,
            created_at=created_at,
            completed_at=completed_at,
            expires_at=expires_at,
            outputs=outputs,
            error=error,
            seconds=seconds,
            size=size,
            profile=self.profile,
            request_id=request_id,
            usage=usage,
            raw=dict(raw),
        )

    def _usage(self, usage: Any) -> tuple[Usage | None, int | None, str | None]:
        """What the task billed: ``duration`` seconds (input plus output video)."""
        billed = _number(usage.duration)
        produced = _number(usage.output_video_duration)
        seconds = billed if billed is not None else produced
        result = None
        if seconds is not None:
            result = Usage(
                seconds=seconds,
                note="seconds DashScope bills (usage.duration: input plus output video seconds)",
            )
        length = None
        if produced is not None and produced > 0 and math.isclose(produced, round(produced)):
            length = round(produced)
        size = None
        if isinstance(usage.size, str) and "*" in usage.size:
            width, _, height = usage.size.partition("*")
            if width.isdigit() and height.isdigit():
                size = f"{int(width)}x{int(height)}"
        return result, length, size

    def parse_cancel(self, response: httpx.Response, job: Job) -> Job | None:
        """DashScope answers a cancel with a request id only; the job is read again after."""
        self.raise_for_error(response)
        if response.content.strip():
            self._body(response)  # an error code may come with HTTP 200
        return None

    def parse_list(self, response: httpx.Response) -> JobPage:
        """A page of the account's tasks (every kind: filter by model).

        The list carries no video URL, so a SUCCEEDED task is listed as UNKNOWN: a job
        with nothing to download is not finished for vidgen until it is read
        (`vidgen.Client.get`), and `vidgen resume` reads such a job before downloading it.
        """
        from . import _wire  # the wire format loads on first use

        self.raise_for_error(response)
        raw = _read_json(response, self.name)
        if isinstance(raw, Mapping) and raw.get("code") not in (None, "") and "data" not in raw:
            raise self._error(response, raw)
        if not isinstance(raw, Mapping) or not isinstance(raw.get("data"), list):
            raise ProtocolError(
                f"{self.name} sent a task list without a data list", provider=self.name, body=raw
            )
        try:
            page = _wire.converter.structure(raw, _wire.TaskList)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            raise ProtocolError(
                f"{self.name} sent a task list vidgen cannot read: {exc}",
                provider=self.name,
                body=raw,
            ) from exc
        jobs = tuple(
            Job(
                id=item.task_id,
                provider=self.name,
                model=item.model_name,
                status=_listed_status(self.status_map, item.status),
                created_at=_millis(item.gmt_create),
                completed_at=_millis(item.end_time),
                profile=self.profile,
                raw=dict(item_raw),
            )
            for item, item_raw in zip(page.data, raw["data"], strict=True)
        )
        number, total = _whole(page.page_no), _whole(page.total_page)
        more = number is not None and total is not None and number < total
        return JobPage(jobs=jobs, next_cursor=str(number + 1) if more and number else None)

    def parse_error(self, response: httpx.Response) -> ProviderError:
        """DashScope's ``{request_id, code, message}``, by its error table."""
        try:
            body: Any = json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = response.content[:2000].decode("utf-8", "replace")
        return self._error(response, body)

    def _error(self, response: httpx.Response, body: Any) -> ProviderError:
        code = message = request_id = None
        if isinstance(body, Mapping):
            code = body.get("code") if isinstance(body.get("code"), str) else None
            message = body.get("message") if isinstance(body.get("message"), str) else None
            request_id = body.get("request_id") if isinstance(body.get("request_id"), str) else None
        known = _ERRORS.get(code or "")
        hint: str | None = None
        if known is not None:
            cls, retryable, hint = known
        else:
            family = next((p for p in _PREFIXES if code and code.startswith(p[0])), None)
            if family is not None:
                _, cls, retryable = family
            else:
                cls = error_class_for_status(response.status_code)
                retryable = cls.default_retryable
        text = message or f"HTTP {response.status_code} {response.reason_phrase}".strip()
        kwargs: dict[str, Any] = {
            "provider": self.name,
            "status_code": response.status_code,
            "provider_code": code,
            "request_id": request_id or request_id_from(response),
            "retryable": retryable,
            "hint": hint,
            "body": body,
        }
        if issubclass(cls, RateLimited):
            kwargs["retry_after"] = parse_retry_after(response.headers)
        return cls(text, **kwargs)


def _listed_status(statuses: Mapping[str, JobStatus], wire: str | None) -> JobStatus:
    status = statuses.get((wire or "").upper(), JobStatus.UNKNOWN)
    return JobStatus.UNKNOWN if status is JobStatus.SUCCEEDED else status


def _whole(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 0 < number < 10**6 else None


def _read_json(response: httpx.Response, provider: str) -> Any:
    """`read_json`, with a body nested too deep for Python's parser as a `ProtocolError`
    too (the core's own handling of that is being added)."""
    try:
        return read_json(response, provider=provider)
    except RecursionError as exc:
        raise ProtocolError(
            f"{provider} sent a body nested too deeply to read (HTTP {response.status_code})",
            provider=provider,
        ) from exc
