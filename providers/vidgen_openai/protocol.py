"""The OpenAI Videos API protocol (``/v1/videos``), for OpenAI and every relay that speaks it.

`VideosAPIProvider` is public so that relays build on it (APIYI, Azure's v1 path, a
config-described relay): a subclass sets its name, base URL and catalog, and overrides
the few methods where its quirks live (`status_map`, `error_fields`, `classify_error`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import cattrs
import httpx

from vidgen import (
    ContentPolicyViolation,
    InsufficientCredits,
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
    JobPage,
    Provider,
    error_body,
    error_class_for_status,
    finite_seconds,
    from_unix,
    parse_retry_after,
    percent,
    quote_segment,
    read_json,
    request_id_from,
)

from .errors import ErrorFields

__all__ = ["ErrorFields", "VideosAPIProvider"]

if TYPE_CHECKING:
    from vidgen import Fitted

    from . import _wire


VARIANTS = ("video", "thumbnail", "spritesheet")

_POLICY_WORDS = ("moderation", "content_policy", "policy_violation", "safety", "content_filter")
_SERVER_WORDS = ("internal", "server", "capacity", "upstream", "timeout", "unavailable")


def failure_code(provider_code: str | None, message: str | None) -> str:
    """The neutral code for a failed generation, from the provider's code and message."""
    text = f"{provider_code or ''} {message or ''}".lower()
    if any(word in text for word in _POLICY_WORDS):
        return "content_policy"
    if any(word in text for word in _SERVER_WORDS):
        return "server_error"
    return "generation_failed"


