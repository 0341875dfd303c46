"""``vidgen batch`` (a JSONL file of requests, done once each) and ``vidgen worker``."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape

from .._exceptions import InvalidInput
from ._context import clock, echo_json, fail, obj
from ._options import build_client, target_options
from ._render import console

if TYPE_CHECKING:
    from .._batch import BatchProgress, BatchResult

__all__ = ["batch", "worker"]

_TIMEOUT = click.FloatRange(min=0, min_open=True)


def _write_results(path: Path, results: list[BatchResult]) -> None:
    """The results file, whole or not at all (written beside it, synced, renamed over it)."""
    from .._files import part_path, write_file

    data = "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in results)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, part_path(path, "batch results"), data.encode("utf-8"))


class _Display:
    """A progress bar on stderr, and one line per line that did not go well."""

    def __init__(self, quiet: bool) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.quiet = quiet
        self.progress = Progress(
            TextColumn("[bold]batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            console=console,
            transient=True,
            disable=quiet,
        )
        self.task = self.progress.add_task("batch", total=None, counts="")
        self.started = False

    def __enter__(self) -> _Display:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            self.progress.stop()

    def __call__(self, step: BatchProgress) -> None:
        if not self.started and step.running:
            # Only once a line is worked on: a batch refused before it starts (a bad
            # budget, over budget) prints its one line and nothing else.
            self.started = True
            self.progress.start()
        counts = f"{step.running} running, {step.failed} failed, {step.pending} waiting"
        if step.needs_attention:
            counts += f", {step.needs_attention} need attention"
        self.progress.update(
            self.task, total=step.total, completed=step.done + step.failed, counts=counts
        )
        last = step.last
        if last is not None and last.status != "done" and not self.quiet:
            self.progress.console.print(
                f"  {escape(last.custom_id)}: [yellow]{last.status}[/yellow] "
                f"{escape(last.error or '')}"
            )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--output-dir",
    "-o",
    type=click.Path(file_okay=False),
    help="Folder for the videos (default: a folder named after FILE, beside it).",
)
@click.option(
    "--results",
    "results_path",
    type=click.Path(dir_okay=False),
    help="Where to write the results (JSONL; default: FILE.results.jsonl).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    help="Lines worked on at once (default: the profile's max_in_flight).",
)
@click.option("--budget", help="The most the whole batch may cost (checked before any submit).")
@click.option(
    "--batch-id",
    help="The batch's name in the ledger (default: FILE's name without .jsonl).",
)
@click.option("--retry-failed", is_flag=True, help="Submit lines whose job failed again.")
@click.option("--force", is_flag=True, help="Replace files vidgen did not save for the line.")
@click.option("--timeout", type=_TIMEOUT, default=900, show_default=True, help="Seconds per job.")
@click.option(
    "--enqueue",
    is_flag=True,
    help="Put the lines in the ledger for `vidgen worker` processes and return.",
)
@target_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON on stdout.")
def batch(
    file: str,
    output_dir: str | None,
    results_path: str | None,
    concurrency: int | None,
    budget: str | None,
    batch_id: str | None,
    retry_failed: bool,
    force: bool,
    timeout: float,
    enqueue: bool,
    profile: str | None,
    provider: str | None,
    config_path: str | None,
    allow_retired: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Render every line of a JSONL FILE once: one request per line, each with a custom_id.

    Every line is checked and priced before the first submit. Running the same FILE
    again skips the lines already done and carries on with those in flight: a line is
    never paid for twice. Lines may name their own profile or provider.
    """
    from .._batch import read_batch_file, run_batch

    source = Path(file)
    lines = read_batch_file(source)
    stem = source.name[: -len(".jsonl")] if source.name.endswith(".jsonl") else source.stem
    folder = Path(output_dir) if output_dir else source.parent / stem
    results_file = Path(results_path) if results_path else source.with_name(f"{stem}.results.jsonl")
    if results_file.exists() and results_file.is_dir():
        raise InvalidInput(f"{results_file} is a folder; --results takes a file", param="results")
    display = _Display(quiet or as_json)
    with build_client(profile, provider, config_path, allow_retired=allow_retired) as client:
        interrupted = False
        try:
            with display:
                results = run_batch(
                    client,
                    lines,
                    folder,
                    batch_id=batch_id or stem,
                    concurrency=concurrency,
                    budget=budget,
                    retry_failed=retry_failed,
                    overwrite=force,
                    timeout=timeout,
                    enqueue_only=enqueue,
                    on_progress=display,
                )
        except KeyboardInterrupt:
            interrupted = True
            from .._batch import batch_group_id, batch_results

            assert client.ledger is not None
            results = batch_results(client.ledger, batch_group_id(batch_id or stem), lines)
    ordered = list(results.values())
    _write_results(results_file, ordered)
    if as_json:
        echo_json([r.to_dict() for r in ordered])
    else:
        click.echo(str(results_file))
    counts = {
        state: sum(1 for r in ordered if r.status == state)
        for state in ("done", "failed", "pending", "needs_attention")
    }
    summary = (
        f"{counts['done']} done, {counts['failed']} failed, {counts['pending']} pending"
        + (f", {counts['needs_attention']} need attention" if counts["needs_attention"] else "")
        + f" of {len(ordered)}; videos in {folder}"
    )
    if enqueue:
        console.print(
            f"{len(ordered)} lines are in the ledger as batch {escape(batch_id or stem)!s}; "
            "start `vidgen worker` processes to render them"
        )
    elif interrupted:
        console.print(
            f"[bold red]error:[/bold red] interrupted: {escape(summary)}. Run the same "
            "command again to carry on; nothing is paid for twice"
        )
        # Lines in hand are left to their ledger rows (a later run resumes them): do
        # not wait for their threads.
        os._exit(130)
    else:
        console.print(summary)
    if not enqueue and counts["done"] != len(ordered):
        fail(f"{len(ordered) - counts['done']} line(s) not done (see {results_file})", 1)


