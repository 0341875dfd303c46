"""The public surface of ``vidgen.webhooks``: sorted, complete, and naming its own module."""

from __future__ import annotations

import inspect

import vidgen
from vidgen import webhooks
from vidgen.provider import Provider


def test_all_is_sorted_complete_and_importable() -> None:
    exported = list(webhooks.__all__)
    assert exported == sorted(exported)
    public = {
        name
        for name, value in vars(webhooks).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }
    assert public == set(exported)
    for name in exported:
        namespace: dict[str, object] = {}
        exec(f"from vidgen.webhooks import {name}", namespace)
        assert namespace[name] is getattr(webhooks, name)


def test_public_classes_report_vidgen_webhooks() -> None:
    assert webhooks.WebhookApp.__module__ == "vidgen.webhooks"
    assert webhooks.Route.__module__ == "vidgen.webhooks"


def test_the_rejection_is_vidgens_one_error() -> None:
    assert issubclass(vidgen.WebhookRejected, vidgen.VidgenError)


def test_delivery_kinds_come_from_what_a_provider_overrides() -> None:
    registry = vidgen.plugins.get_registry()
    kinds = {
        name: webhooks.delivery_kind(registry.get(name) or Provider) for name in registry.names
    }
    assert {n for n, k in kinds.items() if k == "signed"} == {"fal", "openrouter", "replicate"}
    assert {n for n, k in kinds.items() if k == "token"} == {
        "aivideoapi",
        "byteplus",
        "kling",
        "minimax",
        "volcengine",
    }


def test_a_provider_catalog_that_offers_callbacks_has_a_receiver() -> None:
    """A model with ``callbacks = true`` in its catalog lets users pass callback_url; the
    receiver must then know how to take what arrives."""
    from vidgen._catalog import read_catalog_resource

    registry = vidgen.plugins.get_registry()
    offering = set()
    for name in registry.names:
        cls = registry.get(name)
        assert cls is not None
        if cls.catalog_package is None:
            continue
        models = read_catalog_resource(cls.catalog_package).get("models", ())
        if any(model.get("callbacks") for model in models):
            offering.add(name)
            assert webhooks.delivery_kind(cls) is not None, name
    assert "replicate" in offering
    assert "minimax" in offering
