"""Whether the job ledger's everyday reads grow with what is unfinished, not with its size.

A ledger made by the code (`vidgen.Ledger`) is filled, with SQL in one transaction, with N
finished jobs spread over a year (``--days``) (succeeded and downloaded, a few failed; two events each) and
nothing left to do. Then, on that ledger:

    resume    the part of ``vidgen resume`` that looks for work: ``Ledger.unfinished()`` and
              the unfinished storyboards (``Ledger.groups(kind="storyboard", unfinished=True)``)
    cli       ``vidgen resume`` itself, in this process (click's runner; no interpreter start)
    jobs      ``Ledger.entries(limit=20)``: what ``vidgen jobs`` lists
    daily     ``Ledger.committed_today()``: the daily-spend check made before every submit
    spend     ``Ledger.spend()``: ``vidgen spend``, totals per day and profile

each timed at N = 100 (the baseline) and N = 100,000: the median of several samples, each
sample as many calls as fill 5 ms. The ratios
(time at 100k / time at 100) say how each read scales. Usage::

    python benchmarks/ledger_scale.py                  # SQLite
    python benchmarks/ledger_scale.py --postgres URL   # also PostgreSQL (a fresh schema)
    python benchmarks/ledger_scale.py --check          # exit 1 when resume's ratio > 1.2

Target: resume at 100k <= 1.2 x resume at 100. The others are shown for information
(``spend`` reads every succeeded job's total by design; ``daily`` reads only today's jobs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from click.testing import CliRunner

import vidgen
from vidgen.cli import cli as cli_main

TARGET = 1.2
TODAY = dt.date(2026, 12, 1)
CLOCK_NOW = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.timezone.utc).timestamp()
SIZES = (100, 100_000)

_COLUMNS = (
    "created_at, updated_at, day, profile, provider, endpoint, model, settings, request, "
    "submit_state, job_id, status, progress, quote, amount, amount_micros, currency, job, "
    "output_target, output_path, output_size, output_sha256, downloaded_at, finished"
)


def _row(n: int, total: int, days: int) -> tuple[Any, ...]:
    day = TODAY - dt.timedelta(days=(total - 1 - n) * days // total)
    stamp = f"{day.isoformat()}T12:00:00+00:00"
    job_id = f"video_{n:08d}"
    failed = n % 50 == 0
    status = "failed" if failed else "succeeded"
    request = {
        "prompt": f"shot {n}: a paper boat on a rainy street",
        "model": "sora-2",
        "size": "1280x720",
        "seconds": 8,
    }
    quote_data = {
        "amount": "0.80",
        "currency": "USD",
        "unit_price": "0.10",
        "billed_seconds": 8,
        "source": "https://example.com/pricing",
        "as_of": "2026-11-01",
    }
    job = {
        "id": job_id,
        "provider": "openai",
        "model": "sora-2",
        "status": status,
        "progress": 100,
        "created_at": stamp,
        "seconds": 8,
        "size": "1280x720",
        "outputs": [],
        "raw": {"id": job_id, "status": status},
    }
    output = None if failed else f"/renders/{job_id}.mp4"
    return (
        stamp,
        stamp,
        day.isoformat(),
        f"studio{n % 4}",
        "openai",
        "https://api.example/v1",
        "sora-2",
        "{}",
        json.dumps(request),
        "accepted",
        job_id,
        status,
        100,
        json.dumps(quote_data),
        "0.80",
        800_000,
        "USD",
        json.dumps(job),
        output,
        output,
        None if failed else 5_000_000,
        None if failed else "0" * 64,
        None if failed else stamp,
        1,
    )


def fill(ledger: vidgen.Ledger, total: int, days: int = 365) -> None:
    """``total`` finished jobs and two events each, in one transaction, straight in SQL."""
    marks = ", ".join("?" for _ in _COLUMNS.split(","))
    rows = [_row(n, total, days) for n in range(total)]
    with ledger._backend.write() as tx:
        tx.many(f"INSERT INTO jobs ({_COLUMNS}) VALUES ({marks})", rows)
        tx.many(
            "INSERT INTO events (ledger_id, at, kind, detail) "
            "SELECT ledger_id, created_at, ?, job_id FROM jobs",
            [("sending",), ("downloaded",)],
        )
        tx.run(
            "INSERT INTO groups (group_id, kind, created_at, updated_at, target, spec, status) "
            "VALUES ('film-1', 'storyboard', ?, ?, 'film.mp4', '{}', 'done')",
            ("2026-11-30T10:00:00+00:00", "2026-11-30T11:00:00+00:00"),
        )


def timed(fn: Callable[[], object], runs: int) -> float:
    """Seconds per call: the median of ``runs`` samples, each of as many calls as fill 5 ms
    (a read of a few microseconds is below what one timer reading can tell)."""
    fn()  # warm the caches and the statement cache
    calls, started = 0, time.perf_counter()
    while time.perf_counter() - started < 0.005:
        fn()
        calls += 1
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - started) / calls)
    return statistics.median(samples)


def measure(location: str | Path, home: Path | None, *, runs: int) -> dict[str, float]:
    ledger = vidgen.Ledger(location, clock=lambda: CLOCK_NOW)
    reader = vidgen.Ledger(location, clock=lambda: CLOCK_NOW, readonly=True)
    found: dict[str, float] = {}

    def resume() -> None:
        assert not ledger.unfinished()
        assert not ledger.groups(kind="storyboard", unfinished=True)

    found["resume"] = timed(resume, runs)
    if home is not None:
        runner = CliRunner()
        env = {"VIDGEN_HOME": str(home)}

        def cli() -> None:
            result = runner.invoke(cli_main, ["resume"], env=env)
            assert result.exit_code == 0, result.output

        found["cli"] = timed(cli, runs)
    found["jobs"] = timed(lambda: reader.entries(limit=20), runs)
    found["daily"] = timed(lambda: ledger.committed_today(TODAY), runs)
    found["spend"] = timed(reader.spend, runs)
    reader.close()
    ledger.close()
    return found


def run(
    kind: str, make: Callable[[int], tuple[str | Path, Path | None]], runs: int, days: int
) -> dict[int, dict[str, float]]:
    made = {}
    for size in SIZES:
        location, home = make(size)
        with vidgen.Ledger(location) as ledger:
            started = time.perf_counter()
            fill(ledger, size, days)
            print(
                f"{kind}: {size:,} rows made in {time.perf_counter() - started:.2f} s",
                file=sys.stderr,
            )
        made[size] = (location, home)
    # The sizes take turns, three times, so that a slow moment of the machine (or the first
    # measurement's cold start) does not fall on one of them only.
    rounds: dict[int, list[dict[str, float]]] = {size: [] for size in SIZES}
    for turn in range(3):
        for size in SIZES if turn % 2 == 0 else reversed(SIZES):
            rounds[size].append(measure(*made[size], runs=runs))
    return {
        size: {name: statistics.median(r[name] for r in found) for name in found[0]}
        for size, found in rounds.items()
    }


def report(kind: str, results: dict[int, dict[str, float]]) -> float:
    small, large = results[SIZES[0]], results[SIZES[1]]
    print(f"\n{kind}{'':<10}{'at 100':>12}{'at 100k':>12}{'ratio':>8}")
    for name in small:
        print(
            f"  {name:<16}{small[name] * 1000:>10.2f}ms{large[name] * 1000:>10.2f}ms"
            f"{large[name] / small[name]:>8.2f}"
        )
    return large["resume"] / small["resume"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=15)
    parser.add_argument("--postgres", default=os.environ.get("VIDGEN_TEST_POSTGRES_URL"))
    parser.add_argument(
        "--days", type=int, default=365, help="the days the jobs are spread over (1: all today)"
    )
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    ratios = []
    with tempfile.TemporaryDirectory() as folder:

        def sqlite(size: int) -> tuple[Path, Path]:
            home = Path(folder) / f"home{size}"
            home.mkdir()
            return home / "ledger.sqlite3", home

        ratios.append(report("sqlite", run("sqlite", sqlite, args.runs, args.days)))
    if args.postgres:
        import psycopg

        schemas = []

        def postgres(size: int) -> tuple[str, None]:
            schema = f"bench_{secrets.token_hex(4)}"
            with psycopg.connect(args.postgres, autocommit=True) as db:
                db.execute(f"CREATE SCHEMA {schema}")
            schemas.append(schema)
            joiner = "&" if "?" in args.postgres else "?"
            return f"{args.postgres}{joiner}options={quote(f'-csearch_path={schema}')}", None

        try:
            ratios.append(report("postgresql", run("postgresql", postgres, args.runs, args.days)))
        finally:
            with psycopg.connect(args.postgres, autocommit=True) as db:
                for schema in schemas:
                    db.execute(f"DROP SCHEMA {schema} CASCADE")
    print(
        f"\nresume at 100k / at 100: {', '.join(f'{r:.2f}' for r in ratios)} (target <= {TARGET})"
    )
    return 1 if args.check and max(ratios) > TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
