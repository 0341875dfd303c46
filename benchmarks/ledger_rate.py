"""How fast the job ledger records a job's events, next to bare SQLite doing the same commits.

One job's life as the clients record it, through `Ledger.record`:

    SubmitStarting -> SubmitAccepted -> JobSeen (queued) -> JobSeen (running, 50 %)
    -> JobSeen (succeeded) -> Downloaded

Six events, six commits. The baseline opens a SQLite file with the ledger's own settings (WAL,
``BEGIN IMMEDIATE``) and makes the same number of commits with the same durability each (the
submit and the job id with ``synchronous=FULL``, the status reads and the download record with
``NORMAL``, as the ledger commits them), each writing one row of about the same size (an INSERT
for the submit, UPDATEs by primary key after it).
So the ratio says how much the ledger costs on top of the commits it cannot avoid.

    (b) baseline   bare sqlite3: 6 commits per job, one statement each
    (a) ledger     Ledger.record of the 6 events of a job
    (p) postgres   (a) on PostgreSQL, when --postgres URL (or VIDGEN_TEST_POSTGRES_URL) is set;
                   shown for information, its baseline is not SQLite

Rounds interleave (a) and (b), each on a fresh file in the same folder; the medians of the
jobs-per-second rates are compared. Usage::

    python benchmarks/ledger_rate.py               # 7 rounds of 200 jobs
    python benchmarks/ledger_rate.py -n 15 --jobs 400
    python benchmarks/ledger_rate.py --check       # exit 1 when (a)/(b) < 0.8

Target: (a)/(b) >= 0.8.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import attrs

import vidgen
from vidgen._events import Downloaded, Event, JobSeen, SubmitAccepted, SubmitStarting
from vidgen._plan import Attempt

TARGET = 0.8
ENDPOINT = "https://relay.example/v1"
START = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)


def _attempt() -> Attempt:
    provider = vidgen.get_provider("openai")
    request = vidgen.VideoRequest(
        prompt="a paper boat on a rainy street, evening light", duration=8
    )
    fitted = provider.fit(request, policy="nearest", allow_retired=True)
    return Attempt(provider="openai", profile="studio", fitted=fitted, quote=provider.quote(fitted))


def _job(job_id: str, status: vidgen.JobStatus, progress: int | None) -> vidgen.Job:
    return vidgen.Job(
        id=job_id,
        provider="openai",
        model="sora-2",
        status=status,
        progress=progress,
        created_at=START,
        seconds=8,
        size="1280x720",
        raw={"id": job_id, "object": "video", "status": status.value, "progress": progress},
    )


def lives(jobs: int, attempt: Attempt) -> list[tuple[SubmitStarting, list[Event]]]:
    """The events of ``jobs`` lives, made before the clock starts (only recording is timed).

    The `SubmitAccepted` of each life has no ledger number yet; `run_ledger` sets it.
    """
    made = []
    for n in range(jobs):
        at = START + dt.timedelta(seconds=n)
        job_id = f"video_{uuid.uuid4().hex}"
        later: list[Event] = [
            SubmitAccepted(
                at=at,
                ledger_id=None,
                job=_job(job_id, vidgen.JobStatus.QUEUED, 0),
                endpoint=ENDPOINT,
            )
        ]
        for status, progress in (
            (vidgen.JobStatus.QUEUED, 0),
            (vidgen.JobStatus.RUNNING, 50),
            (vidgen.JobStatus.SUCCEEDED, 100),
        ):
            later.append(JobSeen(at=at, job=_job(job_id, status, progress), endpoint=ENDPOINT))
        later.append(
            Downloaded(
                at=at,
                job=_job(job_id, vidgen.JobStatus.SUCCEEDED, 100),
                endpoint=ENDPOINT,
                path=Path(f"/tmp/out/{job_id}.mp4"),
                size=1_234_567,
                sha256="0" * 64,
            )
        )
        start = SubmitStarting(
            at=at, attempt=attempt, endpoint=ENDPOINT, settings={"base_url": ENDPOINT}
        )
        made.append((start, later))
    return made


def run_ledger(ledger: vidgen.Ledger, events: list[tuple[SubmitStarting, list[Event]]]) -> float:
    """Seconds to record these lives."""
    started = time.perf_counter()
    for start, later in events:
        ledger_id = ledger.record(start)
        for event in later:
            if isinstance(event, SubmitAccepted):
                event = attrs.evolve(event, ledger_id=ledger_id)
            ledger.record(event)
    return time.perf_counter() - started


def run_bare(path: Path, jobs: int) -> float:
    """Seconds for the same number of commits, with the ledger's durability, in bare sqlite3."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute(
        "CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT, status TEXT, "
        "request TEXT, job TEXT, output_path TEXT)"
    )
    request = json.dumps(
        {"prompt": "a paper boat on a rainy street", "seconds": 8} | {"x": "y" * 300}
    )
    started = time.perf_counter()
    for n in range(jobs):
        job_id = f"video_{uuid.uuid4().hex}"
        db.execute("BEGIN IMMEDIATE")
        row_id = db.execute(
            "INSERT INTO jobs (request, status) VALUES (?, 'sending') RETURNING id", (request,)
        ).fetchone()[0]
        db.execute("COMMIT")
        for number, status in enumerate(("queued", "queued", "running", "succeeded")):
            job = json.dumps({"id": job_id, "status": status, "raw": {"n": n}})
            # The same durability per commit as the ledger: the submit and the job id wait
            # for the disk (FULL); status reads and the download record do not (NORMAL).
            if number == 1:
                db.execute("PRAGMA synchronous = NORMAL")
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "UPDATE jobs SET job_id = ?, status = ?, job = ? WHERE id = ?",
                (job_id, status, job, row_id),
            )
            db.execute("COMMIT")
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE jobs SET output_path = ? WHERE id = ?", (f"/tmp/{job_id}.mp4", row_id))
        db.execute("COMMIT")
        db.execute("PRAGMA synchronous = FULL")
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def run_postgres(url: str, jobs: int, attempt: Attempt) -> float:
    """`run_ledger` on PostgreSQL, in a schema made for the round and dropped after it."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    try:
        joiner = "&" if "?" in url else "?"
        with vidgen.Ledger(f"{url}{joiner}options=-csearch_path%3D{schema}") as ledger:
            return run_ledger(ledger, lives(jobs, attempt))
    finally:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(f"DROP SCHEMA {schema} CASCADE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--rounds", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=200, help="jobs per round")
    parser.add_argument("--dir", help="folder for the files (default: a temporary one)")
    parser.add_argument("--postgres", default=os.environ.get("VIDGEN_TEST_POSTGRES_URL"))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    attempt = _attempt()
    rates: dict[str, list[float]] = {"bare": [], "ledger": [], "postgres": []}
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        for r in range(args.rounds + 1):  # round 0 warms up and is not kept
            order = ["bare", "ledger"] if r % 2 else ["ledger", "bare"]
            for kind in order:
                path = Path(folder) / f"{kind}-{r}.sqlite3"
                if kind == "bare":
                    seconds = run_bare(path, args.jobs)
                else:
                    with vidgen.Ledger(path) as ledger:
                        seconds = run_ledger(ledger, lives(args.jobs, attempt))
                if r:
                    rates[kind].append(args.jobs / seconds)
            if args.postgres and r:
                rates["postgres"].append(
                    args.jobs / run_postgres(args.postgres, args.jobs, attempt)
                )
    base = statistics.median(rates["bare"])
    mine = statistics.median(rates["ledger"])
    print(f"{'row':<14}{'median jobs/s':>14}{'min':>10}{'max':>10}")
    for label, key in (
        ("(b) baseline", "bare"),
        ("(a) ledger", "ledger"),
        ("(p) postgres", "postgres"),
    ):
        if rates[key]:
            values = rates[key]
            print(
                f"{label:<14}{statistics.median(values):>14.1f}{min(values):>10.1f}{max(values):>10.1f}"
            )
    ratio = mine / base
    print(
        f"(a)/(b) = {ratio:.2f}  (target >= {TARGET}; per job: (a) records 6 events, (b) makes 6 commits)"
    )
    return 1 if args.check and ratio < TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
