"""The job lifecycle, written once, as generators that yield I/O actions and events.

A flow never sends, sleeps or writes a file itself. It yields an action (`_actions`) or
an event (`_events`) and receives the result; `Client` and `AsyncClient` each drive the
same flows in a few lines, so the sync and async clients cannot drift apart. I/O failures
come back into the flow as `TransportError` thrown at the ``yield``.

The retry rules are the ones in DESIGN.md, "Never pay twice":

* reads (status, list, download) retry transport errors and retryable answers with
  backoff, honouring the server's hints, within the deadline;
* a submit is resent only when it provably never reached the server (a connect error)
  or the server said 429 rate limit; after anything ambiguous the caller is told the
  job may exist.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
from collections.abc import Callable, Generator, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import httpx

from ._actions import (
    ClaimJob,
    CloseStream,
    DropPart,
    LockPart,
    OpenStream,
    PartSize,
    ReadBody,
    ReleaseSlot,
    SaveBody,
    Send,
    Sleep,
    TakeSlot,
    Work,
)
from ._clock import Clock, to_datetime
from ._events import (
    Event,
    JobSeen,
    SubmitAccepted,
    SubmitOutcomeUnknown,
    SubmitRejected,
    SubmitStarting,
)
from ._exceptions import (
    ConfigError,
    JobFailed,
    ProtocolError,
    ProviderError,
    RateLimited,
    ServerError,
    TransportError,
    UnsupportedRequest,
    VidgenError,
    WaitTimeout,
)
from ._limits import DEFAULT_MAX_IN_FLIGHT, account_of
from ._models import Job, JobStatus
from ._plan import Attempt
from ._policies import PollPolicy, RetryPolicy
from ._untrusted import call_parser
from .provider import JobPage, Provider, parse_retry_after

__all__ = [
    "Action",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "Env",
    "Flow",
    "HTTPX_ERRORS",
    "SubmitNote",
    "cancel_flow",
    "catalog_refresh_flow",
    "certainly_not_accepted",
    "checked_job",
    "clamp_delay",
    "delete_flow",
    "list_flow",
    "parse_error",
    "parse_job",
    "poll_delay",
    "raise_if_failed",
    "read_flow",
    "route_flow",
    "server_delay",
    "should_retry",
    "status_flow",
    "submit_flow",
    "translate_http_error",
    "translate_transport_error",
    "wait_flow",
]

log = logging.getLogger("vidgen")
T = TypeVar("T")

Action = (
    Send
    | Sleep
    | OpenStream
    | ReadBody
    | CloseStream
    | SaveBody
    | PartSize
    | DropPart
    | LockPart
    | ClaimJob
    | TakeSlot
    | ReleaseSlot
    | Work
    | Event
)
Flow = Generator[Action, Any, T]

_RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})

#: The largest download accepted unless a client says otherwise: far above any generated
#: video (minutes of 4K), far below what fills a disk by surprise.
DEFAULT_MAX_DOWNLOAD_BYTES = 20 * 1024**3


@attrs.define
class Env:
    """What every flow needs: the provider, the clock and the policies."""

    provider: Provider
    clock: Clock
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    poll: PollPolicy = attrs.field(factory=PollPolicy)
    rng: random.Random = attrs.field(factory=random.Random)
    max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES
    #: how many jobs the account works on at once (see `_limits`)
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT
    #: whether the provider's `prepare` has run (the client runs it once, before any I/O)
    prepared: bool = False
    _account: str | None = attrs.field(default=None, init=False, repr=False)

    def ready(self) -> Env:
        """This env, once its provider is prepared to send (see `Provider.prepare`)."""
        if not self.prepared:
            self.provider.prepare()
            self.prepared = True
        return self

    def now(self) -> dt.datetime:
        """The injected clock as an aware UTC datetime."""
        return to_datetime(self.clock())

    @property
    def endpoint(self) -> str:
        """The API root this env's provider talks to (jobs are known by endpoint and id)."""
        return self.provider.endpoint

    def slot(self) -> TakeSlot:
        """The action that takes one of this account's in-flight slots."""
        if self._account is None:
            self._account = account_of(self.provider)
        return TakeSlot(self._account, self.max_in_flight)

    def tag(self, job: Job) -> Job:
        """The job with the profile that served it."""
        profile = self.provider.profile
        if profile is None or job.profile == profile:
            return job
        return attrs.evolve(job, profile=profile)


