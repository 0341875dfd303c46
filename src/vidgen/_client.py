"""`Client` and `AsyncClient`: the only places vidgen does I/O.

Both drive the flows in `_lifecycle`; they differ only in how they send, sleep and
stream a body to disk.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os
import random
import secrets
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import attrs
import httpx

from ._config import Config, load_config
from ._exceptions import (
    BudgetExceeded,
    CallbackRejected,
    ConfigError,
    ProtocolError,
    TransportError,
    UnsupportedRequest,
)
from ._files import AtomicFile
from ._lifecycle import (
    CloseStream,
    Env,
    Flow,
    OpenStream,
    PollPolicy,
    ReadBody,
    RetryPolicy,
    SaveBody,
    Send,
    Sleep,
    delete_flow,
    download_flow,
    list_flow,
    status_flow,
    submit_flow,
    translate_transport_error,
    wait_flow,
)
from ._models import Fitted, Job, Quote, VideoRequest
from .plugins import get_provider
from .provider import Provider

__all__ = ["CALLBACK_TOKEN_PARAM", "AsyncClient", "Client"]

#: The query parameter that carries a job's callback token in its callback URL.
CALLBACK_TOKEN_PARAM = "vidgen_token"

T = TypeVar("T")
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
_CHUNK = 1 << 20


def _resolve_provider(
    profile: str | None,
    provider: str | Provider | None,
    config: Config | str | os.PathLike[str] | None,
    settings: dict[str, Any],
) -> tuple[Provider, Decimal | None]:
    if isinstance(provider, Provider):
        if profile is not None or settings:
            raise ConfigError("pass either a Provider instance or a profile/settings, not both")
        return provider, None
    if provider is not None and profile is not None:
        raise ConfigError("pass profile= or provider=, not both")
    loaded = config if isinstance(config, Config) else load_config(config)
    given = {k: v for k, v in settings.items() if v is not None}
    if provider is not None:
        return get_provider(provider, **given), loaded.max_job_cost
    chosen = loaded.profile(profile)
    merged = {**chosen.settings, **given}
    try:
        instance = get_provider(chosen.provider, profile=chosen.name, **merged)
    except ConfigError as exc:
        where = f" in {loaded.path}" if loaded.path else ""
        raise ConfigError(f"profile {chosen.name!r}{where}: {exc}") from exc
    limit = chosen.max_job_cost if chosen.max_job_cost is not None else loaded.max_job_cost
    return instance, limit


class _BaseClient:
    def __init__(
        self,
        profile: str | None = None,
        *,
        provider: str | Provider | None = None,
        config: Config | str | os.PathLike[str] | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        policy: str = "strict",
        allow_retired: bool = False,
        max_job_cost: Decimal | str | None = None,
        sleep: Callable[[float], Any] | None = None,
        clock: Callable[[], float] | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        **settings: Any,
    ) -> None:
        self.provider, configured_limit = _resolve_provider(
            profile, provider, config, {"api_key": api_key, "base_url": base_url, **settings}
        )
        self.policy = policy
        self.allow_retired = allow_retired
        limit = max_job_cost if max_job_cost is not None else configured_limit
        self.max_job_cost = Decimal(str(limit)) if limit is not None else None
        self._clock = clock or time.time
        self._env = Env(
            provider=self.provider,
            clock=self._clock,
            retry=retry or RetryPolicy(),
            poll=poll or self.provider.default_poll or PollPolicy(),
            rng=random.Random(),
        )
        self._timeout = timeout
        self._callback_tokens: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} provider={self.provider!r}>"

    # -- no I/O -----------------------------------------------------------------------

    def fit(self, request: VideoRequest) -> Fitted:
        """Fit the request to the provider's model with this client's policy. No HTTP."""
        return self.provider.fit(request, policy=self.policy, allow_retired=self.allow_retired)

    def quote(self, request: VideoRequest) -> Quote:
        """What the request would cost on this provider. No HTTP."""
        return self.provider.quote(self.fit(request))

    def _prepare(self, request: VideoRequest) -> Fitted:
        fitted = self.fit(request)
        if self.max_job_cost is not None:
            quote = self.provider.quote(fitted)
            if quote.amount is None:
                raise BudgetExceeded(
                    f"{fitted.model} on {self.provider.name} has no known price, so it cannot be "
                    f"checked against max_job_cost {self.max_job_cost}; raise or remove the limit "
                    "to send it anyway",
                    amount=None,
                    limit=self.max_job_cost,
                )
            if quote.amount > self.max_job_cost:
                raise BudgetExceeded(
                    f"{fitted.model} for {fitted.seconds} s at {fitted.size} costs "
                    f"{quote.format_amount()}, over max_job_cost {self.max_job_cost}; "
                    "shorten the video, lower the resolution or raise the limit",
                    amount=quote.amount,
                    limit=self.max_job_cost,
                )
        return fitted

    def _job(self, job: Job | str) -> Job:
        return self.provider.job_ref(job) if isinstance(job, str) else job

    # -- callbacks ----------------------------------------------------------------------

    def _add_callback_token(self, fitted: Fitted) -> tuple[Fitted, str | None]:
        if fitted.callback_url is None:
            return fitted, None
        token = secrets.token_urlsafe(24)
        url = httpx.URL(fitted.callback_url).copy_merge_params({CALLBACK_TOKEN_PARAM: token})
        return attrs.evolve(fitted, callback_url=str(url)), token

    def callback_token(self, job: Job | str) -> str | None:
        """The token this client put in the job's callback URL (None without a callback).

        Keep it with the job id if another process will receive the callback, and give it
        to that process's client with `expect_callback`.
        """
        return self._callback_tokens.get(job if isinstance(job, str) else job.id)

    def expect_callback(self, job: Job | str, token: str) -> None:
        """Accept callbacks for a job submitted elsewhere, carrying ``token``."""
        self._callback_tokens[job if isinstance(job, str) else job.id] = token

    def _check_callback(
        self,
        body: bytes | str | Mapping[str, object],
        headers: Mapping[str, str] | None,
        url: str | None,
        token: str | None,
    ) -> Job:
        if isinstance(body, Mapping):
            raw = json.dumps(body).encode()
        elif isinstance(body, str):
            raw = body.encode()
        else:
            raw = bytes(body)
        try:
            hint = self.provider.parse_callback(dict(headers or {}), raw)
        except (ProtocolError, UnsupportedRequest) as exc:
            raise CallbackRejected(f"callback rejected: {exc}", reason="malformed") from exc
        expected = self._callback_tokens.get(hint.id)
        if expected is None:
            raise CallbackRejected(
                f"callback rejected: job {hint.id} was not submitted by this client (for a job "
                "submitted by another process, call expect_callback(job_id, token) first)",
                reason="unknown_job",
            )
        given = token
        if given is None and url is not None:
            given = httpx.URL(url).params.get(CALLBACK_TOKEN_PARAM)
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            raise CallbackRejected(
                f"callback rejected: the token for job {hint.id} is missing or wrong "
                "(pass the URL the callback arrived at, or its vidgen_token value)",
                reason="bad_token",
            )
        return hint


class Client(_BaseClient):
    """Submit, wait for and download videos through one provider.

    Args:
        profile: a profile name from ``vidgen.toml`` (the default profile if neither
            this nor ``provider`` is given).
        provider: a provider name (settings as keyword arguments) or instance.
        config: a `Config` or the path of a config file (default: the usual search).
        api_key, base_url: override the profile's.
        policy: ``"strict"`` or ``"nearest"`` (see `Provider.fit`).
        allow_retired: send to models the catalog says are retired.
        max_job_cost: refuse jobs quoted higher than this, before any HTTP.
        sleep, clock: injectable time (``time.sleep`` and ``time.time``).
        timeout: per-request HTTP timeout.
        retry, poll: retry and polling policies.
        http_client: an ``httpx.Client`` to use (it is not closed by `close`).
        **settings: other provider settings.
    """

    def __init__(
        self,
        profile: str | None = None,
        *,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(profile, **kwargs)
        self._sleep = sleep or time.sleep
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(timeout=self._timeout, follow_redirects=False)

    # -- the driver ---------------------------------------------------------------------

    def _run(self, flow: Flow[T]) -> T:
        result: Any = None
        error: TransportError | None = None
        while True:
            try:
                action = flow.throw(error) if error is not None else flow.send(result)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            result, error = None, None
            try:
                result = self._do(action)
            except TransportError as exc:
                error = exc

    def _do(self, action: Any) -> Any:
        name = self.provider.name
        if isinstance(action, Sleep):
            self._sleep(action.seconds)
            return None
        if isinstance(action, CloseStream):
            action.response.close()
            return None
        try:
            if isinstance(action, Send):
                return self._http.send(action.request)
            if isinstance(action, OpenStream):
                return self._http.send(action.request, stream=True)
            if isinstance(action, ReadBody):
                action.response.read()
                action.response.close()
                return action.response
            if isinstance(action, SaveBody):
                return self._save(action)
        except httpx.TransportError as exc:
            raise translate_transport_error(exc, name) from exc
        raise TypeError(f"unknown action {action!r}")

    def _save(self, action: SaveBody) -> Path:
        sink = AtomicFile(action.target)
        try:
            for chunk in action.response.iter_bytes(_CHUNK):
                sink.write(chunk)
        except BaseException:
            sink.discard()
            raise
        finally:
            action.response.close()
        return sink.commit(action.expected_bytes)

    # -- the API ------------------------------------------------------------------------

    def submit(self, request: VideoRequest) -> Job:
        """Fit, check the budget, and create the job. Never resent if it may have arrived.

        Raises:
            UnsupportedRequest, ModelRetired, BudgetExceeded: before any HTTP.
            ProviderError: the provider refused it.
            TransportError: the connection failed; ``request_sent`` says whether a job
                may exist.
        """
        fitted, token = self._add_callback_token(self._prepare(request))
        job = self._run(submit_flow(self._env, fitted))
        if token is not None:
            self._callback_tokens[job.id] = token
        return job

    def handle_callback(
        self,
        body: bytes | str | Mapping[str, object],
        *,
        headers: Mapping[str, str] | None = None,
        url: str | None = None,
        token: str | None = None,
    ) -> Job:
        """Take a provider's callback as a hint, and return the job's state from the API.

        Only callbacks for jobs this client submitted (or was told to `expect_callback`)
        and carrying that job's token are accepted; the job's status is then read from the
        API, so nothing in the callback body (such as an output URL) is trusted.

        Args:
            body: the callback's body.
            headers: its headers.
            url: the full URL it was sent to (the token is read from its query).
            token: the token, if the URL is not at hand.

        Raises:
            CallbackRejected: malformed, unknown job, or missing/wrong token.
        """
        return self.get(self._check_callback(body, headers, url, token))

    def get(self, job: Job | str) -> Job:
        """The job's current state (one status request, retried if it fails)."""
        return self._run(status_flow(self._env, self._job(job)))

    def wait(
        self,
        job: Job | str,
        timeout: float = 900,
        on_progress: Callable[[Job], None] | None = None,
    ) -> Job:
        """Poll until the job succeeds.

        Honours the server's poll hints. ``on_progress`` gets every state seen.

        Raises:
            JobFailed: the job failed or was cancelled (``.job`` has the error).
            WaitTimeout: ``timeout`` seconds passed (``.job`` is the last state).
        """
        return self._run(wait_flow(self._env, self._job(job), timeout, on_progress))

    def download(
        self,
        job: Job | str,
        path: str | os.PathLike[str],
        *,
        index: int = 0,
        variant: str = "video",
    ) -> Path:
        """Download an output to ``path`` (atomically: complete or not at all)."""
        return self._run(download_flow(self._env, self._job(job), Path(path), index, variant))

    def generate(
        self,
        request: VideoRequest,
        path: str | os.PathLike[str],
        *,
        timeout: float = 900,
        on_progress: Callable[[Job], None] | None = None,
    ) -> Path:
        """Submit, wait and download: the whole job in one call."""
        job = self.submit(request)
        if on_progress is not None:
            on_progress(job)
        job = self.wait(job, timeout=timeout, on_progress=on_progress)
        return self.download(job, path)

    def list_jobs(self, limit: int = 20, after: str | None = None) -> list[Job]:
        """The provider's recent jobs (where it can list them)."""
        jobs, _ = self._run(list_flow(self._env, limit, after))
        return jobs

    def delete(self, job: Job | str) -> None:
        """Delete a job and its stored outputs (where the provider can)."""
        self._run(delete_flow(self._env, self._job(job)))

    def close(self) -> None:
        """Close the HTTP connections (unless the http_client was passed in)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(_BaseClient):
    """The async twin of `Client`: the same methods, awaited.

    Takes the same arguments as `Client`; ``http_client`` is an ``httpx.AsyncClient``
    and ``sleep`` may be a coroutine function (default ``asyncio.sleep``).
    """

    def __init__(
        self,
        profile: str | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(profile, **kwargs)
        self._sleep = sleep or asyncio.sleep
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)

    async def _run(self, flow: Flow[T]) -> T:
        result: Any = None
        error: TransportError | None = None
        while True:
            try:
                action = flow.throw(error) if error is not None else flow.send(result)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            result, error = None, None
            try:
                result = await self._do(action)
            except TransportError as exc:
                error = exc

    async def _do(self, action: Any) -> Any:
        name = self.provider.name
        if isinstance(action, Sleep):
            outcome = self._sleep(action.seconds)
            if asyncio.iscoroutine(outcome):
                await outcome
            return None
        if isinstance(action, CloseStream):
            await action.response.aclose()
            return None
        try:
            if isinstance(action, Send):
                return await self._http.send(action.request)
            if isinstance(action, OpenStream):
                return await self._http.send(action.request, stream=True)
            if isinstance(action, ReadBody):
                await action.response.aread()
                await action.response.aclose()
                return action.response
            if isinstance(action, SaveBody):
                return await self._save(action)
        except httpx.TransportError as exc:
            raise translate_transport_error(exc, name) from exc
        raise TypeError(f"unknown action {action!r}")

    async def _save(self, action: SaveBody) -> Path:
        sink = AtomicFile(action.target)
        try:
            async for chunk in action.response.aiter_bytes(_CHUNK):
                sink.write(chunk)
        except BaseException:
            sink.discard()
            raise
        finally:
            await action.response.aclose()
        return sink.commit(action.expected_bytes)

    async def submit(self, request: VideoRequest) -> Job:
        """Async `Client.submit`."""
        fitted, token = self._add_callback_token(self._prepare(request))
        job = await self._run(submit_flow(self._env, fitted))
        if token is not None:
            self._callback_tokens[job.id] = token
        return job

    async def handle_callback(
        self,
        body: bytes | str | Mapping[str, object],
        *,
        headers: Mapping[str, str] | None = None,
        url: str | None = None,
        token: str | None = None,
    ) -> Job:
        """Async `Client.handle_callback`."""
        return await self.get(self._check_callback(body, headers, url, token))

    async def get(self, job: Job | str) -> Job:
        """Async `Client.get`."""
        return await self._run(status_flow(self._env, self._job(job)))

    async def wait(
        self,
        job: Job | str,
        timeout: float = 900,
        on_progress: Callable[[Job], None] | None = None,
    ) -> Job:
        """Async `Client.wait`."""
        return await self._run(wait_flow(self._env, self._job(job), timeout, on_progress))

    async def download(
        self,
        job: Job | str,
        path: str | os.PathLike[str],
        *,
        index: int = 0,
        variant: str = "video",
    ) -> Path:
        """Async `Client.download`."""
        return await self._run(download_flow(self._env, self._job(job), Path(path), index, variant))

    async def generate(
        self,
        request: VideoRequest,
        path: str | os.PathLike[str],
        *,
        timeout: float = 900,
        on_progress: Callable[[Job], None] | None = None,
    ) -> Path:
        """Async `Client.generate`."""
        job = await self.submit(request)
        if on_progress is not None:
            on_progress(job)
        job = await self.wait(job, timeout=timeout, on_progress=on_progress)
        return await self.download(job, path)

    async def list_jobs(self, limit: int = 20, after: str | None = None) -> list[Job]:
        """Async `Client.list_jobs`."""
        jobs, _ = await self._run(list_flow(self._env, limit, after))
        return jobs

    async def delete(self, job: Job | str) -> None:
        """Async `Client.delete`."""
        await self._run(delete_flow(self._env, self._job(job)))

    async def aclose(self) -> None:
        """Async `Client.close`."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
