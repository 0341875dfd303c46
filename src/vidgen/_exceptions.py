"""vidgen's errors: one tree, raised at one boundary.

```
VidgenError
├── ConfigError            bad config file, unknown profile/provider, missing key
│   └── LedgerError        the job ledger cannot be read or written
├── InvalidInput           a value given to vidgen is wrong (also a ValueError); before any HTTP
│   └── InvalidInputType   a value of the wrong type (also a TypeError)
├── PluginError            a plugin failed to load or registered a duplicate name
├── UnsupportedRequest     the model can't serve this request (before any HTTP)
├── ModelRetired           lifecycle data says the model is gone (before any HTTP)
├── BudgetExceeded         the quote is over the configured limit (before any HTTP)
├── ProviderError          the provider answered with an error
│   ├── InvalidRequest          400/422
│   ├── AuthenticationError     401
│   ├── PermissionDenied        403
│   ├── ContentPolicyViolation  moderation, from any status code
│   ├── InsufficientCredits     402 and billing errors
│   ├── RateLimited             429
│   ├── NotFound                404 job/model
│   ├── ContentExpired          404/410 on a download past expires_at
│   └── ServerError             5xx
│       └── UpstreamError       a relay's upstream failed
├── TransportError         connection or timeout; .request_sent
├── ProtocolError          a response vidgen can't understand
├── StorageError           a download could not be written (a full disk); .path
├── JobFailed              the job ended failed; .job
├── DeliveryMismatch       the downloaded file is not what was asked (delivery="strict")
├── WaitTimeout            the deadline passed; .job
├── CallbackRejected       a callback that is not for a job this client submitted
├── WebhookRejected        a webhook delivery that is forged, replayed, stale or malformed
└── JobInUse               another process is waiting on or downloading this job
```

Every message says what to do next. Foreign exceptions are translated once, with
``raise ... from exc``, so the original stays on ``__cause__``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._models import Job
from ._public import public

__all__ = [
    "AuthenticationError",
    "BudgetExceeded",
    "CallbackRejected",
    "ConfigError",
    "ContentExpired",
    "ContentPolicyViolation",
    "DeliveryMismatch",
    "InsufficientCredits",
    "InvalidInput",
    "InvalidInputType",
    "InvalidRequest",
    "JobFailed",
    "JobInUse",
    "LedgerError",
    "ModelRetired",
    "NotFound",
    "PermissionDenied",
    "PluginError",
    "ProtocolError",
    "ProviderError",
    "RateLimited",
    "ServerError",
    "StorageError",
    "TransportError",
    "UnsupportedRequest",
    "UpstreamError",
    "VidgenError",
    "WaitTimeout",
    "WebhookRejected",
]


@public
class VidgenError(Exception):
    """Base class of every error vidgen raises on purpose."""

    #: True where the error comes from what the user asked for or configured
    #: (the CLI exits with status 2 for these, 1 for the rest).
    user_error: bool = False


@public
class ConfigError(VidgenError):
    """A config file, profile, provider name or setting is wrong, or a key is missing."""

    user_error = True


@public
class InvalidInput(VidgenError, ValueError):
    """A value given to vidgen is wrong: a request field, a reference image, an output
    path, a timeout. Raised where the value is given, before any HTTP.

    It is also a ``ValueError``, so code written against plain Python errors still
    catches it.

    Attributes:
        param: what was wrong (``"prompt"``, ``"duration"``, ``"reference"``,
            ``"output"``, ``"timeout"``, ...), where one field is at fault.
    """

    user_error = True

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


@public
class InvalidInputType(InvalidInput, TypeError):
    """A value of the wrong type (a number where text belongs, a path where a
    `vidgen.Reference` belongs). Also a ``TypeError``."""


@public
class PluginError(VidgenError):
    """A plugin failed to load, or registered a provider name that is taken."""

    def __init__(self, message: str, *, plugin: str | None = None) -> None:
        super().__init__(message)
        self.plugin = plugin


@public
class UnsupportedRequest(VidgenError):
    """The model cannot serve the request as asked. Raised before any HTTP.

    Attributes:
        param: the request field at fault (``"duration"``, ``"aspect"``, ...).
        value: the value that was asked for.
        supported: the values that would work, where they can be listed.
    """

    user_error = True

    def __init__(
        self,
        message: str,
        *,
        param: str,
        value: Any = None,
        supported: Sequence[Any] = (),
        provider: str | None = None,
        model: str | None = None,
    ) -> None:
        super().__init__(message)
        self.param = param
        self.value = value
        self.supported = tuple(supported)
        self.provider = provider
        self.model = model


@public
class ModelRetired(VidgenError):
    """The catalog says the model is retired. Raised before any HTTP.

    Attributes:
        model: the model id.
        retired_on: the date it was (or will be) switched off, if known.
        replacement: the model to use instead, if the vendor named one.
    """

    user_error = True

    def __init__(
        self,
        message: str,
        *,
        model: str,
        provider: str | None = None,
        retired_on: dt.date | None = None,
        replacement: str | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.provider = provider
        self.retired_on = retired_on
        self.replacement = replacement
        self.source = source


@public
class BudgetExceeded(VidgenError):
    """The quote is higher than the configured limit. Raised before any HTTP."""

    user_error = True

    def __init__(self, message: str, *, amount: Any = None, limit: Any = None) -> None:
        super().__init__(message)
        self.amount = amount
        self.limit = limit


@public
class ProviderError(VidgenError):
    """The provider answered with an error.

    Attributes:
        provider: the provider's registered name.
        status_code: the HTTP status, or None for an in-band error.
        code: vidgen's neutral code (``"invalid_request"``, ``"rate_limited"``, ...).
        provider_code: the provider's own code, unchanged.
        param: the request field the provider blamed, if it named one.
        message: the provider's message (or vidgen's, where the provider gave none).
        request_id: the provider's request id, for support tickets.
        retryable: whether sending the same request again may succeed.
        hint: what the user can do about it.
        body: the response body (parsed JSON, or text), for debugging.
    """

    default_code = "provider_error"
    default_retryable = False

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status_code: int | None = None,
        code: str | None = None,
        provider_code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        retryable: bool | None = None,
        hint: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.status_code = status_code
        self.code = code or self.default_code
        self.provider_code = provider_code
        self.param = param
        self.request_id = request_id
        self.retryable = self.default_retryable if retryable is None else retryable
        self.hint = hint
        self.body = body

    def __str__(self) -> str:
        where = f"{self.provider}: " if self.provider else ""
        facts = []
        if self.status_code is not None:
            facts.append(f"HTTP {self.status_code}")
        if self.provider_code:
            facts.append(f"code {self.provider_code}")
        if self.param:
            facts.append(f"param {self.param}")
        if self.request_id:
            facts.append(f"request id {self.request_id}")
        text = where + self.message
        if facts:
            text += f" ({', '.join(facts)})"
        if self.hint:
            text += f". {self.hint}"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, provider={self.provider!r}, "
            f"status_code={self.status_code!r}, code={self.code!r}, "
            f"provider_code={self.provider_code!r}, request_id={self.request_id!r})"
        )


@public
class InvalidRequest(ProviderError):
    """The provider rejected the request's contents (400, 422)."""

    default_code = "invalid_request"
    user_error = True


