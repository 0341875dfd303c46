"""What a provider is: the base class every built-in and third-party provider subclasses.

A provider is sans-IO. It turns neutral values into `httpx.Request` objects and
`httpx.Response` objects back into neutral values; it never opens a connection, sleeps
or reads the clock. `vidgen.Client` and `vidgen.AsyncClient` do the I/O.

A minimal provider::

    class MyProvider(Provider):
        name = "mine"
        api_key_env = "MINE_API_KEY"
        default_base_url = "https://api.example.com/v1"
        catalog_package = "vidgen_mine"          # ships vidgen_mine/catalog.toml

        def build_submit(self, fitted): ...
        def parse_submit(self, response): ...
        def build_status(self, job): ...
        def parse_status(self, response): ...
        def build_download(self, job, index=0, variant="video"): ...
        def parse_error(self, response): ...

See ``docs/plugins.md`` for the whole contract.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn
from urllib.parse import quote, urlsplit

import attrs
import httpx

from ._exceptions import (
    AuthenticationError,
    ConfigError,
    ContentExpired,
    InsufficientCredits,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ProtocolError,
    ProviderError,
    RateLimited,
    ServerError,
    UnsupportedRequest,
    WebhookRejected,
)
from ._models import Job
from ._policies import PollPolicy
from ._version import __version__

if TYPE_CHECKING:
    from ._catalog import Catalog
    from ._request import Fitted, Quote, VideoRequest

__all__ = [
    "Delivery",
    "JobPage",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "Provider",
    "Secret",
    "USER_AGENT",
    "data_dir",
    "error_body",
    "error_class_for_status",
    "finite_seconds",
    "from_unix",
    "parse_json",
    "parse_retry_after",
    "percent",
    "quote_segment",
    "read_json",
    "request_id_from",
    "same_origin",
]

USER_AGENT = f"vidgen/{__version__}"
"""The ``User-Agent`` header every provider sends (``vidgen/<version>``)."""


class Secret:
    """A credential that never shows itself in a repr, a str or a log line."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError("an API key must be a non-empty string")
        self._value = value.strip()

    def reveal(self) -> str:
        """The secret itself, for the one header that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")


@attrs.frozen(kw_only=True)
class Delivery:
    """A webhook delivery whose signature checked out.

    Attributes:
        id: the delivery's unique id (the receiver refuses a second delivery with it).
        sent_at: when the sender signed it, where it says.
    """

    id: str | None
    sent_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class JobPage:
    """One page of a provider's job list."""

    jobs: tuple[Job, ...]
    next_cursor: str | None = None


# -- helpers for parsing ------------------------------------------------------------------


MAX_JSON_BYTES = 16 * 1024 * 1024
"""The largest JSON body a parser reads. Job objects and pages are a few kilobytes; anything
near this is not an answer from a video API."""
MAX_JSON_DEPTH = 64
"""The deepest nesting a parser accepts. Real answers nest four or five levels; a deep body
would exhaust the recursion limit of the parser, the converters or the ledger's encoder."""


