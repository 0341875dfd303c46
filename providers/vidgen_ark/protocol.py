"""The content-array task protocol: Seedance on Ark (BytePlus, Volcengine) and MiniMax's V2 API.

One shape, several vendors:

* create: ``POST`` a body with ``model`` and a ``content`` array — the prompt as a ``text``
  item, then images (``image_url``) each with a ``role``: ``first_frame``, ``last_frame``
  or ``reference_image`` — plus the vendor's generation fields; the answer is a task id;
* read: ``GET`` the task object (``id, model, status, error{code, message}, created_at,
  updated_at, content{...url}, usage, duration, resolution, ratio``); a failed task is
  HTTP 200 with ``status: failed``;
* statuses ``queued``, ``running``, ``succeeded``, ``failed``, ``cancelled`` (and
  ``expired``); list with ``page_num``/``page_size`` → ``{"items", "total"}``; ``DELETE``
  cancels a queued task (and deletes a finished one's record);
* outputs are URLs on a storage host, fetched without the API key; a ``callback_url``
  gets the task object on each status change, unsigned.

`ContentTaskProvider` is public so that each vendor builds on it, keeping only its quirks
(paths, field names and value formats, error codes, usage) in its own package:
``vidgen_ark`` for BytePlus and Volcengine, ``vidgen_minimax`` for MiniMax.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import cattrs
import httpx

from vidgen import (
    ConfigError,
    Job,
    JobError,
    JobStatus,
    Output,
    ProtocolError,
    ProviderError,
    RateLimited,
    UnsupportedRequest,
)
from vidgen.provider import (
    USER_AGENT,
    JobPage,
    Provider,
    error_body,
    error_class_for_status,
    from_unix,
    parse_json,
    parse_retry_after,
    quote_segment,
    read_json,
    request_id_from,
)

if TYPE_CHECKING:
    from vidgen import Fitted, ModelSpec, Reference, Usage

    from . import _wire

    # The decoded task object, for the hooks' signatures (the class itself stays private).
    from ._wire import Task as Task

__all__ = [
    "STATUSES",
    "ContentTaskProvider",
    "ErrorInfo",
    "ErrorKind",
    "content_items",
    "image_url",
    "wire_table",
]

#: The wire statuses both vendors document. ``expired`` (Ark: the task waited longer than
#: its ``execution_expires_after``) ends the task without a video: a failure.
STATUSES: Mapping[str, JobStatus] = {
    "queued": JobStatus.QUEUED,
    "running": JobStatus.RUNNING,
    "succeeded": JobStatus.SUCCEEDED,
    "failed": JobStatus.FAILED,
    "cancelled": JobStatus.CANCELLED,
    "expired": JobStatus.FAILED,
}


_ROLES = {"reference": "first_frame", "last_frame": "last_frame", "references": "reference_image"}


@attrs.frozen(kw_only=True)
class ErrorInfo:
    """The fields of an error body, as subclasses receive them in
    `ContentTaskProvider.classify_error`.

    Attributes:
        code: the vendor's code (Ark ``InvalidParameter``; MiniMax ``1026``).
        message: the vendor's message.
        type: the vendor's error type (``BadRequest``, ``rate_limit_error``).
        param: the request field it blames, where it names one.
        request_id: the request id in the body, where there is one.
    """

    code: str | None = None
    message: str | None = None
    type: str | None = None
    param: str | None = None
    request_id: str | None = None


@attrs.frozen(kw_only=True)
class ErrorKind:
    """How to report an error: its class, whether sending again can help, and what to do.

    ``retryable`` None means the class's default.
    """

    error: type[ProviderError]
    retryable: bool | None = None
    hint: str | None = None


def image_url(reference: Reference) -> str:
    """An image as the protocol's ``image_url.url``: its URL, or its bytes as a data URI."""
    if reference.url is not None:
        return reference.url
    return reference.data_url()


