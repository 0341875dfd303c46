"""Tables and lines for people, on stderr (stdout carries the results: ids, paths, JSON)."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from .._catalog import ModelSpec, Price
from .._models import Job, JobStatus
from .._request import Offer
from ..plugins import Registry
from ..provider import Provider

if TYPE_CHECKING:
    from .._ledger import LedgerEntry
    from .._spend import JobCost, SpendRow


def _width() -> int | None:
    # Rich assumes 80 columns when stderr is not a terminal (a pipe, a CI log): too narrow
    # for a price table with sources. $COLUMNS still wins.
    if os.environ.get("COLUMNS") or sys.stderr.isatty():
        return None
    return 150


console = Console(stderr=True, highlight=False, soft_wrap=False, width=_width())

_CODE = re.compile(r"`([^`\n]+)`")


def readable(message: str) -> str:
    """A message for the terminal: ```vidgen resume``` quoted as ``'vidgen resume'``.

    Messages name commands and arguments in backticks (they read well in code, logs and
    docs); in a terminal the quotes git and pip use read better than literal backticks.
    """
    return _CODE.sub(r"'\1'", message)


def _money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None:
        return "unknown"
    if currency == "USD":
        return f"${amount:.2f}"
    return f"{amount:.2f} {currency or ''}".strip()


def _unit(price: Decimal | None, currency: str | None, unit: str) -> str:
    if price is None:
        return "-"
    per = "s" if unit == "second" else unit
    if currency == "USD":
        return f"${price}/{per}"
    return f"{price} {currency}/{per}"


def print_table(table: Table) -> None:
    """A table, or, where the terminal is too narrow for it, one block per row.

    Ids, dates and prices sit in ``no_wrap`` columns (they get copied into commands);
    the other columns fold, down to their ``min_width``. When even that does not fit,
    each row is printed as ``column: value`` lines, so nothing is broken or cut.
    """
    measured = Measurement.get(console, console.options.update_width(10_000), table)
    if measured.minimum <= console.width:
        console.print(table)
        return
    if table.title:
        console.print(table.title)
    headers = [str(column.header) for column in table.columns]
    cells = [list(column.cells) for column in table.columns]
    for row in zip(*cells, strict=True):
        console.print()
        for header, cell in zip(headers, row, strict=True):
            text = str(cell)
            if text and text != "-":
                console.print(f"  {escape(header)}: {' '.join(text.split())}")
    console.print()


class Sources:
    """Numbers long source texts so tables can cite them as [1], [2] below."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def cite(self, source: str | None, as_of: object = None) -> str:
        if not source:
            return "no source"
        if source not in self.items:
            self.items.append(source)
        mark = f"[{self.items.index(source) + 1}]"
        return f"{mark} {as_of}" if as_of else f"{mark} no date"


def print_sources(sources: Sources) -> None:
    """The footnotes of a table."""
    for number, source in enumerate(sources.items, 1):
        console.print(f"  \\[{number}] {source}", soft_wrap=True)


def _priced_row(offer: Offer, where: str, sources: Sources) -> list[str]:
    assert offer.fitted is not None
    assert offer.quote is not None
    fitted, quote = offer.fitted, offer.quote
    notes = [str(a) for a in fitted.adjustments]
    if offer.retired:
        notes.insert(0, f"RETIRED {offer.retired_on or ''}".strip())
    elif fitted.spec.lifecycle.status == "deprecated":
        notes.insert(0, "DEPRECATED (see 'vidgen models')")
    if quote.note:
        notes.append(quote.note)
    sent = f"{fitted.seconds} s {fitted.size}"
    if fitted.variants > 1:
        sent += f" x{fitted.variants}"
    return [
        where,
        fitted.model,
        sent,
        _money(quote.amount, quote.currency),
        _unit(quote.unit_price, quote.currency, quote.unit),
        escape(sources.cite(quote.source, quote.as_of)),
        escape("; ".join(notes)),
    ]


def _summary_row(group: Sequence[Offer], where: str, sources: Sources) -> list[str]:
    """One row for a provider none of whose models can serve the request."""
    models = ", ".join(o.model for o in group)
    retired = [o for o in group if o.retired]
    if len(retired) == len(group):
        dates = sorted({o.retired_on.isoformat() for o in retired if o.retired_on})
        life = retired[0].lifecycle
        cite = sources.cite(life.source if life else None, retired[0].retired_on)
        note = f"retired {', '.join(dates)}".strip() + "; --all prices it anyway"
        return [where, models, "-", "retired", "-", escape(cite), note]
    first = next(o for o in group if not o.retired)
    return [where, models, "-", "cannot serve", "-", "-", escape(readable(first.reason or ""))]


