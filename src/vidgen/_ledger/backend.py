"""What the ledger needs from a database: transactions that run SQL, and clear errors.

`Ledger` speaks to a `Backend` in plain SQL with ``?`` placeholders; each backend turns its
driver's failures into one `LedgerError` that names the database (never with a password)
and the fix. Two backends exist: ``sqlite.py`` (one file, one machine) and ``postgres.py``
(one database shared by workers on many machines).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

__all__ = ["Backend", "Tx"]


class Tx(Protocol):
    """One transaction."""

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Mapping[str, Any]]:
        """Every row a query returns."""
        ...

    def one(self, sql: str, params: Sequence[Any] = ()) -> Mapping[str, Any] | None:
        """The first row a query returns, or None."""
        ...

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; returns the number of rows it changed."""
        ...

    def many(self, sql: str, params: Sequence[Sequence[Any]]) -> int:
        """Run a statement once for each set of parameters."""
        ...


class Backend(Protocol):
    """A database that holds one ledger.

    Writers that read a row and then change it must say so (`lock_row`, `lock_rows`,
    `serialize`): SQLite runs one writer at a time anyway, PostgreSQL runs them side by side
    at READ COMMITTED and needs the locks.
    """

    #: ``sqlite`` or ``postgresql``: the words that differ in `schema.ddl`.
    dialect: str
    #: Where the ledger is, for messages (never with a password).
    where: str

    @property
    def exists(self) -> bool:
        """False when there is nothing to read yet (a read-only SQLite file not made yet)."""
        ...

    def read(self) -> AbstractContextManager[Tx]:
        """A transaction that only reads (and never blocks a writer)."""
        ...

    def write(self, *, durable: bool = True) -> AbstractContextManager[Tx]:
        """A transaction that may write.

        ``durable=False`` lets the commit skip waiting for the disk (SQLite
        ``synchronous=NORMAL``, PostgreSQL ``synchronous_commit=off``): it survives the
        process being killed, and is lost only if the machine itself fails before the
        next durable commit. For what can be seen again (a status read, a download
        record, a claim); never for a submit or a job id.
        """
        ...

    def close(self) -> None:
        """Release the connection."""
        ...

    def writable(self) -> Backend:
        """A second, writable connection to the same ledger (a read-only ledger's upgrade)."""
        ...

    def names(self, tx: Tx) -> set[str]:
        """The tables and indexes of the ledger (to tell its version and what is missing)."""
        ...

    def lock_rows(self, query: str) -> str:
        """``query`` (a SELECT in a write transaction) made to lock the rows it picks, so
        that workers never pick the same ones (PostgreSQL: ``FOR UPDATE SKIP LOCKED``)."""
        ...

    def lock_row(self, query: str) -> str:
        """``query`` (a SELECT in a write transaction) made to lock the rows it reads until
        the transaction ends, waiting for another writer holding them (``FOR UPDATE``)."""
        ...

    def serialize(self, tx: Tx, name: str) -> None:
        """Make the writers that call this with the same ``name`` take turns until their
        transactions end, on every machine (PostgreSQL: ``pg_advisory_xact_lock``)."""
        ...


def rows(cursor: Any) -> Iterator[Mapping[str, Any]]:
    """The rows of a DB-API cursor as mappings of column name to value."""
    names = [d[0] for d in cursor.description or ()]
    for values in cursor.fetchall():
        yield dict(zip(names, values, strict=True))
