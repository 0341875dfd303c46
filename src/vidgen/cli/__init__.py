"""The ``vidgen`` command.

Tables, progress and messages go to stderr; stdout carries the result a script wants:
job ids, file paths, a job's status line and ``--json`` output. A user error prints one line and exits 2; a
failure at the provider exits 1. Neither prints a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

import attrs
import click
from rich.markup import escape

from .. import _serialize
from .._client import Client
from .._clock import Clock, system_clock, utcnow
from .._clock import today as today_on
from .._compare import compare, offer_sources, provider_offers, sort_offers
from .._config import CONFIG_ENV, find_config, load_config
from .._exceptions import ConfigError, VidgenError
from .._files import safe_file_name
from .._ledger import Ledger, LedgerEntry
from .._models import Job, JobStatus
from .._plan import FitPolicy, Plan
from .._recovery import ResumeState, client_for, resume_entry
from .._reference import Reference
from .._request import VideoRequest
from .._version import __version__
from ..plugins import get_provider, get_registry
from ..provider import Provider
from ._render import (
    console,
    job_line,
    jobs_table,
    models_table,
    offers_table,
    print_sources,
    providers_table,
    spend_table,
)

__all__ = ["main"]


def _fail(message: str, code: int = 2) -> NoReturn:
    console.print(f"[bold red]error:[/bold red] {escape(message)}", soft_wrap=True)
    sys.exit(code)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


# -- shared options ------------------------------------------------------------------------


def _request_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--seconds", "-s", "duration", type=int, help="Video length in seconds."),
        click.option(
            "--aspect", "-a", help="Aspect ratio: 16:9, 9:16, 1:1 (or landscape/portrait)."
        ),
        click.option("--resolution", "-r", help="Resolution tier: 720p, 1080p, ..."),
        click.option("--model", "-m", help="Model id (default: the provider's default model)."),
        click.option(
            "--reference", "reference", help="First-frame image: a file path or an https URL."
        ),
        click.option("--variants", type=int, default=1, show_default=True, help="Videos per job."),
        click.option(
            "--policy",
            type=click.Choice(["strict", "nearest"]),
            default=None,
            help="strict refuses what the model can't do; nearest adjusts and says so.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _target_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--profile", "-p", help="Profile from vidgen.toml."),
        click.option("--provider", help="Provider name, used with its defaults and env key."),
        click.option(
            "--config", "config_path", type=click.Path(dir_okay=False), help="Config file."
        ),
        click.option(
            "--allow-retired", is_flag=True, help="Send to a model the catalog says is retired."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _reference(value: str | None) -> Reference | None:
    if not value:
        return None
    if value.startswith(("http://", "https://")):
        return Reference.from_url(value)
    try:
        return Reference.from_path(value)
    except FileNotFoundError:
        raise click.BadParameter(f"no such file: {value}", param_hint="--reference") from None
    except (OSError, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="--reference") from None


def _build_request(prompt: str, **fields: Any) -> VideoRequest:
    try:
        return VideoRequest(
            prompt=prompt,
            duration=fields.get("duration"),
            aspect=fields.get("aspect"),
            resolution=fields.get("resolution"),
            model=fields.get("model"),
            reference=_reference(fields.get("reference")),
            variants=fields.get("variants", 1),
        )
    except (TypeError, ValueError) as exc:
        # One line, like every other user error (a UsageError would print the usage too).
        _fail(str(exc))


def _money(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value.lstrip("$"))
    except InvalidOperation:
        raise click.BadParameter(f"{value!r} is not an amount", param_hint="--max-cost") from None


def _client(
    profile: str | None,
    provider: str | None,
    config_path: str | None,
    allow_retired: bool = False,
    policy: str | None = None,
    max_cost: Decimal | None = None,
) -> Client:
    if profile is None and provider is None:
        config = load_config(config_path)
        if config.default_profile is None:
            raise ConfigError(
                "say where to send it: --profile NAME (from vidgen.toml) or --provider NAME "
                f"(installed: {', '.join(get_registry().names)})"
            )
    return Client(
        profile,
        provider=provider,
        config=config_path,
        allow_retired=allow_retired,
        policy="nearest" if policy == "nearest" else "strict",
        max_job_cost=max_cost,
        clock=_clock(),
        sleep=_obj().get("sleep"),
        http_client=_obj().get("http_client"),
    )


class _Group(click.Group):
    """Turns vidgen's errors into one line and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VidgenError as exc:
            _fail(str(exc), 2 if exc.user_error else 1)
        except KeyboardInterrupt:
            _fail("interrupted", 130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vidgen")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Generate videos through any provider, with one request and one set of errors and prices."""
    # Every date and time decision of a command reads this clock; tests pass their own
    # (and a sleep and an http_client) with CliRunner.invoke(cli, ..., obj={...}).
    ctx.ensure_object(dict)
    ctx.obj.setdefault("clock", system_clock)


def _obj() -> dict[str, Any]:
    """What the command runs with: its clock, and (in tests) a sleep and an HTTP client."""
    obj: dict[str, Any] = click.get_current_context().find_root().obj
    return obj


def _clock() -> Clock:
    clock: Clock = _obj()["clock"]
    return clock


# -- quote / compare -------------------------------------------------------------------------


@cli.command()
@click.argument("prompt", required=False, default="(price check)")
@_request_options
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
    request = _build_request(prompt, **fields)
    fit_policy: FitPolicy = "strict" if policy == "strict" else "nearest"
    if profile or provider:
        with _client(profile, provider, config_path) as client:
            offers = sort_offers(
                [
                    offer
                    for target in client.providers
                    for offer in provider_offers(
                        target,
                        request,
                        policy=fit_policy,
                        include_retired=show_all,
                        clock=_clock(),
                    )
                ]
            )
    else:
        offers = compare(
            request,
            policy=fit_policy,
            include_retired=show_all,
            config=config_path,
            clock=_clock(),
        )
    if as_json:
        _echo_json([_serialize.offer_to_dict(o) for o in offers])
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
    console.print(table)
    print_sources(sources)
    if not show_all and any(not o.available for o in offers):
        console.print(
            "Rows without a price cannot serve this request as asked: --all shows every "
            "model, prices retired ones and gives each refusal's reason."
        )


# -- generate / submit / status / wait / download --------------------------------------------


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


@cli.command()
@click.argument("prompt")
@click.option("--output", "-o", required=True, help="Where to save the video (.mp4).")
@_request_options
@_target_options
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
    request = _build_request(prompt, **fields)
    target = _check_output(output, force)
    with _client(profile, provider, config_path, allow_retired, policy, _money(max_cost)) as client:
        plan = client.plan(request)
        _show_plan(plan)
        job = client.submit(plan, output=target)
        _show_submitted(plan, job)
        job = _progress_runner(client, job, timeout)
        path = client.download(job, target)
    click.echo(str(path))


@cli.command()
@click.argument("prompt")
@_request_options
@_target_options
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
    request = _build_request(prompt, **fields)
    with _client(profile, provider, config_path, allow_retired, policy, _money(max_cost)) as client:
        plan = client.plan(request)
        _show_plan(plan)
        job = client.submit(plan)
        _show_submitted(plan, job, quiet=True)
    if as_json:
        _echo_json(_serialize.job_to_dict(job))
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
    ledger = Ledger(clock=_clock())
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
            clock=_clock(),
            sleep=_obj().get("sleep"),
            http_client=_obj().get("http_client"),
        )
        job = entry.job or client.provider.job_ref(entry.job_id)
        if job.profile is None and entry.profile:
            job = attrs.evolve(job, profile=entry.profile)
        return client, job, entry
    if profile is None and provider is None and load_config(config_path).default_profile is None:
        raise ConfigError(
            f"the ledger has no job {ref!r}; say where it is: --profile NAME or --provider NAME"
        )
    client = _client(profile, provider, config_path, allow_retired=True)
    return client, ref, entry


