"""One job at a time: ``generate``, ``submit``, ``status``, ``wait`` and ``download``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import click
from rich.markup import escape

from .. import _serialize
from .._client import Client
from .._config import load_config
from .._exceptions import ConfigError
from .._ledger import Ledger, LedgerEntry
from .._models import Job
from .._plan import Plan
from .._recovery import client_for
from ._context import clock, echo_json, obj
from ._options import build_client, build_request, parse_money, request_options, target_options
from ._render import console, job_line

__all__ = ["download", "generate", "status", "submit", "wait"]


def _progress_runner(client: Client, job: Job, timeout: float) -> Job:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(f"{job.id} {job.status.value}", total=100)

        def update(current: Job) -> None:
            progress.update(
                task,
                completed=current.progress if current.progress is not None else 0,
                description=f"{current.id} {current.status.value}",
            )

        done = client.wait(job, timeout=timeout, on_progress=update)
        progress.update(task, completed=100)
        return done


def _show_plan(plan: Plan) -> None:
    """The plan as it will be carried out: warnings, then the attempt sent first."""
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    console.print(escape(plan.first.describe()))
    for later in plan.attempts[1:]:
        console.print(f"  if refused: {escape(later.describe())}")


def _show_submitted(plan: Plan, job: Job, *, quiet: bool = False) -> None:
    """Where the job went; the attempt that took it, when the route moved on."""
    taken = next(
        (a for a in plan.attempts if a.profile == job.profile and a.provider == job.provider),
        plan.first,
    )
    if taken is not plan.first:
        console.print(
            f"[yellow]{escape(plan.first.label)} did not take the job;[/yellow] sent to "
            f"{escape(taken.describe())}"
        )
    if not quiet:
        console.print(f"submitted: {job.id} (ledger: `vidgen jobs`)")


def _check_output(output: str, force: bool) -> Path:
    path = Path(output)
    if path.is_dir():
        raise click.BadParameter(f"{output} is a folder; give a file name", param_hint="--output")
    if path.exists() and not force:
        raise click.BadParameter(
            f"{output} exists; pass --force to replace it", param_hint="--output"
        )
    return path


@click.command()
@click.argument("prompt")
@click.option("--output", "-o", required=True, help="Where to save the video (.mp4).")
@request_options
@target_options
@click.option("--timeout", type=float, default=900, show_default=True, help="Seconds to wait.")
@click.option("--max-cost", help="Refuse if the quote is higher than this.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def generate(
    prompt: str,
    output: str,
    profile: str | None,
    provider: str | None,
    config_path: str | None,
    allow_retired: bool,
    policy: str | None,
    timeout: float,
    max_cost: str | None,
    force: bool,
    **fields: Any,
) -> None:
    """Submit, wait with a progress bar, and download. Prints the file's path."""
    request = build_request(prompt, **fields)
    target = _check_output(output, force)
    with build_client(
        profile, provider, config_path, allow_retired, policy, parse_money(max_cost)
    ) as client:
        plan = client.plan(request)
        _show_plan(plan)
        job = client.submit(plan, output=target)
        _show_submitted(plan, job)
        job = _progress_runner(client, job, timeout)
        path = client.download(job, target)
    click.echo(str(path))


@click.command()
@click.argument("prompt")
@request_options
@target_options
@click.option("--max-cost", help="Refuse if the quote is higher than this.")
@click.option("--json", "as_json", is_flag=True, help="Print the job as JSON on stdout.")
def submit(
    prompt: str,
    profile: str | None,
    provider: str | None,
    config_path: str | None,
    allow_retired: bool,
    policy: str | None,
    max_cost: str | None,
    as_json: bool,
    **fields: Any,
) -> None:
    """Create a job and print its id (then `vidgen wait ID` / `vidgen download ID`)."""
    request = build_request(prompt, **fields)
    with build_client(
        profile, provider, config_path, allow_retired, policy, parse_money(max_cost)
    ) as client:
        plan = client.plan(request)
        _show_plan(plan)
        job = client.submit(plan)
        _show_submitted(plan, job, quiet=True)
    if as_json:
        echo_json(_serialize.job_to_dict(job))
    else:
        console.print(job_line(job))
        click.echo(job.id)


