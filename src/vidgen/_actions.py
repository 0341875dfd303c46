"""The I/O a flow asks its client to do: send, sleep, stream a body to disk.

A flow yields one of these and receives the result; `vidgen.Client` and
`vidgen.AsyncClient` carry them out (see `_driver`). Events (`_events`) are yielded the
same way and go to the ledger.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import httpx

from ._models import Job

__all__ = [
    "ClaimJob",
    "CloseStream",
    "DropPart",
    "LockPart",
    "OpenStream",
    "PartSize",
    "ReadBody",
    "ReleaseSlot",
    "SaveBody",
    "Send",
    "Sleep",
    "TakeSlot",
    "Work",
]


@attrs.frozen
class Send:
    """Send a request; the result is the response with its body read."""

    request: httpx.Request


def _finite(_: Any, __: Any, value: float) -> None:
    # asyncio.sleep(nan) never returns and time.sleep(nan) raises: a flow that computed
    # such a delay has a bug, and it should surface here, not as a hung wait.
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"a flow asked to sleep {value!r} seconds; delays must be finite")


@attrs.frozen
class Sleep:
    """Wait ``seconds`` (finite, never negative); the result is None."""

    seconds: float = attrs.field(validator=_finite)


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

    The bytes saved are the ones on the wire (never decoded), so sizes and ``Range``
    offsets mean the same thing to vidgen and the server. Nothing appears under ``target``
    unless the whole body arrived; ``expected_bytes`` (the whole file's size) is checked
    when known, and no more than ``max_bytes`` are accepted. With ``append`` the body
    continues the bytes already in ``part`` (a ranged response). If the stream breaks or
    the disk fills up, ``part`` is kept so the next try resumes.
    """

    response: httpx.Response
    target: Path
    part: Path
    append: bool
    expected_bytes: int | None
    max_bytes: int | None = None


@attrs.frozen
class PartSize:
    """How many bytes the part file already holds (0 when there is none)."""

    part: Path


@attrs.frozen
class DropPart:
    """Delete the part file (it cannot be resumed)."""

    part: Path


@attrs.frozen
class LockPart:
    """Take this process's exclusive lock on the part file, held until the flow ends.

    The result is None; `vidgen.JobInUse` is raised when another process holds it.
    """

    part: Path
    job_id: str


@attrs.frozen
class ClaimJob:
    """Claim a job this run is about to wait on or download; held until the flow ends.

    The result is None; `vidgen.JobInUse` is raised when another process holds it. A
    client without a ledger has nothing to claim.
    """

    job: Job
    endpoint: str


@attrs.frozen
class Work:
    """Work on files that takes a while (read a video's last frame, join clips, probe a
    file): the result is ``function(*args)``. An async client runs it off its event loop."""

    function: Callable[..., Any]
    args: tuple[Any, ...] = ()


@attrs.frozen
class TakeSlot:
    """Take one of the ``limit`` slots of an account before working on a job there; held
    until the flow ends (the result is None). When every slot is taken, the flow waits in
    vidgen for one to free, rather than meet the vendor's concurrency error. A flow that
    already holds the account's slot takes no second one.
    """

    account: str
    limit: int


@attrs.frozen
class ReleaseSlot:
    """Give back this flow's slot of ``account`` early (a route moving to the next
    vendor); the result is None. Nothing happens when the flow holds none."""

    account: str
