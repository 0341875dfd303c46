"""The embedded ledger: one SQLite file in WAL mode, safe for several processes on a machine.

Every commit survives a killed process; a durable one (a submit, a job id) also waits for
the disk (``synchronous=FULL``), the others (``durable=False``: status reads, downloads,
claims) do not (``synchronous=NORMAL``). Readers never block writers; writers take
turns (``BEGIN IMMEDIATE``) and wait up to 30 s for each other. A ledger opened read-only
(``vidgen jobs``, ``vidgen spend``) takes no write lock at all.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .._exceptions import LedgerError
from .backend import rows

__all__ = ["SQLiteBackend", "translate"]

_BUSY_SECONDS = 30.0


def translate(exc: BaseException, path: Path) -> LedgerError:
    """A SQLite (or file system) failure as one line that names the ledger and the fix."""
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, OSError):
        reason = exc.strerror or text
        return LedgerError(
            f"cannot open the job ledger {path}: {reason}. Set VIDGEN_HOME to a folder you "
            "can write (or pass ledger=False to go without one)"
        )
    if "not a database" in lowered or "malformed" in lowered or "file is encrypted" in lowered:
        return LedgerError(
            f"the job ledger {path} is damaged ({text}). Move it aside (mv {path} "
            f"{path}.damaged) and vidgen starts a new one; jobs recorded only there must then "
            "be finished from the provider's console"
        )
    if "locked" in lowered or "busy" in lowered:
        return LedgerError(
            f"the job ledger {path} has been locked by another process for more than "
            f"{_BUSY_SECONDS:.0f} s; wait for that process (see `vidgen jobs`) and try again"
        )
    if "full" in lowered:
        return LedgerError(
            f"the disk holding the job ledger {path} is full; free some space and try again "
            "(nothing was sent)"
        )
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered:
        return LedgerError(
            f"cannot write the job ledger {path} ({text}); make the file and its folder "
            "writable, or set VIDGEN_HOME to a writable folder"
        )
    if "disk i/o" in lowered:
        return LedgerError(
            f"the disk failed while writing the job ledger {path} ({text}); check the disk "
            "and try again"
        )
    return LedgerError(f"the job ledger {path} failed: {text}")


def _check_folder(path: Path) -> None:
    """A ledger that does not exist yet may only be missing, never unreachable."""
    for folder in path.parents:
        if folder.exists():
            if not folder.is_dir():
                raise NotADirectoryError(20, "Not a directory", str(folder))
            return


class _Tx:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Mapping[str, Any]]:
        return list(rows(self.db.execute(sql, tuple(params))))

    def one(self, sql: str, params: Sequence[Any] = ()) -> Mapping[str, Any] | None:
        cursor = self.db.execute(sql, tuple(params))
        found = list(rows(cursor))
        return found[0] if found else None

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.db.execute(sql, tuple(params)).rowcount

    def many(self, sql: str, params: Sequence[Sequence[Any]]) -> int:
        return self.db.executemany(sql, [tuple(p) for p in params]).rowcount


class SQLiteBackend:
    """One SQLite file. Safe to share between threads of one process and between processes.

    Args:
        path: the database file.
        readonly: open without ever writing (a missing file reads as an empty ledger).
    """

    dialect = "sqlite"

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.where = str(path)
        self.readonly = readonly
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        try:
            if path.is_dir():
                raise LedgerError(
                    f"the job ledger {path} is a folder, not a file; remove it or set "
                    "VIDGEN_HOME to another folder"
                )
            if readonly:
                if path.exists():
                    self._db = self._connect(f"file:{path}?mode=ro", uri=True)
                else:
                    _check_folder(path)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = self._connect(str(path))
                self._use_wal(self._db)
                self._db.execute("PRAGMA synchronous = FULL")
        except (sqlite3.Error, OSError) as exc:
            raise translate(exc, path) from exc

    @property
    def exists(self) -> bool:
        """False for a read-only ledger whose file does not exist yet."""
        return self._db is not None

    @staticmethod
    def _connect(target: str, *, uri: bool = False) -> sqlite3.Connection:
        db = sqlite3.connect(
            target,
            timeout=_BUSY_SECONDS,
            isolation_level=None,
            check_same_thread=False,
            uri=uri,
        )
        db.execute(f"PRAGMA busy_timeout = {int(_BUSY_SECONDS * 1000)}")
        return db

    @staticmethod
    def _use_wal(db: sqlite3.Connection) -> None:
        # Several processes creating a fresh ledger at once can find the file locked while
        # one of them switches it to WAL; the busy handler does not cover this, so retry.
        deadline = time.monotonic() + _BUSY_SECONDS
        while True:
            try:
                db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    @contextmanager
    def read(self) -> Iterator[_Tx]:
        with self._lock:
            try:
                db = self._connection()
                db.execute("BEGIN")
                try:
                    yield _Tx(db)
                finally:
                    db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise translate(exc, self.path) from exc

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[_Tx]:
        if self.readonly:
            raise LedgerError(f"the job ledger {self.path} was opened read-only")
        with self._lock:
            try:
                db = self._connection()
                if not durable:
                    # WAL with NORMAL: the commit is in the log (safe from a killed
                    # process), synced to disk by the next FULL commit or checkpoint.
                    db.execute("PRAGMA synchronous = NORMAL")
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise translate(exc, self.path) from exc
            try:
                try:
                    yield _Tx(db)
                except BaseException as exc:
                    with contextlib.suppress(sqlite3.Error):  # the original failure matters
                        db.execute("ROLLBACK")
                    if isinstance(exc, sqlite3.Error):
                        raise translate(exc, self.path) from exc
                    raise
                try:
                    db.execute("COMMIT")
                except sqlite3.Error as exc:
                    raise translate(exc, self.path) from exc
            finally:
                if not durable:
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("PRAGMA synchronous = FULL")

    def __repr__(self) -> str:
        return f"<SQLiteBackend {self.where}>"

    def writable(self) -> SQLiteBackend:
        return SQLiteBackend(self.path)

    def names(self, tx: Any) -> set[str]:
        found = tx.all("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")
        return {str(r["name"]) for r in found}

    def lock_rows(self, query: str) -> str:
        """SQLite's write transactions are exclusive already: nothing to add."""
        return query

    def lock_row(self, query: str) -> str:
        """SQLite's write transactions are exclusive already: nothing to add."""
        return query

    def serialize(self, tx: Any, name: str) -> None:
        """Writers take turns already (``BEGIN IMMEDIATE``)."""

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise LedgerError(f"the job ledger {self.path} is closed or does not exist yet")
        return self._db
