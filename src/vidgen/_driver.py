"""Carrying out a flow's actions: the only code that sends, sleeps and writes downloads.

`SyncDriver` and `AsyncDriver` run the same flows (`_lifecycle`, `_download`); they differ
only in how they send, sleep and stream a body to disk. Events go to a journal (the
client's ledger adapter), whose answer goes back into the flow.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from ._actions import (
    CloseStream,
    DropPart,
    LockPart,
    OpenStream,
    PartSize,
    ReadBody,
    SaveBody,
    Send,
    Sleep,
)
from ._events import Event
from ._exceptions import JobInUse, TransportError
from ._files import AtomicFile, Saved
from ._lifecycle import Flow, translate_transport_error
from ._locks import PartLock

__all__ = ["AsyncDriver", "Journal", "SyncDriver"]

T = TypeVar("T")

#: Where events go; returns the answer the flow gets back (a ledger number, or None).
Journal = Callable[[Event], Any]


def _lock(action: LockPart, held: list[PartLock]) -> None:
    lock = PartLock.acquire(action.part)
    if lock is None:
        raise JobInUse(
            f"job {action.job_id} is being downloaded to {action.part.parent} by another "
            "process right now; skipped (it is free again once that process ends)",
            job_id=action.job_id,
        )
    held.append(lock)


def _release(held: list[PartLock]) -> None:
    while held:
        held.pop().release()


def _part_size(action: PartSize | DropPart) -> int:
    if isinstance(action, DropPart):
        action.part.unlink(missing_ok=True)
        return 0
    try:
        return action.part.stat().st_size
    except FileNotFoundError:
        return 0


class SyncDriver:
    """Runs flows with an ``httpx.Client`` and a blocking sleep."""

    def __init__(self, http: httpx.Client, sleep: Callable[[float], Any], journal: Journal) -> None:
        self.http = http
        self.sleep = sleep
        self.journal = journal

    def run(self, flow: Flow[T], provider: str) -> T:
        """Drive ``flow`` to its end; transport failures are thrown back into it."""
        result: Any = None
        error: TransportError | None = None
        held: list[PartLock] = []
        try:
            while True:
                try:
                    action = flow.throw(error) if error is not None else flow.send(result)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                result, error = None, None
                try:
                    result = self._do(action, provider, held)
                except TransportError as exc:
                    error = exc
        finally:
            _release(held)

    def _do(self, action: Any, provider: str, held: list[PartLock]) -> Any:
        if isinstance(action, LockPart):
            return _lock(action, held)
        if isinstance(action, Event):
            return self.journal(action)
        if isinstance(action, (PartSize, DropPart)):
            return _part_size(action)
        if isinstance(action, Sleep):
            self.sleep(action.seconds)
            return None
        if isinstance(action, CloseStream):
            action.response.close()
            return None
        try:
            # Redirects are followed by the flows, which keep credentials home; never by
            # httpx, whatever the http_client passed in is configured to do.
            if isinstance(action, Send):
                return self.http.send(action.request, follow_redirects=False)
            if isinstance(action, OpenStream):
                return self.http.send(action.request, stream=True, follow_redirects=False)
            if isinstance(action, ReadBody):
                action.response.read()
                action.response.close()
                return action.response
            if isinstance(action, SaveBody):
                return self._save(action)
        except httpx.TransportError as exc:
            raise translate_transport_error(exc, provider) from exc
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


class AsyncDriver:
    """Runs flows with an ``httpx.AsyncClient`` and an awaitable sleep."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        sleep: Callable[[float], Awaitable[Any] | Any],
        journal: Journal,
    ) -> None:
        self.http = http
        self.sleep = sleep
        self.journal = journal

    async def run(self, flow: Flow[T], provider: str) -> T:
        """Drive ``flow`` to its end; transport failures are thrown back into it."""
        result: Any = None
        error: TransportError | None = None
        held: list[PartLock] = []
        try:
            while True:
                try:
                    action = flow.throw(error) if error is not None else flow.send(result)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                result, error = None, None
                try:
                    result = await self._do(action, provider, held)
                except TransportError as exc:
                    error = exc
        finally:
            _release(held)

    async def _do(self, action: Any, provider: str, held: list[PartLock]) -> Any:
        if isinstance(action, LockPart):
            return _lock(action, held)
        if isinstance(action, Event):
            return self.journal(action)
        if isinstance(action, (PartSize, DropPart)):
            return _part_size(action)
        if isinstance(action, Sleep):
            outcome = self.sleep(action.seconds)
            if inspect.isawaitable(outcome):
                await outcome
            return None
        if isinstance(action, CloseStream):
            await action.response.aclose()
            return None
        try:
            if isinstance(action, Send):
                return await self.http.send(action.request, follow_redirects=False)
            if isinstance(action, OpenStream):
                return await self.http.send(action.request, stream=True, follow_redirects=False)
            if isinstance(action, ReadBody):
                await action.response.aread()
                await action.response.aclose()
                return action.response
            if isinstance(action, SaveBody):
                return await self._save(action)
        except httpx.TransportError as exc:
            raise translate_transport_error(exc, provider) from exc
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
