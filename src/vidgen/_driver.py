"""Carrying out a flow's actions: the only code that sends, sleeps and writes downloads.

`SyncDriver` and `AsyncDriver` run the same flows (`_lifecycle`, `_download`, `_film`);
they differ only in how they send, sleep, stream a body to disk and do slow file work.
Events go to a journal (the client's ledger adapter), whose answer goes back into the flow.
What a run holds (claims on jobs, locks on part files) is given back when it ends, however
it ends.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Protocol, TypeVar

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
from ._events import Event
from ._exceptions import JobInUse, VidgenError
from ._files import AtomicFile, Saved, storage_error
from ._lifecycle import HTTPX_ERRORS, Flow, translate_http_error
from ._limits import SLOTS
from ._locks import PartLock
from ._models import Job

__all__ = ["AsyncDriver", "Claims", "Journal", "SyncDriver"]

T = TypeVar("T")

#: Where events go; returns the answer the flow gets back (a ledger number, or None).
Journal = Callable[[Event], Any]


class Claims(Protocol):
    """Who is finishing which job (the client's ledger, or nobody without one)."""

    def claim(self, job: Job, endpoint: str) -> Any:
        """Claim ``job``; a handle, or None when there is nothing to claim.

        Raises:
            JobInUse: another process holds it.
        """
        ...

    def release(self, claim: Any) -> None:
        """Give a claim back."""
        ...


class _Held(Protocol):
    def release(self) -> None: ...


class _Claim:
    def __init__(self, claims: Claims, handle: Any, key: tuple[str, str, str]) -> None:
        self.claims, self.handle, self.key = claims, handle, key

    def release(self) -> None:
        self.claims.release(self.handle)


def _held_already(action: LockPart | ClaimJob, held: list[_Held]) -> bool:
    """A run that holds a claim on this job (its wait, then its download) needs no second."""
    if not isinstance(action, ClaimJob):
        return False
    key = (action.job.provider, action.endpoint, action.job.id)
    return any(isinstance(h, _Claim) and h.key == key for h in held)


def _hold(action: LockPart | ClaimJob, claims: Claims, held: list[_Held]) -> None:
    if isinstance(action, ClaimJob):
        handle = claims.claim(action.job, action.endpoint)
        if handle is not None:
            key = (action.job.provider, action.endpoint, action.job.id)
            held.append(_Claim(claims, handle, key))
        return
    _lock(action, held)


def _lock(action: LockPart, held: list[_Held]) -> None:
    lock = PartLock.acquire(action.part)
    if lock is None:
        raise JobInUse(
            f"job {action.job_id} is being downloaded to {action.part.parent} by another "
            "process right now; skipped (it is free again once that process ends)",
            job_id=action.job_id,
        )
    held.append(lock)


class _Slot:
    """One in-flight slot of an account, held by a run (see `_limits`)."""

    def __init__(self, account: str, release: Callable[[], Any]) -> None:
        self.account = account
        self._release = release

    def release(self) -> None:
        self._release()


def _holds_slot(held: list[_Held], account: str) -> bool:
    return any(isinstance(h, _Slot) and h.account == account for h in held)


def _give_back(held: list[_Held], account: str) -> None:
    for position, h in enumerate(held):
        if isinstance(h, _Slot) and h.account == account:
            del held[position]
            h.release()
            return


def _release(held: list[_Held]) -> None:
    while held:
        held.pop().release()


#: Body bytes an async download gathers before handing them to a thread to write.
_WRITE_BATCH = 1024 * 1024


def _part_size(action: PartSize | DropPart) -> int:
    try:
        if isinstance(action, DropPart):
            action.part.unlink(missing_ok=True)
            return 0
        return action.part.stat().st_size
    except FileNotFoundError:
        return 0
    except OSError as exc:
        raise storage_error(exc, action.part, target=action.part, saved=0) from exc


def _sink(action: SaveBody) -> AtomicFile:
    return AtomicFile(
        action.target,
        action.part,
        append=action.append,
        expected_bytes=action.expected_bytes,
        max_bytes=action.max_bytes,
    )


def _raw_chunks(response: httpx.Response) -> Iterator[bytes]:
    """The body as it came over the wire (never decoded: sizes and offsets are the server's)."""
    if response.is_stream_consumed:
        # Read before it got here (a mock transport's answer). The flow refuses encoded
        # bodies, so what was read is what was sent.
        yield response.content
        return
    yield from response.iter_raw()


async def _araw_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The async twin of `_raw_chunks`."""
    if response.is_stream_consumed:
        yield response.content
        return
    async for chunk in response.aiter_raw():
        yield chunk


class SyncDriver:
    """Runs flows with an ``httpx.Client`` and a blocking sleep."""

    def __init__(
        self,
        http: httpx.Client,
        sleep: Callable[[float], Any],
        journal: Journal,
        claims: Claims,
    ) -> None:
        self.http = http
        self.sleep = sleep
        self.journal = journal
        self.claims = claims

    def run(self, flow: Flow[T], provider: str) -> T:
        """Drive ``flow`` to its end; I/O failures are thrown back into it as vidgen errors."""
        result: Any = None
        error: VidgenError | None = None
        held: list[_Held] = []
        try:
            while True:
                try:
                    action = flow.throw(error) if error is not None else flow.send(result)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                result, error = None, None
                if isinstance(action, Event):
                    # Not I/O: a ledger that cannot record stops everything, never to be
                    # mistaken by a flow for an answer (a route would submit elsewhere).
                    result = self.journal(action)
                    continue
                if isinstance(action, (LockPart, ClaimJob)):
                    if not _held_already(action, held):
                        _hold(action, self.claims, held)  # held elsewhere: stop, do not retry
                    continue
                if isinstance(action, TakeSlot):
                    if not _holds_slot(held, action.account):
                        semaphore = SLOTS.for_thread(action.account, action.limit)
                        semaphore.acquire()
                        held.append(_Slot(action.account, semaphore.release))
                    continue
                if isinstance(action, ReleaseSlot):
                    _give_back(held, action.account)
                    continue
                if isinstance(action, Work):
                    result = action.function(*action.args)
                    continue
                try:
                    result = self._do(action, provider)
                except VidgenError as exc:
                    # The flow decides: a read retries a transport error, a submit records
                    # that its outcome is unknown, a download keeps its part file.
                    error = exc
        finally:
            _release(held)

    def _do(self, action: Any, provider: str) -> Any:
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
        except HTTPX_ERRORS as exc:
            raise translate_http_error(exc, provider) from exc
        raise TypeError(f"unknown action {action!r}")

    def _save(self, action: SaveBody) -> Saved:
        try:
            sink = _sink(action)
            try:
                for chunk in _raw_chunks(action.response):
                    sink.write(chunk)
            except BaseException:
                sink.keep()  # resumable: the next try asks for the rest
                raise
        finally:
            action.response.close()
        return sink.commit()


class AsyncDriver:
    """Runs flows with an ``httpx.AsyncClient`` and an awaitable sleep."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        sleep: Callable[[float], Awaitable[Any] | Any],
        journal: Journal,
        claims: Claims,
    ) -> None:
        self.http = http
        self.sleep = sleep
        self.journal = journal
        self.claims = claims

    async def run(self, flow: Flow[T], provider: str) -> T:
        """Drive ``flow`` to its end; I/O failures are thrown back into it as vidgen errors."""
        result: Any = None
        error: VidgenError | None = None
        held: list[_Held] = []
        try:
            while True:
                try:
                    action = flow.throw(error) if error is not None else flow.send(result)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                result, error = None, None
                if isinstance(action, Event):
                    # The ledger writes and syncs to disk: off the event loop. A ledger
                    # failure stops everything (see SyncDriver).
                    result = await asyncio.to_thread(self.journal, action)
                    continue
                if isinstance(action, (LockPart, ClaimJob)):
                    if not _held_already(action, held):
                        await asyncio.to_thread(_hold, action, self.claims, held)
                    continue
                if isinstance(action, TakeSlot):
                    if not _holds_slot(held, action.account):
                        semaphore = SLOTS.for_loop(action.account, action.limit)
                        await semaphore.acquire()
                        held.append(_Slot(action.account, semaphore.release))
                    continue
                if isinstance(action, ReleaseSlot):
                    _give_back(held, action.account)
                    continue
                if isinstance(action, Work):
                    # Decoding and encoding video is slow: never on the event loop.
                    result = await asyncio.to_thread(action.function, *action.args)
                    continue
                try:
                    result = await self._do(action, provider)
                except VidgenError as exc:
                    error = exc
        finally:
            # Claims and part-file locks are released in a thread; slots at once.
            slots: list[_Held] = [h for h in held if isinstance(h, _Slot)]
            others: list[_Held] = [h for h in held if not isinstance(h, _Slot)]
            _release(slots)
            if others:
                await asyncio.shield(asyncio.to_thread(_release, others))

    async def _do(self, action: Any, provider: str) -> Any:
        if isinstance(action, (PartSize, DropPart)):
            return await asyncio.to_thread(_part_size, action)
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
        except HTTPX_ERRORS as exc:
            raise translate_http_error(exc, provider) from exc
        raise TypeError(f"unknown action {action!r}")

    async def _save(self, action: SaveBody) -> Saved:
        # File writes, hashing and the final fsync run in a thread, in batches, so a
        # large download never holds up the other jobs on the loop.
        try:
            sink = await asyncio.to_thread(_sink, action)
            try:
                batch: list[bytes] = []
                size = 0
                async for chunk in _araw_chunks(action.response):
                    batch.append(chunk)
                    size += len(chunk)
                    if size >= _WRITE_BATCH:
                        await asyncio.to_thread(_write_all, sink, batch)
                        batch, size = [], 0
                if batch:
                    await asyncio.to_thread(_write_all, sink, batch)
            except BaseException:
                sink.keep()  # resumable: the next try asks for the rest
                raise
        finally:
            await action.response.aclose()
        return await asyncio.to_thread(sink.commit)


def _write_all(sink: AtomicFile, chunks: list[bytes]) -> None:
    for chunk in chunks:
        sink.write(chunk)
