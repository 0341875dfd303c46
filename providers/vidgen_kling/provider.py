"""The ``kling`` provider: Kuaishou's own Kling video API.

* Auth: ``Authorization: Bearer <token>``, where the token is an API key
  (``$KLING_API_KEY``) or an HS256 JWT minted for every request from an access key and a
  secret key (``$KLING_ACCESS_KEY``, ``$KLING_SECRET_KEY``; see `KlingJWT`).
* Create: ``POST /v1/videos/text2video``, or ``/v1/videos/image2video`` when a first (or
  last) frame is given; durations are strings ("5"), ``mode`` is ``std`` or ``pro``.
  One catalog entry per model and mode; its ``wire`` table names the model and mode.
* Read: ``GET /v1/videos/{endpoint}/{task_id}``. The endpoint is part of vidgen's job id
  (``t2v-<task_id>``, ``i2v-<task_id>``), because a task is only found on its own path.
* Every answer is an envelope ``{code, message, request_id, data}``: ``code`` 0, or one
  of the documented error codes (mapped in ``_ERRORS``).
* Outputs are URLs on Kling's CDN, kept 30 days; each task reports the resource-pack
  units it cost (``final_unit_deduction``, in ``Job.usage.units``).
* Callbacks (``callback_url``) are unsigned: a hint, re-read from the API by the client.

Source: Kling's API reference (a verbatim copy of the official pages) and vercel/ai's
klingai provider; see docs/providers/kling.md for what could not be confirmed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import math
import os
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

import attrs
import cattrs
import httpx

from vidgen import (
    Adjustment,
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
    Secret,
    error_class_for_status,
    from_unix,
    parse_retry_after,
    read_json,
    request_id_from,
)

from ._auth import KlingJWT

__all__ = ["KlingProvider"]

if TYPE_CHECKING:
    from vidgen import Fitted, ModelSpec

# vidgen's job id prefix for each create endpoint (the task is read back on the same path).
KINDS: Mapping[str, str] = {"t2v": "text2video", "i2v": "image2video"}
_PREFIXES = {kind: prefix for prefix, kind in KINDS.items()}

#: The query parameter vidgen adds to a callback URL (docs/concepts.md, "Callbacks").
_CALLBACK_TOKEN = "vidgen_token"
_EXTERNAL_PREFIX = "vidgen-"

_CLOCK_HINT = (
    "this machine's clock and Kling's disagree (a token is valid from 5 s before it is "
    "minted until 30 min after); sync the clock (NTP) and try again"
)
_KEYS_HINT = "set KLING_API_KEY, or KLING_ACCESS_KEY and KLING_SECRET_KEY"

# Kling's error table (API reference, "Error Code"): class, retryable, what to do.
_ERRORS: dict[int, tuple[type[ProviderError], bool, str]] = {
    1000: (AuthenticationError, False, f"Kling refused the credentials: {_KEYS_HINT}"),
    1001: (AuthenticationError, False, f"No credentials were sent: {_KEYS_HINT}"),
    1002: (
        AuthenticationError,
        False,
        "The token is invalid: check the API key, or the access key and secret key pair",
    ),
    1003: (AuthenticationError, False, f"The token is not valid yet: {_CLOCK_HINT}"),
    1004: (AuthenticationError, False, f"The token has expired: {_CLOCK_HINT}"),
    1100: (
        PermissionDenied,
        False,
        "Kling reports an account exception: check the account in Kling's developer console",
    ),
    1101: (
        InsufficientCredits,
        False,
        "The account is in arrears (post-paid): recharge it in Kling's developer console",
    ),
    1102: (
        InsufficientCredits,
        False,
        "The resource pack is used up or expired: buy another pack, or enable post-payment",
    ),
    1103: (
        PermissionDenied,
        False,
        "This account may not use this API or model: check its permissions in the console",
    ),
    1200: (InvalidRequest, False, "Fix the request; Kling's message names the parameter"),
    1201: (InvalidRequest, False, "Fix the request; Kling's message names the parameter"),
    1202: (InvalidRequest, False, "Kling does not take this method on this path"),
    1203: (
        NotFound,
        False,
        "The model or task does not exist: check the model (`vidgen models kling`) or the "
        "job id (t2v-<task id> or i2v-<task id>)",
    ),
    1300: (
        PermissionDenied,
        False,
        "A Kling platform policy refused the request; its message says which",
    ),
    1301: (
        ContentPolicyViolation,
        False,
        "Kling's content safety refused the input: change the prompt or the images",
    ),
    1302: (RateLimited, True, "Too many requests: slow down and retry later"),
    1303: (
        RateLimited,
        True,
        "As many tasks are running as the resource pack allows: wait for one to finish, "
        "or buy a pack with more concurrency",
    ),
    1304: (
        PermissionDenied,
        False,
        "Kling's IP allowlist refused this machine: contact Kling's customer service",
    ),
    5000: (ServerError, True, "Kling failed; try again later"),
    5001: (ServerError, True, "Kling is under maintenance; try again later"),
    5002: (ServerError, True, "Kling timed out (a backlog); try again later"),
}

# Words in a failed task's message that mean moderation (Kling gives no code there; its
# reference names "the content risk control of the platform" as a typical reason).
_POLICY_WORDS = ("risk", "safety", "security", "sensitive", "moderation", "policy", "content")


@attrs.frozen(kw_only=True)
class _Wire:
    """A catalog entry's ``wire`` table (docs/providers/kling.md, "Adding a model")."""

    model_name: str
    mode: str
    sound: bool = False
    cfg_scale: bool = False
    silent_last_frame: bool = False
    max_negative_prompt_chars: int | None = None


