"""Plugins: how providers are found, built-in and third-party alike.

Every provider, including the ones shipped with vidgen, comes from a plugin listed under
the ``vidgen`` entry-point group::

    [project.entry-points.vidgen]
    mine = "vidgen_mine.plugin"

whose module implements `vidgen.hookspecs.vidgen_register_providers`::

    from vidgen.plugins import hookimpl

    @hookimpl
    def vidgen_register_providers(registry):
        registry.add("mine", MyProvider)

``VIDGEN_DISABLE_PLUGINS=mine,other`` keeps named plugins from loading. A plugin that fails
to import or register is reported by name (``vidgen providers`` lists it) and the others
still load.
"""

from __future__ import annotations

import os
import threading
import traceback
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import Any

import attrs
import pluggy

from . import hookspecs
from ._exceptions import ConfigError, PluginError
from .provider import Provider

__all__ = [
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "PluginFailure",
    "Registry",
    "get_provider",
    "get_registry",
    "hookimpl",
    "provider_settings",
    "register_plugin",
    "reset",
]

ENTRY_POINT_GROUP = "vidgen"
"""The entry-point group plugins are listed under (``[project.entry-points.vidgen]``)."""
DISABLE_ENV = "VIDGEN_DISABLE_PLUGINS"
"""The environment variable naming plugins not to load, separated by commas."""

hookimpl = pluggy.HookimplMarker("vidgen")
"""Marks a plugin's function as the implementation of a hook (``@hookimpl``)."""


@attrs.frozen
class PluginFailure:
    """A plugin that could not be loaded or registered, and why."""

    plugin: str
    error: str

    def as_error(self) -> PluginError:
        """The failure as an exception."""
        return PluginError(f"plugin {self.plugin!r}: {self.error}", plugin=self.plugin)


class Registry:
    """The providers the plugins registered, by name, and what went wrong on the way."""

    def __init__(self) -> None:
        self._providers: dict[str, type[Provider]] = {}
        self._origins: dict[str, str] = {}
        self.failures: list[PluginFailure] = []
        self.plugins: list[str] = []
        self.disabled: list[str] = []
        self._current = "<direct>"

    def add(self, name: str, provider: type[Provider]) -> None:
        """Register ``provider`` under ``name``.

        A name that is taken, or a class that is not a `vidgen.provider.Provider`, is
        recorded as a failure of the registering plugin; the first registration wins.
        """
        plugin = self._current
        if not _is_provider_class(provider):
            self.failures.append(
                PluginFailure(
                    plugin, f"registered {name!r} with {provider!r}, not a Provider class"
                )
            )
            return
        if provider.name != name:
            self.failures.append(
                PluginFailure(
                    plugin,
                    f"registered {name!r} with {provider.__name__}, whose name is {provider.name!r}",
                )
            )
            return
        if name in self._providers:
            self.failures.append(
                PluginFailure(
                    plugin,
                    f"provider name {name!r} is already registered by plugin "
                    f"{self._origins[name]!r}; the first registration is kept",
                )
            )
            return
        self._providers[name] = provider
        self._origins[name] = plugin

    def get(self, name: str) -> type[Provider] | None:
        """The provider class registered as ``name``."""
        return self._providers.get(name)

    def origin(self, name: str) -> str | None:
        """The plugin that registered ``name``."""
        return self._origins.get(name)

    @property
    def names(self) -> list[str]:
        """The registered provider names, sorted."""
        return sorted(self._providers)

    def __contains__(self, name: object) -> bool:
        return name in self._providers

    def __len__(self) -> int:
        return len(self._providers)


def _is_provider_class(value: object) -> bool:
    # Plugins are other people's untyped code: check at run time what the types promise.
    return isinstance(value, type) and issubclass(value, Provider)


def _disabled_names() -> set[str]:
    return {part.strip() for part in os.environ.get(DISABLE_ENV, "").split(",") if part.strip()}


