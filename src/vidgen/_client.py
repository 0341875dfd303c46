"""`Client` and `AsyncClient`: the only places vidgen does I/O.

Both drive the flows in `_lifecycle`; they differ only in how they send, sleep and
stream a body to disk.
"""

from __future__ import annotations

import hmac
import inspect
import json
import logging
import os
import random
import secrets
import sqlite3
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import attrs
import httpx

from ._config import ROUTE, Config, load_config
from ._exceptions import (
    BudgetExceeded,
    CallbackRejected,
    ConfigError,
    ModelRetired,
    ProtocolError,
    TransportError,
    UnsupportedRequest,
    VidgenError,
)
from ._files import AtomicFile, Saved
from ._ledger import Ledger
from ._lifecycle import (
    CloseStream,
    DropPart,
    Env,
    Flow,
    OpenStream,
    PartSize,
    PollPolicy,
    ReadBody,
    Record,
    RetryPolicy,
    SaveBody,
    Send,
    Sleep,
    delete_flow,
    download_flow,
    list_flow,
    route_flow,
    status_flow,
    translate_transport_error,
    wait_flow,
)
from ._models import Job
from ._request import Fitted, Quote, VideoRequest
from .plugins import get_provider
from .provider import Provider

__all__ = ["CALLBACK_TOKEN_PARAM", "AsyncClient", "Client"]

#: The query parameter that carries a job's callback token in its callback URL.
CALLBACK_TOKEN_PARAM = "vidgen_token"

T = TypeVar("T")
log = logging.getLogger("vidgen")
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


@attrs.frozen
class _Target:
    """One provider a client may send to, with the budget that applies to it."""

    provider: Provider
    max_job_cost: Decimal | None


@attrs.frozen
class Attempt:
    """One place a submit may go: the provider, the fitted request, and its price."""

    provider: Provider
    fitted: Fitted
    quote: Quote


def _profile_provider(config: Config, name: str, given: dict[str, Any]) -> Provider:
    chosen = config.profile(name)
    try:
        return get_provider(chosen.provider, profile=chosen.name, **{**chosen.settings, **given})
    except ConfigError as exc:
        where = f" in {config.path}" if config.path else ""
        raise ConfigError(f"profile {chosen.name!r}{where}: {exc}") from exc


def _resolve_targets(
    profile: str | None,
    provider: str | Provider | None,
    config: Config | str | os.PathLike[str] | None,
    settings: dict[str, Any],
) -> tuple[list[_Target], str]:
    """The providers a client sends to, and the strategy for choosing among them."""
    if isinstance(provider, Provider):
        if profile is not None or any(v is not None for v in settings.values()):
            raise ConfigError("pass either a Provider instance or a profile/settings, not both")
        return [_Target(provider, None)], "single"
    if provider is not None and profile is not None:
        raise ConfigError("pass profile= or provider=, not both")
    loaded = config if isinstance(config, Config) else load_config(config)
    given = {k: v for k, v in settings.items() if v is not None}
    if provider is not None:
        return [_Target(get_provider(provider, **given), loaded.max_job_cost)], "single"
    chosen = loaded.profile(profile)
    own_limit = chosen.max_job_cost if chosen.max_job_cost is not None else loaded.max_job_cost
    if chosen.provider != ROUTE:
        return [_Target(_profile_provider(loaded, chosen.name, given), own_limit)], "single"
    # A routing profile: candidates are other profiles, or providers used with defaults.
    targets = []
    for name in chosen.settings.get("candidates", ()):
        if name in loaded.profiles:
            candidate = loaded.profiles[name]
            if candidate.provider == ROUTE:
                raise ConfigError(f"route {chosen.name!r}: candidate {name!r} is a route itself")
            limit = chosen.max_job_cost
            if limit is None:
                limit = candidate.max_job_cost if candidate.max_job_cost is not None else own_limit
            targets.append(_Target(_profile_provider(loaded, name, given), limit))
            continue
        try:
            targets.append(_Target(get_provider(name, **given), own_limit))
        except ConfigError as exc:
            raise ConfigError(
                f"route {chosen.name!r}: candidate {name!r} is neither a profile nor a "
                f"usable provider ({exc})"
            ) from exc
    return targets, str(chosen.settings.get("strategy", "cheapest"))


