"""Options shared by several commands, and the request and client they build."""

from __future__ import annotations

import sys
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from .._budget import money
from .._config import load_config
from .._exceptions import ConfigError
from .._reference import Reference
from .._request import VideoRequest
from ..plugins import get_registry
from ._context import clock, obj

if TYPE_CHECKING:
    from .._client import Client

__all__ = [
    "build_client",
    "build_request",
    "check_target",
    "parse_money",
    "read_prompt",
    "request_options",
    "target_options",
]


def request_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The fields of a `VideoRequest`, and the fit policy."""
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


def target_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Where to send: a profile or a provider, the config file, retired models."""
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
    if value.startswith("http://"):
        raise click.BadParameter(
            f"{value} is plain http; give an https URL, or download the image and pass its path",
            param_hint="--reference",
        )
    if "://" in value:
        return Reference.from_url(value)
    try:
        return Reference.from_path(value)
    except FileNotFoundError:
        raise click.BadParameter(f"no such file: {value}", param_hint="--reference") from None
    except IsADirectoryError:
        raise click.BadParameter(
            f"{value} is a folder; give an image file", param_hint="--reference"
        ) from None
    except OSError as exc:
        raise click.BadParameter(
            f"cannot read {value}: {exc.strerror or exc}", param_hint="--reference"
        ) from None


def read_prompt(prompt: str) -> str:
    """The prompt argument; ``-`` reads it from stdin, as Unix tools do."""
    if prompt != "-":
        return prompt
    return sys.stdin.read().strip()


def build_request(prompt: str, **fields: Any) -> VideoRequest:
    """The request the options describe (a bad field raises `InvalidInput`: one line)."""
    return VideoRequest(
        prompt=read_prompt(prompt),
        duration=fields.get("duration"),
        aspect=fields.get("aspect"),
        resolution=fields.get("resolution"),
        model=fields.get("model"),
        reference=_reference(fields.get("reference")),
        variants=fields.get("variants", 1),
    )


def parse_money(value: str | None) -> Decimal | None:
    """``--max-cost``: ``2.50`` or ``$2.50``, zero or more."""
    return money(value, "--max-cost")


def check_target(profile: str | None, provider: str | None) -> None:
    """``--profile`` and ``--provider`` name the same thing two ways: one of them."""
    if profile is not None and provider is not None:
        raise click.UsageError(
            f"give --profile or --provider, not both (--profile {profile} --provider {provider})"
        )


def build_client(
    profile: str | None,
    provider: str | None,
    config_path: str | None,
    allow_retired: bool = False,
    policy: str | None = None,
    max_cost: Decimal | None = None,
) -> Client:
    """A client for ``--profile`` or ``--provider`` (or the default profile)."""
    from .._client import Client  # only commands that send load the client (not `quote`)

    check_target(profile, provider)
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
        clock=clock(),
        sleep=obj().get("sleep"),
        http_client=obj().get("http_client"),
    )
