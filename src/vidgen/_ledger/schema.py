"""The ledger's tables, their version, and the migrations from older versions.

Version 1 was the first ledger (no ``meta`` table). Version 2 keys jobs by endpoint as well
as provider and id, keeps the provider's non-secret settings, the day and amount in forms
that can be indexed and summed, whether anything is left to do, claims (leases) on jobs
being finished, and spend totals of pruned rows. Version 3 adds what the provider reports
it billed (``usage``), what a delivered file turned out to be (``delivered``,
``delivery_issue``), and groups of jobs: storyboards and batches (``groups``), whose items
(shots, batch lines) each lead to one or more jobs (``items``; a job knows its item), and
the webhook deliveries already taken (``deliveries``), so a replayed one is refused.

The same statements serve SQLite and PostgreSQL; `ddl` fills in the few words that differ.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = [
    "FINISHED",
    "MAY_BILL",
    "READ_INDEXES",
    "RETIRED_INDEXES",
    "VERSION",
    "ddl",
    "finished_when",
    "index_changes",
    "migrate_v1",
    "migrate_v2",
]

VERSION = 3


def finished_when(
    *,
    submit_state: str = "submit_state",
    problem: str = "problem",
    status: str = "status",
    output_path: str = "output_path",
) -> str:
    """Whether a row has anything left to do, as an SQL expression.

    Each argument is the SQL for that column's value: by default the column itself. An
    UPDATE passes the new values it sets (``status="?"``), since SET reads the old row; so
    one statement both changes a row and says whether it is finished.
    """
    return (
        f"CASE WHEN {submit_state} = 'rejected' OR {problem} IS NOT NULL "
        f"OR {status} IN ('failed', 'cancelled') "
        f"OR ({status} = 'succeeded' AND {output_path} IS NOT NULL) THEN 1 ELSE 0 END"
    )


#: Whether a row has anything left to do, as an SQL expression over its own columns.
FINISHED = finished_when()

_JOBS_COLUMNS = """
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    day            TEXT NOT NULL,
    profile        TEXT,
    provider       TEXT NOT NULL,
    endpoint       TEXT NOT NULL DEFAULT '',
    model          TEXT,
    settings       TEXT,
    request        TEXT NOT NULL,
    submit_state   TEXT NOT NULL,
    submit_error   TEXT,
    job_id         TEXT,
    status         TEXT,
    progress       INTEGER,
    quote          TEXT,
    amount         TEXT,
    amount_micros  BIGINT,
    currency       TEXT,
    expires_at     TEXT,
    job            TEXT,
    callback_token TEXT,
    output_target  TEXT,
    output_path    TEXT,
    output_size    BIGINT,
    output_sha256  TEXT,
    downloaded_at  TEXT,
    problem        TEXT,
    claimed_by     TEXT,
    claimed_until  TEXT,
    finished       INTEGER NOT NULL DEFAULT 0,
    usage          TEXT,
    delivered      TEXT,
    delivery_issue TEXT,
    group_id       TEXT,
    item_key       TEXT
