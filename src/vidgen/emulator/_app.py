"""The emulator as a plain ASGI application: routing, admin endpoints, callbacks."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import httpx

from ..media._deps import video_available
from ._aivideoapi import AivideoapiProtocol
from ._azure import AzureJobsProtocol
from ._faults import PROTOCOL_NAMES, Fault
from ._http import (
    Answer,
    BadRequest,
    JsonAnswer,
    Receive,
    Request,
    Scope,
    Send,
    new_request_id,
    read_request,
    send_answer,
)
from ._jobs import JobRecord, ModelProfile, Timing
from ._protocol import ProtocolHandler
from ._service import Service
from ._stats import Stats
from ._videos import AzureVideosProtocol, VideosProtocol

__all__ = ["PROTOCOLS", "EmulatorApp"]

#: Every protocol the emulator speaks.
PROTOCOLS: tuple[str, ...] = PROTOCOL_NAMES
ADMIN = "/_emulator"
#: How often (in real seconds) finished jobs are checked for callbacks and pre-renders.
_TICK = 0.1
_CALLBACK_TIMEOUT = 10.0

logger = logging.getLogger("vidgen.emulator")


def _is_loopback(url: str) -> bool:
    host = httpx.URL(url).host
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _record_json(record: JobRecord, service: Service) -> dict[str, Any]:
    state = service.state(record)
    return {**attrs.asdict(record), "state": attrs.asdict(state)}


class EmulatorApp:
    """A local emulator of video-generation APIs, as an ASGI 3 application.

    Serve it with any ASGI server, or let `Emulator` (a background thread) or `serve`
    (the foreground) run it with uvicorn. Paths:

    * ``/v1/videos...``: OpenAI's Videos API (``openai``).
    * ``/openai/v1/video/generations...`` and ``/openai/v1/videos...``: Azure (``azure``).
    * ``/aivideoapi/v1/...`` and ``/_files/aivideoapi/...``: aivideoapi (``aivideoapi``).
    * ``/_emulator/...``: stats, faults, jobs and health, for tests.

    Args:
        protocols: the protocols to speak; the others' paths answer 404.
        speed: emulated seconds per second of ``clock`` (10 makes jobs ten times faster).
        clock: the emulator's clock (default `time.time`); inject one to move time by hand.
        timing: how long jobs take, in emulated seconds.
        models: model id to `ModelProfile` (audio, fps, accepted durations and sizes),
            on top of the built-in table.
        default_model: the profile of models not in the table.
        faults: scripted faults, matched in order.
        state_dir: a folder to keep jobs (JSON, written atomically) and rendered files
            in, so another emulator on the same folder carries on with them.
        api_key: the key clients must send; None accepts any key, or none.
        public_url: the origin to use in output URLs (default: the one the client used).
        prerender: render each video as soon as its job completes, not on first download.
        max_running: refuse a submit (429) while this many jobs are unfinished, as a
            vendor's per-account concurrency cap does; None for no cap.
    """

    def __init__(
        self,
        *,
        protocols: Iterable[str] = PROTOCOLS,
        speed: float = 1.0,
        clock: Callable[[], float] | None = None,
        timing: Timing | None = None,
        models: Mapping[str, ModelProfile] | None = None,
        default_model: ModelProfile | None = None,
        faults: Iterable[Fault] = (),
        state_dir: str | Path | None = None,
        api_key: str | None = None,
        public_url: str | None = None,
        prerender: bool = False,
        max_running: int | None = None,
    ) -> None:
        chosen = tuple(protocols)
        unknown = sorted(set(chosen) - set(PROTOCOLS))
        if unknown or not chosen:
            raise ValueError(
                f"unknown protocol(s) {', '.join(unknown) or '(none given)'}; "
                f"the emulator speaks {', '.join(PROTOCOLS)}"
            )
        self.protocols = chosen
        self.service = Service(
            clock=clock or time.time,
            speed=speed,
            timing=timing or Timing(),
            models=dict(models or {}),
            default_model=default_model or ModelProfile(),
            faults=tuple(faults),
            state_dir=Path(state_dir) if state_dir is not None else None,
            api_key=api_key,
            max_running=max_running,
        )
        self.prerender = prerender
        handlers: list[ProtocolHandler] = []
        if "openai" in chosen:
            handlers.append(VideosProtocol(self.service, public_url))
        if "azure" in chosen:
            handlers += [
                AzureJobsProtocol(self.service, public_url),
                AzureVideosProtocol(self.service, public_url),
            ]
        self._aivideoapi: AivideoapiProtocol | None = None
        if "aivideoapi" in chosen:
            self._aivideoapi = AivideoapiProtocol(self.service, public_url)
            handlers.append(self._aivideoapi)
        self._handlers = tuple(handlers)
        self._ticker: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._rendering: set[str] = set()

    # -- the Python API behind Emulator -----------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        """Add a fault (matched after the existing ones)."""
        self.service.faults.add(fault)

    def clear_faults(self) -> None:
        """Remove every fault."""
        self.service.faults.clear()

    def faults(self) -> tuple[Fault, ...]:
        """The faults not used up, with the uses each has left."""
        return self.service.faults.active()

    def stats(self) -> Stats:
        """What the emulator has counted."""
        return self.service.counters.snapshot()

    def reset_stats(self) -> None:
        """Start counting again from zero."""
        self.service.counters.reset()

    def close(self) -> None:
        """Stop render threads; remove temporary renders (not those in ``state_dir``)."""
        self.service.close()

    # -- ASGI -------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets
        self._ensure_ticker()
        request = await read_request(scope, receive)
        request_id = new_request_id()
        if request is None:
            answer: Answer = JsonAnswer(
                status=413,
                body={
                    "error": {
                        "message": "The request body is too large.",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": None,
                    }
                },
            )
            await send_answer(answer, send, {"x-request-id": request_id})
            return
        handler: ProtocolHandler | None = None
        try:
            if request.path == ADMIN or request.path.startswith(ADMIN + "/"):
                answer = self._admin(request)
            else:
                self.service.counters.request()
                answer, handler = await self._route(request)
        except Exception:
            # Never a traceback to the client: log it here, answer a clean 500.
            logger.exception("emulator failed on %s %s", request.method, request.path)
            message = "The emulator failed while answering this request; see its log."
            answer = (
                handler.error(500, message, "server_error")
                if handler is not None
                else JsonAnswer(
                    status=500,
                    body={
                        "error": {
                            "message": message,
                            "type": "server_error",
                            "param": None,
                            "code": None,
                        }
                    },
                )
            )
        names = handler.request_id_headers if handler is not None else ("x-request-id",)
        await send_answer(answer, send, dict.fromkeys(names, request_id), receive)

    async def _route(self, request: Request) -> tuple[Answer, ProtocolHandler | None]:
        for handler in self._handlers:
            try:
                answer = await handler.handle(request)
            except BadRequest as exc:
                answer = handler.error(400, f"The request could not be read: {exc}", "bad_json")
            if answer is not None:
                return answer, handler
        return (
            JsonAnswer(
                status=404,
                body={
                    "error": {
                        "message": f"Invalid URL ({request.method} {request.path}); the emulator "
                        f"speaks {', '.join(self.protocols)}",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": None,
                    }
                },
            ),
            None,
        )

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._ensure_ticker()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._stop_ticker()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- admin endpoints --------------------------------------------------------------------

    def _admin(self, request: Request) -> Answer:
        path, method = request.path[len(ADMIN) :], request.method
        if path == "/health" and method == "GET":
            return JsonAnswer(
                status=200,
                body={
                    "status": "ok",
                    "protocols": list(self.protocols),
                    "video": video_available(),
                },
            )
        if path == "/stats" and method == "GET":
            return JsonAnswer(status=200, body=self.stats().to_dict())
        if (path == "/stats" and method == "DELETE") or (
            path == "/stats/reset" and method == "POST"
        ):
            self.reset_stats()
            return JsonAnswer(status=200, body={"reset": True})
        if path == "/faults" and method == "GET":
            return JsonAnswer(status=200, body={"faults": [f.to_dict() for f in self.faults()]})
        if path == "/faults" and method == "DELETE":
            self.clear_faults()
            return JsonAnswer(status=200, body={"faults": []})
        if path == "/faults" and method == "POST":
            return self._add_faults(request)
        if path == "/jobs" and method == "GET":
            records = self.service.jobs.all()
            return JsonAnswer(
                status=200, body={"jobs": [_record_json(r, self.service) for r in records]}
            )
        return JsonAnswer(
            status=404,
            body={
                "error": {
                    "message": f"no admin endpoint {method} {request.path}",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": None,
                }
            },
        )

    def _add_faults(self, request: Request) -> Answer:
        try:
            body = request.json()
            items = body if isinstance(body, list) else [body]
            if not all(isinstance(item, dict) for item in items):
                raise ValueError("send a fault object or a list of them")
            faults = [Fault.from_dict(item) for item in items]
        except (BadRequest, ValueError) as exc:
            return JsonAnswer(
                status=400,
                body={
                    "error": {
                        "message": str(exc),
                        "type": "invalid_request_error",
                        "param": None,
                        "code": "invalid_fault",
                    }
                },
            )
        for fault in faults:
            self.add_fault(fault)
        return JsonAnswer(status=201, body={"faults": [f.to_dict() for f in faults]})

    # -- background work: callbacks and pre-renders -----------------------------------------

    def _ensure_ticker(self) -> None:
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.get_running_loop().create_task(self._tick_forever())

    async def _stop_ticker(self) -> None:
        tasks = [task for task in (self._ticker, *self._tasks) if task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._ticker = None

    async def _tick_forever(self) -> None:
        while True:
            try:
                self._tick()
            except Exception:  # a bad record must not stop callbacks for the others
                logger.exception("emulator background check failed")
            await asyncio.sleep(_TICK)

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _tick(self) -> None:
        if self._aivideoapi is None and not self.prerender:
            return  # nothing to do in the background
        service = self.service
        for record in service.jobs.loaded():
            state = None
            if record.callback_url and not record.callback_sent and self._aivideoapi is not None:
                state = service.state(record)
                if state.done:
                    service.mark_callback_sent(record)
                    body = self._aivideoapi.task_body(record, state)
                    self._spawn(self._call_back(record.callback_url, body))
            if self.prerender and record.id not in self._rendering:
                state = state or service.state(record)
                if state.status == "completed":
                    self._rendering.add(record.id)
                    for output in record.outputs:
                        self._spawn(self._prerender(record, output))

    async def _prerender(self, record: JobRecord, output: str) -> None:
        with contextlib.suppress(Exception):  # a missing extra shows on download instead
            await self.service.render(record, output, "video")

    async def _call_back(self, url: str, body: dict[str, Any]) -> None:
        if not _is_loopback(url):
            # The emulator is a local test server: it posts only to this machine.
            logger.warning("not calling back %s: the emulator only calls loopback addresses", url)
            self.service.counters.callback(False)
            return
        try:
            async with httpx.AsyncClient(timeout=_CALLBACK_TIMEOUT) as client:
                await client.post(url, json=body)
        except httpx.HTTPError as exc:
            logger.warning("callback to %s failed: %s", url, exc)
            self.service.counters.callback(False)
        else:
            self.service.counters.callback(True)
