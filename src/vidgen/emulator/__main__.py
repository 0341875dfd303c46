"""``python -m vidgen.emulator``: run the emulator in the foreground.

    python -m vidgen.emulator --port 8000 --protocol openai --speed 10 \\
        --fault rate_limit:on=status,times=2 --fault drop_after_submit \\
        [--port-file F] [--state-dir D] [--lifetime 120]

``--fault`` takes ``KIND[:FIELD=VALUE,...]`` or a JSON object (see `parse_fault`);
``--model`` takes ``ID[:audio=no,fps=30,durations=4/8,sizes=1280x720/720x1280]``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._app import PROTOCOLS
from ._faults import Fault, parse_fault
from ._jobs import ModelProfile, Timing
from ._server import serve

_TRUE = ("1", "yes", "true", "on")
_FALSE = ("0", "no", "false", "off")


def parse_model(spec: str) -> tuple[str, ModelProfile]:
    """``ID[:audio=yes|no,fps=N,durations=4/8,sizes=WxH/WxH]`` as a model table entry.

    Raises:
        ValueError: the text is not a model entry.
    """
    model, _, rest = spec.partition(":")
    if not model.strip():
        raise ValueError(f"model {spec!r} has no id")
    audio, fps = True, 24
    durations: list[int] | None = None
    sizes: list[str] | None = None
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
        else:
            raise ValueError(f"unknown model field {name!r}; fields: audio, fps, durations, sizes")
    return model.strip(), ModelProfile(audio=audio, fps=fps, durations=durations, sizes=sizes)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m vidgen.emulator",
        description="A local emulator of video-generation APIs (OpenAI /v1/videos, "
        "aivideoapi, Azure video jobs) with scripted faults and its own clock.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="port; 0 picks a free one (default 8000)"
    )
    parser.add_argument(
        "--protocol",
        action="append",
        choices=[*PROTOCOLS, "all"],
        help="a protocol to speak; repeat for several (default: all)",
    )
    parser.add_argument("--speed", type=float, default=1.0, help="emulated seconds per real second")
    parser.add_argument(
        "--fault", action="append", default=[], metavar="SPEC", help="a scripted fault; repeatable"
    )
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="SPEC",
        help="a model table entry; repeatable",
    )
    parser.add_argument("--port-file", help="write the port here once listening")
    parser.add_argument("--state-dir", help="keep jobs and renders here, across restarts")
    parser.add_argument("--api-key", help="require this key (default: accept any)")
    parser.add_argument("--public-url", help="origin to put in output URLs")
    parser.add_argument(
        "--prerender", action="store_true", help="render videos as soon as jobs complete"
    )
    parser.add_argument("--lifetime", type=float, help="stop after this many seconds")
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    timing = parser.add_argument_group("timing (emulated seconds)")
    defaults = Timing()
    timing.add_argument(
        "--queue", type=float, default=defaults.queue, help=f"seconds queued ({defaults.queue:g})"
    )
    timing.add_argument(
        "--render-base",
        type=float,
        default=defaults.render_base,
        help=f"fixed render seconds ({defaults.render_base:g})",
    )
    timing.add_argument(
        "--render-per-second",
        type=float,
        default=defaults.render_per_second,
        help=f"render seconds per video second ({defaults.render_per_second:g})",
    )
    timing.add_argument(
        "--retention",
        type=float,
        default=defaults.retention,
        help=f"seconds until content expires ({defaults.retention:g})",
    )
    timing.add_argument(
        "--poll-after",
        type=float,
        default=defaults.poll_after,
        help=f"suggested poll interval ({defaults.poll_after:g})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and serve until interrupted; the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        faults: list[Fault] = [parse_fault(spec) for spec in args.fault]
        models = dict(parse_model(spec) for spec in args.model)
        timing = Timing(
            queue=args.queue,
            render_base=args.render_base,
            render_per_second=args.render_per_second,
            retention=args.retention,
            poll_after=args.poll_after,
        )
    except ValueError as exc:
        parser.error(str(exc))
    protocols = PROTOCOLS if not args.protocol or "all" in args.protocol else tuple(args.protocol)
    try:
        serve(
            host=args.host,
            port=args.port,
            protocols=protocols,
            speed=args.speed,
            timing=timing,
            models=models,
            faults=faults,
            state_dir=args.state_dir,
            api_key=args.api_key,
            public_url=args.public_url,
            prerender=args.prerender,
            port_file=args.port_file,
            lifetime=args.lifetime,
            log_level=args.log_level,
        )
    except (OSError, ValueError) as exc:
        print(f"vidgen emulator: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
