"""The download flow: one output of a finished job, to a file, atomically and resumably.

Credentials go only to the provider's own API: an output URL on any other host is fetched
without them, and only over https. A broken download keeps its part file and resumes with
``Range``; a part file that does not fit what the server has is dropped and started over.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx

from ._actions import (
    CloseStream,
    DropPart,
    LockPart,
    OpenStream,
    PartSize,
    ReadBody,
    SaveBody,
    Sleep,
)
from ._events import Downloaded
from ._exceptions import ContentExpired, ProtocolError, TransportError, UnsupportedRequest
from ._files import Saved, part_path
from ._lifecycle import Env, Flow, raise_if_failed, server_delay, should_retry, status_flow
from ._models import Job, JobStatus
from .provider import Provider, same_origin

__all__ = ["download_flow"]

log = logging.getLogger("vidgen")

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
    if job.expires_at is not None and job.expires_at <= env.now():
        raise ContentExpired(
            f"the outputs of {provider.name} job {job.id} expired at "
            f"{job.expires_at.isoformat()}; the provider has deleted them",
            provider=provider.name,
            hint="Generate the video again, and download it within the provider's retention time",
        )
    original = _guard(provider, provider.build_download(job, index=index, variant=variant))
    part = part_path(target, f"{provider.name}/{job.id}/{index}/{variant}")
    # Two processes finishing one job must not write one file: the second one stops here.
    yield LockPart(part, job.id)
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
                if attempt < env.retry.read_attempts and should_retry(response):
                    yield Sleep(server_delay(env, response, attempt))
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
