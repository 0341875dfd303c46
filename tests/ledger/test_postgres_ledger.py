"""The shared ledger on PostgreSQL: many worker processes at once, the daily limit across
them, leases, reconnects, and a password that never shows."""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

import vidgen
from vidgen._events import SubmitStarting
from vidgen._ledger.ledger import DEFAULT_LEASE
from vidgen._plan import Attempt
from vidgen.cli import cli
from vidgen.testing import FakeClock

try:
    import psycopg
except ImportError:  # pragma: no cover - the pg_url fixture says why the tests skip (or fail)
    psycopg = None
ENDPOINT = "https://relay.example/v1"
WORKERS = 4
ITEMS = 200
FORK = multiprocessing.get_context("fork")


def attempt() -> Attempt:
    provider = vidgen.get_provider("openai")
    fitted = provider.fit(
        vidgen.VideoRequest(prompt="a heron", duration=8), policy="nearest", allow_retired=True
    )
    return Attempt(provider="openai", profile="studio", fitted=fitted, quote=provider.quote(fitted))


def password_of(url: str) -> str:
    password = urlsplit(url).password
    assert password, "the test server's URL must carry a password for these tests to mean much"
    return password


# -- many workers at once --------------------------------------------------------------------


def _claim_all(url: str, start: Any, out: Any) -> None:
    ledger = vidgen.Ledger(url)
    start.wait()
    mine: list[str] = []
    while True:
        items = ledger.claim_items("batch", 7)
        if not items:
            break
        for item in items:
            mine.append(item.key)
            ledger.finish_item("batch", item.key, "done", result={"by": ledger.owner})
    ledger.close()
    out.put(mine)


