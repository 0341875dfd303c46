"""The catalog and set-up: ``models``, ``providers`` and ``config``."""

from __future__ import annotations

import click

from .. import _serialize
from .._clock import today as today_on
from .._compare import offer_sources
from .._config import CONFIG_ENV, find_config, load_config
from .._exceptions import ConfigError, VidgenError
from ..plugins import get_provider, get_registry
from ..provider import Provider
from ._context import clock, echo_json
from ._render import console, models_table, print_sources, providers_table

__all__ = ["config", "models", "providers"]


@click.command()
@click.option("--provider", help="Only this provider.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def models(provider: str | None, config_path: str | None, as_json: bool) -> None:
    """The catalog: models, durations, sizes, prices with sources, and lifecycle."""
    providers_found, broken = offer_sources(config_path)
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
    console.print(table)
    print_sources(sources)


@click.command()
def providers() -> None:
    """Installed providers, the plugins that brought them, and plugins that failed."""
    registry = get_registry()
    instances: dict[str, Provider | None] = {}
    for name in registry.names:
        try:
            instances[name] = get_provider(name)
        except VidgenError:
            instances[name] = None
    console.print(providers_table(registry, instances))
    for name in registry.names:
        click.echo(name)
    for failure in registry.failures:
        console.print(f"[red]plugin {failure.plugin!r} failed:[/red] {failure.error}")
    if registry.disabled:
        console.print(f"disabled by VIDGEN_DISABLE_PLUGINS: {', '.join(registry.disabled)}")


@click.command()
def config() -> None:
    """Where the config file is, and its profiles."""
    path = find_config()
    if path is None:
        console.print(
            f"No config file. vidgen looks at ${CONFIG_ENV}, ./vidgen.toml, then the user config "
            "folder. See docs/quickstart.md for an example."
        )
        return
    loaded = load_config(path)
    click.echo(str(path))
    for name, profile in sorted(loaded.profiles.items()):
        mark = " (default)" if name == loaded.default_profile else ""
        key = profile.settings.get("api_key_env", "-")
        console.print(f"  {name}{mark}: provider {profile.provider}, key from {key}")