def clamp_delay(seconds: float | None, low: float, high: float) -> float | None:
    """A server's or a policy's delay made safe to sleep on: finite, within [low, high].

    NaN and anything that is not a number give None (the caller falls back to its own
    pace); infinities are clamped.
    """
    if seconds is None:
        return None
    try:
        value = float(seconds)
    except (TypeError, ValueError, OverflowError):
        return None
    if math.isnan(value):
        return None
    return min(max(value, low), high)


# -- translating I/O errors ---------------------------------------------------------------

# These fail before a single byte of the request leaves the machine.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol)


def translate_transport_error(exc: httpx.TransportError, provider: str) -> TransportError:
    """An httpx transport error as vidgen's `TransportError`, saying whether it was sent."""
    kind = type(exc).__name__
    detail = str(exc) or kind
    if isinstance(exc, httpx.PoolTimeout):
        return TransportError(
            f"{provider}: no free connection in this client's pool in time ({kind}); too many "
            "requests at once in this process, and nothing was sent: lower the concurrency, "
            "or pass a larger pool: http_client=httpx.Client(limits=httpx.Limits("
            "max_connections=...))",
            request_sent=False,
            provider=provider,
        )
    if isinstance(exc, _NOT_SENT):
        return TransportError(
            f"{provider}: could not connect ({kind}: {detail}); check the network and base_url",
            request_sent=False,
            provider=provider,
        )
    return TransportError(
        f"{provider}: the connection failed after the request was sent ({kind}: {detail})",
        request_sent=True,
        provider=provider,
    )


#: Every exception httpx raises while sending or reading (``InvalidURL`` and the stream
#: errors are not `httpx.HTTPError` subclasses).
HTTPX_ERRORS = (httpx.HTTPError, httpx.StreamError, httpx.InvalidURL)


def translate_http_error(
    exc: httpx.HTTPError | httpx.StreamError | httpx.InvalidURL, provider: str
) -> VidgenError:
    """Any httpx error as a vidgen error: a `TransportError` for the connection, else a
    `ProtocolError` (a body that cannot be decoded, a URL httpx cannot send to)."""
    if isinstance(exc, httpx.TransportError):
        return translate_transport_error(exc, provider)
    kind = type(exc).__name__
    detail = str(exc) or kind
    if isinstance(exc, httpx.DecodingError):
        return ProtocolError(
            f"{provider}: the response body could not be decoded ({kind}: {detail}); the "
            "server or a proxy on the way sent a broken compressed body",
            provider=provider,
        )
    return ProtocolError(f"{provider}: the request failed ({kind}: {detail})", provider=provider)


# -- reads ----------------------------------------------------------------------------------


def _describe(request: httpx.Request) -> str:
    return f"{request.method} {request.url.copy_with(query=None)}"


def should_retry(response: httpx.Response) -> bool:
    """Whether an error answer to a read is worth another try (the server may say so)."""
    flag = response.headers.get("x-should-retry")
    if flag == "true":
        return True
    if flag == "false":
        return False
    return response.status_code in _RETRY_STATUSES


def server_delay(env: Env, response: httpx.Response, attempt: int) -> float:
    """How long to wait before retrying after ``response``: the server's hint, else backoff."""
    policy = env.retry
    hint = clamp_delay(
        parse_retry_after(response.headers, now=env.now()), 0.0, policy.max_server_wait
    )
    return hint if hint is not None else policy.backoff(attempt, env.rng)


