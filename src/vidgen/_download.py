"""The download flow: one output of a finished job, to a file, atomically and resumably.

Output URLs are untrusted. Credentials go only to the provider's own API: an output URL
on any other host is fetched without them, only over https, never with a user name and
password from the URL, and never from a private or local address unless the provider
allows it (`check_output_url`); redirects get the same checks.

The bytes saved are the ones on the wire. Downloads ask for ``Accept-Encoding: identity``
and refuse a body that is still compressed (``gzip``, ``br``, ...), so the announced size,
the size limit and ``Range`` offsets all count the same bytes. A broken download keeps its
part file and resumes with ``Range``; a part file that does not fit what the server has
is dropped and started over.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx

from ._actions import (
    ClaimJob,
    CloseStream,
    DropPart,
    LockPart,
    OpenStream,
    PartSize,
    ReadBody,
    SaveBody,
    Sleep,
    Work,
)
from ._delivery import DeliveryPolicy, DeliveryReport, Expected, check_delivery
from ._events import DeliveryChecked, Downloaded
from ._exceptions import (
    ContentExpired,
    DeliveryMismatch,
    ProtocolError,
    ProviderError,
    TransportError,
    UnsupportedRequest,
)
from ._files import Saved, part_path, write_file
from ._lifecycle import (
    Env,
    Flow,
    raise_if_failed,
    read_flow,
    server_delay,
    should_retry,
    status_flow,
)
from ._models import Job, JobStatus
from ._untrusted import call_parser, check_output_url
from .provider import Provider, same_origin

__all__ = ["download_flow"]

log = logging.getLogger("vidgen")

_MAX_REDIRECTS = 5
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+([0-9]+)-([0-9]+)/([0-9]+|\*)\s*$", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
#: Encodings that leave the bytes as they are.
_PLAIN = frozenset({"", "identity"})


def _follow(provider: Provider, request: httpx.Request, response: httpx.Response) -> httpx.Request:
    location = response.headers["location"]
    try:
        url = request.url.join(location)
    except httpx.InvalidURL as exc:
        raise ProtocolError(
            f"download redirected to a URL that is not valid ({exc}); refusing to follow",
            provider=provider.name,
            body=location[:300],
        ) from exc
    if url.scheme != "https" and request.url.scheme == "https":
        # A ProtocolError, not a TransportError: a refusal must not be retried.
        raise ProtocolError(f"download redirected from https to {url.scheme}; refusing to follow")
    check_output_url(provider, url)
    headers = dict(request.headers)
    if not same_origin(request.url, url):
        # Credentials stay with the host they were meant for, whatever the header's name.
        headers = {k: v for k, v in headers.items() if k.lower() not in provider.secret_headers}
    headers.pop("host", None)
    headers.pop("Host", None)
    return httpx.Request("GET", url, headers=headers)


def _guard(provider: Provider, request: httpx.Request) -> httpx.Request:
    """The download request as sent: checked, uncompressed, and credentials only at home."""
    check_output_url(provider, request.url)
    headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
    if not (provider.base_url and same_origin(request.url, provider.base_url)):
        secret = provider.secret_headers
        headers = {k: v for k, v in headers.items() if k.lower() not in secret}
    headers = {k: v for k, v in headers.items() if k.lower() != "accept-encoding"}
    # The bytes on the wire are the bytes saved: sizes and Range offsets then agree.
    headers["Accept-Encoding"] = "identity"
    return httpx.Request(request.method, request.url, headers=headers)


def _encoding(response: httpx.Response) -> str | None:
    """The content coding of a body that is not plain bytes (``gzip``, ``br``), if any."""
    codings = [c.strip().lower() for c in response.headers.get("content-encoding", "").split(",")]
    encoded = [c for c in codings if c not in _PLAIN]
    return ", ".join(encoded) if encoded else None


def download_flow(
    env: Env,
    job: Job,
    target: Path,
    index: int = 0,
    variant: str = "video",
    expected: Expected | None = None,
    delivery: DeliveryPolicy = "off",
) -> Flow[Path]:
    """Download output ``index`` of a succeeded job to ``target``, atomically.

    With ``expected`` and a ``delivery`` policy other than ``off``, the video is then
    probed and compared with what was asked (see `_delivery`).

    Raises:
        DeliveryMismatch: the file differs from what was asked, with ``delivery="strict"``.
    """
    provider = env.provider
    yield env.slot()  # one of the account's in-flight slots (held already in a generate)
    if job.status is not JobStatus.SUCCEEDED:
        job = yield from status_flow(env, job)
        raise_if_failed(job)
        if job.status is not JobStatus.SUCCEEDED:
            progress = f" ({job.progress}%)" if job.progress is not None else ""
            raise UnsupportedRequest(
                f"{provider.name} job {job.id} is {job.status.value}{progress}, not finished; "
                f"wait for it first (`vidgen wait {job.id}` or client.wait(job))",
                param="job",
                value=job.status.value,
                provider=provider.name,
            )
    refreshed = False
    if job.expires_at is not None and job.expires_at <= env.now():
        if not provider.outputs_refreshable:
            raise ContentExpired(
                f"the outputs of {provider.name} job {job.id} expired at "
                f"{job.expires_at.isoformat()}; the provider has deleted them",
                provider=provider.name,
                hint="Generate the video again, and download it within the provider's "
                "retention time",
            )
        job = yield from _fresh_links(env, job)
        refreshed = True
    if variant == "video" and provider.inline_output(job, index):
        return (yield from _inline(env, job, target, index, expected, delivery))
    original = _download_request(provider, job, index, variant)
    part = part_path(target, f"{provider.name}/{job.id}/{index}/{variant}")
    # Two processes finishing one job must not write one file: the second one stops here.
    yield ClaimJob(job, env.endpoint)
    yield LockPart(part, job.id)
    limit = env.max_download_bytes
    attempt = 0
    while True:
        attempt += 1
        offset: int = yield PartSize(part)
        if offset > limit:
            # Larger than any download allowed now: nothing to resume.
            yield DropPart(part)
            offset = 0
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
                    request = _follow(provider, request, response)
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
                _check_budget(env, attempt, job, "the server refused to resume (HTTP 416)")
                continue
            if response.is_error:
                yield ReadBody(response)
                if attempt < env.retry.read_attempts and should_retry(response):
                    yield Sleep(server_delay(env, response, attempt))
                    continue
                error = _download_error(env, response, job)
                if isinstance(error, ContentExpired) and provider.outputs_refreshable:
                    if refreshed:
                        raise error
                    # Links signed for a while: one more read of the job signs new ones.
                    job = yield from _fresh_links(env, job)
                    refreshed = True
                    original = _download_request(provider, job, index, variant)
                    continue
                raise error
            encoding = _encoding(response)
            if encoding is not None:
                yield CloseStream(response)
                raise ProtocolError(
                    f"the server sent the output of {provider.name} job {job.id} compressed "
                    f"({encoding}) although vidgen asked for identity; vidgen saves only "
                    "uncompressed bytes, so that sizes and resumed downloads are exact. "
                    "Fetch it with another tool, or ask the host to serve it uncompressed",
                    provider=provider.name,
                )
            plan = _body_plan(response, offset)
            if plan is None:
                # A range we did not ask for: nothing to trust in it. Start over.
                yield CloseStream(response)
                yield DropPart(part)
                _check_budget(env, attempt, job, "the server sent a range vidgen did not ask for")
                continue
            append, length = plan
            if length is not None and length > limit:
                yield CloseStream(response)
                yield DropPart(part)
                raise ProtocolError(
                    f"the output of {provider.name} job {job.id} is {length} bytes, more "
                    f"than max_download_bytes ({limit}); nothing was downloaded. If the video "
                    "really is that large, raise Client(max_download_bytes=...)",
                    provider=provider.name,
                )
            saved: Saved = yield SaveBody(response, target, part, append, length, limit)
        except TransportError:
            if attempt >= env.retry.read_attempts:
                raise
            yield Sleep(env.retry.backoff(attempt, env.rng))
            continue
        yield Downloaded(
            at=env.now(),
            job=job,
            endpoint=env.endpoint,
            path=saved.path,
            size=saved.size,
            sha256=saved.sha256,
            index=index,
            variant=variant,
        )
        log.info("downloaded %s job %s %s to %s", provider.name, job.id, variant, saved.path)
        if delivery != "off" and expected is not None and variant == "video":
            yield from _check_delivered(env, job, saved.path, expected, delivery)
        return saved.path


def _inline(
    env: Env,
    job: Job,
    target: Path,
    index: int,
    expected: Expected | None,
    delivery: DeliveryPolicy,
) -> Flow[Path]:
    """An output that came inside the job's JSON: read the job again, save the bytes."""
    provider = env.provider
    part = part_path(target, f"{provider.name}/{job.id}/{index}/inline")
    yield ClaimJob(job, env.endpoint)
    yield LockPart(part, job.id)
    response: httpx.Response = yield from read_flow(env, provider.build_status(job))
    data = call_parser(
        provider,
        "inline output",
        response.content,
        provider.read_inline_output,
        response,
        job,
        index,
    )
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ProtocolError(
            f"{provider.name} job {job.id}: output {index} has no bytes", provider=provider.name
        )
    if len(data) > env.max_download_bytes:
        raise ProtocolError(
            f"the output of {provider.name} job {job.id} is {len(data)} bytes, more than "
            f"max_download_bytes ({env.max_download_bytes}); nothing was saved",
            provider=provider.name,
        )
    saved: Saved = yield Work(write_file, (target, part, bytes(data)))
    yield Downloaded(
        at=env.now(),
        job=job,
        endpoint=env.endpoint,
        path=saved.path,
        size=saved.size,
        sha256=saved.sha256,
        index=index,
        variant="video",
    )
    if delivery != "off" and expected is not None:
        yield from _check_delivered(env, job, saved.path, expected, delivery)
    return saved.path


