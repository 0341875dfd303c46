"""`Client` and `AsyncClient`: carry out plans and lifecycles, and do the I/O.

A client holds its providers (`_targets`), its ledger and its transport. It makes a
`Plan` once (`_plan`) and drives the flows (`_lifecycle`, `_download`) with a driver
(`_driver`): the sync and async clients share everything but how they send and sleep.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast, get_args

import attrs
import httpx

from ._actions import Work
from ._budget import money
from ._callbacks import CallbackTokens
from ._checks import check_job_id, check_output_path, check_timeout
from ._clock import Clock, system_clock, utcnow
from ._config import Config, check_in_flight
from ._delivery import DeliveryPolicy, Expected
from ._download import download_flow
from ._driver import AsyncDriver, SyncDriver
from ._events import Event
from ._exceptions import ConfigError, InvalidInput, ProtocolError
from ._fetch import fetch_references_flow, needs_fetching, wants_bytes
from ._film import Film, RenderProgress, film_flow
from ._ledger import Claim, Ledger, ledger_location
from ._lifecycle import (
    DEFAULT_MAX_DOWNLOAD_BYTES,
    Env,
    Flow,
    SubmitNote,
    cancel_flow,
    catalog_refresh_flow,
    delete_flow,
    list_flow,
    route_flow,
    status_flow,
    wait_flow,
)
from ._limits import DEFAULT_MAX_IN_FLIGHT
from ._models import Job
from ._overlay import save_overlay
from ._plan import Attempt, FitPolicy, Plan, make_plan
from ._policies import PollPolicy, RetryPolicy
from ._public import public
from ._request import Fitted, Quote, VideoRequest
from ._storyboard import Storyboard, draft_storyboard, load_storyboard
from ._targets import Strategy, Targets, resolve_targets
from .provider import Provider

if TYPE_CHECKING:
    from ._batch import BatchLine, BatchProgress, BatchResult

__all__ = ["DEFAULT_TIMEOUT", "AsyncClient", "Client"]

T = TypeVar("T")
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
#: Connections beyond the in-flight slots, for reads outside a job (status, lists).
_SPARE_CONNECTIONS = 8


async def _off_loop(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a worker thread: ledger reads and writes never hold up the
    event loop."""
    import asyncio  # here, not at the top: `import vidgen` stays light for sync users

    return await asyncio.to_thread(function, *args)


def _pool_waits(timeout: httpx.Timeout | float | None) -> httpx.Timeout:
    """The timeout, except that waiting for a free connection of the pool never times out:
    the pool is as large as the jobs allowed at once, so a wait for it is a wait for a
    slot, which is how a job over the limit is meant to wait (never an error)."""
    given = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
    return httpx.Timeout(connect=given.connect, read=given.read, write=given.write, pool=None)


_POLICIES = get_args(FitPolicy)


class _LedgerClaims:
    """The drivers' `Claims` on a client's ledger: nothing to claim without one."""

    def __init__(self, ledger: Ledger | None) -> None:
        self.ledger = ledger

    def claim(self, job: Job, endpoint: str) -> Claim | None:
        return None if self.ledger is None else self.ledger.claim(job, endpoint)

    def release(self, claim: Claim | None) -> None:
        if self.ledger is not None:
            self.ledger.release(claim)


def _open_ledger(
    ledger: Ledger | str | os.PathLike[str] | bool, clock: Clock, config: Config | None
) -> Ledger | None:
    if isinstance(ledger, Ledger):
        return ledger
    if ledger is True:
        # The same ledger the commands use: VIDGEN_LEDGER_URL, ledger_url, the SQLite file.
        return Ledger(ledger_location(config=config), clock=clock)
    if ledger is False or ledger is None:
        return None
    if isinstance(ledger, (str, os.PathLike)):
        return Ledger(ledger, clock=clock)
    raise ConfigError(
        f"ledger must be True, False, a path or a Ledger, not {type(ledger).__name__}"
    )


