"""The everyday reads are served by indexes on SQLite (EXPLAIN QUERY PLAN), and a ledger made
by an earlier vidgen of the same version gets them when next opened for writing. (The same
check on PostgreSQL is in test_postgres_ledger.py.)"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import vidgen
from vidgen._ledger.schema import MAY_BILL, READ_INDEXES, RETIRED_INDEXES

QUERIES = {
    "jobs_unfinished": ("SELECT * FROM jobs WHERE finished = 0 ORDER BY ledger_id", ()),
    "jobs_committed": (
        f"SELECT SUM(amount_micros) FROM jobs WHERE day = ? AND {MAY_BILL}",
        ("2026-12-01",),
    ),
    "jobs_spend": (
        "SELECT day, COALESCE(profile, provider), currency, SUM(amount_micros) FROM jobs "
        "WHERE status = 'succeeded' AND amount_micros IS NOT NULL "
        "GROUP BY day, COALESCE(profile, provider), currency",
        (),
    ),
    "jobs_by_job": (
        "SELECT ledger_id FROM jobs WHERE provider = ? AND job_id = ? "
        "AND (endpoint = ? OR endpoint = '') ORDER BY ledger_id DESC LIMIT 1",
        ("openai", "video_1", "https://relay.example/v1"),
    ),
    "groups_running": (
        "SELECT * FROM groups WHERE kind = ? AND status = 'running' ORDER BY created_at",
        ("storyboard",),
    ),
}


def plan(path: Path, sql: str, params: tuple[object, ...]) -> str:
    db = sqlite3.connect(path)
    try:
        return " ".join(str(row[-1]) for row in db.execute("EXPLAIN QUERY PLAN " + sql, params))
    finally:
        db.close()


def test_each_everyday_read_uses_its_index(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    vidgen.Ledger(path).close()
    for index, (sql, params) in QUERIES.items():
        assert index in plan(path, sql, params), index
    newest = plan(path, "SELECT * FROM jobs ORDER BY ledger_id DESC LIMIT 20", ())
    assert "TEMP B-TREE" not in newest  # vidgen jobs reads the newest rows, never sorts them all


def test_an_earlier_version_3_ledger_gets_the_new_indexes(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    vidgen.Ledger(path).close()
    db = sqlite3.connect(path)
    for name in READ_INDEXES:
        db.execute(f"DROP INDEX {name}")
    db.execute("CREATE INDEX jobs_by_key ON jobs(provider, endpoint, job_id)")
    db.execute("CREATE INDEX jobs_by_day ON jobs(day)")
    db.commit()
    db.close()
    vidgen.Ledger(path, readonly=True).close()  # a reader leaves the file as it is
    db = sqlite3.connect(path)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "jobs_by_key" in names
    db.close()
    vidgen.Ledger(path).close()
    db = sqlite3.connect(path)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    db.close()
    assert set(READ_INDEXES) <= names
    assert not names & set(RETIRED_INDEXES)
