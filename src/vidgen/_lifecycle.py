"""The job lifecycle, written once, as generators that yield I/O actions.

A flow never sends, sleeps or writes a file itself. It yields an action (`Send`,
`Sleep`, `OpenStream`, `ReadBody`, `SaveBody`, `CloseStream`) and receives the result;
`Client` and `AsyncClient` each drive the same flows in a few lines, so the sync and
async clients cannot drift apart. I/O failures come back into the flow as `TransportError`
thrown at the ``yield``.

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
import random
import re
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
import httpx

from ._exceptions import (
    ConfigError,
    ContentExpired,
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
from ._files import Saved, part_path
from ._models import Job, JobStatus
from ._policies import PollPolicy, RetryPolicy
from ._request import Fitted
from .provider import Provider, parse_retry_after, same_origin

__all__ = [
    "Action",
    "CloseStream",
    "DropPart",
    "Env",
    "OpenStream",
    "PartSize",
    "PollPolicy",
    "ReadBody",
    "Record",
    "RetryPolicy",
    "SaveBody",
    "Send",
    "Sleep",
    "delete_flow",
    "download_flow",
    "certainly_not_accepted",
    "list_flow",
    "route_flow",
    "status_flow",
    "submit_flow",
    "translate_transport_error",
    "wait_flow",
]

log = logging.getLogger("vidgen")
T = TypeVar("T")


# -- actions ------------------------------------------------------------------------------


@attrs.frozen
class Send:
    """Send a request; the result is the response with its body read."""

    request: httpx.Request


@attrs.frozen
class Sleep:
    """Wait ``seconds``; the result is None."""

    seconds: float


@attrs.frozen
class OpenStream:
    """Send a request; the result is the response with its body not yet read."""

    request: httpx.Request


@attrs.frozen
class ReadBody:
    """Read (and close) the body of a streamed response; the result is the response."""

    response: httpx.Response


@attrs.frozen
class CloseStream:
    """Close a streamed response without reading it; the result is None."""

    response: httpx.Response


@attrs.frozen
class SaveBody:
    """Stream the body into ``part``, then rename it to ``target``; the result is `Saved`.

    Nothing appears under ``target`` unless the whole body arrived; ``expected_bytes``
    (the whole file's size) is checked when known. With ``append`` the body continues the
    bytes already in ``part`` (a ranged response). If the stream breaks, ``part`` is kept
    so the next try resumes.
    """

    response: httpx.Response
    target: Path
    part: Path
    append: bool
    expected_bytes: int | None


@attrs.frozen
class PartSize:
    """How many bytes the part file already holds (0 when there is none)."""

    part: Path


@attrs.frozen
class DropPart:
    """Delete the part file (it cannot be resumed)."""

    part: Path


@attrs.frozen
class Record:
    """Tell the job ledger something happened; the result is the ledger's answer.

    ``kind`` is one of: ``submit`` (about to send; the result is a ledger id or None),
    ``accepted``, ``submit_failed``, ``seen`` (a job state) and ``downloaded``.
    """

    kind: str
    data: dict[str, Any]


Action = (
    Send | Sleep | OpenStream | ReadBody | CloseStream | SaveBody | PartSize | DropPart | Record
)
Flow = Generator[Action, Any, T]


# -- policies -----------------------------------------------------------------------------


_RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


@attrs.define
class Env:
    """What every flow needs: the provider, the clock and the policies."""

    provider: Provider
    clock: Callable[[], float]
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    poll: PollPolicy = attrs.field(factory=PollPolicy)
    rng: random.Random = attrs.field(factory=random.Random)

    def now(self) -> dt.datetime:
        """The injected clock as an aware UTC datetime."""
        return dt.datetime.fromtimestamp(self.clock(), tz=dt.timezone.utc)

    def tag(self, job: Job) -> Job:
        """The job with the profile that served it."""
        profile = self.provider.profile
        if profile is None or job.profile == profile:
            return job
        return attrs.evolve(job, profile=profile)


# -- translating I/O errors ---------------------------------------------------------------

# These fail before a single byte of the request leaves the machine.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def translate_transport_error(exc: httpx.TransportError, provider: str) -> TransportError:
    """An httpx transport error as vidgen's `TransportError`, saying whether it was sent."""
    sent = not isinstance(exc, _NOT_SENT)
    kind = type(exc).__name__
    detail = str(exc) or kind
    if sent:
        message = f"{provider}: the connection failed after the request was sent ({kind}: {detail})"
    else:
        message = (
            f"{provider}: could not connect ({kind}: {detail}); check the network and base_url"
        )
    return TransportError(message, request_sent=sent, provider=provider)


# -- flows --------------------------------------------------------------------------------


def _describe(request: httpx.Request) -> str:
    return f"{request.method} {request.url.copy_with(query=None)}"


def _should_retry(response: httpx.Response) -> bool:
    flag = response.headers.get("x-should-retry")
    if flag == "true":
        return True
    if flag == "false":
        return False
    return response.status_code in _RETRY_STATUSES


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
            and _should_retry(response)
            and (response.status_code != 429 or env.provider.parse_error(response).retryable)
        ):
            hint = parse_retry_after(response.headers, now=env.now())
            delay = (
                min(hint, policy.max_server_wait)
                if hint is not None
                else policy.backoff(attempt, env.rng)
            )
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