def content_items(fitted: Fitted) -> list[dict[str, Any]]:
    """The ``content`` array: the prompt, then the first frame, the last frame and the
    reference images (as fitted to the model), each ``image_url`` item with its role."""
    items: list[dict[str, Any]] = [{"type": "text", "text": fitted.request.prompt}]
    images: list[tuple[str, Reference]] = []
    if fitted.reference is not None:
        images.append((_ROLES["reference"], fitted.reference))
    if fitted.last_frame is not None:
        images.append((_ROLES["last_frame"], fitted.last_frame))
    images.extend((_ROLES["references"], image) for image in fitted.references)
    for role, image in images:
        items.append({"type": "image_url", "image_url": {"url": image_url(image)}, "role": role})
    return items


def wire_table(spec: ModelSpec, key: str, *, provider: str) -> dict[str, Any]:
    """The table ``wire.<key>`` of a catalog entry (empty when absent).

    Raises:
        ConfigError: it is not a table (users add models in ``vidgen.toml``).
    """
    value = spec.wire.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{provider} model {spec.id}: wire.{key} must be a table, e.g. "
            f'wire.{key} = {{ "720p" = "720p" }}, not {value!r}'
        )
    return dict(value)


def _words(*texts: str | None) -> str:
    return " ".join(t for t in texts if t).lower()


