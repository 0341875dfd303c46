"""Every fact a shipped catalog cites comes from a page its users can open.

Prices and lifecycle dates are shown to users with their source (`vidgen quote`,
`vidgen models`); a source only the maintainers have (a file in their notes) cannot be
checked by anyone else. So each one is a public https URL, and each price has the date
it was read there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from vidgen._catalog import read_catalog_resource
from vidgen.plugins import get_registry


def _shipped() -> list[tuple[str, str]]:
    registry = get_registry()
    found = []
    for name in registry.names:
        cls = registry.get(name)
        assert cls is not None
        if cls.catalog_package is not None:
            found.append((name, cls.catalog_package))
    return found


def _models(raw: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every model table, also in catalogs split by API (Azure's [jobs] and [videos])."""
    yield from raw.get("models", ())
    for value in raw.values():
        if isinstance(value, Mapping):
            yield from _models(value)


# The sandbox prices nothing and its models are its own emulator's: there is no vendor page
# to cite (its conformance test checks its "sandbox: no charge" prices instead).
SHIPPED = [(name, package) for name, package in _shipped() if name != "sandbox"]


def test_every_built_in_provider_is_checked() -> None:
    names = {name for name, _ in SHIPPED}
    assert {"openai", "apiyi", "aivideoapi", "azure"} <= names


@pytest.mark.parametrize(("name", "package"), SHIPPED, ids=[n for n, _ in SHIPPED])
def test_prices_and_lifecycles_cite_public_pages(name: str, package: str) -> None:
    raw = read_catalog_resource(package)
    models = list(_models(raw))
    assert models, f"{name} ships no models"
    for model in models:
        where = f"{name} {model['id']}"
        sources = {"model": model.get("source")}
        lifecycle = model.get("lifecycle")
        if lifecycle is not None:
            sources["lifecycle"] = lifecycle.get("source")
        for index, price in enumerate(model.get("prices", ())):
            sources[f"price {index}"] = price.get("source")
            assert isinstance(price.get("as_of"), dt.date), f"{where}: price {index} has no date"
        for what, source in sources.items():
            if what == "lifecycle" or what.startswith("price"):
                assert source, f"{where}: the {what} cites no source"
            if source is None:
                continue
            assert source.startswith("https://"), f"{where}: the {what} cites {source!r}"
            assert "vendor-docs" not in source, f"{where}: the {what} cites {source!r}"
