"""Loading plugins: duplicates, bad registrations, broken plugins, disabling, lookups."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from types import SimpleNamespace
from typing import Any

import pytest

import vidgen
import vidgen.plugins
from vidgen import ConfigError, PluginError
from vidgen.plugins import Registry, get_provider, get_registry, hookimpl, register_plugin
from vidgen.provider import Provider
from vidgen_openai import OpenAIProvider


class Alpha(Provider):
    name = "alpha"


class AlphaImpostor(Provider):
    name = "alpha"


class Beta(Provider):
    name = "beta"


def plugin(*registrations: tuple[str, Any]) -> SimpleNamespace:
    """A plugin object whose hook registers the given (name, class) pairs."""

    @hookimpl
    def vidgen_register_providers(registry: Registry) -> None:
        for name, cls in registrations:
            registry.add(name, cls)

    return SimpleNamespace(vidgen_register_providers=vidgen_register_providers)


def failures() -> dict[str, str]:
    return {f.plugin: f.error for f in get_registry().failures}


# -- the Registry ---------------------------------------------------------------------------------


def test_registry_add_and_lookup() -> None:
    registry = Registry()
    registry.add("beta", Beta)
    registry.add("alpha", Alpha)
    assert registry.names == ["alpha", "beta"]
    assert registry.get("alpha") is Alpha
    assert registry.get("gamma") is None
    assert "beta" in registry
    assert len(registry) == 2
    assert registry.failures == []


def test_registry_first_registration_wins() -> None:
    registry = Registry()
    registry.add("alpha", Alpha)
    registry.add("alpha", AlphaImpostor)
    assert registry.get("alpha") is Alpha
    (failure,) = registry.failures
    assert "provider name 'alpha' is already registered" in failure.error
    assert "the first registration is kept" in failure.error


def test_registry_refuses_what_is_not_a_provider_class() -> None:
    registry = Registry()
    registry.add("thing", dict)  # type: ignore[arg-type]
    registry.add("alpha", Alpha())  # type: ignore[arg-type]  # an instance, not a class
    assert len(registry) == 0
    assert [("not a Provider class" in f.error) for f in registry.failures] == [True, True]


def test_registry_refuses_a_name_mismatch() -> None:
    registry = Registry()
    registry.add("gamma", Beta)
    assert "gamma" not in registry
    (failure,) = registry.failures
    assert failure.error == "registered 'gamma' with Beta, whose name is 'beta'"


def test_plugin_failure_as_error() -> None:
    error = vidgen.plugins.PluginFailure("mine", "failed to import: boom").as_error()
    assert isinstance(error, PluginError)
    assert error.plugin == "mine"
    assert str(error) == "plugin 'mine': failed to import: boom"


# -- loading ----------------------------------------------------------------------------------


def test_built_ins_come_through_the_entry_points() -> None:
    registry = get_registry()
    assert registry.get("openai") is OpenAIProvider
    assert registry.origin("openai") == "openai"
    assert registry.origin("openai-compatible") == "openai"
    assert "openai" in registry.plugins
    assert registry.failures == []


def test_duplicate_across_plugins_is_reported_against_the_second() -> None:
    register_plugin(plugin(("alpha", Alpha)), "first")
    register_plugin(plugin(("alpha", AlphaImpostor), ("beta", Beta)), "second")
    registry = get_registry()
    assert registry.get("alpha") is Alpha
    assert registry.origin("alpha") == "first"
    assert registry.get("beta") is Beta  # the rest of the second plugin still registers
    assert "already registered by plugin 'first'" in failures()["second"]


def test_plugin_cannot_take_a_built_in_name() -> None:
    class FakeOpenAI(Provider):
        name = "openai"

    register_plugin(plugin(("openai", FakeOpenAI)), "squatter")
    assert get_registry().get("openai") is OpenAIProvider
    assert "already registered by plugin 'openai'" in failures()["squatter"]


def test_plugin_that_raises_is_reported_by_name() -> None:
    @hookimpl
    def vidgen_register_providers(registry: Registry) -> None:
        raise RuntimeError("database of models unreachable")

    register_plugin(SimpleNamespace(vidgen_register_providers=vidgen_register_providers), "flaky")
    register_plugin(plugin(("beta", Beta)), "steady")
    error = failures()["flaky"]
    assert error.startswith("failed in vidgen_register_providers: RuntimeError: database")
    assert "test_registry.py:" in error  # where it happened
    registry = get_registry()
    assert registry.get("beta") is Beta
    assert registry.get("openai") is OpenAIProvider


def test_misspelt_hook_is_reported() -> None:
    @hookimpl
    def vidgen_register_provider(registry: Registry) -> None:  # missing the "s"
        registry.add("alpha", Alpha)

    register_plugin(SimpleNamespace(vidgen_register_provider=vidgen_register_provider), "typo")
    registry = get_registry()
    assert "unknown hook" in failures()["typo"]
    assert "vidgen_register_provider" in failures()["typo"]
    assert "typo" not in registry.plugins
    assert "alpha" not in registry
    assert registry.get("openai") is OpenAIProvider


def test_every_misspelt_hook_is_reported() -> None:
    @hookimpl
    def vidgen_register_provider(registry: Registry) -> None:
        pass

    @hookimpl
    def vidgen_registers_providers(registry: Registry) -> None:
        pass

    register_plugin(SimpleNamespace(vidgen_register_provider=vidgen_register_provider), "one")
    register_plugin(SimpleNamespace(vidgen_registers_providers=vidgen_registers_providers), "two")
    found = failures()
    assert "unknown hook" in found["one"]
    assert "unknown hook" in found["two"]
    assert {"one", "two"}.isdisjoint(get_registry().plugins)


def test_broken_entry_point_is_reported_and_others_load(monkeypatch: pytest.MonkeyPatch) -> None:
    real = vidgen.plugins.entry_points

    def with_a_broken_one(*, group: str) -> list[EntryPoint]:
        broken = EntryPoint(name="broken", value="vidgen_no_such_module_x.plugin", group=group)
        return [*real(group=group), broken]

    monkeypatch.setattr(vidgen.plugins, "entry_points", with_a_broken_one)
    vidgen.plugins.reset()
    registry = get_registry()
    assert failures()["broken"].startswith(
        "failed to import: ModuleNotFoundError: No module named 'vidgen_no_such_module_x'"
    )
    assert registry.get("openai") is OpenAIProvider
    assert "broken" not in registry.plugins
    # Asking for the broken plugin's provider raises its failure, not "unknown".
    with pytest.raises(PluginError, match="plugin 'broken': failed to import") as info:
        get_provider("broken")
    assert info.value.plugin == "broken"


def test_an_entry_point_found_twice_loads_once(monkeypatch: pytest.MonkeyPatch) -> None:
    real = vidgen.plugins.entry_points
    monkeypatch.setattr(
        vidgen.plugins, "entry_points", lambda *, group: [*real(group=group), *real(group=group)]
    )
    vidgen.plugins.reset()
    assert get_registry().failures == []
    assert get_registry().plugins.count("openai") == 1


def test_disable_plugins_hides_the_built_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIDGEN_DISABLE_PLUGINS", " openai ,somethingelse")
    registry = get_registry()
    assert "openai" not in registry
    assert "openai-compatible" not in registry
    assert "openai" in registry.disabled
    assert "openai" not in registry.plugins
    with pytest.raises(ConfigError, match="disabled by VIDGEN_DISABLE_PLUGINS"):
        get_provider("openai")


def test_disable_plugins_applies_to_registered_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIDGEN_DISABLE_PLUGINS", "mine")
    register_plugin(plugin(("alpha", Alpha)), "mine")
    assert "alpha" not in get_registry()


def test_register_plugin_rebuilds_and_reset_forgets() -> None:
    assert "alpha" not in get_registry()
    register_plugin(plugin(("alpha", Alpha)), "mine")
    assert get_registry().get("alpha") is Alpha
    vidgen.plugins.reset()
    assert "alpha" not in get_registry()


# -- get_provider -------------------------------------------------------------------------------


def test_unknown_provider_lists_the_installed_ones() -> None:
    with pytest.raises(ConfigError) as info:
        get_provider("sora")
    message = str(info.value)
    assert message.startswith("unknown provider 'sora'; installed providers: ")
    installed = message.split("installed providers: ")[1].split(", ")
    assert "openai" in installed
    assert "openai-compatible" in installed
    assert installed == sorted(installed)


def test_unknown_provider_mentions_failed_plugins() -> None:
    register_plugin(
        SimpleNamespace(vidgen_register_providers=hookimpl(lambda registry: 1 / 0)), "x"
    )
    with pytest.raises(ConfigError, match="some plugins failed to load: run `vidgen providers`"):
        get_provider("sora")


def test_unknown_setting_lists_the_accepted_ones() -> None:
    with pytest.raises(ConfigError) as info:
        get_provider("openai", api_key="sk-1", colour="red", size="big")
    message = str(info.value)
    assert message.startswith("openai: unknown setting(s) colour, size; it accepts ")
    accepted = message.split("it accepts ")[1].split(", ")
    for name in ("organization", "project", "api_key", "api_key_env", "base_url", "models"):
        assert name in accepted
    assert "sk-1" not in message


def test_provider_settings_follow_the_class_hierarchy() -> None:
    settings = vidgen.plugins.provider_settings(OpenAIProvider)
    assert settings[:2] == ["organization", "project"]
    assert {"api_key", "api_key_env", "base_url", "models", "profile"} <= set(settings)
    assert vidgen.plugins.provider_settings(Alpha) == [
        "api_key",
        "api_key_env",
        "base_url",
        "models",
        "profile",
        "allow_private_outputs",
    ]


def test_invalid_setting_value_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"base_url 'relay\.example\.com' is not an http"):
        get_provider("openai", base_url="relay.example.com")
    with pytest.raises(ConfigError, match="openai-compatible needs base_url"):
        get_provider("openai-compatible")


def test_get_provider_passes_settings() -> None:
    provider = get_provider("openai", api_key="sk-abc", base_url="https://proxy.example.com/v1/")
    assert isinstance(provider, OpenAIProvider)
    assert provider.base_url == "https://proxy.example.com/v1"
    assert "sk-abc" not in repr(provider)
