"""tests/core/test_ledger_items.py (batch items, webhook deliveries) on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import _core_tests  # noqa: F401 - tests/core on the path
import pytest
import test_ledger_items as base
from test_ledger_items import clock  # noqa: F401 - the module's own clock fixture

import vidgen
from vidgen.testing import FakeClock


@pytest.fixture(autouse=True)
def on_backend(backend: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if backend is not None:

        def open_ledger(tmp_path: Path, clock: FakeClock) -> vidgen.Ledger:
            return vidgen.Ledger(backend, clock=clock)

        monkeypatch.setattr(base, "open_ledger", open_ledger)


test_items_are_enqueued_once = base.test_items_are_enqueued_once
test_two_workers_never_claim_the_same_item = base.test_two_workers_never_claim_the_same_item
test_a_dead_workers_items_are_taken_over_after_the_lease = (
    base.test_a_dead_workers_items_are_taken_over_after_the_lease
)
test_renewed_claims_are_kept = base.test_renewed_claims_are_kept
test_finished_items_are_not_claimed_again = base.test_finished_items_are_not_claimed_again
test_a_webhook_delivery_is_taken_once = base.test_a_webhook_delivery_is_taken_once