def _part_action(action: PartSize | DropPart) -> int:
    if isinstance(action, DropPart):
        action.part.unlink(missing_ok=True)
        return 0
    try:
        return action.part.stat().st_size
    except FileNotFoundError:
        return 0


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
        max_daily_spend: Decimal | str | None = None,
        ledger: Ledger | str | os.PathLike[str] | bool | None = True,
        clock: Callable[[], float] | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        **settings: Any,
    ) -> None:
        loaded = config if isinstance(config, (Config, type(None))) else load_config(config)
        if loaded is None and not isinstance(provider, Provider):
            loaded = load_config()
        targets, self.strategy = _resolve_targets(
            profile,
            provider,
            loaded,
            {"api_key": api_key, "base_url": base_url, **settings},
        )
        daily = (
            max_daily_spend
            if max_daily_spend is not None
            else (loaded.max_daily_spend if loaded is not None else None)
        )
        self.max_daily_spend = Decimal(str(daily)) if daily is not None else None
        self._owns_ledger = not isinstance(ledger, Ledger)
        if isinstance(ledger, Ledger):
            self.ledger: Ledger | None = ledger
        elif ledger is True:
            self.ledger = Ledger()
        elif ledger is False or ledger is None:
            self.ledger = None
        else:
            self.ledger = Ledger(ledger)
        if max_job_cost is not None:
            limit = Decimal(str(max_job_cost))
            targets = [_Target(t.provider, limit) for t in targets]
        self._targets = targets
        #: The provider this client sends to (the first candidate of a route).
        self.provider = targets[0].provider
        self.max_job_cost = targets[0].max_job_cost
        self.policy = policy
        self.allow_retired = allow_retired
        self._clock = clock or time.time
        self._envs = [
            Env(
                provider=t.provider,
                clock=self._clock,
                retry=retry or RetryPolicy(),
                poll=poll or t.provider.default_poll or PollPolicy(),
                rng=random.Random(),
            )
            for t in targets
        ]
        self._env = self._envs[0]
        self._timeout = timeout
        self._callback_tokens: dict[str, str] = {}

    def __repr__(self) -> str:
        if len(self._targets) > 1:
            names = ", ".join(t.provider.profile or t.provider.name for t in self._targets)
            return f"<{type(self).__name__} route={self.strategy} candidates=[{names}]>"
        return f"<{type(self).__name__} provider={self.provider!r}>"

    @property
    def providers(self) -> list[Provider]:
        """Every provider this client may send to (one, or a route's candidates)."""
        return [t.provider for t in self._targets]

    # -- no I/O -----------------------------------------------------------------------

    def _check_budget(self, fitted: Fitted, quote: Quote, limit: Decimal | None) -> None:
        if limit is None:
            return
        if quote.amount is None:
            raise BudgetExceeded(
                f"{fitted.model} on {fitted.provider} has no known price, so it cannot be "
                f"checked against max_job_cost {limit}; raise or remove the limit to send it anyway",
                amount=None,
                limit=limit,
            )
        if quote.amount > limit:
            raise BudgetExceeded(
                f"{fitted.model} on {fitted.provider} for {fitted.seconds} s at {fitted.size} "
                f"costs {quote.format_amount()}, over max_job_cost {limit}; shorten the video, "
                "lower the resolution or raise the limit",
                amount=quote.amount,
                limit=limit,
            )

    def plan(self, request: VideoRequest) -> list[Attempt]:
        """Where a submit would go, in order: fitted, priced and within budget. No HTTP.

        A single-provider client returns one attempt or raises; a route returns every
        suitable candidate, cheapest first (strategy ``cheapest``; unknown prices last) or
        in the configured order (``in_order``).

        Raises:
            UnsupportedRequest, ModelRetired, BudgetExceeded: nothing can take it.
        """
        attempts: list[Attempt] = []
        refusals: list[tuple[str, VidgenError]] = []
        for target in self._targets:
            provider = target.provider
            try:
                fitted = provider.fit(request, policy=self.policy, allow_retired=self.allow_retired)
                quote = provider.quote(fitted)
                self._check_budget(fitted, quote, target.max_job_cost)
            except (UnsupportedRequest, ModelRetired, BudgetExceeded) as exc:
                if len(self._targets) == 1:
                    raise
                refusals.append((provider.profile or provider.name, exc))
                continue
            attempts.append(Attempt(provider=provider, fitted=fitted, quote=quote))
        if not attempts:
            summary = "; ".join(f"{name}: {exc}" for name, exc in refusals)
            if all(isinstance(exc, BudgetExceeded) for _, exc in refusals):
                raise BudgetExceeded(f"every candidate of this route is over budget: {summary}")
            raise UnsupportedRequest(
                f"no candidate of this route can serve the request: {summary}",
                param="route",
                supported=[name for name, _ in refusals],
            )
        if self.strategy == "cheapest":
            attempts.sort(key=lambda a: (a.quote.amount is None, a.quote.amount or Decimal(0)))
        return attempts

    def fit(self, request: VideoRequest) -> Fitted:
        """Fit the request with this client's policy (a route: its first choice). No HTTP."""
        return self.plan(request)[0].fitted

    def quote(self, request: VideoRequest) -> Quote:
        """What the request would cost where it would be sent. No HTTP."""
        return self.plan(request)[0].quote

    def _within_daily_budget(self, attempts: list[Attempt]) -> list[Attempt]:
        limit = self.max_daily_spend
        if limit is None:
            return attempts
        if self.ledger is None:
            raise ConfigError("max_daily_spend needs the job ledger; do not pass ledger=False")
        committed = self.ledger.committed_today()
        kept = [
            a
            for a in attempts
            if a.quote.amount is not None and committed + a.quote.amount <= limit
        ]
        if not kept:
            first = attempts[0]
            raise BudgetExceeded(
                f"today's jobs already commit {committed} and this one costs "
                f"{first.quote.format_amount()}, over max_daily_spend {limit}; wait until "
                "tomorrow (UTC) or raise the limit",
                amount=first.quote.amount,
                limit=limit,
            )
        return kept

    def _prepared(self, request: VideoRequest) -> list[tuple[Env, Fitted, str | None]]:
        prepared = []
        for attempt in self._within_daily_budget(self.plan(request)):
            fitted, token = self._add_callback_token(attempt.fitted)
            prepared.append((self._env_of(attempt.provider), fitted, token))
        return prepared

    def _note(self, output: str | os.PathLike[str] | None) -> dict[str, Any]:
        return {"output_target": str(Path(output).resolve())} if output is not None else {}

    def _env_of(self, provider: Provider) -> Env:
        return next(env for env in self._envs if env.provider is provider)

    def _route(self, job: Job | str) -> tuple[Env, Job]:
        """The env of the provider that serves ``job``."""
        if isinstance(job, str):
            if len(self._envs) > 1:
                raise ConfigError(
                    "this client routes over several providers: pass the Job that submit() "
                    "returned (it records where it went), or use that provider's profile"
                )
            return self._env, self.provider.job_ref(job)
        for env in self._envs:
            if job.profile is not None and env.provider.profile == job.profile:
                return env, job
        for env in self._envs:
            if env.provider.name == job.provider:
                return env, job
        if len(self._envs) == 1:
            return self._env, job
        raise ConfigError(
            f"job {job.id} was served by {job.profile or job.provider}, which this client "
            "does not send to"
        )

    # -- the ledger -------------------------------------------------------------------

    def _record(self, action: Record) -> Any:
        """Hand a flow's event to the ledger (no-op without one)."""
        ledger = self.ledger
        if ledger is None:
            return None
        data = action.data
        try:
            if action.kind == "submit":
                provider: Provider = data["provider"]
                fitted: Fitted = data["fitted"]
                return ledger.begin_submit(
                    fitted,
                    provider.quote(fitted),
                    profile=provider.profile,
                    callback_token=data.get("callback_token"),
                    output_target=data.get("output_target"),
                )
            if action.kind == "accepted" and data["ledger_id"] is not None:
                ledger.accepted(data["ledger_id"], data["job"])
            elif action.kind == "submit_failed" and data["ledger_id"] is not None:
                ledger.submit_failed(data["ledger_id"], data["error"], certain=data["certain"])
            elif action.kind == "seen":
                ledger.seen(data["job"])
            elif action.kind == "downloaded":
                ledger.downloaded(data["job"], data["path"], data["size"], data["sha256"])
        except sqlite3.Error as exc:
            if action.kind == "submit":
                # Better no video than a paid one nobody can find.
                raise ConfigError(
                    f"cannot record the submit in the job ledger {ledger.path}: {exc}; nothing "
                    "was sent. Fix the ledger's folder, or pass ledger=False to go without"
                ) from exc
            log.warning("could not update the job ledger %s: %s", ledger.path, exc)
        return None

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
        hint = None
        problems = []
        for provider in self.providers:
            try:
                hint = provider.parse_callback(dict(headers or {}), raw)
                break
            except (ProtocolError, UnsupportedRequest) as exc:
                problems.append(str(exc))
        if hint is None:
            raise CallbackRejected(f"callback rejected: {'; '.join(problems)}", reason="malformed")
        expected = self._callback_tokens.get(hint.id)
        if expected is None and self.ledger is not None:
            # Submitted by an earlier process: its token is in the ledger.
            entry = self.ledger.get(hint.id)
            if entry is not None and entry.provider == hint.provider:
                expected = entry.callback_token
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
        if isinstance(action, Record):
            return self._record(action)
        if isinstance(action, (PartSize, DropPart)):
            return _part_action(action)
        if isinstance(action, Sleep):
            self._sleep(action.seconds)
            return None
        if isinstance(action, CloseStream):
            action.response.close()
            return None
        try:
            # Redirects are followed by the flows, which keep credentials home; never by
            # httpx, whatever the http_client passed in is configured to do.
            if isinstance(action, Send):
                return self._http.send(action.request, follow_redirects=False)
            if isinstance(action, OpenStream):
                return self._http.send(action.request, stream=True, follow_redirects=False)
            if isinstance(action, ReadBody):
                action.response.read()
                action.response.close()
                return action.response
            if isinstance(action, SaveBody):
                return self._save(action)
        except httpx.TransportError as exc:
            raise translate_transport_error(exc, name) from exc
        raise TypeError(f"unknown action {action!r}")

    def _save(self, action: SaveBody) -> Saved:
        sink = AtomicFile(action.target, action.part, append=action.append)
        try:
            for chunk in action.response.iter_bytes():
                sink.write(chunk)
        except BaseException:
            sink.keep()  # resumable: the next try asks for the rest
            raise
        finally:
            action.response.close()
        return sink.commit(action.expected_bytes)

    # -- the API ------------------------------------------------------------------------

    def submit(self, request: VideoRequest, *, output: str | os.PathLike[str] | None = None) -> Job:
        """Fit, check the budget, and create the job. Never resent if it may have arrived.

        Raises:
            UnsupportedRequest, ModelRetired, BudgetExceeded: before any HTTP.
            ProviderError: the provider refused it.
            TransportError: the connection failed; ``request_sent`` says whether a job
                may exist.
        """
        job, token = self._run(route_flow(self._prepared(request), self._note(output)))
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
        return self._run(status_flow(*self._route(job)))

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
        return self._run(wait_flow(*self._route(job), timeout, on_progress))

    def download(
        self,
        job: Job | str,
        path: str | os.PathLike[str],
        *,
        index: int = 0,
        variant: str = "video",
    ) -> Path:
        """Download an output to ``path`` (atomically: complete or not at all)."""
        return self._run(download_flow(*self._route(job), Path(path), index, variant))

    def generate(
        self,
        request: VideoRequest,
        path: str | os.PathLike[str],
        *,
        timeout: float = 900,
        on_progress: Callable[[Job], None] | None = None,
    ) -> Path:
        """Submit, wait and download: the whole job in one call."""
        job = self.submit(request, output=path)
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
        self._run(delete_flow(*self._route(job)))

    def close(self) -> None:
        """Close the HTTP connections (unless the http_client was passed in)."""
        if self._owns_http:
            self._http.close()
        if self._owns_ledger and self.ledger is not None:
            self.ledger.close()

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
        if sleep is None:
            import asyncio  # here, not at the top: `import vidgen` stays light for sync users

            sleep = asyncio.sleep
        self._sleep = sleep
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
        if isinstance(action, Record):
            return self._record(action)
        if isinstance(action, (PartSize, DropPart)):
            return _part_action(action)
        if isinstance(action, Sleep):
            outcome = self._sleep(action.seconds)
            if inspect.isawaitable(outcome):
                await outcome
            return None
        if isinstance(action, CloseStream):
            await action.response.aclose()
            return None
        try:
            # Redirects are followed by the flows, which keep credentials home; never by
            # httpx, whatever the http_client passed in is configured to do.
            if isinstance(action, Send):
                return await self._http.send(action.request, follow_redirects=False)
            if isinstance(action, OpenStream):
                return await self._http.send(action.request, stream=True, follow_redirects=False)
            if isinstance(action, ReadBody):
                await action.response.aread()
                await action.response.aclose()
                return action.response
            if isinstance(action, SaveBody):
                return await self._save(action)
        except httpx.TransportError as exc:
            raise translate_transport_error(exc, name) from exc
        raise TypeError(f"unknown action {action!r}")

    async def _save(self, action: SaveBody) -> Saved:
        sink = AtomicFile(action.target, action.part, append=action.append)
        try:
            async for chunk in action.response.aiter_bytes():
                sink.write(chunk)
        except BaseException:
            sink.keep()  # resumable: the next try asks for the rest
            raise
        finally:
            await action.response.aclose()
        return sink.commit(action.expected_bytes)

    async def submit(
        self, request: VideoRequest, *, output: str | os.PathLike[str] | None = None
    ) -> Job:
        """Async `Client.submit`."""
        job, token = await self._run(route_flow(self._prepared(request), self._note(output)))
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
        return await self._run(status_flow(*self._route(job)))

    async def wait(
        self,
        job: Job | str,
        timeout: float = 900,
        on_progress: Callable[[Job], None] | None = None,
    ) -> Job:
        """Async `Client.wait`."""
        return await self._run(wait_flow(*self._route(job), timeout, on_progress))

    async def download(
        self,
        job: Job | str,
        path: str | os.PathLike[str],
        *,
        index: int = 0,
        variant: str = "video",
    ) -> Path:
        """Async `Client.download`."""
        return await self._run(download_flow(*self._route(job), Path(path), index, variant))

    async def generate(
        self,
        request: VideoRequest,
        path: str | os.PathLike[str],
        *,
        timeout: float = 900,
        on_progress: Callable[[Job], None] | None = None,
    ) -> Path:
        """Async `Client.generate`."""
        job = await self.submit(request, output=path)
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
        await self._run(delete_flow(*self._route(job)))

    async def aclose(self) -> None:
        """Async `Client.close`."""
        if self._owns_http:
            await self._http.aclose()
        if self._owns_ledger and self.ledger is not None:
            self.ledger.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
