"""The ``fal`` provider: fal's queue API, in front of hundreds of hosted video models.

One transport for every model (WIRE-LIVE.md section 2; research/hosts.md section 1):

* submit: ``POST https://queue.fal.run/{endpoint_id}`` with the model's own input,
  ``Authorization: Key $FAL_KEY``, ``?fal_webhook=`` for a webhook and the
  ``X-Fal-Object-Lifecycle-Preference`` header for output retention;
* status: ``GET .../requests/{id}/status`` (``IN_QUEUE``, ``IN_PROGRESS``, ``COMPLETED``);
* result: ``GET .../requests/{id}`` once the status says ``COMPLETED`` (the model's output,
  or the model's error with its own status code);
* cancel: ``PUT .../requests/{id}/cancel``.

The status, result and cancel URLs name only the ``owner/app`` part of the endpoint; fal
returns them with the submit, and vidgen uses those (rebuilding them only when they are
missing or point elsewhere than the configured queue host).

Each model's input schema differs: the catalog's ``wire`` tables describe them
(`vidgen_hosted.inputs`), so a user adds an endpoint in ``vidgen.toml`` without code.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

import attrs
import httpx

from vidgen import (
    ConfigError,
    ContentPolicyViolation,
    InsufficientCredits,
    Job,
    JobError,
    JobStatus,
    NotFound,
    Output,
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
    Delivery,
    Provider,
    error_class_for_status,
    finite_seconds,
    parse_retry_after,
    request_id_from,
    same_origin,
)
from vidgen.provider import (
    read_json as _read_json,
)
from vidgen_hosted.inputs import InputMap, check_fitted

if TYPE_CHECKING:
    from vidgen import Catalog, Fitted

__all__ = ["FalProvider"]

#: What fal's queue statuses mean. ``COMPLETED`` is not final for vidgen: the request has
#: finished, and whether it succeeded is in the result, which is read next.
#: ``FAILED``/``CANCELED`` appear only in a third-party schema of the status response
#: (research/hosts.md 1.1); they are mapped in case fal sends them.
STATUSES: Mapping[str, JobStatus] = {
    "IN_QUEUE": JobStatus.QUEUED,
    "IN_PROGRESS": JobStatus.RUNNING,
    "COMPLETED": JobStatus.RUNNING,
    "FAILED": JobStatus.FAILED,
    "CANCELED": JobStatus.CANCELLED,
    "CANCELLED": JobStatus.CANCELLED,
}

#: fal's request error types (fal.ai/docs/documentation/model-apis/request-errors) and what
#: the user can do about each.
_REQUEST_ERRORS: Mapping[str, str] = {
    "request_timeout": "The request ran longer than fal allows; try a shorter video or later",
    "startup_timeout": "No fal runner started in time; try again later",
    "runner_scheduling_failure": "fal could not schedule a runner; try again later",
    "runner_connection_timeout": "The connection to fal's runner timed out; try again later",
    "runner_disconnected": "fal's runner disconnected; try again later",
    "runner_connection_refused": "fal's runner refused the connection; try again later",
}

# Endpoint ids are path segments under the queue host: owner/app[/path...].
_ENDPOINT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)+$")
_RESULT_PATH_RE = re.compile(r"/requests/([^/]+)$")
_STATUS_PATH_RE = re.compile(r"/requests/([^/]+)/status$")
_MAX_PRICE_IDS = 50  # the pricing API takes 1-50 endpoint ids per request
_EXTENSION = "vidgen_fal"


class FalProvider(Provider):
    """fal's queue API.

    Settings (keyword arguments, or keys of a ``vidgen.toml`` profile):
        api_key: the key (default: ``$FAL_KEY``).
        base_url: the queue host (default ``https://queue.fal.run``).
        models: model tables that add endpoints or override the shipped ones (each with a
            ``wire`` table; see ``docs/providers/fal.md``).
        webhook_jwks: fal's webhook public keys: a JWKS dict, its JSON text, or the path of
            a JSON file saved from https://rest.fal.ai/.well-known/jwks.json.
        object_expiration_seconds: how long fal keeps the output files, sent as
            ``X-Fal-Object-Lifecycle-Preference`` (``"never"`` for no expiry; unset: fal's
            default).
        logs: ask for the runner's logs with each status (``?logs=1``).
    """

    name = "fal"
    display_name = "fal"
    api_key_env = "FAL_KEY"
    default_base_url = "https://queue.fal.run"
    catalog_package = "vidgen_fal"
    docs_url = "https://fal.ai/docs/documentation/model-apis/inference/queue"
    #: Video jobs take minutes; fal suggests no pace and sends no poll hints.
    default_poll: ClassVar[PollPolicy | None] = PollPolicy(initial=5.0, factor=1.5, maximum=15.0)
    #: fal's machine-readable prices (fal.ai/docs/platform-apis/v1/models/pricing).
    pricing_url: ClassVar[str] = "https://api.fal.ai/v1/models/pricing"
    #: fal's own page for each endpoint, where the prices are shown.
    model_page: ClassVar[str] = "https://fal.ai/models/{endpoint}"

    def __init__(
        self,
        *,
        webhook_jwks: Mapping[str, Any] | str | None = None,
        object_expiration_seconds: int | str | None = None,
        logs: bool = False,
        api_key: str | None = None,
        api_key_env: str | None = None,
        base_url: str | None = None,
        models: Iterable[Mapping[str, Any]] = (),
        profile: str | None = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            api_key_env=api_key_env,
            base_url=base_url,
            models=models,
            profile=profile,
        )
        self.webhook_jwks = webhook_jwks
        # Endpoints of the requests this provider submitted, by request id: a webhook or
        # callback names only the request id, and fal's status URLs need the endpoint's app.
        self._endpoints: dict[str, str] = {}
        self._keys: tuple[bytes, ...] | None = None
        if webhook_jwks is not None:
            from ._signing import load_jwks

            self._keys = load_jwks(webhook_jwks)
        if object_expiration_seconds not in (None, "never") and (
            isinstance(object_expiration_seconds, bool)
            or not isinstance(object_expiration_seconds, int)
            or object_expiration_seconds <= 0
        ):
            raise ConfigError(
                "fal: object_expiration_seconds must be a positive number of seconds or "
                f'"never", not {object_expiration_seconds!r}'
            )
        self.object_expiration_seconds = object_expiration_seconds
        if not isinstance(logs, bool):
            raise ConfigError(f"fal: logs must be true or false, not {logs!r}")
        self.logs = logs

    def auth_headers(self) -> dict[str, str]:
        """fal's ``Authorization: Key <FAL_KEY>`` (the word Key, not Bearer)."""
        return {"Authorization": f"Key {self.secret().reveal()}"}

    # -- the catalog ---------------------------------------------------------------------------

    @property
    def catalog(self) -> Catalog:
        """The shipped catalog with the profile's models, every wire table validated."""
        loaded = self._catalog is None
        catalog = super().catalog
        if loaded:
            where = f"profile {self.profile!r}" if self.profile else "fal catalog"
            for spec in catalog.models:
                mapping = InputMap.from_wire(spec.wire, model=spec.id, where=where)
                mapping.check_spec(spec, where=where)
                for endpoint in (
                    mapping.text_to_video,
                    mapping.image_to_video,
                    mapping.reference_to_video,
                ):
                    if endpoint is not None and not _ENDPOINT_RE.match(endpoint):
                        raise ConfigError(
                            f"{where}: model {spec.id!r}: {endpoint!r} is not a fal endpoint "
                            'id (owner/app[/path], e.g. "fal-ai/veo3.1/image-to-video")'
                        )
        return catalog

    def check_fitted(self, fitted: Fitted, policy: str) -> Fitted:
        """Refuse what the chosen endpoint has no field for (see `vidgen_hosted.inputs`)."""
        check_fitted(fitted, provider=self.name)
        return fitted

    # -- requests -----------------------------------------------------------------------------

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        """``POST {queue}/{endpoint}`` with the model's input (and ``?fal_webhook=``)."""
        mapping = check_fitted(fitted, provider=self.name)
        endpoint = mapping.endpoint(fitted)
        body = {**mapping.build(fitted), **fitted.options}
        params = {"fal_webhook": fitted.callback_url} if fitted.callback_url else None
        headers = self.headers(**{"Content-Type": "application/json"})
        lifecycle = self.object_lifecycle_header()
        if lifecycle is not None:
            headers["X-Fal-Object-Lifecycle-Preference"] = lifecycle
        return httpx.Request(
            "POST",
            self.url(endpoint),
            params=params,
            headers=headers,
            content=json.dumps(body).encode(),
        )

    def object_lifecycle_header(self) -> str | None:
        """The ``X-Fal-Object-Lifecycle-Preference`` value for the retention setting."""
        seconds = self.object_expiration_seconds
        if seconds is None:
            return None
        return json.dumps({"expiration_duration_seconds": None if seconds == "never" else seconds})

    def build_status(self, job: Job) -> httpx.Request:
        """The status URL, or the result URL once the request is known to have finished."""
        urls = self._urls(job)
        # COMPLETED (a status said so), or OK/ERROR (a webhook did): the result is next.
        if job.raw.get("status") in ("COMPLETED", "OK", "ERROR"):
            url = urls["response_url"]
        else:
            url = urls["status_url"] + ("?logs=1" if self.logs else "")
        return httpx.Request(
            "GET", url, headers=self.headers(), extensions={_EXTENSION: {"model": job.model}}
        )

    def build_cancel(self, job: Job) -> httpx.Request:
        """``PUT .../requests/{id}/cancel``."""
        return httpx.Request("PUT", self._urls(job)["cancel_url"], headers=self.headers())

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        """A plain GET of the output on fal's CDN: https only, and without the key."""
        self.check_variant(variant, ("video",))
        url = httpx.URL(self.output(job, index, field="url"))
        if url.scheme != "https":
            raise ProtocolError(
                f"{self.name} returned an output URL that is not https; refusing to download it",
                provider=self.name,
                body=str(url),
            )
        return httpx.Request("GET", url, headers={"User-Agent": USER_AGENT})

    def job_ref(self, job_id: str) -> Job:
        """A job from its id. fal needs the endpoint too: pass ``endpoint/requests/id``
        (``fal-ai/veo3.1/requests/80e7...``) or the request's status URL; a bare request id
        is accepted, but cannot be polled without the job vidgen returned at submit."""
        text = job_id.strip()
        if text.startswith("https://"):
            text = httpx.URL(text).path.lstrip("/")
        text = re.sub(r"/status$", "", text)
        app, sep, request_id = text.rpartition("/requests/")
        if sep and app and request_id and "/" not in request_id:
            return Job(id=request_id, provider=self.name, model=app, profile=self.profile)
        return Job(id=job_id, provider=self.name, profile=self.profile)

    def _urls(self, job: Job) -> dict[str, str]:
        """The request's status, result and cancel URLs: fal's own, else rebuilt."""
        urls: dict[str, str] = {}
        raw = job.raw
        for key in ("status_url", "response_url", "cancel_url"):
            value = raw.get(key)
            if isinstance(value, str) and value.startswith("https://") and self._ours(value):
                urls[key] = value
        if len(urls) == 3:
            return urls
        model = job.model or self._endpoints.get(job.id)
        if not model:
            raise UnsupportedRequest(
                f"fal needs the endpoint to find request {job.id}: pass the Job that submit() "
                "returned, or 'ENDPOINT/requests/ID' (e.g. fal-ai/veo3.1/requests/<id>)",
                param="job",
                value=job.id,
                provider=self.name,
            )
        base = self.url(f"{app_of(model)}/requests/{_segment(job.id)}")
        rebuilt = {
            "status_url": f"{base}/status",
            "response_url": base,
            "cancel_url": f"{base}/cancel",
        }
        return {**rebuilt, **urls}

    def _ours(self, url: str) -> bool:
        try:
            return same_origin(url, self.base_url or "https://queue.fal.run")
        except (httpx.InvalidURL, ValueError, TypeError):
            return False

    # -- responses ----------------------------------------------------------------------------

    def parse_submit(self, response: httpx.Response) -> Job:
        """The queued request: ``{request_id, response_url, status_url, cancel_url}``."""
        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        if not isinstance(body, Mapping) or not _text(body.get("request_id")):
            raise ProtocolError(
                f"{self.name} answered the submit without a request_id",
                provider=self.name,
                body=body,
            )
        model = _endpoint_of(response, self.base_url)
        if model:
            self._endpoints[str(body["request_id"])] = model
        status = body.get("status")
        return Job(
            id=str(body["request_id"]),
            provider=self.name,
            model=model,
            status=STATUSES.get(status, JobStatus.QUEUED)
            if isinstance(status, str)
            else JobStatus.QUEUED,
            profile=self.profile,
            request_id=request_id_from(response, "x-fal-request-id", "x-request-id"),
            raw=self._raw(dict(body), response, model),
        )

    def parse_status(self, response: httpx.Response) -> Job:
        """A status response, or (after ``COMPLETED``) the result or the model's error."""
        kind, request_id = _kind(response)
        if kind == "result" and response.is_error:
            return self._failed_result(response, request_id)
        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        if not isinstance(body, Mapping):
            raise ProtocolError(
                f"{self.name} sent a {kind} body vidgen cannot read", provider=self.name, body=body
            )
        if kind == "result" or (kind == "unknown" and not isinstance(body.get("status"), str)):
            return self._result(response, body, request_id)
        return self._status(response, body, request_id)

    def _status(
        self, response: httpx.Response, body: Mapping[str, Any], request_id: str | None
    ) -> Job:
        job_id = request_id or _text(body.get("request_id"))
        if not job_id:
            raise ProtocolError(
                f"{self.name} sent a status without a request id", provider=self.name, body=body
            )
        wire = body.get("status")
        status = (
            STATUSES.get(wire, JobStatus.UNKNOWN) if isinstance(wire, str) else JobStatus.UNKNOWN
        )
        error = None
        if status is JobStatus.FAILED:
            message = _text(body.get("error")) or "fal reports the request FAILED"
            error = JobError(code="generation_failed", message=message, provider_code=wire)
        model = _model_of(response)
        return Job(
            id=job_id,
            provider=self.name,
            model=model,
            status=status,
            error=error,
            profile=self.profile,
            request_id=request_id_from(response, "x-fal-request-id", "x-request-id"),
            raw=self._raw(dict(body), response, model, job_id=job_id),
        )

    def _result(
        self, response: httpx.Response, body: Mapping[str, Any], request_id: str | None
    ) -> Job:
        job_id = request_id or _text(body.get("request_id"))
        if not job_id:
            raise ProtocolError(
                f"{self.name} sent a result without a request id in its URL",
                provider=self.name,
                body=body,
            )
        job = self.job_from_output(job_id, body, model=_model_of(response))
        usage = _billed(response)
        return attrs.evolve(
            job,
            usage=usage,
            request_id=request_id_from(response, "x-fal-request-id", "x-request-id"),
            raw=self._raw(
                {"status": "COMPLETED", **dict(body)}, response, job.model, job_id=job_id
            ),
        )

    def job_from_output(
        self, job_id: str, output: Mapping[str, Any], *, model: str | None = None
    ) -> Job:
        """The finished job a model's output describes (``{"video": {"url": ...}, ...}``)."""
        videos = _videos(output)
        if not videos:
            return Job(
                id=job_id,
                provider=self.name,
                model=model,
                status=JobStatus.FAILED,
                error=JobError(
                    code="generation_failed",
                    message="fal finished the request but its result has no video",
                ),
                profile=self.profile,
                raw=dict(output),
            )
        first = videos[0]
        width, height = _positive_int(first.get("width")), _positive_int(first.get("height"))
        seconds = finite_seconds(first.get("duration"))
        return Job(
            id=job_id,
            provider=self.name,
            model=model,
            status=JobStatus.SUCCEEDED,
            progress=100,
            outputs=tuple(
                Output(kind="video", url=str(video["url"]), index=i)
                for i, video in enumerate(videos)
            ),
            seconds=round(seconds) if seconds else None,
            size=f"{width}x{height}" if width and height else None,
            profile=self.profile,
            raw=dict(output),
        )

    def _failed_result(self, response: httpx.Response, request_id: str | None) -> Job:
        """The result of a request the model refused or fal could not run, as a failed job."""
        error = self.parse_error(response)
        detail = error.message.lower()
        if "in progress" in detail and response.status_code < 500:
            # {"detail": "Request is still in progress"}: asked too early; poll again.
            if request_id is None:
                raise error
            model = _model_of(response)
            return Job(
                id=request_id,
                provider=self.name,
                model=model,
                status=JobStatus.RUNNING,
                profile=self.profile,
                raw=self._raw({"status": "IN_PROGRESS"}, response, model, job_id=request_id),
            )
        fal_body = isinstance(error.body, Mapping) and any(
            k in error.body for k in ("detail", "error", "error_type")
        )
        job_failed = response.status_code in (400, 422) or (
            response.status_code >= 500 and fal_body
        )
        if (
            request_id is None
            or not job_failed
            or isinstance(error, (RateLimited, InsufficientCredits))
        ):
            if isinstance(error, NotFound):
                error.hint = (
                    "fal keeps a request's result for 1 hour after it completes (6 minutes when "
                    "the result is 10 KB or more); the video may still be on fal's CDN: look in "
                    "the fal dashboard's request history"
                )
            raise error
        code = (
            "content_policy"
            if isinstance(error, ContentPolicyViolation)
            else ("server_error" if response.status_code >= 500 else "generation_failed")
        )
        model = _model_of(response)
        return Job(
            id=request_id,
            provider=self.name,
            model=model,
            status=JobStatus.FAILED,
            error=JobError(
                code=code,
                message=error.message
                + (" (fal does not bill server errors)" if code == "server_error" else ""),
                provider_code=error.provider_code or str(response.status_code),
            ),
            profile=self.profile,
            request_id=error.request_id,
            raw=self._raw(
                {"status": "COMPLETED", "error": error.body}, response, model, job_id=request_id
            ),
        )

    def _raw(
        self,
        body: dict[str, Any],
        response: httpx.Response,
        model: str | None,
        *,
        job_id: str | None = None,
    ) -> dict[str, Any]:
        """The vendor's body, with the request's URLs kept (later polls need them)."""
        job_id = job_id or _text(body.get("request_id"))
        if job_id and model and self.base_url:
            base = f"{self.base_url}/{app_of(model)}/requests/{_segment(job_id)}"
            body.setdefault("status_url", f"{base}/status")
            body.setdefault("response_url", base)
            body.setdefault("cancel_url", f"{base}/cancel")
        return body

    def poll_hint(self, response: httpx.Response) -> float | None:
        """Read the result at once when the status says ``COMPLETED``; else the server's hint."""
        try:
            if response.status_code == 200 and _kind(response)[0] == "status":
                body = json.loads(response.content)
                if isinstance(body, Mapping) and body.get("status") == "COMPLETED":
                    return 0.0
        except (ValueError, UnicodeDecodeError, RecursionError):
            pass
        return parse_retry_after(response.headers)

    def parse_cancel(self, response: httpx.Response, job: Job) -> Job | None:
        """fal's answer to a cancel: ``OK`` (removed from the queue: cancelled),
        ``CANCELLATION_REQUESTED`` (already running: it may still finish and be billed; vidgen
        reads the status), ``ALREADY_COMPLETED`` (nothing to stop), ``NOT_FOUND``."""
        try:
            body: Any = json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = None
        status = body.get("status") if isinstance(body, Mapping) else None
        if status == "NOT_FOUND" or (response.status_code == 404 and status is None):
            raise NotFound(
                f"fal has no request {job.id} to cancel (NOT_FOUND)",
                provider=self.name,
                status_code=response.status_code,
                provider_code="NOT_FOUND",
                request_id=request_id_from(response, "x-fal-request-id", "x-request-id"),
                body=body,
            )
        if status == "OK":
            return attrs.evolve(
                job, status=JobStatus.CANCELLED, raw={**job.raw, "status": "CANCELED"}
            )
        if status in ("CANCELLATION_REQUESTED", "ALREADY_COMPLETED"):
            return None
        self.raise_for_error(response)
        return None

    # -- errors -------------------------------------------------------------------------------

    def parse_error(self, response: httpx.Response) -> ProviderError:
        """fal's error shapes: ``{"detail": "...", "error_type": "..."}`` (request errors),
        ``{"detail": [{"loc", "msg", "type"}]}`` (model errors, 422), ``{"error": {...}}``
        and ``{"error": "..."}``."""
        try:
            body: Any = json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = response.content[:2000].decode("utf-8", "replace")
        status = response.status_code
        message, provider_code, param, policy = _error_fields(body)
        provider_code = response.headers.get("x-fal-error-type") or provider_code
        cls: type[ProviderError] = error_class_for_status(status)
        lowered = (message or "").lower()
        if policy:
            cls = ContentPolicyViolation
        elif status in (402, 403) and ("balance" in lowered or "billing" in lowered):
            cls = InsufficientCredits
        elif provider_code in _REQUEST_ERRORS and status < 500:
            cls = ServerError
        retryable: bool | None = None
        flag = (
            (
                response.headers.get("x-fal-retryable")
                or response.headers.get("x-fal-needs-retry")
                or ""
            )
            .strip()
            .lower()
        )
        if flag in ("true", "1", "yes"):
            retryable = True
        elif flag in ("false", "0", "no"):
            retryable = False
        hint = _REQUEST_ERRORS.get(provider_code or "")
        if cls is InsufficientCredits:
            hint = "Top up your fal balance (fal.ai/dashboard/billing)"
        elif cls is ContentPolicyViolation:
            hint = (
                "A content checker refused the prompt or image; change it (retrying will not help)"
            )
        kwargs: dict[str, Any] = {
            "provider": self.name,
            "status_code": status,
            "provider_code": provider_code,
            "param": param,
            "request_id": request_id_from(response, "x-fal-request-id", "x-request-id"),
            "retryable": retryable,
            "hint": hint,
            "body": body,
        }
        if issubclass(cls, RateLimited):
            kwargs["retry_after"] = parse_retry_after(response.headers)
        text = message or f"HTTP {status} {response.reason_phrase}".strip()
        return cls(text, **kwargs)

    # -- webhooks -----------------------------------------------------------------------------

    def verify_webhook(
        self,
        headers: Mapping[str, str],
        body: bytes,
        *,
        secret: str | bytes | None,
        now: dt.datetime,
    ) -> Delivery:
        """Check fal's ED25519 signature against the JWKS (``secret``, else ``webhook_jwks``).

        Raises:
            WebhookRejected: malformed, stale (more than 300 s from ``now``) or forged.
            ConfigError: no keys are configured, or ``cryptography`` is not installed.
        """
        from ._signing import JWKS_URL, load_jwks, verify

        if secret is not None:
            keys = load_jwks(secret, setting="the webhook secret")
        elif self._keys is not None:
            keys = self._keys
        else:
            raise ConfigError(
                "fal: set webhook_jwks (fal's public keys) to verify webhooks: save "
                f"{JWKS_URL} to a file and set webhook_jwks to its path (refresh it at least daily)"
            )
        return verify(headers, body, keys=keys, now=now)

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> Job:
        """A webhook delivery: ``{request_id, status: OK|ERROR, payload, error?, payload_error?}``."""
        try:
            data: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ProtocolError(
                f"{self.name} webhook body is not JSON", provider=self.name, body=body[:500]
            ) from exc
        if not isinstance(data, Mapping) or not _text(data.get("request_id")):
            raise ProtocolError(
                f"{self.name} webhook without a request_id", provider=self.name, body=data
            )
        job_id = str(data["request_id"])
        status = data.get("status")
        payload = data.get("payload")
        if status == "OK" and isinstance(payload, Mapping):
            job = self.job_from_output(job_id, payload)
            return attrs.evolve(job, raw=dict(data))
        if status == "OK":
            # The output was not JSON (payload_error): the result is still on the queue.
            return Job(
                id=job_id,
                provider=self.name,
                status=JobStatus.RUNNING,
                profile=self.profile,
                raw={**dict(data), "status": "COMPLETED"},
            )
        if status == "ERROR":
            message, code, _, policy = _error_fields(payload)
            summary = _text(data.get("error")) or "fal reports the request failed"
            return Job(
                id=job_id,
                provider=self.name,
                status=JobStatus.FAILED,
                error=JobError(
                    code="content_policy" if policy else "generation_failed",
                    message=f"{summary}: {message}" if message else summary,
                    provider_code=code or _status_code_in(summary),
                ),
                profile=self.profile,
                raw=dict(data),
            )
        return Job(
            id=job_id,
            provider=self.name,
            status=JobStatus.UNKNOWN,
            profile=self.profile,
            raw=dict(data),
        )

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> Job:
        """fal's callbacks are its webhooks: the same body (see `parse_webhook`)."""
        return self.parse_webhook(headers, body)

    # -- prices from fal's pricing API --------------------------------------------------------

    def _priced_endpoints(self) -> list[str]:
        endpoints: list[str] = []
        shipped = {m.get("id") for m in self.raw_catalog().get("models", ())}
        for spec in self.catalog.models:
            if spec.id not in shipped:
                continue  # the overlay serves every profile: only the shipped models
            mapping = InputMap.from_wire(spec.wire, model=spec.id)
            for endpoint in (mapping.text_to_video, mapping.image_to_video):
                if endpoint is not None and endpoint not in endpoints:
                    endpoints.append(endpoint)
        return endpoints

    def build_catalog_refresh(self, cursor: str | None = None) -> httpx.Request | None:
        """``GET https://api.fal.ai/v1/models/pricing?endpoint_id=...`` for every endpoint in
        the catalog, 50 ids a request; ``cursor`` carries the batch and fal's page cursor."""
        endpoints = self._priced_endpoints()
        batch, api_cursor = _split_cursor(cursor)
        ids = endpoints[batch * _MAX_PRICE_IDS : (batch + 1) * _MAX_PRICE_IDS]
        if not ids:
            return None
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("endpoint_id", e) for e in ids
        ]
        if api_cursor:
            params.append(("cursor", api_cursor))
        return httpx.Request("GET", self.pricing_url, params=params, headers=self.headers())

    def parse_catalog_refresh(
        self, response: httpx.Response
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Model tables with fal's current prices, each citing the pricing API and the date
        of the answer (its ``Date`` header).

        fal gives one base price per endpoint. It replaces the shipped price of the same
        unit with the lowest amount (the base tier, keeping its resolution and audio scope);
        other tiers keep their shipped figures and sources. A unit vidgen cannot quote
        (per image, per GPU-second, per token) leaves the shipped prices alone.
        """
        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        if not isinstance(body, Mapping) or not isinstance(body.get("prices"), list):
            raise ProtocolError(
                f"{self.name} pricing answer has no prices list", provider=self.name, body=body
            )
        as_of = _response_date(response)
        source = (
            str(response.request.url.copy_with(query=None))
            if _has_request(response)
            else self.pricing_url
        )
        by_endpoint: dict[str, Mapping[str, Any]] = {}
        for item in body["prices"]:
            if isinstance(item, Mapping) and isinstance(item.get("endpoint_id"), str):
                by_endpoint[item["endpoint_id"]] = item
        tables = []
        shipped = {m.get("id") for m in self.raw_catalog().get("models", ())}
        for spec in self.catalog.models:
            if spec.id not in shipped:
                continue  # the overlay serves every profile: only the shipped models
            mapping = InputMap.from_wire(spec.wire, model=spec.id)
            endpoints = [e for e in (mapping.text_to_video, mapping.image_to_video) if e]
            found = [by_endpoint[e] for e in endpoints if e in by_endpoint]
            if not found:
                continue
            prices = _refreshed_prices(spec, found, source=source, as_of=as_of)
            if prices is not None:
                tables.append({"id": spec.id, "prices": prices})
        next_cursor = None
        api_next = body.get("next_cursor")
        batch = self._batch_of(response)
        if body.get("has_more") and isinstance(api_next, str) and api_next:
            next_cursor = f"{batch}:{api_next}"
        elif (batch + 1) * _MAX_PRICE_IDS < len(self._priced_endpoints()):
            next_cursor = f"{batch + 1}:"
        return tables, next_cursor

    def _batch_of(self, response: httpx.Response) -> int:
        if not _has_request(response):
            return 0
        asked = response.request.url.params.get_list("endpoint_id")
        endpoints = self._priced_endpoints()
        if asked and asked[0] in endpoints:
            return endpoints.index(asked[0]) // _MAX_PRICE_IDS
        return 0


def read_json(response: httpx.Response, *, provider: str | None = None) -> Any:
    """`vidgen.provider.read_json`, refusing JSON nested too deep to decode as a
    `ProtocolError` (the core's own guard for this is on its way; until then, here)."""
    try:
        return _read_json(response, provider=provider)
    except RecursionError as exc:
        raise ProtocolError(
            f"{provider or 'the provider'} sent JSON nested too deeply to read",
            provider=provider,
            body=response.content[:200].decode("utf-8", "replace"),
        ) from exc


# -- helpers -----------------------------------------------------------------------------------


def app_of(endpoint: str) -> str:
    """The ``owner/app`` an endpoint id's status and result URLs use.

    ``fal-ai/kling-video/v3/pro/text-to-video`` is served by ``fal-ai/kling-video``; fal's
    ``workflows/`` and ``comfy/`` apps keep three segments (as LiteLLM does).
    """
    parts = [p for p in endpoint.strip("/").split("/") if p]
    keep = 3 if parts and parts[0] in ("workflows", "comfy") else 2
    return "/".join(parts[:keep])


def _segment(value: str) -> str:
    segment = quote(str(value), safe="")
    return segment.replace(".", "%2E") if segment in (".", "..") else segment


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _has_request(response: httpx.Response) -> bool:
    try:
        response.request  # noqa: B018 - raises when the response has no request
    except RuntimeError:
        return False
    return True


def _kind(response: httpx.Response) -> tuple[str, str | None]:
    """Whether a response answers a status request or a result request, and the request id."""
    if not _has_request(response):
        return "unknown", None
    path = response.request.url.path
    match = _STATUS_PATH_RE.search(path)
    if match:
        return "status", match.group(1)
    match = _RESULT_PATH_RE.search(path)
    if match:
        return "result", match.group(1)
    return "unknown", None


def _model_of(response: httpx.Response) -> str | None:
    """The endpoint the job was submitted to, carried by vidgen on the request."""
    if not _has_request(response):
        return None
    carried = response.request.extensions.get(_EXTENSION)
    if isinstance(carried, Mapping) and isinstance(carried.get("model"), str):
        return str(carried["model"])
    path = response.request.url.path
    app, sep, _ = path.lstrip("/").partition("/requests/")
    return app if sep and app else None


def _endpoint_of(response: httpx.Response, base_url: str) -> str | None:
    """The endpoint id a submit went to, from its URL."""
    if not _has_request(response):
        return None
    path = response.request.url.path
    base_path = httpx.URL(base_url).path.rstrip("/") if base_url else ""
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :]
    endpoint = path.strip("/")
    return endpoint or None


def _videos(output: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The video files in a model's output: ``video``, ``videos[]`` or ``video_url``."""
    found: list[Mapping[str, Any]] = []
    video = output.get("video")
    if isinstance(video, Mapping) and _is_https(video.get("url")):
        found.append(video)
    videos = output.get("videos")
    if isinstance(videos, list):
        found.extend(v for v in videos if isinstance(v, Mapping) and _is_https(v.get("url")))
    if not found and _is_https(output.get("video_url")):
        found.append({"url": output["video_url"]})
    return found


def _is_https(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("https://") and len(value) > 8


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0 or value > 100_000:
        return None
    return value


def _billed(response: httpx.Response) -> Usage | None:
    """``x-fal-billable-units`` on the result (TanStack/ai reads it; research/hosts.md 1.1)."""
    units = response.headers.get("x-fal-billable-units")
    if not units:
        return None
    try:
        amount = Decimal(units.strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0:
        return None
    return Usage(units=amount, note="x-fal-billable-units: the units fal billed for the result")


def _error_fields(body: Any) -> tuple[str | None, str | None, str | None, bool]:
    """``(message, provider code, param, content policy?)`` from any of fal's error shapes."""
    if isinstance(body, str):
        return (body.strip()[:500] or None), None, None, False
    if not isinstance(body, Mapping):
        return None, None, None, False
    detail = body.get("detail")
    code = _text(body.get("error_type"))
    if isinstance(detail, str):
        return detail, code, None, False
    if isinstance(detail, list):
        messages, policy, param = [], False, None
        for item in detail:
            if not isinstance(item, Mapping):
                continue
            kind = _text(item.get("type"))
            code = code or kind
            policy = policy or kind == "content_policy_violation"
            loc = item.get("loc")
            where = ""
            if isinstance(loc, list) and loc:
                parts = [str(p) for p in loc if p != "body"]
                where = ".".join(parts)
                param = param or (where or None)
            msg = _text(item.get("msg")) or kind or "invalid input"
            messages.append(f"{where}: {msg}" if where else msg)
        return ("; ".join(messages) or None), code, param, policy
    error = body.get("error")
    if isinstance(error, str):
        return error, code, None, False
    if isinstance(error, Mapping):
        message = _text(error.get("message"))
        code = code or _text(error.get("code")) or _text(error.get("type"))
        return message, code, None, code == "content_policy_violation"
    return None, code, None, False


def _status_code_in(summary: str) -> str | None:
    match = re.search(r"status code:?\s*(\d{3})", summary)
    return match.group(1) if match else None


def _split_cursor(cursor: str | None) -> tuple[int, str | None]:
    if not cursor:
        return 0, None
    batch, _, api_cursor = cursor.partition(":")
    try:
        return max(int(batch), 0), api_cursor or None
    except ValueError:
        return 0, cursor


def _response_date(response: httpx.Response) -> dt.date | None:
    value = response.headers.get("date")
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


_UNITS = {
    "second": "per_second",
    "seconds": "per_second",
    "video_second": "per_second",
    "video_seconds": "per_second",
    "video": "per_video",
    "videos": "per_video",
}


def _refreshed_prices(
    spec: Any, found: list[Mapping[str, Any]], *, source: str, as_of: dt.date | None
) -> list[dict[str, Any]] | None:
    """The model's price tables with fal's base price in place of the shipped base tier."""
    first = found[0]
    field = _UNITS.get(str(first.get("unit", "")).strip().lower())
    amount = first.get("unit_price")
    if field is None or isinstance(amount, bool) or not isinstance(amount, (int, float, str)):
        return None
    try:
        price = Decimal(str(amount))
    except InvalidOperation:
        return None
    if not price.is_finite() or price < 0:
        return None
    currency = _text(first.get("currency")) or "USD"
    differs = [
        str(f.get("endpoint_id"))
        for f in found[1:]
        if str(f.get("unit_price")) != str(amount) or f.get("unit") != first.get("unit")
    ]
    note = (
        f"fal's pricing API: base price of {first.get('endpoint_id')} per {first.get('unit')}"
        "; fal adjusts it for resolution, length and audio"
    )
    if differs:
        note += f"; {', '.join(differs)} is priced differently (see fal's model page)"
    if as_of is None:
        note += "; the answer carried no Date header, so the fetch date is in the overlay file"
    fresh: dict[str, Any] = {
        field: str(price),
        "currency": currency,
        "source": source,
        "note": note,
    }
    if as_of is not None:
        fresh["as_of"] = as_of.isoformat()
    # The shipped entries that only said "unknown" give way to fal's figure.
    known = [p for p in spec.prices if p.known]
    shipped = [p for p in known if getattr(p, field) is not None and p.currency == currency]
    tables = [_price_table(p) for p in known]
    if not shipped:
        return [fresh, *tables]
    base = min(shipped, key=lambda p: getattr(p, field))
    if base.resolutions:
        fresh["resolutions"] = list(base.resolutions)
    if base.sizes:
        fresh["sizes"] = list(base.sizes)
    if base.audio is not None:
        fresh["audio"] = base.audio
    tables[known.index(base)] = fresh
    return tables


def _price_table(price: Any) -> dict[str, Any]:
    table: dict[str, Any] = {"currency": price.currency, "token_fps": price.token_fps}
    for name in ("per_second", "per_video", "per_million_tokens"):
        value = getattr(price, name)
        if value is not None:
            table[name] = str(value)
    if price.sizes:
        table["sizes"] = list(price.sizes)
    if price.resolutions:
        table["resolutions"] = list(price.resolutions)
    if price.audio is not None:
        table["audio"] = price.audio
    for name in ("source", "note"):
        if getattr(price, name):
            table[name] = getattr(price, name)
    if price.as_of is not None:
        table["as_of"] = price.as_of.isoformat()
    return table
