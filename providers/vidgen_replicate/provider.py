"""The ``replicate`` provider: Replicate's predictions API (WIRE-LIVE.md section 3;
research/hosts.md section 2).

* create: ``POST /v1/models/{owner}/{name}/predictions`` for official models, or
  ``POST /v1/predictions`` with ``version`` for a pinned version; ``{"input": {...}}`` in the
  model's own schema (described by the catalog's ``wire`` table, `vidgen_hosted.inputs`),
  ``webhook`` and ``webhook_events_filter``, optionally ``lifetime`` and ``Prefer: wait``;
* status: ``GET /v1/predictions/{id}`` (``starting``, ``processing``, ``succeeded``,
  ``failed``, ``canceled``, ``aborted``);
* cancel: ``POST /v1/predictions/{id}/cancel``; list: ``GET /v1/predictions``;
* outputs on ``replicate.delivery``, deleted 1 hour after the prediction finishes;
* webhooks signed as Standard Webhooks (``webhook-id``, ``webhook-timestamp``,
  ``webhook-signature``) with the account's ``whsec_`` secret.

Never pay twice: a create answered late (``Prefer: wait`` holds the connection for up to 60
seconds) is never sent again by vidgen; a timed-out create is reported as possibly
created, and `vidgen resume` finds it in the prediction list.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import json
import re
from collections.abc import Iterable, Mapping
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
    Output,
    PollPolicy,
    ProtocolError,
    ProviderError,
    RateLimited,
    Usage,
    WebhookRejected,
)
from vidgen.provider import (
    USER_AGENT,
    Delivery,
    JobPage,
    Provider,
    Secret,
    error_class_for_status,
    finite_seconds,
    from_unix,
    parse_retry_after,
    request_id_from,
)
from vidgen.provider import (
    read_json as _read_json,
)
from vidgen_hosted.inputs import InputMap, check_fitted

if TYPE_CHECKING:
    from vidgen import Catalog, Fitted

__all__ = ["ReplicateProvider"]

#: Every prediction status Replicate documents (replicate.com/docs/topics/predictions/
#: lifecycle). ``aborted``: the deadline (``lifetime`` or ``Cancel-After``) passed before
#: the prediction started; it never ran and is not billed.
STATUSES: Mapping[str, JobStatus] = {
    "starting": JobStatus.QUEUED,
    "processing": JobStatus.RUNNING,
    "succeeded": JobStatus.SUCCEEDED,
    "failed": JobStatus.FAILED,
    "canceled": JobStatus.CANCELLED,
    "aborted": JobStatus.CANCELLED,
}

#: Replicate deletes API predictions' outputs after this (data-retention docs).
OUTPUT_RETENTION = dt.timedelta(hours=1)
#: Standard Webhooks' tolerance, which Replicate's docs repeat.
WEBHOOK_TOLERANCE = 300
WEBHOOK_EVENTS = ("start", "output", "logs", "completed")

_OFFICIAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
_PINNED_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*:([0-9a-f]{64})$")
_VERSION_RE = re.compile(r"^[0-9a-f]{64}$")
_ERROR_CODE_RE = re.compile(r"\((E\d{3,4})\)")
_THROTTLE_RE = re.compile(r"resets in ~?(\d+(?:\.\d+)?)\s*s", re.IGNORECASE)
_FRACTION_RE = re.compile(r"(\.\d{1,6})\d*")


class ReplicateProvider(Provider):
    """Replicate's predictions API.

    Settings (keyword arguments, or keys of a ``vidgen.toml`` profile):
        api_key: the token (default: ``$REPLICATE_API_TOKEN``).
        base_url: the API root (default ``https://api.replicate.com/v1``).
        models: model tables that add models or override the shipped ones (each with a
            ``wire`` table; see ``docs/providers/replicate.md``).
        prefer_wait: hold the create open for up to this many seconds (1-60, ``Prefer:
            wait=N``), so a quick prediction comes back finished. The client's read timeout
            must be longer; a create that times out is never resent.
        lifetime: cancel a prediction that has not finished this long after creation
            (``"5m"``, ``"1h"``); one that had not started ends ``aborted``, unbilled.
        webhook_events: which events POST to the callback URL (``webhook_events_filter``:
            start, output, logs, completed; default completed).
        webhook_secret: the account's signing secret (``whsec_...``, from
            ``GET /v1/webhooks/default/secret``), to verify webhooks.
    """

    name = "replicate"
    display_name = "Replicate"
    api_key_env = "REPLICATE_API_TOKEN"
    default_base_url = "https://api.replicate.com/v1"
    catalog_package = "vidgen_replicate"
    docs_url = "https://replicate.com/docs/topics/predictions/create-a-prediction"
    default_poll: ClassVar[PollPolicy | None] = PollPolicy(initial=5.0, factor=1.5, maximum=15.0)

    def __init__(
        self,
        *,
        prefer_wait: int | None = None,
        lifetime: str | None = None,
        webhook_events: Iterable[str] = ("completed",),
        webhook_secret: str | None = None,
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
        if prefer_wait is not None and (
            isinstance(prefer_wait, bool)
            or not isinstance(prefer_wait, int)
            or not 1 <= prefer_wait <= 60
        ):
            raise ConfigError(
                f"replicate: prefer_wait is seconds from 1 to 60 (Prefer: wait=N), not {prefer_wait!r}"
            )
        self.prefer_wait = prefer_wait
        if lifetime is not None and (
            not isinstance(lifetime, str)
            or not re.fullmatch(r"(\d+h)?(\d+m)?(\d+s)?", lifetime)
            or not lifetime
        ):
            raise ConfigError(
                f'replicate: lifetime is a duration like "30s", "5m" or "1h30m", not {lifetime!r}'
            )
        self.lifetime = lifetime
        events = [webhook_events] if isinstance(webhook_events, str) else list(webhook_events)
        bad = [e for e in events if e not in WEBHOOK_EVENTS]
        if bad or not events:
            raise ConfigError(
                "replicate: webhook_events lists some of "
                + ", ".join(WEBHOOK_EVENTS)
                + f", not {events!r}"
            )
        self.webhook_events = tuple(events)
        self._webhook_secret = Secret(webhook_secret) if webhook_secret else None

    # -- the catalog ---------------------------------------------------------------------------

    @property
    def catalog(self) -> Catalog:
        """The shipped catalog with the profile's models, every wire table validated."""
        loaded = self._catalog is None
        catalog = super().catalog
        if loaded:
            where = f"profile {self.profile!r}" if self.profile else "replicate catalog"
            for spec in catalog.models:
                mapping = InputMap.from_wire(spec.wire, model=spec.id, where=where)
                mapping.check_spec(spec, where=where)
                for target in (
                    mapping.text_to_video,
                    mapping.image_to_video,
                    mapping.reference_to_video,
                ):
                    if target is not None and not _target_ok(target):
                        raise ConfigError(
                            f"{where}: model {spec.id!r}: {target!r} is not a Replicate model "
                            '("owner/name"), a pinned version ("owner/name:<64 hex>") or a '
                            "version id"
                        )
        return catalog

    def check_fitted(self, fitted: Fitted, policy: str) -> Fitted:
        """Refuse what the model's input has no field for (see `vidgen_hosted.inputs`)."""
        check_fitted(fitted, provider=self.name)
        return fitted

    # -- requests -------------------------------------------------------------------------------

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        """Create the prediction: the official-model route, or ``/predictions`` with a version."""
        mapping = check_fitted(fitted, provider=self.name)
        target = mapping.endpoint(fitted)
        body: dict[str, Any] = {"input": {**mapping.build(fitted), **fitted.options}}
        pinned = _PINNED_RE.match(target)
        if pinned or _VERSION_RE.match(target):
            body = {"version": pinned.group(1) if pinned else target, **body}
            url = self.url("predictions")
        else:
            owner, _, model = target.partition("/")
            url = self.url(f"models/{_segment(owner)}/{_segment(model)}/predictions")
        if fitted.callback_url:
            body["webhook"] = fitted.callback_url
            body["webhook_events_filter"] = list(self.webhook_events)
        if self.lifetime:
            body["lifetime"] = self.lifetime
        extra = {"Content-Type": "application/json"}
        if self.prefer_wait is not None:
            extra["Prefer"] = f"wait={self.prefer_wait}"
        return httpx.Request(
            "POST", url, headers=self.headers(**extra), content=json.dumps(body).encode()
        )

    def build_status(self, job: Job) -> httpx.Request:
        """``GET /v1/predictions/{id}``."""
        return httpx.Request(
            "GET", self.url(f"predictions/{_segment(job.id)}"), headers=self.headers()
        )

    def build_cancel(self, job: Job) -> httpx.Request:
        """``POST /v1/predictions/{id}/cancel``."""
        return httpx.Request(
            "POST", self.url(f"predictions/{_segment(job.id)}/cancel"), headers=self.headers()
        )

    def build_list(self, limit: int = 20, after: str | None = None) -> httpx.Request:
        """``GET /v1/predictions`` (pages of up to 100, newest first; ``after`` is a cursor)."""
        params = {"cursor": after} if after else None
        return httpx.Request("GET", self.url("predictions"), params=params, headers=self.headers())

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        """A plain GET of the output on ``replicate.delivery``: https only, without the token."""
        self.check_variant(variant, ("video",))
        url = httpx.URL(self.output(job, index, field="url"))
        if url.scheme != "https":
            raise ProtocolError(
                f"{self.name} returned an output URL that is not https; refusing to download it",
                provider=self.name,
                body=str(url),
            )
        return httpx.Request("GET", url, headers={"User-Agent": USER_AGENT})

    # -- responses --------------------------------------------------------------------------------

    def parse_submit(self, response: httpx.Response) -> Job:
        """The created prediction (finished already when ``Prefer: wait`` was enough)."""
        return self.parse_status(response)

    def parse_status(self, response: httpx.Response) -> Job:
        """A prediction object."""
        self.raise_for_error(response)
        job = self.job_from_prediction(read_json(response, provider=self.name))
        request_id = request_id_from(response)
        return job if request_id is None else _with(job, request_id=request_id)

    def parse_cancel(self, response: httpx.Response, job: Job) -> Job | None:
        """The prediction after the cancel (``canceled``, or finished already)."""
        self.raise_for_error(response)
        try:
            return self.job_from_prediction(read_json(response, provider=self.name))
        except ProtocolError:
            return None  # an answer that is not the prediction: vidgen reads the status

    def parse_list(self, response: httpx.Response) -> JobPage:
        """One page of predictions; the next page's cursor comes from ``next``."""
        self.raise_for_error(response)
        body = read_json(response, provider=self.name)
        if not isinstance(body, Mapping) or not isinstance(body.get("results"), list):
            raise ProtocolError(
                f"{self.name} sent a prediction list without results", provider=self.name, body=body
            )
        jobs = tuple(self.job_from_prediction(item) for item in body["results"])
        cursor = None
        following = body.get("next")
        if isinstance(following, str) and following:
            try:
                cursor = httpx.URL(following).params.get("cursor")
            except (httpx.InvalidURL, ValueError, TypeError):
                cursor = None
        return JobPage(jobs=jobs, next_cursor=cursor)

    def job_from_prediction(self, body: Any) -> Job:
        """The neutral job a prediction object describes (also a webhook's body)."""
        if not isinstance(body, Mapping) or not isinstance(body.get("id"), str) or not body["id"]:
            raise ProtocolError(
                f"{self.name} sent a prediction without an id", provider=self.name, body=body
            )
        wire = body.get("status")
        status = (
            STATUSES.get(wire, JobStatus.UNKNOWN) if isinstance(wire, str) else JobStatus.UNKNOWN
        )
        try:
            created_at = _timestamp(body.get("created_at"))
            completed_at = _timestamp(body.get("completed_at"))
        except ValueError as exc:
            raise ProtocolError(
                f"{self.name} sent a prediction with an unreadable time: {exc}",
                provider=self.name,
                body=body,
            ) from exc
        expires_at = completed_at + OUTPUT_RETENTION if completed_at else None
        outputs: tuple[Output, ...] = ()
        if status is JobStatus.SUCCEEDED:
            outputs = tuple(
                Output(kind="video", url=url, index=i, expires_at=expires_at)
                for i, url in enumerate(_output_urls(body.get("output")))
            )
        error = None
        message = body.get("error")
        if status is JobStatus.FAILED or (status is JobStatus.SUCCEEDED and not outputs):
            text = message if isinstance(message, str) and message.strip() else None
            code_match = _ERROR_CODE_RE.search(text or "")
            if status is JobStatus.SUCCEEDED:
                status = JobStatus.FAILED
                text = "Replicate reports success but the prediction has no output URL"
            error = JobError(
                code="content_policy" if _is_policy(text) else "generation_failed",
                message=text or "the prediction failed",
                provider_code=code_match.group(1) if code_match else wire,
            )
        elif wire == "aborted":
            error = JobError(
                code="aborted",
                message="Replicate aborted the prediction: its deadline (lifetime or "
                "Cancel-After) passed before it started; it was not billed",
                provider_code="aborted",
            )
        elif wire == "canceled":
            error = JobError(
                code="cancelled", message="the prediction was canceled", provider_code="canceled"
            )
        model = body.get("model") if isinstance(body.get("model"), str) else None
        return Job(
            id=body["id"],
            provider=self.name,
            model=model or None,
            status=status,
            created_at=created_at,
            completed_at=completed_at,
            expires_at=expires_at if outputs else None,
            outputs=outputs,
            error=error,
            profile=self.profile,
            usage=_usage(body.get("metrics")),
            raw=dict(body),
        )

    # -- errors -----------------------------------------------------------------------------------

    def parse_error(self, response: httpx.Response) -> ProviderError:
        """Replicate's problem details ``{"title", "detail", "status"}`` (or ``{"detail"}``)."""
        try:
            body: Any = json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = response.content[:2000].decode("utf-8", "replace")
        status = response.status_code
        detail = title = None
        if isinstance(body, Mapping):
            detail = _text(body.get("detail")) or _text(body.get("error"))
            if detail is None and isinstance(body.get("error"), Mapping):
                detail = _text(body["error"].get("message"))
            title = _text(body.get("title"))
        elif isinstance(body, str) and body.strip() and not body.lstrip().startswith("<"):
            detail = body.strip()[:500]
        cls: type[ProviderError] = error_class_for_status(status)
        text = detail or title or f"HTTP {status} {response.reason_phrase}".strip()
        lowered = text.lower()
        hint = None
        if _is_policy(text):
            cls = ContentPolicyViolation
            hint = "Replicate's safety checker refused the input; change it"
        elif status == 402 or "billing" in lowered or "insufficient credit" in lowered:
            cls = InsufficientCredits
            hint = "Add credit or a payment method at replicate.com/account/billing"
        elif status == 401:
            hint = "Check REPLICATE_API_TOKEN (replicate.com/account/api-tokens)"
        kwargs: dict[str, Any] = {
            "provider": self.name,
            "status_code": status,
            "provider_code": title,
            "request_id": request_id_from(response),
            "hint": hint,
            "body": body,
        }
        if issubclass(cls, RateLimited):
            wait = parse_retry_after(response.headers)
            if wait is None:
                match = _THROTTLE_RE.search(text)
                wait = finite_seconds(match.group(1)) if match else None
            kwargs["retry_after"] = wait
        return cls(text, **kwargs)

    # -- webhooks ---------------------------------------------------------------------------------

    def verify_webhook(
        self,
        headers: Mapping[str, str],
        body: bytes,
        *,
        secret: str | bytes | None,
        now: dt.datetime,
    ) -> Delivery:
        """Check a Standard Webhooks signature (``standardwebhooks``) and its age against ``now``.

        The package checks the time against the wall clock, so vidgen uses it to compute the
        signature (`standardwebhooks.Webhook.sign`) and checks the 5-minute tolerance
        against ``now`` itself.

        Raises:
            WebhookRejected: malformed, stale or forged.
            ConfigError: no secret is configured, or it is not a ``whsec_`` secret.
        """
        from standardwebhooks import Webhook

        key = (
            secret
            if secret is not None
            else (self._webhook_secret.reveal() if self._webhook_secret else None)
        )
        if not key:
            raise ConfigError(
                "replicate: set webhook_secret (the whsec_... secret from "
                "GET https://api.replicate.com/v1/webhooks/default/secret) to verify webhooks"
            )
        try:
            signer = Webhook(key)
        except Exception as exc:  # the package raises several kinds for a bad secret
            raise ConfigError(
                "replicate: the webhook secret is not a Standard Webhooks secret (whsec_<base64>)"
            ) from exc
        lowered = {str(k).lower(): str(v) for k, v in headers.items()}
        msg_id = lowered.get("webhook-id", "").strip()
        stamp = lowered.get("webhook-timestamp", "").strip()
        signatures = lowered.get("webhook-signature", "").strip()
        if not (msg_id and stamp and signatures):
            raise WebhookRejected(
                "Replicate webhook without webhook-id, webhook-timestamp and webhook-signature",
                reason="malformed",
            )
        try:
            sent_at = from_unix(int(stamp))
            data = bytes(body).decode("utf-8")
        except (ValueError, OverflowError, UnicodeDecodeError):
            raise WebhookRejected(
                "Replicate webhook with an unreadable timestamp or body", reason="malformed"
            ) from None
        assert sent_at is not None
        if abs((now - sent_at).total_seconds()) > WEBHOOK_TOLERANCE:
            raise WebhookRejected(
                f"Replicate webhook signed at {sent_at.isoformat()}, more than "
                f"{WEBHOOK_TOLERANCE} s from now ({now.isoformat()}); refused as stale",
                reason="stale",
            )
        expected = base64.b64decode(signer.sign(msg_id, sent_at, data).split(",", 1)[1])
        for entry in signatures.split():
            version, _, value = entry.partition(",")
            if version != "v1" or not value:
                continue
            try:
                given = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                continue
            if hmac.compare_digest(expected, given):
                return Delivery(id=msg_id, sent_at=sent_at)
        raise WebhookRejected(
            "Replicate webhook signature does not match the configured webhook_secret",
            reason="forged",
            status_code=401,
        )

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> Job:
        """A webhook carries the whole prediction object."""
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ProtocolError(
                f"{self.name} webhook body is not JSON", provider=self.name, body=body[:500]
            ) from exc
        return self.job_from_prediction(data)

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> Job:
        """Replicate's callbacks are its webhooks (see `parse_webhook`)."""
        return self.parse_webhook(headers, body)


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


