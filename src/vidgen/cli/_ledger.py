"""The job ledger: ``jobs``, ``resume`` and ``spend``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from .. import _serialize
from .._clock import utcnow
from .._exceptions import VidgenError
from .._ledger import Ledger
from .._models import JobStatus
from .._recovery import ResumeState, client_for, resume_entry
from ._context import clock, echo_json, fail, obj
from ._render import console, job_line, jobs_table, spend_table

__all__ = ["jobs", "resume", "spend"]


@click.command()
@click.option(
    "--status",
    "status_filter",
    help="Only this status (queued, running, succeeded, "
    "failed, ...) or submit state (unknown, rejected, sending).",
)
@click.option("--profile", "-p", help="Only this profile (or provider).")
@click.option("--limit", type=int, default=50, show_default=True, help="How many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def jobs(status_filter: str | None, profile: str | None, limit: int, as_json: bool) -> None:
    """Every job this machine submitted, from the job ledger."""
    ledger = Ledger(clock=clock())
    entries = ledger.entries(status=status_filter, profile=profile, limit=limit)
    if as_json:
        echo_json([_serialize.entry_to_dict(e) for e in entries])
        return
    if not entries:
        console.print(f"No jobs in the ledger ({ledger.path}).")
        return
    console.print(jobs_table(entries, now=utcnow(clock())))
    console.print(f"ledger: {ledger.path}")


@click.command()
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Where to save videos whose submit named no output file.",
)
@click.option(
    "--timeout", type=float, default=900, show_default=True, help="Seconds to wait for each job."
)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
def resume(output_dir: str, timeout: float, config_path: str | None) -> None:
    """Finish every unfinished job in the ledger: find, wait, download. Never resubmits."""
    ledger = Ledger(clock=clock())
    pending = ledger.unfinished()
    if not pending:
        console.print("Nothing to resume: every job in the ledger is finished.")
        return
    console.print(f"{len(pending)} unfinished job(s) in {ledger.path}")
    left = 0
    now = utcnow(clock())
    for entry in pending:
        if entry.expires_at and entry.status is JobStatus.SUCCEEDED and not entry.downloaded:
            hours = (entry.expires_at - now).total_seconds() / 3600
            if hours < 6:
                console.print(
                    f"[yellow]warning:[/yellow] #{entry.ledger_id} expires in {max(hours, 0):.1f} h"
                )
        try:
            client = client_for(
                entry,
                ledger=ledger,
                config=config_path,
                clock=clock(),
                sleep=obj().get("sleep"),
                http_client=obj().get("http_client"),
            )
        except VidgenError as exc:
            console.print(f"#{entry.ledger_id} {entry.label}: [red]{escape(str(exc))}[/red]")
            left += 1
            continue
        with client:
            outcome = resume_entry(
                entry,
                ledger=ledger,
                client=client,
                output_dir=Path(output_dir),
                timeout=timeout,
                on_progress=lambda job: console.print(f"  {job_line(job)}"),
            )
        colour = {
            ResumeState.DOWNLOADED: "green",
            ResumeState.FAILED: "red",
            ResumeState.EXPIRED: "red",
        }.get(outcome.state, "yellow")
        console.print(
            f"#{outcome.ledger_id} {outcome.label}: [{colour}]{outcome.state}[/{colour}] "
            f"{escape(outcome.message)}"
        )
        if outcome.path is not None:
            click.echo(str(outcome.path))
        if not outcome.state.settled:
            left += 1
    if left:
        fail(f"{left} job(s) still need attention (see above)", 1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def spend(as_json: bool) -> None:
    """Spend per day and profile, from the quotes of succeeded jobs in the ledger."""
    rows = Ledger(clock=clock()).spend()
    if as_json:
        echo_json(
            [
                {"day": d, "profile": label, "currency": cur, "amount": str(amount), "jobs": n}
                for d, label, cur, amount, n in rows
            ]
        )
        return
    if not rows:
        console.print("No succeeded jobs with a known price in the ledger yet.")
        return
    console.print(spend_table(rows))
