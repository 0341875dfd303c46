"""``vidgen storyboard``: a film from a storyboard file, shot by shot, joined into one video."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import attrs
import click
from rich.markup import escape

from .._checks import check_output_path
from ._context import echo_json, fail
from ._options import build_client, parse_money, target_options
from ._render import console

if TYPE_CHECKING:
    # The client, the film flow and storyboards load when a command runs, not for every
    # `vidgen quote`.
    from .._client import Client
    from .._film import Film, RenderProgress
    from .._storyboard import Storyboard

__all__ = ["render_film", "show_film", "storyboard"]


def _interrupted() -> NoReturn:
    fail(
        "interrupted: every finished shot is kept; a shot in progress keeps running and may "
        "be billed. Run `vidgen resume` (or this command again) to continue: finished shots "
        "are not paid again",
        130,
    )


def render_film(
    client: Client,
    board: Storyboard,
    output: Path,
    *,
    timeout: float,
    force: bool,
    draft: bool,
) -> Film:
    """Render with a progress display: one bar per shot and one for the film."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        overall = progress.add_task("film", total=len(board.shots) + 1)
        tasks: dict[int, Any] = {}

        def update(step: RenderProgress) -> None:
            if step.shot == 0:
                progress.update(overall, description=f"film: {step.stage}")
                if step.stage == "done":
                    progress.update(overall, completed=len(board.shots) + 1)
                return
            task = tasks.get(step.shot)
            if task is None:
                task = progress.add_task(f"shot {step.shot}", total=100)
                tasks[step.shot] = task
            state = step.job.status.value if step.job is not None else step.stage
            done = step.stage in ("downloaded", "reused")
            percent = 100 if done else (step.job.progress or 0) if step.job is not None else 0
            label = f"shot {step.shot}/{step.shots} {step.stage if done else state}"
            progress.update(task, completed=percent, description=label)
            if done:
                progress.update(overall, advance=1)

        try:
            return client.render(
                board, output, timeout=timeout, on_progress=update, overwrite=force, draft=draft
            )
        except KeyboardInterrupt:
            _interrupted()


def show_film(film: Film, as_json: bool) -> None:
    """The film on stdout (its path, or JSON), and a summary on stderr."""
    for shot in film.shots:
        how = "reused" if shot.reused else f"job {shot.job_id}"
        start = " from the previous last frame" if shot.first_frame == "last-frame" else ""
        price = shot.quote.format_amount() if shot.quote is not None else "unknown"
        console.print(f"shot {shot.number}: {escape(how)}{start}, {price}")
    joined = "joined as they were" if film.join == "copy" else f"re-encoded ({film.join_reason})"
    length = f"{film.duration:.2f} s" if film.duration is not None else "length not probed"
    console.print(f"film: {len(film.shots)} shots {joined}, {length}")
    for issue in film.issues:
        console.print(f"[yellow]warning:[/yellow] {escape(issue)}")
    if as_json:
        echo_json(
            {
                "path": str(film.path),
                "duration": film.duration,
                "expected_seconds": film.expected_seconds,
                "join": film.join,
                "continuity": film.continuity,
                "total": str(film.total) if film.total is not None else None,
                "currency": film.currency,
                "issues": list(film.issues),
                "shots": [
                    {
                        **attrs.asdict(shot, recurse=False, filter=lambda a, _: a.name != "quote"),
                        "clip": str(shot.clip),
                        "price": str(shot.quote.amount)
                        if shot.quote is not None and shot.quote.amount is not None
                        else None,
                    }
                    for shot in film.shots
                ],
            }
        )
    else:
        click.echo(str(film.path))


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--output", "-o", required=True, help="Where to save the film (.mp4).")
@target_options
@click.option(
    "--policy",
    type=click.Choice(["strict", "nearest"]),
    default=None,
    help="strict refuses what a model can't do; nearest adjusts and says so.",
)
@click.option(
    "--draft", is_flag=True, help="Every shot at its model's shortest length and lowest tier."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=900,
    show_default=True,
    help="Seconds to wait for each shot.",
)
@click.option("--max-cost", help="Refuse if the whole film is quoted higher than this.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the film as JSON on stdout.")
def storyboard(
    file: str,
    output: str,
    profile: str | None,
    provider: str | None,
    config_path: str | None,
    allow_retired: bool,
    policy: str | None,
    draft: bool,
    timeout: float,
    max_cost: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """Render a storyboard file into one video: shot by shot, each from the last frame of
    the one before, then joined. Prints the film's path.

    FILE is a TOML storyboard (see docs/long-videos.md). Finished shots are kept: run the
    same command again after a failure or Ctrl-C, and only what is left is rendered.
    """
    check_output_path(output, overwrite=force, exists_hint="pass --force to replace it")
    from .._storyboard import Storyboard

    board = Storyboard.from_toml(file)
    # --profile/--provider win over the file's own; shots that name theirs keep them.
    where_profile = profile if profile or provider else board.profile
    where_provider = provider if profile or provider else board.provider
    board = attrs.evolve(board, profile=None, provider=None)
    with build_client(
        where_profile, where_provider, config_path, allow_retired, policy, parse_money(max_cost)
    ) as client:
        film = render_film(client, board, Path(output), timeout=timeout, force=force, draft=draft)
    show_film(film, as_json)
