"""The catalog and set-up: ``models``, ``providers`` and ``config``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import _serialize
from .._clock import today as today_on
from .._compare import offer_sources
from .._config import CONFIG_ENV, Config, find_config, load_config
from .._exceptions import ConfigError, VidgenError
from ..plugins import Registry, get_provider, get_registry
from ..provider import Provider
from ._context import clock, echo_json
from ._render import console, models_table, print_sources, print_table, providers_table

__all__ = ["config", "models", "providers"]


@click.command()
@click.option("--provider", help="Only this provider.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def models(provider: str | None, config_path: str | None, as_json: bool) -> None:
    """The catalog: models, durations, sizes, prices with sources, and lifecycle."""
    providers_found, broken = offer_sources(config_path, everything=True)
    for offer in broken:
        console.print(f"[red]profile {offer.profile}:[/red] {offer.reason}")
    today = today_on(clock())
    rows = []
    retired: set[str] = set()
    for instance, profile in providers_found:
        if provider and instance.name != provider:
            continue
        where = profile or instance.name
        for spec in instance.catalog.models:
            rows.append((where, spec))
            if spec.is_retired(today):
                retired.add(f"{where}/{spec.id}")
    if provider and not rows and provider not in get_registry():
        raise ConfigError(
            f"unknown provider {provider!r}; installed: {', '.join(get_registry().names)}"
        )
    if as_json:
        echo_json([{"where": where, **_serialize.model_to_dict(spec)} for where, spec in rows])
        return
    table, sources = models_table(rows, today_retired=retired)
    print_table(table)
    print_sources(sources)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def providers(as_json: bool) -> None:
    """Installed providers, the plugins that brought them, and plugins that failed."""
    registry = get_registry()
    instances: dict[str, Provider | None] = {}
    for name in registry.names:
        try:
            instances[name] = get_provider(name)
        except VidgenError:
            instances[name] = None
    if as_json:
        echo_json(
            {
                "providers": [
                    _provider_dict(registry, name, instances[name]) for name in registry.names
                ],
                "failures": [
                    {"plugin": failure.plugin, "error": str(failure.error)}
                    for failure in registry.failures
                ],
                "disabled": list(registry.disabled),
            }
        )
        return
    print_table(providers_table(registry, instances))
    for name in registry.names:
        click.echo(name)
    for failure in registry.failures:
        console.print(f"[red]plugin {failure.plugin!r} failed:[/red] {failure.error}")
    if registry.disabled:
        console.print(f"disabled by VIDGEN_DISABLE_PLUGINS: {', '.join(registry.disabled)}")


def _provider_dict(registry: Registry, name: str, instance: Provider | None) -> dict[str, Any]:
    cls = registry.get(name)
    key_env = instance.key_env if instance is not None else getattr(cls, "api_key_env", None)
    return {
        "name": name,
        "plugin": registry.origin(name),
        "key_env": key_env,
        "has_key": instance.has_key if instance is not None else None,
        "base_url": instance.base_url if instance is not None else None,
        "models": list(instance.catalog.ids) if instance is not None else None,
        "needs_settings": instance is None,
    }


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help=f"Config file (default: ${CONFIG_ENV}, ./vidgen.toml, the user config folder).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def config(config_path: str | None, as_json: bool) -> None:
    """Where the config file is, its profiles, and the job ledger in use."""
    path = Path(config_path) if config_path is not None else find_config()
    if path is None:
        ledger = _ledger_in_use(None)
        if as_json:
            echo_json({"path": None, "default_profile": None, "profiles": [], "ledger": ledger})
            return
        console.print(
            f"No config file. vidgen looks at ${CONFIG_ENV}, ./vidgen.toml, then the user config "
            "folder. See docs/quickstart.md for an example."
        )
        console.print(f"ledger: {ledger}")
        return
    if not path.is_file():
        raise ConfigError(f"no config file at {path}; check the path given to --config")
    loaded = load_config(path)
    ledger = _ledger_in_use(loaded)
    if as_json:
        echo_json(
            {
                "path": str(path),
                "ledger": ledger,
                "default_profile": loaded.default_profile,
                "profiles": [
                    {
                        "name": name,
                        "provider": profile.provider,
                        "api_key_env": profile.settings.get("api_key_env"),
                        "default": name == loaded.default_profile,
                    }
                    for name, profile in sorted(loaded.profiles.items())
                ],
            }
        )
        return
    click.echo(str(path))
    for name, profile in sorted(loaded.profiles.items()):
        mark = " (default)" if name == loaded.default_profile else ""
        key = profile.settings.get("api_key_env", "-")
        console.print(f"  {name}{mark}: provider {profile.provider}, key from {key}")
    console.print(f"ledger: {ledger}")


def _ledger_in_use(loaded: Config | None) -> str:
    """The ledger the commands and clients would open (a URL without its password)."""
    from .._ledger import describe_location, ledger_location

    return describe_location(ledger_location(config=loaded or Config()))