class _BaseClient:
    """What both clients share: providers, planning, the ledger and callback tokens."""

    def _setup(
        self,
        *,
        profile: str | None,
        provider: str | Provider | None,
        config: Config | str | os.PathLike[str] | None,
        api_key: str | None,
        api_key_env: str | None,
        base_url: str | None,
        models: Sequence[Mapping[str, Any]] | None,
        settings: Mapping[str, Any] | None,
        policy: FitPolicy,
        allow_retired: bool,
        max_job_cost: Decimal | str | None,
        max_daily_spend: Decimal | str | None,
        ledger: Ledger | str | os.PathLike[str] | bool,
        clock: Clock | None,
        retry: RetryPolicy | None,
        poll: PollPolicy | None,
        max_download_bytes: int,
        delivery: DeliveryPolicy,
        max_in_flight: int | None,
    ) -> None:
        if policy not in _POLICIES:
            raise ConfigError(f"policy must be 'strict' or 'nearest', not {policy!r}")
        if settings is not None and not isinstance(settings, Mapping):
            raise ConfigError("settings must be a dict of provider settings, e.g. {'project': 'x'}")
        if (
            isinstance(max_download_bytes, bool)
            or not isinstance(max_download_bytes, int)
            or max_download_bytes < 1
        ):
            raise ConfigError(
                f"max_download_bytes must be a whole number of bytes, 1 or more "
                f"(e.g. 20 * 1024**3), not {max_download_bytes!r}"
            )
        given = {
            **(settings or {}),
            "api_key": api_key,
            "api_key_env": api_key_env,
            "base_url": base_url,
            "models": models,
        }
        job_limit = money(max_job_cost, "max_job_cost")
        daily = money(max_daily_spend, "max_daily_spend")
        targets = resolve_targets(profile, provider, config, given)
        for target in targets.targets:
            # Read every catalog now: a malformed model table is an error at construction,
            # not at the first submit.
            _ = target.provider.catalog
        if job_limit is not None:
            targets = targets.with_limit(job_limit)
        if daily is None and targets.config is not None:
            daily = targets.config.max_daily_spend
        self.clock: Clock = clock or system_clock
        self.ledger: Ledger | None = _open_ledger(ledger, self.clock, targets.config)
        self._owns_ledger = not isinstance(ledger, Ledger)
        if daily is not None and self.ledger is None:
            raise ConfigError("max_daily_spend needs the job ledger; do not pass ledger=False")
        self._targets: Targets = targets
        self.max_daily_spend: Decimal | None = daily
        self.policy: FitPolicy = policy
        self.allow_retired = allow_retired
        in_flight = check_in_flight(max_in_flight, "Client")
        self._envs = [
            Env(
                provider=t.provider,
                clock=self.clock,
                retry=retry or RetryPolicy(),
                poll=poll or t.provider.default_poll or PollPolicy(),
                max_download_bytes=max_download_bytes,
                max_in_flight=in_flight
                or t.max_in_flight
                or t.provider.default_max_in_flight
                or DEFAULT_MAX_IN_FLIGHT,
            )
            for t in targets.targets
        ]
        if delivery not in ("warn", "strict", "off"):
            raise ConfigError(f"delivery must be 'warn', 'strict' or 'off', not {delivery!r}")
        self.delivery: DeliveryPolicy = delivery
        self._tokens = CallbackTokens()
        self._given_profile = profile if isinstance(profile, str) else None
        self._overwriting = False

    @property
    def max_in_flight(self) -> int:
        """How many jobs this client works on at once at its (first) provider's account;
        a job over it waits in vidgen for a slot. Set per profile or ``Client(max_in_flight=)``."""
        return self._envs[0].max_in_flight

    def _limits(self) -> httpx.Limits:
        """An HTTP pool as large as the jobs that may run at once, and a little more for
        reads outside a job (status, lists)."""
        connections = sum(env.max_in_flight for env in self._envs) + _SPARE_CONNECTIONS
        return httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    def __repr__(self) -> str:
        if len(self._envs) > 1:
            names = ", ".join(t.label for t in self._targets.targets)
            return f"<{type(self).__name__} route={self.strategy} candidates=[{names}]>"
        return f"<{type(self).__name__} provider={self.provider!r}>"

    @property
    def provider(self) -> Provider:
        """The provider this client sends to (a route: its first configured candidate)."""
        return self._envs[0].provider

    @property
    def providers(self) -> list[Provider]:
        """Every provider this client may send to (one, or a route's candidates)."""
        return [env.provider for env in self._envs]

    @property
    def strategy(self) -> Strategy:
        """``single``, or how a route chooses: ``cheapest`` or ``in_order``."""
        return self._targets.strategy

    @property
    def max_job_cost(self) -> Decimal | None:
        """The per-job limit of the first provider (a route's candidates may differ)."""
        return self._targets.targets[0].max_job_cost

    # -- planning (no I/O but reading the ledger's daily total) ----------------------------

    def plan(self, request: VideoRequest) -> Plan:
        """Fit and price the request once, for every provider this client may send to.

        The plan is made on the client's clock (lifecycle dates, the day of the daily
        limit). `submit` and `generate` carry it out without fitting or pricing again.

        Raises:
            UnsupportedRequest, ModelRetired, BudgetExceeded: nothing can take it.
        """
        if not isinstance(request, VideoRequest):
            raise TypeError(f"plan() takes a VideoRequest, not {type(request).__name__}")
        now = utcnow(self.clock)
        committed = None
        if self.max_daily_spend is not None and self.ledger is not None:
            committed = self.ledger.committed_today(now.date())
        return make_plan(
            self._targets.targets,
            request,
            strategy=self.strategy,
            policy=self.policy,
            allow_retired=self.allow_retired,
            made_at=now,
            max_daily_spend=self.max_daily_spend,
            committed_today=committed,
        )

    def _fetch_env(self, request: VideoRequest) -> Env | None:
        """The env to fetch URL images with, when a provider here takes only bytes."""
        if not needs_fetching(request):
            return None
        return next((env for env in self._envs if wants_bytes(env.provider, request)), None)

    def _as_plan(self, request: VideoRequest | Plan) -> Plan:
        return request if isinstance(request, Plan) else self.plan(request)

    def fit(self, request: VideoRequest) -> Fitted:
        """What would be sent first (a route: its first choice). No HTTP."""
        return self.plan(request).fitted

    def quote(self, request: VideoRequest) -> Quote:
        """What the request would cost where it would be sent first. No HTTP."""
        return self.plan(request).quote

    def _steps(
        self,
        plan: Plan,
        output: str | os.PathLike[str] | None,
        *,
        group_id: str | None = None,
        item_key: str | None = None,
        checked: bool = False,
    ) -> list[tuple[Env, Attempt, SubmitNote]]:
        target = None
        if output is not None:
            # Whether it may be replaced is decided when it is downloaded; that it can
            # be written at all is decided now, before the job is paid for (``checked``:
            # the caller just did).
            path = Path(output) if checked else check_output_path(output, overwrite=True)
            target = str(path.resolve())
        steps = []
        for attempt in plan.attempts:
            env = self._env_for(attempt).ready()
            fitted, token = self._tokens.add_to(attempt.fitted)
            note = SubmitNote(
                callback_token=token,
                output_target=target,
                max_daily_spend=self.max_daily_spend,
                settings=env.provider.public_settings(),
                group_id=group_id,
                item_key=item_key,
            )
            steps.append((env, attrs.evolve(attempt, fitted=fitted), note))
        return steps

    def _env_for(self, attempt: Attempt) -> Env:
        for env in self._envs:
            if env.provider.name == attempt.provider and env.provider.profile == attempt.profile:
                return env
        raise ConfigError(
            f"this plan sends to {attempt.label}, which this client does not send to; make "
            "the plan with this client (client.plan(request))"
        )

    def _accepted(
        self, job: Job, attempt: Attempt, steps: list[tuple[Env, Attempt, SubmitNote]]
    ) -> None:
        for _, sent, note in steps:
            if sent is attempt and note.callback_token is not None:
                self._tokens.remember(job.id, note.callback_token)

    def _route(self, job: Job | str) -> tuple[Env, Job]:
        """The env of the provider that serves ``job``."""
        if not isinstance(job, Job):
            check_job_id(job)
        if isinstance(job, str):
            if len(self._envs) > 1:
                raise ConfigError(
                    "this client routes over several providers: pass the Job that submit() "
                    "returned (it records where it went), or use that provider's profile"
                )
            return self._envs[0], self.provider.job_ref(job)
        for env in self._envs:
            if job.profile is not None and env.provider.profile == job.profile:
                return env, job
        for env in self._envs:
            if env.provider.name == job.provider:
                return env, job
        if len(self._envs) == 1:
            return self._envs[0], job
        raise ConfigError(
            f"job {job.id} was served by {job.profile or job.provider}, which this client "
            "does not send to"
        )

    def _keep_overlay(self, env: Env, models: list[dict[str, Any]], source: str) -> Path:
        provider = env.provider
        if not models:
            raise ProtocolError(
                f"{provider.name} answered with no models or prices; the overlay was not changed",
                provider=provider.name,
            )
        path = save_overlay(provider.name, models, source=source, fetched_at=utcnow(self.clock))
        provider.reload_catalog()
        return path

    @staticmethod
    def _download_args(
        path: str | os.PathLike[str], index: int, variant: str, overwrite: bool
    ) -> Path:
        """The checked target of a download (nothing is sent when any argument is wrong)."""
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise InvalidInput(f"index must be 0 or more, not {index!r}", param="index")
        if not isinstance(variant, str) or not variant:
            raise InvalidInput(
                f"variant must be a name such as 'video' or 'thumbnail', not {variant!r}",
                param="variant",
            )
        return check_output_path(path, overwrite=overwrite)

    def _rebuild_settings(self) -> dict[str, Any]:
        """How to make this client again for ``vidgen resume`` (no secrets)."""
        first = self._envs[0].provider
        by_name = self._given_profile is None
        return {
            "profile": self._given_profile or first.profile,
            "provider": first.name if by_name and first.profile is None else None,
            "provider_settings": first.public_settings() if by_name else {},
            "config": str(self._targets.config.path)
            if self._targets.config is not None and self._targets.config.path
            else None,
            "policy": self.policy,
            "allow_retired": self.allow_retired,
            "max_job_cost": str(self.max_job_cost) if self.max_job_cost is not None else None,
            "overwrite": self._overwriting,
        }

    def _shot_clients(
        self, storyboard: Storyboard
    ) -> dict[tuple[str | None, str | None], _BaseClient]:
        """A client for every (profile, provider) the storyboard's shots name."""
        made: dict[tuple[str | None, str | None], _BaseClient] = {(None, None): self}
        for shot in storyboard.shots:
            where = storyboard.target_of(shot)
            if where not in made:
                made[where] = self._sibling(*where)
        return made

    def _sibling(self, profile: str | None, provider: str | None) -> _BaseClient:
        """A client for another profile or provider, with this one's policies and ledger
        (its sends go through this client's driver)."""
        other = _BaseClient.__new__(type(self))
        other._setup(
            profile=profile,
            provider=provider,
            config=self._targets.config,
            api_key=None,
            api_key_env=None,
            base_url=None,
            models=None,
            settings=None,
            policy=self.policy,
            allow_retired=self.allow_retired,
            max_job_cost=None,
            max_daily_spend=None,
            ledger=self.ledger if self.ledger is not None else False,
            clock=self.clock,
            retry=self._envs[0].retry,
            poll=None,
            max_download_bytes=self._envs[0].max_download_bytes,
            delivery=self.delivery,
            max_in_flight=None,
        )
        other.max_daily_spend = self.max_daily_spend
        other._driver = self._driver  # type: ignore[attr-defined]
        other._http = self._http  # type: ignore[attr-defined]
        other._owns_http = False  # type: ignore[attr-defined]
        other._owns_ledger = False
        return other

    def _render_flow(
        self,
        storyboard: Storyboard | str | os.PathLike[str] | Mapping[str, Any],
        path: str | os.PathLike[str],
        *,
        timeout: float,
        on_progress: Callable[[RenderProgress], None] | None,
        overwrite: bool,
        draft: bool,
    ) -> Flow[Film]:
        board = load_storyboard(storyboard)
        target = check_output_path(path, overwrite=overwrite)
        self._overwriting = overwrite  # kept with the film, for `vidgen resume`
        timeout = check_timeout(timeout)
        clients = self._shot_clients(board)
        if draft:
            board = draft_storyboard(board, clients)
        return film_flow(
            self, board, target, clients=clients, timeout=timeout, on_progress=on_progress
        )

    def _generate_flow(
        self,
        steps: list[tuple[Env, Attempt, SubmitNote]],
        path: str | os.PathLike[str],
        timeout: float,
        on_progress: Callable[[Job], None] | None,
        overwrite: bool,
    ) -> Flow[tuple[Job, Path]]:
        """Submit, wait and download as one run: the job keeps its in-flight slot from
        its submit to its file."""
        job, attempt = yield from route_flow(steps)
        self._accepted(job, attempt, steps)
        if on_progress is not None:
            on_progress(job)
        env, known = self._route(job)
        job = yield from wait_flow(env, known, timeout, on_progress)
        # Checked before the submit; checked again (off an async loop) in case the file
        # appeared meanwhile.
        target: Path = yield Work(partial(check_output_path, path, overwrite=overwrite))
        expected: Expected = yield Work(self._expected, (env, job))
        saved = yield from download_flow(env, job, target, 0, "video", expected, self.delivery)
        return job, saved

    def _expected(self, env: Env, job: Job) -> Expected:
        """What a delivered video should be: the fitted request the ledger kept, else the
        job's own seconds and size."""
        if self.ledger is not None:
            entry = self.ledger.find(job.provider, env.endpoint, job.id)
            if entry is not None and entry.request:
                return Expected.from_mapping(entry.request)
        return Expected(seconds=job.seconds, size=job.size)

    def _journal(self, event: Event) -> Any:
        """Hand an event to the ledger (nothing to keep without one)."""
        return None if self.ledger is None else self.ledger.record(event)

    # -- callbacks ------------------------------------------------------------------------

    def callback_token(self, job: Job | str) -> str | None:
        """The token this client put in the job's callback URL (None without a callback).

        Keep it with the job id if another process will receive the callback, and give it
        to that process's client with `expect_callback`.
        """
        return self._tokens.get(job if isinstance(job, str) else job.id)

    def expect_callback(self, job: Job | str, token: str) -> None:
        """Accept callbacks for a job submitted elsewhere, carrying ``token``."""
        self._tokens.remember(job if isinstance(job, str) else job.id, token)

    def _check_callback(
        self,
        body: bytes | str | Mapping[str, object],
        headers: Mapping[str, str] | None,
        url: str | None,
        token: str | None,
    ) -> Job:
        return self._tokens.check(
            body,
            headers=headers,
            url=url,
            token=token,
            providers=self.providers,
            ledger=self.ledger,
        )


