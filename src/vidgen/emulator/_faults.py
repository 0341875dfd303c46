"""Scripted faults: what should go wrong, on which request, how many times.

A `Fault` is a small frozen value. The emulator keeps the faults it was given in order;
each request takes the first one that matches it (operation, protocol, and optionally
the job's prompt or model), and a fault with ``times=N`` is used up after N requests.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any, Literal, get_args

import attrs

__all__ = ["FAULT_KINDS", "OPERATIONS", "Fault", "FaultKind", "Operation", "parse_fault"]

FaultKind = Literal[
    "rate_limit",
    "server_error",
    "drop_after_submit",
    "slow_download",
    "cut_download",
    "expired",
    "fail_job",
    "never_finish",
    "delay",
    "malformed",
]
Operation = Literal["submit", "status", "download", "list", "delete", "any"]

FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
"""Every kind of fault a `Fault` can script (its ``kind``)."""
OPERATIONS: tuple[str, ...] = get_args(Operation)
PROTOCOL_NAMES = ("openai", "aivideoapi", "azure")

# The operation a fault applies to when none is given, and the operations it can apply to.
_DEFAULT_ON: Mapping[str, str] = {
    "rate_limit": "submit",
    "server_error": "submit",
    "drop_after_submit": "submit",
    "slow_download": "download",
    "cut_download": "download",
    "expired": "download",
    "fail_job": "submit",
    "never_finish": "submit",
    "delay": "status",
    "malformed": "status",
}
_ALLOWED_ON: Mapping[str, tuple[str, ...]] = {
    "rate_limit": OPERATIONS,
    "server_error": OPERATIONS,
    "delay": OPERATIONS,
    "malformed": ("submit", "status", "list", "any"),
    "drop_after_submit": ("submit",),
    "fail_job": ("submit",),
    "never_finish": ("submit",),
    "slow_download": ("download",),
    "cut_download": ("download",),
    "expired": ("download",),
}
#: Kinds that decide how a job turns out: they are taken when the job is created.
JOB_KINDS = frozenset({"fail_job", "never_finish"})
#: Kinds that answer instead of the real handler.
ANSWER_KINDS = frozenset({"rate_limit", "server_error", "malformed"})
#: Kinds that change how content is sent.
DOWNLOAD_KINDS = frozenset({"slow_download", "cut_download", "expired"})


def _default_on(fault: Fault) -> str:
    return _DEFAULT_ON.get(fault.kind, "any")


def _check_kind(_: Fault, __: attrs.Attribute[str], value: str) -> None:
    if value not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {value!r}; kinds: {', '.join(FAULT_KINDS)}")


def _check_on(fault: Fault, _: attrs.Attribute[str], value: str) -> None:
    allowed = _ALLOWED_ON.get(fault.kind, OPERATIONS)
    if value not in allowed:
        raise ValueError(f"a {fault.kind} fault applies to {', '.join(allowed)}, not {value!r}")


def _check_times(_: Fault, __: Any, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or value < 1):
        raise ValueError(f"times must be at least 1, or None for every time; not {value!r}")


def _check_status(fault: Fault, _: attrs.Attribute[int | None], value: int | None) -> None:
    if value is None:
        return
    if fault.kind == "server_error" and not 500 <= value <= 599:
        raise ValueError(f"a server_error status must be 5xx, not {value}")
    if fault.kind == "expired" and value not in (404, 410):
        raise ValueError(f"an expired status must be 404 or 410, not {value}")


def _check_protocol(_: Fault, __: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and value not in PROTOCOL_NAMES:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOL_NAMES)}, not {value!r}")


def _positive(_: Fault, attribute: Any, value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, not {value!r}")


def _at_least_one(_: Fault, attribute: Any, value: int) -> None:
    if value < 1:
        raise ValueError(f"{attribute.name} must be at least 1, not {value!r}")


@attrs.frozen(kw_only=True)
class Fault:
    """One scripted failure.

    Attributes:
        kind: what goes wrong:

            * ``rate_limit``: HTTP 429 with ``Retry-After`` (``retry_after`` seconds).
            * ``server_error``: HTTP ``status`` (500 unless given) with the protocol's error.
            * ``drop_after_submit``: the job IS created, but the answer stops halfway and
              the connection closes (the client sees an incomplete response).
            * ``slow_download``: content is sent at ``bytes_per_second``.
            * ``cut_download``: the connection closes after ``after_bytes`` of the body.
            * ``expired``: content answers 404 (or ``status`` 410), as past ``expires_at``.
            * ``fail_job``: the job ends failed with a content-policy error.
            * ``never_finish``: the job stays in progress forever.
            * ``delay``: the answer waits ``seconds`` first (for client timeouts).
            * ``malformed``: HTTP 200 with a body that is not JSON.
        on: the operation it hits: ``submit``, ``status``, ``download``, ``list``,
            ``delete`` or ``any``. Defaults to the natural one for the kind.
        times: how many matching requests (or jobs) it hits; None for every one.
        prompt: only requests for a job whose prompt contains this text.
        model: only requests for a job of this model.
        protocol: only requests in this protocol (``openai``, ``aivideoapi``, ``azure``).
        status: the HTTP status for ``server_error`` (5xx) and ``expired`` (404 or 410).
        retry_after: seconds in ``Retry-After`` for ``rate_limit``.
        after_bytes: body bytes sent before ``cut_download`` closes the connection.
        bytes_per_second: the rate of ``slow_download``.
        seconds: the wait of ``delay``.
    """

    kind: FaultKind = attrs.field(validator=_check_kind)
    on: Operation = attrs.field(
        default=attrs.Factory(_default_on, takes_self=True), validator=_check_on
    )
    times: int | None = attrs.field(default=1, validator=_check_times)
    prompt: str | None = None
    model: str | None = None
    protocol: str | None = attrs.field(default=None, validator=_check_protocol)
    status: int | None = attrs.field(default=None, validator=_check_status)
    retry_after: float = attrs.field(default=1.0, validator=_positive)
    after_bytes: int = attrs.field(default=65536, validator=_positive)
    bytes_per_second: int = attrs.field(default=262144, validator=_at_least_one)
    seconds: float = attrs.field(default=1.0, validator=_positive)

    def matches(self, on: str, protocol: str, prompt: str | None, model: str | None) -> bool:
        """Whether a request for operation ``on`` of a job like this one is hit."""
        if self.on != "any" and self.on != on:
            return False
        if self.protocol is not None and self.protocol != protocol:
            return False
        if self.prompt is not None and (prompt is None or self.prompt not in prompt):
            return False
        return self.model is None or self.model == model

    def to_dict(self) -> dict[str, Any]:
        """The fault as JSON-ready values (what ``GET /_emulator/faults`` shows)."""
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Fault:
        """A fault from a mapping of its fields (``POST /_emulator/faults``).

        Raises:
            ValueError: an unknown field or a bad value.
        """
        names = {field.name for field in attrs.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(
                f"unknown fault field(s) {', '.join(unknown)}; fields: {', '.join(sorted(names))}"
            )
        if "kind" not in data:
            raise ValueError("a fault needs a kind")
        try:
            return cls(**dict(data))
        except TypeError as exc:
            raise ValueError(str(exc)) from exc


_INT_FIELDS = frozenset({"times", "status", "after_bytes", "bytes_per_second"})
_FLOAT_FIELDS = frozenset({"retry_after", "seconds"})


def parse_fault(spec: str) -> Fault:
    """A fault from its command-line form.

    Either ``KIND[:FIELD=VALUE,...]``, e.g. ``rate_limit:on=status,times=2,retry_after=1.5``
    or ``fail_job:prompt=cat`` (``times=inf`` for every time), or a JSON object such as
    ``{"kind": "fail_job", "prompt": "a, b"}`` when a value contains a comma.

    Raises:
        ValueError: the text is not a fault.
    """
    text = spec.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"fault {spec!r} is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ValueError(f"fault {spec!r} must be a JSON object")
        return Fault.from_dict(data)
    kind, _, rest = text.partition(":")
    fields: dict[str, Any] = {"kind": kind.strip()}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep:
            raise ValueError(f"fault field {item!r} in {spec!r} is not NAME=VALUE")
        value = value.strip()
        if name in _INT_FIELDS:
            fields[name] = None if value in ("inf", "none", "") and name == "times" else int(value)
        elif name in _FLOAT_FIELDS:
            fields[name] = float(value)
        else:
            fields[name] = value
    return Fault.from_dict(fields)


@attrs.define
class _Entry:
    fault: Fault
    left: int | None


class FaultBook:
    """The emulator's faults in order, with how many uses each has left (thread-safe)."""

    def __init__(self, faults: tuple[Fault, ...] = ()) -> None:
        self._lock = threading.Lock()
        self._entries: list[_Entry] = [_Entry(fault, fault.times) for fault in faults]

    def add(self, fault: Fault) -> None:
        """Append a fault (it is matched after the ones already there)."""
        with self._lock:
            self._entries.append(_Entry(fault, fault.times))

    def clear(self) -> None:
        """Forget every fault."""
        with self._lock:
            self._entries.clear()

    def active(self) -> tuple[Fault, ...]:
        """The faults not used up, each with ``times`` set to the uses it has left."""
        with self._lock:
            return tuple(attrs.evolve(entry.fault, times=entry.left) for entry in self._entries)

    def take(
        self,
        on: str,
        protocol: str,
        *,
        kinds: frozenset[str],
        prompt: str | None = None,
        model: str | None = None,
    ) -> Fault | None:
        """Use up and return the first fault of one of ``kinds`` that hits this request."""
        with self._lock:
            for entry in self._entries:
                if entry.fault.kind in kinds and entry.fault.matches(on, protocol, prompt, model):
                    if entry.left is not None:
                        entry.left -= 1
                        if entry.left == 0:
                            self._entries.remove(entry)
                    return entry.fault
        return None
