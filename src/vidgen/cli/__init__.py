"""The ``vidgen`` command.

Tables, progress and messages go to stderr; stdout carries the result a script wants:
job ids, file paths, a job's status line and ``--json`` output. A user error prints one line and exits 2; a
failure at the provider exits 1. Neither prints a traceback.

One module per concern: ``_quote`` (quotes, price refresh), ``_jobs`` (one job: generate, submit,
status, wait, cancel, download), ``_ledger`` (jobs, resume, spend), ``_setup`` (models,
providers, config), ``_film`` (storyboards); ``_options`` builds requests and clients from shared options,
``_context`` holds what a command runs with, ``_render`` draws tables.
"""

from __future__ import annotations

from typing import Any, NoReturn

import click

from .._clock import system_clock
from .._exceptions import VidgenError
from .._version import __version__
from ._batch import batch, worker
from ._context import fail
from ._emulator import emulator
from ._film import storyboard
from ._jobs import cancel, download, generate, status, submit, wait
from ._ledger import jobs, resume, spend
from ._quote import prices, quote
from ._setup import config, models, providers
from ._webhooks import webhooks

__all__ = ["cli", "main"]


class _NeverRaised(Exception):
    pass


# click 8.2 signals "no arguments: show the help" with a UsageError subclass.
_NoArgsIsHelp: type[Exception] = getattr(click.exceptions, "NoArgsIsHelpError", _NeverRaised)


def _usage_error(exc: click.UsageError) -> NoReturn:
    """A bad option or argument as one line, pointing at the command's help."""
    if isinstance(exc, _NoArgsIsHelp):
        raise exc  # `vidgen` alone: click prints the help
    where = exc.ctx.command_path if exc.ctx is not None else "vidgen"
    fail(f"{exc.format_message().rstrip('.')} (see `{where} --help`)", exc.exit_code)


class _Group(click.Group):
    """Turns vidgen's errors into one line and an exit code, never a traceback.

    A user error (and a bad option) exits 2, a failure elsewhere 1, an interrupt 130.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            _usage_error(exc)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            _usage_error(exc)
        except VidgenError as exc:
            fail(str(exc), 2 if exc.user_error else 1)
        except KeyboardInterrupt:
            fail("interrupted", 130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vidgen")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Generate videos through any provider, with one request and one set of errors and prices."""
    # Every date and time decision of a command reads this clock; tests pass their own
    # (and a sleep and an http_client) with CliRunner.invoke(cli, ..., obj={...}).
    ctx.ensure_object(dict)
    ctx.obj.setdefault("clock", system_clock)


for _command in (
    quote,
    generate,
    storyboard,
    batch,
    worker,
    submit,
    status,
    wait,
    cancel,
    download,
    jobs,
    resume,
    spend,
):
    cli.add_command(_command)
for _command in (models, providers, prices, config):
    cli.add_command(_command)
cli.add_command(quote, name="compare")
cli.add_command(emulator)
cli.add_command(webhooks)


def main() -> None:
    """Entry point of the ``vidgen`` command."""
    cli(prog_name="vidgen")