_WIRE_KEYS = {field.name for field in attrs.fields(_Wire)}


def _read_wire(spec: ModelSpec) -> _Wire:
    """The ``wire`` table of a catalog entry, checked (users add models in vidgen.toml)."""
    raw = dict(spec.wire)
    where = f"kling model {spec.id!r}: wire"
    unknown = sorted(set(raw) - _WIRE_KEYS)
    if unknown:
        raise ConfigError(f"{where} has unknown key(s) {', '.join(unknown)}; it takes {_WIRE_KEYS}")
    name, mode = raw.get("model_name"), raw.get("mode")
    if not isinstance(name, str) or not name:
        raise ConfigError(f'{where}.model_name must name Kling\'s model, e.g. "kling-v3"')
    if mode not in ("std", "pro"):
        raise ConfigError(f'{where}.mode must be "std" or "pro", not {mode!r}')
    for flag in ("sound", "cfg_scale", "silent_last_frame"):
        if not isinstance(raw.get(flag, False), bool):
            raise ConfigError(f"{where}.{flag} must be true or false")
    limit = raw.get("max_negative_prompt_chars")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise ConfigError(f"{where}.max_negative_prompt_chars must be a positive integer")
    return _Wire(**raw)


def external_task_id_for(callback_url: str | None, kind: str) -> str | None:
    """The ``external_task_id`` vidgen sends with a callback: derived from the job's token.

    The token vidgen adds to each callback URL is random and kept in the ledger, so the id
    is unique per submit and can be derived again later. It names the endpoint, which a
    callback body does not. The token itself is not sent twice: the id is its hash.
    """
    if not callback_url:
        return None
    token = httpx.URL(callback_url).params.get(_CALLBACK_TOKEN)
    if not token:
        return None
    digest = hashlib.sha256(f"vidgen kling external_task_id\n{token}".encode()).hexdigest()
    return f"{_EXTERNAL_PREFIX}{_PREFIXES[kind]}-{digest[:32]}"


def _kind_of_external(external: str | None) -> str | None:
    if not external or not external.startswith(_EXTERNAL_PREFIX):
        return None
    prefix = external[len(_EXTERNAL_PREFIX) :].split("-", 1)[0]
    return KINDS.get(prefix)