def _job_command_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--config", "config_path", type=click.Path(dir_okay=False), help="Config file."
    )(func)
    func = click.option("--provider", help="Provider name (default: from the ledger).")(func)
    func = click.option("--profile", "-p", help="Profile (default: from the ledger).")(func)
    return click.argument("job_id")(func)


def _job_and_client(
    ref: str, profile: str | None, provider: str | None, config_path: str | None
) -> tuple[Client, Job | str, LedgerEntry | None]:
    """A job by ledger number or provider id, and a client for where it was sent."""
    ledger = Ledger(clock=clock())
    entry = ledger.get(ref)
    if entry is not None and profile is None and provider is None:
        if entry.job_id is None:
            raise ConfigError(
                f"submit #{entry.ledger_id} has no job id: its outcome is {entry.submit_state}. "
                "Run `vidgen resume` to look for it"
            )
        client = client_for(
            entry,
            ledger=ledger,
            config=config_path,
            clock=clock(),
            sleep=obj().get("sleep"),
            http_client=obj().get("http_client"),
        )
        job = entry.job or client.provider.job_ref(entry.job_id)
        if job.profile is None and entry.profile:
            job = attrs.evolve(job, profile=entry.profile)
        return client, job, entry
    if profile is None and provider is None and load_config(config_path).default_profile is None:
        raise ConfigError(
            f"the ledger has no job {ref!r}; say where it is: --profile NAME or --provider NAME"
        )
    client = build_client(profile, provider, config_path, allow_retired=True)
    return client, ref, entry


@click.command()
@_job_command_options
@click.option("--json", "as_json", is_flag=True, help="Print the job as JSON on stdout.")
def status(
    job_id: str, profile: str | None, provider: str | None, config_path: str | None, as_json: bool
) -> None:
    """Show a job's current state (by ledger number or provider job id)."""
    client, ref, _ = _job_and_client(job_id, profile, provider, config_path)
    with client:
        job = client.get(ref)
    if as_json:
        echo_json(_serialize.job_to_dict(job, raw=True))
    else:
        click.echo(job_line(job))
        if job.expires_at:
            click.echo(f"outputs expire at {job.expires_at.isoformat()}")


@click.command()
@_job_command_options
@click.option("--timeout", type=float, default=900, show_default=True, help="Seconds to wait.")
def wait(
    job_id: str, profile: str | None, provider: str | None, config_path: str | None, timeout: float
) -> None:
    """Wait for a job to finish, with a progress bar."""
    client, ref, _ = _job_and_client(job_id, profile, provider, config_path)
    with client:
        job = _progress_runner(client, client.get(ref), timeout)
    click.echo(job_line(job))


@click.command()
@_job_command_options
@click.option(
    "--output", "-o", help="Where to save it (default: where generate asked, or ./ID.mp4)."
)
@click.option(
    "--variant", default="video", show_default=True, help="video, thumbnail, spritesheet."
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def download(
    job_id: str,
    profile: str | None,
    provider: str | None,
    config_path: str | None,
    output: str | None,
    variant: str,
    force: bool,
) -> None:
    """Download a finished job's output (atomically, resuming a broken download)."""
    client, ref, entry = _job_and_client(job_id, profile, provider, config_path)
    if output is None:
        job_name = ref if isinstance(ref, str) else ref.id
        output = (entry.output_target if entry and entry.output_target else None) or (
            f"{job_name}.mp4" if variant == "video" else f"{job_name}.{variant}"
        )
    target = _check_output(output, force)
    with client:
        path = client.download(ref, target, variant=variant)
    click.echo(str(path))
