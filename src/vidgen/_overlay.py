"""Models and prices read from a vendor's own API, kept as a dated overlay on the catalog.

``vidgen prices refresh fal`` (or `Client.refresh_catalog`) asks the provider for its
machine-readable models and prices and writes what it got to
``$VIDGEN_HOME/catalogs/<provider>.json`` with the time it was fetched. When a provider
loads its catalog, the overlay's model tables override the shipped ones (and add new ones);
a profile's own models override both. Offline, or without an overlay, the shipped catalog
stands. A damaged overlay is ignored with a warning: it is a cache, never the only copy.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._home import default_home

__all__ = ["load_overlay", "overlay_path", "save_overlay"]

log = logging.getLogger("vidgen")


def overlay_path(provider: str) -> Path:
    """Where the overlay of ``provider`` lives."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in provider)
    return default_home() / "catalogs" / f"{safe}.json"


def load_overlay(provider: str) -> list[dict[str, Any]]:
    """The overlay's model tables for ``provider`` (empty when there is none)."""
    path = overlay_path(provider)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        log.warning("ignoring the catalog overlay %s: %s", path, exc)
        return []
    try:
        data = json.loads(text)
        models = data["models"]
        if not isinstance(models, list) or not all(isinstance(m, dict) for m in models):
            raise ValueError("models is not a list of tables")
    except (ValueError, KeyError, TypeError) as exc:
        log.warning(
            "ignoring the damaged catalog overlay %s (%s); run `vidgen prices refresh %s` "
            "again or delete it",
            path,
            exc,
            provider,
        )
        return []
    return list(models)


def save_overlay(
    provider: str, models: Sequence[Mapping[str, Any]], *, source: str, fetched_at: dt.datetime
) -> Path:
    """Write the overlay atomically (complete or not at all); returns its path.

    A price the vendor's answer left undated is dated by the fetch (``fetched_at``), and
    one without a source cites ``source``: an overlay price always says where and when.
    """
    models = [_dated(m, source=source, day=fetched_at.date()) for m in models]
    path = overlay_path(provider)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "provider": provider,
        "source": source,
        "fetched_at": fetched_at.isoformat(timespec="seconds"),
        "models": [dict(m) for m in models],
    }
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(body, file, indent=1, default=str)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def _dated(model: Mapping[str, Any], *, source: str, day: dt.date) -> dict[str, Any]:
    table = dict(model)
    prices = table.get("prices")
    if isinstance(prices, list):
        table["prices"] = [
            {"source": source, "as_of": day, **{k: v for k, v in price.items() if v is not None}}
            if isinstance(price, Mapping)
            else price
            for price in prices
        ]
    if any(key.startswith("price_per_") for key in table):
        table.setdefault("price_source", source)
        table.setdefault("price_as_of", day)
    return table
