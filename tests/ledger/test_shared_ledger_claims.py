"""tests/core/test_ledger_hardening.py (claims, endpoints, unknown outcomes, resume, prune) on
SQLite and PostgreSQL. Its tests open "another process's" ledger as ``Ledger(ledger.path)``:
on PostgreSQL the path is None and VIDGEN_LEDGER_URL (set by the ``backend`` fixture) names
the same database, so they exercise how the ledger is found as well."""

from __future__ import annotations

from pathlib import Path

import _core_tests  # noqa: F401 - tests/core on the path
import pytest
import test_ledger_hardening as base
from test_ledger_hardening import clock  # noqa: F401 - the module's own clock fixture

import vidgen
from vidgen.testing import FakeClock


@pytest.fixture
def ledger(backend: str | None, tmp_path: Path, clock: FakeClock) -> vidgen.Ledger:  # noqa: F811
    if backend is None:
        return vidgen.Ledger(tmp_path / "ledger.sqlite3", clock=clock)
    made = vidgen.Ledger(clock=clock)  # found through VIDGEN_LEDGER_URL
    assert made.shared
    assert made.path is None
    return made


test_a_second_process_cannot_claim_a_job_being_finished = (
    base.test_a_second_process_cannot_claim_a_job_being_finished
)
test_an_expired_claim_is_taken_over = base.test_an_expired_claim_is_taken_over
test_a_claim_of_a_dead_process_on_this_machine_is_taken_over = (
    base.test_a_claim_of_a_dead_process_on_this_machine_is_taken_over
)
test_waiting_renews_the_claim = base.test_waiting_renews_the_claim
test_resume_skips_a_job_another_process_is_finishing = (
    base.test_resume_skips_a_job_another_process_is_finishing
)
test_two_endpoints_handing_out_the_same_id_do_not_collide = (
    base.test_two_endpoints_handing_out_the_same_id_do_not_collide
)
test_a_broken_answer_to_a_submit_leaves_the_outcome_unknown = (
    base.test_a_broken_answer_to_a_submit_leaves_the_outcome_unknown
)
test_a_parser_that_raises_anything_leaves_the_outcome_unknown = (
    base.test_a_parser_that_raises_anything_leaves_the_outcome_unknown
)
test_resume_rebuilds_a_provider_from_kept_settings = (
    base.test_resume_rebuilds_a_provider_from_kept_settings
)
test_prune_keeps_spend_totals = base.test_prune_keeps_spend_totals