def submit_flow(env: Env, fitted: Fitted, note: dict[str, Any] | None = None) -> Flow[Job]:
    """Create the job. Resent only when the server provably never had it, or said 429.

    The submit is recorded in the ledger before it is sent, and its outcome after:
    ``note`` adds to that record (the callback token, the intended output path).
    """
    request = env.provider.build_submit(fitted)
    ledger_id = yield Record("submit", {"provider": env.provider, "fitted": fitted, **(note or {})})
    try:
        job = yield from _send_submit(env, fitted, request)
    except VidgenError as exc:
        yield Record(
            "submit_failed",
            {"ledger_id": ledger_id, "error": exc, "certain": certainly_not_accepted(exc)},
        )
        raise
    yield Record("accepted", {"ledger_id": ledger_id, "job": job})
    return job


def _send_submit(env: Env, fitted: Fitted, request: httpx.Request) -> Flow[Job]:
    provider = env.provider
    policy = env.retry
    attempt = 0
    while True:
        attempt += 1
        try:
            response: httpx.Response = yield Send(request)
        except TransportError as exc:
            if not exc.request_sent and attempt < policy.submit_attempts:
                yield Sleep(policy.backoff(attempt, env.rng))
                continue
            if exc.request_sent:
                raise TransportError(
                    f"{exc} The submit was NOT resent because the server may have received it: "
                    f"a job may exist and may be billed. Look for it (`vidgen status`, the "
                    f"provider's job list) before submitting again.",
                    request_sent=True,
                    provider=provider.name,
                ) from exc
            raise
        if response.is_error:
            error = provider.parse_error(response)
            if (
                isinstance(error, RateLimited)
                and error.retryable
                and attempt < policy.submit_attempts
            ):
                wait = error.retry_after
                if wait is None:
                    wait = parse_retry_after(response.headers, now=env.now())
                delay = (
                    min(wait, policy.max_server_wait)
                    if wait is not None
                    else policy.backoff(attempt, env.rng)
                )
                log.info("submit rate limited; retry %d in %.1fs", attempt, delay)
                yield Sleep(delay)
                continue
            if isinstance(error, ServerError):
                extra = (
                    "The submit was not resent: the server may have created the job. Look for "
                    "it before submitting again."
                )
                error.hint = f"{error.hint} {extra}" if error.hint else extra
            raise error
        job = provider.parse_submit(response)
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
    attempts: Sequence[tuple[Env, Fitted, str | None]], note: dict[str, Any] | None = None
) -> Flow[tuple[Job, str | None]]:
    """Submit to the first attempt that takes the job; move on only when it certainly did not.

    Each attempt is an env (its provider), the fitted request for it, and its callback
    token (returned with the job). With one attempt this is `submit_flow`.
    """
    for position, (env, fitted, tag) in enumerate(attempts):
        try:
            job = yield from submit_flow(env, fitted, {**(note or {}), "callback_token": tag})
        except VidgenError as exc:
            last = position == len(attempts) - 1
            if last or not certainly_not_accepted(exc):
                raise
            nxt = attempts[position + 1][0].provider
            log.warning(
                "%s did not take the job (%s); trying %s",
                env.provider.profile or env.provider.name,
                exc,
                nxt.profile or nxt.name,
            )
            continue
        return job, tag
    raise ValueError("route_flow needs at least one attempt")


