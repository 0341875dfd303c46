"""``vidgen quote`` (and its alias ``compare``): prices, with no key and no network."""

from __future__ import annotations

from typing import Any, NoReturn

import click
from rich.markup import escape

from .. import _serialize
from .._compare import compare, offer_sources, provider_offers, sort_offers
from .._exceptions import UnsupportedRequest, VidgenError
from .._plan import FitPolicy
from ..provider import Provider
from ._context import clock, echo_json
from ._options import build_client, build_request, request_options
from ._render import console, offers_table, print_sources, print_table

__all__ = ["prices", "quote"]


@click.command()
@click.argument("prompt", required=False, default="(price check)")
@request_options
@click.option("--profile", "-p", help="Quote only this profile.")
@click.option("--provider", help="Quote only this provider.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--all", "show_all", is_flag=True, help="Include retired models and refusals.")
@click.option(
    "--storyboard",
    "storyboard_file",
    type=click.Path(dir_okay=False),
    help="Price a whole storyboard file, shot by shot, on every provider.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def quote(
    prompt: str,
    profile: str | None,
    provider: str | None,
    config_path: str | None,
    show_all: bool,
    storyboard_file: str | None,
    as_json: bool,
    policy: str | None,
    **fields: Any,
) -> None:
    """Price a request on every provider and profile (no key, no network needed)."""
    fit_policy: FitPolicy = "strict" if policy == "strict" else "nearest"
    if storyboard_file is not None:
        _quote_storyboard(
            storyboard_file, profile, provider, config_path, fit_policy, show_all, as_json
        )
        return
    request = build_request(prompt, **fields)
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


def _quote_storyboard(
    file: str,
    profile: str | None,
    provider: str | None,
    config_path: str | None,
    policy: FitPolicy,
    show_all: bool,
    as_json: bool,
) -> None:
    """A storyboard priced shot by shot where it would go, and compared across providers."""
    from rich.table import Table

    from .._compare import compare_storyboard, storyboard_offer
    from .._storyboard import Storyboard

    board = Storyboard.from_toml(file)
    where = (profile, provider) if profile or provider else (board.profile, board.provider)
    chosen = None
    if where != (None, None):
        with build_client(where[0], where[1], config_path) as client:
            chosen = storyboard_offer(
                client.provider, board, policy=policy, include_retired=show_all, today=_today()
            )
    offers = compare_storyboard(
        board, policy=policy, include_retired=show_all, config=config_path, clock=clock()
    )
    if as_json:
        echo_json(
            {
                "storyboard": file,
                "chosen": _film_offer_dict(chosen) if chosen else None,
                "offers": [_film_offer_dict(o) for o in offers],
            }
        )
        return
    if chosen is not None:
        table = Table(title=f"{file}: {len(board.shots)} shots on {chosen.label}")
        for column in ("shot", "model", "sent", "price", "notes"):
            table.add_column(column, no_wrap=column != "notes")
        for number, shot in enumerate(chosen.shots, 1):
            fitted, price = shot.fitted, shot.quote
            table.add_row(
                str(number),
                shot.model,
                f"{fitted.seconds} s {fitted.size}" if fitted else "-",
                price.format_amount() if price else "-",
                escape(shot.reason or "; ".join(fitted.warnings if fitted else ())),
            )
        print_table(table)
        console.print(f"film on {chosen.label}: {_money(chosen.total, chosen.currency)}")
    shown = [o for o in offers if o.available or show_all]
    hidden = len(offers) - len([o for o in offers if o.available])
    alone = not any(o.available and o.label != chosen.label for o in offers) if chosen else False
    if chosen is not None and alone and not show_all:
        console.print(
            "no other provider can render every shot as written (its model is "
            f"{chosen.label}'s own); name a model family such as veo-3.1-fast to compare, "
            "or --all for each provider's reason"
        )
        return
    table = Table(title=f"{file}: the whole film on each provider (cheapest first)")
    for column in ("provider", "total", "shots", "notes"):
        table.add_column(column, no_wrap=column != "notes")
    for offer in shown:
        total = (
            (
                f"${offer.total:.2f}"
                if offer.currency == "USD"
                else f"{offer.total} {offer.currency}"
            )
            if offer.total is not None
            else "unknown"
        )
        models = ", ".join(dict.fromkeys(o.model for o in offer.shots))
        table.add_row(offer.label, total, models, escape(offer.reason or ""))
    print_table(table)
    if hidden and not show_all:
        console.print(f"{hidden} provider(s) cannot render every shot as asked: --all shows why.")


def _money(amount: Any, currency: str | None) -> str:
    if amount is None:
        return "unknown"
    return f"${amount:.2f}" if currency in ("USD", None) else f"{amount:.2f} {currency}"


def _today() -> Any:
    from .._clock import today

    return today(clock())


def _film_offer_dict(offer: Any) -> dict[str, Any]:
    return {
        "provider": offer.provider,
        "profile": offer.profile,
        "total": str(offer.total) if offer.total is not None else None,
        "currency": offer.currency,
        "reason": offer.reason,
        "shots": [_serialize.offer_to_dict(o) for o in offer.shots],
    }


@click.group()
def prices() -> None:
    """Keep the catalog's prices up to date from vendors that publish them."""


@prices.command()
@click.argument("provider_name", metavar="PROVIDER")
@click.option("--profile", "-p", help="Refresh for this profile's endpoint instead.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
def refresh(provider_name: str, profile: str | None, config_path: str | None) -> None:
    """Fetch PROVIDER's own models and prices and keep them as a dated overlay.

    Quotes then cite the vendor's answer and the fetch date; offline, or for a vendor that
    publishes no machine-readable prices, the shipped catalog stands. Nothing is billed.
    """
    with build_client(profile, None if profile else provider_name, config_path) as client:
        path = client.refresh_catalog()
        count = len(client.provider.catalog.models)
    click.echo(str(path))
    console.print(
        f"{client.provider.name}: {count} models now priced from its own answer "
        f"(kept in {escape(str(path))}); `vidgen quote` uses them"
    )