def _target_ok(target: str) -> bool:
    return bool(_OFFICIAL_RE.match(target) or _PINNED_RE.match(target) or _VERSION_RE.match(target))


def _segment(value: str) -> str:
    segment = quote(str(value), safe="")
    return segment.replace(".", "%2E") if segment in (".", "..") else segment


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _with(job: Job, **changes: Any) -> Job:
    return attrs.evolve(job, **changes)


def _timestamp(value: Any) -> dt.datetime | None:
    """An ISO 8601 time as Replicate writes it (``2024-01-01T00:00:00.000Z``), aware UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not an ISO 8601 time")
    text = _FRACTION_RE.sub(lambda m: m.group(1).ljust(7, "0")[:7], value.strip(), count=1)
    text = text.replace("Z", "+00:00").replace("z", "+00:00")
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)


def _output_urls(output: Any) -> list[str]:
    """A video model's output: one URL string, or a list of them (research/hosts.md 2.2)."""
    if isinstance(output, str):
        candidates = [output]
    elif isinstance(output, list):
        candidates = [item for item in output if isinstance(item, str)]
    else:
        return []
    return [url for url in candidates if url.startswith("https://") and len(url) > 8]


def _is_policy(text: str | None) -> bool:
    if not text:
        return False
    lowered = text.lower()
    return "(e005)" in lowered or "flagged as sensitive" in lowered or "nsfw" in lowered


def _usage(metrics: Any) -> Usage | None:
    if not isinstance(metrics, Mapping):
        return None
    seconds = finite_seconds(metrics.get("predict_time"))
    if seconds is None:
        return None
    return Usage(
        seconds=seconds,
        note="predict_time: seconds the model ran; official video models are billed per "
        "output (see the model page), community models by time",
    )
