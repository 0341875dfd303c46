"""The ledger on both databases: SQLite always, PostgreSQL where a server is given.

``VIDGEN_TEST_POSTGRES_URL`` names a database the tests may create schemas in
(``postgresql://USER:PASSWORD@127.0.0.1:PORT/DB``); each PostgreSQL test gets a schema of
its own, dropped when it ends, so tests never see each other's rows. Without the variable
the PostgreSQL tests skip, saying why; with ``VIDGEN_REQUIRE_POSTGRES=1`` (CI) they fail
instead, so a CI run can never pass by skipping them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from postgres_support import fresh_schema


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose ledger lives in a fresh schema of its own, dropped afterwards."""
    with fresh_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """None for SQLite; for PostgreSQL a fresh ledger's URL, also put in VIDGEN_LEDGER_URL,
    so that ``vidgen.Ledger()`` (and ``Ledger(ledger.path)``, path being None) open it."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("pg_url")
    monkeypatch.setenv("VIDGEN_LEDGER_URL", url)
    return url
