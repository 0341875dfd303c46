"""Which ledger is opened, and the one-line errors for a ledger that cannot be (no server
needed: these run everywhere)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import vidgen
from vidgen._config import parse_config
from vidgen._ledger import ledger_location
from vidgen._ledger.postgres import _to_psycopg, mask_url
from vidgen.cli import cli

URL = "postgresql://worker:s3cret-pw@db.example:5432/vidgen"


def test_the_url_is_shown_without_its_password() -> None:
    assert mask_url(URL) == "postgresql://worker@db.example:5432/vidgen"
    assert mask_url("postgres://db.example/vidgen?password=s3cret-pw&sslmode=require") == (
        "postgres://db.example/vidgen"
    )
    assert "s3cret" not in mask_url("postgresql://worker:s3cret@[::1]:5433/vidgen")


def test_placeholders_become_psycopg_ones_outside_quotes_only() -> None:
    assert _to_psycopg("SELECT ? WHERE a = '?' AND b LIKE 'x%' AND c = ?") == (
        "SELECT %s WHERE a = '?' AND b LIKE 'x%%' AND c = %s"
    )


def test_the_ledger_sql_has_no_question_mark_inside_a_string() -> None:
    import inspect
    import re

    from vidgen._ledger import ledger, schema

    for module in (ledger, schema):
        for literal in re.findall(r"'[^'\n]*'", inspect.getsource(module)):
            assert "?" not in literal, (module.__name__, literal)


def test_the_given_location_wins_then_the_environment_then_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDGEN_HOME", str(tmp_path / "home"))
    assert ledger_location() == tmp_path / "home" / "ledger.sqlite3"
    (tmp_path / "vidgen.toml").write_text(
        'ledger_url = "postgresql://worker@db.example/vidgen"\n', encoding="utf-8"
    )
    assert ledger_location() == "postgresql://worker@db.example/vidgen"
    monkeypatch.setenv("VIDGEN_LEDGER_URL", URL)
    assert ledger_location() == URL
    assert ledger_location(tmp_path / "mine.sqlite3") == tmp_path / "mine.sqlite3"
    assert ledger_location("postgres://other/db") == "postgres://other/db"


def test_a_config_ledger_url_is_checked_in_one_line() -> None:
    assert parse_config('ledger_url = "postgres://db.example/v"').ledger_url == (
        "postgres://db.example/v"
    )
    with pytest.raises(vidgen.ConfigError, match="must be a PostgreSQL URL"):
        parse_config('ledger_url = "mysql://db.example/v"')
    with pytest.raises(vidgen.ConfigError, match="holds a password") as caught:
        parse_config(f'ledger_url = "{URL}"')
    assert "s3cret" not in str(caught.value)
    with pytest.raises(vidgen.ConfigError, match="holds a password"):
        parse_config('ledger_url = "postgresql://db.example/v?password=s3cret"')


def test_a_bad_environment_url_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIDGEN_LEDGER_URL", "/var/lib/ledger.sqlite3")
    with pytest.raises(vidgen.LedgerError, match="must be a postgresql:// URL"):
        vidgen.Ledger()
    result = CliRunner().invoke(cli, ["jobs"])
    assert result.exit_code != 0
    assert "VIDGEN_LEDGER_URL must be a postgresql:// URL" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://worker:s3cret-pw@db.example:port/vidgen", "not a valid PostgreSQL URL"),
        ("postgresql://worker:s3cret-pw@db.example:5432", "names no database"),
        ("postgresql://worker:s3cret-pw@127.0.0.1:1/vidgen", "cannot reach the job ledger"),
    ],
    ids=["bad port", "no database", "server down"],
)
def test_a_ledger_that_cannot_be_opened_is_one_line_without_the_password(
    url: str, says: str
) -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(vidgen.LedgerError, match=says) as caught:
        vidgen.Ledger(url)
    message = str(caught.value)
    assert "s3cret" not in message
    assert "\n" not in message
    assert caught.value.__cause__ is None or "s3cret" not in str(caught.value.__cause__)


def test_without_psycopg_the_message_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg raises ImportError
    with pytest.raises(vidgen.LedgerError, match=r"pip install 'vidgen\[postgres\]'") as caught:
        vidgen.Ledger(URL)
    assert "s3cret" not in str(caught.value)


def test_vidgen_config_shows_the_sqlite_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDGEN_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(cli, ["config", "--json"])
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "home" / "ledger.sqlite3") in result.output


def test_jobs_prune_removes_old_finished_jobs_and_keeps_spend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDGEN_HOME", str(tmp_path / "home"))
    ledger = vidgen.Ledger()
    ledger.close()
    db = sqlite3.connect(tmp_path / "home" / "ledger.sqlite3")
    row = (
        "INSERT INTO jobs (created_at, updated_at, day, provider, request, submit_state, status, "
        "amount_micros, currency, output_path, finished) VALUES "
        "(?, ?, ?, 'openai', '{}', 'accepted', ?, 800000, 'USD', ?, ?)"
    )
    old = "2020-01-01T00:00:00+00:00"
    with db:
        db.execute(row, (old, old, "2020-01-01", "succeeded", "/a.mp4", 1))
        db.execute(row, (old, old, "2020-01-01", "running", None, 0))  # unfinished: kept
    db.close()
    before = vidgen.Ledger().spend()
    result = CliRunner().invoke(cli, ["jobs", "--prune", "30", "--json"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 finished job(s)" in result.output
    remaining = vidgen.Ledger().entries()
    assert [e.status for e in remaining] == [vidgen.JobStatus.RUNNING]
    assert vidgen.Ledger().spend() == before
