"""The shared ledger: one PostgreSQL database for every worker on every machine (psycopg 3).

Transactions run at READ COMMITTED. The ledger's read-modify-writes say what they need:
rows they read and then change are locked (``FOR UPDATE``), workers picking work skip each
other's rows (``FOR UPDATE SKIP LOCKED``), and checks that span many rows, such as the daily
spend limit, take a transaction-scoped advisory lock, so they hold across machines.

One connection per `Ledger`, guarded by a lock (a ledger is shared between threads). A
connection found dropped when a transaction begins is opened again once; nothing has been
sent in that transaction yet, so this is safe for writes as well as reads. A read-only
ledger's session is read-only (``default_transaction_read_only``).

The URL's password never leaves this module: messages, reprs and logs name the database as
``postgresql://user@host:port/db``.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .._exceptions import LedgerError

if TYPE_CHECKING:
    import psycopg

__all__ = ["SCHEMES", "PostgresBackend", "is_url", "mask_url"]

#: The URL schemes that name a PostgreSQL ledger.
SCHEMES = ("postgresql://", "postgres://")
_CONNECT_TIMEOUT = 10
_INSTALL = "pip install 'vidgen[postgres]'"


def is_url(location: object) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL."""
    return isinstance(location, str) and location.lower().startswith(SCHEMES)


def mask_url(url: str) -> str:
    """The URL as messages show it: ``postgresql://user@host:port/db``, never a password
    (the query string, which may hold one, is left out too)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "postgresql://(an unreadable URL)"
    if ":" in host:
        host = f"[{host}]"
    user = f"{parts.username}@" if parts.username else ""
    where = f"{parts.scheme}://{user}{host}"
    if port is not None:
        where += f":{port}"
    return where + (parts.path or "")


def _check_url(url: str) -> None:
    """Refuse a URL libpq would misread, with one line (and without echoing it)."""
    where = mask_url(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError as exc:
        raise LedgerError(
            f"the ledger URL {where} is not a valid PostgreSQL URL ({exc}); write it as "
            "postgresql://USER@HOST:PORT/DATABASE"
        ) from None
    if not parts.path.strip("/"):
        raise LedgerError(
            f"the ledger URL {where} names no database; write it as "
            "postgresql://USER@HOST:PORT/DATABASE"
        )


@lru_cache(maxsize=256)
def _to_psycopg(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s``, and a literal ``%`` as ``%%``.

    A ``?`` inside a quoted string stays as it is (the ledger writes none, but a value
    written into a statement must not turn into a placeholder).
    """
    out: list[str] = []
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted
            out.append(char)
        elif char == "%":
            out.append("%%")
        elif char == "?" and not quoted:
            out.append("%s")
        else:
            out.append(char)
    return "".join(out)


def _lock_key(name: str) -> int:
    """A stable 64-bit advisory lock key for ``name`` (the same on every machine)."""
    digest = hashlib.sha256(f"vidgen-ledger:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _reason(exc: BaseException, secret: str | None) -> str:
    """The driver's message on one line, with the password blanked should it appear."""
    text = " ".join(str(exc).split())
    if secret:
        for form in {secret, unquote(secret)}:
            text = text.replace(form, "***")
    # libpq repeats the host and port the message names already, and adds its own hint.
    text = re.sub(
        r'(connection failed: )?connection to server (at|on) "[^"]*"(, port \d+)? failed: ',
        "",
        text,
    )
    text = text.replace("FATAL: ", "").split(" Is the server running")[0]
    return text.strip().rstrip(".")


def translate(exc: BaseException, where: str, secret: str | None = None) -> LedgerError:
    """A psycopg failure as one line that names the ledger (without a password) and the fix."""
    import psycopg
    from psycopg import errors

    reason = _reason(exc, secret)
    lowered = reason.lower()
    if isinstance(exc, errors.InsufficientPrivilege):
        return LedgerError(
            f"the job ledger {where} refused: {reason}. The role needs CONNECT on the database, "
            "USAGE and CREATE on its schema, and SELECT, INSERT, UPDATE, DELETE on the ledger's "
            "tables (see docs/scaling.md)"
        )
    if isinstance(exc, errors.ReadOnlySqlTransaction):
        return LedgerError(f"the job ledger {where} was opened read-only ({reason})")
    if isinstance(exc, errors.InvalidCatalogName) or (
        "does not exist" in lowered and "database" in lowered
    ):
        return LedgerError(
            f"the job ledger {where}: {reason}; create it (createdb) or fix ledger_url / "
            "VIDGEN_LEDGER_URL"
        )
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return LedgerError(
            f"cannot log in to the job ledger {where}: {reason}. Check the user and password "
            "(in VIDGEN_LEDGER_URL, PGPASSWORD or ~/.pgpass)"
        )
    if isinstance(exc, errors.DiskFull):
        return LedgerError(
            f"the disk of the job ledger {where} is full; free some space and try again "
            "(nothing was sent)"
        )
    if isinstance(exc, (errors.LockNotAvailable, errors.QueryCanceled)):
        return LedgerError(
            f"the job ledger {where} is busy ({reason}); wait for the other workers and try again"
        )
    if isinstance(exc, psycopg.OperationalError):
        return LedgerError(
            f"cannot reach the job ledger {where}: {reason}. Is the server running and "
            "reachable? (check ledger_url / VIDGEN_LEDGER_URL)"
        )
    return LedgerError(f"the job ledger {where} failed: {reason}")


class _Tx:
    def __init__(self, db: psycopg.Connection[Any]) -> None:
        self.db = db

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Mapping[str, Any]]:
        with self.db.cursor() as cursor:
            cursor.execute(_to_psycopg(sql), tuple(params))
            return list(cursor.fetchall())

    def one(self, sql: str, params: Sequence[Any] = ()) -> Mapping[str, Any] | None:
        with self.db.cursor() as cursor:
            cursor.execute(_to_psycopg(sql), tuple(params))
            row: Mapping[str, Any] | None = cursor.fetchone()
            return row

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self.db.cursor() as cursor:
            cursor.execute(_to_psycopg(sql), tuple(params))
            return int(cursor.rowcount)

    def many(self, sql: str, params: Sequence[Sequence[Any]]) -> int:
        with self.db.cursor() as cursor:
            cursor.executemany(_to_psycopg(sql), [tuple(p) for p in params])
            return int(cursor.rowcount)


