"""The ``openrouter`` provider: OpenRouter's asynchronous video API (``/api/v1/videos``).

One key reaches Veo, Seedance, Kling, Wan, Hailuo, Grok Imagine, Runway Gen-4.5 and more.
A create answers 202 with a job id; ``GET /videos/{id}`` reports
``pending|in_progress|completed|failed|cancelled|expired`` and, once completed, the
``unsigned_urls`` of the outputs (OpenRouter's own content endpoint, which needs the key)
and ``usage.cost``, the dollars the job was billed. ``GET /videos/models`` lists every
model with its capabilities and prices, which ``vidgen prices refresh openrouter`` keeps
as an overlay on the shipped catalog (``generate_catalog`` writes that catalog with the
same mapping). A ``callback_url`` gets a webhook on every terminal state, signed with the
workspace's secret (`verify_webhook`).

vidgen never resends a create after a 5xx or a dropped connection (the core's rule):
OpenRouter's own SDKs do retry a POST on 5xx by default, which can start and bill a
second job.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import hmac
import json
import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import cattrs
import httpx

from vidgen import (
    ConfigError,
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
    WebhookRejected,
)
from vidgen.provider import (
    USER_AGENT,
    Delivery,
    Provider,
    error_body,
    error_class_for_status,
    from_unix,
    parse_json,
    parse_retry_after,
    quote_segment,
    read_json,
    request_id_from,
    same_origin,
)

from ._catalog_map import DEFAULT_SOURCE, RESOLUTION_TIERS, catalog_tables

if TYPE_CHECKING:
    from vidgen import Fitted, Price, Quote

__all__ = ["OpenRouterProvider"]

#: OpenRouter refuses a request body over 50 MiB (413) before reading it.
MAX_BODY_BYTES = 50 * 1024 * 1024
#: Room for the JSON around the images.
_BODY_MARGIN = 256 * 1024
#: Webhook timestamps older (or newer) than this are refused, as OpenRouter's guide says.
WEBHOOK_TOLERANCE = dt.timedelta(minutes=5)

_TIER_NAMES = {tier: name for name, tier in RESOLUTION_TIERS.items()}
_MODERATION_WORDS = ("moderation", "flagged", "content policy", "safety", "prohibited")


class OpenRouterProvider(Provider):
    """OpenRouter's video API.

    Settings: ``api_key`` (default ``$OPENROUTER_API_KEY``), ``base_url`` (default
    ``https://openrouter.ai/api/v1``), ``models`` (catalog overrides).
    """

    name = "openrouter"
    display_name = "OpenRouter"
    api_key_env = "OPENROUTER_API_KEY"
    default_base_url = "https://openrouter.ai/api/v1"
    catalog_package = "vidgen_openrouter"
    docs_url = "docs/providers/openrouter.md"
    reserved_options: ClassVar[frozenset[str]] = frozenset(
        {
            "model",
            "prompt",
            "duration",
            "resolution",
            "aspect_ratio",
            "size",
            "seed",
            "generate_audio",
            "callback_url",
            "frame_images",
            "input_references",
            "previous_job_id",
        }
    )
    #: OpenRouter's guide: poll every 10 to 30 seconds.
    default_poll: ClassVar[PollPolicy | None] = PollPolicy(initial=10.0, factor=1.5, maximum=30.0)
    status_map: ClassVar[Mapping[str, JobStatus]] = {
        "pending": JobStatus.QUEUED,
        "in_progress": JobStatus.RUNNING,
        "completed": JobStatus.SUCCEEDED,
        "failed": JobStatus.FAILED,
        "cancelled": JobStatus.CANCELLED,
        # The job (or its stored output) is gone: terminal, nothing to download.
        "expired": JobStatus.FAILED,
    }

    # -- fit and quote ------------------------------------------------------------------

    def check_fitted(self, fitted: Fitted, policy: str) -> Fitted:
        """OpenRouter's own limits: an https callback, frames or references, 50 MiB."""
        from vidgen import Adjustment

        warnings, adjustments = list(fitted.warnings), list(fitted.adjustments)
        changes: dict[str, Any] = {}
        request = fitted.request

        def refuse_or_adjust(field: str, asked: Any, reason: str) -> None:
            if policy == "strict":
                raise UnsupportedRequest(
                    f"{self.name} model {fitted.model}: {reason}",
                    param=field,
                    value=asked,
                    provider=self.name,
                    model=fitted.model,
                )
            adjustments.append(Adjustment(field=field, requested=asked, sent=None, reason=reason))
            warnings.append(f"{field} {asked!r} dropped: {reason}")

        callback = fitted.callback_url
        if callback is not None and httpx.URL(callback).scheme != "https":
            refuse_or_adjust(
                "callback_url", callback, "OpenRouter posts webhooks only to https URLs"
            )
            changes["callback_url"] = None
        references = request.references
        if references and request.reference is not None:
            refuse_or_adjust(
                "references",
                len(references),
                "with a first frame, OpenRouter uses the frame and ignores reference images",
            )
            references = ()
        inline = sum(
            4 * math.ceil(len(image.data) / 3) + 40
            for image in (request.reference, request.last_frame, *references)
            if image is not None and image.data is not None
        )
        if inline > MAX_BODY_BYTES - _BODY_MARGIN:
            raise UnsupportedRequest(
                f"{self.name}: the images make the request about {inline // 1_048_576} MiB; "
                "OpenRouter refuses bodies over 50 MiB. Pass them as https URLs "
                "(Reference.from_url) or shrink them",
                param="reference",
                value=inline,
                supported=[MAX_BODY_BYTES - _BODY_MARGIN],
                provider=self.name,
                model=fitted.model,
            )
        self._wire_resolution(fitted)  # a malformed wire table fails here, before any HTTP
        if references != request.references:
            changes["request"] = attrs.evolve(request, references=references)
        if not changes and len(warnings) == len(fitted.warnings):
            return fitted
        return attrs.evolve(
            fitted, warnings=tuple(warnings), adjustments=tuple(adjustments), **changes
        )

    def quote(self, fitted: Fitted) -> Quote:
        """The catalog's price; image-to-video at its own rate where the model has one."""
        if fitted.request.reference is not None:
            tables = fitted.spec.wire.get("image_to_video_prices")
            if tables:
                prices = tuple(self._price(table, fitted.spec.id) for table in tables)
                fitted = attrs.evolve(fitted, spec=attrs.evolve(fitted.spec, prices=prices))
        return super().quote(fitted)

    def _price(self, table: Any, model: str) -> Price:
        """A price table of ``wire.image_to_video_prices`` as a `vidgen.Price`."""
        from vidgen import Price

        where = f"{self.name} model {model}: wire.image_to_video_prices"
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where} must be a list of price tables")
        try:
            amounts = {
                key: Decimal(str(table[key]))
                for key in ("per_second", "per_video", "per_million_tokens")
                if table.get(key) is not None
            }
            as_of = table.get("as_of")
            if isinstance(as_of, str):
                as_of = dt.date.fromisoformat(as_of)
            audio = table.get("audio")
            return Price(
                **amounts,
                token_fps=int(table.get("token_fps", 24)),
                currency=str(table.get("currency", "USD")),
                resolutions=tuple(str(r) for r in table.get("resolutions", ())),
                sizes=tuple(str(s) for s in table.get("sizes", ())),
                audio=audio if isinstance(audio, bool) else None,
                source=table.get("source"),
                as_of=as_of if isinstance(as_of, dt.date) else None,
                note=table.get("note"),
            )
        except (InvalidOperation, ValueError, TypeError) as exc:
            raise ConfigError(f"{where} has a malformed entry: {exc}") from exc

    def _wire_resolution(self, fitted: Fitted) -> str:
        """The ``resolution`` value for the fitted tier (``"4K"`` for 2160p)."""
        table = fitted.spec.wire.get("resolutions", {})
        if not isinstance(table, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise ConfigError(
                f"{self.name} model {fitted.spec.id}: wire.resolutions must map tiers to "
                'OpenRouter\'s names, e.g. {"720p" = "720p", "2160p" = "4K"}'
            )
        return str(table.get(fitted.resolution) or _TIER_NAMES.get(fitted.resolution))

    # -- requests -----------------------------------------------------------------------

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        """``POST /videos``: model, prompt, duration, resolution and aspect ratio, and
        the frames, references, sound, seed and callback where the request has them."""
        request, spec = fitted.request, fitted.spec
        body: dict[str, Any] = {
            "model": fitted.model,
            "prompt": request.prompt,
            "duration": fitted.seconds,  # an integer
            "resolution": self._wire_resolution(fitted),
            "aspect_ratio": fitted.aspect,
        }
        if fitted.audio is not None and spec.audio is not False:
            body["generate_audio"] = fitted.audio
        if fitted.seed is not None:
            body["seed"] = fitted.seed
        if fitted.callback_url:
            body["callback_url"] = fitted.callback_url
        frames = [
            {"type": "image_url", "image_url": {"url": _image_url(image)}, "frame_type": kind}
            for kind, image in (
                ("first_frame", request.reference),
                ("last_frame", request.last_frame),
            )
            if image is not None
        ]
        if frames:
            body["frame_images"] = frames
        if request.references:
            body["input_references"] = [
                {"type": "image_url", "image_url": {"url": _image_url(image)}}
                for image in request.references
            ]
        body.update(fitted.options)
        return httpx.Request("POST", self.url("videos"), headers=self.headers(), json=body)

    def build_status(self, job: Job) -> httpx.Request:
        """``GET /videos/{id}``."""
        return httpx.Request(
            "GET", self.url(f"videos/{quote_segment(job.id)}"), headers=self.headers()
        )

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        """The output's content URL, with the key, on OpenRouter's own origin only.

        An ``unsigned_urls`` entry on the API's origin is fetched as given; anything else
        (a URL on another host, or no URL at all) is fetched through
        ``GET /videos/{id}/content?index=N``, so the key never goes to another host.
        """
        self.check_variant(variant, ("video",))
        count = max(len(job.outputs), 1)
        if not 0 <= index < count:
            raise UnsupportedRequest(
                f"{self.name} job {job.id} has {count} output(s); index {index} does not exist",
                param="index",
                value=index,
                supported=list(range(count)),
                provider=self.name,
            )
        url = next((o.url for o in job.outputs if o.index == index and o.url), None)
        if url is None or not self._own_origin(url):
            url = self.url(f"videos/{quote_segment(job.id)}/content?index={index}")
        return httpx.Request("GET", url, headers=self.headers())

    def _own_origin(self, url: str) -> bool:
        try:
            return bool(self.base_url) and same_origin(url, self.base_url)
        except (httpx.InvalidURL, ValueError):
            return False

    # -- responses ----------------------------------------------------------------------

    def parse_submit(self, response: httpx.Response) -> Job:
        """The created job (HTTP 202, ``status: pending``)."""
        self.raise_for_error(response)
        return self._job(read_json(response, provider=self.name), response)

    def parse_status(self, response: httpx.Response) -> Job:
        """The job's current state, its outputs and its billed cost."""
        self.raise_for_error(response)
        return self._job(read_json(response, provider=self.name), response)

    def _job(self, body: Any, response: httpx.Response | None = None) -> Job:
        from . import _wire

        try:
            video = _wire.converter.structure(body, _wire.Video)
            if not video.id:
                raise ValueError("the job id is empty")
            expires_at = from_unix(video.expires_at)
        except (cattrs.BaseValidationError, ValueError, TypeError, OverflowError, OSError) as exc:
            raise ProtocolError(
                f"{self.name} sent a video job vidgen cannot read: {exc}",
                provider=self.name,
                body=body,
            ) from exc
        status = self.status_map.get((video.status or "").lower(), JobStatus.UNKNOWN)
        outputs: tuple[Output, ...] = ()
        if status is JobStatus.SUCCEEDED:
            # No URL: the content endpoint serves output 0 (see build_download).
            urls: list[str | None] = list(video.unsigned_urls or ()) or [None]
            outputs = tuple(
                Output(kind="video", url=url, ref=video.id, index=i, expires_at=expires_at)
                for i, url in enumerate(urls)
            )
        return Job(
            id=video.id,
            provider=self.name,
            model=video.model,
            status=status,
            expires_at=expires_at,
            outputs=outputs,
            error=_job_error(video, status),
            profile=self.profile,
            request_id=request_id_from(response) if response is not None else None,
            usage=_usage(video.usage),
            raw=dict(body),
        )

    def parse_error(self, response: httpx.Response) -> ProviderError:
        """``{"error": {code, message, metadata?}}`` by HTTP status; moderation refusals
        (403 with flagged input) as `ContentPolicyViolation`."""
        body: Any = error_body(response)
        detail: Mapping[str, Any] = {}
        if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
            detail = body["error"]
        message = detail.get("message")
        if not isinstance(message, str) or not message.strip():
            message = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        code = detail.get("code")
        status = response.status_code
        cls = error_class_for_status(status)
        hint = None
        metadata = detail.get("metadata")
        flagged = isinstance(metadata, Mapping) and (
            "reasons" in metadata or "flagged_input" in metadata
        )
        if status in (400, 403, 422) and (
            flagged or any(word in message.lower() for word in _MODERATION_WORDS)
        ):
            cls = ContentPolicyViolation
            hint = "Moderation refused the prompt or an image; change them and submit again"
        elif status == 401:
            hint = "Check OPENROUTER_API_KEY (keys are at https://openrouter.ai/keys)"
        elif status == 402:
            cls = InsufficientCredits
            hint = "Add credits at https://openrouter.ai/credits"
        elif status == 413:
            cls = InvalidRequest
            hint = "The body is over 50 MiB: pass images as https URLs instead of files"
        elif status in (502, 503):
            hint = "The model's upstream provider is down or overloaded; try later or another model"
        kwargs: dict[str, Any] = {
            "provider": self.name,
            "status_code": status,
            "provider_code": None if code is None or isinstance(code, (dict, list)) else str(code),
            "request_id": request_id_from(response),
            "hint": hint,
            "body": body,
        }
        if issubclass(cls, RateLimited):
            kwargs["retry_after"] = parse_retry_after(response.headers)
        return cls(message, **kwargs)

    # -- webhooks and callbacks ------------------------------------------------------------

    def verify_webhook(
        self,
        headers: Mapping[str, str],
        body: bytes,
        *,
        secret: str | bytes | None,
        now: dt.datetime,
    ) -> Delivery:
        """Check ``X-OpenRouter-Signature: t=<unix>,v1=<hex>`` before anything is trusted.

        ``v1`` is the hex HMAC-SHA256 of ``"<t>,<raw body>"`` under the workspace's
        signing secret; a timestamp more than five minutes away from ``now`` is stale.
        OpenRouter signs only when the workspace has a secret, and vidgen accepts no
        unsigned delivery. The delivery id is ``X-OpenRouter-Idempotency-Key``
        (``<job id>-<status>``), so a receiver takes each state once.

        Raises:
            WebhookRejected: forged (no secret, no or a wrong signature), stale or malformed.
        """
        lowered = {str(k).lower(): str(v) for k, v in headers.items()}
        if not secret:
            raise WebhookRejected(
                f"{self.name}: no signing secret given, so the delivery cannot be verified; set "
                "a webhook signing secret in the OpenRouter workspace settings and pass it as "
                "secret= (vidgen accepts no unsigned OpenRouter deliveries)",
                reason="forged",
                status_code=401,
            )
        header = lowered.get("x-openrouter-signature")
        if not header:
            raise WebhookRejected(
                f"{self.name}: the delivery has no X-OpenRouter-Signature header",
                reason="forged",
                status_code=401,
            )
        timestamp, signatures = _signature_parts(header)
        if timestamp is None or not signatures:
            raise WebhookRejected(
                f"{self.name}: X-OpenRouter-Signature is not 't=<unix>,v1=<hex>'",
                reason="malformed",
                status_code=400,
            )
        key = secret.encode() if isinstance(secret, str) else bytes(secret)
        expected = hmac.new(key, f"{timestamp},".encode() + body, hashlib.sha256).hexdigest()
        if not any(hmac.compare_digest(expected, given.lower()) for given in signatures):
            raise WebhookRejected(
                f"{self.name}: the signature does not match the body (wrong secret, or the "
                "body was changed; verify the raw bytes as received)",
                reason="forged",
                status_code=401,
            )
        try:
            sent_at = dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc)
        except (OverflowError, OSError, ValueError) as exc:
            raise WebhookRejected(
                f"{self.name}: the signature's timestamp {timestamp} is not a usable time",
                reason="malformed",
                status_code=400,
            ) from exc
        if abs(now - sent_at) > WEBHOOK_TOLERANCE:
            raise WebhookRejected(
                f"{self.name}: the delivery was signed at {sent_at.isoformat()}, more than five "
                "minutes from now; refused as a possible replay (check this machine's clock)",
                reason="stale",
                status_code=400,
            )
        ident = lowered.get("x-openrouter-idempotency-key")
        if not ident:
            try:
                job = self.parse_callback(headers, body)
            except ProtocolError as exc:
                raise WebhookRejected(
                    f"{self.name}: the signed delivery is not a video event: {exc}",
                    reason="malformed",
                    status_code=400,
                ) from exc
            ident = f"{job.id}-{job.raw.get('status', job.status.value)}"
        return Delivery(id=ident, sent_at=sent_at)

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> Job:
        """The job a webhook describes: ``{type, created_at, data: {id, status, ...}}``.

        A verified delivery can be trusted (`verify_webhook`); an unverified one is a hint,
        and `vidgen.Client.handle_callback` reads the job from the API instead.
        """
        from . import _wire

        data = parse_json(body, provider=self.name)
        if isinstance(data, Mapping) and "data" in data:
            try:
                event = _wire.converter.structure(data, _wire.Event)
            except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
                raise ProtocolError(
                    f"{self.name} sent a webhook vidgen cannot read: {exc}",
                    provider=self.name,
                    body=data,
                ) from exc
            video = dict(event.data or {})
            kind = event.type or ""
            if "status" not in video and kind.startswith("video.generation."):
                video["status"] = kind.removeprefix("video.generation.")
            return self._job(video)
        return self._job(data)

    # -- models and prices from the API ----------------------------------------------------

    def build_catalog_refresh(self, cursor: str | None = None) -> httpx.Request | None:
        """``GET /videos/models`` (one page; it needs no key, but sends one when set)."""
        if cursor is not None:
            return None
        headers = {"User-Agent": USER_AGENT}
        if self.has_key:
            headers.update(self.auth_headers())
        return httpx.Request("GET", self.url("videos/models"), headers=headers)

    def parse_catalog_refresh(
        self, response: httpx.Response
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Every listed model as a catalog table, mapped as the shipped catalog was.

        A shipped model the listing no longer has is marked retired from the day of the
        answer (its ``Date`` header), so fitting it then needs ``allow_retired``.
        """
        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        listing = body.get("data") if isinstance(body, Mapping) else body
        if not isinstance(listing, list):
            raise ProtocolError(
                f"{self.name} answered GET /videos/models without a list of models",
                provider=self.name,
                body=body,
            )
        try:
            source = str(response.request.url.copy_with(query=None))
        except RuntimeError:  # a response built without its request
            source = DEFAULT_SOURCE
        as_of = _answer_date(response)
        tables, _ = catalog_tables(listing, source=source, as_of=as_of)
        if tables:
            listed = {table["id"] for table in tables}
            shipped = [m.get("id") for m in self.raw_catalog().get("models", ())]
            when = f" on {as_of.isoformat()}" if as_of else ""
            for model_id in shipped:
                if isinstance(model_id, str) and model_id not in listed:
                    lifecycle: dict[str, Any] = {
                        "status": "retired",
                        "source": source,
                        "note": f"no longer listed by GET /videos/models{when}",
                    }
                    if as_of is not None:
                        lifecycle["retired_on"] = as_of
                    tables.append({"id": model_id, "lifecycle": lifecycle})
        return tables, None


# -- helpers -------------------------------------------------------------------------------


def _image_url(image: Any) -> str:
    """A reference as OpenRouter takes it: its https URL, or a base64 ``data:`` URL."""
    return str(image.url) if image.url is not None else str(image.data_url())


def _job_error(video: Any, status: JobStatus) -> JobError | None:
    """Why the job failed, expired or was cancelled (None otherwise)."""
    text = video.error if isinstance(video.error, str) else None
    if video.error is not None and text is None:
        text = json.dumps(video.error, default=str)[:500]
    if (video.status or "").lower() == "expired":
        return JobError(
            code="expired",
            message=text or "OpenRouter reports the job expired; its output is no longer stored",
            provider_code="expired",
        )
    if status is JobStatus.FAILED:
        message = text or "OpenRouter gave no reason"
        moderated = any(word in message.lower() for word in _MODERATION_WORDS)
        return JobError(
            code="content_policy" if moderated else "generation_failed", message=message
        )
    if status is JobStatus.CANCELLED and text:
        return JobError(code="cancelled", message=text)
    return None


def _usage(usage: Any) -> Usage | None:
    """``usage.cost`` (USD) as billed; None until OpenRouter reports it."""
    if usage is None:
        return None
    cost = usage.cost
    if isinstance(cost, bool) or not isinstance(cost, (int, float, str)):
        return None
    try:
        amount = Decimal(str(cost))
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0:
        return None
    note = "usage.cost: the USD OpenRouter billed for the job"
    if usage.is_byok is True:
        note += " (BYOK: the upstream provider billed your own key; this is OpenRouter's fee)"
    return Usage(cost=amount, currency="USD", note=note)


def _signature_parts(header: str) -> tuple[int | None, list[str]]:
    """``t=<unix>,v1=<hex>[,v1=<hex>]`` as the timestamp and the signatures."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        value = value.strip()
        if name == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif name == "v1" and value and all(c in "0123456789abcdefABCDEF" for c in value):
            signatures.append(value)
    return timestamp, signatures


def _answer_date(response: httpx.Response) -> dt.date | None:
    """The UTC date of the answer, from its ``Date`` header (None without one)."""
    value = response.headers.get("date")
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc).date()
