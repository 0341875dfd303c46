"""The ``minimax`` provider: MiniMax's own video APIs, V2 and V1, chosen per model.

* **V2** (MiniMax-H3, ``wire.api = "v2"``) is the content-array task protocol shared with
  Ark (`vidgen_ark.protocol`): ``POST /v2/video_generation`` with ``content[]`` and roles,
  ``GET /v2/query/video_generation/{id}`` → ``{"task": {...}}``, ``content.url``, usage in
  seconds, list and ``DELETE`` (which cancels a queued task). Errors are real HTTP
  statuses with the internal code at the end of the message (``"... (1004)"``).
* **V1** (Hailuo 02 / 2.3 / 2.3-Fast, ``wire.api = "v1"``): ``POST /v1/video_generation``,
  ``GET /v1/query/video_generation?task_id=``, statuses ``Preparing``/``Queueing``/
  ``Processing``/``Success``/``Fail``, errors in ``base_resp`` with HTTP 200, and the
  result as a ``file_id`` that ``GET /v1/files/retrieve?file_id=`` exchanges for a
  ``download_url``.

The V1 download takes two steps, and a provider cannot send: so the second step is part of
reading the status. A query that says ``Success`` gives a job still *running* whose output
carries the ``file_id``; the next status read asks ``/v1/files/retrieve`` for it, and that
answer gives the *succeeded* job with the download URL (`poll_hint` asks for that read at
once). Each status request carries the job's id and model in its ``extensions``, because
the file answer does not name its task.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import attrs
import cattrs
import httpx

from vidgen import (
    Adjustment,
    ConfigError,
    InvalidRequest,
    Job,
    JobError,
    JobStatus,
    NotFound,
    Output,
    PollPolicy,
    ProtocolError,
    ProviderError,
    RateLimited,
    UnsupportedRequest,
    Usage,
)
from vidgen.provider import from_unix, parse_json, parse_retry_after, quote_segment, read_json
from vidgen_ark.protocol import (
    ContentTaskProvider,
    ErrorInfo,
    ErrorKind,
    image_url,
    wire_table,
)

from . import _errors

if TYPE_CHECKING:
    from vidgen import Fitted, ModelSpec
    from vidgen_ark.protocol import Task

    from . import _wire

__all__ = ["MinimaxProvider", "challenge_answer"]

REGIONS: Mapping[str, str] = {
    "international": "https://api.minimax.io",
    "mainland": "https://api.minimaxi.com",
}
APIS = ("v1", "v2")
#: Where mainland prices would be read (none are in the catalog), and when that was checked.
MAINLAND_PRICES = "https://platform.minimaxi.com/docs/guides/pricing-paygo"
PRICES_READ = dt.date(2026, 11, 30)
#: The request extension that tells a status answer which job it is about.
CONTEXT = "vidgen_minimax"
#: "download_url ... valid for 1 hour" (the video-download page, as quoted by a third
#: party; another page says 9 hours): the shorter figure, counted from the answer's Date.
DOWNLOAD_URL_LIFETIME = dt.timedelta(hours=1)

_V1_STATUSES: Mapping[str, JobStatus] = {
    "preparing": JobStatus.QUEUED,
    "queueing": JobStatus.QUEUED,
    "processing": JobStatus.RUNNING,
    # Done rendering, but the download URL is one request away: still running for vidgen.
    "success": JobStatus.RUNNING,
    "fail": JobStatus.FAILED,
    "failed": JobStatus.FAILED,  # the lower-case form of V1 callbacks
}
_MAINLAND_HOSTS = ("minimaxi.com", "minimax.cn")


def challenge_answer(body: bytes | str | Mapping[str, Any]) -> bytes | None:
    """The answer to MiniMax's callback challenge, or None for any other body.

    Before MiniMax accepts a task with a ``callback_url`` it POSTs ``{"challenge": ...}``
    there, and the task is created only if the endpoint answers ``{"challenge": ...}``
    (the same value, HTTP 200) within 3 seconds. Answer with these bytes
    (``application/json``); hand every other body to `vidgen.Client.handle_callback`.
    """
    data: Any = body
    if isinstance(body, (bytes, str)):
        try:
            data = parse_json(body)
        except ProtocolError:
            return None
    if not isinstance(data, Mapping) or "challenge" not in data:
        return None
    if set(data) - {"challenge"}:
        return None
    return json.dumps({"challenge": data["challenge"]}).encode()


class MinimaxProvider(ContentTaskProvider):
    """MiniMax video generation: V2 for MiniMax-H3, V1 for Hailuo, per the catalog.

    Settings:
        api_key: the key (default ``$MINIMAX_API_KEY``).
        region: ``"international"`` (``https://api.minimax.io``, USD; the default) or
            ``"mainland"`` (``https://api.minimaxi.com``, CNY: the catalog has no CNY
            prices, so quotes say "price unknown"). A key works on its own platform only.
        base_url: another API root (the host alone, without ``/v1`` or ``/v2``); the
            region follows its host unless given.
        watermark: ask for MiniMax's AIGC watermark (``aigc_watermark``; default False).
        models: catalog overrides from the profile.
    """

    name = "minimax"
    display_name = "MiniMax (Hailuo)"
    api_key_env = "MINIMAX_API_KEY"
    catalog_package = "vidgen_minimax"
    docs_url = "https://platform.minimax.io/docs/guides/video-generation"
    create_path = "v2/video_generation"
    list_path = "v2/query/video_generation"
    # MiniMax's own samples poll every 10 seconds.
    default_poll: ClassVar[PollPolicy | None] = PollPolicy(initial=10.0, factor=1.5, maximum=30.0)
    reserved_options: ClassVar[frozenset[str]] = ContentTaskProvider.reserved_options | frozenset(
        {
            "resolution",
            "duration",
            "ratio",
            "prompt",
            "first_frame_image",
            "last_frame_image",
            "aigc_watermark",
        }
    )
    request_id_headers: ClassVar[tuple[str, ...]] = ("trace-id", "x-request-id")

    def __init__(
        self,
        *,
        region: str | None = None,
        watermark: bool = False,
        base_url: str | None = None,
        **settings: Any,
    ) -> None:
        if region is not None and region not in REGIONS:
            raise ConfigError(
                f"minimax: region must be 'international' or 'mainland', not {region!r}"
            )
        if base_url is not None:
            path = urlsplit(base_url).path.rstrip("/")
            if path.endswith(("/v1", "/v2")):
                raise ConfigError(
                    f"minimax: base_url is the API's host without /v1 or /v2 (vidgen adds "
                    f"them), e.g. 'https://api.minimax.io', not {base_url!r}"
                )
        if region is None:
            host = (urlsplit(base_url).hostname or "") if base_url else ""
            region = "mainland" if host.endswith(_MAINLAND_HOSTS) else "international"
        if not isinstance(watermark, bool):
            raise ConfigError(f"minimax: watermark must be true or false, not {watermark!r}")
        super().__init__(base_url=base_url or REGIONS[region], **settings)
        self.region = region
        self.watermark = watermark

    def raw_catalog(self) -> Mapping[str, Any]:
        """The shipped catalog; on the mainland platform without its USD prices."""
        raw = super().raw_catalog()
        if self.region == "international":
            return raw
        note = "the mainland platform bills in CNY; vidgen's catalog has no CNY price"
        unknown = {"currency": "CNY", "source": MAINLAND_PRICES, "as_of": PRICES_READ, "note": note}
        models = [
            {**entry, "prices": [unknown], "notes": [*entry.get("notes", ()), note]}
            for entry in raw.get("models", ())
        ]
        return {**raw, "models": models}

    # -- which API -----------------------------------------------------------------------------

    def api_of(self, spec: ModelSpec) -> str:
        """``wire.api`` of a catalog entry: ``"v1"`` or ``"v2"``.

        Raises:
            ConfigError: missing or another value (users add models in ``vidgen.toml``).
        """
        api = spec.wire.get("api")
        if api not in APIS:
            raise ConfigError(
                f"minimax model {spec.id}: wire.api must be 'v1' (Hailuo: /v1/video_generation) "
                f"or 'v2' (MiniMax-H3: /v2/video_generation), not {api!r}"
            )
        return str(api)

    def job_api(self, job: Job) -> str:
        """The API a job lives on: its model's, else what its last answer looked like,
        else V2 (a bare id; pass a Job with ``model`` set to read a V1 task)."""
        spec = self.catalog.get(job.model) if job.model else None
        if spec is not None:
            return self.api_of(spec)
        raw = job.raw
        if "task" in raw:
            return "v2"
        if any(key in raw for key in ("base_resp", "file_id", "file")):
            return "v1"
        return "v2"

    # -- requests ------------------------------------------------------------------------------

    def task_path(self, task_id: str) -> str:
        """``v2/query/video_generation/{id}``."""
        return f"v2/query/video_generation/{quote_segment(task_id)}"

    def cancel_path(self, task_id: str) -> str:
        """``v2/video_generation/{id}`` (``DELETE``)."""
        return f"v2/video_generation/{quote_segment(task_id)}"

    def generation_fields(self, fitted: Fitted) -> dict[str, Any]:
        """V2: ``resolution`` (``768P``/``2K``), ``duration`` and ``ratio`` (``adaptive``
        with frames, where the image decides the shape), and ``aigc_watermark`` if set."""
        frames = fitted.request.reference is not None or fitted.request.last_frame is not None
        fields: dict[str, Any] = {
            "resolution": self.wire_resolution(fitted),
            "duration": fitted.seconds,
            "ratio": "adaptive" if frames else fitted.aspect,
        }
        if self.watermark:
            fields["aigc_watermark"] = True
        return fields

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        """V2: the content-array create; V1: ``POST /v1/video_generation``."""
        if self.api_of(fitted.spec) == "v2":
            return super().build_submit(fitted)
        body: dict[str, Any] = {
            "model": fitted.model,
            "prompt": fitted.request.prompt,
            "duration": fitted.seconds,
            "resolution": self.wire_resolution(fitted),
        }
        if fitted.reference is not None:
            body["first_frame_image"] = image_url(fitted.reference)
        if fitted.last_frame is not None:
            body["last_frame_image"] = image_url(fitted.last_frame)
        if fitted.callback_url:
            body["callback_url"] = fitted.callback_url
        if self.watermark:
            body["aigc_watermark"] = True
        body.update(fitted.options)
        return httpx.Request(
            "POST", self.url("v1/video_generation"), headers=self.headers(), json=body
        )

    def build_status(self, job: Job) -> httpx.Request:
        """V2: ``GET`` the task. V1: the query, or — once it said Success —
        ``/v1/files/retrieve`` for the download URL (again on every read, which also
        renews an expired URL)."""
        api = self.job_api(job)
        context = {"task_id": job.id, "model": job.model, "size": job.size, "api": api}
        if api == "v2":
            url, params = self.url(self.task_path(job.id)), {}
        elif (file_id := self.pending_file(job)) is not None:
            url, params = self.url("v1/files/retrieve"), {"file_id": file_id}
        else:
            url, params = self.url("v1/query/video_generation"), {"task_id": job.id}
        return httpx.Request(
            "GET", url, params=params, headers=self.headers(), extensions={CONTEXT: context}
        )

    def pending_file(self, job: Job) -> str | None:
        """The ``file_id`` a V1 job's query reported, if it did."""
        return next((o.ref for o in job.outputs if o.kind == "video" and o.ref), None)

    def build_cancel(self, job: Job) -> httpx.Request:
        """V2 only: ``DELETE`` cancels a queued task (not a running one)."""
        if self.job_api(job) == "v1":
            raise UnsupportedRequest(
                "minimax cannot cancel a Hailuo (V1) task: the V1 API has no cancel; the task "
                "runs to its end (and is billed if it succeeds)",
                param="operation",
                value="cancel",
                provider=self.name,
            )
        return super().build_cancel(job)

    def build_delete(self, job: Job) -> httpx.Request:
        """V2 only: ``DELETE`` removes a finished task's record."""
        if self.job_api(job) == "v1":
            raise UnsupportedRequest(
                "minimax cannot delete a Hailuo (V1) task: the V1 API has no delete",
                param="operation",
                value="delete",
                provider=self.name,
            )
        return super().build_delete(job)

    def check_fitted(self, fitted: Fitted, policy: str) -> Fitted:
        """MiniMax's mode rules, from each model's ``wire`` table.

        V2: frames and reference images cannot be mixed. V1 (a model that needs a first
        frame says ``requires_reference`` and the core refuses it without one):
        ``text_to_video_aspects`` (text-to-video renders
        16:9 only; with a first frame the video takes the image's shape);
        ``first_frame_only_resolutions`` (Hailuo 02's 512P needs a first frame and takes
        no last frame); ``durations_by_resolution`` (10 s is not offered at 1080P).
        """
        spec, request = fitted.spec, fitted.request
        api = self.api_of(spec)
        if api == "v2":
            if request.references and (request.reference or request.last_frame):
                raise self._refusal(
                    fitted,
                    "references",
                    len(request.references),
                    "first/last frames and reference images cannot be mixed in one task; "
                    "give either frames or references",
                )
            return fitted
        wire = spec.wire
        first = request.reference is not None
        aspects = wire.get("text_to_video_aspects")
        if isinstance(aspects, list) and not first and fitted.aspect not in aspects:
            reason = (
                f"text-to-video renders {', '.join(map(str, aspects))} only (with a first "
                "frame the video takes the image's shape)"
            )
            fitted = self._move(fitted, policy, "aspect", str(aspects[0]), reason)
        image_only = wire.get("first_frame_only_resolutions", [])
        if isinstance(image_only, list) and fitted.resolution in image_only:
            if request.last_frame is not None:
                raise self._refusal(
                    fitted,
                    "last_frame",
                    "image",
                    f"{fitted.resolution} takes no last frame; ask for another resolution",
                )
            if not first:
                reason = f"{fitted.resolution} is for image-to-video only"
                others = sorted({s.resolution for s in spec.sizes} - set(image_only), key=_pixels)
                if others:
                    fitted = self._move(fitted, policy, "resolution", others[0], reason)
        by_resolution = wire_table(spec, "durations_by_resolution", provider=self.name)
        allowed = by_resolution.get(fitted.resolution)
        if isinstance(allowed, list) and allowed and fitted.seconds not in allowed:
            reason = f"at {fitted.resolution} it renders {', '.join(map(str, allowed))} s only"
            fitted = self._move(fitted, policy, "duration", min(allowed), reason)
        return fitted

    def _refusal(self, fitted: Fitted, param: str, value: Any, message: str) -> UnsupportedRequest:
        return UnsupportedRequest(
            f"{self.name} model {fitted.spec.id}: {message}",
            param=param,
            value=value,
            provider=self.name,
            model=fitted.spec.id,
        )

    def _move(self, fitted: Fitted, policy: str, field: str, value: Any, reason: str) -> Fitted:
        """Refuse under strict; under nearest send ``value`` instead and say so."""
        asked = {"aspect": fitted.aspect, "resolution": fitted.resolution}.get(
            field, fitted.seconds
        )
        shown = f"{asked} s" if field == "duration" else str(asked)
        if policy == "strict":
            raise self._refusal(fitted, field, asked, f"{shown} is not offered: {reason}")
        if field == "duration":
            changed = attrs.evolve(fitted, seconds=int(value))
        else:
            aspect = value if field == "aspect" else fitted.aspect
            tier = value if field == "resolution" else fitted.resolution
            size = next(
                (s for s in fitted.spec.sizes if s.aspect == aspect and s.resolution == tier),
                None,
            )
            if size is None:
                raise self._refusal(fitted, field, asked, f"{shown} is not offered: {reason}")
            changed = attrs.evolve(
                fitted, size=size.size, aspect=size.aspect, resolution=size.resolution
            )
        return attrs.evolve(
            changed,
            warnings=(*fitted.warnings, f"{field} {asked!r} changed to {value!r}: {reason}"),
            adjustments=(
                *fitted.adjustments,
                Adjustment(field=field, requested=asked, sent=value, reason=reason),
            ),
        )

    # -- responses -----------------------------------------------------------------------------

    def task_body(self, body: Any) -> Any:
        """V2 wraps the task: ``{"task": {...}}``."""
        return body.get("task") if isinstance(body, Mapping) else None

    def parse_submit(self, response: httpx.Response) -> Job:
        """The created task; V1 reports errors in ``base_resp`` with HTTP 200."""
        from . import _wire  # the wire format loads on first use

        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        if isinstance(body, Mapping) and body.get("base_resp") is not None:
            try:
                base = _wire.converter.structure(body["base_resp"], _wire.BaseResp)
            except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
                raise ProtocolError(
                    f"{self.name} sent a base_resp vidgen cannot read: {exc}",
                    provider=self.name,
                    body=body,
                ) from exc
            if base.status_code not in (None, 0):
                raise self.base_resp_error(base, response, body)
        return super().parse_submit(response)

    def parse_status(self, response: httpx.Response) -> Job:
        """A V2 task, a V1 query, or a V1 file (the download URL), by the answer's shape."""
        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        context = _context(response)
        if isinstance(body, Mapping) and "task" in body:
            job = self.task_job(body["task"], raw=body)
            if job.model is None and context.get("model"):
                job = attrs.evolve(job, model=context["model"])
        elif isinstance(body, Mapping) and "file" in body:
            job = self.v1_file_job(body, response, context)
        else:
            job = self.v1_query_job(body, response, context)
        request_id = self.request_id(response)
        return job if request_id is None else attrs.evolve(job, request_id=request_id)

    def v1_query_job(
        self,
        body: Any,
        response: httpx.Response | None,
        context: Mapping[str, Any],
        *,
        trusted: bool = True,
    ) -> Job:
        """The job a V1 query (or, with ``trusted=False``, a V1 callback) describes."""
        from . import _wire  # the wire format loads on first use

        if not isinstance(body, Mapping):
            raise ProtocolError(
                f"{self.name} sent a V1 answer that is not a JSON object",
                provider=self.name,
                body=body,
            )
        try:
            query = _wire.converter.structure(body, _wire.Query)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            raise ProtocolError(
                f"{self.name} sent a V1 task vidgen cannot read: {exc}",
                provider=self.name,
                body=body,
            ) from exc
        task_id = query.task_id or context.get("task_id")
        if not task_id:
            raise ProtocolError(
                f"{self.name} sent a V1 task without a task_id", provider=self.name, body=body
            )
        base = query.base_resp or _wire.BaseResp()
        code = base.status_code or 0
        status = _V1_STATUSES.get((query.status or "").lower(), JobStatus.UNKNOWN)
        common: dict[str, Any] = {
            "id": str(task_id),
            "provider": self.name,
            "model": context.get("model"),
            "profile": self.profile,
            "raw": dict(body),
        }
        if code and status is not JobStatus.FAILED and code not in _errors.POLICY:
            if code in _errors.TRANSIENT:
                # A hiccup of the status endpoint, not the task's end: keep polling.
                return self._job(status=JobStatus.UNKNOWN, **common)
            raise self.base_resp_error(base, response, body)
        if status is JobStatus.FAILED or code in _errors.POLICY:
            reason = base.status_msg or "the task failed"
            return self._job(
                status=JobStatus.FAILED,
                error=JobError(
                    code=_errors.failure_code(code) if code else "generation_failed",
                    message=reason if code else f"{reason} (MiniMax gave no reason)",
                    provider_code=str(code) if code else None,
                ),
                **common,
            )
        outputs: tuple[Output, ...] = ()
        if trusted and query.file_id and (query.status or "").lower() == "success":
            # Rendered; the next status read exchanges the file_id for a download URL.
            outputs = (Output(kind="video", ref=query.file_id),)
        size = context.get("size")
        width, height = query.video_width, query.video_height
        if width and height and width.is_integer() and height.is_integer():
            size = f"{int(width)}x{int(height)}"
        return self._job(status=status, outputs=outputs, size=size, **common)

    def v1_file_job(
        self, body: Mapping[str, Any], response: httpx.Response, context: Mapping[str, Any]
    ) -> Job:
        """The succeeded job a ``/v1/files/retrieve`` answer describes (its download URL)."""
        from . import _wire  # the wire format loads on first use

        try:
            retrieved = _wire.converter.structure(body, _wire.Retrieved)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            raise ProtocolError(
                f"{self.name} sent a file vidgen cannot read: {exc}", provider=self.name, body=body
            ) from exc
        base = retrieved.base_resp or _wire.BaseResp()
        if base.status_code not in (None, 0):
            raise self.base_resp_error(base, response, body)
        task_id = context.get("task_id")
        if not task_id:
            raise ProtocolError(
                f"{self.name} sent a file answer that names no task; vidgen reads one only as "
                "the answer to its own status request",
                provider=self.name,
                body=body,
            )
        file = retrieved.file
        if file is None or not file.download_url:
            raise ProtocolError(
                f"{self.name} sent a file without a download_url", provider=self.name, body=body
            )
        try:
            completed_at = from_unix(file.created_at)
        except (ValueError, OverflowError, OSError) as exc:
            raise ProtocolError(
                f"{self.name} sent a file vidgen cannot read: {exc}", provider=self.name, body=body
            ) from exc
        answered = _date_of(response)
        expires_at = answered + DOWNLOAD_URL_LIFETIME if answered else None
        return self._job(
            id=str(task_id),
            provider=self.name,
            model=context.get("model"),
            status=JobStatus.SUCCEEDED,
            completed_at=completed_at,
            expires_at=expires_at,
            outputs=(
                Output(
                    kind="video",
                    url=file.download_url,
                    ref=file.file_id,
                    expires_at=expires_at,
                ),
            ),
            size=context.get("size"),
            profile=self.profile,
            raw={**body, "task_id": str(task_id)},
        )

    def _job(self, **fields: Any) -> Job:
        """A `Job`, or `ProtocolError` when the answer's values cannot make one (an id with
        control characters)."""
        try:
            return Job(**fields)
        except (ValueError, TypeError) as exc:
            raise ProtocolError(
                f"{self.name} sent a task vidgen cannot read: {exc}",
                provider=self.name,
                body=fields.get("raw"),
            ) from exc

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> Job:
        """A V2 callback carries ``{"task": {...}}``, a V1 one a query-shaped body.

        Neither is signed: the job is a hint for `vidgen.Client.handle_callback`, which
        reads the task again (a V1 hint carries no file_id, so nothing in the body is
        used). The challenge MiniMax sends first is not a task: answer it with
        `challenge_answer`.
        """
        data = parse_json(body, provider=self.name)
        if isinstance(data, Mapping) and "challenge" in data:
            raise ProtocolError(
                f"{self.name} sent its callback challenge, not a task: answer it with "
                "vidgen_minimax.challenge_answer(body) within 3 seconds",
                provider=self.name,
                body=data,
            )
        if isinstance(data, Mapping) and "task" in data:
            return self.task_job(data["task"], raw=data)
        return self.v1_query_job(data, None, {}, trusted=False)

    def answer_challenge(self, headers: Mapping[str, str], body: bytes) -> bytes | None:
        """MiniMax's callback challenge, echoed (`challenge_answer`); None for a task."""
        return challenge_answer(body)

    def poll_hint(self, response: httpx.Response) -> float | None:
        """Read again at once when a V1 query says Success (the download URL is one
        request away); otherwise the server's ``Retry-After``."""
        try:
            body = parse_json(response.content)
        except ProtocolError:
            body = None
        if (
            isinstance(body, Mapping)
            and isinstance(body.get("status"), str)
            and body["status"].lower() == "success"
            and body.get("file_id")
        ):
            return 0.0
        return parse_retry_after(response.headers)

    # -- the V2 task ---------------------------------------------------------------------------

    def task_usage(self, task: Task) -> Usage | None:
        """The seconds MiniMax billed (``usage.total_seconds``: input + output)."""
        usage = task.usage
        if usage is None:
            return None
        parts = []
        if usage.output_seconds is not None:
            parts.append(f"{usage.output_seconds:g} s of output")
        if usage.input_seconds:
            parts.append(f"{usage.input_seconds:g} s of reference video")
        if usage.input_image_count:
            parts.append(f"{usage.input_image_count:g} input images")
        if usage.input_audio_seconds:
            parts.append(f"{usage.input_audio_seconds:g} s of reference audio")
        tokens = int(usage.total_tokens) if usage.total_tokens is not None else None
        if usage.total_seconds is None and tokens is None:
            return None
        return Usage(
            seconds=usage.total_seconds,
            tokens=tokens,
            note="billed "
            + (", ".join(parts) if parts else "as reported")
            + " (usage.total_seconds = input + output seconds)",
        )

    def failure_code(self, code: str | None, message: str | None) -> str:
        """``content_policy`` for 1026/1027, ``server_error`` for MiniMax's own failures."""
        return _errors.failure_code(code)

    # -- errors --------------------------------------------------------------------------------

    def error_info(self, body: Any) -> ErrorInfo:
        """V2's ``{"type": "error", "error": {type, message, http_code}, "request_id"}``;
        the internal code is read from the end of the message."""
        info = super().error_info(body)
        code = _errors.code_in(info.message)
        return attrs.evolve(info, code=str(code) if code else info.code)

    def classify_error(self, status_code: int, info: ErrorInfo) -> ErrorKind:
        """By the internal code, else the error type, else the HTTP status."""
        if "invalid task_id" in (info.message or "").lower():
            return ErrorKind(
                error=NotFound,
                retryable=False,
                hint="MiniMax keeps tasks for 7 days; check the job id (and the region)",
            )
        row = _errors.CODES.get(_errors.as_int(info.code) or -1)
        if row is not None:
            error, retryable, _, hint = row
            return ErrorKind(error=error, retryable=retryable, hint=hint)
        by_type = _errors.TYPES.get(info.type or "")
        if by_type is not None:
            return ErrorKind(error=by_type)
        kind = super().classify_error(status_code, info)
        if status_code == 529:
            return ErrorKind(error=kind.error, retryable=True, hint="MiniMax is overloaded")
        return kind

    def base_resp_error(
        self, base: _wire.BaseResp, response: httpx.Response | None, body: Any
    ) -> ProviderError:
        """The error a V1 ``base_resp`` reports (with HTTP 200).

        ``status_code`` is the HTTP status V2 pairs with the same code (429 for 1002,
        401 for 1004, ...), so that vidgen knows a refused submit created no task.
        """
        code = base.status_code or 0
        error, retryable, http, hint = _errors.CODES.get(
            code, (InvalidRequest if 2000 <= code < 3000 else ProviderError, False, 400, None)
        )
        message = f"{base.status_msg or 'error'} (MiniMax base_resp {code}, sent with HTTP 200)"
        kwargs: dict[str, Any] = {
            "provider": self.name,
            "status_code": http,
            "provider_code": str(code),
            "request_id": self.request_id(response) if response is not None else None,
            "retryable": retryable,
            "hint": hint,
            "body": body,
        }
        if issubclass(error, RateLimited):
            kwargs["retry_after"] = parse_retry_after(response.headers) if response else None
        return error(message, **kwargs)


def _context(response: httpx.Response) -> Mapping[str, Any]:
    """What the status request said about its job (see `MinimaxProvider.build_status`)."""
    try:
        context = response.request.extensions.get(CONTEXT)
    except RuntimeError:  # a response built without its request
        return {}
    return context if isinstance(context, Mapping) else {}


def _date_of(response: httpx.Response) -> dt.datetime | None:
    """When the server answered (its ``Date`` header), if it said."""
    value = response.headers.get("date")
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def _pixels(tier: str) -> int:
    digits = tier.rstrip("p")
    return int(digits) if digits.isdigit() else 0
