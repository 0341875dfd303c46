"""The hooks a vidgen plugin may implement.

A plugin is a module (or object) listed under the ``vidgen`` entry-point group, whose
functions are marked with `vidgen.plugins.hookimpl`. Every hook is documented here and in
``docs/plugins.md``; a test fails when one is missing from either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .plugins import Registry

hookspec = pluggy.HookspecMarker("vidgen")


@hookspec
def vidgen_register_providers(registry: Registry) -> None:
    """Register provider classes.

    Called once, when vidgen first needs its providers. Call
    ``registry.add(name, ProviderClass)`` for each provider the plugin offers; a name that
    is already taken is reported as a `vidgen.PluginError` and the first registration wins.

    Args:
        registry: collects the providers.
    """
