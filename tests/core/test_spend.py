"""Quoted, billed and delivered: which differences count as drift."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest

from vidgen import JobStatus, Quote
from vidgen._ledger import ACCEPTED, LedgerEntry
from vidgen._models import Usage
from vidgen._spend import job_costs, spend_rows

NOW = dt.datetime(2026, 11, 30, 9, tzinfo=dt.timezone.utc)


def entry(**changes: Any) -> LedgerEntry:
    quote = Quote(
        amount=Decimal("0.40"),
        currency="USD",
        unit_price=Decimal("0.10"),
        billed_seconds=4,
        source="https://example.com/pricing",
        as_of=dt.date(2026, 11, 1),
    )
    fields: dict[str, Any] = {
        field.name: None for field in attrs.fields(LedgerEntry) if field.default is attrs.NOTHING
    }
    fields.update(
        ledger_id=1,
        created_at=NOW,
        updated_at=NOW,
        provider="fal",
        profile=None,
        model="kling-v3",
        submit_state=ACCEPTED,
        status=JobStatus.SUCCEEDED,
        quote=quote,
        request={"seconds": 4, "size": "1280x720"},
        job=None,
    )
    fields.update(changes)
    return LedgerEntry(**fields)


@pytest.mark.parametrize(
    ("changes", "drift"),
    [
        ({}, ()),
        ({"usage": Usage(cost=Decimal("0.41"), currency="USD")}, ()),  # within 10 %
        (
            {"usage": Usage(cost=Decimal("0.80"), currency="USD")},
            ("billed 0.80 after a 0.40 quote",),
        ),
        ({"usage": Usage(cost=Decimal("0.80"), currency="CNY")}, ()),  # another currency
        ({"usage": Usage(seconds=10)}, ("billed 10 s after a 4 s quote",)),
        ({"usage": Usage(seconds=4.2)}, ()),
        ({"delivered": {"duration": 3.1}}, ("3.1 s delivered of 4 s asked",)),
        ({"delivered": {"duration": 4.04}}, ()),
        ({"usage": Usage(tokens=108_900)}, ()),  # tokens: shown, not compared
    ],
)
def test_drift(changes: dict[str, Any], drift: tuple[str, ...]) -> None:
    (cost,) = job_costs([entry(**changes)])
    assert cost.drift == drift


def test_failed_jobs_are_apart_and_never_drift() -> None:
    costs = job_costs(
        [
            entry(),
            entry(ledger_id=2, status=JobStatus.FAILED, usage=Usage(seconds=99)),
            entry(ledger_id=3, status=JobStatus.RUNNING),  # not finished: not reconciled
            entry(ledger_id=4, usage=Usage(tokens=108_900, note="video tokens")),
        ]
    )
    assert [c.ledger_id for c in costs] == [1, 2, 4]
    assert costs[1].failed
    assert costs[1].drift == ()
    assert costs[2].billed_text() == "108,900 tokens"
    (row,) = spend_rows(costs)
    assert (row.jobs, row.quoted, row.failed, row.billed, row.drift) == (
        2,
        Decimal("0.80"),
        1,
        None,
        0,
    )
