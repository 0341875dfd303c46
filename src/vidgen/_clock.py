"""Time as one injected dependency: every date and time decision reads a `Clock`.

A clock is any callable that returns the current unix time in seconds (``time.time`` by
default). `Client(clock=...)` hands its clock to everything that asks "what time is it?"
or "what day is it?": lifecycle dates in `fit`, ledger timestamps, the daily spend,
expiry warnings, `compare` and the command line. A test moves one clock and the whole
library moves with it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

__all__ = ["Clock", "system_clock", "to_datetime", "today", "utcnow"]

#: The current unix time in seconds.
Clock = Callable[[], float]


def system_clock() -> float:
    """The machine's wall clock (``time.time``)."""
    return time.time()


def to_datetime(seconds: float) -> dt.datetime:
    """Unix seconds as an aware UTC datetime."""
    return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)


def utcnow(clock: Clock) -> dt.datetime:
    """The clock's time as an aware UTC datetime."""
    return to_datetime(clock())


def today(clock: Clock) -> dt.date:
    """The clock's date in UTC (the day lifecycle data and daily spend are checked on)."""
    return utcnow(clock).date()