def test_concurrent_workers_claim_every_item_exactly_once(pg_url: str) -> None:
    ledger = vidgen.Ledger(pg_url)
    ledger.open_group(group_id="batch", kind="batch", target=None, spec={}, settings={})
    assert ledger.enqueue("batch", [(f"line-{n:03d}", n, {"n": n}) for n in range(ITEMS)]) == ITEMS
    start, out = FORK.Event(), FORK.Queue()
    workers = [FORK.Process(target=_claim_all, args=(pg_url, start, out)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    start.set()
    claimed = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    every = [key for keys in claimed for key in keys]
    assert sorted(every) == sorted(f"line-{n:03d}" for n in range(ITEMS))  # each exactly once
    assert sum(1 for keys in claimed if keys) >= 2, "the workers did not run side by side"
    states = {item.state for item in ledger.items("batch")}
    assert states == {"done"}


def _submit_many(url: str, limit: str, tries: int, start: Any, out: Any) -> None:
    ledger = vidgen.Ledger(url, clock=FakeClock.at("2026-12-01T12:00:00"))
    planned = attempt()
    start.wait()
    sent = refused = 0
    for _ in range(tries):
        event = SubmitStarting(
            at=dt.datetime(2026, 12, 1, 12, tzinfo=dt.timezone.utc),
            attempt=planned,
            endpoint=ENDPOINT,
            max_daily_spend=Decimal(limit),
        )
        try:
            ledger.record(event)
            sent += 1
        except vidgen.BudgetExceeded:
            refused += 1
    ledger.close()
    out.put((sent, refused))


def test_the_daily_limit_holds_across_concurrent_workers(pg_url: str) -> None:
    price = attempt().quote.amount
    assert price is not None
    assert price > 0
    allowed = 10
    limit = str(price * allowed)
    vidgen.Ledger(pg_url).close()  # the tables exist before the race starts
    start, out = FORK.Event(), FORK.Queue()
    workers = [
        FORK.Process(target=_submit_many, args=(pg_url, limit, 8, start, out))
        for _ in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    start.set()
    results = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert sum(sent for sent, _ in results) == allowed
    assert sum(refused for _, refused in results) == WORKERS * 8 - allowed
    ledger = vidgen.Ledger(pg_url)
    assert ledger.committed_today(dt.date(2026, 12, 1)) == Decimal(limit)


def test_a_lapsed_item_lease_is_taken_over_by_another_worker(pg_url: str) -> None:
    clock = FakeClock.at("2026-12-01T12:00:00")
    dead, alive = vidgen.Ledger(pg_url, clock=clock), vidgen.Ledger(pg_url, clock=clock)
    dead.open_group(group_id="b", kind="batch", target=None, spec={}, settings={})
    dead.enqueue("b", [("one", 0, {})])
    assert [i.key for i in dead.claim_items("b", 5)] == ["one"]
    assert alive.claim_items("b", 5) == []  # the lease still runs
    clock.advance(DEFAULT_LEASE.total_seconds() + 1)
    (taken,) = alive.claim_items("b", 5)
    assert taken.claimed_by == alive.owner
    dead.renew_items([("b", "one")])  # too late: the claim is no longer the dead one's
    assert alive.items("b")[0].claimed_by == alive.owner


# -- the connection --------------------------------------------------------------------------


def test_a_dropped_connection_is_opened_again(pg_url: str) -> None:
    ledger = vidgen.Ledger(pg_url)
    ledger.open_group(group_id="g", kind="batch", target=None, spec={}, settings={})
    backend_pid = ledger._backend._db.info.backend_pid  # type: ignore[attr-defined]
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (backend_pid,))
    assert [g.group_id for g in ledger.groups()] == ["g"]
    assert ledger._backend._db.info.backend_pid != backend_pid  # type: ignore[attr-defined]


def test_a_read_only_ledger_reads_in_read_only_transactions(pg_url: str) -> None:
    vidgen.Ledger(pg_url).open_group(group_id="g", kind="batch", target=None, spec={}, settings={})
    reader = vidgen.Ledger(pg_url, readonly=True)
    assert [g.group_id for g in reader.groups()] == ["g"]
    with pytest.raises(vidgen.LedgerError, match="read-only"):
        reader.finish_group("g", "done")
    with pytest.raises(vidgen.LedgerError, match="read-only"), reader._backend.read() as tx:
        tx.run("DELETE FROM groups")
    assert [g.group_id for g in vidgen.Ledger(pg_url).groups()] == ["g"]


def test_a_read_only_ledger_of_an_empty_database_reads_as_empty(pg_url: str) -> None:
    reader = vidgen.Ledger(pg_url, readonly=True)
    assert reader.entries() == []
    assert reader.spend() == []
    with psycopg.connect(pg_url) as db:
        tables = db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
        assert tables.fetchone() == (0,)  # reading created nothing


def test_the_queries_use_their_indexes(pg_url: str) -> None:
    from vidgen._ledger.postgres import _to_psycopg
    from vidgen._ledger.schema import MAY_BILL

    vidgen.Ledger(pg_url).close()
    queries = {
        "jobs_unfinished": "SELECT * FROM jobs WHERE finished = 0 ORDER BY ledger_id",
        "jobs_committed": f"SELECT SUM(amount_micros) FROM jobs WHERE day = ? AND {MAY_BILL}",
        "jobs_spend": "SELECT day, SUM(amount_micros) FROM jobs WHERE status = 'succeeded' "
        "AND amount_micros IS NOT NULL GROUP BY day",
        "jobs_by_job": "SELECT ledger_id FROM jobs WHERE provider = ? AND job_id = ? "
        "AND (endpoint = ? OR endpoint = '') ORDER BY ledger_id DESC LIMIT 1",
    }
    params: dict[str, tuple[Any, ...]] = {
        "jobs_committed": ("2026-12-01",),
        "jobs_by_job": ("openai", "video_1", ENDPOINT),
    }
    with psycopg.connect(pg_url) as db:
        db.execute("SET enable_seqscan = off")  # an empty table: ask which index it would use
        for index, sql in queries.items():
            plan = db.execute("EXPLAIN " + _to_psycopg(sql), params.get(index, ())).fetchall()
            assert index in " ".join(row[0] for row in plan), (index, plan)


# -- messages ----------------------------------------------------------------------------------


def test_the_password_is_never_shown(
    pg_url: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    password = password_of(pg_url)
    caplog.set_level(logging.DEBUG)
    ledger = vidgen.Ledger(pg_url)
    ledger.open_group(group_id="g", kind="batch", target=None, spec={}, settings={})
    shown = [repr(ledger), str(ledger.where), repr(ledger._backend)]
    wrong = pg_url.replace(f":{password}@", ":not-the-password@")
    for bad in (wrong, pg_url.replace("/vidgen", "/no_such_database", 1)):
        with pytest.raises(vidgen.LedgerError) as caught:
            vidgen.Ledger(bad)
        shown.append(str(caught.value))
        assert "\n" not in str(caught.value)
    assert "password authentication failed" in shown[-2]
    shown += [r.getMessage() for r in caplog.records]
    captured = capsys.readouterr()
    shown += [captured.out, captured.err]
    for text in shown:
        assert password not in text
        assert "not-the-password" not in text
    assert ledger.where.startswith("postgresql://")


def test_the_cli_shows_the_ledger_in_use_without_its_password(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = password_of(pg_url)
    monkeypatch.setenv("VIDGEN_LEDGER_URL", pg_url)
    runner = CliRunner()
    shown = runner.invoke(cli, ["config"])
    assert shown.exit_code == 0, shown.output
    assert "ledger: postgresql://" in shown.output
    assert password not in shown.output
    listed = runner.invoke(cli, ["jobs"])
    assert listed.exit_code == 0, listed.output
    assert "No jobs in the ledger (postgresql://" in listed.output
    monkeypatch.setenv("VIDGEN_LEDGER_URL", pg_url.replace(password, "wrong-one"))
    refused = runner.invoke(cli, ["jobs"])
    assert refused.exit_code != 0
    assert "password authentication failed" in refused.output
    assert "Traceback" not in refused.output
    assert "wrong-one" not in refused.output


def test_missing_permissions_say_what_the_role_needs(pg_url: str) -> None:
    ledger = vidgen.Ledger(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute("REVOKE INSERT ON jobs FROM CURRENT_USER")
    with pytest.raises(vidgen.LedgerError, match="INSERT") as caught:
        ledger.record(
            SubmitStarting(
                at=dt.datetime.now(dt.timezone.utc), attempt=attempt(), endpoint=ENDPOINT
            )
        )
    message = str(caught.value)
    assert "permission denied" in message
    assert "nothing was sent" in message
    assert password_of(pg_url) not in message


def test_a_client_and_the_commands_use_ledger_url_from_the_config(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = password_of(pg_url)
    monkeypatch.setenv("PGPASSWORD", password)  # the file never holds it
    url = pg_url.replace(f":{password}@", "@")
    (tmp_path / "vidgen.toml").write_text(f'ledger_url = "{url}"\n', encoding="utf-8")
    with vidgen.Client(provider="sandbox") as client:
        assert client.ledger is not None
        assert client.ledger.shared
        assert client.ledger.where == vidgen.Ledger().where
    shown = CliRunner().invoke(cli, ["config"])
    assert shown.exit_code == 0, shown.output
    assert f"ledger: {client.ledger.where}" in shown.output
