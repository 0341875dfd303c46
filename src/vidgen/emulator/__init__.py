"""A local emulator of video-generation APIs, for tests, demos and the ``sandbox`` provider.

It speaks OpenAI's ``/v1/videos``, aivideoapi's task API and Azure's video jobs exactly
as the real services do, on 127.0.0.1. Jobs move from queued to completed on the
emulator's own clock, the videos it serves are real (rendered with the ``video`` extra),
and faults can be scripted: rate limits, server errors, dropped answers, cut downloads,
failed jobs. It counts what it receives, so a test can prove "exactly one submit".

    from vidgen.emulator import Emulator, Fault

    with Emulator(speed=10, faults=[Fault(kind="rate_limit", on="status")]) as emulator:
        base_url = emulator.base_url("openai")      # http://127.0.0.1:PORT/v1
        ...
        emulator.stats().total_submits

From a shell: ``vidgen emulator serve --port 8000 --speed 10 --fault drop_after_submit``
(or ``python -m vidgen.emulator`` with the same options). See docs/emulator.md.

The names are imported on first use, and `Emulator` imports the server (uvicorn,
asyncio) and the protocols only when one is made: a module that merely names it (the
``sandbox`` provider's, found by every ``vidgen`` command) costs next to nothing.
"""

import importlib
import typing

if typing.TYPE_CHECKING:
    from ._app import EmulatorApp
    from ._faults import FAULT_KINDS, Fault, parse_fault
    from ._jobs import ModelProfile, Timing
    from ._server import PROTOCOLS, Emulator, serve
    from ._stats import Stats

__all__ = [
    "Emulator",
    "EmulatorApp",
    "FAULT_KINDS",
    "Fault",
    "ModelProfile",
    "PROTOCOLS",
    "Stats",
    "Timing",
    "parse_fault",
    "serve",
]

# Where each public name lives.
_HOMES = {
    "Emulator": "._server",
    "EmulatorApp": "._app",
    "FAULT_KINDS": "._faults",
    "Fault": "._faults",
    "ModelProfile": "._jobs",
    "PROTOCOLS": "._server",
    "Stats": "._stats",
    "Timing": "._jobs",
    "parse_fault": "._faults",
    "serve": "._server",
}


def __getattr__(name: str) -> typing.Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value  # found once; later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
