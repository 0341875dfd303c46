"""`WebhookApp`: a plain ASGI 3 application that receives deliveries for many providers.

Mount it in any ASGI server or framework (uvicorn, Hypercorn, Starlette, FastAPI, ...), or
run it with ``vidgen webhooks serve``. It serves ``POST /{route}`` for each route (a profile
or provider name; see `Route`), and ``POST /{route}/{token}`` as well for providers with
unsigned callbacks (the token is otherwise read from ``?vidgen_token=``).

Answers, with no details that help a forger (the reason is logged on ``vidgen.webhooks``):

======  ===============================================================================
200     a signed delivery was verified and recorded (or a vendor's challenge answered)
202     an unsigned callback's token checked out; its job is read from the API next
400     malformed, stale or replayed
401     a bad signature or token, or a callback for a job the ledger does not know
404     no such route
405     not a POST
413     a body over ``max_body_bytes``
500     the receiver is misconfigured (no secret, no ledger); the sender retries later
======  ===============================================================================

The checks (and their ledger writes) run in a worker thread, so the event loop never
waits on the database. What comes after an accepted delivery runs in the background, on
a small pool of threads the app owns (not on the server's event loop, so it works in any
ASGI server and never holds up an answer): reading an unsigned callback's job from the
API, and with ``download_to``, downloading a finished job's video with
`vidgen.Client.download` (atomic, size-limited, safe output URLs; a job another process
is downloading is skipped). `WebhookApp.close` (called on ASGI lifespan shutdown) stops
taking new work and lets running downloads finish.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import functools
import hashlib
import logging
import os
import re
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import anyio.to_thread
import httpx

from .._callbacks import CALLBACK_TOKEN_PARAM
from .._clock import Clock, system_clock, utcnow
from .._config import Config, load_config
from .._exceptions import JobInUse, VidgenError, WebhookRejected
from .._ledger import Ledger, LedgerEntry, ledger_location
from .._models import Job, JobStatus
from ..provider import Provider
from ._checks import DEFAULT_CALLBACK_WINDOW, Secrets, check_signed, check_token
from ._routes import Route, all_routes, secrets_from_env

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["DEFAULT_MAX_BODY_BYTES", "WebhookApp", "app"]

log = logging.getLogger("vidgen.webhooks")

#: The largest delivery body taken. A Replicate prediction with its logs is the largest
#: kind, at tens of kilobytes; anything near this is not a delivery.
DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
"""The largest delivery body the receiver takes (2 MiB); a larger one is answered 413."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_ANSWERS = {
    200: b'{"ok": true}',
    202: b'{"ok": true}',
    400: b'{"error": "rejected"}',
    401: b'{"error": "unauthorized"}',
    404: b'{"error": "not found"}',
    405: b'{"error": "method not allowed"}',
    413: b'{"error": "body too large"}',
    500: b'{"error": "server error"}',
}


def _route_path(scope: Scope) -> str:
    """The path below where the app is mounted (Starlette's ``Mount`` keeps the whole
    path in ``path`` and the mount point in ``root_path``; ASGI servers may do either)."""
    path = str(scope.get("path") or "/")
    root = str(scope.get("root_path") or "")
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        return path[len(root) :] or "/"
    return path


