"""The job ledger: every paid job, recorded before it is sent, so none is ever lost.

What is written when:

* before a submit is sent: a row in state ``sending`` with the fitted request, its quote,
  the provider's non-secret settings, the callback token and the intended output path;
* when the provider answers: the job id (``accepted``), or ``rejected`` when the failure
  proves no job exists, or ``outcome_unknown`` when it may exist;
* every status the client sees, with an event row when it changes;
* every completed download: path, size and SHA-256.

Jobs are known by provider, endpoint and id: two relays may hand out the same id. A
process waiting on or downloading a job holds a claim (a lease) on it, so a second
process skips the job instead of writing the same file; a dead process's claim lapses.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import socket
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

import attrs

from .._budget import check_daily
from .._clock import Clock, system_clock, to_datetime
from .._events import (
    DeliveryChecked,
    Downloaded,
    Event,
    JobSeen,
    SubmitAccepted,
    SubmitOutcomeUnknown,
    SubmitRejected,
    SubmitStarting,
)
from .._exceptions import JobInUse, LedgerError
from .._home import HOME_ENV, default_home
from .._models import Job, JobStatus
from .._public import public
from .._serialize import converter, fitted_to_dict, job_to_dict, quote_to_dict
from .backend import Backend, Tx
from .entry import (
    ACCEPTED,
    OUTCOME_UNKNOWN,
    REJECTED,
    SENDING,
    LedgerEntry,
    SubmitState,
    entry_from_row,
)
from .location import describe_location, ledger_location
from .postgres import PostgresBackend
from .schema import MAY_BILL, VERSION, ddl, finished_when, index_changes, migrate_v1, migrate_v2
from .sqlite import SQLiteBackend

__all__ = ["HOME_ENV", "Claim", "Group", "Item", "Ledger", "default_home"]

#: How long a claim lasts unless renewed (each status seen renews it).
DEFAULT_LEASE = dt.timedelta(minutes=5)
#: How long a submit's row is held by its submitter while it waits for the answer (longer
#: than any request's timeout).
SUBMIT_LEASE = dt.timedelta(minutes=10)
#: How many rows `Ledger.prune` removes per statement.
_PRUNE_CHUNK = 500
_SUCCEEDED = JobStatus.SUCCEEDED.value
# The terminal statuses after which a job has nothing left to do, unless it succeeded.
_GIVEN_UP = (JobStatus.FAILED.value, JobStatus.CANCELLED.value)
# Whether a row is finished once accepted with a status (twice ``?``), or once its submit
# state is set (one ``?``): computed in the UPDATE that sets them.
_FINISHED_ACCEPTED = finished_when(submit_state=f"'{ACCEPTED.value}'", status="?")
_FINISHED_SUBMIT = finished_when(submit_state="?")

log = logging.getLogger("vidgen")


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def _micros(amount: Decimal | None) -> int | None:
    """An amount in millionths, rounded up: budgets never under-count."""
    if amount is None:
        return None
    return int((amount * 1_000_000).to_integral_value(rounding=ROUND_CEILING))


def _open_backend(location: Path | str, *, readonly: bool) -> Backend:
    if isinstance(location, str):
        return PostgresBackend(location, readonly=readonly)
    return SQLiteBackend(location, readonly=readonly)


def _finished(row: Mapping[str, Any], **new: Any) -> int:
    """`schema.FINISHED` for a row read in Python, with some columns' new values."""
    values = {**row, **new}
    if values["submit_state"] == REJECTED.value or values["problem"] is not None:
        return 1
    status = values["status"]
    if status in _GIVEN_UP:
        return 1
    return int(status == _SUCCEEDED and values["output_path"] is not None)


def _usage_json(job: Job) -> str | None:
    if job.usage is None:
        return None
    return json.dumps(converter.unstructure(job.usage), default=str)


def _host() -> str:
    return socket.gethostname() or "localhost"


