"""What every command runs with (its clock, and in tests a sleep and an HTTP client),
and how a command ends with a one-line error."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click
from rich.markup import escape

from .._clock import Clock
from ._render import console, readable

__all__ = ["clock", "echo_json", "fail", "obj"]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on one line of stderr and exit with ``code``.

    2 is the user's mistake, 1 a failure elsewhere, 130 an interrupt.
    """
    line = " ".join(readable(message).split())
    console.print(f"[bold red]error:[/bold red] {escape(line)}", soft_wrap=True)
    sys.exit(code)


def echo_json(data: Any) -> None:
    """``data`` as indented JSON on stdout."""
    click.echo(json.dumps(data, indent=2, default=str))


def obj() -> dict[str, Any]:
    """What the command runs with: its clock, and (in tests) a sleep and an HTTP client."""
    found: dict[str, Any] = click.get_current_context().find_root().obj
    return found


def clock() -> Clock:
    """The clock every date and time decision of the command reads."""
    current: Clock = obj()["clock"]
    return current
