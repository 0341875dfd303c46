"""Spending limits, checked before anything is sent: per job and per day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from ._exceptions import BudgetExceeded, ConfigError
from ._public import public
from ._request import Fitted, Quote

__all__ = ["Budget", "check_daily", "check_job_cost", "money"]


def money(value: Any, what: str) -> Decimal | None:
    """A spending limit given as a number or a string, validated: None stays None.

    Raises:
        ConfigError: not an amount, or negative (says which setting).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal, float)):
        raise ConfigError(f"{what} must be an amount such as '2.50', not {type(value).__name__}")
    shown = str(value).strip()
    try:
        amount = Decimal(shown.lstrip("$"))
    except InvalidOperation:
        raise ConfigError(f"{what} {shown!r} is not an amount; write it like '2.50'") from None
    if not amount.is_finite() or amount < 0:
        raise ConfigError(f"{what} {shown!r} must be zero or more, e.g. '2.50'")
    return amount


def check_job_cost(fitted: Fitted, quote: Quote, limit: Decimal | None) -> None:
    """Refuse a job quoted over ``limit`` (or with no price while a limit is set).

    Raises:
        BudgetExceeded: with the price and the limit.
    """
    if limit is None:
        return
    if quote.amount is None:
        raise BudgetExceeded(
            f"{fitted.model} on {fitted.provider} has no known price, so it cannot be "
            f"checked against max_job_cost {limit}; raise or remove the limit to send it anyway",
            amount=None,
            limit=limit,
        )
    if quote.amount > limit:
        raise BudgetExceeded(
            f"{fitted.model} on {fitted.provider} for {fitted.seconds} s at {fitted.size} "
            f"costs {quote.format_amount()}, over max_job_cost {limit}; shorten the video, "
            "lower the resolution or raise the limit",
            amount=quote.amount,
            limit=limit,
        )


def check_daily(quote: Quote, committed: Decimal, limit: Decimal | None) -> None:
    """Refuse a job that would take today's committed spend over ``limit``.

    Raises:
        BudgetExceeded: with what is committed, the price and the limit.
    """
    if limit is None:
        return
    if quote.amount is None or committed + quote.amount > limit:
        price = quote.format_amount() if quote.amount is not None else "an unknown amount"
        raise BudgetExceeded(
            f"today's jobs already commit {committed} and this one costs {price}, over "
            f"max_daily_spend {limit}; wait until tomorrow (UTC) or raise the limit",
            amount=quote.amount,
            limit=limit,
        )


@public
@attrs.frozen(kw_only=True)
class Budget:
    """The daily limit a plan was checked against, and what today already committed.

    The per-job limit of each candidate is on its `vidgen.Attempt`.

    Attributes:
        day: the UTC day of the check (from the client's clock).
        max_daily_spend: the daily limit, or None.
        committed_today: the quoted amounts of today's submits that are or may be billed,
            when a daily limit is set (None otherwise).
    """

    day: dt.date
    max_daily_spend: Decimal | None = None
    committed_today: Decimal | None = None

    @property
    def remaining_today(self) -> Decimal | None:
        """What can still be committed today, or None without a daily limit."""
        if self.max_daily_spend is None or self.committed_today is None:
            return None
        return max(self.max_daily_spend - self.committed_today, Decimal(0))

    def describe(self) -> str:
        """One line for people."""
        if self.max_daily_spend is None:
            return "no daily limit"
        return (
            f"{self.committed_today} of max_daily_spend {self.max_daily_spend} committed "
            f"on {self.day.isoformat()}"
        )
