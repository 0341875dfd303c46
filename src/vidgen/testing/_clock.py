"""A clock that only moves when something sleeps on it."""

from __future__ import annotations

import datetime as dt

from .._clock import to_datetime

__all__ = ["FakeClock"]


class FakeClock:
    """A wall clock (unix seconds) that only moves when something sleeps on it.

    Pass it as both the clock and the sleep of a client
    (``Client(..., clock=c, sleep=c.sleep)``, ``AsyncClient(..., sleep=c.asleep)``):
    polling replays in microseconds, and every date decision sees the same time.

    Attributes:
        now: the current time.
        sleeps: every duration slept, in order.
    """

    def __init__(self, start: float = 1_760_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """Advance the clock by ``seconds`` at once."""
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        """The async twin of `sleep`."""
        self.sleep(seconds)

    def advance(self, seconds: float) -> None:
        """Move time on without recording a sleep."""
        self.now += seconds

    def utcnow(self) -> dt.datetime:
        """The current time as an aware UTC datetime."""
        return to_datetime(self.now)

    def today(self) -> dt.date:
        """The current UTC date."""
        return self.utcnow().date()

    @classmethod
    def at(cls, when: str | dt.datetime | dt.date) -> FakeClock:
        """A clock starting at an ISO date or datetime (UTC when no zone is given)."""
        if isinstance(when, str):
            when = dt.datetime.fromisoformat(when)
        if not isinstance(when, dt.datetime):
            when = dt.datetime(when.year, when.month, when.day)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        return cls(start=when.timestamp())