@public
class Client(_BaseClient):
    """Plan, submit, wait for and download videos through a profile, provider or route.

    Args:
        profile: a profile name from ``vidgen.toml`` (the default profile if neither
            this nor ``provider`` is given).
        provider: a provider name (used with its defaults and its environment key) or a
            provider instance.
        config: a `Config` or the path of a config file (default: the usual search).
        api_key: the key, instead of the provider's environment variable.
        api_key_env: another environment variable to read the key from.
        base_url: another API root (a relay, a proxy).
        models: model tables that extend or override the catalog.
        settings: the provider's other settings (``{"organization": ...}``,
            ``{"deployments": ...}``; ``vidgen providers`` lists them).
        policy: ``"strict"`` refuses what a model cannot do; ``"nearest"`` adjusts.
        allow_retired: send to models the catalog says are retired.
        max_job_cost: refuse jobs quoted higher than this, before any HTTP.
        max_daily_spend: refuse jobs that would take today's committed spend (UTC, from
            the ledger) over this.
        ledger: True for the default job ledger, a path, a `Ledger`, or False for none.
        clock: the time source for every date and time decision (default ``time.time``).
        sleep: how to wait (default ``time.sleep``); tests pass a fake.
        timeout: the per-request HTTP timeout.
        retry: how failed reads and submits are retried.
        poll: how often a job is polled.
        delivery: what to do when a downloaded video is not what was asked (its length,
            size, frame rate or sound, probed with the ``video`` extra): ``"warn"``
            (record it and log a warning), ``"strict"`` (raise `DeliveryMismatch`) or
            ``"off"``.
        max_download_bytes: the largest download accepted (default 20 GiB); a larger
            output is refused before or while it streams, and nothing is kept.
        http_client: an ``httpx.Client`` to send with (it is not closed by `close`).
    """

    def __init__(
        self,
        profile: str | None = None,
        *,
        provider: str | Provider | None = None,
        config: Config | str | os.PathLike[str] | None = None,
        api_key: str | None = None,
        api_key_env: str | None = None,
        base_url: str | None = None,
        models: Sequence[Mapping[str, Any]] | None = None,
        settings: Mapping[str, Any] | None = None,
        policy: FitPolicy = "strict",
        allow_retired: bool = False,
        max_job_cost: Decimal | str | None = None,
        max_daily_spend: Decimal | str | None = None,
        ledger: Ledger | str | os.PathLike[str] | bool = True,
        clock: Clock | None = None,
        sleep: Callable[[float], Any] | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        delivery: DeliveryPolicy = "warn",
        max_in_flight: int | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._setup(
            profile=profile,
            provider=provider,
            config=config,
            api_key=api_key,
            api_key_env=api_key_env,
            base_url=base_url,
            models=models,
            settings=settings,
            policy=policy,
            allow_retired=allow_retired,
            max_job_cost=max_job_cost,
            max_daily_spend=max_daily_spend,
            ledger=ledger,
            clock=clock,
            retry=retry,
            poll=poll,
            max_download_bytes=max_download_bytes,
            delivery=delivery,
            max_in_flight=max_in_flight,
        )
        import time  # the default sleep; imported here like asyncio is for AsyncClient

        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(
            timeout=_pool_waits(timeout), limits=self._limits(), follow_redirects=False
        )
        self._driver = SyncDriver(
            self._http, sleep or time.sleep, self._journal, _LedgerClaims(self.ledger)
        )

    def _run(self, flow: Flow[T], env: Env) -> T:
        return self._driver.run(flow, env.ready().provider.name)

    def submit(
        self, request: VideoRequest | Plan, *, output: str | os.PathLike[str] | None = None
    ) -> Job:
        """Carry out a plan's submit (a request is planned first). Never resent if it may
        have arrived.

        Args:
            request: a `Plan` from `plan`, or a request to plan now.
            output: where the video will be saved, kept in the ledger for ``vidgen resume``;
                checked now (not a folder, in a folder that can be written).

        Raises:
            InvalidInput: the output path cannot be written; before any HTTP.
            UnsupportedRequest, ModelRetired, BudgetExceeded: before any HTTP.
            ProviderError: the provider refused it.
            TransportError: the connection failed; ``request_sent`` says whether a job
                may exist.
        """
        if isinstance(request, VideoRequest):
            request = self.fetch_references(request)
        plan = self._as_plan(request)
        steps = self._steps(plan, output)
        job, attempt = self._run(route_flow(steps), steps[0][0])
        self._accepted(job, attempt, steps)
        return job

    def fetch_references(self, request: VideoRequest) -> VideoRequest:
        """The request with its images given as URLs fetched, where a provider needs bytes.

        Some providers take images only inline (Veo): vidgen downloads an https image
        itself (never from a private address, never with a key) and sends the bytes.
        `submit` does this for a request; call it before `plan` to see the plan of what
        will really be sent. A request without URL images, or a client whose providers
        take URLs, comes back as it is.

        Raises:
            InvalidInput: the URL is not an image or cannot be fetched.
            ProtocolError: the URL is refused (private address, not https, too large).
        """
        env = self._fetch_env(request)
        if env is None:
            return request
        return self._run(fetch_references_flow(env, request), env)

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
        env, known = self._route(job)
        return self._run(status_flow(env, known), env)

    def wait(
        self,
        job: Job | str,
        timeout: float = 900,
        on_progress: Callable[[Job], None] | None = None,
    ) -> Job:
        """Poll until the job succeeds.

        Honours the server's poll hints. ``on_progress`` gets every state seen.

        Raises:
            InvalidInput: ``timeout`` is not a number above 0; before any HTTP.
            JobFailed: the job failed or was cancelled (``.job`` has the error).
            WaitTimeout: ``timeout`` seconds passed (``.job`` is the last state).
        """
        timeout = check_timeout(timeout)
        env, known = self._route(job)
        return self._run(wait_flow(env, known, timeout, on_progress), env)

    def download(
        self,
        job: Job | str,
        path: str | os.PathLike[str],
        *,
        index: int = 0,
        variant: str = "video",
        overwrite: bool = False,
    ) -> Path:
        """Download an output to ``path`` (atomically: complete or not at all).

        Args:
            job: the job, or its provider id.
            path: the file to write.
            index: which output, for jobs with several videos.
            variant: ``"video"``, or another rendition where the provider has one
                (``"thumbnail"``, ``"spritesheet"``).
            overwrite: replace ``path`` if it exists; without it an existing file is
                refused before anything is sent.

        Raises:
            InvalidInput: ``path`` exists (without ``overwrite``), is a folder, or cannot
                be written; before any HTTP.
        """
        target = self._download_args(path, index, variant, overwrite)
        env, known = self._route(job)
        flow = download_flow(
            env, known, target, index, variant, self._expected(env, known), self.delivery
        )
        return self._run(flow, env)

    def generate(
        self,
        request: VideoRequest | Plan,
        path: str | os.PathLike[str],
        *,
        timeout: float = 900,
        on_progress: Callable[[Job], None] | None = None,
        overwrite: bool = False,
    ) -> Path:
        """Submit, wait and download: a plan (or a request, planned first) in one call.

        Everything that could fail after the job is paid for is checked first: the output
        path (an existing file is refused unless ``overwrite``) and the timeout.

        Raises:
            InvalidInput: ``path`` or ``timeout`` is unusable; before any HTTP.
            UnsupportedRequest, ModelRetired, BudgetExceeded: before any HTTP.
            ProviderError, TransportError, JobFailed, WaitTimeout: as in `submit`,
                `wait` and `download`.
        """
        check_output_path(path, overwrite=overwrite)
        timeout = check_timeout(timeout)
        if isinstance(request, VideoRequest):
            request = self.fetch_references(request)
        steps = self._steps(self._as_plan(request), path, checked=True)
        flow = self._generate_flow(steps, path, timeout, on_progress, overwrite)
        return self._run(flow, steps[0][0])[1]

    def _generate_item(
        self,
        plan: Plan,
        target: Path,
        *,
        group_id: str,
        item_key: str,
        timeout: float,
        overwrite: bool,
    ) -> tuple[Job, Path]:
        """`generate` for a line of a batch: its ledger row names the batch and the line."""
        steps = self._steps(plan, target, group_id=group_id, item_key=item_key, checked=True)
        return self._run(self._generate_flow(steps, target, timeout, None, overwrite), steps[0][0])

    def _other_client(self, profile: str | None, provider: str | None) -> Client:
        """A client for another profile or provider, sharing this one's connections."""
        return cast("Client", self._sibling(profile, provider))

    def batch(
        self,
        requests: Mapping[str, VideoRequest] | Iterable[BatchLine | Mapping[str, Any]],
        folder: str | os.PathLike[str] = ".",
        *,
        batch_id: str = "default",
        concurrency: int | None = None,
        budget: Decimal | str | None = None,
        retry_failed: bool = False,
        overwrite: bool = False,
        timeout: float = 900,
        on_progress: Callable[[BatchProgress], None] | None = None,
    ) -> dict[str, BatchResult]:
        """Render many requests, each known by its ``custom_id``; running it again skips
        what is done and carries on with what is in flight, so no line is paid twice.

        Every line is planned and priced before the first submit; with a ``budget`` the
        whole batch must fit it (and each submit is checked against it as the batch
        goes). Lines are kept in the ledger, so workers on a shared ledger (``vidgen
        worker``) can take part.

        Args:
            requests: ``{custom_id: VideoRequest}``, or `BatchLine` values (or mappings
                like the lines of a batch file).
            folder: where the videos are saved (``CUSTOM_ID.mp4`` unless a line says).
            batch_id: the batch's name in the ledger; custom ids are unique within it.
            concurrency: lines worked on at once (default: the client's max_in_flight).
            budget: the most the whole batch may cost, in the quotes' currency.
            retry_failed: submit lines whose job failed last time again.
            overwrite: replace files in ``folder`` that vidgen did not save for the line.
            timeout: how long to wait for each job.
            on_progress: gets a `BatchProgress` as lines start and end.

        Returns:
            ``{custom_id: BatchResult}`` in the lines' order.

        Raises:
            InvalidInput: a line is malformed, or a custom_id is reused for another
                request; before any HTTP.
            BudgetExceeded: the batch does not fit its budget; before any HTTP.
        """
        from ._batch import run_batch

        return run_batch(
            self,
            requests,
            folder,
            batch_id=batch_id,
            concurrency=concurrency,
            budget=budget,
            retry_failed=retry_failed,
            overwrite=overwrite,
            timeout=timeout,
            on_progress=on_progress,
        )

    def render(
        self,
        storyboard: Storyboard | str | os.PathLike[str] | Mapping[str, Any],
        path: str | os.PathLike[str],
        *,
        timeout: float = 900,
        on_progress: Callable[[RenderProgress], None] | None = None,
        overwrite: bool = False,
        draft: bool = False,
    ) -> Film:
        """Render a storyboard into one video: every shot priced first, then rendered in
        order (each continuing the last frame of the one before, unless its continuity is
        ``none``), then joined.

        Rendering the same storyboard to the same file again (after a crash, a failed or
        an edited shot) reuses every finished shot and never pays for one twice.

        Args:
            storyboard: a `Storyboard`, a TOML file, or its parsed mapping.
            path: the film's file.
            timeout: how long to wait for each shot.
            on_progress: gets a `RenderProgress` at each step.
            overwrite: replace ``path`` if it exists.
            draft: render every shot at the shortest length and lowest tier its model
                offers, a cheap preview.

        Raises:
            BudgetExceeded: the film is over ``max_job_cost`` (for the whole film) or
                ``max_daily_spend``; before any HTTP.
            UnsupportedRequest, ModelRetired: a shot cannot be served; before any HTTP.
            JobFailed: a shot failed (the ones before it are kept).
        """
        flow = self._render_flow(
            storyboard,
            path,
            timeout=timeout,
            on_progress=on_progress,
            overwrite=overwrite,
            draft=draft,
        )
        return self._run(flow, self._envs[0])

    def cancel(self, job: Job | str) -> Job:
        """Ask the provider to stop the job; returns its state afterwards.

        Raises:
            UnsupportedRequest: the provider's API cannot cancel (the job runs to its end).
        """
        env, known = self._route(job)
        return self._run(cancel_flow(env, known), env)

    def refresh_catalog(self) -> Path:
        """Fetch the vendor's own models and prices and keep them as a dated overlay.

        Quotes then cite the vendor's API and the fetch date; offline, the shipped catalog
        stands. Returns where the overlay was written.

        Raises:
            UnsupportedRequest: the vendor publishes no machine-readable prices.
        """
        env = self._envs[0]
        models, source = self._run(catalog_refresh_flow(env), env)
        return self._keep_overlay(env, models, source)

    def list_jobs(self, limit: int = 20, after: str | None = None) -> list[Job]:
        """The provider's recent jobs (where it can list them)."""
        env = self._envs[0]
        jobs, _ = self._run(list_flow(env, limit, after), env)
        return jobs

    def delete(self, job: Job | str) -> None:
        """Delete a job and its stored outputs (where the provider can)."""
        env, known = self._route(job)
        self._run(delete_flow(env, known), env)

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


@public
class AsyncClient(_BaseClient):
    """The async twin of `Client`: the same arguments and methods, awaited.

    Args:
        profile: a profile name from ``vidgen.toml`` (the default profile if neither
            this nor ``provider`` is given).
        provider: a provider name (used with its defaults and its environment key) or a
            provider instance.
        config: a `Config` or the path of a config file (default: the usual search).
        api_key: the key, instead of the provider's environment variable.
        api_key_env: another environment variable to read the key from.
        base_url: another API root (a relay, a proxy).
        models: model tables that extend or override the catalog.
        settings: the provider's other settings (``vidgen providers`` lists them).
        policy: ``"strict"`` refuses what a model cannot do; ``"nearest"`` adjusts.
        allow_retired: send to models the catalog says are retired.
        max_job_cost: refuse jobs quoted higher than this, before any HTTP.
        max_daily_spend: refuse jobs that would take today's committed spend (UTC, from
            the ledger) over this.
        ledger: True for the default job ledger, a path, a `Ledger`, or False for none.
        clock: the time source for every date and time decision (default ``time.time``).
        sleep: how to wait: a function or a coroutine function (default ``asyncio.sleep``).
        timeout: the per-request HTTP timeout.
        retry: how failed reads and submits are retried.
        poll: how often a job is polled.
        max_download_bytes: the largest download accepted (default 20 GiB).
        delivery: ``"warn"``, ``"strict"`` or ``"off"`` (see `Client`).
        http_client: an ``httpx.AsyncClient`` to send with (it is not closed by `aclose`).
    """

    def __init__(
        self,
        profile: str | None = None,
        *,
        provider: str | Provider | None = None,
        config: Config | str | os.PathLike[str] | None = None,
        api_key: str | None = None,
        api_key_env: str | None = None,
        base_url: str | None = None,
        models: Sequence[Mapping[str, Any]] | None = None,
        settings: Mapping[str, Any] | None = None,
        policy: FitPolicy = "strict",
        allow_retired: bool = False,
        max_job_cost: Decimal | str | None = None,
        max_daily_spend: Decimal | str | None = None,
        ledger: Ledger | str | os.PathLike[str] | bool = True,
        clock: Clock | None = None,
        sleep: Callable[[float], Any] | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        delivery: DeliveryPolicy = "warn",
        max_in_flight: int | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._setup(
            profile=profile,
            provider=provider,
            config=config,
            api_key=api_key,
            api_key_env=api_key_env,
            base_url=base_url,
            models=models,
            settings=settings,
            policy=policy,
            allow_retired=allow_retired,
            max_job_cost=max_job_cost,
            max_daily_spend=max_daily_spend,
            ledger=ledger,
            clock=clock,
            retry=retry,
            poll=poll,
            max_download_bytes=max_download_bytes,
            delivery=delivery,
            max_in_flight=max_in_flight,
        )
        if sleep is None:
            import asyncio  # here, not at the top: `import vidgen` stays light for sync users

            sleep = asyncio.sleep
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            timeout=_pool_waits(timeout), limits=self._limits(), follow_redirects=False
        )
        self._driver = AsyncDriver(self._http, sleep, self._journal, _LedgerClaims(self.ledger))

    async def _run(self, flow: Flow[T], env: Env) -> T:
        return await self._driver.run(flow, env.ready().provider.name)

    async def submit(
        self, request: VideoRequest | Plan, *, output: str | os.PathLike[str] | None = None
    ) -> Job:
        """Async `Client.submit`."""
        if isinstance(request, VideoRequest):
            request = await self.fetch_references(request)
        plan = await _off_loop(self._as_plan, request)  # reads the ledger's day total
        steps = self._steps(plan, output)
        job, attempt = await self._run(route_flow(steps), steps[0][0])
        self._accepted(job, attempt, steps)
        return job

    async def fetch_references(self, request: VideoRequest) -> VideoRequest:
        """Async `Client.fetch_references`."""
        env = self._fetch_env(request)
        if env is None:
            return request
        return await self._run(fetch_references_flow(env, request), env)

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
        env, known = self._route(job)
        return await self._run(status_flow(env, known), env)

    async def wait(
        self,
        job: Job | str,
        timeout: float = 900,
        on_progress: Callable[[Job], None] | None = None,
    ) -> Job:
        """Async `Client.wait`."""
        timeout = check_timeout(timeout)
        env, known = self._route(job)
        return await self._run(wait_flow(env, known, timeout, on_progress), env)

    async def download(
        self,
        job: Job | str,
        path: str | os.PathLike[str],
        *,
        index: int = 0,
        variant: str = "video",
        overwrite: bool = False,
    ) -> Path:
        """Async `Client.download`."""
        target = self._download_args(path, index, variant, overwrite)
        env, known = self._route(job)
        expected = await _off_loop(self._expected, env, known)
        flow = download_flow(env, known, target, index, variant, expected, self.delivery)
        return await self._run(flow, env)

    async def generate(
        self,
        request: VideoRequest | Plan,
        path: str | os.PathLike[str],
        *,
        timeout: float = 900,
        on_progress: Callable[[Job], None] | None = None,
        overwrite: bool = False,
    ) -> Path:
        """Async `Client.generate`."""
        await _off_loop(partial(check_output_path, path, overwrite=overwrite))
        timeout = check_timeout(timeout)
        if isinstance(request, VideoRequest):
            request = await self.fetch_references(request)
        plan = await _off_loop(self._as_plan, request)  # reads the ledger's day total
        steps = self._steps(plan, path, checked=True)
        flow = self._generate_flow(steps, path, timeout, on_progress, overwrite)
        return (await self._run(flow, steps[0][0]))[1]

    async def render(
        self,
        storyboard: Storyboard | str | os.PathLike[str] | Mapping[str, Any],
        path: str | os.PathLike[str],
        *,
        timeout: float = 900,
        on_progress: Callable[[RenderProgress], None] | None = None,
        overwrite: bool = False,
        draft: bool = False,
    ) -> Film:
        """Async `Client.render`."""
        flow = self._render_flow(
            storyboard,
            path,
            timeout=timeout,
            on_progress=on_progress,
            overwrite=overwrite,
            draft=draft,
        )
        return await self._run(flow, self._envs[0])

    async def batch(
        self,
        requests: Mapping[str, VideoRequest] | Iterable[BatchLine | Mapping[str, Any]],
        folder: str | os.PathLike[str] = ".",
        *,
        batch_id: str = "default",
        concurrency: int | None = None,
        budget: Decimal | str | None = None,
        retry_failed: bool = False,
        overwrite: bool = False,
        timeout: float = 900,
        on_progress: Callable[[BatchProgress], None] | None = None,
    ) -> dict[str, BatchResult]:
        """Async `Client.batch`.

        The lines are worked on by a pool of threads (``concurrency`` of them), with this
        client's providers, policies and ledger and connections of their own, so the
        event loop stays free; ``on_progress`` is called from those threads.
        """
        import time

        from ._batch import run_batch

        twin = Client.__new__(Client)
        twin.__dict__.update(self.__dict__)
        twin._owns_http = True
        twin._owns_ledger = False
        twin._http = httpx.Client(
            timeout=self._http.timeout, limits=self._limits(), follow_redirects=False
        )
        twin._driver = SyncDriver(twin._http, time.sleep, twin._journal, _LedgerClaims(self.ledger))
        try:
            return await _off_loop(
                partial(
                    run_batch,
                    twin,
                    requests,
                    folder,
                    batch_id=batch_id,
                    concurrency=concurrency,
                    budget=budget,
                    retry_failed=retry_failed,
                    overwrite=overwrite,
                    timeout=timeout,
                    on_progress=on_progress,
                )
            )
        finally:
            twin.close()

    async def cancel(self, job: Job | str) -> Job:
        """Async `Client.cancel`."""
        env, known = self._route(job)
        return await self._run(cancel_flow(env, known), env)

    async def refresh_catalog(self) -> Path:
        """Async `Client.refresh_catalog`."""
        env = self._envs[0]
        models, source = await self._run(catalog_refresh_flow(env), env)
        return self._keep_overlay(env, models, source)

    async def list_jobs(self, limit: int = 20, after: str | None = None) -> list[Job]:
        """Async `Client.list_jobs`."""
        env = self._envs[0]
        jobs, _ = await self._run(list_flow(env, limit, after), env)
        return jobs

    async def delete(self, job: Job | str) -> None:
        """Async `Client.delete`."""
        env, known = self._route(job)
        await self._run(delete_flow(env, known), env)

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