def _image(reference: Reference) -> str:
    # A URL, or the raw base64 of the file: Kling refuses a "data:" prefix.
    if reference.url is not None:
        return reference.url
    assert reference.data is not None
    return base64.b64encode(reference.data).decode("ascii")


def _millis(value: Any) -> dt.datetime | None:
    """Kling's millisecond timestamps; None for anything unreadable (they are informational)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return from_unix(value / 1000)
    except (ValueError, OverflowError, OSError):
        return None


def _seconds(value: Any) -> int | None:
    """A video duration ("5", "5.1") as whole seconds."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    if not math.isfinite(number) or number <= 0 or number > 86400:
        return None
    return round(number)


def _units(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        units = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return units if units.is_finite() and units >= 0 else None


class KlingProvider(Provider):
    """Kling's own video API (Kuaishou).

    Settings:
        api_key: an API key, sent as a bearer token (default ``$KLING_API_KEY``).
        access_key, secret_key: the key pair a token is minted from for every request
            (default ``$KLING_ACCESS_KEY`` and ``$KLING_SECRET_KEY``). An API key, given or
            in the environment, wins over a key pair.
        token_provider: a callable returning the bearer token for each request, instead of
            either (e.g. ``KlingJWT(ak, sk, clock=my_clock)``, or your own vault lookup).
        base_url: the API root (default ``https://api-singapore.klingai.com``; the older
            ``https://api.klingai.com`` still appears in Kling's older documents).
        models: catalog overrides.
    """

    name = "kling"
    display_name = "Kling (Kuaishou)"
    api_key_env = "KLING_API_KEY"
    access_key_env: ClassVar[str] = "KLING_ACCESS_KEY"
    secret_key_env: ClassVar[str] = "KLING_SECRET_KEY"
    default_base_url = "https://api-singapore.klingai.com"
    legacy_base_url: ClassVar[str] = "https://api.klingai.com"
    catalog_package = "vidgen_kling"
    docs_url = "docs/providers/kling.md"
    reserved_options: ClassVar[frozenset[str]] = frozenset(
        {
            "model_name",
            "mode",
            "prompt",
            "negative_prompt",
            "aspect_ratio",
            "duration",
            "image",
            "image_tail",
            "sound",
            "callback_url",
        }
    )
    #: "generated images/videos will be cleared after 30 days" (API reference).
    output_retention: ClassVar[dt.timedelta] = dt.timedelta(days=30)
    status_map: ClassVar[Mapping[str, JobStatus]] = {
        "submitted": JobStatus.QUEUED,
        "processing": JobStatus.RUNNING,
        "succeed": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
    }

    def __init__(
        self,
        *,
        access_key: str | None = None,
        secret_key: str | None = None,
        token_provider: Callable[[], str] | None = None,
        **settings: Any,
    ) -> None:
        super().__init__(**settings)
        if token_provider is not None and not callable(token_provider):
            raise ConfigError("kling: token_provider must be a callable that returns a token")
        if (access_key is None) != (secret_key is None):
            raise ConfigError("kling: give both access_key and secret_key, or neither")
        self._token_provider = token_provider
        self._minter: KlingJWT | None = None
        if access_key is not None and secret_key is not None:
            self._minter = KlingJWT(access_key, secret_key)

    def __repr__(self) -> str:
        return f"<KlingProvider base_url={self.base_url!r} auth={self._auth_kind()}>"

    # -- credentials --------------------------------------------------------------------

    def _auth_kind(self) -> str:
        if self._token_provider is not None:
            return "token provider"
        if self._api_key is not None:
            return "api key"
        if self._minter is not None:
            return "access key + secret key"
        return "from environment"

    @property
    def has_key(self) -> bool:
        """True with a token provider, an API key or a key pair (given or in the environment)."""
        return (
            self._token_provider is not None
            or self._minter is not None
            or super().has_key
            or bool(os.environ.get(self.access_key_env) and os.environ.get(self.secret_key_env))
        )

    def _bearer(self) -> str:
        if self._token_provider is not None:
            token = self._token_provider()
            if not isinstance(token, str) or not token.strip():
                raise ConfigError("kling: token_provider returned no token")
            return Secret(token).reveal()
        if self._api_key is None and self._minter is None:
            key = os.environ.get(self.key_env or "", "").strip()
            access = os.environ.get(self.access_key_env, "").strip()
            secret = os.environ.get(self.secret_key_env, "").strip()
            if key:
                self._api_key = Secret(key)
            elif access and secret:
                self._minter = KlingJWT(access, secret)
            elif access or secret:
                missing = self.secret_key_env if access else self.access_key_env
                raise ConfigError(f"no key for kling: {missing} is not set (both are needed)")
            else:
                raise ConfigError(
                    f"no key for kling: set {self.key_env}, or {self.access_key_env} and "
                    f"{self.secret_key_env} (or pass api_key=, or access_key= and secret_key=)"
                )
        if self._api_key is not None:
            return self._api_key.reveal()
        assert self._minter is not None
        return self._minter()

    def auth_headers(self) -> dict[str, str]:
        """``Authorization: Bearer`` with the API key, or a token minted for this request."""
        return {"Authorization": f"Bearer {self._bearer()}"}

    # -- fit -------------------------------------------------------------------------------

    def check_fitted(self, fitted: Fitted, policy: str) -> Fitted:
        """Kling's own rules: cfg_scale where the model takes it, sound with a last frame
        (kling-v2.6 pro renders start+end frames only silently), external_task_id, and the
        negative prompt's length."""
        wire = _read_wire(fitted.spec)
        options = dict(fitted.options)
        audio = fitted.audio
        warnings = list(fitted.warnings)
        adjustments = list(fitted.adjustments)
        model = fitted.spec.id

        def refuse(param: str, value: Any, supported: list[Any], message: str) -> None:
            raise UnsupportedRequest(
                f"kling model {model}: {message}",
                param=param,
                value=value,
                supported=supported,
                provider=self.name,
                model=model,
            )

        def adjust(field: str, asked: Any, sent: Any, reason: str) -> None:
            adjustments.append(Adjustment(field=field, requested=asked, sent=sent, reason=reason))
            warnings.append(f"{field} {asked!r} changed to {sent!r}: {reason}")

        if "cfg_scale" in options:
            value = options["cfg_scale"]
            if not wire.cfg_scale:
                reason = "it takes no cfg_scale (Kling: kling-v2.x models do not support it)"
                if policy == "strict":
                    refuse("provider_options.kling.cfg_scale", value, [], reason)
                adjust("provider_options.kling.cfg_scale", value, None, reason)
                del options["cfg_scale"]
            elif (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not 0 <= value <= 1
            ):
                refuse("provider_options.kling.cfg_scale", value, [0, 1], "cfg_scale is 0 to 1")
        if "external_task_id" in options:
            value = options["external_task_id"]
            if fitted.callback_url is not None:
                refuse(
                    "provider_options.kling.external_task_id",
                    value,
                    [],
                    "with a callback_url vidgen sets external_task_id itself (it is how a "
                    "callback names its job); drop one of the two",
                )
            if not isinstance(value, str) or not value.strip():
                refuse(
                    "provider_options.kling.external_task_id",
                    value,
                    [],
                    "external_task_id must be a non-empty string, unique in your account",
                )
        if wire.silent_last_frame and fitted.request.last_frame is not None and audio:
            reason = "it renders start and end frames only without sound"
            if policy == "strict":
                refuse("audio", True, [False], reason)
            adjust("audio", True, False, reason)
            audio = False
        limit = wire.max_negative_prompt_chars
        negative = fitted.negative_prompt
        if limit is not None and negative is not None and len(negative) > limit:
            refuse(
                "negative_prompt",
                len(negative),
                [limit],
                f"the negative prompt has {len(negative)} characters; the limit is {limit}",
            )
        reference = fitted.request.reference
        if (
            reference is not None
            and fitted.request.aspect is not None
            and reference.width is not None
            and fitted.aspect != fitted.request.aspect
        ):
            warnings.append(
                f"image-to-video takes its shape from the first frame ({reference.size}); "
                f"aspect {fitted.request.aspect} is not sent"
            )
        return attrs.evolve(
            fitted,
            options=options,
            audio=audio,
            warnings=tuple(warnings),
            adjustments=tuple(adjustments),
        )

    # -- requests -----------------------------------------------------------------------

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        """``POST /v1/videos/text2video``, or ``image2video`` with a first or last frame."""
        wire = _read_wire(fitted.spec)
        request = fitted.request
        frames = request.reference is not None or request.last_frame is not None
        kind = KINDS["i2v"] if frames else KINDS["t2v"]
        body: dict[str, Any] = {
            "model_name": wire.model_name,
            "mode": wire.mode,
            "prompt": request.prompt,
            "duration": str(fitted.seconds),  # a string on this API
        }
        if fitted.negative_prompt:
            body["negative_prompt"] = fitted.negative_prompt
        if kind == KINDS["t2v"]:
            body["aspect_ratio"] = fitted.aspect  # image-to-video takes the image's shape
        if request.reference is not None:
            body["image"] = _image(request.reference)
        if request.last_frame is not None:
            body["image_tail"] = _image(request.last_frame)
        if wire.sound and fitted.audio is not None:
            body["sound"] = "on" if fitted.audio else "off"
        options = dict(fitted.options)
        external = options.pop("external_task_id", None)
        body.update(options)
        if fitted.callback_url:
            body["callback_url"] = fitted.callback_url
            external = external_task_id_for(fitted.callback_url, kind) or external
        if external:
            body["external_task_id"] = external
        return httpx.Request(
            "POST", self.url(f"v1/videos/{kind}"), headers=self.headers(), json=body
        )

    def _split(self, job_id: str) -> tuple[str, str]:
        prefix, _, task_id = job_id.partition("-")
        kind = KINDS.get(prefix)
        if kind is None or not task_id:
            raise UnsupportedRequest(
                f"{job_id!r} is not a kling job id: vidgen's ids name the endpoint the task "
                "was created on, t2v-<task_id> (text2video) or i2v-<task_id> (image2video)",
                param="job_id",
                value=job_id,
                provider=self.name,
            )
        return kind, task_id

    def build_status(self, job: Job) -> httpx.Request:
        """``GET /v1/videos/{endpoint}/{task_id}``."""
        kind, task_id = self._split(job.id)
        return httpx.Request(
            "GET", self.url(f"v1/videos/{kind}/{quote(task_id, safe='')}"), headers=self.headers()
        )

    def build_lookup(self, external_task_id: str) -> httpx.Request:
        """The query for a task by its ``external_task_id`` (Kling: "choose either task_id
        or external_task_id for querying"), for ids vidgen derived (`external_task_id_for`).

        `parse_status` reads the answer into the job with its real task id.
        """
        kind = _kind_of_external(external_task_id)
        if kind is None:
            raise UnsupportedRequest(
                f"{external_task_id!r} is not an external_task_id vidgen made "
                "(vidgen-t2v-... or vidgen-i2v-...); query your own ids on their endpoint",
                param="external_task_id",
                value=external_task_id,
                provider=self.name,
            )
        return httpx.Request(
            "GET",
            self.url(f"v1/videos/{kind}/{quote(external_task_id, safe='')}"),
            headers=self.headers(),
        )

    def build_list(self, limit: int = 20, after: str | None = None) -> httpx.Request:
        """``GET /v1/videos/{endpoint}?pageNum=&pageSize=``: text-to-video pages, then
        image-to-video pages (the cursor is ``t2v:2``, ``i2v:1``, ...)."""
        prefix, page = "t2v", 1
        if after:
            prefix, _, number = after.partition(":")
            if prefix not in KINDS or not number.isdigit() or not 1 <= int(number) <= 1000:
                raise UnsupportedRequest(
                    f"{after!r} is not a kling list cursor (t2v:N or i2v:N)",
                    param="after",
                    value=after,
                    provider=self.name,
                )
            page = int(number)
        size = max(1, min(int(limit), 500))  # pageSize is 1..500
        return httpx.Request(
            "GET",
            self.url(f"v1/videos/{KINDS[prefix]}"),
            params={"pageNum": page, "pageSize": size},
            headers=self.headers(),
        )

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        """A plain GET of the output URL on Kling's CDN: https only, no credentials."""
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

    def _envelope(self, response: httpx.Response) -> tuple[Any, str | None]:
        """The envelope's ``data``, once ``code`` says success; raises the error otherwise."""
        from . import _wire  # the wire format loads on first use

        self.raise_for_error(response)
        body = _read_json(response, self.name)
        try:
            envelope = _wire.converter.structure(body, _wire.Envelope)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            raise ProtocolError(
                f"{self.name} sent an answer vidgen cannot read: {exc}",
                provider=self.name,
                body=body,
            ) from exc
        code = _code(envelope.code)
        if code is None and envelope.code is not None:
            raise ProtocolError(
                f"{self.name} sent an unreadable code {envelope.code!r}",
                provider=self.name,
                body=body,
            )
        if code:
            raise self._error(
                response, code, envelope.message, envelope.request_id, body, default=ProviderError
            )
        return envelope.data, envelope.request_id

    def _task(self, data: Any, kind: str | None, request_id: str | None = None) -> Job:
        from . import _wire  # the wire format loads on first use

        if not isinstance(data, Mapping) or not data.get("task_id"):
            raise ProtocolError(
                f"{self.name} sent a task without a task_id", provider=self.name, body=data
            )
        try:
            task = _wire.converter.structure(data, _wire.Task)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            raise ProtocolError(
                f"{self.name} sent a task vidgen cannot read: {exc}", provider=self.name, body=data
            ) from exc
        external = task.task_info.external_task_id if task.task_info else None
        kind = kind or _kind_of_external(external)
        if kind is None:
            raise ProtocolError(
                f"{self.name} sent task {task.task_id} without saying whether it is "
                "text-to-video or image-to-video (vidgen tags the tasks it creates with an "
                "external_task_id vidgen-t2v-... or vidgen-i2v-...)",
                provider=self.name,
                body=data,
            )
        status = self.status_map.get((task.task_status or "").lower(), JobStatus.UNKNOWN)
        created_at = _millis(task.created_at)
        updated_at = _millis(task.updated_at)
        completed_at = updated_at if status.is_terminal else None
        expires_at = None
        outputs: tuple[Output, ...] = ()
        seconds = None
        if status is JobStatus.SUCCEEDED:
            finished = completed_at or created_at
            expires_at = finished + self.output_retention if finished else None
            videos = (task.task_result.videos if task.task_result else None) or []
            outputs = tuple(
                Output(kind="video", url=video.url, index=i, expires_at=expires_at)
                for i, video in enumerate(v for v in videos if v.url)
            )
            seconds = next((_seconds(v.duration) for v in videos if v.url), None)
        error = None
        if status is JobStatus.FAILED:
            message = task.task_status_msg or "the task failed"
            policy = any(word in message.lower() for word in _POLICY_WORDS)
            error = JobError(
                code="content_policy" if policy else "generation_failed",
                message=f"{message} (Kling does not charge failed tasks)",
            )
        units = _units(task.final_unit_deduction)
        usage = None
        if units is not None:
            usage = Usage(
                units=units,
                note="resource-pack units Kling deducted for this task (final_unit_deduction)",
            )
        return Job(
            id=f"{_PREFIXES[kind]}-{task.task_id}",
            provider=self.name,
            status=status,
            created_at=created_at,
            completed_at=completed_at,
            expires_at=expires_at,
            outputs=outputs,
            error=error,
            seconds=seconds,
            profile=self.profile,
            request_id=request_id,
            usage=usage,
            raw=dict(data),
        )

    def parse_submit(self, response: httpx.Response) -> Job:
        """The created task (``submitted``)."""
        data, request_id = self._envelope(response)
        return self._task(data, _kind_of(response), request_id)

    def parse_status(self, response: httpx.Response) -> Job:
        """The task's current state."""
        data, request_id = self._envelope(response)
        return self._task(data, _kind_of(response), request_id)

    def parse_list(self, response: httpx.Response) -> JobPage:
        """A page of tasks; the next cursor walks text-to-video pages, then image-to-video."""
        data, request_id = self._envelope(response)
        if not isinstance(data, list):
            raise ProtocolError(
                f"{self.name} sent a task list that is not a list", provider=self.name, body=data
            )
        kind = _kind_of(response)
        jobs = tuple(self._task(item, kind, request_id) for item in data)
        next_cursor = None
        url = response.request.url if kind is not None else None
        if url is not None and kind is not None:
            page = _int(url.params.get("pageNum")) or 1
            size = _int(url.params.get("pageSize")) or 30
            if len(data) >= size and page < 1000:
                next_cursor = f"{_PREFIXES[kind]}:{page + 1}"
            elif kind == KINDS["t2v"]:
                next_cursor = "i2v:1"
        return JobPage(jobs=jobs, next_cursor=next_cursor)

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> Job:
        """A callback carries the task (Kling's "Callback Protocol"); it is not signed.

        The endpoint comes from the external_task_id vidgen sent with it. Treat the result
        as a hint: `vidgen.Client.handle_callback` checks the job's token and re-reads it.
        """
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ProtocolError(
                f"{self.name} callback body is not JSON", provider=self.name, body=body[:500]
            ) from exc
        if isinstance(data, Mapping) and isinstance(data.get("data"), Mapping):
            data = data["data"]  # the task in an envelope, as the query returns it
        return self._task(data, None)

    def parse_error(self, response: httpx.Response) -> ProviderError:
        """Kling's ``{code, message, request_id}``, by its error table."""
        try:
            body: Any = json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = response.content[:2000].decode("utf-8", "replace")
        code = message = request_id = None
        if isinstance(body, Mapping):
            code = _code(body.get("code"))
            message = body.get("message") if isinstance(body.get("message"), str) else None
            request_id = body.get("request_id") if isinstance(body.get("request_id"), str) else None
        return self._error(
            response,
            code,
            message,
            request_id,
            body,
            default=error_class_for_status(response.status_code),
        )

    def _error(
        self,
        response: httpx.Response,
        code: int | None,
        message: str | None,
        request_id: str | None,
        body: Any,
        *,
        default: type[ProviderError],
    ) -> ProviderError:
        known = _ERRORS.get(code) if code is not None else None
        if known is not None:
            cls, retryable, hint = known
        else:
            cls = default
            retryable, hint = cls.default_retryable, None
        text = message or f"HTTP {response.status_code} {response.reason_phrase}".strip()
        kwargs: dict[str, Any] = {
            "provider": self.name,
            "status_code": response.status_code,
            "provider_code": str(code) if code is not None else None,
            "request_id": request_id or request_id_from(response),
            "retryable": retryable,
            "hint": hint,
            "body": body,
        }
        if issubclass(cls, RateLimited):
            kwargs["retry_after"] = parse_retry_after(response.headers)
        return cls(text, **kwargs)


def _code(value: Any) -> int | None:
    """Kling's integer error code (0 is success); None when absent or unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _kind_of(response: httpx.Response) -> str | None:
    """The endpoint (text2video, image2video) a response answers, from its request's path."""
    try:
        path = response.request.url.path
    except RuntimeError:  # a response built without a request
        return None
    marker = "/v1/videos/"
    if marker not in path:
        return None
    segment = path.split(marker, 1)[1].split("/", 1)[0]
    return segment if segment in _PREFIXES else None


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