@public
class AuthenticationError(ProviderError):
    """The key is missing, wrong or disabled (401)."""

    default_code = "authentication"
    user_error = True


@public
class PermissionDenied(ProviderError):
    """The key may not do this: IP allowlist, billing group, unverified org (403)."""

    default_code = "permission_denied"
    user_error = True


@public
class ContentPolicyViolation(ProviderError):
    """The prompt or reference was refused by moderation (any status code)."""

    default_code = "content_policy"
    user_error = True


@public
class InsufficientCredits(ProviderError):
    """The account has no balance or hit a spend limit (402 and billing errors)."""

    default_code = "insufficient_credits"
    user_error = True


@public
class RateLimited(ProviderError):
    """Too many requests (429). ``retry_after`` is the server's wait in seconds, if given."""

    default_code = "rate_limited"
    default_retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


@public
class NotFound(ProviderError):
    """The job, task or model does not exist (404)."""

    default_code = "not_found"


@public
class ContentExpired(ProviderError):
    """The output was deleted by the provider after its expiry time (404/410)."""

    default_code = "content_expired"


@public
class ServerError(ProviderError):
    """The provider failed (5xx). A read can be retried; a submit may have created a job."""

    default_code = "server_error"
    default_retryable = True


@public
class UpstreamError(ServerError):
    """A relay's upstream provider failed."""

    default_code = "upstream_error"