def read_flow(
    env: Env, request: httpx.Request, deadline: float | None = None
) -> Flow[httpx.Response]:
    """Send an idempotent request, retrying what can be retried. Returns the last response."""
    policy = env.retry
    attempt = 0
    while True:
        attempt += 1
        try:
            response: httpx.Response = yield Send(request)
        except TransportError as exc:
            delay = policy.backoff(attempt, env.rng)
            if attempt >= policy.read_attempts or not _fits(env, delay, deadline):
                raise
            log.info("%s failed (%s); retry %d in %.1fs", _describe(request), exc, attempt, delay)
            yield Sleep(delay)
            continue
        if (
            response.is_error
            and attempt < policy.read_attempts
            and should_retry(response)
            and (response.status_code != 429 or parse_error(env, response).retryable)
        ):
            delay = server_delay(env, response, attempt)
            if _fits(env, delay, deadline):
                log.info(
                    "%s: HTTP %d; retry %d in %.1fs",
                    _describe(request),
                    response.status_code,
                    attempt,
                    delay,
                )
                yield Sleep(delay)
                continue
        return response


def _fits(env: Env, delay: float, deadline: float | None) -> bool:
    return deadline is None or env.clock() + delay <= deadline


# -- reading answers: a provider's parsers, guarded -----------------------------------------


def parse_error(env: Env, response: httpx.Response) -> ProviderError:
    """The provider's error for an error answer; a parser failure is a `ProtocolError`."""
    provider = env.provider
    error = call_parser(
        provider, "error response", response.content, provider.parse_error, response
    )
    if not isinstance(error, ProviderError):
        raise ProtocolError(
            f"{provider.name}'s parse_error returned {type(error).__name__}, not a "
            "ProviderError; report it to the maintainers of the provider",
            provider=provider.name,
        )
    return error


def parse_job(
    env: Env, what: str, parse: Callable[[httpx.Response], Job], response: httpx.Response
) -> Job:
    """A job from an answer (``parse_submit``, ``parse_status``), checked to be one."""
    job = call_parser(env.provider, what, response.content, parse, response)
    return checked_job(env.provider, what, job)


def checked_job(provider: Provider, what: str, job: Any) -> Job:
    """``job``, when it is a `Job` (whose id the `Job` itself has checked)."""
    if not isinstance(job, Job):
        raise ProtocolError(
            f"{provider.name} read a {what} as {type(job).__name__}, not a Job; report it to "
            "the maintainers of the provider",
            provider=provider.name,
        )
    return job


def poll_delay(env: Env, response: httpx.Response) -> float | None:
    """The server's poll hint, clamped to the poll policy; None when there is none."""
    provider = env.provider
    hint = call_parser(provider, "poll hint", response.content, provider.poll_hint, response)
    return clamp_delay(hint, env.poll.min_delay, env.poll.max_delay)


# -- submit -----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SubmitNote:
    """What the ledger keeps with a submit besides the attempt itself."""

    callback_token: str | None = attrs.field(default=None, repr=False)
    output_target: str | None = None
    max_daily_spend: Decimal | None = None
    settings: Mapping[str, Any] = attrs.field(factory=dict)
    group_id: str | None = None
    item_key: str | None = None