def parse_json(
    data: bytes | str,
    *,
    provider: str | None = None,
    status_code: int | None = None,
) -> Any:
    """A body (a response's, or a callback's) as JSON, refusing what no parser should see.

    Args:
        data: the body.
        provider: the provider's name, for the message.
        status_code: the HTTP status the body came with, for the message.

    Raises:
        ProtocolError: the body is not JSON, is larger than `MAX_JSON_BYTES` or nests
            deeper than `MAX_JSON_DEPTH` (an excerpt of the text is attached).
    """
    who = provider or "the provider"
    status = f" (HTTP {status_code})" if status_code is not None else ""
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else bytes(data)
    text = raw[:500].decode("utf-8", "replace")
    if len(raw) > MAX_JSON_BYTES:
        raise ProtocolError(
            f"{who} sent a body of {len(raw)} bytes{status}, more than vidgen reads as JSON "
            f"({MAX_JSON_BYTES}); it starts {text[:200]!r}",
            provider=provider,
            body=text,
        )
    too_deep = ProtocolError(
        f"{who} sent JSON nested more than {MAX_JSON_DEPTH} levels deep{status}; no video API "
        f"answers like that: {text[:80]!r}",
        provider=provider,
        body=text,
    )
    try:
        value = json.loads(raw)
    except RecursionError as exc:  # thousands of levels: the decoder itself gives up
        raise too_deep from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(
            f"{who} sent a body that is not JSON{status}: {text!r}",
            provider=provider,
            body=text,
        ) from exc
    # Counting brackets is cheap; only a body with many of them is walked.
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _depth(value) > MAX_JSON_DEPTH:
        raise too_deep
    return value


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (without recursing)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def read_json(response: httpx.Response, *, provider: str | None = None) -> Any:
    """The response body as JSON (see `parse_json` for what is refused).

    Raises:
        ProtocolError: the body is not JSON, too large or too deeply nested (the text is
            attached).
    """
    return parse_json(response.content, provider=provider, status_code=response.status_code)


def error_body(response: httpx.Response) -> Any:
    """An error response's body for a `ProviderError`: its JSON, else its text (2000 chars).

    Never raises: an error body that cannot be read is still an error to report.
    """
    try:
        return parse_json(response.content)
    except ProtocolError:
        return response.content[:2000].decode("utf-8", "replace")


def quote_segment(value: str) -> str:
    """``value`` encoded as exactly one URL path segment, for ids a provider sent.

    ``/``, ``?``, ``#``, ``%`` and everything else outside the unreserved characters are
    percent-encoded, and so are the dots of a ``.`` or ``..`` segment, so that an id
    like ``../../admin`` cannot move a request (and the key it carries) to another path.

    Use it wherever an id goes into a path: ``self.url(f"videos/{quote_segment(job.id)}")``.
    """
    segment = quote(str(value), safe="")
    if segment in (".", ".."):
        return segment.replace(".", "%2E")
    return segment


def from_unix(value: Any) -> dt.datetime | None:
    """A unix timestamp (seconds) as an aware UTC datetime; None stays None.

    Raises:
        ValueError: not a number, or not a time a datetime can hold (NaN, infinity,
            year 300000). Parsers turn it into `ProtocolError`.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{value!r} is not a unix timestamp")
    try:
        return dt.datetime.fromtimestamp(float(value), tz=dt.timezone.utc)
    except (OverflowError, OSError, ValueError) as exc:
        # ValueError: NaN, or a string that is no number at all.
        raise ValueError(f"{value!r} is not a usable unix timestamp") from exc


def parse_retry_after(
    headers: Mapping[str, str], *, now: dt.datetime | None = None
) -> float | None:
    """The server's requested wait in seconds, from ``retry-after-ms`` or ``Retry-After``.

    ``Retry-After`` may be seconds or an HTTP date; a date needs ``now``.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    value = lowered.get("retry-after-ms")
    if value is not None:
        seconds = finite_seconds(value, scale=1000.0)
        if seconds is not None:
            return seconds
    value = lowered.get("retry-after")
    if value is None:
        return None
    seconds = finite_seconds(value)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if now is None or when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max((when - now).total_seconds(), 0.0)


def finite_seconds(value: Any, *, scale: float = 1.0) -> float | None:
    """A server's number of seconds (``scale=1000`` for milliseconds) as a finite float >= 0.

    None for anything that is not a finite number ("nan", "inf", "soon", a date).
    """
    if isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip()) / scale
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number):
        return None
    return max(number, 0.0)


def data_dir(provider: str) -> Path:
    """A folder a provider may keep its own files in: ``$VIDGEN_HOME/<provider>``.

    Not created here; the provider creates it when it first writes there.
    """
    from ._home import default_home

    return default_home() / provider


