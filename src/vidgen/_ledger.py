"""The job ledger: every paid job, recorded before it is sent, so none is ever lost.

One SQLite file (``$VIDGEN_HOME/ledger.sqlite3``, else the user data folder), in WAL mode
with synchronous commits, shared safely by several processes. What is written when:

* before a submit is sent: a row in state ``sending`` with the fitted request, its quote,
  the callback token and the intended output path;
* when the provider answers: the job id (state ``accepted``), or ``rejected`` when the
  failure proves no job exists, or ``unknown`` when it may exist;
* every status the client sees, with an event row when it changes;
* every completed download: path, size and SHA-256.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from ._models import Job, JobStatus
from ._request import Fitted, Quote
from ._serialize import converter, fitted_to_dict, job_from_dict, job_to_dict, quote_to_dict

__all__ = ["HOME_ENV", "Ledger", "LedgerEntry", "default_home"]

HOME_ENV = "VIDGEN_HOME"

SENDING = "sending"
ACCEPTED = "accepted"
REJECTED = "rejected"
UNKNOWN = "unknown"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    ledger_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    profile        TEXT,
    provider       TEXT NOT NULL,
    model          TEXT,
    request        TEXT NOT NULL,
    submit_state   TEXT NOT NULL,
    submit_error   TEXT,
    job_id         TEXT,
    status         TEXT,
    progress       INTEGER,
    quote          TEXT,
    amount         TEXT,
    currency       TEXT,
    expires_at     TEXT,
    job            TEXT,
    callback_token TEXT,
    output_target  TEXT,
    output_path    TEXT,
    output_size    INTEGER,
    output_sha256  TEXT,
    downloaded_at  TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_by_provider_id ON jobs(provider, job_id)
    WHERE job_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(submit_state, status);
CREATE TABLE IF NOT EXISTS events (
    event_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    ledger_id  INTEGER NOT NULL REFERENCES jobs(ledger_id),
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    detail     TEXT
);
"""


