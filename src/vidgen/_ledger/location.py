"""Which ledger to open: one function, so the clients and every command agree.

In order: the path or URL given; else ``$VIDGEN_LEDGER_URL``; else ``ledger_url`` in
``vidgen.toml``; else ``ledger.sqlite3`` in `default_home` (one machine).
"""

from __future__ import annotations

import os
from pathlib import Path

from .._config import Config, load_config
from .._exceptions import LedgerError
from .._home import default_home
from .postgres import is_url, mask_url

__all__ = ["LEDGER_URL_ENV", "describe_location", "ledger_location"]

#: The environment variable naming a shared ledger (a ``postgresql://`` URL).
LEDGER_URL_ENV = "VIDGEN_LEDGER_URL"


def ledger_location(
    given: str | os.PathLike[str] | None = None, *, config: Config | None = None
) -> Path | str:
    """The SQLite file (a `Path`) or PostgreSQL URL (a `str`) of the ledger to use.

    Args:
        given: a path or ``postgresql://`` URL that wins over everything else.
        config: the loaded ``vidgen.toml`` (default: the one `load_config` finds, read only
            when ``$VIDGEN_LEDGER_URL`` is unset).

    Raises:
        LedgerError: ``$VIDGEN_LEDGER_URL`` or ``given`` is a URL of another kind.
        ConfigError: the config file is malformed.
    """
    if given is not None:
        if isinstance(given, str) and "://" in given:
            if not is_url(given):
                raise LedgerError(
                    f"the ledger {given.split('://', 1)[0]}://... is neither a file nor a "
                    "postgresql:// URL"
                )
            return given
        return Path(given)
    from_env = os.environ.get(LEDGER_URL_ENV, "").strip()
    if from_env:
        if not is_url(from_env):
            raise LedgerError(
                f"{LEDGER_URL_ENV} must be a postgresql:// URL (postgresql://USER@HOST:PORT/DB); "
                "unset it to use the SQLite ledger in VIDGEN_HOME"
            )
        return from_env
    loaded = config if config is not None else load_config()
    if loaded.ledger_url:
        return loaded.ledger_url
    return default_home() / "ledger.sqlite3"


def describe_location(location: Path | str) -> str:
    """The ledger as people see it: the file, or the URL without its password."""
    return mask_url(location) if isinstance(location, str) else str(location)