@public
class TransportError(VidgenError):
    """The connection failed or timed out.

    Attributes:
        request_sent: False only when the request provably never reached the server
            (a connect error); True when the server may have it.
    """

    def __init__(self, message: str, *, request_sent: bool, provider: str | None = None) -> None:
        super().__init__(message)
        self.request_sent = request_sent
        self.provider = provider


@public
class ProtocolError(VidgenError):
    """The provider sent something vidgen cannot understand. ``body`` holds it."""

    def __init__(self, message: str, *, provider: str | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.provider = provider
        self.body = body


@public
class StorageError(VidgenError):
    """A download could not be written to disk: the disk is full, the folder is read-only.

    What arrived before the failure stays in the part file beside the target, so once
    the cause is fixed the same download resumes from there.

    Attributes:
        path: the file that could not be written (the part file or the target).
    """

    user_error = True

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


@public
class JobFailed(VidgenError):
    """The job ended failed or cancelled. ``job`` is its final state (with ``job.error``)."""

    def __init__(self, message: str, *, job: Job) -> None:
        super().__init__(message)
        self.job = job


@public
class WaitTimeout(VidgenError):
    """The deadline passed before the job finished. ``job`` is the last known state.

    The job may still finish: wait on it again or download it later.
    """

    def __init__(self, message: str, *, job: Job) -> None:
        super().__init__(message)
        self.job = job


@public
class CallbackRejected(VidgenError):
    """A callback was refused: malformed, for an unknown job, or without the job's token.

    Answer such a request with an HTTP 4xx and ignore it; nothing in it was trusted.

    Attributes:
        reason: ``"malformed"``, ``"unknown_job"`` or ``"bad_token"``.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@public
class LedgerError(ConfigError):
    """The job ledger cannot be read or written: its file, folder, disk or version.

    Raised before anything is sent when a submit cannot be recorded. The message names
    the file and the fix.
    """


@public
class JobInUse(VidgenError):
    """Another vidgen process is waiting on or downloading this job right now.

    Nothing was done to the job. The claim lapses when that process finishes or dies.

    Attributes:
        job_id: the provider's job id.
        holder: who holds the claim (``host:pid``), where known.
    """

    def __init__(self, message: str, *, job_id: str, holder: str | None = None) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.holder = holder


@public
class WebhookRejected(VidgenError):
    """A webhook delivery was refused before anything in it was trusted.

    Answer the request with an HTTP 4xx (``status_code``); a sender with a good signature
    retries, a forger does not matter.

    Attributes:
        reason: ``"forged"`` (the signature does not verify), ``"replayed"`` (this delivery
            was already taken), ``"stale"`` (its timestamp is too old or in the future),
            ``"malformed"`` (not a delivery vidgen can read), ``"unknown_job"``,
            ``"unsupported"`` (the provider sends no webhooks).
        status_code: the HTTP status to answer with.
    """

    def __init__(self, message: str, *, reason: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.reason = reason
        self.status_code = status_code


@public
class DeliveryMismatch(VidgenError):
    """The downloaded file is not the video that was asked for (with ``delivery="strict"``).

    The file is kept and the difference is recorded in the ledger.

    Attributes:
        job: the job it came from.
        path: the file.
        issues: how it differs (``"delivered 10.0 s, asked 4 s"``).
    """

    def __init__(self, message: str, *, job: Job, path: Any, issues: Sequence[str]) -> None:
        super().__init__(message)
        self.job = job
        self.path = path
        self.issues = tuple(issues)