def offers_table(
    offers: Sequence[Offer], *, title: str, show_all: bool = False
) -> tuple[Table, Sources]:
    """One row per offer (where, model, what is sent, price, source and date, notes).

    Without ``show_all``, a provider none of whose models can serve the request gets one
    summary row (retired, or why not), so every provider is listed.
    """
    sources = Sources()
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    for name in ("provider", "model", "sent", "price", "unit", "source, as of", "notes"):
        unbroken = name in ("model", "price", "unit", "source, as of")
        table.add_column(name, no_wrap=unbroken, overflow="fold", min_width=8)
    groups: dict[str, list[Offer]] = {}
    for offer in offers:
        where = offer.label if offer.profile is None else f"{offer.profile} ({offer.provider})"
        groups.setdefault(where, []).append(offer)
    for offer in offers:
        where = offer.label if offer.profile is None else f"{offer.profile} ({offer.provider})"
        if offer.fitted is not None and offer.quote is not None and (offer.available or show_all):
            table.add_row(*_priced_row(offer, where, sources))
        elif show_all:
            reason = escape(readable(offer.reason or ""))
            table.add_row(where, offer.model, "-", "-", "-", "-", f"[red]{reason}[/red]")
    if not show_all:
        for where, group in groups.items():
            if not any(o.available for o in group):
                table.add_row(*_summary_row(group, where, sources))
    return table, sources


def _price_text(price: Price) -> str:
    tier = ", ".join(price.sizes or price.resolutions) or "all sizes"
    if price.per_second is not None:
        amount = _unit(price.per_second, price.currency, "second")
    elif price.per_video is not None:
        amount = _unit(price.per_video, price.currency, "video")
    else:
        amount = "unpublished"
    return f"{tier}: {amount}"


def models_table(
    rows: Sequence[tuple[str, ModelSpec]], *, today_retired: set[str]
) -> tuple[Table, Sources]:
    """The catalog: capabilities, prices with sources and dates, lifecycle."""
    cites = Sources()
    table = Table(title="Models", title_justify="left", show_lines=True)
    for name in (
        "provider",
        "model",
        "durations (s)",
        "sizes",
        "prices",
        "source, as of",
        "lifecycle",
    ):
        unbroken = name in ("model", "source, as of")
        table.add_column(name, no_wrap=unbroken, overflow="fold", min_width=8)
    for where, spec in rows:
        prices = "\n".join(_price_text(p) for p in spec.prices) or "unknown"
        sources = "\n".join(escape(cites.cite(p.source, p.as_of)) for p in spec.prices) or "-"
        life = spec.lifecycle
        status = "retired" if f"{where}/{spec.id}" in today_retired else life.status
        lifecycle = status
        if life.retired_on:
            lifecycle += f" {life.retired_on.isoformat()}"
        if life.replacement:
            lifecycle += f" -> {life.replacement}"
        table.add_row(
            where,
            spec.id + (f"\n({', '.join(spec.aliases)})" if spec.aliases else ""),
            ", ".join(str(d) for d in spec.durations),
            ", ".join(s.size for s in spec.sizes),
            prices,
            sources,
            lifecycle,
        )
    return table, cites


def providers_table(registry: Registry, instances: dict[str, Provider | None]) -> Table:
    """Registered providers, the plugin that brought each, and where its key comes from."""
    table = Table(title="Providers", title_justify="left")
    for name in ("provider", "plugin", "key", "base URL", "models"):
        table.add_column(name, no_wrap=name == "provider", overflow="fold", min_width=6)
    for name in registry.names:
        provider = instances.get(name)
        cls = registry.get(name)
        assert cls is not None
        if provider is None:
            table.add_row(
                name,
                registry.origin(name) or "-",
                cls.api_key_env or "-",
                "(set in a profile)",
                "(from config)",
            )
            continue
        key = provider.key_env or "-"
        if provider.key_env:
            key += " (set)" if provider.has_key else " (not set)"
        table.add_row(
            name,
            registry.origin(name) or "-",
            key,
            provider.base_url or "-",
            str(len(provider.catalog.models)),
        )
    return table


def job_line(job: Job) -> str:
    """One line about a job, for people."""
    return job.describe()


def _ago(when: dt.datetime, now: dt.datetime) -> str:
    seconds = (now - when).total_seconds()
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h ago"
    return when.strftime("%Y-%m-%d")


def jobs_table(entries: Sequence[LedgerEntry], *, now: dt.datetime) -> Table:
    """The ledger, newest first."""
    from .._ledger import SubmitState  # the ledger loads only for the commands that read it

    table = Table(title="Jobs", title_justify="left")
    # Ids, dates and prices are copied into commands: never break them. The rest folds.
    for name in ("#", "submitted", "where", "model", "job id", "status", "price", "output"):
        unbroken = name in ("#", "submitted", "job id", "price")
        table.add_column(name, no_wrap=unbroken, overflow="fold", min_width=None if unbroken else 8)
    for e in entries:
        if e.submit_state in (SubmitState.SENDING, SubmitState.OUTCOME_UNKNOWN):
            status = f"[yellow]submit {e.submit_state}[/yellow]"
        elif e.submit_state == SubmitState.REJECTED:
            status = "[red]rejected[/red]"
        else:
            status = e.status.value if e.status else "-"
            if e.progress is not None and e.status in (JobStatus.QUEUED, JobStatus.RUNNING):
                status += f" {e.progress}%"
        if e.downloaded:
            output = e.output_path or ""
        elif e.status is JobStatus.SUCCEEDED and e.expires_at:
            left = (e.expires_at - now).total_seconds() / 3600
            output = (
                "[red]expired[/red]" if left <= 0 else f"not downloaded; expires in {left:.1f} h"
            )
        else:
            output = "-"
        price = e.quote.format_amount() if e.quote else "-"
        table.add_row(
            str(e.ledger_id),
            _ago(e.created_at, now),
            e.label,
            e.model or "-",
            e.job_id or "-",
            status,
            price,
            output,
        )
    return table