def _holder_alive(holder: str) -> bool:
    """False only when the holder ran on this machine and its process is gone."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != _host() or not pid_text.isdigit():
        return True  # another machine: only the lease can tell
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    return True


@attrs.frozen(kw_only=True)
class Group:
    """A storyboard or a batch in the ledger: what it is, where it goes, how it ended."""

    group_id: str
    kind: str
    created_at: dt.datetime
    updated_at: dt.datetime
    target: str | None
    spec: Mapping[str, Any] = attrs.field(eq=False, repr=False)
    settings: Mapping[str, Any] = attrs.field(eq=False, repr=False)
    status: str
    detail: str | None = None


@attrs.frozen(kw_only=True)
class Item:
    """One line of a batch (or shot of a storyboard) in the ledger.

    Attributes:
        group_id: the batch it belongs to.
        key: its key (a batch line's ``custom_id``).
        index: its position.
        request: what it asks for, as written.
        state: ``pending``, ``claimed``, ``done`` or ``failed``.
        claimed_by, claimed_until: the worker on it, and until when.
        result: what it produced, once done.
        error: why it failed.
    """

    group_id: str
    key: str
    index: int
    request: Mapping[str, Any] = attrs.field(eq=False)
    state: str
    claimed_by: str | None = None
    claimed_until: dt.datetime | None = None
    result: Mapping[str, Any] | None = attrs.field(default=None, eq=False)
    error: str | None = None


def _item(row: Mapping[str, Any]) -> Item:
    return Item(
        group_id=str(row["group_id"]),
        key=str(row["item_key"]),
        index=int(row["item_index"]),
        request=json.loads(row["request"]),
        state=str(row["state"]),
        claimed_by=row["claimed_by"],
        claimed_until=dt.datetime.fromisoformat(row["claimed_until"])
        if row["claimed_until"]
        else None,
        result=json.loads(row["result"]) if row["result"] else None,
        error=row["error"],
    )


@attrs.frozen
class Claim:
    """This process's claim on one ledger row (see `Ledger.claim`)."""

    ledger_id: int
    owner: str


@public
class Ledger:
    """The job ledger. Safe to share between threads, processes and (on PostgreSQL) machines.

    Args:
        path: the SQLite file, or a ``postgresql://`` URL for a ledger shared by workers on
            several machines. Default: ``$VIDGEN_LEDGER_URL``, else ``ledger_url`` in
            ``vidgen.toml``, else ``ledger.sqlite3`` in `default_home` (see
            `ledger_location`).
        clock: the time source for anything not stamped by an event (default
            ``time.time``); clients pass theirs.
        readonly: read without ever writing or taking a write lock (``vidgen jobs``);
            a missing file reads as an empty ledger. On PostgreSQL every transaction is
            read-only.

    Attributes:
        path: the SQLite file, or None for a PostgreSQL ledger.
        where: the file, or the URL without its password: what messages show.

    Raises:
        LedgerError: the file, its folder, the server or the version cannot be used (the
            message names the ledger, never a password, and the fix).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        clock: Clock | None = None,
        readonly: bool = False,
    ) -> None:
        location = ledger_location(path)
        self.path: Path | None = location if isinstance(location, Path) else None
        self.where = describe_location(location)
        self.clock: Clock = clock or system_clock
        self.readonly = readonly
        #: Who this process is, in claims: host, pid, and a random part.
        self.owner = f"{_host()}:{os.getpid()}:{secrets.token_hex(3)}"
        backend = _open_backend(location, readonly=readonly)
        self._backend: Backend = backend
        self._empty = not backend.exists
        if not self._empty:
            try:
                self._prepare()
            except BaseException:
                backend.close()
                raise

    def __repr__(self) -> str:
        return f"<Ledger {self.where}>"

    @property
    def shared(self) -> bool:
        """True for a ledger on PostgreSQL, shared by workers on several machines."""
        return self._backend.dialect == "postgresql"

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        self._backend.close()

    def _now(self) -> dt.datetime:
        return to_datetime(self.clock())

    def now(self) -> dt.datetime:
        """The time on the ledger's clock (UTC)."""
        return self._now()

    # -- the schema --------------------------------------------------------------------

    def _version(self, tx: Tx, tables: set[str]) -> int:
        if "meta" in tables:
            row = tx.one("SELECT value FROM meta WHERE key = 'schema_version'")
            text = str(row["value"]) if row else "0"
            if not text.isdigit():
                raise LedgerError(
                    f"the job ledger {self.where} has an unreadable version ({text!r}); move it "
                    "aside and vidgen starts a new one"
                )
            return int(text)
        return 1 if "jobs" in tables else 0

    def _prepare(self) -> None:
        """Create the tables of a new ledger or migrate an old one; refuse a newer one."""
        with self._backend.read() as tx:
            names = self._backend.names(tx)
            version = self._version(tx, names)
        if version > VERSION:
            raise LedgerError(
                f"the job ledger {self.where} was written by a newer vidgen (ledger version "
                f"{version}; this vidgen reads up to {VERSION}). Upgrade vidgen "
                "(pip install -U vidgen), or point VIDGEN_HOME (or VIDGEN_LEDGER_URL) elsewhere"
            )
        if version == VERSION and not index_changes(names):
            return
        if self.readonly:
            if version == VERSION:
                return  # the read indexes are added by the next writer
            if version == 0 and self.shared:
                self._empty = True  # a database with no ledger in it yet reads as empty
                return
            # A one-time upgrade is the only write a read-only command may cause.
            upgrader = self._backend.writable()
            try:
                self._upgrade(upgrader)
            finally:
                upgrader.close()
            return
        self._upgrade(self._backend)

    def _upgrade(self, backend: Backend) -> None:
        with backend.write() as tx:
            # Workers starting together on a new database take turns creating it.
            backend.serialize(tx, "schema")
            names = backend.names(tx)
            version = self._version(tx, names)  # another process may have done it meanwhile
            if version == 0:
                for statement in ddl(backend.dialect):
                    tx.run(statement)
            elif version < VERSION:
                if version == 1:
                    migrate_v1(tx.run)
                if version <= 2:
                    migrate_v2(tx.run)
                log.info("upgraded the job ledger %s to version %d", self.where, VERSION)
            if version != 0:
                for statement in index_changes(backend.names(tx)):
                    tx.run(statement)
            if version < VERSION:
                tx.run(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(VERSION),),
                )

    # -- events -------------------------------------------------------------------------

    def record(self, event: Event) -> int | None:
        """Keep what happened; returns the ledger number of a `SubmitStarting`, else None.

        The ledger owns its storage errors. A submit that cannot be recorded is not sent:
        `LedgerError` (and `BudgetExceeded` when it would take today's spend over the
        daily limit). Any later event that cannot be recorded is logged and dropped, so a
        paid job is never abandoned half-way for want of a ledger row.
        """
        if isinstance(event, SubmitStarting):
            try:
                return self._begin_submit(event)
            except LedgerError as exc:
                raise LedgerError(
                    f"{exc}. The submit could not be recorded, so nothing was sent (no job, no "
                    "charge); fix the ledger, or pass ledger=False to go without one"
                ) from exc
        try:
            self._apply(event)
        except LedgerError as exc:
            log.warning("could not update the job ledger: %s", exc)
        return None

    def _apply(self, event: Event) -> None:
        at = _stamp(event.at)
        if isinstance(event, SubmitAccepted):
            if event.ledger_id is not None:
                self._accepted(event.ledger_id, event.job, event.endpoint, at)
        elif isinstance(event, (SubmitRejected, SubmitOutcomeUnknown)):
            if event.ledger_id is not None:
                state = REJECTED if isinstance(event, SubmitRejected) else OUTCOME_UNKNOWN
                self._submit_failed(event.ledger_id, state, event.error, at)
        elif isinstance(event, JobSeen):
            self._seen(event.job, event.endpoint, at)
        elif isinstance(event, Downloaded):
            self._downloaded(event, at)
        elif isinstance(event, DeliveryChecked):
            self._checked(event, at)

    def _writable(self) -> None:
        if self._empty:
            # Opened read-only before the file existed.
            raise LedgerError(f"the job ledger {self.where} does not exist yet")

    def _event(self, tx: Tx, ledger_id: int, at: str, kind: str, detail: str | None) -> None:
        tx.run(
            "INSERT INTO events (ledger_id, at, kind, detail) VALUES (?, ?, ?, ?)",
            (ledger_id, at, kind, detail),
        )

    def _begin_submit(self, event: SubmitStarting) -> int:
        self._writable()
        attempt = event.attempt
        fitted, quote = attempt.fitted, attempt.quote
        request = fitted_to_dict(fitted)
        request["prompt"] = fitted.request.prompt
        request["callback_url"] = fitted.callback_url
        reference = fitted.request.reference
        if reference is not None:
            request["reference"] = reference.url or f"{reference.filename} ({reference.size})"
        now = _stamp(event.at)
        day = event.at.astimezone(dt.timezone.utc).date()
        with self._backend.write() as tx:
            # Submits of one day take turns (on every machine) from here to the commit, so
            # a limit checked here holds: nobody else's submit can slip in between.
            self._backend.serialize(tx, f"submit {day.isoformat()}")
            if event.max_daily_spend is not None:
                check_daily(quote, self._committed(tx, day), event.max_daily_spend)
            row = tx.one(
                "INSERT INTO jobs (created_at, updated_at, day, profile, provider, endpoint, "
                "model, settings, request, submit_state, quote, amount, amount_micros, currency, "
                "callback_token, output_target, group_id, item_key, claimed_by, claimed_until) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING ledger_id",
                (
                    now,
                    now,
                    day.isoformat(),
                    attempt.profile,
                    fitted.provider,
                    event.endpoint,
                    fitted.model,
                    json.dumps(dict(event.settings), default=str),
                    json.dumps(request, default=str),
                    SENDING.value,
                    json.dumps(quote_to_dict(quote)),
                    str(quote.amount) if quote.amount is not None else None,
                    _micros(quote.amount),
                    quote.currency,
                    event.callback_token,
                    event.output_target,
                    event.group_id,
                    event.item_key,
                    # The submitter holds its row until the answer is recorded: another
                    # process that finds the row meanwhile knows the submit is in flight.
                    self.owner,
                    _stamp(event.at + SUBMIT_LEASE),
                ),
            )
            assert row is not None
            ledger_id = int(row["ledger_id"])
            self._event(tx, ledger_id, now, SENDING.value, None)
        return ledger_id

    def _accepted(self, ledger_id: int, job: Job, endpoint: str, at: str) -> None:
        status = job.status.value
        with self._backend.write() as tx:
            tx.run(
                "UPDATE jobs SET submit_state = ?, submit_error = NULL, job_id = ?, endpoint = ?, "
                "status = ?, progress = ?, expires_at = ?, job = ?, updated_at = ?, "
                "claimed_by = NULL, claimed_until = NULL, "
                f"finished = {_FINISHED_ACCEPTED} WHERE ledger_id = ?",
                (
                    ACCEPTED.value,
                    job.id,
                    endpoint,
                    status,
                    job.progress,
                    job.expires_at.isoformat() if job.expires_at else None,
                    json.dumps(job_to_dict(job, raw=True), default=str),
                    at,
                    status,
                    status,
                    ledger_id,
                ),
            )
            self._event(tx, ledger_id, at, ACCEPTED.value, job.id)

    def _submit_failed(self, ledger_id: int, state: SubmitState, error: str, at: str) -> None:
        with self._backend.write() as tx:
            tx.run(
                "UPDATE jobs SET submit_state = ?, submit_error = ?, updated_at = ?, "
                "claimed_by = NULL, claimed_until = NULL, "
                f"finished = {_FINISHED_SUBMIT} WHERE ledger_id = ?",
                (state.value, error, at, state.value, ledger_id),
            )
            self._event(tx, ledger_id, at, state.value, error)

    def held_elsewhere(self, entry: LedgerEntry) -> bool:
        """Whether another live process holds this entry now (a submit waiting for its
        answer, a job being waited on or downloaded). A holder on this machine whose
        process is gone, or whose lease ran out, holds nothing."""
        holder, until = entry.claimed_by, entry.claimed_until
        if not holder or holder == self.owner or until is None:
            return False
        return until > self._now() and _holder_alive(holder)

    def adopt(self, ledger_id: int, job: Job, endpoint: str) -> None:
        """A job found on the provider for a submit whose outcome was unknown."""
        self._accepted(ledger_id, job, endpoint, _stamp(self._now()))

    def _row_of(
        self, tx: Tx, provider: str, endpoint: str, job_id: str
    ) -> Mapping[str, Any] | None:
        # The newest submit that got this id at this endpoint; rows of ledgers older than
        # version 2 have no endpoint and match on provider and id alone. Called in write
        # transactions: the row stays locked until the commit, so two writers changing the
        # same job (PostgreSQL) take turns and each sees what the other wrote.
        return tx.one(
            self._backend.lock_row(
                "SELECT ledger_id, status, submit_state, problem, output_path, claimed_by, "
                "claimed_until FROM jobs WHERE provider = ? AND job_id = ? "
                "AND (endpoint = ? OR endpoint = '') ORDER BY ledger_id DESC LIMIT 1"
            ),
            (provider, job_id, endpoint),
        )

    def known_ids(self, provider: str, endpoint: str, job_ids: list[str]) -> set[str]:
        """Which of ``job_ids`` (at one provider and endpoint) the ledger already holds."""
        if self._empty or not job_ids:
            return set()
        marks = ", ".join("?" for _ in job_ids)
        with self._backend.read() as tx:
            found = tx.all(
                f"SELECT job_id FROM jobs WHERE provider = ? AND (endpoint = ? OR endpoint = '') "
                f"AND job_id IN ({marks})",
                (provider, endpoint, *job_ids),
            )
        return {str(r["job_id"]) for r in found}

    def _news(
        self, job: Job, endpoint: str, job_json: str, usage: str | None, now: dt.datetime
    ) -> bool:
        """Whether a status seen tells the ledger anything: a job it holds, seen differently
        from what it holds, or whose claim by this process is half-way to lapsing.

        Polling mostly sees the same answer again; this read (no write lock, no commit to
        make durable) spares the ledger a commit for each of those.
        """
        with self._backend.read() as tx:
            known = tx.one(
                "SELECT job, usage, claimed_by, claimed_until FROM jobs WHERE provider = ? "
                "AND job_id = ? AND (endpoint = ? OR endpoint = '') "
                "ORDER BY ledger_id DESC LIMIT 1",
                (job.provider, job.id, endpoint),
            )
        if known is None:
            return False
        if known["job"] != job_json or (usage is not None and known["usage"] != usage):
            return True
        if known["claimed_by"] != self.owner or not known["claimed_until"]:
            return False
        left = dt.datetime.fromisoformat(known["claimed_until"]) - now
        return left < DEFAULT_LEASE / 2

    def _seen(self, job: Job, endpoint: str, at: str) -> None:
        if self._empty:
            return
        now = self._now()
        job_json = json.dumps(job_to_dict(job, raw=True), default=str)
        usage = _usage_json(job)
        if not self._news(job, endpoint, job_json, usage, now):
            return
        lease = _stamp(now + DEFAULT_LEASE)
        with self._backend.write(durable=False) as tx:
            row = self._row_of(tx, job.provider, endpoint, job.id)
            if row is None:
                return
            ledger_id = int(row["ledger_id"])
            mine = row["claimed_by"] == self.owner
            tx.run(
                "UPDATE jobs SET status = ?, progress = ?, expires_at = COALESCE(?, expires_at), "
                "job = ?, updated_at = ?, usage = COALESCE(?, usage), finished = ?, "
                "claimed_until = ? WHERE ledger_id = ?",
                (
                    job.status.value,
                    job.progress,
                    job.expires_at.isoformat() if job.expires_at else None,
                    job_json,
                    at,
                    usage,
                    _finished(row, status=job.status.value),
                    lease if mine else row["claimed_until"],
                    ledger_id,
                ),
            )
            if row["status"] != job.status.value:
                detail = job.error.message if job.error else None
                self._event(tx, ledger_id, at, job.status.value, detail)

    def _downloaded(self, event: Downloaded, at: str) -> None:
        if self._empty:
            return
        job = event.job
        with self._backend.write(durable=False) as tx:
            row = self._row_of(tx, job.provider, event.endpoint, job.id)
            if row is None:
                return
            ledger_id = int(row["ledger_id"])
            if event.variant == "video" and event.index == 0:
                # Only the main video is the job's output; a thumbnail does not replace it.
                tx.run(
                    "UPDATE jobs SET output_path = ?, output_size = ?, output_sha256 = ?, "
                    "downloaded_at = ?, updated_at = ?, finished = ? WHERE ledger_id = ?",
                    (
                        str(event.path),
                        event.size,
                        event.sha256,
                        at,
                        at,
                        _finished(row, output_path=str(event.path)),
                        ledger_id,
                    ),
                )
            detail = f"{event.variant} {event.index}: {event.path} ({event.size} bytes)"
            self._event(tx, ledger_id, at, "downloaded", detail)

    def _checked(self, event: DeliveryChecked, at: str) -> None:
        if self._empty:
            return
        job = event.job
        issue = "; ".join(event.issues) or None
        with self._backend.write(durable=False) as tx:
            row = self._row_of(tx, job.provider, event.endpoint, job.id)
            if row is None:
                return
            ledger_id = int(row["ledger_id"])
            tx.run(
                "UPDATE jobs SET delivered = ?, delivery_issue = ?, updated_at = ? "
                "WHERE ledger_id = ?",
                (json.dumps(dict(event.delivered), default=str), issue, at, ledger_id),
            )
            if issue:
                self._event(tx, ledger_id, at, "delivery_mismatch", issue)

    def mark_problem(self, ledger_id: int, problem: str, detail: str | None = None) -> None:
        """Record why a succeeded job cannot be finished (``expired``); nothing is left to do."""
        at = _stamp(self._now())
        with self._backend.write() as tx:
            tx.run(
                "UPDATE jobs SET problem = ?, updated_at = ?, finished = 1 WHERE ledger_id = ?",
                (problem, at, ledger_id),
            )
            self._event(tx, ledger_id, at, problem, detail)

    # -- claims ---------------------------------------------------------------------------

    def claim(
        self, job: Job, endpoint: str, *, lease: dt.timedelta = DEFAULT_LEASE
    ) -> Claim | None:
        """Claim a job this process is about to wait on or download.

        Returns None for a job the ledger does not hold (nothing to coordinate).

        Raises:
            JobInUse: another live process holds the claim. A claim whose lease ran out,
                or whose process on this machine is gone, is taken over.
        """
        if self._empty or self.readonly:
            return None
        now = self._now()
        with self._backend.write(durable=False) as tx:
            row = self._row_of(tx, job.provider, endpoint, job.id)
            if row is None:
                return None
            ledger_id = int(row["ledger_id"])
            holder, until = row["claimed_by"], row["claimed_until"]
            if (
                holder
                and holder != self.owner
                and until
                and dt.datetime.fromisoformat(until) > now
                and _holder_alive(holder)
            ):
                host, _, rest = holder.partition(":")
                raise JobInUse(
                    f"{job.provider} job {job.id} is being waited on or downloaded by another "
                    f"vidgen process (pid {rest.partition(':')[0]} on {host}, claimed until "
                    f"{until}); skipped. It is taken over once that process ends",
                    job_id=job.id,
                    holder=f"{host}:{rest.partition(':')[0]}",
                )
            tx.run(
                "UPDATE jobs SET claimed_by = ?, claimed_until = ? WHERE ledger_id = ?",
                (self.owner, _stamp(now + lease), ledger_id),
            )
        return Claim(ledger_id, self.owner)

    def release(self, claim: Claim | None) -> None:
        """Give a claim back (nothing happens when it was taken over meanwhile)."""
        if claim is None:
            return
        try:
            with self._backend.write(durable=False) as tx:
                tx.run(
                    "UPDATE jobs SET claimed_by = NULL, claimed_until = NULL "
                    "WHERE ledger_id = ? AND claimed_by = ?",
                    (claim.ledger_id, claim.owner),
                )
        except LedgerError as exc:
            log.warning("could not release the claim on ledger entry %d: %s", claim.ledger_id, exc)

    @contextmanager
    def claimed(self, job: Job, endpoint: str) -> Iterator[Claim | None]:
        """`claim` for the length of a ``with`` block."""
        claim = self.claim(job, endpoint)
        try:
            yield claim
        finally:
            self.release(claim)

    # -- reads ----------------------------------------------------------------------------

    def _entries(self, sql: str, params: tuple[Any, ...] = ()) -> list[LedgerEntry]:
        if self._empty:
            return []
        with self._backend.read() as tx:
            found = tx.all(sql, params)
        result = []
        for row in found:
            try:
                result.append(entry_from_row(row))
            except (ValueError, TypeError, KeyError) as exc:
                raise LedgerError(
                    f"the job ledger {self.where} has an unreadable row (#{row.get('ledger_id')}: "
                    f"{exc}). Move the file aside and vidgen starts a new one"
                ) from exc
        return result

    def get(self, ref: int | str) -> LedgerEntry | None:
        """An entry by ledger id (a number) or by the provider's job id (the newest)."""
        if isinstance(ref, int) or str(ref).isdigit():
            found = self._entries("SELECT * FROM jobs WHERE ledger_id = ?", (int(ref),))
            if found:
                return found[0]
        found = self._entries(
            "SELECT * FROM jobs WHERE job_id = ? ORDER BY ledger_id DESC LIMIT 1", (str(ref),)
        )
        return found[0] if found else None

    def find(self, provider: str, endpoint: str, job_id: str) -> LedgerEntry | None:
        """The newest entry for a job at one endpoint (as the lifecycle knows jobs)."""
        found = self._entries(
            "SELECT * FROM jobs WHERE provider = ? AND job_id = ? "
            "AND (endpoint = ? OR endpoint = '') ORDER BY ledger_id DESC LIMIT 1",
            (provider, job_id, endpoint),
        )
        return found[0] if found else None

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
        return self._entries(query, tuple(params))

    def unfinished(self) -> list[LedgerEntry]:
        """Entries with something left to do, oldest first (an index makes this cheap)."""
        return self._entries("SELECT * FROM jobs WHERE finished = 0 ORDER BY ledger_id")

    def events(self, ledger_id: int) -> list[tuple[dt.datetime, str, str | None]]:
        """The history of one entry: when, what, details."""
        if self._empty:
            return []
        with self._backend.read() as tx:
            found = tx.all(
                "SELECT at, kind, detail FROM events WHERE ledger_id = ? ORDER BY event_id",
                (ledger_id,),
            )
        return [(dt.datetime.fromisoformat(r["at"]), r["kind"], r["detail"]) for r in found]

    def spend(self) -> list[tuple[str, str, str, Decimal, int]]:
        """Spend on succeeded jobs: (day, label, currency, amount, jobs), by day and label.

        Only quoted amounts count (jobs with an unknown price are left out). Rows removed
        by `prune` still count, from their archived totals.
        """
        if self._empty:
            return []
        totals: dict[tuple[str, str, str], tuple[int, int]] = {}
        with self._backend.read() as tx:
            # The status is written out (not a parameter) so that both databases see the
            # partial index jobs_spend serves this query, and read the index alone.
            live = tx.all(
                "SELECT day, COALESCE(profile, provider) AS label, currency, "
                "SUM(amount_micros) AS micros, COUNT(*) AS jobs FROM jobs "
                f"WHERE status = '{_SUCCEEDED}' AND amount_micros IS NOT NULL "
                "GROUP BY day, COALESCE(profile, provider), currency"
            )
            archived = tx.all("SELECT day, label, currency, micros, jobs FROM spend_archive")
        for row in [*live, *archived]:
            key = (str(row["day"]), str(row["label"]), str(row["currency"] or ""))
            micros, count = totals.get(key, (0, 0))
            totals[key] = (micros + int(row["micros"]), count + int(row["jobs"]))
        return [
            (day, label, cur, Decimal(micros).scaleb(-6).normalize(), n)
            for (day, label, cur), (micros, n) in sorted(totals.items())
        ]

    def finished_since(self, day: dt.date) -> list[LedgerEntry]:
        """Jobs submitted on or after ``day`` that ended (succeeded, failed, cancelled),
        oldest first: what ``vidgen spend`` reconciles."""
        return self._entries(
            "SELECT * FROM jobs WHERE day >= ? "
            "AND status IN ('succeeded', 'failed', 'cancelled') ORDER BY ledger_id",
            (day.isoformat(),),
        )

    def committed_today(self, today: dt.date | None = None) -> Decimal:
        """Quoted amounts of one UTC day's submits that are or may be billed.

        Counts everything not rejected, failed or cancelled: jobs in flight may still bill.

        Args:
            today: the day (default: the ledger clock's day).
        """
        if self._empty:
            return Decimal(0)
        day = today or self._now().date()
        with self._backend.read() as tx:
            return self._committed(tx, day)

    def _committed(self, tx: Tx, day: dt.date) -> Decimal:
        # Reads the partial index jobs_committed alone: one day's submits that may bill.
        row = tx.one(
            f"SELECT SUM(amount_micros) AS micros FROM jobs WHERE day = ? AND {MAY_BILL}",
            (day.isoformat(),),
        )
        micros = int(row["micros"]) if row and row["micros"] is not None else 0
        return Decimal(micros).scaleb(-6).normalize() if micros else Decimal(0)

    # -- groups: storyboards and batches ---------------------------------------------------

    def open_group(
        self,
        *,
        group_id: str,
        kind: str,
        target: str | None,
        spec: Mapping[str, Any],
        settings: Mapping[str, Any],
    ) -> None:
        """Record a storyboard or batch being carried out (again: its spec is updated)."""
        self._writable()
        now = _stamp(self._now())
        with self._backend.write() as tx:
            tx.run(
                "INSERT INTO groups (group_id, kind, created_at, updated_at, target, spec, "
                "settings, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'running') "
                "ON CONFLICT (group_id) DO UPDATE SET updated_at = excluded.updated_at, "
                "target = excluded.target, spec = excluded.spec, settings = excluded.settings, "
                "status = 'running', detail = NULL",
                (
                    group_id,
                    kind,
                    now,
                    now,
                    target,
                    json.dumps(dict(spec), default=str),
                    json.dumps(dict(settings), default=str),
                ),
            )

    def finish_group(self, group_id: str, status: str, detail: str | None = None) -> None:
        """Say how a storyboard or batch ended (``done``, ``failed``)."""
        with self._backend.write() as tx:
            tx.run(
                "UPDATE groups SET status = ?, detail = ?, updated_at = ? WHERE group_id = ?",
                (status, detail, _stamp(self._now()), group_id),
            )

    def groups(self, *, kind: str | None = None, unfinished: bool = False) -> list[Group]:
        """Storyboards and batches, oldest first (only those still running, if asked)."""
        if self._empty:
            return []
        query = "SELECT * FROM groups WHERE 1 = 1"
        params: list[Any] = []
        if kind is not None:
            query += " AND kind = ?"
            params.append(kind)
        if unfinished:
            query += " AND status = 'running'"
        with self._backend.read() as tx:
            rows = tx.all(query + " ORDER BY created_at, group_id", tuple(params))
        return [
            Group(
                group_id=str(r["group_id"]),
                kind=str(r["kind"]),
                created_at=dt.datetime.fromisoformat(r["created_at"]),
                updated_at=dt.datetime.fromisoformat(r["updated_at"]),
                target=r["target"],
                spec=json.loads(r["spec"]),
                settings=json.loads(r["settings"]) if r["settings"] else {},
                status=str(r["status"]),
                detail=r["detail"],
            )
            for r in rows
        ]

    def item_job(self, group_id: str, key: str) -> LedgerEntry | None:
        """The newest job of one item (a batch line, a shot), if it has one (indexed)."""
        found = self._entries(
            "SELECT * FROM jobs WHERE group_id = ? AND item_key = ? "
            "ORDER BY ledger_id DESC LIMIT 1",
            (group_id, key),
        )
        return found[0] if found else None

    def group_jobs(self, group_id: str) -> dict[str, LedgerEntry]:
        """The newest job of each item (shot, batch line) of a group, by item key."""
        found = self._entries(
            "SELECT * FROM jobs WHERE group_id = ? ORDER BY ledger_id", (group_id,)
        )
        return {entry.item_key: entry for entry in found if entry.item_key is not None}

    # -- items: the lines of a batch, claimed by workers ----------------------------------

    def enqueue(self, group_id: str, items: Sequence[tuple[str, int, Mapping[str, Any]]]) -> int:
        """Add items (key, position, request) to a group; keys already there are kept as they
        are. Returns how many were new."""
        self._writable()
        now = _stamp(self._now())
        added = 0
        with self._backend.write() as tx:
            for key, index, request in items:
                # ON CONFLICT DO NOTHING is atomic on both databases: of two workers adding
                # the same key, one adds it and the other counts nothing.
                added += tx.run(
                    "INSERT INTO items (group_id, item_key, item_index, request, state, updated_at) "
                    "VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT (group_id, item_key) DO NOTHING",
                    (group_id, key, index, json.dumps(dict(request), default=str), now),
                )
        return added

    def claim_items(
        self, group_id: str | None, limit: int, *, lease: dt.timedelta = DEFAULT_LEASE
    ) -> list[Item]:
        """Claim up to ``limit`` items to work on: pending ones, and claimed ones whose
        worker's lease ran out (a dead worker's). Oldest first.

        Args:
            group_id: one batch, or None for any running batch.
        """
        if self._empty or self.readonly:
            return []
        now = self._now()
        stamp = _stamp(now)
        query = (
            "SELECT group_id, item_key FROM items WHERE (state = 'pending' OR "
            "(state IN ('claimed', 'deferred') AND claimed_until < ?))"
        )
        params: list[Any] = [_stamp(now + lease), stamp, stamp]
        if group_id is not None:
            query += " AND group_id = ?"
            params.append(group_id)
        query += " ORDER BY group_id, item_index LIMIT ?"
        params.append(limit)
        # One statement picks and claims: the rows it picks are locked (PostgreSQL skips
        # the ones another worker is picking), so no item is ever claimed twice.
        with self._backend.write() as tx:
            self._release_dead_holders(tx, group_id)
            claimed = tx.all(
                "UPDATE items SET state = 'claimed', claimed_by = ?, claimed_until = ?, "
                f"updated_at = ? WHERE (group_id, item_key) IN ({self._backend.lock_rows(query)}) "
                "RETURNING *",
                (self.owner, *params),
            )
        return sorted((_item(row) for row in claimed), key=lambda i: (i.group_id, i.index))

    def _release_dead_holders(self, tx: Tx, group_id: str | None) -> None:
        """Items held by a process of this machine that is gone go back to pending at once
        (another machine's can only be judged by its lease)."""
        query = "SELECT DISTINCT claimed_by FROM items WHERE state = 'claimed'"
        params: tuple[Any, ...] = ()
        if group_id is not None:
            query += " AND group_id = ?"
            params = (group_id,)
        for row in tx.all(query, params):
            holder = row["claimed_by"]
            if holder and holder != self.owner and not _holder_alive(str(holder)):
                tx.run(
                    "UPDATE items SET state = 'pending', claimed_by = NULL, claimed_until = NULL "
                    "WHERE state = 'claimed' AND claimed_by = ?",
                    (holder,),
                )

    def renew_items(
        self, keys: Sequence[tuple[str, str]], *, lease: dt.timedelta = DEFAULT_LEASE
    ) -> None:
        """Keep this worker's claims on items it is still working on."""
        until = _stamp(self._now() + lease)
        with self._backend.write(durable=False) as tx:
            for group_id, key in keys:
                tx.run(
                    "UPDATE items SET claimed_until = ? WHERE group_id = ? AND item_key = ? "
                    "AND claimed_by = ?",
                    (until, group_id, key, self.owner),
                )

    def finish_item(
        self,
        group_id: str,
        key: str,
        state: str,
        *,
        result: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        """Record how an item ended: ``done`` or ``failed`` (or back to ``pending``).

        Nothing changes when another worker holds the item now (this one's lease ran out
        and it was taken over): the new holder records its own outcome.
        """
        with self._backend.write() as tx:
            tx.run(
                "UPDATE items SET state = ?, result = ?, error = ?, claimed_by = NULL, "
                "claimed_until = NULL, updated_at = ? WHERE group_id = ? AND item_key = ? "
                "AND (claimed_by IS NULL OR claimed_by = ?)",
                (
                    state,
                    json.dumps(dict(result), default=str) if result is not None else None,
                    error,
                    _stamp(self._now()),
                    group_id,
                    key,
                    self.owner,
                ),
            )

    def defer_item(
        self,
        group_id: str,
        key: str,
        until: dt.datetime | None,
        *,
        result: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        """Put an item aside until ``until`` (a job still rendering, a submit whose fate is
        being settled): then any worker may claim it again. ``None`` holds it until the
        batch is run again (`wake_items`; a line over its budget)."""
        with self._backend.write() as tx:
            tx.run(
                "UPDATE items SET state = 'deferred', result = ?, error = ?, claimed_by = NULL, "
                "claimed_until = ?, updated_at = ? WHERE group_id = ? AND item_key = ? "
                "AND (claimed_by IS NULL OR claimed_by = ?)",
                (
                    json.dumps(dict(result), default=str) if result is not None else None,
                    error,
                    _stamp(until) if until is not None else None,
                    _stamp(self._now()),
                    group_id,
                    key,
                    self.owner,
                ),
            )

    def wake_items(self, group_id: str) -> int:
        """Make a group's deferred items claimable now (a batch run again by hand)."""
        with self._backend.write() as tx:
            return tx.run(
                "UPDATE items SET state = 'pending', claimed_until = NULL, updated_at = ? "
                "WHERE group_id = ? AND state = 'deferred'",
                (_stamp(self._now()), group_id),
            )

    def waiting_items(self, group_id: str | None, before: dt.datetime) -> int:
        """How many items (of one group, or of any) a worker holds now, or are put aside
        until before ``before``: what a worker about to stop should wait for."""
        if self._empty:
            return 0
        query = (
            "SELECT COUNT(*) AS n FROM items WHERE (state = 'claimed' OR "
            "(state = 'deferred' AND claimed_until IS NOT NULL AND claimed_until <= ?))"
        )
        params: tuple[Any, ...] = (_stamp(before),)
        if group_id is not None:
            query += " AND group_id = ?"
            params = (*params, group_id)
        with self._backend.read() as tx:
            row = tx.one(query, params)
        return int(row["n"]) if row else 0

    def items(self, group_id: str) -> list[Item]:
        """Every item of a group, in order."""
        if self._empty:
            return []
        with self._backend.read() as tx:
            rows = tx.all("SELECT * FROM items WHERE group_id = ? ORDER BY item_index", (group_id,))
        return [_item(row) for row in rows]

    def items_of(self, keys: Sequence[tuple[str, str]]) -> list[Item]:
        """The items with these (group, key) pairs."""
        if self._empty or not keys:
            return []
        found: list[Item] = []
        with self._backend.read() as tx:
            for group_id, key in keys:
                row = tx.one(
                    "SELECT * FROM items WHERE group_id = ? AND item_key = ?", (group_id, key)
                )
                if row is not None:
                    found.append(_item(row))
        return found

    # -- webhook deliveries ------------------------------------------------------------------

    def first_delivery(self, provider: str, delivery_id: str) -> bool:
        """Record a webhook delivery; False when it was taken before (a replay)."""
        self._writable()
        with self._backend.write() as tx:
            added = tx.run(
                "INSERT INTO deliveries (provider, delivery_id, received_at) VALUES (?, ?, ?) "
                "ON CONFLICT (provider, delivery_id) DO NOTHING",
                (provider, delivery_id, _stamp(self._now())),
            )
        return added == 1

    # -- housekeeping ---------------------------------------------------------------------

    def prune(self, before: dt.date) -> int:
        """Remove finished entries created before ``before``; keep their spend totals.

        Returns the number of entries removed. Unfinished entries are never removed.
        """
        self._writable()
        removed = 0
        with self._backend.write() as tx:
            # The rows are locked as they are picked: a job cannot change (or be pruned by
            # another worker, which would archive its spend twice) until this commits.
            picked = tx.all(
                self._backend.lock_row(
                    "SELECT ledger_id FROM jobs WHERE finished = 1 AND day < ? ORDER BY ledger_id"
                ),
                (before.isoformat(),),
            )
            ids = [int(r["ledger_id"]) for r in picked]
            for start in range(0, len(ids), _PRUNE_CHUNK):
                chunk = ids[start : start + _PRUNE_CHUNK]
                marks = ", ".join("?" for _ in chunk)
                totals = tx.all(
                    "SELECT day, COALESCE(profile, provider) AS label, COALESCE(currency, '') "
                    "AS currency, SUM(amount_micros) AS micros, COUNT(*) AS jobs FROM jobs "
                    f"WHERE ledger_id IN ({marks}) AND status = '{_SUCCEEDED}' "
                    "AND amount_micros IS NOT NULL "
                    "GROUP BY day, COALESCE(profile, provider), COALESCE(currency, '')",
                    chunk,
                )
                tx.many(
                    "INSERT INTO spend_archive (day, label, currency, micros, jobs) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (day, label, currency) DO UPDATE SET "
                    "micros = spend_archive.micros + excluded.micros, "
                    "jobs = spend_archive.jobs + excluded.jobs",
                    [(r["day"], r["label"], r["currency"], r["micros"], r["jobs"]) for r in totals],
                )
                tx.run(f"DELETE FROM events WHERE ledger_id IN ({marks})", chunk)
                removed += tx.run(f"DELETE FROM jobs WHERE ledger_id IN ({marks})", chunk)
        return removed
