"""``vidgen quote`` (and its alias ``compare``): prices, with no key and no network."""

from __future__ import annotations

from typing import Any, NoReturn

import click

from .. import _serialize
from .._compare import compare, offer_sources, provider_offers, sort_offers
from .._exceptions import UnsupportedRequest, VidgenError
from .._plan import FitPolicy
from ..provider import Provider
from ._context import clock, echo_json
from ._options import build_client, build_request, request_options
from ._render import console, offers_table, print_sources, print_table

__all__ = ["quote"]


@click.command()
@click.argument("prompt", required=False, default="(price check)")
@request_options
@click.option("--profile", "-p", help="Quote only this profile.")
@click.option("--provider", help="Quote only this provider.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--all", "show_all", is_flag=True, help="Include retired models and refusals.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def quote(
    prompt: str,
    profile: str | None,
    provider: str | None,
    config_path: str | None,
    show_all: bool,
    as_json: bool,
    policy: str | None,
    **fields: Any,
) -> None:
    """Price a request on every provider and profile (no key, no network needed)."""
    request = build_request(prompt, **fields)
    fit_policy: FitPolicy = "strict" if policy == "strict" else "nearest"
    scope: list[Provider] | None = None
    if profile or provider:
        with build_client(profile, provider, config_path) as client:
            scope = client.providers
            offers = sort_offers(
                [
                    offer
                    for target in client.providers
                    for offer in provider_offers(
                        target,
                        request,
                        policy=fit_policy,
                        include_retired=show_all,
                        clock=clock(),
                    )
                ]
            )
    else:
        offers = compare(
            request,
            policy=fit_policy,
            include_retired=show_all,
            config=config_path,
            clock=clock(),
        )
    if request.model and not any(o.model != "-" for o in offers):
        _no_such_model(request.model, scope, config_path)
    if as_json:
        echo_json([_serialize.offer_to_dict(o) for o in offers])
        return
    title = f"Quotes for {request.duration or 'default'} s"
    if request.aspect:
        title += f" {request.aspect}"
    if request.resolution:
        title += f" {request.resolution}"
    title += f" (policy {fit_policy}; cheapest first)"
    if not offers:
        console.print("No provider or profile is installed or configured.")
        return
    table, sources = offers_table(offers, title=title, show_all=show_all)
    print_table(table)
    print_sources(sources)
    if not show_all and any(not o.available for o in offers):
        console.print(
            "Rows without a price cannot serve this request as asked: --all shows every "
            "model, prices retired ones and gives each refusal's reason."
        )


def _no_such_model(model: str, scope: list[Provider] | None, config_path: str | None) -> NoReturn:
    """Nobody offers ``model``: say so, with some ids that do exist."""
    if scope is None:
        providers = [provider for provider, _ in offer_sources(config_path)[0]]
        nobody = f"no installed provider or configured profile offers model {model!r}"
    else:
        providers = scope
        nobody = f"{' or '.join(p.profile or p.name for p in scope)} has no model {model!r}"
    known: list[str] = []
    for provider in providers:
        try:
            known += [i for i in provider.catalog.ids if i not in known]
        except VidgenError:
            continue
    listed = ", ".join(known[:8]) + (", ..." if len(known) > 8 else "")
    raise UnsupportedRequest(
        f"{nobody}; models there: {listed or 'none'} (`vidgen models` lists every model "
        "with its provider)",
        param="model",
        value=model,
        supported=known,
    )
