"""Quoted, billed and delivered, side by side: what ``vidgen spend`` shows.

The quote is vidgen's (from the catalog, before the submit). What the provider says it
billed arrives with the job (`Usage`: a cost where the provider states one, else tokens,
units or seconds). What was delivered is the probed file (its duration). A job whose
figures disagree beyond a small tolerance is flagged as *drift*: billed for 10 s after a
4 s quote, charged $0.80 after a $0.40 quote, 3.1 s delivered of 8 s asked.

Failed and cancelled jobs are listed apart. Their quotes are not counted as spend (the
vendors whose terms vidgen knows do not bill a failed render); where the provider did
report a charge for one, that charge is shown as billed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Literal

import attrs

from ._ledger import LedgerEntry
from ._models import JobStatus, Usage

__all__ = ["JobCost", "SpendRow", "job_costs", "since", "spend_rows"]

#: A reported cost this far from the quote (relative, and at least a cent) is drift.
_COST_SLACK = Decimal("0.10")
_CENT = Decimal("0.01")
#: Seconds billed or delivered this far from those quoted (and 5 % of them) are drift.
_SECONDS_SLACK = 0.5


@attrs.frozen(kw_only=True)
class JobCost:
    """One job's quote, bill and delivery, and how they disagree."""

    ledger_id: int
    day: str
    label: str
    model: str | None
    status: JobStatus | None
    quoted: Decimal | None
    currency: str | None
    quoted_seconds: int | None
    usage: Usage | None
    delivered_seconds: float | None
    drift: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        """The job failed or was cancelled."""
        return self.status in (JobStatus.FAILED, JobStatus.CANCELLED)

    @property
    def billed(self) -> Decimal | None:
        """The cost the provider reported, in the quote's currency (None when it reported
        none, or reported it in another currency)."""
        usage = self.usage
        if usage is None or usage.cost is None:
            return None
        if usage.currency and self.currency and usage.currency != self.currency:
            return None
        return usage.cost

    def billed_text(self) -> str:
        """What the provider reported, as it reported it (``-`` when nothing)."""
        usage = self.usage
        if usage is None:
            return "-"
        parts = []
        if usage.cost is not None:
            parts.append(f"{usage.cost} {usage.currency or self.currency or ''}".strip())
        if usage.tokens is not None:
            parts.append(f"{usage.tokens:,} tokens")
        if usage.units is not None:
            parts.append(f"{usage.units} units")
        if usage.seconds is not None:
            parts.append(f"{usage.seconds:g} s")
        return ", ".join(parts) or "-"


def _drift(entry: LedgerEntry, usage: Usage | None, delivered: float | None) -> tuple[str, ...]:
    quote = entry.quote
    notes = []
    if quote is not None and usage is not None:
        if (
            usage.cost is not None
            and quote.amount is not None
            and (not usage.currency or not quote.currency or usage.currency == quote.currency)
        ):
            gap = abs(usage.cost - quote.amount)
            if gap > max(_CENT, quote.amount * _COST_SLACK):
                notes.append(f"billed {usage.cost} after a {quote.amount} quote")
        if usage.seconds is not None and quote.unit == "second":
            seconds = quote.billed_seconds
            if abs(usage.seconds - seconds) > max(_SECONDS_SLACK, 0.05 * seconds):
                notes.append(f"billed {usage.seconds:g} s after a {seconds} s quote")
    asked = entry.request.get("seconds") if entry.request else None
    if (
        delivered is not None
        and isinstance(asked, int | float)
        and asked > 0
        and abs(delivered - asked) > max(_SECONDS_SLACK, 0.05 * asked)
    ):
        notes.append(f"{delivered:.1f} s delivered of {asked:g} s asked")
    return tuple(notes)


def job_costs(entries: Iterable[LedgerEntry]) -> list[JobCost]:
    """The quote, bill and delivery of each finished job (succeeded, failed, cancelled)."""
    costs = []
    for entry in entries:
        status = entry.status
        if status not in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED):
            continue
        usage = entry.usage or (entry.job.usage if entry.job is not None else None)
        duration = (entry.delivered or {}).get("duration")
        delivered = float(duration) if isinstance(duration, int | float) else None
        quote = entry.quote
        costs.append(
            JobCost(
                ledger_id=entry.ledger_id,
                day=entry.created_at.date().isoformat(),
                label=entry.label,
                model=entry.model,
                status=status,
                quoted=quote.amount if quote is not None else None,
                currency=quote.currency if quote is not None else None,
                quoted_seconds=quote.billed_seconds if quote is not None else None,
                usage=usage,
                delivered_seconds=delivered,
                drift=_drift(entry, usage, delivered) if status is JobStatus.SUCCEEDED else (),
            )
        )
    return costs


@attrs.frozen(kw_only=True)
class SpendRow:
    """Spend of one day or profile (or both), in one currency."""

    day: str | None
    label: str | None
    currency: str
    jobs: int
    quoted: Decimal
    #: jobs whose price is unknown (their quotes are not in ``quoted``)
    unpriced: int
    billed: Decimal | None
    #: jobs whose provider reported a cost (``billed`` sums theirs)
    billed_jobs: int
    failed: int
    drift: int


Group = Literal["day", "profile", "both"]


@attrs.define
class _Tally:
    jobs: int = 0
    quoted: Decimal = Decimal(0)
    unpriced: int = 0
    billed: Decimal | None = None
    billed_jobs: int = 0
    failed: int = 0
    drift: int = 0


def spend_rows(costs: Sequence[JobCost], by: Group = "both") -> list[SpendRow]:
    """Totals per day and profile (or per day, or per profile), per currency."""
    totals: dict[tuple[str | None, str | None, str], _Tally] = {}
    for cost in costs:
        day = cost.day if by in ("day", "both") else None
        label = cost.label if by in ("profile", "both") else None
        tally = totals.setdefault((day, label, cost.currency or "USD"), _Tally())
        if cost.failed:
            tally.failed += 1
        else:
            tally.jobs += 1
            if cost.quoted is None:
                tally.unpriced += 1
            else:
                tally.quoted += cost.quoted
        if cost.billed is not None:
            tally.billed = (tally.billed or Decimal(0)) + cost.billed
            tally.billed_jobs += 1
        if cost.drift:
            tally.drift += 1
    ordered = sorted(totals.items(), key=lambda kv: tuple(part or "" for part in kv[0]))
    return [
        SpendRow(day=day, label=label, currency=currency, **attrs.asdict(tally))
        for (day, label, currency), tally in ordered
    ]


def since(today: dt.date, days: int) -> dt.date:
    """The first day of a window of ``days`` days ending ``today``."""
    return today - dt.timedelta(days=max(days, 1) - 1)