def submit_flow(env: Env, attempt: Attempt, note: SubmitNote | None = None) -> Flow[Job]:
    """Create the job. Resent only when the server provably never had it, or said 429.

    The submit is recorded before it is sent, and its outcome after: accepted, rejected
    (certainly no job), or unknown (a job may exist) whatever went wrong.
    """
    note = note or SubmitNote()
    fitted = attempt.fitted
    request = env.provider.build_submit(fitted)
    ledger_id: int | None = yield SubmitStarting(
        at=env.now(),
        attempt=attempt,
        endpoint=env.endpoint,
        settings=note.settings,
        callback_token=note.callback_token,
        output_target=note.output_target,
        max_daily_spend=note.max_daily_spend,
        group_id=note.group_id,
        item_key=note.item_key,
    )
    try:
        job = yield from _send_submit(env, attempt, request)
    except VidgenError as exc:
        if certainly_not_accepted(exc):
            yield SubmitRejected(at=env.now(), ledger_id=ledger_id, error=str(exc))
        else:
            yield SubmitOutcomeUnknown(at=env.now(), ledger_id=ledger_id, error=str(exc))
        raise
    except Exception as exc:
        # Whatever broke (a parser, a hostile answer), the server may have the job: keep
        # the record, and say so in vidgen's terms.
        error = ProtocolError(
            f"{env.provider.name} answered the submit with something vidgen cannot read "
            f"({type(exc).__name__}: {exc}). A job may exist and may be billed: `vidgen resume` "
            "looks for it; do not submit again before checking",
            provider=env.provider.name,
        )
        yield SubmitOutcomeUnknown(at=env.now(), ledger_id=ledger_id, error=str(error))
        raise error from exc
    yield SubmitAccepted(at=env.now(), ledger_id=ledger_id, job=job, endpoint=env.endpoint)
    return job


def _send_submit(env: Env, attempt: Attempt, request: httpx.Request) -> Flow[Job]:
    provider = env.provider
    policy = env.retry
    fitted = attempt.fitted
    tries = 0
    while True:
        tries += 1
        try:
            response: httpx.Response = yield Send(request)
        except TransportError as exc:
            if not exc.request_sent and tries < policy.submit_attempts:
                yield Sleep(policy.backoff(tries, env.rng))
                continue
            if exc.request_sent:
                raise TransportError(
                    f"{exc}. The submit was NOT resent because the server may have received it: "
                    f"a job may exist and may be billed. Look for it (`vidgen resume`, "
                    f"`vidgen status`, the provider's job list) before submitting again.",
                    request_sent=True,
                    provider=provider.name,
                ) from exc
            raise
        if response.is_error:
            error = parse_error(env, response)
            if (
                isinstance(error, RateLimited)
                and error.retryable
                and tries < policy.submit_attempts
            ):
                delay = clamp_delay(error.retry_after, 0.0, policy.max_server_wait)
                if delay is None:
                    delay = server_delay(env, response, tries)
                log.info("submit rate limited; retry %d in %.1fs", tries, delay)
                yield Sleep(delay)
                continue
            if isinstance(error, ServerError):
                extra = (
                    "The submit was not resent: the server may have created the job. Look for "
                    "it (`vidgen resume`) before submitting again."
                )
                error.hint = f"{error.hint} {extra}" if error.hint else extra
            raise error
        try:
            job = parse_job(env, "submit response", provider.parse_submit, response)
        except ProtocolError as exc:
            raise ProtocolError(
                f"{exc}. The server answered the submit, so a job may exist and may be "
                "billed: `vidgen resume` looks for it; do not submit again before checking",
                provider=exc.provider,
                body=exc.body,
            ) from exc
        # Task APIs often answer a create with an id alone: keep what was sent.
        job = attrs.evolve(
            job,
            model=job.model or fitted.model,
            seconds=job.seconds or fitted.seconds,
            size=job.size or fitted.size,
        )
        log.info("submitted %s job %s (%s)", provider.name, job.id, job.status.value)
        return env.tag(job)


def certainly_not_accepted(error: BaseException) -> bool:
    """True when a failed submit provably created no job, so another provider may be tried.

    Nothing was sent (a missing key, a connect error), or the provider refused the request
    with a 4xx that means "not taken" (400, 401, 402, 403, 404, 422, 429). A 5xx, a
    timeout after sending or an unreadable answer may hide a created job: never retried
    elsewhere.
    """
    if isinstance(error, (ConfigError, UnsupportedRequest)):
        return True
    if isinstance(error, TransportError):
        return not error.request_sent
    if isinstance(error, ProviderError):
        code = error.status_code
        return code is not None and 400 <= code < 500 and code not in (408, 409)
    return False


