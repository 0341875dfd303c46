"""Batch lines as ledger items claimed by workers, and webhook deliveries taken once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import vidgen
from vidgen._ledger.ledger import DEFAULT_LEASE
from vidgen.testing import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock.at("2026-11-30T12:00:00")


def open_ledger(tmp_path: Path, clock: FakeClock) -> vidgen.Ledger:
    return vidgen.Ledger(tmp_path / "ledger.sqlite3", clock=clock)


def group(ledger: vidgen.Ledger, name: str = "batch-1") -> str:
    ledger.open_group(group_id=name, kind="batch", target="results.jsonl", spec={}, settings={})
    return name


def test_items_are_enqueued_once(tmp_path: Path, clock: FakeClock) -> None:
    ledger = open_ledger(tmp_path, clock)
    batch = group(ledger)
    lines = [(f"line-{n}", n, {"prompt": f"p{n}"}) for n in range(3)]
    assert ledger.enqueue(batch, lines) == 3
    assert ledger.enqueue(batch, lines) == 0  # re-running the same file adds nothing
    assert [i.key for i in ledger.items(batch)] == ["line-0", "line-1", "line-2"]
    assert {i.state for i in ledger.items(batch)} == {"pending"}


def test_two_workers_never_claim_the_same_item(tmp_path: Path, clock: FakeClock) -> None:
    first, second = open_ledger(tmp_path, clock), open_ledger(tmp_path, clock)
    batch = group(first)
    first.enqueue(batch, [(f"line-{n}", n, {}) for n in range(5)])
    mine = first.claim_items(batch, 3)
    theirs = second.claim_items(batch, 3)
    assert [i.key for i in mine] == ["line-0", "line-1", "line-2"]
    assert [i.key for i in theirs] == ["line-3", "line-4"]
    assert second.claim_items(batch, 3) == []


def test_a_dead_workers_items_are_taken_over_after_the_lease(
    tmp_path: Path, clock: FakeClock
) -> None:
    dead, alive = open_ledger(tmp_path, clock), open_ledger(tmp_path, clock)
    batch = group(dead)
    dead.enqueue(batch, [("only", 0, {})])
    assert len(dead.claim_items(batch, 1)) == 1
    assert alive.claim_items(batch, 1) == []
    clock.advance(DEFAULT_LEASE.total_seconds() + 1)
    (taken,) = alive.claim_items(batch, 1)
    assert taken.claimed_by == alive.owner


def test_renewed_claims_are_kept(tmp_path: Path, clock: FakeClock) -> None:
    worker, other = open_ledger(tmp_path, clock), open_ledger(tmp_path, clock)
    batch = group(worker)
    worker.enqueue(batch, [("only", 0, {})])
    worker.claim_items(batch, 1)
    clock.advance(DEFAULT_LEASE.total_seconds() - 5)
    worker.renew_items([(batch, "only")])
    clock.advance(60)
    assert other.claim_items(batch, 1) == []


def test_finished_items_are_not_claimed_again(tmp_path: Path, clock: FakeClock) -> None:
    ledger = open_ledger(tmp_path, clock)
    batch = group(ledger)
    ledger.enqueue(batch, [("a", 0, {}), ("b", 1, {})])
    for item in ledger.claim_items(batch, 2):
        ledger.finish_item(batch, item.key, "done", result={"output": f"{item.key}.mp4"})
    clock.advance(dt.timedelta(hours=1).total_seconds())
    assert ledger.claim_items(batch, 2) == []
    assert [i.result for i in ledger.items(batch)] == [{"output": "a.mp4"}, {"output": "b.mp4"}]


def test_a_webhook_delivery_is_taken_once(tmp_path: Path, clock: FakeClock) -> None:
    ledger = open_ledger(tmp_path, clock)
    assert ledger.first_delivery("replicate", "msg_1")
    assert not ledger.first_delivery("replicate", "msg_1")
    assert ledger.first_delivery("fal", "msg_1")  # ids are per provider
    assert not open_ledger(tmp_path, clock).first_delivery("replicate", "msg_1")
