"""One job at a time: ``generate``, ``submit``, ``status``, ``wait`` and ``download``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import attrs
import click
from rich.markup import escape

from .. import _serialize
from .._checks import check_output_path
from .._config import load_config
from .._exceptions import ConfigError
from .._files import safe_file_name
from .._models import Job, JobStatus
from ._context import clock, echo_json, fail, obj
from ._options import (
    build_client,
    build_request,
    check_target,
    parse_money,
    request_options,
    target_options,
)
from ._render import console, job_line, readable

if TYPE_CHECKING:
    from .._client import Client
    from .._ledger import LedgerEntry
    from .._plan import Plan
    from .._request import VideoRequest

__all__ = ["cancel", "download", "generate", "status", "submit", "wait"]


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
        console.print(f"[yellow]warning:[/yellow] {escape(readable(warning))}")
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
        console.print(f"submitted: {job.id} (ledger: 'vidgen jobs')")


def _check_output(output: str, force: bool) -> Path:
    """``--output`` checked before anything is sent: a file vidgen may write (or replace)."""
    return check_output_path(output, overwrite=force, exists_hint="pass --force to replace it")


_TIMEOUT = click.FloatRange(min=0, min_open=True)


def _interrupted(job: Job | None, *, submitting: bool) -> NoReturn:
    """Ctrl-C: say what is left behind at the provider and how to finish it."""
    if job is not None:
        where = job.profile or job.provider
        fail(
            f"interrupted: job {job.id} keeps running at {where} and may be billed; "
            f"finish it with `vidgen resume` or `vidgen download {job.id}`",
            130,
        )
    if submitting:
        fail(
            "interrupted during the submit: a job may exist and may be billed; "
            "`vidgen resume` looks for it (it never submits again)",
            130,
        )
    fail("interrupted before anything was sent", 130)


@click.command()
@click.argument("prompt")
@click.option("--output", "-o", required=True, help="Where to save the video (.mp4).")
@request_options
@target_options
@click.option("--timeout", type=_TIMEOUT, default=900, show_default=True, help="Seconds to wait.")
@click.option("--max-cost", help="Refuse if the quote is higher than this.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option(
    "--chain",
    is_flag=True,
    help="Longer than the model's longest clip: render clips that continue each other, joined.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the path and job as JSON on stdout.")
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
    chain: bool,
    as_json: bool,
    **fields: Any,
) -> None:
    """Submit, wait with a progress bar, and download. Prints the file's path.

    PROMPT is the description of the video; - reads it from stdin. With --chain, a length
    beyond the model's longest clip is made of clips that each start from the last frame
    of the one before, joined into one video.
    """
    request = build_request(prompt, **fields)
    target = _check_output(output, force)
    if chain:
        _generate_chain(
            request,
            target,
            profile,
            provider,
            config_path,
            allow_retired,
            policy,
            timeout,
            max_cost,
            force,
            as_json,
        )
        return
    limit = parse_money(max_cost)
    job: Job | None = None
    submitting = False
    try:
        with build_client(profile, provider, config_path, allow_retired, policy, limit) as client:
            plan = client.plan(client.fetch_references(request))
            _show_plan(plan)
            submitting = True
            job = client.submit(plan, output=target)
            _show_submitted(plan, job)
            job = _progress_runner(client, job, timeout)
            path = client.download(job, target, overwrite=force)
    except KeyboardInterrupt:
        _interrupted(job, submitting=submitting)
    if as_json:
        echo_json({"path": str(path), "job": _serialize.job_to_dict(job)})
    else:
        click.echo(str(path))


def _generate_chain(
    request: VideoRequest,
    target: Path,
    profile: str | None,
    provider: str | None,
    config_path: str | None,
    allow_retired: bool,
    policy: str | None,
    timeout: float,
    max_cost: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """``generate --chain``: the request as clips the model offers, rendered as a film."""
    from .._storyboard import chain, chain_durations
    from ._film import render_film, show_film

    with build_client(
        profile, provider, config_path, allow_retired, policy, parse_money(max_cost)
    ) as client:
        catalog = client.provider.catalog
        spec = catalog.get(request.model or catalog.default_model or "")
        if spec is None or request.duration is None:
            raise ConfigError(
                "--chain needs a length (--seconds) and a model the provider offers "
                "(--model, or its default)"
            )
        try:
            durations = chain_durations(request.duration, spec.durations)
        except ValueError as exc:
            raise ConfigError(f"--chain: {spec.id} {exc}; choose another length") from exc
        board = chain(attrs.evolve(request, model=spec.id), durations)
        console.print(
            f"{request.duration} s as {len(durations)} clips of "
            f"{' + '.join(str(d) for d in durations)} s on {spec.id}, each continuing the last"
        )
        film = render_film(client, board, target, timeout=timeout, force=force, draft=False)
    show_film(film, as_json)


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
    """Create a job and print its id (then `vidgen wait ID` / `vidgen download ID`).

    PROMPT is the description of the video; - reads it from stdin.
    """
    request = build_request(prompt, **fields)
    with build_client(
        profile, provider, config_path, allow_retired, policy, parse_money(max_cost)
    ) as client:
        plan = client.plan(client.fetch_references(request))
        _show_plan(plan)
        try:
            job = client.submit(plan)
        except KeyboardInterrupt:
            _interrupted(None, submitting=True)
        _show_submitted(plan, job, quiet=True)
    if as_json:
        echo_json(_serialize.job_to_dict(job))
    else:
        console.print(job_line(job))
        click.echo(job.id)


def _job_id(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not value.strip():
        raise click.BadParameter(
            "the job id is empty; give a ledger number or a provider job id "
            "(`vidgen jobs` lists them)"
        )
    return value.strip()


def _job_command_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--config", "config_path", type=click.Path(dir_okay=False), help="Config file."
    )(func)
    func = click.option("--provider", help="Provider name (default: from the ledger).")(func)
    func = click.option("--profile", "-p", help="Profile (default: from the ledger).")(func)
    return click.argument("job_id", callback=_job_id)(func)


def _job_and_client(
    ref: str, profile: str | None, provider: str | None, config_path: str | None
) -> tuple[Client, Job | str, LedgerEntry | None]:
    """A job by ledger number or provider id, and a client for where it was sent.

    ``--profile`` or ``--provider`` say where to ask; a ledger number still names the
    ledger's job (its provider id is sent, never the number).
    """
    # Loaded here, not with the module: `vidgen quote` never needs the ledger or recovery.
    from .._ledger import Ledger, SubmitState, ledger_location
    from .._recovery import client_for

    check_target(profile, provider)
    ledger = Ledger(ledger_location(config=load_config(config_path)), clock=clock())
    entry = ledger.get(ref)
    if entry is not None and entry.job_id is None:
        if entry.submit_state == SubmitState.REJECTED:
            raise ConfigError(
                f"submit #{entry.ledger_id} created no job, so nothing was billed "
                f"({entry.submit_error or 'no reason recorded'}); submit it again"
            )
        raise ConfigError(
            f"submit #{entry.ledger_id} has no job id yet: its outcome is "
            f"{entry.submit_state}. Run `vidgen resume` to look for the job"
        )
    if entry is not None and profile is None and provider is None:
        client = client_for(
            entry,
            ledger=ledger,
            config=config_path,
            clock=clock(),
            sleep=obj().get("sleep"),
            http_client=obj().get("http_client"),
        )
        assert entry.job_id is not None
        job = entry.job or client.provider.job_ref(entry.job_id)
        if job.profile is None and entry.profile:
            job = attrs.evolve(job, profile=entry.profile)
        return client, job, entry
    if profile is None and provider is None and load_config(config_path).default_profile is None:
        raise ConfigError(
            f"the ledger has no job {ref!r}; say where it is: --profile NAME or --provider NAME"
        )
    client = build_client(profile, provider, config_path, allow_retired=True)
    return client, (entry.job_id if entry is not None and entry.job_id else ref), entry


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
@click.option("--json", "as_json", is_flag=True, help="Print the job as JSON on stdout.")
def cancel(
    job_id: str, profile: str | None, provider: str | None, config_path: str | None, as_json: bool
) -> None:
    """Ask the provider to stop a job that has not finished (by ledger number or job id).

    A finished job is left as it is: where the vendor's cancel would also delete a
    finished video, vidgen reads the job first. Whether a stopped job is billed is the
    vendor's rule (see `vidgen models`).
    """
    client, ref, _ = _job_and_client(job_id, profile, provider, config_path)
    with client:
        job = client.cancel(ref)
    if as_json:
        echo_json(_serialize.job_to_dict(job, raw=True))
        return
    click.echo(job_line(job))
    if job.status is not JobStatus.CANCELLED and job.is_terminal:
        click.echo(
            f"job {job.id} had already ended ({job.status.value}); nothing was cancelled", err=True
        )


@click.command()
@_job_command_options
@click.option("--timeout", type=_TIMEOUT, default=900, show_default=True, help="Seconds to wait.")
@click.option("--json", "as_json", is_flag=True, help="Print the job as JSON on stdout.")
def wait(
    job_id: str,
    profile: str | None,
    provider: str | None,
    config_path: str | None,
    timeout: float,
    as_json: bool,
) -> None:
    """Wait for a job to finish, with a progress bar."""
    client, ref, _ = _job_and_client(job_id, profile, provider, config_path)
    job: Job | None = None
    try:
        with client:
            job = client.get(ref)
            job = _progress_runner(client, job, timeout)
    except KeyboardInterrupt:
        _interrupted(job, submitting=False)
    if as_json:
        echo_json(_serialize.job_to_dict(job, raw=True))
    else:
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
@click.option("--json", "as_json", is_flag=True, help="Print the path as JSON on stdout.")
def download(
    job_id: str,
    profile: str | None,
    provider: str | None,
    config_path: str | None,
    output: str | None,
    variant: str,
    force: bool,
    as_json: bool,
) -> None:
    """Download a finished job's output (atomically, resuming a broken download)."""
    client, ref, entry = _job_and_client(job_id, profile, provider, config_path)
    job_name = ref if isinstance(ref, str) else ref.id
    if output is None:
        # Only the video goes where the submit asked: a thumbnail there would take the
        # video's place.
        planned = entry.output_target if entry is not None and variant == "video" else None
        # A provider's id is untrusted text: the name made from it stays in this folder.
        output = planned or safe_file_name(
            f"{job_name}.mp4" if variant == "video" else f"{job_name}.{variant}"
        )
    target = _check_output(output, force)
    with client:
        path = client.download(ref, target, variant=variant, overwrite=force)
    if as_json:
        echo_json({"path": str(path), "job_id": job_name, "variant": variant})
    else:
        click.echo(str(path))