def request_id_from(response: httpx.Response, *names: str) -> str | None:
    """The first of the given headers the response carries (``x-request-id`` by default)."""
    for name in names or ("x-request-id",):
        value = response.headers.get(name)
        if value:
            return str(value)
    return None


_STATUS_ERRORS: dict[int, type[ProviderError]] = {
    400: InvalidRequest,
    401: AuthenticationError,
    402: InsufficientCredits,
    403: PermissionDenied,
    404: NotFound,
    409: ServerError,
    410: NotFound,
    422: InvalidRequest,
    429: RateLimited,
}


def error_class_for_status(status_code: int) -> type[ProviderError]:
    """The error class an HTTP status maps to when nothing more specific is known."""
    if status_code >= 500 or status_code == 408:
        return ServerError
    return _STATUS_ERRORS.get(status_code, ProviderError)


def percent(value: Any) -> int | None:
    """A progress value as an int from 0 to 100 (None stays None).

    Raises:
        ValueError: not a number (NaN and infinities included).
    """
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{value!r} is not a progress percentage") from exc
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a progress percentage")
    return max(0, min(100, int(number)))


def same_origin(a: str | httpx.URL, b: str | httpx.URL) -> bool:
    """True when two URLs share scheme, host and port (where credentials may go)."""
    first, second = httpx.URL(str(a)), httpx.URL(str(b))
    return (first.scheme, first.host, first.port) == (second.scheme, second.host, second.port)


# -- the base class -----------------------------------------------------------------------


