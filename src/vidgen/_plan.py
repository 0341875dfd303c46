"""The plan: a request fitted and priced once, for every place it may go, then carried out.

`Client.plan` builds a `Plan`; `Client.submit` and `Client.generate` carry it out without
fitting or pricing anything again, so what the command line shows is what is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Literal

import attrs

from ._budget import Budget, check_daily, check_job_cost
from ._exceptions import BudgetExceeded, ModelRetired, UnsupportedRequest, VidgenError
from ._public import public
from ._request import Fitted, Quote, VideoRequest
from ._targets import Strategy, Target
from .provider import Provider

__all__ = ["Attempt", "Plan", "Refusal", "fit_and_quote", "make_plan"]

#: Why a candidate cannot take a request.
RefusalKind = Literal["unsupported", "retired", "budget"]
#: The fit policies: refuse what the model cannot do, or adjust to the nearest it can.
FitPolicy = Literal["strict", "nearest"]


@public
@attrs.frozen(kw_only=True)
class Attempt:
    """One place a submit may go: the provider (and profile), the fitted request, its price.

    Attributes:
        provider: the provider's registered name.
        profile: the config profile, or None for a provider used directly.
        fitted: exactly what will be sent.
        quote: what it will cost.
        max_job_cost: the per-job limit it was checked against, if any.
    """

    provider: str
    profile: str | None
    fitted: Fitted
    quote: Quote
    max_job_cost: Decimal | None = None

    @property
    def label(self) -> str:
        """The profile's name, or the provider's when there is no profile."""
        return self.profile or self.provider

    def describe(self) -> str:
        """One line for people: where, which model, how long, what size, what price."""
        fitted = self.fitted
        return f"{self.label} {fitted.model}, {fitted.seconds} s {fitted.size}: {self.quote}"


@public
@attrs.frozen(kw_only=True)
class Refusal:
    """A candidate that cannot take the request, and why."""

    provider: str
    profile: str | None
    kind: RefusalKind
    reason: str

    @property
    def label(self) -> str:
        """The profile's name, or the provider's when there is no profile."""
        return self.profile or self.provider


@public
@attrs.frozen(kw_only=True)
class Plan:
    """A request fitted and priced once, ready to be carried out by a client.

    Attributes:
        request: the request as asked.
        attempts: where the submit may go, in order: the first is tried first; a route
            moves to the next only when a candidate certainly did not take the job.
        strategy: ``single``, or a route's ``cheapest`` or ``in_order``.
        refusals: the candidates that cannot take it, and why.
        budget: the daily limit it was checked against (per-job limits are on each attempt).
        made_at: when the plan was made (the client's clock).
        warnings: what the first attempt changes or is worth knowing, and which route
            candidates were left out.
    """

    request: VideoRequest
    attempts: tuple[Attempt, ...]
    strategy: Strategy = "single"
    refusals: tuple[Refusal, ...] = ()
    budget: Budget
    made_at: dt.datetime
    warnings: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not self.attempts:
            raise ValueError("a Plan needs at least one attempt")

    @property
    def first(self) -> Attempt:
        """The attempt that is tried first."""
        return self.attempts[0]

    @property
    def fitted(self) -> Fitted:
        """The first attempt's fitted request."""
        return self.first.fitted

    @property
    def quote(self) -> Quote:
        """The first attempt's price."""
        return self.first.quote


def currency_order(currencies: Iterable[str | None]) -> dict[str, int]:
    """Rank of each currency of the priced items given: the most used first, then by name.

    Prices in different currencies are never compared by amount (vidgen keeps no
    exchange rates): a list is sorted by this rank first, then by amount.
    """
    counts: dict[str, int] = {}
    for currency in currencies:
        counts[currency or ""] = counts.get(currency or "", 0) + 1
    ranked = sorted(counts, key=lambda c: (-counts[c], c != "USD", c))
    return {currency: rank for rank, currency in enumerate(ranked)}


def priced_currencies(quotes: Iterable[Quote | None]) -> list[str | None]:
    """The currencies of the quotes that have an amount (for `currency_order`)."""
    return [q.currency for q in quotes if q is not None and q.amount is not None]


def price_key(quote: Quote | None, order: dict[str, int]) -> tuple[int, int, Decimal]:
    """Sort key: priced before unknown, by currency rank, then by amount."""
    if quote is None or quote.amount is None:
        return (1, 0, Decimal(0))
    return (0, order.get(quote.currency or "", len(order)), quote.amount)


def fit_and_quote(
    provider: Provider,
    request: VideoRequest,
    *,
    policy: FitPolicy,
    allow_retired: bool,
    today: dt.date,
    max_job_cost: Decimal | None = None,
) -> Attempt:
    """Fit and price ``request`` on one provider, within its per-job limit. No HTTP.

    Raises:
        UnsupportedRequest, ModelRetired, BudgetExceeded: it cannot take the request.
    """
    fitted = provider.fit(request, policy=policy, allow_retired=allow_retired, today=today)
    quote = provider.quote(fitted)
    check_job_cost(fitted, quote, max_job_cost)
    return Attempt(
        provider=provider.name,
        profile=provider.profile,
        fitted=fitted,
        quote=quote,
        max_job_cost=max_job_cost,
    )


def _kind(error: VidgenError) -> RefusalKind:
    if isinstance(error, BudgetExceeded):
        return "budget"
    if isinstance(error, ModelRetired):
        return "retired"
    return "unsupported"


def make_plan(
    targets: Sequence[Target],
    request: VideoRequest,
    *,
    strategy: Strategy,
    policy: FitPolicy,
    allow_retired: bool,
    made_at: dt.datetime,
    max_daily_spend: Decimal | None = None,
    committed_today: Decimal | None = None,
) -> Plan:
    """Fit and price ``request`` on every target; order what can take it. No HTTP.

    With one target its refusal is raised as it is; a route raises only when no
    candidate can take the request. ``cheapest`` orders by price (unknown prices last);
    ``in_order`` keeps the configured order.

    Raises:
        UnsupportedRequest, ModelRetired, BudgetExceeded: nothing can take it.
    """
    today = made_at.date()
    committed = committed_today if committed_today is not None else Decimal(0)
    attempts: list[Attempt] = []
    refusals: list[tuple[Refusal, VidgenError]] = []
    for target in targets:
        provider = target.provider
        try:
            attempt = fit_and_quote(
                provider,
                request,
                policy=policy,
                allow_retired=allow_retired,
                today=today,
                max_job_cost=target.max_job_cost,
            )
            check_daily(attempt.quote, committed, max_daily_spend)
        except (UnsupportedRequest, ModelRetired, BudgetExceeded) as exc:
            if len(targets) == 1:
                raise
            refusal = Refusal(
                provider=provider.name, profile=provider.profile, kind=_kind(exc), reason=str(exc)
            )
            refusals.append((refusal, exc))
            continue
        attempts.append(attempt)
    if not attempts:
        summary = "; ".join(f"{r.label}: {exc}" for r, exc in refusals)
        if all(r.kind == "budget" for r, _ in refusals):
            raise BudgetExceeded(f"every candidate of this route is over budget: {summary}")
        raise UnsupportedRequest(
            f"no candidate of this route can serve the request: {summary}",
            param="route",
            supported=[r.label for r, _ in refusals],
        )
    mixed: list[str] = []
    if strategy == "cheapest":
        order = currency_order(priced_currencies(a.quote for a in attempts))
        attempts.sort(key=lambda a: price_key(a.quote, order))
        if len(order) > 1:
            mixed.append(
                f"prices are in {', '.join(order)}; vidgen does not convert currencies, so "
                f"{next(iter(order))} candidates are tried first, each currency cheapest first"
            )
    warnings = list(attempts[0].fitted.warnings) + mixed
    warnings += [f"{r.label} left out: {r.reason}" for r, _ in refusals]
    return Plan(
        request=request,
        attempts=tuple(attempts),
        strategy=strategy,
        refusals=tuple(r for r, _ in refusals),
        budget=Budget(
            day=today,
            max_daily_spend=max_daily_spend,
            committed_today=committed_today if max_daily_spend is not None else None,
        ),
        made_at=made_at,
        warnings=tuple(warnings),
    )