def spend_table(rows: Sequence[SpendRow], start: dt.date, by: str = "both") -> Table:
    """Quoted, billed and delivered per day and profile (a `vidgen._spend.SpendRow` each)."""
    table = Table(
        title=f"Spend since {start} (quoted before the submit; billed as the provider reported)",
        title_justify="left",
    )
    columns = {"both": ["day", "profile"], "day": ["day"], "profile": ["profile"]}[by]
    for name in [*columns, "jobs", "quoted", "billed", "failed", "drift"]:
        numeric = name in ("jobs", "quoted", "billed", "failed", "drift")
        table.add_column(
            name, no_wrap=name != "profile", overflow="fold", justify="right" if numeric else "left"
        )
    totals: dict[str, list[Decimal]] = {}
    for row in rows:
        quoted = _money(row.quoted, row.currency)
        if row.unpriced:
            quoted += f" (+{row.unpriced} unpriced)"
        if row.billed is None:
            billed = "-"
        else:
            billed = _money(row.billed, row.currency)
            if row.billed_jobs < row.jobs + row.failed:
                billed += f" ({row.billed_jobs} of {row.jobs + row.failed} reported)"
        failed = f"{row.failed} not billed" if row.failed else ""
        drift = f"[yellow]{row.drift}[/yellow]" if row.drift else ""
        keys = {"day": row.day or "", "profile": escape(row.label or "")}
        table.add_row(*(keys[c] for c in columns), str(row.jobs), quoted, billed, failed, drift)
        sums = totals.setdefault(row.currency, [Decimal(0), Decimal(0)])
        sums[0] += row.quoted
        sums[1] += row.billed or Decimal(0)
    for currency, (quoted_total, billed_total) in totals.items():
        blanks = [""] * (len(columns) - 1)
        table.add_row(
            "total",
            *blanks,
            "",
            _money(quoted_total, currency),
            _money(billed_total, currency) if billed_total else "-",
            "",
            "",
        )
    return table


def costs_table(costs: Sequence[JobCost]) -> Table:
    """One line per finished job: quoted, billed, delivered, and drift."""
    table = Table(title="Jobs: quoted, billed, delivered", title_justify="left")
    for name in (
        "#",
        "day",
        "profile",
        "model",
        "status",
        "quoted",
        "billed",
        "delivered",
        "drift",
    ):
        table.add_column(name, no_wrap=name not in ("drift", "model", "billed"), overflow="fold")
    for cost in costs:
        status = cost.status.value if cost.status else "?"
        if cost.failed:
            status = f"{status} (not billed)" if cost.billed is None else status
        quoted = _money(cost.quoted, cost.currency)
        if cost.quoted_seconds:
            quoted += f" / {cost.quoted_seconds} s"
        delivered = f"{cost.delivered_seconds:.1f} s" if cost.delivered_seconds is not None else "-"
        drift = "[yellow]" + escape("; ".join(cost.drift)) + "[/yellow]" if cost.drift else ""
        table.add_row(
            str(cost.ledger_id),
            cost.day,
            escape(cost.label),
            escape(cost.model or "-"),
            status,
            quoted,
            escape(cost.billed_text()),
            delivered,
            drift,
        )
    return table


_BAR = "█"
_PARTS = " ▏▎▍▌▋▊▉"


def _bar(value: Decimal, largest: Decimal, width: int) -> str:
    if largest <= 0:
        return ""
    eighths = int((value / largest) * width * 8)
    return _BAR * (eighths // 8) + (_PARTS[eighths % 8] if eighths % 8 else "")


def spend_chart(rows: Sequence[SpendRow], by: str = "both", width: int = 40) -> str:
    """Quoted spend per day (or per profile with ``by="profile"``) as a bar chart."""
    key = "label" if by == "profile" else "day"
    lines: list[str] = []
    for currency in sorted({row.currency for row in rows}):
        totals: dict[str, Decimal] = {}
        for row in rows:
            if row.currency == currency:
                name = getattr(row, key) or "-"
                totals[name] = totals.get(name, Decimal(0)) + row.quoted
        largest = max(totals.values(), default=Decimal(0))
        label_width = max((len(name) for name in totals), default=0)
        lines.append(f"quoted spend per {'profile' if key == 'label' else 'day'} ({currency})")
        for name, amount in totals.items():
            bar = _bar(amount, largest, width)
            lines.append(f"{escape(name):<{label_width}}  {bar} {_money(amount, currency)}")
        lines.append("")
    return "\n".join(lines).rstrip()