class VideosAPIProvider(Provider):
    """A provider that speaks OpenAI's ``/v1/videos`` protocol.

    Create is JSON, or multipart when the reference image is a file; ``seconds`` is a
    string on the wire; a failed generation arrives as HTTP 200 with ``status: failed``.
    """

    #: Wire status to neutral status. Anything else maps to UNKNOWN.
    status_map: ClassVar[Mapping[str, JobStatus]] = {
        "queued": JobStatus.QUEUED,
        "in_progress": JobStatus.RUNNING,
        "completed": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
        # Not in OpenAI's enum, but Azure's samples test for it: map it defensively.
        "cancelled": JobStatus.CANCELLED,
    }
    reserved_options: ClassVar[frozenset[str]] = frozenset(
        {"model", "prompt", "seconds", "size", "input_reference"}
    )
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id",)

    # -- requests -----------------------------------------------------------------------

    def query_params(self) -> dict[str, str]:
        """Query parameters every request carries (none for OpenAI; Azure's api-version)."""
        return {}

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        """``POST /videos``: JSON, or multipart with the reference image as a file."""
        fields: dict[str, Any] = {
            "model": fitted.model,
            "prompt": fitted.request.prompt,
            "seconds": str(fitted.seconds),  # a string: the API rejects an integer
            "size": fitted.size,
            **fitted.options,
        }
        reference = fitted.reference
        url = self.url("videos")
        if reference is not None and reference.data is not None:
            form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
            files = {"input_reference": (reference.filename, reference.data, reference.mime)}
            return httpx.Request(
                "POST",
                url,
                params=self.query_params(),
                headers=self.headers(),
                data=form,
                files=files,
            )
        if reference is not None:
            fields["input_reference"] = {"image_url": reference.url}
        return httpx.Request(
            "POST", url, params=self.query_params(), headers=self.headers(), json=fields
        )

    def build_status(self, job: Job) -> httpx.Request:
        """``GET /videos/{id}``."""
        return httpx.Request(
            "GET",
            self.url(f"videos/{quote_segment(job.id)}"),
            params=self.query_params(),
            headers=self.headers(),
        )

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        """``GET /videos/{id}/content?variant=...`` (video, thumbnail or spritesheet)."""
        self.check_variant(variant, VARIANTS)
        if index != 0:
            raise UnsupportedRequest(
                f"{self.name} jobs have one output; index {index} does not exist",
                param="index",
                value=index,
                supported=[0],
                provider=self.name,
            )
        return httpx.Request(
            "GET",
            self.url(f"videos/{quote_segment(job.id)}/content"),
            params={**self.query_params(), "variant": variant},
            headers=self.headers(Accept="application/binary"),
        )

    def build_list(self, limit: int = 20, after: str | None = None) -> httpx.Request:
        """``GET /videos?limit=&order=desc&after=``."""
        params: dict[str, Any] = {
            **self.query_params(),
            "limit": max(1, min(limit, 100)),
            "order": "desc",
        }
        if after:
            params["after"] = after
        return httpx.Request("GET", self.url("videos"), params=params, headers=self.headers())

    def build_delete(self, job: Job) -> httpx.Request:
        """``DELETE /videos/{id}``."""
        return httpx.Request(
            "DELETE",
            self.url(f"videos/{quote_segment(job.id)}"),
            params=self.query_params(),
            headers=self.headers(),
        )

    # -- responses ----------------------------------------------------------------------

    def _video(self, data: Any, response: httpx.Response) -> Job:
        from . import _wire  # the wire format loads on first use

        if not isinstance(data, Mapping) or not data.get("id"):
            raise ProtocolError(
                f"{self.name} sent a video object without an id (HTTP {response.status_code})",
                provider=self.name,
                body=data,
            )
        try:
            video = _wire.converter.structure(data, _wire.Video)
            # to_job converts too: a timestamp in milliseconds or a NaN progress fails there.
            return self.to_job(video, data, request_id_from(response, *self.request_id_headers))
        except (cattrs.BaseValidationError, ValueError, TypeError, OverflowError, OSError) as exc:
            raise ProtocolError(
                f"{self.name} sent a video object vidgen cannot read: {exc}",
                provider=self.name,
                body=data,
            ) from exc

    def to_job(self, video: _wire.Video, raw: Mapping[str, Any], request_id: str | None) -> Job:
        """The neutral job for a decoded video object."""
        status = self.status_map.get((video.status or "").lower(), JobStatus.UNKNOWN)
        expires_at = from_unix(video.expires_at)
        outputs: tuple[Output, ...] = ()
        if status is JobStatus.SUCCEEDED:
            outputs = (Output(kind="video", ref=video.id, expires_at=expires_at),)
        error = None
        if video.error is not None and (video.error.code or video.error.message):
            error = JobError(
                code=failure_code(video.error.code, video.error.message),
                message=video.error.message or "no reason given",
                provider_code=video.error.code,
            )
        elif status is JobStatus.FAILED:
            error = JobError(code="generation_failed", message=f"{self.name} gave no reason")
        seconds = None
        if video.seconds is not None and video.seconds.strip().isdigit():
            seconds = int(video.seconds)
        progress = percent(video.progress)
        return Job(
            id=video.id,
            provider=self.name,
            model=video.model,
            status=status,
            progress=progress,
            created_at=from_unix(video.created_at),
            completed_at=from_unix(video.completed_at),
            expires_at=expires_at,
            outputs=outputs,
            error=error,
            seconds=seconds,
            size=video.size,
            profile=self.profile,
            request_id=request_id,
            raw=dict(raw),
        )

    def parse_submit(self, response: httpx.Response) -> Job:
        """The created video (queued); the provider's error on failure."""
        self.raise_for_error(response)
        return self._video(read_json(response, provider=self.name), response)

    def parse_status(self, response: httpx.Response) -> Job:
        """The video's current state; a failed generation is HTTP 200 with status failed."""
        self.raise_for_error(response)
        return self._video(read_json(response, provider=self.name), response)

    def parse_list(self, response: httpx.Response) -> JobPage:
        """A page of ``GET /videos``."""
        from . import _wire  # the wire format loads on first use

        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        if not isinstance(body, Mapping):
            # cattrs would read a bare list or string as an empty page.
            raise ProtocolError(
                f"{self.name} sent a list that is not a JSON object (HTTP {response.status_code})",
                provider=self.name,
                body=body,
            )
        try:
            page = _wire.converter.structure(body, _wire.VideoList)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            raise ProtocolError(
                f"{self.name} sent a list vidgen cannot read: {exc}", provider=self.name, body=body
            ) from exc
        jobs = tuple(self._video(item, response) for item in page.data)
        cursor = page.last_id or (jobs[-1].id if jobs else None)
        return JobPage(jobs=jobs, next_cursor=cursor if page.has_more else None)

    def poll_hint(self, response: httpx.Response) -> float | None:
        """``openai-poll-after-ms``, else ``Retry-After``."""
        seconds = finite_seconds(response.headers.get("openai-poll-after-ms"), scale=1000.0)
        if seconds is not None:
            return seconds
        return parse_retry_after(response.headers)

    # -- errors -------------------------------------------------------------------------

    def error_fields(self, body: Any) -> Mapping[str, Any] | None:
        """The ``{message, type, param, code}`` object of an error body, if there is one."""
        if isinstance(body, Mapping):
            inner = body.get("error")
            if isinstance(inner, Mapping):
                return inner
            if isinstance(inner, str):
                return {"message": inner}
        return None

    def classify_error(self, status_code: int, fields: ErrorFields) -> type[ProviderError]:
        """The error class for a status and error object."""
        words = f"{fields.code or ''} {fields.type or ''}".lower()
        if any(word in words for word in _POLICY_WORDS):
            return ContentPolicyViolation
        if status_code == 429 and fields.code in (
            "insufficient_quota",
            "billing_hard_limit_reached",
        ):
            return InsufficientCredits
        return error_class_for_status(status_code)

    def error_hint(self, cls: type[ProviderError], fields: ErrorFields) -> str | None:
        """What the user can do about an error of class ``cls``."""
        hints = {
            "AuthenticationError": f"Check the key in {self.key_env or 'api_key'}",
            "PermissionDenied": "The key's organisation or project may not have access to this model",
            "InsufficientCredits": "Add credit or raise the account's spend limit",
            "RateLimited": "Wait and try again (vidgen retries reads and rate-limited submits itself)",
            "ContentPolicyViolation": "Change the prompt or reference image; moderation refused it",
            "NotFound": "Check the job id and model; jobs are deleted after they expire",
            "ServerError": "The provider failed; try again later",
            "InvalidRequest": "Change the request as the message says; `vidgen models` lists what each model accepts",
        }
        if cls.__name__ == "InvalidRequest" and fields.param:
            return f"Fix the '{fields.param}' field"
        for klass in cls.__mro__:
            if klass.__name__ in hints:
                return hints[klass.__name__]
        return None

    def parse_error(self, response: httpx.Response) -> ProviderError:
        """The neutral error for any error response, JSON or not."""
        from . import _wire  # the wire format loads on first use

        body: Any = error_body(response)
        raw_fields = self.error_fields(body)
        fields = ErrorFields()
        if raw_fields is not None:
            try:
                fields = _wire.converter.structure(raw_fields, ErrorFields)
            except (cattrs.BaseValidationError, ValueError, TypeError):
                fields = ErrorFields(message=str(raw_fields))
        cls = self.classify_error(response.status_code, fields)
        message = fields.message
        if not message:
            text = body if isinstance(body, str) else json.dumps(body)[:300]
            message = f"HTTP {response.status_code} {response.reason_phrase}".strip()
            if text.strip():
                message += f": {text.strip()[:300]}"
        kwargs: dict[str, Any] = {
            "provider": self.name,
            "status_code": response.status_code,
            "provider_code": fields.code or fields.type,
            "param": fields.param,
            "request_id": request_id_from(response, *self.request_id_headers),
            "hint": self.error_hint(cls, fields),
            "body": body,
        }
        if issubclass(cls, RateLimited):
            kwargs["retry_after"] = parse_retry_after(response.headers)
        return cls(message, **kwargs)