def default_home() -> Path:
    """``$VIDGEN_HOME``, else the user data folder (``~/.local/share/vidgen`` on Linux)."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs  # only needed here

    return Path(platformdirs.user_data_dir("vidgen"))


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _dt(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


@attrs.frozen(kw_only=True)
class LedgerEntry:
    """One recorded submit and everything known about its job since.

    Attributes:
        ledger_id: the ledger's own number for it (``vidgen status 12``).
        created_at, updated_at: when it was recorded and last changed.
        profile, provider, model: where it went.
        submit_state: ``sending`` (the process stopped before an answer), ``accepted``,
            ``rejected`` (no job exists) or ``unknown`` (a job may exist).
        submit_error: why a submit failed, if it did.
        job_id: the provider's job id, once known.
        status: the last status seen.
        quote: the price at submit time.
        expires_at: when the outputs expire.
        job: the last `Job` seen.
        request: the fitted request that was sent (prompt, model, size, seconds...).
        callback_token: the token put in the callback URL, if any.
        output_target: where the caller asked the video to be saved.
        output_path, output_size, output_sha256, downloaded_at: the finished download.
    """

    ledger_id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    profile: str | None
    provider: str
    model: str | None
    submit_state: str
    submit_error: str | None
    job_id: str | None
    status: JobStatus | None
    progress: int | None
    quote: Quote | None
    expires_at: dt.datetime | None
    job: Job | None
    request: dict[str, Any] = attrs.field(eq=False, repr=False)
    callback_token: str | None = attrs.field(repr=False)
    output_target: str | None
    output_path: str | None
    output_size: int | None
    output_sha256: str | None
    downloaded_at: dt.datetime | None

    @property
    def downloaded(self) -> bool:
        """True once the output was saved."""
        return self.output_path is not None

    @property
    def finished(self) -> bool:
        """Nothing left to do: rejected, failed, cancelled, or succeeded and downloaded."""
        if self.submit_state == REJECTED:
            return True
        if self.status in (JobStatus.FAILED, JobStatus.CANCELLED):
            return True
        return self.status is JobStatus.SUCCEEDED and self.downloaded

    @property
    def label(self) -> str:
        """The profile, or the provider when there was none."""
        return self.profile or self.provider


def _entry(row: sqlite3.Row) -> LedgerEntry:
    quote = None
    if row["quote"]:
        quote = converter.structure(json.loads(row["quote"]), Quote)
    job = job_from_dict(json.loads(row["job"])) if row["job"] else None
    return LedgerEntry(
        ledger_id=row["ledger_id"],
        created_at=dt.datetime.fromisoformat(row["created_at"]),
        updated_at=dt.datetime.fromisoformat(row["updated_at"]),
        profile=row["profile"],
        provider=row["provider"],
        model=row["model"],
        submit_state=row["submit_state"],
        submit_error=row["submit_error"],
        job_id=row["job_id"],
        status=JobStatus(row["status"]) if row["status"] else None,
        progress=row["progress"],
        quote=quote,
        expires_at=_dt(row["expires_at"]),
        job=job,
        request=json.loads(row["request"]),
        callback_token=row["callback_token"],
        output_target=row["output_target"],
        output_path=row["output_path"],
        output_size=row["output_size"],
        output_sha256=row["output_sha256"],
        downloaded_at=_dt(row["downloaded_at"]),
    )


class Ledger:
    """The SQLite job ledger. Safe to share between threads and processes.

    Args:
        path: the database file (default ``ledger.sqlite3`` in `default_home`).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_home() / "ledger.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            self.path, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA busy_timeout = 30000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        with self._write() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)

    def __repr__(self) -> str:
        return f"<Ledger {self.path}>"

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _event(self, db: sqlite3.Connection, ledger_id: int, kind: str, detail: str | None) -> None:
        db.execute(
            "INSERT INTO events (ledger_id, at, kind, detail) VALUES (?, ?, ?, ?)",
            (ledger_id, _now(), kind, detail),
        )

    # -- writes -------------------------------------------------------------------------

    def begin_submit(
        self,
        fitted: Fitted,
        quote: Quote | None,
        *,
        profile: str | None,
        callback_token: str | None = None,
        output_target: str | None = None,
    ) -> int:
        """Record a submit that is about to be sent. Returns its ledger id."""
        request = fitted_to_dict(fitted)
        request["prompt"] = fitted.request.prompt
        request["callback_url"] = fitted.callback_url
        reference = fitted.request.reference
        if reference is not None:
            request["reference"] = reference.url or f"{reference.filename} ({reference.size})"
        now = _now()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO jobs (created_at, updated_at, profile, provider, model, request, "
                "submit_state, quote, amount, currency, callback_token, output_target) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    now,
                    profile,
                    fitted.provider,
                    fitted.model,
                    json.dumps(request, default=str),
                    SENDING,
                    json.dumps(quote_to_dict(quote)) if quote else None,
                    str(quote.amount) if quote and quote.amount is not None else None,
                    quote.currency if quote else None,
                    callback_token,
                    output_target,
                ),
            )
            ledger_id = int(cursor.lastrowid or 0)
            self._event(db, ledger_id, SENDING, None)
        return ledger_id

    def accepted(self, ledger_id: int, job: Job) -> None:
        """The provider took the submit: record the job id and its first state."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET submit_state = ?, submit_error = NULL, job_id = ?, status = ?, "
                "progress = ?, expires_at = ?, job = ?, updated_at = ? WHERE ledger_id = ?",
                (
                    ACCEPTED,
                    job.id,
                    job.status.value,
                    job.progress,
                    job.expires_at.isoformat() if job.expires_at else None,
                    json.dumps(job_to_dict(job, raw=True), default=str),
                    _now(),
                    ledger_id,
                ),
            )
            self._event(db, ledger_id, ACCEPTED, job.id)

    def submit_failed(self, ledger_id: int, error: BaseException, *, certain: bool) -> None:
        """The submit failed: ``certain`` when no job can exist, else the outcome is unknown."""
        state = REJECTED if certain else UNKNOWN
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET submit_state = ?, submit_error = ?, updated_at = ? "
                "WHERE ledger_id = ?",
                (state, str(error), _now(), ledger_id),
            )
            self._event(db, ledger_id, state, str(error))

    def adopt(self, ledger_id: int, job: Job) -> None:
        """A job found on the provider for a submit whose outcome was unknown."""
        self.accepted(ledger_id, job)

    def seen(self, job: Job) -> None:
        """Record a state of a job (by provider and job id); ignored for unknown jobs."""
        with self._write() as db:
            row = db.execute(
                "SELECT ledger_id, status FROM jobs WHERE provider = ? AND job_id = ?",
                (job.provider, job.id),
            ).fetchone()
            if row is None:
                return
            db.execute(
                "UPDATE jobs SET status = ?, progress = ?, expires_at = COALESCE(?, expires_at), "
                "job = ?, updated_at = ? WHERE ledger_id = ?",
                (
                    job.status.value,
                    job.progress,
                    job.expires_at.isoformat() if job.expires_at else None,
                    json.dumps(job_to_dict(job, raw=True), default=str),
                    _now(),
                    row["ledger_id"],
                ),
            )
            if row["status"] != job.status.value:
                detail = job.error.message if job.error else None
                self._event(db, row["ledger_id"], job.status.value, detail)

    def downloaded(self, job: Job, path: Path, size: int, sha256: str) -> None:
        """Record a completed download."""
        with self._write() as db:
            row = db.execute(
                "SELECT ledger_id FROM jobs WHERE provider = ? AND job_id = ?",
                (job.provider, job.id),
            ).fetchone()
            if row is None:
                return
            db.execute(
                "UPDATE jobs SET output_path = ?, output_size = ?, output_sha256 = ?, "
                "downloaded_at = ?, updated_at = ? WHERE ledger_id = ?",
                (str(path), size, sha256, _now(), _now(), row["ledger_id"]),
            )
            self._event(db, row["ledger_id"], "downloaded", f"{path} ({size} bytes)")

    # -- reads --------------------------------------------------------------------------

    def get(self, ref: int | str) -> LedgerEntry | None:
        """An entry by ledger id (a number) or by the provider's job id."""
        with self._lock:
            if isinstance(ref, int) or str(ref).isdigit():
                row = self._db.execute(
                    "SELECT * FROM jobs WHERE ledger_id = ?", (int(ref),)
                ).fetchone()
                if row is not None:
                    return _entry(row)
            row = self._db.execute(
                "SELECT * FROM jobs WHERE job_id = ? ORDER BY ledger_id DESC", (str(ref),)
            ).fetchone()
        return _entry(row) if row is not None else None

    def entries(
        self,
        *,
        status: str | None = None,
        profile: str | None = None,
        limit: int | None = None,
    ) -> list[LedgerEntry]:
        """Entries, newest first; ``status`` matches a job status or a submit state."""
        query = "SELECT * FROM jobs WHERE 1 = 1"
        params: list[Any] = []
        if status:
            query += " AND (status = ? OR submit_state = ?)"
            params += [status, status]
        if profile:
            query += " AND (profile = ? OR (profile IS NULL AND provider = ?))"
            params += [profile, profile]
        query += " ORDER BY ledger_id DESC"
        if limit:
            query += " LIMIT ?"
            params.append(limit)
        with self._lock:
            rows = self._db.execute(query, params).fetchall()
        return [_entry(row) for row in rows]

    def unfinished(self) -> list[LedgerEntry]:
        """Entries with something left to do, oldest first."""
        return [e for e in reversed(self.entries()) if not e.finished]

    def events(self, ledger_id: int) -> list[tuple[dt.datetime, str, str | None]]:
        """The history of one entry: when, what, details."""
        with self._lock:
            rows = self._db.execute(
                "SELECT at, kind, detail FROM events WHERE ledger_id = ? ORDER BY event_id",
                (ledger_id,),
            ).fetchall()
        return [(dt.datetime.fromisoformat(r["at"]), r["kind"], r["detail"]) for r in rows]

    def spend(self) -> list[tuple[str, str, str, Decimal, int]]:
        """Spend on succeeded jobs: (day, label, currency, amount, jobs), by day and label.

        Only quoted amounts count (jobs with an unknown price are left out).
        """
        with self._lock:
            rows = self._db.execute(
                "SELECT substr(created_at, 1, 10) AS day, COALESCE(profile, provider) AS label, "
                "currency, amount FROM jobs WHERE status = ? AND amount IS NOT NULL",
                (JobStatus.SUCCEEDED.value,),
            ).fetchall()
        totals: dict[tuple[str, str, str], tuple[Decimal, int]] = {}
        for row in rows:
            key = (row["day"], row["label"], row["currency"] or "")
            amount, count = totals.get(key, (Decimal(0), 0))
            totals[key] = (amount + Decimal(row["amount"]), count + 1)
        return [
            (d, label, cur, amount, n) for (d, label, cur), (amount, n) in sorted(totals.items())
        ]

    def committed_today(self, today: dt.date | None = None) -> Decimal:
        """Quoted amounts of today's (UTC) submits that are or may be billed.

        Counts everything not rejected, failed or cancelled: jobs in flight may still bill.
        """
        day = (today or dt.datetime.now(dt.timezone.utc).date()).isoformat()
        with self._lock:
            rows = self._db.execute(
                "SELECT amount FROM jobs WHERE substr(created_at, 1, 10) = ? AND amount IS NOT NULL "
                "AND submit_state != ? AND (status IS NULL OR status NOT IN (?, ?))",
                (day, REJECTED, JobStatus.FAILED.value, JobStatus.CANCELLED.value),
            ).fetchall()
        return sum((Decimal(r["amount"]) for r in rows), Decimal(0))
