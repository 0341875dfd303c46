"""The job ledger as the clients use it (issue 7); crash tests are in tests/reliability/."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

import vidgen
from vidgen._events import Downloaded, JobSeen
from vidgen.testing import FakeClock, FakeServer, Reply, fake_client, reply

CLOCK = FakeClock()  # the ledger and the clients share one clock, so "today" agrees

MODELS = [
    {
        "id": "m",
        "durations": [4, 8],
        "sizes": ["1280x720"],
        "price_per_second": "0.25",
        "price_source": "test",
        "price_as_of": "2026-11-21",
    }
]


def client(
    ledger: vidgen.Ledger | None, answer: Reply | None = None, max_daily_spend: str | None = None
) -> tuple[vidgen.Client, FakeServer]:
    """A relay client on ``CLOCK`` whose submits get ``answer``, or else a new job id each."""
    server = FakeServer()

    def created(request: httpx.Request) -> httpx.Response:
        number = server.count("POST")
        return httpx.Response(200, json={"id": f"video_{number}", "status": "queued"})

    server.route("POST", "/v1/videos", answer or created)
    made = fake_client(
        server,
        provider="openai-compatible",
        api_key=None,
        base_url="https://relay.example/v1",
        models=MODELS,
        ledger=ledger if ledger is not None else False,
        clock=CLOCK,
        max_daily_spend=max_daily_spend,
    )
    return made, server


def open_ledger(tmp_path: Path) -> vidgen.Ledger:
    return vidgen.Ledger(tmp_path / "l.sqlite3", clock=CLOCK)


def seen(ledger: vidgen.Ledger, job: vidgen.Job) -> None:
    ledger.record(JobSeen(at=CLOCK.utcnow(), job=job, endpoint="https://relay.example/v1"))


REQUEST = vidgen.VideoRequest(prompt="a heron", duration=8)


def test_a_submit_is_recorded_with_its_quote_and_outcome(tmp_path: Path) -> None:
    ledger = open_ledger(tmp_path)
    made, _ = client(ledger)
    job = made.submit(REQUEST, output=tmp_path / "heron.mp4")
    entry = ledger.get(job.id)
    assert entry is not None
    assert entry.submit_state == "accepted"
    assert entry.quote is not None
    assert entry.quote.amount == Decimal("2.00")
    assert entry.output_target == str(tmp_path / "heron.mp4")
    assert entry.request["prompt"] == "a heron"
    assert [kind for _, kind, _ in ledger.events(entry.ledger_id)] == ["sending", "accepted"]
    assert ledger.get(str(entry.ledger_id)) == entry


def test_a_refused_submit_is_rejected_and_an_ambiguous_one_unknown(tmp_path: Path) -> None:
    ledger = open_ledger(tmp_path)
    refused, _ = client(ledger, reply(400, json={"error": {"message": "no"}}))
    with pytest.raises(vidgen.InvalidRequest):
        refused.submit(REQUEST)
    broken, _ = client(ledger, reply(502, content="bad gateway"))
    with pytest.raises(vidgen.ServerError):
        broken.submit(REQUEST)
    states = [e.submit_state for e in reversed(ledger.entries())]
    assert states == ["rejected", "outcome_unknown"]
    assert states == [vidgen.SubmitState.REJECTED, vidgen.SubmitState.OUTCOME_UNKNOWN]
    assert [e.ledger_id for e in ledger.unfinished()] == [2]  # only the unknown one


def test_a_submit_that_cannot_be_recorded_is_not_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = open_ledger(tmp_path)

    def fail(*args: object, **kwargs: object) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ledger._backend, "_connection", fail)
    made, server = client(ledger)
    with pytest.raises(vidgen.LedgerError, match="nothing was sent"):
        made.submit(REQUEST)
    assert server.requests == []


def test_statuses_and_downloads_are_recorded(tmp_path: Path) -> None:
    ledger = open_ledger(tmp_path)
    made, _ = client(ledger)
    job = made.submit(REQUEST)
    done = vidgen.Job(
        id=job.id,
        provider=job.provider,
        status=vidgen.JobStatus.SUCCEEDED,
        outputs=(vidgen.Output(ref=job.id),),
    )
    seen(ledger, done)
    ledger.record(
        Downloaded(
            at=CLOCK.utcnow(),
            job=done,
            endpoint="https://relay.example/v1",
            path=tmp_path / "x.mp4",
            size=3,
            sha256="abc",
        )
    )
    entry = ledger.get(job.id)
    assert entry is not None
    assert entry.status is vidgen.JobStatus.SUCCEEDED
    assert entry.output_size == 3
    assert entry.finished
    assert ledger.spend() == [
        (entry.created_at.date().isoformat(), "openai-compatible", "USD", Decimal("2.00"), 1)
    ]


def test_max_daily_spend_counts_todays_committed_jobs(tmp_path: Path) -> None:
    ledger = open_ledger(tmp_path)
    made, server = client(ledger, max_daily_spend="5.00")
    made.submit(REQUEST)  # $2.00
    made.submit(REQUEST)  # $4.00 committed
    with pytest.raises(vidgen.BudgetExceeded, match=r"max_daily_spend 5\.00"):
        made.submit(REQUEST)  # would be $6.00
    assert server.count("POST") == 2
    assert ledger.committed_today() == Decimal("4.00")


def test_failed_jobs_do_not_count_against_the_day(tmp_path: Path) -> None:
    ledger = open_ledger(tmp_path)
    made, _ = client(ledger, max_daily_spend="3.00")
    job = made.submit(REQUEST)
    seen(ledger, vidgen.Job(id=job.id, provider=job.provider, status=vidgen.JobStatus.FAILED))
    made.submit(REQUEST)  # the failed one is not billed, so this fits
    assert ledger.committed_today() == Decimal("2.00")


def test_max_daily_spend_needs_the_ledger() -> None:
    # Refused when the client is made, before anything could be sent.
    with pytest.raises(vidgen.ConfigError, match="needs the job ledger"):
        client(None, max_daily_spend="5.00")


def test_the_default_ledger_lives_in_vidgen_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDGEN_HOME", str(tmp_path / "vh"))
    made = vidgen.Client(provider="openai-compatible", base_url="https://r.example/v1")
    assert made.ledger is not None
    assert made.ledger.path == tmp_path / "vh" / "ledger.sqlite3"
    made.close()
