"""Write ``catalog.toml`` from a saved answer of OpenRouter's ``GET /api/v1/videos/models``.

Run from the repository root::

    python -m vidgen_openrouter.generate_catalog tests/providers/openrouter/data/openrouter-video-models-2026-08-21.json \\
        --as-of 2026-08-21 -o providers/vidgen_openrouter/catalog.toml

The script lives in the provider package, next to the mapping it shares with
``vidgen prices refresh openrouter`` (`OpenRouterProvider.parse_catalog_refresh`): both
call ``_catalog_map.catalog_tables``, so the shipped catalog and a refreshed overlay are
built by the same code and a test can check that the shipped file is exactly what the
script writes. It reads a file and writes a file; the provider itself stays sans-IO.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._catalog_map import DEFAULT_MODEL, DEFAULT_SOURCE, catalog_tables

__all__ = ["main", "render"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
# Keys written after the model's plain keys, as TOML sub-tables.
_TABLES = ("wire", "lifecycle", "prices")


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Sequence):
        items = [_value(v) for v in value]
        line = "[" + ", ".join(items) + "]"
        if len(line) <= 88:
            return line
        return "[\n" + "".join(f"  {item},\n" for item in items) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _pairs(table: Mapping[str, Any], skip: Sequence[str] = ()) -> list[str]:
    return [f"{_key(k)} = {_value(v)}" for k, v in table.items() if k not in skip]


def _model(table: Mapping[str, Any]) -> list[str]:
    lines = ["[[models]]", *_pairs(table, _TABLES)]
    wire = dict(table.get("wire", {}))
    image_prices = wire.pop("image_to_video_prices", [])
    if wire or image_prices:
        lines += ["", "[models.wire]", *_pairs(wire)]
        for price in image_prices:
            lines += ["", "[[models.wire.image_to_video_prices]]", *_pairs(price)]
    if "lifecycle" in table:
        lines += ["", "[models.lifecycle]", *_pairs(table["lifecycle"])]
    for price in table.get("prices", ()):
        lines += ["", "[[models.prices]]", *_pairs(price)]
    return lines


def render(
    models: Sequence[Any], *, as_of: dt.date, source: str = DEFAULT_SOURCE, input_name: str
) -> str:
    """The catalog file for the listed models (a header saying where it comes from first)."""
    tables, skipped = catalog_tables(models, source=source, as_of=as_of)
    header = [
        "# OpenRouter's video models (https://openrouter.ai/api/v1), as data.",
        "#",
        "# GENERATED: do not edit by hand. Written by `python -m vidgen_openrouter.generate_catalog`",
        f"# from {input_name}, a copy of the answer of {source}",
        f"# read on {as_of.isoformat()}. The same mapping runs for `vidgen prices refresh openrouter`,",
        "# whose overlay replaces these entries with the live listing.",
        "#",
        "# Prices are read from each model's pricing_skus, whose keys OpenRouter does not",
        "# document: each price's note names the keys it was read from and says it is an",
        "# estimate. The charge of a job is its usage.cost (Job.usage).",
    ]
    if skipped:
        header += ["#", "# Not listed here (vidgen cannot send to them):"]
        header += [f"#   {ident}: {reason}" for ident, reason in skipped]
    lines = [*header, ""]
    if tables:
        ids = [table["id"] for table in tables]
        default = DEFAULT_MODEL if DEFAULT_MODEL in ids else ids[0]
        lines += [f"default_model = {_value(default)}", ""]
    for table in tables:
        lines += [*_model(table), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _listing(data: Any) -> list[Any]:
    """The model entries of the endpoint's answer (``{"data": [...]}``) or of a bare list."""
    if isinstance(data, Mapping):
        data = data.get("data")
    if not isinstance(data, list):
        raise SystemExit('the file holds neither a list of models nor {"data": [...]}')
    return data


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``generate_catalog FILE --as-of DATE [-o OUT]``."""
    parser = argparse.ArgumentParser(
        prog="python -m vidgen_openrouter.generate_catalog", description=__doc__.splitlines()[0]
    )
    parser.add_argument("listing", type=Path, help="a saved answer of GET /api/v1/videos/models")
    parser.add_argument(
        "--as-of",
        required=True,
        type=dt.date.fromisoformat,
        help="the date the listing was read (YYYY-MM-DD); every price carries it",
    )
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="the URL it was read from")
    parser.add_argument("-o", "--output", type=Path, help="where to write (default: stdout)")
    args = parser.parse_args(argv)
    models = _listing(json.loads(args.listing.read_text(encoding="utf-8")))
    text = render(models, as_of=args.as_of, source=args.source, input_name=args.listing.name)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
