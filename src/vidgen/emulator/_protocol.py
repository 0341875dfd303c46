"""What every emulated protocol shares: errors by kind, auth, faults, content delivery.

A protocol subclass says how its errors look (`ProtocolHandler.error`), how a client
authenticates, and which paths it answers; faults, counters and the delivery of rendered
files work the same way for all of them.
"""

from __future__ import annotations

import abc
import asyncio
import math
import re
from collections.abc import Mapping
from typing import ClassVar, Literal

from .._exceptions import ConfigError
from ._faults import ANSWER_KINDS, DOWNLOAD_KINDS, Fault
from ._http import Answer, BytesAnswer, FileAnswer, JsonAnswer, Request
from ._jobs import JobRecord
from ._renders import Variant
from ._service import Service

ErrorKind = Literal[
    "bad_json",
    "invalid_request",
    "invalid_type",
    "invalid_value",
    "missing",
    "unauthorized",
    "not_found",
    "not_ready",
    "rate_limit",
    "server_error",
    "expired",
    "unsupported",
    "video_extra",
]

_SIZE = re.compile(r"^(\d{1,5})x(\d{1,5})$")
#: The emulator's bounds for any size (models may narrow them with `ModelProfile.sizes`).
MIN_SIDE, MAX_SIDE = 16, 3840
MAX_SECONDS = 60
_MALFORMED = (
    b"<html><head><title>502 Bad Gateway</title></head><body>upstream sent junk</body></html>"
)


class Invalid(Exception):
    """A request field is wrong: answered as the protocol's 400."""

    def __init__(
        self, message: str, kind: ErrorKind = "invalid_value", param: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.param = param


def parse_size(value: str, param: str = "size") -> tuple[int, int]:
    """``WxH`` as even integers within the emulator's bounds.

    Raises:
        Invalid: not ``WxH``, an odd side, or out of bounds.
    """
    match = _SIZE.match(value.strip())
    if match is None:
        raise Invalid(
            f"Invalid value: '{value}'. The size must be WIDTHxHEIGHT, e.g. '1280x720'.",
            param=param,
        )
    width, height = int(match.group(1)), int(match.group(2))
    check_dimensions(width, height, param)
    return width, height


def check_dimensions(width: int, height: int, param: str) -> None:
    """Even sides from 16 to 3840 pixels (video players need even sides).

    Raises:
        Invalid: otherwise.
    """
    for side in (width, height):
        if not MIN_SIDE <= side <= MAX_SIDE or side % 2:
            raise Invalid(
                f"Invalid value: '{width}x{height}'. Width and height must be even numbers "
                f"from {MIN_SIDE} to {MAX_SIDE}.",
                param=param,
            )


class ProtocolHandler(abc.ABC):
    """One emulated protocol.

    Args:
        service: the state the protocols share.
        public_url: the origin to put in output URLs, instead of the one the client used.
    """

    #: The protocol's name in stats and fault filters.
    name: ClassVar[str]
    #: Response headers carrying the request id.
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id",)

    def __init__(self, service: Service, public_url: str | None = None) -> None:
        self.service = service
        self.public_url = public_url.rstrip("/") if public_url else None

    @abc.abstractmethod
    async def handle(self, request: Request) -> Answer | None:
        """The answer to ``request``, or None when the path is not this protocol's."""

    @abc.abstractmethod
    def error(
        self,
        status: int,
        message: str,
        kind: ErrorKind,
        *,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> JsonAnswer:
        """The protocol's error body for an error of ``kind``."""

    # -- auth -------------------------------------------------------------------------------

    def presented_key(self, request: Request) -> str | None:
        """The key the client sent (a bearer token by default)."""
        value = request.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
        return None

    def check_auth(self, request: Request) -> Answer | None:
        """None when the request may go on; else the protocol's 401.

        Without a configured key any request is accepted (the emulator is a local test
        server); with one, the client must send exactly that key.
        """
        expected = self.service.api_key
        if expected is None:
            return None
        presented = self.presented_key(request)
        if presented == expected:
            return None
        if presented is None:
            message = "You didn't provide an API key (emulator: send the configured key)."
        else:
            message = "Incorrect API key provided (emulator: not the configured key)."
        return self.error(401, message, "unauthorized")

    # -- faults -----------------------------------------------------------------------------

    async def guard(
        self, on: str, *, prompt: str | None = None, model: str | None = None
    ) -> Answer | None:
        """Apply ``delay`` faults, and answer instead of the handler for error faults."""
        delay = self.service.take_fault(
            on, self.name, frozenset({"delay"}), prompt=prompt, model=model
        )
        if delay is not None:
            await asyncio.sleep(delay.seconds)
        if on == "submit" and self.service.over_account_limit():
            return self.error(
                429,
                "Too many concurrent jobs for this account (emulated): wait for one to "
                f"finish; the limit is {self.service.max_running}.",
                "rate_limit",
                headers={"retry-after": "1"},
            )
        fault = self.service.take_fault(on, self.name, ANSWER_KINDS, prompt=prompt, model=model)
        return None if fault is None else self.fault_answer(fault)

    def fault_answer(self, fault: Fault) -> Answer:
        """The answer for a ``rate_limit``, ``server_error`` or ``malformed`` fault."""
        if fault.kind == "rate_limit":
            seconds = fault.retry_after
            headers = {
                # Retry-After is whole seconds; retry-after-ms carries the exact wait.
                "retry-after": str(math.ceil(seconds)),
                "retry-after-ms": str(round(seconds * 1000)),
            }
            return self.error(
                429,
                "Rate limit reached for requests (emulated). Please try again later.",
                "rate_limit",
                headers=headers,
            )
        if fault.kind == "server_error":
            return self.error(
                fault.status or 500,
                "The server had an error while processing your request (emulated). Sorry about that!",
                "server_error",
            )
        return BytesAnswer(status=200, body=_MALFORMED, content_type="text/html")

    # -- content ----------------------------------------------------------------------------

    async def deliver(
        self,
        request: Request,
        record: JobRecord,
        output: str,
        variant: Variant,
        content_type: str,
        image_format: str = "JPEG",
    ) -> Answer:
        """The content of a finished job's output: faults, expiry, render, ranges."""
        service = self.service
        service.counters.content(record.id, request.headers.get("range"))
        guarded = await self.guard("download", prompt=record.prompt, model=record.model)
        if guarded is not None:
            return guarded
        fault = service.take_fault(
            "download", self.name, DOWNLOAD_KINDS, prompt=record.prompt, model=record.model
        )
        state = service.state(record)
        expired = state.expires_at is not None and service.now() >= state.expires_at
        if (fault is not None and fault.kind == "expired") or expired:
            status = fault.status if fault is not None and fault.status else 404
            return self.error(
                status,
                f"The content of {record.id} has expired and is no longer available.",
                "expired",
            )
        try:
            path = await service.render(record, output, variant, image_format)
        except ConfigError as exc:
            return self.error(501, f"The emulator cannot render videos: {exc}", "video_extra")
        return FileAnswer(
            path=path,
            content_type=content_type,
            range_header=request.headers.get("range"),
            head=request.method == "HEAD",
            bytes_per_second=fault.bytes_per_second
            if fault and fault.kind == "slow_download"
            else None,
            cut_after=fault.after_bytes if fault and fault.kind == "cut_download" else None,
            on_sent=service.counters.sent,
        )

    def origin(self, request: Request) -> str:
        """Where clients reach this emulator (for URLs in answers)."""
        return self.public_url or request.origin
