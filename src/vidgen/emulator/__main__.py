"""``python -m vidgen.emulator``: run the emulator in the foreground.

    python -m vidgen.emulator --port 8000 --protocol openai --speed 10 \\
        --fault rate_limit:on=status,times=2 --fault drop_after_submit \\
        [--port-file F] [--state-dir D] [--lifetime 120]

The same command as ``vidgen emulator serve``, with the same options (see `_command`):
``--fault`` takes ``KIND[:FIELD=VALUE,...]`` or a JSON object (see `parse_fault`);
``--model`` takes ``ID[:audio=no,fps=30,durations=4/8,sizes=1280x720/720x1280]``.
A bad option exits 2, an address that cannot be used exits 1.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from ._command import EPILOG, parse_model, run_serve, serve_options

__all__ = ["main", "parse_model"]


@click.command(
    epilog=EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@serve_options
def _command(**options: Any) -> None:
    """A local emulator of video-generation APIs (OpenAI /v1/videos, aivideoapi, Azure
    video jobs) with scripted faults and its own clock."""
    try:
        run_serve(options, echo=lambda text: click.echo(text, err=True))
    except (OSError, ValueError) as exc:
        click.echo(f"vidgen emulator: {exc}", err=True)
        sys.exit(1)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and serve until interrupted; the exit status."""
    status = 0
    try:
        _command.main(
            args=list(argv) if argv is not None else None,
            prog_name="python -m vidgen.emulator",
        )
    except SystemExit as exit_:  # click ends every run this way
        status = exit_.code if isinstance(exit_.code, int) else 1
    return status


if __name__ == "__main__":
    sys.exit(main())