def route_flow(
    steps: Sequence[tuple[Env, Attempt, SubmitNote]],
) -> Flow[tuple[Job, Attempt]]:
    """Submit to the first attempt that takes the job; move on only when it certainly did not.

    Returns the job and the attempt that took it. With one step this is `submit_flow`.
    """
    for position, (env, attempt, note) in enumerate(steps):
        slot = env.slot()
        yield slot  # over the account's limit, the job waits here, before anything is sent
        try:
            job = yield from submit_flow(env, attempt, note)
        except VidgenError as exc:
            last = position == len(steps) - 1
            if last or not certainly_not_accepted(exc):
                raise
            yield ReleaseSlot(slot.account)  # the job goes elsewhere: free this slot
            log.warning(
                "%s did not take the job (%s); trying %s",
                attempt.label,
                exc,
                steps[position + 1][1].label,
            )
            continue
        return job, attempt
    raise ValueError("route_flow needs at least one attempt")


# -- status, wait, list, delete, cancel -------------------------------------------------------


#: What a status answer may leave out that the job already had (many vendors' status
#: reads name neither the model nor the length): kept from the state before.
_CARRIED = ("model", "seconds", "size", "created_at", "profile")


def _fresh(env: Env, response: httpx.Response, previous: Job) -> Job:
    fresh = parse_job(env, "status response", env.provider.parse_status, response)
    if fresh.id == previous.id:
        kept = {
            name: getattr(previous, name)
            for name in _CARRIED
            if getattr(fresh, name) is None and getattr(previous, name) is not None
        }
        if kept:
            fresh = attrs.evolve(fresh, **kept)
    return env.tag(fresh)


def status_flow(env: Env, job: Job, deadline: float | None = None) -> Flow[Job]:
    """Read the job's current state."""
    response = yield from read_flow(env, env.provider.build_status(job), deadline)
    fresh = _fresh(env, response, job)
    yield JobSeen(at=env.now(), job=fresh, endpoint=env.endpoint)
    return fresh


def raise_if_failed(job: Job) -> Job:
    """The job, or `JobFailed` when it ended failed or cancelled."""
    if job.status in (JobStatus.FAILED, JobStatus.CANCELLED):
        reason = f": {job.error.message} [{job.error.code}]" if job.error else ""
        raise JobFailed(
            f"{job.provider} job {job.id} {job.status.value}{reason}. Failed jobs are not billed "
            "by the providers that say so; adjust the prompt and submit again",
            job=job,
        )
    return job


def wait_flow(
    env: Env,
    job: Job,
    timeout: float,
    on_progress: Callable[[Job], None] | None = None,
) -> Flow[Job]:
    """Poll until the job is terminal or ``timeout`` seconds pass.

    Raises:
        JobFailed: the job ended failed or cancelled.
        WaitTimeout: the deadline passed; ``.job`` is the last state seen.
    """
    if job.is_terminal:
        return raise_if_failed(job)
    try:
        seconds = float(timeout)
    except (TypeError, ValueError, OverflowError):
        seconds = math.nan
    if math.isnan(seconds):
        # NaN never passes a deadline: the wait would poll forever.
        raise UnsupportedRequest(
            f"timeout must be a number of seconds (e.g. 900), not {timeout!r}",
            param="timeout",
            value=timeout,
        )
    provider = env.provider
    # One of the account's in-flight slots (already held when this wait is part of a
    # generate); the timeout counts from when the job has one.
    yield env.slot()
    # Another process waiting on the same job would only poll twice as often; one that
    # is downloading it must not be raced: the ledger's claim says who is at it.
    yield ClaimJob(job, env.endpoint)
    deadline = env.clock() + seconds
    interval = env.poll.initial
    warned_unknown = False
    while True:
        response = yield from read_flow(env, provider.build_status(job), deadline)
        job = _fresh(env, response, job)
        yield JobSeen(at=env.now(), job=job, endpoint=env.endpoint)
        if on_progress is not None:
            on_progress(job)
        if job.is_terminal:
            return raise_if_failed(job)
        if job.status is JobStatus.UNKNOWN and not warned_unknown:
            warned_unknown = True
            log.warning(
                "job %s has a status vidgen does not know: %r", job.id, job.raw.get("status")
            )
        now = env.clock()
        if now >= deadline:
            progress = f" ({job.progress}%)" if job.progress is not None else ""
            raise WaitTimeout(
                f"{provider.name} job {job.id} is still {job.status.value}{progress} after "
                f"{timeout:g} s. It may still finish: wait again (`vidgen wait {job.id}`) "
                "or download it later",
                job=job,
            )
        delay = poll_delay(env, response)
        if delay is None:
            delay = interval
            interval = min(interval * env.poll.factor, env.poll.maximum)
        yield Sleep(max(min(delay, deadline - now), 0.0))


