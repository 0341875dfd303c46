"""The job ledger: ``jobs``, ``resume`` and ``spend``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape

from .. import _serialize
from .._clock import utcnow
from .._config import load_config
from .._exceptions import VidgenError
from .._models import JobStatus
from ._context import clock, echo_json, fail, obj
from ._render import (
    console,
    costs_table,
    job_line,
    jobs_table,
    print_table,
    readable,
    spend_chart,
    spend_table,
)

if TYPE_CHECKING:
    from .._ledger import Group, Ledger
    from .._recovery import Outcome

__all__ = ["jobs", "resume", "spend"]


_JOB_STATUSES = tuple(s.value for s in JobStatus)


def _status_filter(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    # The ledger is imported by the commands that read it, not with the CLI: `vidgen quote`
    # never needs it (nor the recovery engine and the client below).
    from .._ledger import SubmitState

    submit_states = tuple(s.value for s in SubmitState)
    chosen = value.strip().lower()
    if chosen not in _JOB_STATUSES + submit_states:
        raise click.BadParameter(
            f"{value!r} is neither a job status ({', '.join(_JOB_STATUSES)}) nor a submit "
            f"state ({', '.join(submit_states)})"
        )
    return chosen


@click.command()
@click.option(
    "--status",
    "status_filter",
    callback=_status_filter,
    help="Only this job status (queued, running, succeeded, failed, ...) or submit state "
    "(sending, accepted, rejected, outcome_unknown).",
)
@click.option("--profile", "-p", help="Only this profile (or provider).")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="How many, newest first.",
)
@click.option(
    "--prune",
    "prune_days",
    type=click.IntRange(min=1),
    metavar="DAYS",
    help="First remove finished jobs submitted more than DAYS days ago (unfinished ones are "
    "kept, and so are the spend totals of those removed).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def jobs(
    status_filter: str | None,
    profile: str | None,
    limit: int,
    prune_days: int | None,
    as_json: bool,
) -> None:
    """Every job submitted to the job ledger (this machine's, or the shared one's)."""
    from .._ledger import Ledger

    if prune_days is not None:
        before = utcnow(clock()).date() - dt.timedelta(days=prune_days)
        with Ledger(clock=clock()) as writer:
            removed = writer.prune(before)
        console.print(
            f"Removed {removed} finished job(s) submitted before {before} from {writer.where}; "
            "their spend totals are kept."
        )
    ledger = Ledger(clock=clock(), readonly=True)  # listing takes no write lock
    entries = ledger.entries(status=status_filter, profile=profile, limit=limit)
    if as_json:
        echo_json([_serialize.entry_to_dict(e) for e in entries])
        return
    if not entries:
        if status_filter or profile:
            console.print(f"No jobs match in the ledger ({ledger.where}).")
        else:
            console.print(f"No jobs in the ledger ({ledger.where}).")
        return
    print_table(jobs_table(entries, now=utcnow(clock())))
    console.print(f"ledger: {ledger.where}")


@click.command()
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Where to save videos whose submit named no output file.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=900,
    show_default=True,
    help="Seconds to wait for each job.",
)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--json", "as_json", is_flag=True, help="Print each job's outcome as JSON on stdout.")
def resume(output_dir: str, timeout: float, config_path: str | None, as_json: bool) -> None:
    """Finish every unfinished job in the ledger: find, wait, download. Never resubmits."""
    from .._ledger import Ledger, ledger_location
    from .._recovery import ResumeState, client_for, resume_entry

    ledger = Ledger(ledger_location(config=load_config(config_path)), clock=clock())
    pending = ledger.unfinished()
    films = ledger.groups(kind="storyboard", unfinished=True)
    results: list[dict[str, Any]] = []
    if not pending and not films:
        console.print("Nothing to resume: every job in the ledger is finished.")
        if as_json:
            echo_json(results)
        return
    if pending:
        console.print(f"{len(pending)} unfinished job(s) in {ledger.where}")
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
            message = readable(str(exc))
            console.print(f"#{entry.ledger_id} {entry.label}: [red]error:[/red] {escape(message)}")
            results.append(
                {
                    "ledger_id": entry.ledger_id,
                    "label": entry.label,
                    "state": "error",
                    "message": str(exc),
                    "path": None,
                    "job": None,
                }
            )
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
            f"#{outcome.ledger_id} {outcome.label}: "
            f"[{colour}]{_state_word(outcome)}:[/{colour}] "
            f"{escape(_outcome_text(outcome))}"
        )
        results.append(
            {
                "ledger_id": outcome.ledger_id,
                "label": outcome.label,
                "state": str(outcome.state),
                "message": outcome.message,
                "path": str(outcome.path) if outcome.path is not None else None,
                "job": _serialize.job_to_dict(outcome.job) if outcome.job else None,
            }
        )
        if outcome.path is not None and not as_json:
            click.echo(str(outcome.path))
        if not outcome.state.settled:
            left += 1
    for group in films:
        results.append(_resume_film(group, ledger, config_path, timeout, as_json))
        if results[-1]["state"] != "done":
            left += 1
    if as_json:
        echo_json(results)
    if left:
        fail(f"{left} job(s) or storyboard(s) still need attention (see above)", 1)


def _resume_film(
    group: Group, ledger: Ledger, config_path: str | None, timeout: float, as_json: bool
) -> dict[str, Any]:
    """Carry on with a storyboard that stopped: finished shots are reused, never paid again."""
    from .._recovery import client_for_group
    from .._storyboard import Storyboard
    from ._film import render_film

    target = Path(group.target or "film.mp4")
    console.print(f"storyboard {escape(str(target))}: continuing")
    result: dict[str, Any] = {"storyboard": group.group_id, "path": str(target)}
    try:
        board = Storyboard.from_mapping(group.spec, where=f"storyboard {group.group_id}")
        client = client_for_group(
            group,
            ledger=ledger,
            config=config_path,
            clock=clock(),
            sleep=obj().get("sleep"),
            http_client=obj().get("http_client"),
        )
        with client:
            film = render_film(
                client,
                board,
                target,
                timeout=timeout,
                force=bool(group.settings.get("overwrite")),
                draft=False,
            )
    except VidgenError as exc:
        console.print(
            f"storyboard {escape(str(target))}: [red]error:[/red] {escape(readable(str(exc)))}"
        )
        return {**result, "state": "error", "message": str(exc)}
    reused = sum(1 for shot in film.shots if shot.reused)
    console.print(
        f"storyboard {escape(str(target))}: [green]done:[/green] {len(film.shots)} shots "
        f"({reused} from before)"
    )
    if not as_json:
        click.echo(str(film.path))
    return {**result, "state": "done", "message": f"{len(film.shots)} shots, {reused} reused"}


def _state_word(outcome: Outcome) -> str:
    """How an outcome reads after "#12 relay:"; the state names are for scripts (--json)."""
    from .._recovery import ResumeState

    words = {
        ResumeState.DOWNLOADED: "done",
        ResumeState.FAILED: "failed",
        ResumeState.EXPIRED: "expired",
        ResumeState.WAITING: "still running",
        ResumeState.CANNOT_TELL: "cannot tell",
        ResumeState.SKIPPED: "skipped",
        ResumeState.ERROR: "error",
    }
    return words.get(outcome.state, str(outcome.state))


def _outcome_text(outcome: Outcome) -> str:
    from .._recovery import ResumeState

    if outcome.state is ResumeState.DOWNLOADED and outcome.path is not None:
        if outcome.message == "already downloaded":
            return f"already downloaded to {outcome.path}"
        return f"saved {outcome.path}"
    return readable(outcome.message)


@click.command()
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Reconcile the jobs of this many days (billed and delivered).",
)
@click.option(
    "--by",
    type=click.Choice(["both", "day", "profile"]),
    default="both",
    show_default=True,
    help="Group by day and profile, by day, or by profile.",
)
@click.option("--jobs", "per_job", is_flag=True, help="One line per job, with its drift.")
@click.option("--chart", is_flag=True, help="A bar chart of quoted spend per day or profile.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def spend(days: int, by: str, per_job: bool, chart: bool, as_json: bool) -> None:
    """What was quoted, billed and delivered, per day and profile.

    Quoted: vidgen's quote before the submit. Billed: what the provider reported with
    the job (a cost, tokens, units or seconds, where it reports any). Delivered: the
    probed length of the file. Drift flags a job billed or delivered unlike its quote.
    Failed jobs are listed apart and not counted as spend.
    """
    from .._clock import today as today_on
    from .._ledger import Ledger
    from .._spend import job_costs, since, spend_rows

    ledger = Ledger(clock=clock(), readonly=True)
    start = since(today_on(clock()), days)
    costs = job_costs(ledger.finished_since(start))
    if per_job:
        if as_json:
            echo_json([_cost_dict(c) for c in costs])
        elif not costs:
            console.print(f"No finished jobs since {start}.")
        else:
            print_table(costs_table(costs))
        return
    rows = spend_rows(costs, by)  # type: ignore[arg-type]
    if as_json:
        echo_json([_row_dict(r) for r in rows])
        return
    if not rows:
        console.print(f"No finished jobs since {start} in the ledger.")
        return
    if chart:
        console.print(spend_chart(rows, by))
        return
    print_table(spend_table(rows, start, by))
    archived = [r for r in ledger.spend() if r[0] < start.isoformat()]
    if archived:
        older = sum(r[4] for r in archived)
        console.print(f"(earlier days: {older} succeeded jobs; --days to include them)")


def _money_text(amount: Any) -> str | None:
    return None if amount is None else str(amount)


def _cost_dict(cost: Any) -> dict[str, Any]:
    from .._serialize import converter

    return {
        "ledger_id": cost.ledger_id,
        "day": cost.day,
        "profile": cost.label,
        "model": cost.model,
        "status": cost.status.value if cost.status else None,
        "quoted": _money_text(cost.quoted),
        "currency": cost.currency,
        "quoted_seconds": cost.quoted_seconds,
        "billed": converter.unstructure(cost.usage) if cost.usage else None,
        "delivered_seconds": cost.delivered_seconds,
        "drift": list(cost.drift),
    }


def _row_dict(row: Any) -> dict[str, Any]:
    return {
        "day": row.day,
        "profile": row.label,
        "currency": row.currency,
        "jobs": row.jobs,
        "quoted": str(row.quoted),
        "unpriced": row.unpriced,
        "billed": _money_text(row.billed),
        "billed_jobs": row.billed_jobs,
        "failed": row.failed,
        "drift": row.drift,
    }