@cli.command()
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
        _echo_json(_serialize.job_to_dict(job, raw=True))
    else:
        click.echo(job_line(job))
        if job.expires_at:
            click.echo(f"outputs expire at {job.expires_at.isoformat()}")


@cli.command()
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


@cli.command()
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
            safe_file_name(f"{job_name}.mp4" if variant == "video" else f"{job_name}.{variant}")
        )
    target = _check_output(output, force)
    with client:
        path = client.download(ref, target, variant=variant)
    click.echo(str(path))


# -- the ledger ------------------------------------------------------------------------------


@cli.command()
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
    ledger = Ledger(clock=_clock())
    entries = ledger.entries(status=status_filter, profile=profile, limit=limit)
    if as_json:
        _echo_json([_serialize.entry_to_dict(e) for e in entries])
        return
    if not entries:
        console.print(f"No jobs in the ledger ({ledger.path}).")
        return
    console.print(jobs_table(entries, now=utcnow(_clock())))
    console.print(f"ledger: {ledger.path}")


@cli.command()
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
    ledger = Ledger(clock=_clock())
    pending = ledger.unfinished()
    if not pending:
        console.print("Nothing to resume: every job in the ledger is finished.")
        return
    console.print(f"{len(pending)} unfinished job(s) in {ledger.path}")
    left = 0
    now = utcnow(_clock())
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
                clock=_clock(),
                sleep=_obj().get("sleep"),
                http_client=_obj().get("http_client"),
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
        _fail(f"{left} job(s) still need attention (see above)", 1)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def spend(as_json: bool) -> None:
    """Spend per day and profile, from the quotes of succeeded jobs in the ledger."""
    rows = Ledger(clock=_clock()).spend()
    if as_json:
        _echo_json(
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


# -- catalog and set-up ----------------------------------------------------------------------


@cli.command()
@click.option("--provider", help="Only this provider.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def models(provider: str | None, config_path: str | None, as_json: bool) -> None:
    """The catalog: models, durations, sizes, prices with sources, and lifecycle."""
    providers_found, broken = offer_sources(config_path, everything=True)
    for offer in broken:
        console.print(f"[red]profile {offer.profile}:[/red] {offer.reason}")
    today = today_on(_clock())
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
        _echo_json([{"where": where, **_serialize.model_to_dict(spec)} for where, spec in rows])
        return
    table, sources = models_table(rows, today_retired=retired)
    console.print(table)
    print_sources(sources)


@cli.command()
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


@cli.command()
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


cli.add_command(quote, name="compare")


def main() -> None:
    """Entry point of the ``vidgen`` command."""
    cli(prog_name="vidgen")
