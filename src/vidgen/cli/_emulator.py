"""``vidgen emulator serve``: the local emulator in the foreground (docs/emulator.md).

The options, the banner and the way it stops are shared with ``python -m vidgen.emulator``
(`vidgen.emulator._command`); this module only prints errors the ``vidgen`` way. The
``serve`` command is built when it is asked for, so that other commands (``vidgen
quote`` above all) never load the emulator's command line.
"""

from __future__ import annotations

from typing import Any

import click

from ._context import fail

__all__ = ["emulator"]

_COMMANDS = ("serve",)


def _serve_command() -> click.Command:
    from ..emulator._command import EPILOG, run_serve, serve_options

    @click.command(name="serve", epilog=EPILOG, context_settings={"max_content_width": 100})
    @serve_options
    def serve(**options: Any) -> None:
        """Run the emulator in the foreground until Ctrl-C.

        It prints each protocol's base URL and how to point the official openai SDK at it.
        """
        try:
            run_serve(options, echo=lambda text: click.echo(text, err=True))
        except OSError as exc:
            where = f"{options['host']}:{options['port']}"
            reason = exc.strerror or str(exc)
            fail(f"cannot serve on {where}: {reason} (choose another --port, or --port 0)", 1)
        except ValueError as exc:
            fail(str(exc))

    return serve


class _EmulatorGroup(click.Group):
    """A group whose commands are imported when one of them is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name == "serve":
            self.add_command(_serve_command())
        return self.commands.get(cmd_name)


@click.group(cls=_EmulatorGroup)
def emulator() -> None:
    """A local stand-in for video APIs: real videos, scripted faults, no key (docs/emulator.md)."""