def _check_delivered(
    env: Env, job: Job, path: Path, expected: Expected, delivery: DeliveryPolicy
) -> Flow[None]:
    report: DeliveryReport = yield Work(check_delivery, (path, expected))
    if not report.checked:
        log.debug("delivered file not checked: %s", report.note)
        return
    yield DeliveryChecked(
        at=env.now(),
        job=job,
        endpoint=env.endpoint,
        path=path,
        delivered=report.delivered,
        issues=report.issues,
    )
    if not report.issues:
        return
    said = "; ".join(report.issues)
    message = (
        f"{env.provider.name} job {job.id}: the file {path} is not what was asked: {said}. "
        "It is kept and the difference is in the ledger (`vidgen jobs`); check what was billed"
    )
    if delivery == "strict":
        raise DeliveryMismatch(message, job=job, path=path, issues=report.issues)
    log.warning("%s", message)


def _check_budget(env: Env, attempt: int, job: Job, why: str) -> None:
    """Raise when a download that had to start over has used all its tries."""
    if attempt >= env.retry.read_attempts:
        raise ProtocolError(
            f"download of {env.provider.name} job {job.id} failed {attempt} times: {why}. "
            "The part file was dropped; download again later, or report the host's broken "
            "range answers",
            provider=env.provider.name,
        )


