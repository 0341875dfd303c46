"""What the ledger needs from a database: transactions that run SQL, and clear errors.

`Ledger` speaks to a `Backend` in plain SQL with ``?`` placeholders; each backend turns its
driver's failures into one `LedgerError` that names the database and the fix.
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


class Backend(Protocol):
    """A database that holds one ledger."""

    #: ``sqlite`` or ``postgresql``: the words that differ in `schema.ddl`.
    dialect: str
    #: Where the ledger is, for messages (never with a password).
    where: str

    def read(self) -> AbstractContextManager[Tx]:
        """A transaction that only reads (and never blocks a writer)."""
        ...

    def write(self) -> AbstractContextManager[Tx]:
        """A transaction that may write; writers take turns."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...

    def lock_rows(self, query: str) -> str:
        """``query`` (a SELECT in a write transaction) made to lock the rows it picks, so
        that workers never pick the same ones (PostgreSQL: ``FOR UPDATE SKIP LOCKED``)."""
        ...


def rows(cursor: Any) -> Iterator[Mapping[str, Any]]:
    """The rows of a DB-API cursor as mappings of column name to value."""
    names = [d[0] for d in cursor.description or ()]
    for values in cursor.fetchall():
        yield dict(zip(names, values, strict=True))
