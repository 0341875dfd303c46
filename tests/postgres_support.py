"""A PostgreSQL server for tests: ``VIDGEN_TEST_POSTGRES_URL``, a schema per test.

``VIDGEN_TEST_POSTGRES_URL`` names a database the tests may create schemas in
(``postgresql://USER:PASSWORD@127.0.0.1:PORT/DB``); `fresh_schema` gives a test a schema
of its own, dropped when it ends. Without the variable PostgreSQL tests skip, saying why;
with ``VIDGEN_REQUIRE_POSTGRES=1`` (CI) they fail instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest

URL_ENV = "VIDGEN_TEST_POSTGRES_URL"
REQUIRE_ENV = "VIDGEN_REQUIRE_POSTGRES"


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_ENV}=1 says PostgreSQL tests must run")
    pytest.skip(reason)


def server_url() -> str:
    """The test server's URL, or skip (fail under ``VIDGEN_REQUIRE_POSTGRES=1``)."""
    url = os.environ.get(URL_ENV, "").strip()
    if not url:
        _unavailable(f"{URL_ENV} is not set, so there is no PostgreSQL server to test against")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'vidgen[postgres]')")
    return url


def in_schema(url: str, schema: str) -> str:
    """``url`` with ``schema`` first on the search path (libpq's ``options``)."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A URL whose ledger lives in a new schema, dropped afterwards."""
    import psycopg

    url = server_url()
    schema = f"vidgen_test_{secrets.token_hex(5)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield in_schema(url, schema)
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