def status_flow(env: Env, job: Job, deadline: float | None = None) -> Flow[Job]:
    """Read the job's current state."""
    provider = env.provider
    response = yield from read_flow(env, provider.build_status(job), deadline)
    fresh = provider.parse_status(response)
    if fresh.profile is None and job.profile is not None:
        fresh = attrs.evolve(fresh, profile=job.profile)
    fresh = env.tag(fresh)
    yield Record("seen", {"job": fresh})
    return fresh


def _raise_if_failed(job: Job) -> Job:
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
        return _raise_if_failed(job)
    provider = env.provider
    deadline = env.clock() + timeout
    interval = env.poll.initial
    warned_unknown = False
    while True:
        response = yield from read_flow(env, provider.build_status(job), deadline)
        fresh = provider.parse_status(response)
        job = env.tag(attrs.evolve(fresh, profile=fresh.profile or job.profile))
        yield Record("seen", {"job": job})
        if on_progress is not None:
            on_progress(job)
        if job.is_terminal:
            return _raise_if_failed(job)
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
        hint = provider.poll_hint(response)
        if hint is not None:
            delay = min(max(hint, env.poll.min_delay), env.poll.max_delay)
        else:
            delay = interval
            interval = min(interval * env.poll.factor, env.poll.maximum)
        yield Sleep(min(delay, deadline - now))


def list_flow(
    env: Env, limit: int = 20, after: str | None = None
) -> Flow[tuple[list[Job], str | None]]:
    """One page of the provider's recent jobs."""
    provider = env.provider
    response = yield from read_flow(env, provider.build_list(limit=limit, after=after))
    page = provider.parse_list(response)
    return [env.tag(job) for job in page.jobs], page.next_cursor


def delete_flow(env: Env, job: Job) -> Flow[None]:
    """Delete a job and its stored outputs."""
    provider = env.provider
    response = yield from read_flow(env, provider.build_delete(job))
    provider.parse_delete(response)


_MAX_REDIRECTS = 5
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$")


def _follow(
    request: httpx.Request, response: httpx.Response, secret_headers: frozenset[str]
) -> httpx.Request:
    location = response.headers["location"]
    url = request.url.join(location)
    if url.scheme != "https" and request.url.scheme == "https":
        # A ProtocolError, not a TransportError: a refusal must not be retried.
        raise ProtocolError(f"download redirected from https to {url.scheme}; refusing to follow")
    headers = dict(request.headers)
    if not same_origin(request.url, url):
        # Credentials stay with the host they were meant for, whatever the header's name.
        headers = {k: v for k, v in headers.items() if k.lower() not in secret_headers}
    headers.pop("host", None)
    headers.pop("Host", None)
    return httpx.Request("GET", url, headers=headers)


def _guard(provider: Provider, request: httpx.Request) -> httpx.Request:
    """Credentials go only to the provider's own API; anything else must be https."""
    if provider.base_url and same_origin(request.url, provider.base_url):
        return request
    if request.url.scheme != "https":
        raise ProtocolError(
            f"{provider.name} returned an output URL that is not https ({request.url.host}); "
            "refusing to download it",
            provider=provider.name,
        )
    secret = provider.secret_headers
    headers = {k: v for k, v in request.headers.items() if k.lower() not in secret}
    headers.pop("host", None)
    return httpx.Request(request.method, request.url, headers=headers)


