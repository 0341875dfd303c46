"""tests/core/test_ledger.py (events, spend, the daily limit) on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import _core_tests  # noqa: F401 - tests/core on the path
import pytest
import test_ledger as base

import vidgen


@pytest.fixture(autouse=True)
def on_backend(backend: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if backend is not None:

        def open_ledger(tmp_path: Path) -> vidgen.Ledger:
            return vidgen.Ledger(backend, clock=base.CLOCK)

        monkeypatch.setattr(base, "open_ledger", open_ledger)


test_a_submit_is_recorded_with_its_quote_and_outcome = (
    base.test_a_submit_is_recorded_with_its_quote_and_outcome
)
test_a_refused_submit_is_rejected_and_an_ambiguous_one_unknown = (
    base.test_a_refused_submit_is_rejected_and_an_ambiguous_one_unknown
)
test_statuses_and_downloads_are_recorded = base.test_statuses_and_downloads_are_recorded
test_max_daily_spend_counts_todays_committed_jobs = (
    base.test_max_daily_spend_counts_todays_committed_jobs
)
test_failed_jobs_do_not_count_against_the_day = base.test_failed_jobs_do_not_count_against_the_day
