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
import enum
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from ._budget import check_daily
from ._clock import Clock, system_clock, to_datetime
from ._events import (
    Downloaded,
    Event,
    JobSeen,
    SubmitAccepted,
    SubmitOutcomeUnknown,
    SubmitRejected,
    SubmitStarting,
)
from ._exceptions import ConfigError
from ._models import Job, JobStatus
from ._public import public
from ._request import Quote
from ._serialize import converter, fitted_to_dict, job_from_dict, job_to_dict, quote_to_dict

__all__ = [
    "HOME_ENV",
    "Ledger",
    "LedgerEntry",
    "LedgerError",
    "SubmitState",
    "default_home",
]

log = logging.getLogger("vidgen")

HOME_ENV = "VIDGEN_HOME"


@public
class SubmitState(str, enum.Enum):
    """What the ledger knows about a submit (not the job's status: see `JobStatus`).

    ``OUTCOME_UNKNOWN`` means the submit may have reached the server and nobody knows
    whether a job exists; it has nothing to do with `JobStatus.UNKNOWN`.
    """

    SENDING = "sending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    OUTCOME_UNKNOWN = "outcome_unknown"

    def __str__(self) -> str:
        return self.value


@public
class LedgerError(ConfigError):
    """The job ledger cannot be read or written (its file, folder or disk)."""


