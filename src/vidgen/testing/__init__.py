"""Testing vidgen and vidgen plugins without a network, a key or a real clock.

Public, for plugin authors as much as for vidgen's own suite:

* `FakeClock`: a clock and sleep pair; sleeping advances the clock instantly, so
  recorded polling replays in microseconds (``Client(..., clock=c, sleep=c.sleep)``).
* `make_response`: a complete ``httpx.Response`` for sans-IO tests of ``parse_*``.
* `FakeServer`, `reply`, `fail`, `broken_body`: a scripted server for
  ``httpx.MockTransport`` that records every request.
* `fake_client`, `fake_async_client`: a client on a `FakeServer` and a `FakeClock`.
* `png_bytes`, `jpeg_bytes`, `webp_bytes`, `gif_bytes`: reference images, built byte
  by byte.
* `emulator`: a running `vidgen.emulator.Emulator` for a test (fast jobs, tiny videos):
  real HTTP on 127.0.0.1, scripted faults, and counters to prove "exactly one submit".
* `check_provider`: the basic contract every provider must meet, as a list of problems.
* `ProviderConformance`: the conformance kit; subclass it in a test module to check a
  provider against everything vidgen expects of one (see ``docs/plugins.md``).
"""

from ._clients import fake_async_client, fake_client
from ._clock import FakeClock
from ._conformance import check_provider
from ._emulator import emulator
from ._http import BrokenStream, FakeServer, Reply, broken_body, fail, make_response, reply
from ._images import gif_bytes, jpeg_bytes, png_bytes, webp_bytes
from ._kit import ProviderConformance

__all__ = [
    "BrokenStream",
    "FakeClock",
    "FakeServer",
    "ProviderConformance",
    "Reply",
    "broken_body",
    "check_provider",
    "emulator",
    "fail",
    "fake_async_client",
    "fake_client",
    "gif_bytes",
    "jpeg_bytes",
    "make_response",
    "png_bytes",
    "reply",
    "webp_bytes",
]