class ContentTaskProvider(Provider):
    """A provider that speaks the content-array task protocol.

    A subclass sets its paths (`create_path`, `task_path`), the generation fields of its
    models (`generation_fields`), and its error table (`classify_error`), and may change
    how a task reports its output URL (`output_url`), usage (`task_usage`) and failure
    (`failure_code`).
    """

    #: Wire status (lower-cased) to neutral status. Anything else maps to UNKNOWN.
    status_map: ClassVar[Mapping[str, JobStatus]] = STATUSES
    #: One DELETE cancels a queued task and deletes a finished one: vidgen reads first.
    cancel_deletes_finished: ClassVar[bool] = True
    reserved_options: ClassVar[frozenset[str]] = frozenset({"model", "content", "callback_url"})
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id",)
    #: How long an output URL stays valid after the task's ``updated_at``; None: unknown.
    output_retention: ClassVar[dt.timedelta | None] = None
    #: The download variants a finished task can have.
    variants: ClassVar[tuple[str, ...]] = ("video",)
    #: The path a task is created at (and listed from, unless `list_path` says otherwise).
    create_path: ClassVar[str] = ""
    list_path: ClassVar[str | None] = None
    #: The largest ``page_size`` a list asks for.
    max_page_size: ClassVar[int] = 100

    # -- paths ----------------------------------------------------------------------------

    def task_path(self, task_id: str) -> str:
        """The path of one task (read, cancel)."""
        return f"{self.create_path}/{quote_segment(task_id)}"

    def cancel_path(self, task_id: str) -> str:
        """The path a ``DELETE`` cancels a task at."""
        return self.task_path(task_id)

    # -- requests ---------------------------------------------------------------------------

    def model_id(self, fitted: Fitted) -> str:
        """The ``model`` sent for a fitted request (the catalog id, by default)."""
        return fitted.model

    def content(self, fitted: Fitted) -> list[dict[str, Any]]:
        """The ``content`` array (see `content_items`)."""
        return content_items(fitted)

    def generation_fields(self, fitted: Fitted) -> dict[str, Any]:
        """The vendor's fields besides ``model``, ``content`` and ``callback_url``."""
        raise NotImplementedError

    def wire_resolution(self, fitted: Fitted) -> str:
        """The ``resolution`` value for the fitted tier: ``wire.resolutions`` maps tiers to
        the vendor's names (``"1440p" = "2K"``); an unmapped tier is sent as it is."""
        table = wire_table(fitted.spec, "resolutions", provider=self.name)
        value = table.get(fitted.resolution, fitted.resolution)
        if not isinstance(value, str):
            raise ConfigError(
                f"{self.name} model {fitted.spec.id}: wire.resolutions values are strings"
            )
        return value

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        """``POST`` the model, the content array, the generation fields and the callback."""
        body: dict[str, Any] = {
            "model": self.model_id(fitted),
            "content": self.content(fitted),
            **self.generation_fields(fitted),
        }
        if fitted.callback_url:
            body["callback_url"] = fitted.callback_url
        body.update(fitted.options)
        return httpx.Request("POST", self.url(self.create_path), headers=self.headers(), json=body)

    def build_status(self, job: Job) -> httpx.Request:
        """``GET`` the task."""
        return httpx.Request("GET", self.url(self.task_path(job.id)), headers=self.headers())

    def build_cancel(self, job: Job) -> httpx.Request:
        """``DELETE`` the task: it cancels a queued task.

        Refused for a job already seen finished: on a finished task the same ``DELETE``
        deletes its record (use `vidgen.Client.delete` for that).
        """
        if job.is_terminal:
            raise UnsupportedRequest(
                f"{self.name} job {job.id} already {job.status.value}; there is nothing to "
                "cancel (the same DELETE would delete its record: use delete() for that)",
                param="operation",
                value="cancel",
                provider=self.name,
            )
        return httpx.Request("DELETE", self.url(self.cancel_path(job.id)), headers=self.headers())

    def build_delete(self, job: Job) -> httpx.Request:
        """``DELETE`` the task: a finished task's record goes (a queued one is cancelled)."""
        return httpx.Request("DELETE", self.url(self.cancel_path(job.id)), headers=self.headers())

    def build_list(self, limit: int = 20, after: str | None = None) -> httpx.Request:
        """``GET`` a page of recent tasks; the cursor is the next page number."""
        page = 1
        if after:
            if not after.isdigit() or int(after) < 1:
                raise UnsupportedRequest(
                    f"{self.name} list cursors are page numbers, not {after!r}",
                    param="after",
                    value=after,
                    provider=self.name,
                )
            page = int(after)
        size = max(1, min(limit, self.max_page_size))
        path = self.list_path or self.create_path
        return httpx.Request(
            "GET",
            self.url(path),
            params={"page_num": page, "page_size": size},
            headers=self.headers(),
        )

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        """A plain ``GET`` of the output URL: https only, without the API key."""
        self.check_variant(variant, self.variants)
        urls = [o.url for o in job.outputs if o.kind == variant and o.url]
        if not 0 <= index < len(urls):
            raise UnsupportedRequest(
                f"{self.name} job {job.id} has {len(urls)} {variant} output(s); index {index} "
                "does not exist" + ("" if job.is_terminal else " (is the job finished?)"),
                param="index",
                value=index,
                supported=list(range(len(urls))),
                provider=self.name,
            )
        url = httpx.URL(str(urls[index]))
        if url.scheme != "https":
            raise ProtocolError(
                f"{self.name} returned an output URL that is not https; refusing to download it",
                provider=self.name,
                body=str(url),
            )
        # The output lives on a storage host: no Authorization header goes there.
        return httpx.Request("GET", url, headers={"User-Agent": USER_AGENT})

    # -- responses --------------------------------------------------------------------------

    def created_id(self, created: _wire.Created) -> str | None:
        """The task id of a create response."""
        return created.id or created.task_id

    def task_body(self, body: Any) -> Any:
        """The task object inside a status (or callback) body: the body itself here."""
        return body

    def parse_submit(self, response: httpx.Response) -> Job:
        """The created task (queued); the vendor's error on failure."""
        from . import _wire  # the wire format loads on first use

        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        try:
            created = _wire.converter.structure(body, _wire.Created)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            raise ProtocolError(
                f"{self.name} sent a create response vidgen cannot read: {exc}",
                provider=self.name,
                body=body,
            ) from exc
        task_id = self.created_id(created)
        if not task_id:
            raise ProtocolError(
                f"{self.name} answered the create without a task id", provider=self.name, body=body
            )
        try:
            return Job(
                id=task_id,
                provider=self.name,
                status=JobStatus.QUEUED,
                profile=self.profile,
                request_id=self.request_id(response),
                raw=dict(body),
            )
        except (ValueError, TypeError) as exc:  # an id with control characters
            raise ProtocolError(
                f"{self.name} answered the create with an unusable task id: {exc}",
                provider=self.name,
                body=body,
            ) from exc

    def parse_status(self, response: httpx.Response) -> Job:
        """The task's state; a failed task is HTTP 200 with ``status: failed``."""
        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        job = self.task_job(self.task_body(body), raw=body)
        request_id = self.request_id(response)
        return job if request_id is None else attrs.evolve(job, request_id=request_id)

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> Job:
        """A callback carries the same object as a status read.

        No vendor signs it: treat the result as a hint, and let the client read the task
        again (`vidgen.Client.handle_callback` does).
        """
        data = parse_json(body, provider=self.name)
        return self.task_job(self.task_body(data), raw=data)

    def parse_list(self, response: httpx.Response) -> JobPage:
        """A page of tasks; the next cursor is the next page number while there are more."""
        from . import _wire  # the wire format loads on first use

        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        try:
            page = _wire.converter.structure(body, _wire.Page)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            raise ProtocolError(
                f"{self.name} sent a list vidgen cannot read: {exc}", provider=self.name, body=body
            ) from exc
        jobs = tuple(self.task_job(item, raw=item) for item in page.items)
        page_num, page_size = _page_of(response)
        more = page.total is not None and page.total > page_num * page_size and bool(jobs)
        return JobPage(jobs=jobs, next_cursor=str(page_num + 1) if more else None)

    def parse_cancel(self, response: httpx.Response, job: Job) -> Job | None:
        """Check the answer; the client then reads the task's state."""
        self.raise_for_error(response)
        return None

    def request_id(self, response: httpx.Response) -> str | None:
        """The request id of a response, from the vendor's headers."""
        return request_id_from(response, *self.request_id_headers)

    # -- the task object ----------------------------------------------------------------------

    def task_job(self, data: Any, *, raw: Any = None) -> Job:
        """The neutral job for a task object (``raw``: the whole body it came in).

        Raises:
            ProtocolError: not a task object vidgen can read.
        """
        from . import _wire  # the wire format loads on first use

        if not isinstance(data, Mapping) or not data.get("id"):
            raise ProtocolError(
                f"{self.name} sent a task without an id", provider=self.name, body=raw
            )
        try:
            task = _wire.converter.structure(data, _wire.Task)
            return self.to_job(task, raw if isinstance(raw, Mapping) else data)
        except (cattrs.BaseValidationError, ValueError, TypeError, OverflowError, OSError) as exc:
            # OverflowError/OSError: a timestamp beyond what datetime or the platform holds.
            raise ProtocolError(
                f"{self.name} sent a task vidgen cannot read: {exc}", provider=self.name, body=raw
            ) from exc

    def to_job(self, task: Task, raw: Mapping[str, Any]) -> Job:
        """The neutral job for a decoded task."""
        status = self.status_map.get((task.status or "").lower(), JobStatus.UNKNOWN)
        created_at = from_unix(task.created_at)
        updated_at = from_unix(task.updated_at)
        completed_at = updated_at if status.is_terminal else None
        expires_at = None
        if status is JobStatus.SUCCEEDED and updated_at and self.output_retention:
            expires_at = updated_at + self.output_retention
        outputs: list[Output] = []
        if status is JobStatus.SUCCEEDED:
            url = self.output_url(task)
            if url:
                outputs.append(Output(kind="video", url=url, expires_at=expires_at))
            frame = task.content.last_frame_url if task.content else None
            if frame:
                outputs.append(Output(kind="last_frame", url=frame, expires_at=expires_at))
        seconds = None
        if task.duration is not None and task.duration.is_integer() and task.duration > 0:
            seconds = int(task.duration)
        return Job(
            id=task.id,
            provider=self.name,
            model=task.model,
            status=status,
            created_at=created_at,
            completed_at=completed_at,
            expires_at=expires_at,
            outputs=outputs,
            error=self.task_error(task, status),
            seconds=seconds,
            size=self.task_size(task),
            profile=self.profile,
            usage=self.task_usage(task) if status is not JobStatus.UNKNOWN else None,
            raw=dict(raw),
        )

    def output_url(self, task: Task) -> str | None:
        """The video URL of a succeeded task (Ark ``content.video_url``, MiniMax
        ``content.url``)."""
        if task.content is None:
            return None
        return task.content.video_url or task.content.url

    def task_usage(self, task: Task) -> Usage | None:
        """What the vendor reports it billed (none by default)."""
        return None

    def task_error(self, task: Task, status: JobStatus) -> JobError | None:
        """Why a task failed (or was refused), where it did."""
        error = task.error
        if error is not None and (error.code or error.message):
            return JobError(
                code=self.failure_code(error.code, error.message),
                message=error.message or f"{self.name} gave no reason",
                provider_code=error.code,
            )
        if status is JobStatus.FAILED:
            if (task.status or "").lower() == "expired":
                return JobError(
                    code="expired",
                    message="the task expired before it finished (it waited in the queue "
                    "longer than its execution_expires_after); it is not billed",
                    provider_code="expired",
                )
            return JobError(code="generation_failed", message=f"{self.name} gave no reason")
        return None

    def failure_code(self, code: str | None, message: str | None) -> str:
        """The neutral code of a failed task's error (``content_policy``,
        ``server_error``, ``generation_failed``)."""
        return "generation_failed"

    def task_size(self, task: Task) -> str | None:
        """``WIDTHxHEIGHT`` of the task's output, from the catalog's sizes for its model,
        resolution and ratio (None when the catalog cannot tell)."""
        if not task.model or not task.resolution or not task.ratio:
            return None
        spec = self.catalog.get(task.model)
        if spec is None:
            return None
        try:
            tiers = wire_table(spec, "resolutions", provider=self.name)
        except ConfigError:
            return None
        wanted = task.resolution.lower()
        tier = next((t for t, v in tiers.items() if str(v).lower() == wanted), wanted)
        aspect = task.ratio
        match = next((s for s in spec.sizes if s.resolution == tier and s.aspect == aspect), None)
        return match.size if match else None

    # -- errors -------------------------------------------------------------------------------

    def error_info(self, body: Any) -> ErrorInfo:
        """The fields of an error body: ``{"error": {code, message, type, param}}``, with a
        ``request_id`` beside it where the vendor sends one."""
        from . import _wire  # the wire format loads on first use

        if not isinstance(body, Mapping):
            return ErrorInfo()
        inner = body.get("error")
        request_id = body.get("request_id")
        request_id = request_id if isinstance(request_id, str) and request_id else None
        if isinstance(inner, str):
            return ErrorInfo(message=inner, request_id=request_id)
        if not isinstance(inner, Mapping):
            return ErrorInfo(request_id=request_id)
        try:
            detail = _wire.converter.structure(inner, _wire.ErrorDetail)
        except (cattrs.BaseValidationError, ValueError, TypeError):
            return ErrorInfo(message=str(inner)[:300], request_id=request_id)
        return ErrorInfo(
            code=detail.code,
            message=detail.message,
            type=detail.type,
            param=detail.param,
            request_id=request_id,
        )

    def classify_error(self, status_code: int, info: ErrorInfo) -> ErrorKind:
        """The error class for a status and error body (by HTTP status by default)."""
        return ErrorKind(error=error_class_for_status(status_code))

    def parse_error(self, response: httpx.Response) -> ProviderError:
        """The neutral error for any error response, JSON or not."""
        body = error_body(response)
        info = self.error_info(body)
        kind = self.classify_error(response.status_code, info)
        message = info.message
        if not message:
            message = f"HTTP {response.status_code} {response.reason_phrase}".strip()
            text = body if isinstance(body, str) else ""
            if text.strip():
                message += f": {text.strip()[:300]}"
        kwargs: dict[str, Any] = {
            "provider": self.name,
            "status_code": response.status_code,
            "provider_code": info.code or info.type,
            "param": info.param,
            "request_id": info.request_id or self.request_id(response),
            "retryable": kind.retryable,
            "hint": kind.hint,
            "body": body,
        }
        if issubclass(kind.error, RateLimited):
            kwargs["retry_after"] = parse_retry_after(response.headers)
        return kind.error(message, **kwargs)


def _page_of(response: httpx.Response) -> tuple[int, int]:
    """The ``page_num`` and ``page_size`` a list response answers (1 and 0 if unknown)."""
    try:
        params = response.request.url.params
    except RuntimeError:  # a response built without its request
        return 1, 0
    numbers = []
    for name, default in (("page_num", 1), ("page_size", 0)):
        value = params.get(name, "")
        numbers.append(int(value) if value.isdigit() else default)
    return numbers[0], numbers[1]