SENDING = SubmitState.SENDING
ACCEPTED = SubmitState.ACCEPTED
REJECTED = SubmitState.REJECTED
OUTCOME_UNKNOWN = SubmitState.OUTCOME_UNKNOWN

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


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def _dt(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


@public
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
    submit_state: SubmitState
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
        submit_state=SubmitState(row["submit_state"]),
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


@public
class Ledger:
    """The SQLite job ledger. Safe to share between threads and processes.

    Args:
        path: the database file (default ``ledger.sqlite3`` in `default_home`).

    Raises:
        LedgerError: the file or its folder cannot be created, opened or written.
    """

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, clock: Clock | None = None
    ) -> None:
        self.path = Path(path) if path is not None else default_home() / "ledger.sqlite3"
        self.clock: Clock = clock or system_clock
        self._lock = threading.Lock()
        try:
            self._open()
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise LedgerError(
                f"cannot open the job ledger {self.path}: {reason}. Set {HOME_ENV} to a "
                "folder you can write (or pass ledger=False to go without one)"
            ) from exc

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
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
            # Ledgers written before the state had its own name said "unknown".
            db.execute(
                "UPDATE jobs SET submit_state = ? WHERE submit_state = 'unknown'",
                (OUTCOME_UNKNOWN.value,),
            )

    def __repr__(self) -> str:
        return f"<Ledger {self.path}>"

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def _now(self) -> str:
        return _stamp(to_datetime(self.clock()))

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

    def _event(
        self, db: sqlite3.Connection, ledger_id: int, at: str, kind: str, detail: str | None
    ) -> None:
        db.execute(
            "INSERT INTO events (ledger_id, at, kind, detail) VALUES (?, ?, ?, ?)",
            (ledger_id, at, kind, detail),
        )

    # -- events -------------------------------------------------------------------------

    def record(self, event: Event) -> int | None:
        """Keep what happened; returns the ledger number of a `SubmitStarting`, else None.

        The ledger owns its storage errors. A submit that cannot be recorded is not sent:
        `LedgerError` (and `BudgetExceeded` when it would take today's spend over the
        daily limit). Any later event that cannot be recorded is logged and dropped, so
        a paid job is never abandoned half-way for want of a ledger row.
        """
        if isinstance(event, SubmitStarting):
            try:
                return self._begin_submit(event)
            except sqlite3.Error as exc:
                raise LedgerError(
                    f"cannot record the submit in the job ledger {self.path}: {exc}; nothing "
                    "was sent. Fix the ledger's folder, or pass ledger=False to go without"
                ) from exc
        try:
            if isinstance(event, SubmitAccepted):
                if event.ledger_id is not None:
                    self._accepted(event.ledger_id, event.job, _stamp(event.at))
            elif isinstance(event, (SubmitRejected, SubmitOutcomeUnknown)):
                if event.ledger_id is not None:
                    state = REJECTED if isinstance(event, SubmitRejected) else OUTCOME_UNKNOWN
                    self._submit_failed(event.ledger_id, state, event.error, _stamp(event.at))
            elif isinstance(event, JobSeen):
                self._seen(event.job, _stamp(event.at))
            elif isinstance(event, Downloaded):
                self._downloaded(event, _stamp(event.at))
        except sqlite3.Error as exc:
            log.warning("could not update the job ledger %s: %s", self.path, exc)
        return None

    def _begin_submit(self, event: SubmitStarting) -> int:
        attempt = event.attempt
        fitted, quote = attempt.fitted, attempt.quote
        request = fitted_to_dict(fitted)
        request["prompt"] = fitted.request.prompt
        request["callback_url"] = fitted.callback_url
        reference = fitted.request.reference
        if reference is not None:
            request["reference"] = reference.url or f"{reference.filename} ({reference.size})"
        now = _stamp(event.at)
        with self._write() as db:
            if event.max_daily_spend is not None:
                # Checked in the same transaction as the insert, so two processes cannot
                # both squeeze under the limit.
                check_daily(quote, self._committed(db, event.at.date()), event.max_daily_spend)
            cursor = db.execute(
                "INSERT INTO jobs (created_at, updated_at, profile, provider, model, request, "
                "submit_state, quote, amount, currency, callback_token, output_target) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    now,
                    attempt.profile,
                    fitted.provider,
                    fitted.model,
                    json.dumps(request, default=str),
                    SENDING.value,
                    json.dumps(quote_to_dict(quote)),
                    str(quote.amount) if quote.amount is not None else None,
                    quote.currency,
                    event.callback_token,
                    event.output_target,
                ),
            )
            ledger_id = int(cursor.lastrowid or 0)
            self._event(db, ledger_id, now, SENDING.value, None)
        return ledger_id

    def _accepted(self, ledger_id: int, job: Job, at: str) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET submit_state = ?, submit_error = NULL, job_id = ?, status = ?, "
                "progress = ?, expires_at = ?, job = ?, updated_at = ? WHERE ledger_id = ?",
                (
                    ACCEPTED.value,
                    job.id,
                    job.status.value,
                    job.progress,
                    job.expires_at.isoformat() if job.expires_at else None,
                    json.dumps(job_to_dict(job, raw=True), default=str),
                    at,
                    ledger_id,
                ),
            )
            self._event(db, ledger_id, at, ACCEPTED.value, job.id)

    def _submit_failed(self, ledger_id: int, state: SubmitState, error: str, at: str) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET submit_state = ?, submit_error = ?, updated_at = ? "
                "WHERE ledger_id = ?",
                (state.value, error, at, ledger_id),
            )
            self._event(db, ledger_id, at, state.value, error)

    def adopt(self, ledger_id: int, job: Job) -> None:
        """A job found on the provider for a submit whose outcome was unknown."""
        self._accepted(ledger_id, job, self._now())

    def _seen(self, job: Job, at: str) -> None:
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
                    at,
                    row["ledger_id"],
                ),
            )
            if row["status"] != job.status.value:
                detail = job.error.message if job.error else None
                self._event(db, row["ledger_id"], at, job.status.value, detail)

    def _downloaded(self, event: Downloaded, at: str) -> None:
        job = event.job
        with self._write() as db:
            row = db.execute(
                "SELECT ledger_id FROM jobs WHERE provider = ? AND job_id = ?",
                (job.provider, job.id),
            ).fetchone()
            if row is None:
                return
            if event.variant == "video" and event.index == 0:
                db.execute(
                    "UPDATE jobs SET output_path = ?, output_size = ?, output_sha256 = ?, "
                    "downloaded_at = ?, updated_at = ? WHERE ledger_id = ?",
                    (str(event.path), event.size, event.sha256, at, at, row["ledger_id"]),
                )
            detail = f"{event.variant} {event.index}: {event.path} ({event.size} bytes)"
            self._event(db, row["ledger_id"], at, "downloaded", detail)

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
        """Quoted amounts of one UTC day's submits that are or may be billed.

        Counts everything not rejected, failed or cancelled: jobs in flight may still bill.

        Args:
            today: the day (default: the ledger clock's day).
        """
        day = today or to_datetime(self.clock()).date()
        with self._lock:
            return self._committed(self._db, day)

    def _committed(self, db: sqlite3.Connection, day: dt.date) -> Decimal:
        rows = db.execute(
            "SELECT amount FROM jobs WHERE substr(created_at, 1, 10) = ? AND amount IS NOT NULL "
            "AND submit_state != ? AND (status IS NULL OR status NOT IN (?, ?))",
            (day.isoformat(), REJECTED.value, JobStatus.FAILED.value, JobStatus.CANCELLED.value),
        ).fetchall()
        return sum((Decimal(r["amount"]) for r in rows), Decimal(0))