class PostgresBackend:
    """One PostgreSQL database (or schema: ``?options=-csearch_path%3Dname``).

    Args:
        url: ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?PARAMS]``; libpq reads
            a password it does not hold from ``PGPASSWORD`` or ``~/.pgpass``.
        readonly: every transaction is read-only.

    Raises:
        LedgerError: psycopg is not installed, the URL is malformed, or the server cannot
            be reached or refuses the login.
    """

    dialect = "postgresql"

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        _check_url(url)
        self.where = mask_url(url)
        self.readonly = readonly
        self._url = url
        self._secret = urlsplit(url).password
        self._lock = threading.Lock()
        try:
            import psycopg  # noqa: F401 - only to say what to install
        except ImportError:
            raise LedgerError(
                f"the job ledger {self.where} is on PostgreSQL, which needs psycopg: {_INSTALL}"
            ) from None
        self._db: psycopg.Connection[Any] | None = self._connect()

    def __repr__(self) -> str:
        return f"<PostgresBackend {self.where}>"

    @property
    def exists(self) -> bool:
        return True

    def _connect(self) -> psycopg.Connection[Any]:
        import psycopg
        from psycopg.rows import dict_row

        try:
            db = psycopg.connect(
                self._url,
                autocommit=True,
                row_factory=dict_row,
                connect_timeout=_CONNECT_TIMEOUT,
                application_name="vidgen",
            )
        except psycopg.Error as exc:
            raise translate(exc, self.where, self._secret) from None
        if self.readonly:
            db.read_only = True
        return db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def writable(self) -> PostgresBackend:
        return PostgresBackend(self._url)

    def _begin(self, statement: str) -> psycopg.Connection[Any]:
        """The connection with a transaction begun; a dropped connection is opened again
        once (nothing of this transaction has been sent yet)."""
        import psycopg

        if self._db is None:
            raise LedgerError(f"the job ledger {self.where} is closed")
        try:
            self._db.execute(statement)
            return self._db
        except psycopg.OperationalError as exc:
            if not self._db.closed and not self._db.broken:
                raise translate(exc, self.where, self._secret) from None
        with contextlib.suppress(psycopg.Error):
            self._db.close()
        self._db = self._connect()
        try:
            self._db.execute(statement)
        except psycopg.Error as exc:
            raise translate(exc, self.where, self._secret) from None
        return self._db

    @contextmanager
    def _transaction(self, begin: str, then: str | None = None) -> Iterator[_Tx]:
        import psycopg

        with self._lock:
            db = self._begin(begin)
            try:
                if then is not None:
                    db.execute(then)
                yield _Tx(db)
            except BaseException as exc:
                with contextlib.suppress(psycopg.Error):  # the original failure is what matters
                    db.execute("ROLLBACK")
                if isinstance(exc, psycopg.Error):
                    raise translate(exc, self.where, self._secret) from None
                raise
            try:
                db.execute("COMMIT")
            except psycopg.Error as exc:
                raise translate(exc, self.where, self._secret) from None

    def read(self) -> contextlib.AbstractContextManager[_Tx]:
        # One snapshot for every statement of the read (a listing and its totals agree).
        return self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def write(self, *, durable: bool = True) -> contextlib.AbstractContextManager[_Tx]:
        if self.readonly:
            raise LedgerError(f"the job ledger {self.where} was opened read-only")
        return self._transaction(
            "BEGIN ISOLATION LEVEL READ COMMITTED",
            then=None if durable else "SET LOCAL synchronous_commit TO OFF",
        )

    def names(self, tx: Any) -> set[str]:
        found = tx.all(
            "SELECT tablename AS name FROM pg_catalog.pg_tables WHERE schemaname = "
            "current_schema() UNION ALL SELECT indexname FROM pg_catalog.pg_indexes "
            "WHERE schemaname = current_schema()"
        )
        return {str(r["name"]) for r in found}

    def lock_rows(self, query: str) -> str:
        return f"{query} FOR UPDATE SKIP LOCKED"

    def lock_row(self, query: str) -> str:
        return f"{query} FOR UPDATE"

    def serialize(self, tx: Any, name: str) -> None:
        tx.one("SELECT pg_advisory_xact_lock(?)", (_lock_key(name),))