def _download_request(provider: Provider, job: Job, index: int, variant: str) -> httpx.Request:
    built = call_parser(
        provider, "output", repr(job.outputs), provider.build_download, job, index, variant
    )
    return _guard(provider, built)


def _fresh_links(env: Env, job: Job) -> Flow[Job]:
    """Read a job again for new output links (`Provider.outputs_refreshable`)."""
    provider = env.provider
    fresh = yield from status_flow(env, job)
    raise_if_failed(fresh)
    if fresh.status is not JobStatus.SUCCEEDED or (
        fresh.expires_at is not None and fresh.expires_at <= env.now()
    ):
        raise ContentExpired(
            f"{provider.name} job {job.id} gave no fresh links to its outputs when read "
            f"again (it is {fresh.status.value}); the provider may have deleted them",
            provider=provider.name,
            hint="Generate the video again, and download it within the provider's retention time",
        )
    log.info("read %s job %s again for fresh output links", provider.name, job.id)
    return fresh


def _download_error(env: Env, response: httpx.Response, job: Job) -> ProviderError:
    provider = env.provider
    error = call_parser(
        provider,
        "download error",
        response.content,
        provider.parse_download_error,
        response,
        job,
        env.now(),
    )
    if not isinstance(error, ProviderError):
        raise ProtocolError(
            f"{provider.name}'s parse_download_error returned {type(error).__name__}, not a "
            "ProviderError; report it to the maintainers of the provider",
            provider=provider.name,
        )
    return error


def _body_plan(response: httpx.Response, offset: int) -> tuple[bool, int | None] | None:
    """Whether the body continues the part file, and the whole file's expected size.

    None when the answer is a partial body that does not start where the part file ends,
    or whose range does not add up.
    """
    headers = response.headers
    if response.status_code == 206:
        match = _CONTENT_RANGE.match(headers.get("content-range", ""))
        if not (offset and match and int(match.group(1)) == offset):
            return None
        last, total = int(match.group(2)), match.group(3)
        if last < offset or (total != "*" and int(total) <= last):
            return None
        return True, int(total) if total != "*" else None
    length = headers.get("content-length", "").strip()
    return False, int(length) if _DIGITS.fullmatch(length) else None