def download_flow(
    env: Env,
    job: Job,
    target: Path,
    index: int = 0,
    variant: str = "video",
) -> Flow[Path]:
    """Download output ``index`` of a succeeded job to ``target``, atomically."""
    provider = env.provider
    if job.status is not JobStatus.SUCCEEDED:
        job = yield from status_flow(env, job)
        _raise_if_failed(job)
        if job.status is not JobStatus.SUCCEEDED:
            progress = f" ({job.progress}%)" if job.progress is not None else ""
            raise UnsupportedRequest(
                f"{provider.name} job {job.id} is {job.status.value}{progress}, not finished; "
                f"wait for it first (`vidgen wait {job.id}` or client.wait(job))",
                param="job",
                value=job.status.value,
                provider=provider.name,
            )
    if job.expires_at is not None and job.expires_at <= env.now():
        raise ContentExpired(
            f"the outputs of {provider.name} job {job.id} expired at "
            f"{job.expires_at.isoformat()}; the provider has deleted them",
            provider=provider.name,
            hint="Generate the video again, and download it within the provider's retention time",
        )
    original = _guard(provider, provider.build_download(job, index=index, variant=variant))
    part = part_path(target, f"{provider.name}/{job.id}/{index}/{variant}")
    attempt = 0
    while True:
        attempt += 1
        offset: int = yield PartSize(part)
        request = original
        if offset:
            # Resume: ask only for the bytes the part file does not have yet.
            request = httpx.Request(
                original.method,
                original.url,
                headers={**original.headers, "Range": f"bytes={offset}-"},
            )
        try:
            for _ in range(_MAX_REDIRECTS + 1):
                response: httpx.Response = yield OpenStream(request)
                if response.is_redirect:
                    yield CloseStream(response)
                    request = _follow(request, response, provider.secret_headers)
                    continue
                break
            else:
                raise ProtocolError(
                    f"download of job {job.id} redirected more than {_MAX_REDIRECTS} times",
                    provider=provider.name,
                )
            if response.status_code == 416 and offset:
                # The part file does not fit what the server has: start again.
                yield ReadBody(response)
                yield DropPart(part)
                continue
            if response.is_error:
                yield ReadBody(response)
                if attempt < env.retry.read_attempts and _should_retry(response):
                    hint = parse_retry_after(response.headers, now=env.now())
                    delay = env.retry.backoff(attempt, env.rng)
                    if hint is not None:
                        delay = min(hint, env.retry.max_server_wait)
                    yield Sleep(delay)
                    continue
                raise provider.parse_download_error(response, job, env.now())
            plan = _body_plan(response, offset)
            if plan is None:
                # A range we did not ask for: nothing to trust in it. Start over.
                yield CloseStream(response)
                yield DropPart(part)
                continue
            append, expected = plan
            saved: Saved = yield SaveBody(response, target, part, append, expected)
        except TransportError:
            if attempt >= env.retry.read_attempts:
                raise
            yield Sleep(env.retry.backoff(attempt, env.rng))
            continue
        yield Record(
            "downloaded",
            {"job": job, "path": saved.path, "size": saved.size, "sha256": saved.sha256},
        )
        log.info("downloaded %s job %s %s to %s", provider.name, job.id, variant, saved.path)
        return saved.path


def _body_plan(response: httpx.Response, offset: int) -> tuple[bool, int | None] | None:
    """Whether the body continues the part file, and the whole file's expected size.

    None when the answer is a partial body that does not start where the part file ends.
    """
    headers = response.headers
    if response.status_code == 206:
        match = _CONTENT_RANGE.match(headers.get("content-range", ""))
        if offset and match and int(match.group(1)) == offset:
            total = match.group(3)
            return True, int(total) if total.isdigit() else None
        return None
    if "content-encoding" in headers:
        return False, None
    length = headers.get("content-length")
    return False, int(length) if length and length.isdigit() else None