def list_flow(
    env: Env, limit: int = 20, after: str | None = None
) -> Flow[tuple[list[Job], str | None]]:
    """One page of the provider's recent jobs."""
    provider = env.provider
    response = yield from read_flow(env, provider.build_list(limit=limit, after=after))
    page = call_parser(provider, "job list", response.content, provider.parse_list, response)
    if not isinstance(page, JobPage):
        raise ProtocolError(
            f"{provider.name} read a job list as {type(page).__name__}, not a JobPage; report "
            "it to the maintainers of the provider",
            provider=provider.name,
        )
    jobs = [env.tag(checked_job(provider, "job list", job)) for job in page.jobs]
    return jobs, page.next_cursor


def delete_flow(env: Env, job: Job) -> Flow[None]:
    """Delete a job and its stored outputs."""
    provider = env.provider
    response = yield from read_flow(env, provider.build_delete(job))
    call_parser(provider, "delete response", response.content, provider.parse_delete, response)


def cancel_flow(env: Env, job: Job) -> Flow[Job]:
    """Ask the provider to stop a job; returns its state afterwards.

    Cancel requests are idempotent at every provider that has them, so they are retried
    like reads. Where the vendor's cancel also deletes a finished job
    (`Provider.cancel_deletes_finished`), the job is read first and a finished one is
    returned as it stands, untouched.
    """
    provider = env.provider
    if provider.cancel_deletes_finished:
        job = yield from status_flow(env, job)
        if job.is_terminal:
            return job
    response = yield from read_flow(env, provider.build_cancel(job))
    answered = call_parser(
        provider, "cancel response", response.content, provider.parse_cancel, response, job
    )
    if answered is None:
        return (yield from status_flow(env, job))
    answered = checked_job(provider, "cancel response", answered)
    fresh = env.tag(answered if answered.profile else attrs.evolve(answered, profile=job.profile))
    yield JobSeen(at=env.now(), job=fresh, endpoint=env.endpoint)
    return fresh


_MAX_PAGES = 200


def catalog_refresh_flow(env: Env) -> Flow[tuple[list[dict[str, Any]], str]]:
    """Every page of the vendor's models and prices: the model tables and the source URL."""
    provider = env.provider
    models: list[dict[str, Any]] = []
    cursor: str | None = None
    source = ""
    for _ in range(_MAX_PAGES):
        request = provider.build_catalog_refresh(cursor)
        if request is None:
            if cursor is None:
                raise UnsupportedRequest(
                    f"{provider.name} publishes no machine-readable prices; its catalog is "
                    "the shipped one (add or correct prices in vidgen.toml: "
                    "`vidgen config` shows where)",
                    param="operation",
                    value="prices refresh",
                    provider=provider.name,
                )
            break
        source = source or str(request.url.copy_with(query=None))
        response: httpx.Response = yield from read_flow(env, request)
        page, cursor = provider.parse_catalog_refresh(response)
        models.extend(page)
        if not cursor:
            break
    else:
        raise ProtocolError(
            f"{provider.name} kept sending more pages of prices (over {_MAX_PAGES}); stopped",
            provider=provider.name,
        )
    return models, source
