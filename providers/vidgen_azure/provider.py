"""The ``azure`` provider: Azure OpenAI's two video APIs, chosen by the ``api`` setting.

* ``api="jobs"`` (default): the Azure-specific jobs API at
  ``{endpoint}/openai/v1/video/generations/jobs``: ``width``/``height``/``n_seconds``/
  ``n_variants``, results under ``generations[]``, downloads by generation id.
* ``api="videos"``: the OpenAI-compatible ``{endpoint}/openai/v1/videos``, spoken with
  Azure's auth and deployment names.

Auth is an ``api-key`` header (``$AZURE_OPENAI_API_KEY``) or a bearer token from a token
provider callable (Entra ID). Either header is a secret: vidgen never sends it to another
host, redirects included.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import cattrs
import httpx

from vidgen import (
    AuthenticationError,
    ConfigError,
    ContentPolicyViolation,
    InsufficientCredits,
    Job,
    JobError,
    JobStatus,
    NotFound,
    Output,
    PermissionDenied,
    ProtocolError,
    ProviderError,
    RateLimited,
)
from vidgen.provider import (
    JobPage,
    Secret,
    error_body,
    error_class_for_status,
    from_unix,
    parse_retry_after,
    quote_segment,
    read_json,
    request_id_from,
)
from vidgen_openai import VideosAPIProvider
from vidgen_openai.protocol import ErrorFields

__all__ = ["AzureProvider"]

if TYPE_CHECKING:
    from vidgen import Fitted

    from . import _wire

APIS = ("jobs", "videos")
ENDPOINT_ENV = "AZURE_OPENAI_ENDPOINT"
DEFAULT_JOBS_API_VERSION = "preview"

_JOB_STATUSES: Mapping[str, JobStatus] = {
    "preprocessing": JobStatus.QUEUED,
    "queued": JobStatus.QUEUED,
    "running": JobStatus.RUNNING,
    "processing": JobStatus.RUNNING,
    "succeeded": JobStatus.SUCCEEDED,
    "failed": JobStatus.FAILED,
    "cancelled": JobStatus.CANCELLED,
}
# failure_reason -> neutral code; any other reason is kept as it is.
_FAILURE_REASONS = {
    "input_moderation": "content_policy",
    "output_moderation": "content_policy",
    "internal_error": "server_error",
}
_POLICY_CODES = (
    "responsibleaipolicyviolation",
    "content_policy_violation",
    "content_filter",
    "contentfilter",
)
_DOWNLOAD_VARIANTS = ("video", "thumbnail")


class AzureProvider(VideosAPIProvider):
    """Azure OpenAI video generation.

    Settings:
        api: ``"jobs"`` (default) or ``"videos"``.
        endpoint: the resource URL, ``https://NAME.openai.azure.com`` (default
            ``$AZURE_OPENAI_ENDPOINT``); or ``base_url`` for the full ``.../openai/v1``.
        api_key: the key (default ``$AZURE_OPENAI_API_KEY``), sent as ``api-key``.
        token_provider: a callable returning an Entra ID token, sent as a bearer token
            instead of a key (e.g. azure-identity's ``get_bearer_token_provider``).
        api_version: the ``api-version`` query value (jobs default ``preview``; the v1
            videos path sends none unless set).
        deployments: model id -> your deployment name, when they differ.
    """

    name = "azure"
    display_name = "Azure OpenAI"
    api_key_env = "AZURE_OPENAI_API_KEY"
    catalog_package = "vidgen_azure"
    # The fields fit checks, on both APIs: provider_options may not override them.
    reserved_options: ClassVar[frozenset[str]] = VideosAPIProvider.reserved_options | frozenset(
        {"width", "height", "n_seconds", "n_variants", "files"}
    )
    secret_headers: ClassVar[frozenset[str]] = frozenset({"api-key", "authorization"})
    request_id_headers: ClassVar[tuple[str, ...]] = ("apim-request-id", "x-request-id")
    docs_url = "https://learn.microsoft.com/azure/ai-foundry/openai/concepts/video-generation"

    def __init__(
        self,
        *,
        api: str = "jobs",
        endpoint: str | None = None,
        token_provider: Callable[[], str] | None = None,
        api_version: str | None = None,
        deployments: Mapping[str, str] | None = None,
        base_url: str | None = None,
        **settings: Any,
    ) -> None:
        if api not in APIS:
            raise ConfigError(f"azure: api must be 'jobs' or 'videos', not {api!r}")
        if token_provider is not None and not callable(token_provider):
            raise ConfigError("azure: token_provider must be a callable that returns a token")
        endpoint = endpoint or os.environ.get(ENDPOINT_ENV) or None
        if base_url is None and endpoint:
            base_url = endpoint.rstrip("/") + "/openai/v1"
        super().__init__(base_url=base_url, **settings)
        self.api = api
        self.token_provider = token_provider
        self.api_version = api_version or (DEFAULT_JOBS_API_VERSION if api == "jobs" else None)
        self.deployments = dict(deployments or {})

    def __repr__(self) -> str:
        return (
            f"<AzureProvider api={self.api!r} base_url={self.base_url!r} "
            f"auth={'token provider' if self.token_provider else 'api-key'}>"
        )

    # -- settings -----------------------------------------------------------------------

    def raw_catalog(self) -> Mapping[str, Any]:
        """The catalog of the selected API."""
        section: Mapping[str, Any] = super().raw_catalog().get(self.api, {})
        return section

    @property
    def has_key(self) -> bool:
        """True with a token provider, a key, or the key's variable set."""
        return self.token_provider is not None or super().has_key

    def auth_headers(self) -> dict[str, str]:
        """A bearer token from the token provider, else the ``api-key`` header."""
        if self.token_provider is not None:
            token = Secret(self.token_provider())
            return {"Authorization": f"Bearer {token.reveal()}"}
        return {"api-key": self.secret().reveal()}

    def url(self, path: str) -> str:
        """``{endpoint}/openai/v1/{path}``.

        Raises:
            ConfigError: no endpoint (names AZURE_OPENAI_ENDPOINT).
        """
        if not self.base_url:
            raise ConfigError(
                f"azure needs the resource endpoint: set {ENDPOINT_ENV} "
                "(https://NAME.openai.azure.com) or endpoint= in the profile"
            )
        return super().url(path)

    def query_params(self) -> dict[str, str]:
        """``api-version``, when there is one."""
        return {"api-version": self.api_version} if self.api_version else {}

    def _params(self, **extra: Any) -> dict[str, Any]:
        return {**{k: v for k, v in extra.items() if v is not None}, **self.query_params()}

    def _deployment(self, model: str) -> str:
        return self.deployments.get(model, model)

    # -- requests -----------------------------------------------------------------------

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        """Create a job (jobs API) or a video (v1 path)."""
        if self.api == "videos":
            return super().build_submit(self._deployed(fitted))
        fields: dict[str, Any] = {
            "model": self._deployment(fitted.model),
            "prompt": fitted.request.prompt,
            "width": fitted.width,
            "height": fitted.height,
            "n_seconds": fitted.seconds,  # an integer on this API
            "n_variants": fitted.variants,
        }
        options = dict(fitted.options)
        reference = fitted.reference
        url = self.url("video/generations/jobs")
        if reference is not None and reference.data is not None:
            inpaint = options.pop(
                "inpaint_items",
                [
                    {
                        "frame_index": 0,
                        "type": "image",
                        "file_name": reference.filename,
                        "crop_bounds": {
                            "left_fraction": 0.0,
                            "top_fraction": 0.0,
                            "right_fraction": 1.0,
                            "bottom_fraction": 1.0,
                        },
                    }
                ],
            )
            # Numbers and strings as text; anything structured as JSON (not Python's repr).
            form = {
                k: v if isinstance(v, str) else json.dumps(v)
                for k, v in {**fields, **options}.items()
            }
            form["inpaint_items"] = json.dumps(inpaint)
            files = [("files", (reference.filename, reference.data, reference.mime))]
            return httpx.Request(
                "POST", url, params=self._params(), headers=self.headers(), data=form, files=files
            )
        return httpx.Request(
            "POST", url, params=self._params(), headers=self.headers(), json={**fields, **options}
        )

    def _deployed(self, fitted: Fitted) -> Fitted:
        deployment = self._deployment(fitted.model)
        if deployment == fitted.model:
            return fitted
        return attrs.evolve(fitted, model=deployment)

    def build_status(self, job: Job) -> httpx.Request:
        """``GET .../video/generations/jobs/{id}`` (or ``/videos/{id}``)."""
        if self.api == "videos":
            return super().build_status(job)
        return httpx.Request(
            "GET",
            self.url(f"video/generations/jobs/{quote_segment(job.id)}"),
            params=self._params(),
            headers=self.headers(),
        )

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        """The video (or thumbnail) of generation ``index``."""
        if self.api == "videos":
            return super().build_download(job, index, variant)
        self.check_variant(variant, _DOWNLOAD_VARIANTS)
        generation = self.output(job, index)
        return httpx.Request(
            "GET",
            self.url(f"video/generations/{quote_segment(generation)}/content/{variant}"),
            params=self._params(),
            headers=self.headers(),
        )

    def build_list(self, limit: int = 20, after: str | None = None) -> httpx.Request:
        """``GET .../video/generations/jobs?limit=&after=``."""
        if self.api == "videos":
            return super().build_list(limit, after)
        return httpx.Request(
            "GET",
            self.url("video/generations/jobs"),
            params=self._params(limit=max(1, min(limit, 100)), after=after),
            headers=self.headers(),
        )

    def build_delete(self, job: Job) -> httpx.Request:
        """``DELETE .../video/generations/jobs/{id}`` (answers 204)."""
        if self.api == "videos":
            return super().build_delete(job)
        return httpx.Request(
            "DELETE",
            self.url(f"video/generations/jobs/{quote_segment(job.id)}"),
            params=self._params(),
            headers=self.headers(),
        )

    # -- responses ----------------------------------------------------------------------

    def _job(self, body: Any, response: httpx.Response) -> Job:
        from . import _wire  # the wire format loads on first use

        if not isinstance(body, Mapping) or not body.get("id"):
            raise ProtocolError("azure sent a job without an id", provider=self.name, body=body)
        try:
            job = _wire.converter.structure(body, _wire.VideoJob)
            return self._to_job(job, body, response)
        except (cattrs.BaseValidationError, ValueError, TypeError, OverflowError) as exc:
            # ValueError also comes from a timestamp out of range and from an id with
            # control characters.
            raise ProtocolError(
                f"azure sent a job vidgen cannot read: {exc}", provider=self.name, body=body
            ) from exc

    def _to_job(
        self, job: _wire.VideoJob, body: Mapping[str, Any], response: httpx.Response
    ) -> Job:
        status = _JOB_STATUSES.get((job.status or "").lower(), JobStatus.UNKNOWN)
        expires_at = from_unix(job.expires_at)
        outputs = tuple(
            Output(kind="video", ref=gen.id, index=i, expires_at=expires_at)
            for i, gen in enumerate(job.generations)
        )
        error = None
        if job.failure_reason or status is JobStatus.FAILED:
            reason = job.failure_reason
            error = JobError(
                code=_FAILURE_REASONS.get(reason or "", reason or "generation_failed"),
                message=f"the job failed: {reason or 'no reason given'}",
                provider_code=reason,
            )
        size = f"{job.width}x{job.height}" if job.width and job.height else None
        return Job(
            id=job.id,
            provider=self.name,
            model=job.model,
            status=status,
            created_at=from_unix(job.created_at),
            completed_at=from_unix(job.finished_at),
            expires_at=expires_at,
            outputs=outputs if status is JobStatus.SUCCEEDED else (),
            error=error,
            seconds=job.n_seconds,
            size=size,
            profile=self.profile,
            request_id=request_id_from(response, *self.request_id_headers),
            raw=dict(body),
        )

    def parse_submit(self, response: httpx.Response) -> Job:
        """The created job."""
        if self.api == "videos":
            return super().parse_submit(response)
        self.raise_for_error(response)
        return self._job(read_json(response, provider=self.name), response)

    def parse_status(self, response: httpx.Response) -> Job:
        """The job's current state."""
        if self.api == "videos":
            return super().parse_status(response)
        self.raise_for_error(response)
        return self._job(read_json(response, provider=self.name), response)

    def parse_list(self, response: httpx.Response) -> JobPage:
        """A page of jobs."""
        if self.api == "videos":
            return super().parse_list(response)
        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        if not isinstance(body, Mapping) or not isinstance(body.get("data"), list):
            raise ProtocolError("azure sent a job list without data", provider=self.name, body=body)
        jobs = tuple(self._job(item, response) for item in body["data"])
        last_id = body.get("last_id")
        cursor = last_id if isinstance(last_id, str) and last_id else None
        cursor = cursor or (jobs[-1].id if jobs else None)
        return JobPage(jobs=jobs, next_cursor=cursor if body.get("has_more") else None)

    def poll_hint(self, response: httpx.Response) -> float | None:
        """``Retry-After`` (Azure sends no OpenAI poll header on the jobs API)."""
        if self.api == "videos":
            return super().poll_hint(response)
        return parse_retry_after(response.headers)

    # -- errors -------------------------------------------------------------------------

    def parse_error(self, response: httpx.Response) -> ProviderError:
        """Both shapes: ``{"error": {...}}`` and the same fields at the top level."""
        body: Any = error_body(response)
        fields: Mapping[str, Any] = {}
        if isinstance(body, Mapping):
            wrapped = body.get("error")
            if isinstance(wrapped, Mapping):
                fields = wrapped
            elif isinstance(wrapped, str):
                fields = {"message": wrapped}
            elif "message" in body or "code" in body:
                fields = body
        code = fields.get("code")
        inner = fields.get("inner_error") or fields.get("innererror")
        inner_code = inner.get("code") if isinstance(inner, Mapping) else None
        words = f"{code or ''} {inner_code or ''}".lower()
        cls: type[ProviderError]
        if any(word in words for word in _POLICY_CODES):
            cls = ContentPolicyViolation
        elif response.status_code == 429 and str(code).lower() in (
            "insufficient_quota",
            "quotaexceeded",
        ):
            cls = InsufficientCredits
        else:
            cls = error_class_for_status(response.status_code)
        message = (
            fields.get("message") or f"HTTP {response.status_code} {response.reason_phrase}".strip()
        )
        param = fields.get("param")
        kwargs: dict[str, Any] = {
            "provider": self.name,
            "status_code": response.status_code,
            "provider_code": str(inner_code or code) if (inner_code or code) else None,
            "param": str(param) if param else None,
            "request_id": request_id_from(response, *self.request_id_headers),
            "hint": self._hint(cls),
            "body": body,
        }
        if issubclass(cls, RateLimited):
            kwargs["retry_after"] = parse_retry_after(response.headers)
        return cls(str(message), **kwargs)

    def _hint(self, cls: type[ProviderError]) -> str | None:
        if cls is AuthenticationError:
            return (
                f"Check {self.key_env} (or the token provider) and that the endpoint is this "
                "key's resource"
            )
        if cls is PermissionDenied:
            return (
                "The identity needs the Cognitive Services User role, or the resource's network "
                "rules block this machine"
            )
        if cls is NotFound:
            return "Check the deployment name (model) and the job id; jobs are deleted after 24 h"
        if cls is ContentPolicyViolation:
            return "Azure's content filter refused the prompt or image; change it"
        return None

    def error_hint(self, cls: type[ProviderError], fields: ErrorFields) -> str | None:
        """Azure's advice (used by the OpenAI-protocol code path)."""
        return self._hint(cls) or super().error_hint(cls, fields)