@click.command()
@click.option("--batch-id", help="Only this batch (default: every running batch).")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Lines worked on at once.",
)
@click.option(
    "--lease",
    type=click.FloatRange(min=1),
    default=300,
    show_default=True,
    help="Seconds a claim lasts unless renewed; a dead worker's lines are taken up after it.",
)
@click.option(
    "--forever",
    is_flag=True,
    help="Keep looking for new lines instead of stopping when none is left.",
)
@click.option(
    "--poll",
    type=click.FloatRange(min=0.05),
    default=2.0,
    show_default=True,
    help="With --forever, seconds between looks for new lines.",
)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
def worker(
    batch_id: str | None,
    concurrency: int,
    lease: float,
    forever: bool,
    poll: float,
    config_path: str | None,
) -> None:
    """Work on batch lines kept in the (shared) ledger, alongside other workers.

    Start as many as you like, on as many machines as share the ledger
    (ledger_url = "postgresql://..." or VIDGEN_LEDGER_URL). Each line is claimed with a
    lease the worker renews while it works; lines of a worker that died are taken up once
    its lease runs out, and a submit it may have sent is looked for at the provider, never
    sent again blindly. Ctrl-C (or SIGTERM) stops taking new lines and finishes the ones
    in hand.
    """
    from .._batch import run_worker
    from .._config import load_config
    from .._ledger import Ledger, ledger_location
    from .._recovery import client_for_group

    stopping = threading.Event()

    def stop(*_: Any) -> None:
        if stopping.is_set():
            raise KeyboardInterrupt
        stopping.set()
        console.print("stopping: finishing the lines in hand (press Ctrl-C again to quit now)")

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    ledger = Ledger(ledger_location(config=load_config(config_path)), clock=clock())
    done = 0

    def report(result: BatchResult) -> None:
        nonlocal done
        done += 1
        colour = "green" if result.status == "done" else "yellow"
        console.print(
            f"{escape(result.custom_id)}: [{colour}]{result.status}[/{colour}]"
            + (f" {escape(result.error)}" if result.error and result.status != "done" else "")
        )

    try:
        finished = run_worker(
            ledger,
            batch_id=batch_id,
            concurrency=concurrency,
            lease=dt.timedelta(seconds=lease),
            keep_running=forever,
            poll=poll,
            config=config_path,
            make_client=obj().get("make_client") or client_for_group,
            on_result=report,
            should_stop=stopping.is_set,
        )
    except KeyboardInterrupt:
        console.print(
            f"[bold red]error:[/bold red] interrupted after {done} line(s); the lines in "
            "hand are taken up again once their lease runs out"
        )
        os._exit(130)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        ledger.close()
    console.print(f"worker finished {finished} line(s)")