def _safe_name(text: str) -> str:
    """``text`` as part of a file name: letters, digits, ``-`` and ``_`` only, with a short
    hash when anything had to change (job ids come from the provider)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", text)[:80].strip("_") or "job"
    if safe != text:
        safe += "-" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:10]
    return safe


class WebhookApp:
    """An ASGI application receiving webhooks and callbacks (see the module's docs).

    Args:
        routes: profile names, provider names or provider instances to serve (default:
            every installed provider and every profile whose provider sends deliveries).
        config: the config whose profiles are served (default: the usual search).
        secrets: signing secrets by route name (one, or several while rotating; fal: its
            JWKS). Default for each: ``$<NAME>_WEBHOOK_SECRET``, else the provider's own
            setting.
        ledger: a `vidgen.Ledger`, a path, or True for the default ledger. Required.
        download_to: a folder to save the video of every succeeded job in (as
            ``<route>-<job id>.mp4``), in the background; None to download nothing.
        max_body_bytes: the largest body taken (413 beyond it).
        callback_window: how long after its submit a job's unsigned callbacks are taken.
        workers: threads for the background work.
        clock: the time source for timestamps and the replay window.
        http_client: an ``httpx.Client`` for the background reads and downloads (not
            closed by `close`); default: one of the app's own.

    Raises:
        ConfigError: a route is unknown, sends nothing, or is named twice; the folder or
            the ledger is unusable.
    """

    def __init__(
        self,
        routes: Iterable[str | Provider] | None = None,
        *,
        config: Config | str | os.PathLike[str] | None = None,
        secrets: Mapping[str, Secrets] | None = None,
        ledger: Ledger | str | os.PathLike[str] | bool = True,
        download_to: str | os.PathLike[str] | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        callback_window: dt.timedelta = DEFAULT_CALLBACK_WINDOW,
        workers: int = 2,
        clock: Clock | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        from .._exceptions import ConfigError

        if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int):
            raise ConfigError(f"max_body_bytes must be a number of bytes, not {max_body_bytes!r}")
        if max_body_bytes < 1:
            raise ConfigError(f"max_body_bytes must be 1 or more, not {max_body_bytes}")
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ConfigError(f"workers must be 1 or more, not {workers!r}")
        if ledger is False:
            raise ConfigError(
                "a webhook receiver needs the job ledger: it refuses replayed deliveries and "
                "holds each job's callback token; pass ledger=True, a path or a Ledger"
            )
        self.config: Config = config if isinstance(config, Config) else load_config(config)
        self.clock: Clock = clock or system_clock
        listed: Sequence[str | Provider] | None = None if routes is None else list(routes)
        self.skipped: list[str] = []
        found = all_routes(self.config, listed, skipped=self.skipped)
        self.routes: dict[str, Route] = {route.name: route for route in found}
        self._secrets: dict[str, Secrets] = {}
        unknown = sorted(set(secrets or {}) - set(self.routes))
        if unknown:
            raise ConfigError(
                f"secrets given for {', '.join(unknown)}, which this app does not serve; "
                f"it serves {', '.join(sorted(self.routes)) or 'nothing'}"
            )
        for name, route in self.routes.items():
            given = (secrets or {}).get(name)
            self._secrets[name] = given if given is not None else (secrets_from_env(route) or None)
        self.max_body_bytes = max_body_bytes
        self.callback_window = callback_window
        self.download_to: Path | None = None
        if download_to is not None:
            folder = Path(download_to).expanduser()
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"download_to {str(folder)!r} cannot be used as a folder: {exc.strerror or exc}"
                ) from exc
            self.download_to = folder.resolve()
        if isinstance(ledger, Ledger):
            self.ledger = ledger
            self._owns_ledger = False
        else:
            given_path = None if ledger is True else ledger
            self.ledger = Ledger(ledger_location(given_path, config=self.config), clock=self.clock)
            self._owns_ledger = True
        self._given_http = http_client
        self._own_http: httpx.Client | None = None
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="vidgen-webhooks"
        )
        self._pending: set[concurrent.futures.Future[None]] = set()
        self._lock = threading.Lock()
        self._closed = False

    def __repr__(self) -> str:
        names = ", ".join(sorted(self.routes))
        return f"<WebhookApp routes=[{names}] download_to={self.download_to}>"

    # -- ASGI ------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if kind != "http":
            return
        status, body = await self._handle(scope, receive)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
        ]
        if status == 405:
            headers.append((b"allow", b"POST"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await anyio.to_thread.run_sync(self.close)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _handle(self, scope: Scope, receive: Receive) -> tuple[int, bytes]:
        parts = _route_path(scope).strip("/").split("/")
        route = self.routes.get(parts[0])
        path_token = parts[1] if len(parts) == 2 else None
        if route is None or len(parts) > 2 or (path_token is not None and route.kind != "token"):
            return 404, _ANSWERS[404]
        if scope.get("method") != "POST":
            return 405, _ANSWERS[405]
        headers = httpx.Headers(
            [
                (bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
                for k, v in scope.get("headers", ())
            ]
        )
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            log.warning(
                "%s: refused a body of %s bytes (over %d)",
                route.name,
                declared,
                self.max_body_bytes,
            )
            return 413, _ANSWERS[413]
        body = await self._read_body(receive)
        if body is None:
            log.warning("%s: refused a body over %d bytes", route.name, self.max_body_bytes)
            return 413, _ANSWERS[413]
        query = parse_qs(bytes(scope.get("query_string") or b"").decode("latin-1"))
        given = query.get(CALLBACK_TOKEN_PARAM)
        token = path_token or (given[-1] if given else None)
        try:
            return await anyio.to_thread.run_sync(
                functools.partial(self._take, route, headers, body, token)
            )
        except WebhookRejected as exc:
            log.warning("refused a %s delivery (%s): %s", route.name, exc.reason, exc)
            status = exc.status_code if exc.status_code in (400, 401, 404) else 400
            return status, _ANSWERS[status]
        except VidgenError as exc:
            log.error("could not take a %s delivery: %s", route.name, exc)
            return 500, _ANSWERS[500]
        except Exception:
            log.exception("could not take a %s delivery", route.name)
            return 500, _ANSWERS[500]

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The request's body, or None once it grows over the limit (reading stops)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message.get("type") == "http.disconnect":
                break
            chunk = bytes(message.get("body") or b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)

    # -- the work, in a worker thread -------------------------------------------------------

    def _take(
        self, route: Route, headers: httpx.Headers, body: bytes, token: str | None
    ) -> tuple[int, bytes]:
        """Check a delivery; on success, queue what comes after it; the answer."""
        answer = route.provider.answer_challenge(headers, body)
        if answer is not None:
            log.info("%s: answered the callback challenge", route.name)
            return 200, answer
        now = utcnow(self.clock)
        if route.kind == "signed":
            job = check_signed(
                route,
                headers,
                body,
                secret=self._secrets.get(route.name),
                ledger=self.ledger,
                now=now,
            )
            log.info("%s: %s", route.name, job.describe())
            if job.status is JobStatus.SUCCEEDED and self.download_to is not None:
                self._submit(functools.partial(self._download_job, route, job))
            return 200, _ANSWERS[200]
        hint, entry = check_token(
            route,
            headers,
            body,
            token=token,
            ledger=self.ledger,
            now=now,
            window=self.callback_window,
        )
        log.info("%s: a callback for job %s; reading it from the API", route.name, hint.id)
        self._submit(functools.partial(self._reread_job, route, entry, hint))
        return 202, _ANSWERS[202]

    def _submit(self, work: Callable[[], None]) -> None:
        with self._lock:
            if self._closed:
                log.warning("the webhook app is closed; background work dropped")
                return
            future = self._executor.submit(self._guarded, work)
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: concurrent.futures.Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    @staticmethod
    def _guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except JobInUse as exc:
            log.info("%s", exc)
        except VidgenError as exc:
            log.warning("webhook follow-up failed: %s", exc)
        except Exception:
            log.exception("webhook follow-up failed")

    def _http(self) -> httpx.Client:
        if self._given_http is not None:
            return self._given_http
        with self._lock:
            if self._own_http is None:
                self._own_http = httpx.Client(
                    timeout=httpx.Timeout(60.0, connect=10.0), follow_redirects=False
                )
            return self._own_http

    def client_for(self, route: Route) -> Client:
        """A client for a route's provider, on the app's ledger, clock and connections."""
        from .._client import Client

        return Client(
            provider=route.provider,
            config=self.config,
            ledger=self.ledger,
            clock=self.clock,
            http_client=self._http(),
        )

    def _reread_job(self, route: Route, entry: LedgerEntry, hint: Job) -> None:
        from ._receive import reread

        with self.client_for(route) as client:
            job = reread(route, entry, hint, client=client, ledger=self.ledger)
            log.info("%s: %s", route.name, job.describe())
            if job.status is JobStatus.SUCCEEDED and self.download_to is not None:
                self._save(route, job, client)

    def _download_job(self, route: Route, job: Job) -> None:
        with self.client_for(route) as client:
            self._save(route, job, client)

    def _save(self, route: Route, job: Job, client: Client) -> None:
        assert self.download_to is not None
        provider = route.provider
        entry = self.ledger.find(provider.name, provider.endpoint, job.id)
        if entry is None:
            log.info(
                "%s job %s is not in the ledger (not submitted through vidgen); not downloaded",
                route.name,
                job.id,
            )
            return
        if entry.downloaded:
            log.info("%s job %s was downloaded already (%s)", route.name, job.id, entry.output_path)
            return
        target = self.download_to / f"{_safe_name(route.name)}-{_safe_name(job.id)}.mp4"
        if target.exists():
            log.info("%s job %s: %s exists; not downloaded again", route.name, job.id, target)
            return
        saved = client.download(job, target)
        log.info("%s job %s saved to %s", route.name, job.id, saved)

    # -- lifetime ------------------------------------------------------------------------

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the background work queued so far is done; False on a timeout."""
        with self._lock:
            pending = list(self._pending)
        _, not_done = concurrent.futures.wait(pending, timeout=timeout)
        return not not_done

    def close(self) -> None:
        """Stop taking background work, let running work finish, and close what the app
        opened (its ledger, its connections). Called on ASGI lifespan shutdown."""
        with self._lock:
            self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._own_http is not None:
            self._own_http.close()
            self._own_http = None
        if self._owns_ledger:
            self.ledger.close()

    def __enter__(self) -> WebhookApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def app(
    routes: Iterable[str | Provider] | None = None,
    *,
    config: Config | str | os.PathLike[str] | None = None,
    secrets: Mapping[str, Secrets] | None = None,
    ledger: Ledger | str | os.PathLike[str] | bool = True,
    download_to: str | os.PathLike[str] | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    callback_window: dt.timedelta = DEFAULT_CALLBACK_WINDOW,
    workers: int = 2,
    clock: Clock | None = None,
    http_client: httpx.Client | None = None,
) -> WebhookApp:
    """The ASGI app that receives deliveries: ``WebhookApp(...)`` (see it for the arguments).

    Example, in a FastAPI (or Starlette) application::

        from vidgen import webhooks
        api.mount("/hooks", webhooks.app(download_to="videos"))
    """
    return WebhookApp(
        routes,
        config=config,
        secrets=secrets,
        ledger=ledger,
        download_to=download_to,
        max_body_bytes=max_body_bytes,
        callback_window=callback_window,
        workers=workers,
        clock=clock,
        http_client=http_client,
    )
