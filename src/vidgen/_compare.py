"""Comparing one request across every provider and profile, before anything is spent."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import attrs

from ._catalog import ModelSpec
from ._clock import Clock, system_clock
from ._clock import today as today_on
from ._config import ROUTE, Config, load_config
from ._exceptions import ModelRetired, UnsupportedRequest, VidgenError
from ._plan import FitPolicy, currency_order, fit_and_quote, price_key, priced_currencies
from ._public import public
from ._request import Fitted, Offer, Quote, VideoRequest
from ._storyboard import Storyboard
from .plugins import get_provider, get_registry
from .provider import Provider

__all__ = [
    "StoryboardOffer",
    "compare",
    "compare_storyboard",
    "offer_sources",
    "provider_offers",
    "sort_offers",
    "storyboard_offer",
]


def offer_sources(
    config: Config | str | os.PathLike[str] | None = None,
    *,
    everything: bool = False,
) -> tuple[list[tuple[Provider, str | None]], list[Offer]]:
    """Every configured profile, then every registered provider no profile uses.

    Providers that keep out of comparisons (the sandbox) come only with ``everything``.

    Returns:
        The providers with their profile names, and an `Offer` with a reason for each
        profile that could not be set up.
    """
    loaded = config if isinstance(config, Config) else load_config(config)
    sources: list[tuple[Provider, str | None]] = []
    broken: list[Offer] = []
    used: set[str] = set()
    for profile in loaded.profiles.values():
        if profile.provider == ROUTE:
            continue  # a route only chooses among the profiles and providers listed here
        used.add(profile.provider)
        try:
            provider = get_provider(profile.provider, profile=profile.name, **profile.settings)
        except VidgenError as exc:
            broken.append(
                Offer(
                    provider=profile.provider,
                    profile=profile.name,
                    model="-",
                    fitted=None,
                    quote=None,
                    reason=str(exc),
                )
            )
            continue
        sources.append((provider, profile.name))
    registry = get_registry()
    for name in registry.names:
        cls = registry.get(name)
        if name in used or (cls is not None and not cls.in_compare and not everything):
            continue
        try:
            provider = get_provider(name)
        except VidgenError:
            continue  # needs settings (a base_url, say) that only a profile can give
        sources.append((provider, None))
    return sources, broken


def sort_offers(offers: list[Offer]) -> list[Offer]:
    """Priced offers cheapest first, then unknown prices, then refusals, then retired.

    Amounts in different currencies are not compared: priced offers are grouped by
    currency (the most used first), each group cheapest first.
    """
    order = currency_order(priced_currencies(o.quote for o in offers if o.available))
    return sorted(offers, key=lambda offer: _sort_key(offer, order))


def _sort_key(offer: Offer, order: dict[str, int]) -> tuple[int, int, int, Decimal, str, str]:
    if not offer.available:
        rank = 3 if offer.retired else 2
    elif offer.quote is None or offer.quote.amount is None:
        rank = 1
    else:
        rank = 0
    _, currency, amount = price_key(offer.quote if offer.available else None, order)
    return (rank, int(offer.retired), currency, amount, offer.label, offer.model)


def compare(
    request: VideoRequest,
    *,
    policy: FitPolicy = "nearest",
    include_retired: bool = False,
    config: Config | str | os.PathLike[str] | None = None,
    today: dt.date | None = None,
    clock: Clock | None = None,
) -> list[Offer]:
    """Fit and price ``request`` on every provider/profile and model. No HTTP, no key.

    Args:
        request: the neutral request. With ``request.model`` set, only that model is
            compared (on every provider that offers it).
        policy: the fit policy (``"nearest"`` shows what each would adjust).
        include_retired: price retired models too (flagged ``retired``); otherwise they
            come back unavailable, with the retirement as the reason.
        config: a `Config` or a config path (default: the usual search).
        today: the date lifecycle data is checked against (default: the clock's day).
        clock: the time source (default ``time.time``).

    Returns:
        One `Offer` per provider/profile and model: the priced ones cheapest first,
        then unknown prices, then those that cannot serve the request (with ``reason``),
        then retired ones.
    """
    today = today or today_on(clock or system_clock)
    sources, offers = offer_sources(config)
    for provider, _ in sources:
        offers.extend(
            provider_offers(
                provider, request, policy=policy, include_retired=include_retired, today=today
            )
        )
    return sort_offers(offers)


def provider_offers(
    provider: Provider,
    request: VideoRequest,
    *,
    policy: FitPolicy = "nearest",
    include_retired: bool = False,
    today: dt.date | None = None,
    clock: Clock | None = None,
) -> list[Offer]:
    """The offers of one provider (or profile): one per model, cheapest first.

    Takes the same arguments as `compare`, for a single provider instance.
    """
    today = today or today_on(clock or system_clock)
    profile = provider.profile
    try:
        catalog = provider.catalog
    except VidgenError as exc:
        return [
            Offer(
                provider=provider.name,
                profile=profile,
                model="-",
                fitted=None,
                quote=None,
                reason=str(exc),
            )
        ]
    if request.model:
        spec = catalog.get(request.model)
        specs = [spec] if spec is not None else []
    else:
        specs = list(catalog.models)
    offers = []
    for spec in specs:

        def offer(
            fitted: Fitted | None, quote: Quote | None, reason: str | None, spec: ModelSpec = spec
        ) -> Offer:
            return Offer(
                provider=provider.name,
                profile=profile,
                model=spec.id,
                fitted=fitted,
                quote=quote,
                reason=reason,
                retired=spec.is_retired(today),
                retired_on=spec.lifecycle.retired_on,
                lifecycle=spec.lifecycle,
            )

        asked = request if request.model else attrs.evolve(request, model=spec.id)
        try:
            attempt = fit_and_quote(
                provider, asked, policy=policy, allow_retired=include_retired, today=today
            )
        except (UnsupportedRequest, ModelRetired) as exc:
            offers.append(offer(None, None, str(exc)))
            continue
        offers.append(offer(attempt.fitted, attempt.quote, None))
    return sort_offers(offers)


@public
@attrs.frozen(kw_only=True)
class StoryboardOffer:
    """What a whole storyboard would cost on one provider or profile.

    Attributes:
        provider, profile: where every shot would go.
        shots: one `Offer` per shot, in order.
        total: the film's price, or None when a shot's price is unknown or it cannot be
            served.
        currency: of ``total``.
        reason: why it cannot serve the film (the first shot it cannot serve), if so.
    """

    provider: str
    profile: str | None
    shots: tuple[Offer, ...]
    total: Decimal | None
    currency: str | None
    reason: str | None = None

    @property
    def label(self) -> str:
        """The profile's name, or the provider's when there is no profile."""
        return self.profile or self.provider

    @property
    def available(self) -> bool:
        """True when every shot can be served."""
        return self.reason is None


def storyboard_offer(
    provider: Provider,
    storyboard: Storyboard,
    *,
    policy: FitPolicy = "nearest",
    include_retired: bool = False,
    today: dt.date,
) -> StoryboardOffer:
    """The price of every shot of ``storyboard`` on one provider (or profile). No HTTP."""
    offers: list[Offer] = []
    reason = None
    total: Decimal | None = Decimal(0)
    currency = None
    for index in range(len(storyboard.shots)):
        request = storyboard.request_for(index)
        try:
            attempt = fit_and_quote(
                provider, request, policy=policy, allow_retired=include_retired, today=today
            )
        except (UnsupportedRequest, ModelRetired) as exc:
            reason = reason or f"shot {index + 1}: {exc}"
            offers.append(
                Offer(
                    provider=provider.name,
                    profile=provider.profile,
                    model=request.model or "-",
                    fitted=None,
                    quote=None,
                    reason=str(exc),
                )
            )
            total = None
            continue
        offers.append(
            Offer(
                provider=provider.name,
                profile=provider.profile,
                model=attempt.fitted.model,
                fitted=attempt.fitted,
                quote=attempt.quote,
            )
        )
        amount = attempt.quote.amount
        if total is not None and amount is not None and currency in (None, attempt.quote.currency):
            total += amount
            currency = attempt.quote.currency
        else:
            total = None
    return StoryboardOffer(
        provider=provider.name,
        profile=provider.profile,
        shots=tuple(offers),
        total=total if reason is None else None,
        currency=currency,
        reason=reason,
    )


def compare_storyboard(
    storyboard: Storyboard,
    *,
    policy: FitPolicy = "nearest",
    include_retired: bool = False,
    config: Config | str | os.PathLike[str] | None = None,
    clock: Clock | None = None,
) -> list[StoryboardOffer]:
    """The whole storyboard priced on every provider and profile, cheapest first. No HTTP.

    Each source renders every shot (a shot's own model must exist there); shots that
    name another provider or profile are priced where they say only by `Client.plan`.
    """
    today = today_on(clock or system_clock)
    sources, _ = offer_sources(config)
    offers = [
        storyboard_offer(
            provider, storyboard, policy=policy, include_retired=include_retired, today=today
        )
        for provider, _ in sources
    ]
    order = currency_order(o.currency for o in offers if o.available and o.total is not None)
    return sorted(
        offers,
        key=lambda o: (
            not o.available,
            o.total is None,
            order.get(o.currency or "", len(order)),
            o.total or Decimal(0),
            o.label,
        ),
    )
