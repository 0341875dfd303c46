"""What the emulator has seen, so a test can prove "exactly one submit"."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["Counters", "Stats"]


@attrs.frozen(kw_only=True)
class Stats:
    """A snapshot of the emulator's counters (since it started or was last reset).

    Attributes:
        requests: every HTTP request, admin endpoints excluded.
        submit_attempts: create requests per protocol, including refused ones.
        submits: jobs created per protocol (a dropped answer still created its job).
        submits_by_prompt: jobs created per prompt.
        polls: status requests per job id.
        content_requests: content (download) requests per job id.
        ranges: every ``Range`` header received on content, in order.
        bytes_sent: content bytes sent (cut and throttled downloads count what went out).
        lists: list requests.
        deletes: delete requests.
        faults_fired: faults used, per kind.
        callbacks_sent: callbacks delivered (any HTTP answer).
        callbacks_failed: callbacks that could not be delivered, or were refused
            because their URL is not on this machine.
        file_requests_with_auth: downloads of output URLs (the "storage host") that
            carried an ``Authorization`` or ``api-key`` header, which clients should
            never send there.
    """

    requests: int = 0
    submit_attempts: Mapping[str, int] = attrs.field(factory=dict)
    submits: Mapping[str, int] = attrs.field(factory=dict)
    submits_by_prompt: Mapping[str, int] = attrs.field(factory=dict)
    polls: Mapping[str, int] = attrs.field(factory=dict)
    content_requests: Mapping[str, int] = attrs.field(factory=dict)
    ranges: tuple[str, ...] = ()
    bytes_sent: int = 0
    lists: int = 0
    deletes: int = 0
    faults_fired: Mapping[str, int] = attrs.field(factory=dict)
    callbacks_sent: int = 0
    callbacks_failed: int = 0
    file_requests_with_auth: int = 0

    @property
    def total_submits(self) -> int:
        """Jobs created, all protocols together."""
        return sum(self.submits.values())

    @property
    def total_polls(self) -> int:
        """Status requests, all jobs together."""
        return sum(self.polls.values())

    @property
    def total_content_requests(self) -> int:
        """Content requests, all jobs together."""
        return sum(self.content_requests.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values, with the totals (what ``GET /_emulator/stats`` answers)."""
        data = attrs.asdict(self)
        data["ranges"] = list(self.ranges)
        data["total_submits"] = self.total_submits
        data["total_polls"] = self.total_polls
        data["total_content_requests"] = self.total_content_requests
        return data


class Counters:
    """The live counters behind `Stats` (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Start every count again from zero."""
        with self._lock:
            self._requests = 0
            self._attempts: Counter[str] = Counter()
            self._submits: Counter[str] = Counter()
            self._prompts: Counter[str] = Counter()
            self._polls: Counter[str] = Counter()
            self._content: Counter[str] = Counter()
            self._ranges: list[str] = []
            self._bytes = 0
            self._lists = 0
            self._deletes = 0
            self._faults: Counter[str] = Counter()
            self._callbacks_sent = 0
            self._callbacks_failed = 0
            self._file_auth = 0

    def request(self) -> None:
        with self._lock:
            self._requests += 1

    def submit_attempt(self, protocol: str) -> None:
        with self._lock:
            self._attempts[protocol] += 1

    def submitted(self, protocol: str, prompt: str) -> None:
        with self._lock:
            self._submits[protocol] += 1
            self._prompts[prompt] += 1

    def poll(self, job_id: str) -> None:
        with self._lock:
            self._polls[job_id] += 1

    def content(self, job_id: str, range_header: str | None) -> None:
        with self._lock:
            self._content[job_id] += 1
            if range_header:
                self._ranges.append(range_header)

    def sent(self, count: int) -> None:
        with self._lock:
            self._bytes += count

    def listed(self) -> None:
        with self._lock:
            self._lists += 1

    def deleted(self) -> None:
        with self._lock:
            self._deletes += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def callback(self, delivered: bool) -> None:
        with self._lock:
            if delivered:
                self._callbacks_sent += 1
            else:
                self._callbacks_failed += 1

    def file_auth(self) -> None:
        with self._lock:
            self._file_auth += 1

    def snapshot(self) -> Stats:
        """The counts now, as a frozen value."""
        with self._lock:
            return Stats(
                requests=self._requests,
                submit_attempts=dict(self._attempts),
                submits=dict(self._submits),
                submits_by_prompt=dict(self._prompts),
                polls=dict(self._polls),
                content_requests=dict(self._content),
                ranges=tuple(self._ranges),
                bytes_sent=self._bytes,
                lists=self._lists,
                deletes=self._deletes,
                faults_fired=dict(self._faults),
                callbacks_sent=self._callbacks_sent,
                callbacks_failed=self._callbacks_failed,
                file_requests_with_auth=self._file_auth,
            )