class Provider:
    """Base class of every provider.

    A subclass sets the class attributes below. Its settings are keyword arguments, and
    also the keys of a config profile.

    Attributes:
        name: the registered name (``"openai"``).
        display_name: for tables.
        api_key_env: the environment variable that holds the key.
        default_base_url: the API root.
        catalog_package: the package whose ``catalog.toml`` holds the models.
        reserved_options: wire fields vidgen sets, which ``provider_options`` may not set.
        secret_headers: headers that carry credentials (never sent to another host).
        docs_url: where users read about the provider.
        default_poll: the polling pace the vendor recommends.

    Args:
        api_key: the key; by default read from ``api_key_env`` when first needed.
        api_key_env: another environment variable to read the key from.
        base_url: another API root (a proxy, a relay).
        models: model tables that extend or override the catalog.
        profile: the config profile this provider serves (set by vidgen).
        allow_private_outputs: download output URLs on private, loopback and link-local
            addresses (a self-hosted setup). Off by default: an output URL on another host
            than ``base_url`` must then be a public https address without credentials.
    """

    name: ClassVar[str] = ""
    display_name: ClassVar[str] = ""
    api_key_env: ClassVar[str | None] = None
    default_base_url: ClassVar[str | None] = None
    catalog_package: ClassVar[str | None] = None
    reserved_options: ClassVar[frozenset[str]] = frozenset()
    secret_headers: ClassVar[frozenset[str]] = frozenset({"authorization"})
    docs_url: ClassVar[str | None] = None
    #: Whether it takes images only as bytes (inline, base64): vidgen then fetches an image
    #: given as a URL itself, before planning, rather than pass the URL on (Veo).
    inline_references: ClassVar[bool] = False
    #: Whether `vidgen.compare` (``vidgen quote``) lists it unasked; the sandbox does not,
    #: so its free test videos never top a price comparison.
    in_compare: ClassVar[bool] = True
    #: Whether the vendor's cancel call also deletes a finished job and its video (Ark,
    #: MiniMax, Runway: one ``DELETE`` does both). vidgen then reads the job first and
    #: sends the cancel only while it is queued or running.
    cancel_deletes_finished: ClassVar[bool] = False
    #: Whether reading the job again issues fresh output links (Runway). A download whose
    #: links have expired then reads the job once more instead of giving up.
    outputs_refreshable: ClassVar[bool] = False
    #: How often to poll when the server gives no hint (the vendor's advice); None for
    #: vidgen's default.
    default_poll: ClassVar[PollPolicy | None] = None
    #: How many jobs an account may run at once, where the vendor documents one cap for
    #: every account; None for vidgen's default (16). Profiles set their own.
    default_max_in_flight: ClassVar[int | None] = None

    _raw_catalogs: ClassVar[dict[str, dict[str, Any]]] = {}

    def __init__(
        self,
        *,
        api_key: str | None = None,
        api_key_env: str | None = None,
        base_url: str | None = None,
        models: Iterable[Mapping[str, Any]] = (),
        profile: str | None = None,
        allow_private_outputs: bool = False,
    ) -> None:
        if not isinstance(allow_private_outputs, bool):
            raise ConfigError(
                f"{self.name}: allow_private_outputs must be true or false, "
                f"not {allow_private_outputs!r}"
            )
        self.allow_private_outputs = allow_private_outputs
        self._api_key = Secret(api_key) if api_key is not None else None
        self.key_env = api_key_env or type(self).api_key_env
        self.base_url = (base_url or self.default_base_url or "").rstrip("/")
        self.profile = profile
        self._extra_models = tuple(dict(m) for m in models)
        # What `get_provider` built it with (None when built directly).
        self._given_settings: dict[str, Any] | None = None
        self._catalog: Catalog | None = None
        if base_url is not None:
            parts = urlsplit(base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigError(
                    f"{self.name}: base_url {base_url!r} is not an http(s) URL, "
                    "e.g. 'https://relay.example.com/v1'"
                )

    @property
    def endpoint(self) -> str:
        """Where this provider's jobs live: its API root, or its name when it has none.

        Job ids are only unique per endpoint: two relays may both have a ``video_1``.
        """
        return self.base_url or self.name

    def public_settings(self) -> dict[str, Any]:
        """The settings needed to build this provider again, without any secret.

        The ledger keeps them with each submit, so ``vidgen resume`` can finish a job that
        was submitted from Python with keyword settings. The key is never among them.
        """
        given: dict[str, Any] | None = getattr(self, "_given_settings", None)
        settings = dict(given or {})
        if given is None:
            # Built directly, not by `get_provider`: what differs from the defaults.
            if self.base_url and self.base_url != (self.default_base_url or "").rstrip("/"):
                settings["base_url"] = self.base_url
            if self.key_env and self.key_env != type(self).api_key_env:
                settings["api_key_env"] = self.key_env
            if self._extra_models:
                settings["models"] = [dict(m) for m in self._extra_models]
            if self.allow_private_outputs:
                settings["allow_private_outputs"] = True
        return {k: v for k, v in settings.items() if _storable_setting(k, v)}

    def __repr__(self) -> str:
        key = "set" if self._api_key is not None else f"from ${self.key_env}"
        return (
            f"<{type(self).__name__} name={self.name!r} base_url={self.base_url!r} api_key={key}>"
        )

    # -- credentials -------------------------------------------------------------------

    @property
    def has_key(self) -> bool:
        """True when a key was given or is in the environment."""
        return self._api_key is not None or bool(self.key_env and os.environ.get(self.key_env))

    def secret(self) -> Secret:
        """The key, from the settings or the environment.

        Raises:
            ConfigError: no key was given and the variable is unset (names the variable).
        """
        if self._api_key is None:
            value = os.environ.get(self.key_env or "", "").strip()
            if not value:
                where = f"set {self.key_env}" if self.key_env else "pass api_key="
                raise ConfigError(
                    f"no API key for {self.name}: {where} "
                    f"(or set api_key_env in the profile to the variable that holds it)"
                )
            self._api_key = Secret(value)
        return self._api_key

    def auth_headers(self) -> dict[str, str]:
        """The headers that authenticate a request (a bearer token by default)."""
        return {"Authorization": f"Bearer {self.secret().reveal()}"}

    def headers(self, **extra: str) -> dict[str, str]:
        """Headers for a request to the API: user agent, auth, and ``extra``."""
        return {"User-Agent": USER_AGENT, **self.auth_headers(), **extra}

    def url(self, path: str) -> str:
        """``base_url`` joined with ``path``.

        Raises:
            ConfigError: the provider has no base URL.
        """
        if not self.base_url:
            raise ConfigError(
                f"{self.name} has no base_url; set base_url in the profile or pass base_url="
            )
        return f"{self.base_url}/{path.lstrip('/')}"

    # -- catalog, fit and quote ---------------------------------------------------------

    def raw_catalog(self) -> Mapping[str, Any]:
        """The parsed ``catalog.toml`` this provider ships (cached per package)."""
        package = self.catalog_package
        if package is None:
            return {}
        cache = Provider._raw_catalogs
        if package not in cache:
            from ._catalog import read_catalog_resource  # on first use, not at import

            cache[package] = read_catalog_resource(package)
        return cache[package]

    @property
    def catalog(self) -> Catalog:
        """The shipped catalog with the profile's models merged in."""
        if self._catalog is None:
            where = f"profile {self.profile!r}" if self.profile else f"{self.name} catalog"
            from ._catalog import load_catalog
            from ._overlay import load_overlay

            # Shipped, then the vendor's own prices fetched by `vidgen prices refresh`, then
            # the profile's models: each overrides the one before.
            extra = (*load_overlay(self.name), *self._extra_models)
            self._catalog = load_catalog(
                self.raw_catalog(), provider=self.name, extra_models=extra, where=where
            )
        return self._catalog

    def reload_catalog(self) -> None:
        """Forget the loaded catalog, so the next use reads it (and its overlay) again."""
        self._catalog = None

    def fit(
        self,
        request: VideoRequest,
        policy: str = "strict",
        allow_retired: bool = False,
        *,
        today: dt.date | None = None,
    ) -> Fitted:
        """Fit a request to one of this provider's models. No HTTP.

        Args:
            request: the neutral request.
            policy: ``"strict"`` refuses what the model cannot do; ``"nearest"`` adjusts
                and reports each change in ``warnings`` and ``adjustments``.
            allow_retired: fit a model the catalog says is retired (with a warning).
            today: the date lifecycle data is checked against (default: today, UTC).

        Raises:
            UnsupportedRequest: names the parameter and the supported values.
            ModelRetired: names the retirement date and the replacement.
        """
        from ._fit import fit_request

        fitted = fit_request(
            self.catalog,
            request,
            provider=self.name,
            policy=policy,
            allow_retired=allow_retired,
            today=today,
            reserved_options=self.reserved_options,
            profile=self.profile,
        )
        return self.check_fitted(fitted, policy)

    def check_fitted(self, fitted: Fitted, policy: str) -> Fitted:
        """Provider-specific checks after the catalog's; return the (maybe changed) value.

        The default accepts everything. Raise `UnsupportedRequest` for a doomed request.
        """
        return fitted

    def quote(self, fitted: Fitted) -> Quote:
        """The price of a fitted request, from the catalog. No HTTP."""
        from ._fit import quote_fitted

        return quote_fitted(fitted)

    # -- the wire (subclasses implement) ---------------------------------------------------

    def build_submit(self, fitted: Fitted) -> httpx.Request:
        """The request that creates the job."""
        raise NotImplementedError

    def parse_submit(self, response: httpx.Response) -> Job:
        """The job a create response describes; raises the provider's error otherwise."""
        raise NotImplementedError

    def build_status(self, job: Job) -> httpx.Request:
        """The request that reads the job's current state."""
        raise NotImplementedError

    def parse_status(self, response: httpx.Response) -> Job:
        """The job a status response describes; raises the provider's error otherwise."""
        raise NotImplementedError

    def build_download(self, job: Job, index: int = 0, variant: str = "video") -> httpx.Request:
        """The request that fetches output ``index`` (``variant``: video, thumbnail, ...)."""
        raise NotImplementedError

    def inline_output(self, job: Job, index: int = 0) -> bool:
        """Whether output ``index`` came back inside the job's JSON (base64), not as a URL.

        vidgen then reads the job again (`build_status`) and saves what
        `read_inline_output` decodes, instead of calling `build_download`.
        """
        return False

    def read_inline_output(self, response: httpx.Response, job: Job, index: int = 0) -> bytes:
        """The bytes of an inline output, from a fresh status response (see `inline_output`)."""
        raise UnsupportedRequest(
            f"{self.name} returns no inline outputs", param="index", value=index, provider=self.name
        )

    def build_list(self, limit: int = 20, after: str | None = None) -> httpx.Request:
        """The request that lists recent jobs (where the provider can)."""
        raise UnsupportedRequest(
            f"{self.name} cannot list jobs", param="operation", value="list", provider=self.name
        )

    def parse_list(self, response: httpx.Response) -> JobPage:
        """A page of jobs from a list response."""
        raise UnsupportedRequest(
            f"{self.name} cannot list jobs", param="operation", value="list", provider=self.name
        )

    def build_delete(self, job: Job) -> httpx.Request:
        """The request that deletes a job and its outputs (where the provider can)."""
        raise UnsupportedRequest(
            f"{self.name} cannot delete jobs", param="operation", value="delete", provider=self.name
        )

    def parse_delete(self, response: httpx.Response) -> None:
        """Check a delete response; raises the provider's error on failure."""
        self.raise_for_error(response)

    def build_cancel(self, job: Job) -> httpx.Request:
        """The request that stops a queued or running job (where the provider can)."""
        raise UnsupportedRequest(
            f"{self.name} cannot cancel a job: its API has no cancel; the job runs to the end "
            "(and is billed if it succeeds)",
            param="operation",
            value="cancel",
            provider=self.name,
        )

    def parse_cancel(self, response: httpx.Response, job: Job) -> Job | None:
        """The job after a cancel request, or None when the answer does not describe it
        (vidgen then reads its status). Raises the provider's error on failure."""
        self.raise_for_error(response)
        return None

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> Job:
        """The job a callback body describes (where the provider has callbacks)."""
        raise UnsupportedRequest(
            f"{self.name} sends no per-request callbacks",
            param="callback_url",
            provider=self.name,
        )

    def parse_error(self, response: httpx.Response) -> ProviderError:
        """The neutral error for an error response (returned, not raised).

        The default reads no body format; providers override it.
        """
        cls = error_class_for_status(response.status_code)
        return cls(
            f"HTTP {response.status_code}",
            provider=self.name,
            status_code=response.status_code,
            request_id=request_id_from(response),
            body=response.content[:2000].decode("utf-8", "replace"),
        )

    def parse_download_error(
        self, response: httpx.Response, job: Job, now: dt.datetime
    ) -> ProviderError:
        """The error for a failed download: 404/410 past ``expires_at`` is `ContentExpired`."""
        error = self.parse_error(response)
        expired = job.expires_at is not None and job.expires_at <= now
        if response.status_code == 410 or (response.status_code == 404 and expired):
            when = f" at {job.expires_at.isoformat()}" if job.expires_at else ""
            return ContentExpired(
                f"the outputs of job {job.id} expired{when}; the provider has deleted them",
                provider=self.name,
                status_code=response.status_code,
                provider_code=error.provider_code,
                request_id=error.request_id,
                hint="Generate the video again (outputs must be downloaded before they expire)",
                body=error.body,
            )
        return error

    # -- webhooks ----------------------------------------------------------------------

    def verify_webhook(
        self,
        headers: Mapping[str, str],
        body: bytes,
        *,
        secret: str | bytes | None,
        now: dt.datetime,
    ) -> Delivery:
        """Check a webhook delivery's signature and age before anything trusts it.

        Providers with signed webhooks override this; it must refuse a forged signature
        and a timestamp outside the vendor's tolerance, and return the delivery's id so
        the receiver can refuse a replay.

        Args:
            headers: the delivery's headers (any case).
            body: the raw body, exactly as it arrived.
            secret: the signing secret or public key material the user configured.
            now: the receiver's clock.

        Raises:
            WebhookRejected: forged, stale, malformed, or the provider sends none.
        """
        raise WebhookRejected(
            f"{self.name} sends no webhooks vidgen can verify; poll with wait() instead",
            reason="unsupported",
            status_code=404,
        )

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> Job:
        """The job a verified webhook delivery describes (default: `parse_callback`)."""
        return self.parse_callback(headers, body)

    def answer_challenge(self, headers: Mapping[str, str], body: bytes) -> bytes | None:
        """The answer to a vendor's check of a callback URL, or None for any other body.

        Some vendors POST a challenge to a callback URL before they use it, and expect it
        echoed (MiniMax). A receiver answers it with these bytes (``application/json``,
        HTTP 200) instead of reading the body as a job. The default: no challenge.
        """
        return None

    # -- prices and models from the vendor's own API -----------------------------------

    def build_catalog_refresh(self, cursor: str | None = None) -> httpx.Request | None:
        """The request for (a page of) the vendor's machine-readable models or prices.

        None when the vendor publishes none (the default): the shipped catalog is all
        there is. See `parse_catalog_refresh`.
        """
        return None

    def parse_catalog_refresh(
        self, response: httpx.Response
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Model tables (the ``catalog.toml`` shape; prices with their source and date)
        from one page of the vendor's answer, and the cursor of the next page (or None).

        The tables override the shipped entries with the same id and add new ones, as a
        profile's models do. A price left without ``as_of`` or ``source`` is dated by the
        fetch (the client's clock) and cites the request's URL.
        """
        raise UnsupportedRequest(
            f"{self.name} publishes no machine-readable prices; its catalog is the shipped one",
            param="operation",
            value="prices refresh",
            provider=self.name,
        )

    # -- resources -------------------------------------------------------------------------

    def prepare(self) -> None:
        """Get ready to send: called by the client once, before the first request.

        The one place a provider may do I/O of its own; nearly every provider needs none
        (the default). The ``sandbox`` starts its local emulator here.
        """

    def poll_hint(self, response: httpx.Response) -> float | None:
        """The server's suggested wait before the next poll, in seconds, if it gave one."""
        return parse_retry_after(response.headers)

    def raise_for_error(self, response: httpx.Response) -> None:
        """Raise `parse_error`'s error when the response is an HTTP error."""
        if response.is_error:
            raise self.parse_error(response)

    def check_variant(self, variant: str, supported: Sequence[str]) -> None:
        """Refuse a download variant the provider does not have (before any HTTP)."""
        if variant not in supported:
            raise UnsupportedRequest(
                f"{self.name} has no {variant!r} download; choose one of {', '.join(supported)}",
                param="variant",
                value=variant,
                supported=tuple(supported),
                provider=self.name,
            )

    def output(self, job: Job, index: int, *, field: str = "ref") -> str:
        """The ``url`` or ``ref`` of output ``index`` of a job, or `UnsupportedRequest`."""
        values = [v for v in (getattr(o, field) for o in job.outputs) if v]
        if not 0 <= index < len(values):
            raise UnsupportedRequest(
                f"{self.name} job {job.id} has {len(values)} output(s); "
                f"index {index} does not exist",
                param="index",
                value=index,
                supported=list(range(len(values))),
                provider=self.name,
            )
        return str(values[index])

    def job_ref(self, job_id: str) -> Job:
        """A job known only by its id (to poll or download one from the command line)."""
        return Job(id=job_id, provider=self.name, profile=self.profile)


_SECRET_WORDS = ("key", "secret", "token", "password", "credential")


def _storable_setting(name: str, value: Any) -> bool:
    """Whether a setting may be written to the ledger: no secrets, only plain data."""
    if name == "api_key_env":
        return True
    if any(word in name.lower() for word in _SECRET_WORDS):
        return False
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False  # a callable token provider, an http client: not data
    return True