def _short_error(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


_lock = threading.Lock()
_registry: Registry | None = None
_extra_plugins: list[tuple[str, Any]] = []


def _build_registry(extra: Iterable[tuple[str, Any]]) -> Registry:
    registry = Registry()
    manager = pluggy.PluginManager("vidgen")
    manager.add_hookspecs(hookspecs)
    disabled = _disabled_names()
    seen: set[tuple[str, str]] = set()
    candidates: list[tuple[str, Any]] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if (ep.name, ep.value) in seen:
            continue  # the same distribution found twice on sys.path
        seen.add((ep.name, ep.value))
        if ep.name in disabled:
            registry.disabled.append(ep.name)
            continue
        try:
            candidates.append((ep.name, ep.load()))
        except Exception as exc:  # a broken plugin must not take the others down
            registry.failures.append(
                PluginFailure(ep.name, f"failed to import: {_short_error(exc)}")
            )
    candidates.extend((name, obj) for name, obj in extra if name not in disabled)
    for name, plugin in candidates:
        try:
            manager.register(plugin, name=name)
        except Exception as exc:
            registry.failures.append(PluginFailure(name, f"failed to register: {exc}"))
            continue
        registry.plugins.append(name)
    # check_pending stops at the first unknown hook: repeat until every culprit is out.
    while True:
        try:
            manager.check_pending()
        except pluggy.PluginValidationError as exc:
            culprit = getattr(exc, "plugin", None)
            name = str(manager.get_name(culprit)) if culprit is not None else "?"
            registry.failures.append(PluginFailure(str(name), f"unknown hook: {exc}"))
            if culprit is None:
                break
            manager.unregister(culprit)
            registry.plugins.remove(str(name))
            continue
        break
    # Each plugin's hook is called on its own so that one that raises is reported by name
    # while the others still register.
    for impl in manager.hook.vidgen_register_providers.get_hookimpls():
        registry._current = impl.plugin_name
        try:
            impl.function(registry=registry)
        except Exception as exc:
            registry.failures.append(
                PluginFailure(
                    impl.plugin_name, f"failed in vidgen_register_providers: {_short_error(exc)}"
                )
            )
    registry._current = "<direct>"
    return registry


def get_registry() -> Registry:
    """The registry, loading the plugins the first time it is asked for."""
    global _registry
    if _registry is None:
        with _lock:
            if _registry is None:
                _registry = _build_registry(_extra_plugins)
    return _registry


def register_plugin(plugin: Any, name: str) -> None:
    """Load a plugin object that is not installed as a package (tests, notebooks).

    The registry is rebuilt on next use.
    """
    global _registry
    with _lock:
        _extra_plugins.append((name, plugin))
        _registry = None


def reset() -> None:
    """Forget loaded plugins and any `register_plugin` ones; the next use loads afresh."""
    global _registry
    with _lock:
        _extra_plugins.clear()
        _registry = None


def provider_settings(cls: type[Provider]) -> list[str]:
    """The keyword settings a provider class accepts."""
    import inspect  # only needed here; keeps `import vidgen` light

    names: list[str] = []
    for klass in cls.__mro__:
        init = vars(klass).get("__init__")
        if init is None:
            continue
        params = inspect.signature(init).parameters.values()
        for param in params:
            keyword = param.kind in (param.KEYWORD_ONLY, param.POSITIONAL_OR_KEYWORD)
            if keyword and param.name != "self" and param.name not in names:
                names.append(param.name)
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
    return names


def get_provider(name: str, **settings: Any) -> Provider:
    """A provider instance by registered name.

    Args:
        name: the provider's name (``"openai"``, ``"openai-compatible"``, a plugin's name).
        **settings: its settings: ``api_key``, ``base_url``, ``api_key_env``, ``models``,
            and the provider's own (see ``vidgen providers``).

    Raises:
        ConfigError: the name is unknown, or a setting is unknown or invalid.
        PluginError: the plugin that should provide ``name`` failed to load.
    """
    registry = get_registry()
    cls = registry.get(name)
    if cls is None:
        for failure in registry.failures:
            if failure.plugin == name:
                raise failure.as_error()
        if name in registry.disabled:
            raise ConfigError(
                f"provider {name!r} comes from a plugin disabled by {DISABLE_ENV}; "
                f"remove it from {DISABLE_ENV} to use it"
            )
        known = ", ".join(registry.names) or "none"
        note = " (some plugins failed to load: run `vidgen providers`)" if registry.failures else ""
        if registry.disabled:
            note += f" (plugins disabled by {DISABLE_ENV}: {', '.join(registry.disabled)})"
        raise ConfigError(f"unknown provider {name!r}; installed providers: {known}{note}")
    accepted = provider_settings(cls)
    unknown = sorted(set(settings) - set(accepted))
    if unknown:
        raise ConfigError(
            f"{name}: unknown setting(s) {', '.join(unknown)}; it accepts {', '.join(accepted)}"
        )
    provider = cls(**settings)
    # Remembered so the ledger can rebuild this provider later (Provider.public_settings
    # drops the secrets); the profile is kept apart.
    provider._given_settings = {k: v for k, v in settings.items() if k != "profile"}
    return provider
