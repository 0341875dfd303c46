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

From a shell: ``python -m vidgen.emulator --port 8000 --speed 10 --fault drop_after_submit``.
See docs/emulator.md.
"""

from ._app import PROTOCOLS, EmulatorApp
from ._faults import FAULT_KINDS, Fault, parse_fault
from ._jobs import ModelProfile, Timing
from ._server import Emulator, serve
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