"""

_V3_TABLES = """
CREATE TABLE IF NOT EXISTS groups (
    group_id   TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    target     TEXT,
    spec       TEXT NOT NULL,
    settings   TEXT,
    status     TEXT NOT NULL,
    detail     TEXT
);
CREATE TABLE IF NOT EXISTS items (
    group_id      TEXT NOT NULL REFERENCES groups(group_id),
    item_key      TEXT NOT NULL,
    item_index    INTEGER NOT NULL,
    request       TEXT NOT NULL,
    state         TEXT NOT NULL,
    claimed_by    TEXT,
    claimed_until TEXT,
    result        TEXT,
    error         TEXT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (group_id, item_key)
);
CREATE INDEX IF NOT EXISTS items_waiting ON items(group_id, state);
CREATE INDEX IF NOT EXISTS jobs_by_item ON jobs(group_id, item_key);
CREATE TABLE IF NOT EXISTS deliveries (
    provider    TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (provider, delivery_id)
);
"""

_INDEXES = """
CREATE INDEX IF NOT EXISTS jobs_unfinished ON jobs(ledger_id) WHERE finished = 0;
CREATE INDEX IF NOT EXISTS events_by_job ON events(ledger_id);
"""

#: Which submits may still bill, as the daily-spend check asks it (and its index is made):
#: written out, never with parameters, so both databases match query and index.
MAY_BILL = (
    "amount_micros IS NOT NULL AND submit_state != 'rejected' "
    "AND (status IS NULL OR status NOT IN ('failed', 'cancelled'))"
)

#: Indexes that serve the everyday reads and writes (no new columns or tables, so no new
#: version: a version-3 ledger without them gets them when it is next opened for writing).
#: Each is small and covers its query, so the query reads the index alone, and each changes
#: only when its answer does, not on every status a job passes through:
#: jobs_by_job finds a job by its id (every event after the submit);
#: jobs_committed holds one day's submits that may still bill (the daily-spend check);
#: jobs_spend holds succeeded jobs' amounts (the spend totals);
#: groups_running the storyboards and batches still running (resume).
READ_INDEXES = {
    "jobs_by_job": "CREATE INDEX IF NOT EXISTS jobs_by_job ON jobs(job_id, provider, endpoint)",
    "jobs_committed": "CREATE INDEX IF NOT EXISTS jobs_committed ON jobs(day, amount_micros) "
    f"WHERE {MAY_BILL}",
    "jobs_spend": "CREATE INDEX IF NOT EXISTS jobs_spend ON jobs"
    "(day, profile, provider, currency, amount_micros) WHERE status = 'succeeded'",
    "groups_running": "CREATE INDEX IF NOT EXISTS groups_running ON groups(kind) "
    "WHERE status = 'running'",
}

#: Indexes of earlier version-3 ledgers that `READ_INDEXES` replace (each one more page to
#: write on every commit that changes a job).
RETIRED_INDEXES = ("jobs_by_key", "jobs_by_job_id", "jobs_by_day")


def index_changes(names: set[str]) -> list[str]:
    """The statements that bring a ledger whose tables and indexes are ``names`` to today's
    indexes: the missing `READ_INDEXES` created, the `RETIRED_INDEXES` dropped."""
    create = [sql for name, sql in READ_INDEXES.items() if name not in names]
    return create + [f"DROP INDEX IF EXISTS {name}" for name in RETIRED_INDEXES if name in names]


_OTHER_TABLES = """
CREATE TABLE IF NOT EXISTS spend_archive (
    day      TEXT NOT NULL,
    label    TEXT NOT NULL,
    currency TEXT NOT NULL,
    micros   BIGINT NOT NULL,
    jobs     INTEGER NOT NULL,
    PRIMARY KEY (day, label, currency)
);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def _serial(dialect: str) -> str:
    if dialect == "postgresql":
        return "BIGSERIAL PRIMARY KEY"
    return "INTEGER PRIMARY KEY AUTOINCREMENT"


def ddl(dialect: str) -> list[str]:
    """The statements that create an empty ledger of the current version."""
    serial = _serial(dialect)
    text = (
        f"CREATE TABLE IF NOT EXISTS jobs (\n    ledger_id {serial},{_JOBS_COLUMNS});\n"
        f"CREATE TABLE IF NOT EXISTS events (\n    event_id {serial},\n"
        "    ledger_id BIGINT NOT NULL REFERENCES jobs(ledger_id),\n"
        "    at TEXT NOT NULL,\n    kind TEXT NOT NULL,\n    detail TEXT\n);\n"
        + _OTHER_TABLES
        + _INDEXES
        + _V3_TABLES
    )
    return [s.strip() for s in text.split(";") if s.strip()] + list(READ_INDEXES.values())


def migrate_v1(run: Callable[[str], object]) -> None:
    """Bring a version-1 ledger (SQLite only: there was no other) to version 2, in place.

    Old rows get an empty endpoint (they were keyed by provider and id alone), their day
    and amount in micro-units, and the "unknown" submit state its own name.
    """
    for column in (
        "day TEXT NOT NULL DEFAULT ''",
        "endpoint TEXT NOT NULL DEFAULT ''",
        "settings TEXT",
        "amount_micros BIGINT",
        "problem TEXT",
        "claimed_by TEXT",
        "claimed_until TEXT",
        "finished INTEGER NOT NULL DEFAULT 0",
    ):
        run(f"ALTER TABLE jobs ADD COLUMN {column}")
    run("DROP INDEX IF EXISTS jobs_by_provider_id")
    run("DROP INDEX IF EXISTS jobs_by_state")
    run("UPDATE jobs SET day = substr(created_at, 1, 10)")
    run("UPDATE jobs SET submit_state = 'outcome_unknown' WHERE submit_state = 'unknown'")
    run(
        "UPDATE jobs SET amount_micros = CAST(ROUND(CAST(amount AS REAL) * 1000000) AS INTEGER) "
        "WHERE amount IS NOT NULL"
    )
    run(f"UPDATE jobs SET finished = {FINISHED}")
    for statement in (_OTHER_TABLES + _INDEXES).split(";"):
        if statement.strip():
            run(statement.strip())


def migrate_v2(run: Callable[[str], object]) -> None:
    """Bring a version-2 ledger to version 3, in place (new columns and tables only)."""
    for column in (
        "usage TEXT",
        "delivered TEXT",
        "delivery_issue TEXT",
        "group_id TEXT",
        "item_key TEXT",
    ):
        run(f"ALTER TABLE jobs ADD COLUMN {column}")
    for statement in _V3_TABLES.split(";"):
        if statement.strip():
            run(statement.strip())
