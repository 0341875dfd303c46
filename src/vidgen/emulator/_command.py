"""The emulator's command line, shared by ``vidgen emulator serve`` and ``python -m vidgen.emulator``.

Both commands take the same options (`serve_options`), turn them into the arguments of
`serve` the same way (`serve_arguments`), print the same banner once listening
(`banner`: each protocol's base URL and how to point the official ``openai`` SDK at it),
and treat Ctrl-C as a normal stop (`run_serve`). Only how an error is printed differs:
each command prints it in its own style.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import click

from ._faults import FAULT_KINDS, PROTOCOL_NAMES, Fault, parse_fault
from ._jobs import ModelProfile, Timing
from ._server import BASE_PATHS, serve

__all__ = ["banner", "parse_model", "run_serve", "serve_arguments", "serve_options"]

_TRUE = ("1", "yes", "true", "on")
_FALSE = ("0", "no", "false", "off")
_LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
#: The help's closing paragraph, in both commands.
EPILOG = (
    "--fault takes KIND[:FIELD=VALUE,...], e.g. rate_limit:on=status,times=2 or "
    "cut_download:after_bytes=300000 (or a JSON object when a value has a comma); kinds: "
    + ", ".join(FAULT_KINDS)
    + ". --model takes ID[:FIELD=VALUE,...] with the fields audio (yes or no), fps, "
    "durations (4/8), sizes (1280x720/720x1280) and synthetic_bytes (a benchmarking aid: "
    "serve that many bytes instead of a rendered video). See docs/emulator.md."
)


def parse_model(spec: str) -> tuple[str, ModelProfile]:
    """``ID[:audio=yes|no,fps=N,durations=4/8,sizes=WxH/WxH,synthetic_bytes=N]`` as a
    model table entry.

    Raises:
        ValueError: the text is not a model entry.
    """
    model, _, rest = spec.partition(":")
    if not model.strip():
        raise ValueError(f"model {spec!r} has no id")
    audio, fps = True, 24
    durations: list[int] | None = None
    sizes: list[str] | None = None
    synthetic: int | None = None
    for item in filter(None, (part.strip() for part in rest.split(","))):
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"model field {item!r} is not NAME=VALUE")
        if name == "audio":
            if value.lower() not in _TRUE + _FALSE:
                raise ValueError(f"audio must be yes or no, not {value!r}")
            audio = value.lower() in _TRUE
        elif name == "fps":
            fps = int(value)
        elif name == "durations":
            durations = [int(d) for d in value.split("/") if d]
        elif name == "sizes":
            sizes = [s for s in value.split("/") if s]
        elif name == "synthetic_bytes":
            synthetic = int(value)
        else:
            raise ValueError(
                f"unknown model field {name!r}; fields: audio, fps, durations, sizes, "
                "synthetic_bytes"
            )
    profile = ModelProfile(
        audio=audio, fps=fps, durations=durations, sizes=sizes, synthetic_bytes=synthetic
    )
    return model.strip(), profile


# -- option callbacks: each turns text into values, or says in one line what is wrong ---------


def _protocols(_: click.Context, __: click.Parameter, values: Sequence[str]) -> tuple[str, ...]:
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in (*PROTOCOL_NAMES, "all")]
    if unknown:
        raise click.BadParameter(
            f"unknown protocol {unknown[0]!r}; the emulator speaks "
            f"{', '.join(PROTOCOL_NAMES)} (or all)"
        )
    if not names or "all" in names:
        return PROTOCOL_NAMES
    return tuple(dict.fromkeys(names))


def _faults(_: click.Context, __: click.Parameter, values: Sequence[str]) -> tuple[Fault, ...]:
    try:
        return tuple(parse_fault(value) for value in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _models(
    _: click.Context, __: click.Parameter, values: Sequence[str]
) -> dict[str, ModelProfile]:
    try:
        return dict(parse_model(value) for value in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def serve_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options of ``serve``: where to listen, what to speak, how fast, which faults."""
    defaults = Timing()
    seconds = click.FloatRange(min=0)
    options = [
        click.option(
            "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
        ),
        click.option(
            "--port",
            type=click.IntRange(0, 65535),
            default=8000,
            show_default=True,
            help="Port; 0 picks a free one (see --port-file).",
        ),
        click.option(
            "--protocol",
            "protocols",
            multiple=True,
            callback=_protocols,
            metavar="NAME",
            help=f"A protocol to speak: {', '.join(PROTOCOL_NAMES)} or all (the default); "
            "repeat or separate with commas for several.",
        ),
        click.option(
            "--speed",
            type=click.FloatRange(min=0, min_open=True),
            default=1.0,
            show_default=True,
            help="Emulated seconds per real second (10 finishes jobs ten times faster).",
        ),
        click.option(
            "--fault",
            "faults",
            multiple=True,
            callback=_faults,
            metavar="SPEC",
            help="A scripted fault, KIND[:FIELD=VALUE,...]; repeatable (see below).",
        ),
        click.option(
            "--model",
            "models",
            multiple=True,
            callback=_models,
            metavar="SPEC",
            help="A model table entry, ID[:FIELD=VALUE,...]; repeatable (see below).",
        ),
        click.option(
            "--port-file",
            type=click.Path(dir_okay=False),
            help="Write the port here once listening (atomically).",
        ),
        click.option(
            "--state-dir",
            type=click.Path(file_okay=False),
            help="Keep jobs and renders here, across restarts.",
        ),
        click.option("--api-key", help="Require this key (default: accept any key, or none)."),
        click.option("--public-url", help="Origin to put in output URLs."),
        click.option(
            "--prerender", is_flag=True, help="Render videos as soon as their jobs complete."
        ),
        click.option(
            "--lifetime",
            type=click.FloatRange(min=0, min_open=True),
            help="Stop by itself after this many seconds.",
        ),
        click.option(
            "--log-level",
            type=click.Choice(_LOG_LEVELS),
            default="info",
            show_default=True,
            help="Server log level (requests are logged at info).",
        ),
        click.option(
            "--queue",
            type=seconds,
            default=defaults.queue,
            show_default=True,
            help="Emulated seconds a job is queued.",
        ),
        click.option(
            "--render-base",
            type=seconds,
            default=defaults.render_base,
            show_default=True,
            help="Emulated seconds of rendering for any job.",
        ),
        click.option(
            "--render-per-second",
            type=seconds,
            default=defaults.render_per_second,
            show_default=True,
            help="Emulated seconds of rendering per second of video.",
        ),
        click.option(
            "--retention",
            type=seconds,
            default=defaults.retention,
            show_default=True,
            help="Emulated seconds from completion until content expires.",
        ),
        click.option(
            "--max-running",
            type=click.IntRange(min=1),
            help="Answer a submit with 429 while this many jobs are unfinished, as a "
            "vendor's per-account concurrency cap does.",
        ),
        click.option(
            "--poll-after",
            type=seconds,
            default=defaults.poll_after,
            show_default=True,
            help="The polling interval the emulator suggests, in emulated seconds.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def serve_arguments(options: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of `serve` for the options `serve_options` parsed."""
    return {
        "host": options["host"],
        "port": options["port"],
        "protocols": options["protocols"],
        "speed": options["speed"],
        "timing": Timing(
            queue=options["queue"],
            render_base=options["render_base"],
            render_per_second=options["render_per_second"],
            retention=options["retention"],
            poll_after=options["poll_after"],
        ),
        "max_running": options["max_running"],
        "models": options["models"],
        "faults": options["faults"],
        "state_dir": options["state_dir"],
        "api_key": options["api_key"],
        "public_url": options["public_url"],
        "prerender": options["prerender"],
        "port_file": options["port_file"],
        "lifetime": options["lifetime"],
        "log_level": options["log_level"],
    }


def banner(
    origin: str,
    *,
    protocols: Sequence[str],
    api_key: str | None = None,
    speed: float = 1.0,
    faults: Sequence[Fault] = (),
) -> str:
    """What a user needs once the emulator listens: base URLs, and the SDK's settings."""
    key_note = "clients must send the --api-key" if api_key else "any API key accepted"
    lines = [f"vidgen emulator on {origin} (speed {speed:g}x, {key_note})"]
    width = max(len(name) for name in protocols)
    for name in protocols:
        line = f"  {name:<{width}}  base_url {origin}{BASE_PATHS[name]}"
        if name == "azure":
            line += f"  (endpoint {origin})"
        lines.append(line)
    lines.append(f"  {'stats':<{width}}  {origin}/_emulator/stats")
    if faults:
        kinds = ", ".join(fault.kind for fault in faults)
        lines.append(f"  {'faults':<{width}}  {kinds}")
    if "openai" in protocols:
        key = api_key or "emulator"
        lines += [
            "The official openai SDK:",
            f'  client = openai.OpenAI(base_url="{origin}/v1", api_key="{key}")',
            f"  (or: export OPENAI_BASE_URL={origin}/v1 OPENAI_API_KEY={key})",
        ]
    lines.append("Stop it with Ctrl-C.")
    return "\n".join(lines)


def run_serve(options: Mapping[str, Any], *, echo: Callable[[str], object]) -> None:
    """Serve in the foreground as ``options`` say; ``echo`` prints the banner and the end.

    Ctrl-C (and SIGTERM) stop the server gracefully and this returns normally.

    Raises:
        OSError: the address cannot be listened on (a port in use, say).
        ValueError: an argument the options could not check is wrong.
    """
    arguments = serve_arguments(options)

    def ready(origin: str) -> None:
        echo(
            banner(
                origin,
                protocols=arguments["protocols"],
                api_key=arguments["api_key"],
                speed=arguments["speed"],
                faults=arguments["faults"],
            )
        )

    # An interrupt before the server took over the signal, or after it let go.
    with contextlib.suppress(KeyboardInterrupt):
        serve(**arguments, on_ready=ready)
    echo("vidgen emulator stopped")
