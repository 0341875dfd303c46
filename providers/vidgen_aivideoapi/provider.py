"""The ``aivideoapi`` provider: a task API that is not OpenAI-shaped.

Create answers with an envelope ``{code, msg, data{taskId}}``; the task is then read as a
bare object from ``/tasks/{taskId}``. Durations are integers, shapes are aspect ratios,
the first frame is an image URL, outputs are plain URLs on another host (downloaded
without the API key), and a callback URL may be given per request.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import cattrs
import httpx

from vidgen import (
    AuthenticationError,
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
    ServerError,
    UpstreamError,
)
from vidgen.provider import (
    USER_AGENT,
    Provider,
    error_body,
    error_class_for_status,
    from_unix,
    parse_json,
    parse_retry_after,
    percent,
    quote_segment,
    read_json,
    request_id_from,
)

__all__ = ["AivideoapiProvider"]

if TYPE_CHECKING:
    from vidgen import Fitted

# The vendor's error table (shared/vendor-docs/aivideoapi-sora2-reference.txt), by code:
# the class, whether retrying can help, and what the user should do.
_ERRORS: dict[str, tuple[type[ProviderError], bool, str]] = {
    "invalid_request": (InvalidRequest, False, "Fix the request; the message names the field"),
    "invalid_api_key": (
        AuthenticationError,
        False,
        "Check AIVIDEOAPI_API_KEY: the key must start with sk- and be enabled",
    ),
    "insufficient_credits": (
        InsufficientCredits,
        False,
        "Top up in Dashboard > Billing (GET /v1/credits shows the balance)",
    ),
    "ip_not_allowed": (
        PermissionDenied,
        False,
        "Add this machine's IP address to the key's allowlist in the aivideoapi dashboard",
    ),
    "model_not_found": (
        NotFound,
        False,
        "The model does not exist or is inactive; check the model id (`vidgen models`)",
    ),
    "task_not_found": (NotFound, False, "No task has this id; check the job id"),
    "rate_limit_exceeded": (RateLimited, True, "Slow down; retry after a pause"),
    "spend_limit_exceeded": (
        InsufficientCredits,
        False,
        "The key reached its hourly, daily or total spend limit; raise it or wait",
    ),
    "internal_error": (ServerError, True, "aivideoapi failed; try again later"),
    "upstream_error": (
        UpstreamError,
        True,
        "The upstream video provider refused or failed: check the prompt for sensitive "
        "content, or try again later",
    ),
}

_FAILURE_CODES = {"upstream_error": "server_error", "internal_error": "server_error"}


class AivideoapiProvider(Provider):
    """aivideoapi's Sora 2 task API.

    Settings: ``api_key`` (default ``$AIVIDEOAPI_API_KEY``), ``base_url`` (default
    ``https://api.aivideoapi.ai/v1``), ``models`` (catalog overrides).
    """

    name = "aivideoapi"
    display_name = "aivideoapi"
    api_key_env = "AIVIDEOAPI_API_KEY"
    default_base_url = "https://api.aivideoapi.ai/v1"
    catalog_package = "vidgen_aivideoapi"
    reserved_options: ClassVar[frozenset[str]] = frozenset({"model", "input", "callback_url"})
    #: "Video URLs expire in 24 hours" (the vendor's reference page).
    output_retention: ClassVar[dt.timedelta] = dt.timedelta(hours=24)
    status_map: ClassVar[Mapping[str, JobStatus]] = {
        "pending": JobStatus.QUEUED,
        "processing": JobStatus.RUNNING,
        "completed": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
    }

    # -- requests -----------------------------------------------------------------------

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        """``POST /videos/generations`` with ``model``, ``input`` and ``callback_url``."""
        task_input: dict[str, Any] = {
            "prompt": fitted.request.prompt,
            "duration": fitted.seconds,  # an integer here, unlike the OpenAI protocol
            "aspect_ratio": fitted.aspect,
        }
        reference = fitted.reference
        if reference is not None and reference.url is not None:
            task_input["image_urls"] = [reference.url]
        body: dict[str, Any] = {"model": fitted.model, "input": task_input, **fitted.options}
        if fitted.callback_url:
            body["callback_url"] = fitted.callback_url
        return httpx.Request(
            "POST", self.url("videos/generations"), headers=self.headers(), json=body
        )

    def build_status(self, job: Job) -> httpx.Request:
        """``GET /tasks/{taskId}``."""
        return httpx.Request(
            "GET", self.url(f"tasks/{quote_segment(job.id)}"), headers=self.headers()
        )

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        """A plain GET of the output URL: https only, and without the API key."""
        self.check_variant(variant, ("video",))
        try:
            url = httpx.URL(self.output(job, index, field="url"))
        except httpx.InvalidURL as exc:
            raise ProtocolError(
                f"{self.name} returned an output URL that is not a valid URL ({exc})",
                provider=self.name,
            ) from exc
        if url.scheme != "https":
            raise ProtocolError(
                f"{self.name} returned an output URL that is not https; refusing to download it",
                provider=self.name,
                body=str(url),
            )
        # The output lives on a storage host: no Authorization header goes there.
        return httpx.Request("GET", url, headers={"User-Agent": USER_AGENT})

    # -- responses ----------------------------------------------------------------------

    def parse_submit(self, response: httpx.Response) -> Job:
        """The created task (pending) from the ``{code, msg, data{taskId}}`` envelope."""
        from . import _wire  # the wire format loads on first use

        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        try:
            envelope = _wire.converter.structure(body, _wire.Envelope)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            raise ProtocolError(
                f"{self.name} sent a create response vidgen cannot read: {exc}",
                provider=self.name,
                body=body,
            ) from exc
        if envelope.code is not None and envelope.code != 200:
            cls = error_class_for_status(envelope.code)
            raise cls(
                envelope.msg or f"create failed with code {envelope.code}",
                provider=self.name,
                status_code=envelope.code,
                provider_code=str(envelope.code),
                request_id=request_id_from(response),
                body=body,
            )
        if envelope.data is None or not envelope.data.taskId:
            raise ProtocolError(
                f"{self.name} answered the create without a taskId", provider=self.name, body=body
            )
        try:
            return Job(
                id=envelope.data.taskId,
                provider=self.name,
                status=JobStatus.QUEUED,
                profile=self.profile,
                request_id=request_id_from(response),
                raw=body,
            )
        except (ValueError, TypeError) as exc:  # an id that cannot be one (control characters)
            raise ProtocolError(
                f"{self.name} answered the create with a task id vidgen cannot use: {exc}",
                provider=self.name,
                body=body,
            ) from exc

    def _task(self, body: Any) -> Job:
        from . import _wire  # the wire format loads on first use

        if not isinstance(body, Mapping) or not body.get("id"):
            raise ProtocolError(
                f"{self.name} sent a task without an id", provider=self.name, body=body
            )
        try:
            task = _wire.converter.structure(body, _wire.Task)
            created_at = from_unix(task.created_at)
            completed_at = from_unix(task.completed_at)
            expires_at = completed_at + self.output_retention if completed_at else None
            if task.progress is not None and not math.isfinite(task.progress):
                raise ValueError(f"progress {task.progress!r} is not a number")
        except (cattrs.BaseValidationError, ValueError, TypeError, OverflowError, OSError) as exc:
            # OverflowError/OSError: a timestamp out of the platform's or datetime's range.
            raise ProtocolError(
                f"{self.name} sent a task vidgen cannot read: {exc}", provider=self.name, body=body
            ) from exc
        status = self.status_map.get((task.status or "").lower(), JobStatus.UNKNOWN)
        outputs: tuple[Output, ...] = ()
        seconds = None
        if task.output is not None:
            outputs = tuple(
                Output(kind="video", url=url, index=i, expires_at=expires_at)
                for i, url in enumerate(task.output.urls)
            )
            duration = task.output.metadata.get("duration")
            if isinstance(duration, int) and not isinstance(duration, bool):
                seconds = duration
        error = None
        if task.error is not None or status is JobStatus.FAILED:
            code = task.error.code if task.error else None
            message = (task.error.message if task.error else None) or "the task failed"
            error = JobError(
                code=_FAILURE_CODES.get(code or "", "generation_failed"),
                message=f"{message} (aivideoapi refunds the credits of failed tasks)",
                provider_code=code,
            )
        try:
            return Job(
                id=task.id,
                provider=self.name,
                model=task.model,
                status=status,
                progress=percent(task.progress),
                created_at=created_at,
                completed_at=completed_at,
                expires_at=expires_at,
                outputs=outputs,
                error=error,
                seconds=seconds,
                profile=self.profile,
                raw=dict(body),
            )
        except (ValueError, TypeError) as exc:  # an id with control characters, a NaN progress
            raise ProtocolError(
                f"{self.name} sent a task vidgen cannot read: {exc}", provider=self.name, body=body
            ) from exc

    def parse_status(self, response: httpx.Response) -> Job:
        """The task's current state."""
        self.raise_for_error(response)
        job = self._task(read_json(response, provider=self.name))
        request_id = request_id_from(response)
        return job if request_id is None else attrs.evolve(job, request_id=request_id)

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> Job:
        """A callback carries the same object as the query response.

        The vendor documents no signature: treat the result as a hint and re-read the task
        (`vidgen.Client.handle_callback` does).
        """
        return self._task(parse_json(body, provider=self.name))

    def parse_error(self, response: httpx.Response) -> ProviderError:
        """The vendor's ``{"error": {code, message, type}}``, by its error table."""
        from . import _wire  # the wire format loads on first use

        body: Any = error_body(response)
        fields = _wire.TaskError()
        if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
            try:
                fields = _wire.converter.structure(body["error"], _wire.TaskError)
            except (cattrs.BaseValidationError, ValueError, TypeError):
                fields = _wire.TaskError(message=str(body["error"]))
        known = _ERRORS.get(fields.code or "")
        if known is not None:
            cls, retryable, hint = known
        else:
            cls = error_class_for_status(response.status_code)
            retryable, hint = cls.default_retryable, None
        message = fields.message or f"HTTP {response.status_code} {response.reason_phrase}".strip()
        kwargs: dict[str, Any] = {
            "provider": self.name,
            "status_code": response.status_code,
            "provider_code": fields.code,
            "request_id": request_id_from(response),
            "retryable": retryable,
            "hint": hint,
            "body": body,
        }
        if issubclass(cls, RateLimited):
            kwargs["retry_after"] = parse_retry_after(response.headers)
        return cls(message, **kwargs)
