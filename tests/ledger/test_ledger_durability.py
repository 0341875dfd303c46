"""Which commits wait for the disk: a submit and its job id always; a status read, a
download record or a claim never has to (each survives the process being killed)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import vidgen
from vidgen._events import Downloaded, JobSeen, SubmitAccepted, SubmitStarting
from vidgen.testing import FakeClock

ENDPOINT = "https://relay.example/v1"
AT = dt.datetime(2026, 11, 30, 9, tzinfo=dt.timezone.utc)


def _attempt() -> vidgen.Attempt:
    provider = vidgen.get_provider("openai")
    fitted = provider.fit(
        vidgen.VideoRequest(prompt="a paper boat", duration=8), policy="nearest", allow_retired=True
    )
    return vidgen.Attempt(
        provider="openai", profile=None, fitted=fitted, quote=provider.quote(fitted)
    )


@pytest.fixture
def ledger(backend: str | None, tmp_path: Path) -> Iterator[tuple[vidgen.Ledger, list[bool]]]:
    ledger = vidgen.Ledger(
        backend or tmp_path / "ledger.sqlite3", clock=FakeClock(start=AT.timestamp())
    )
    kinds: list[bool] = []
    real = ledger._backend.write

    @contextlib.contextmanager
    def watched(*, durable: bool = True) -> Iterator[Any]:
        kinds.append(durable)
        with real(durable=durable) as tx:
            yield tx

    ledger._backend.write = watched  # type: ignore[method-assign]
    yield ledger, kinds
    ledger.close()


def test_submits_and_job_ids_wait_for_the_disk_and_the_rest_does_not(
    ledger: tuple[vidgen.Ledger, list[bool]], tmp_path: Path
) -> None:
    book, kinds = ledger
    job = vidgen.Job(id="video_1", provider="openai", status=vidgen.JobStatus.QUEUED)
    ledger_id = book.record(SubmitStarting(at=AT, attempt=_attempt(), endpoint=ENDPOINT))
    assert kinds == [True]
    book.record(SubmitAccepted(at=AT, ledger_id=ledger_id, job=job, endpoint=ENDPOINT))
    assert kinds == [True, True]
    kinds.clear()
    done = vidgen.Job(id="video_1", provider="openai", status=vidgen.JobStatus.SUCCEEDED)
    book.record(JobSeen(at=AT, job=done, endpoint=ENDPOINT))
    claim = book.claim(done, ENDPOINT)
    book.release(claim)
    (tmp_path / "v.mp4").write_bytes(b"v")
    book.record(
        Downloaded(
            at=AT,
            job=done,
            endpoint=ENDPOINT,
            path=tmp_path / "v.mp4",
            size=1,
            sha256="00",
            index=0,
            variant="video",
        )
    )
    assert kinds
    assert not any(kinds)
    entry = book.get(ledger_id or 0)
    assert entry is not None
    assert entry.downloaded  # recorded all the same
