"""A running `vidgen.emulator.Emulator` set up for tests: fast jobs, tiny videos."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..emulator import Emulator, Fault, ModelProfile, Timing

__all__ = ["emulator"]

#: The model ids the emulator knows by name (its built-in table); the test profile
#: replaces them too, so ``sora-2`` is as quick to render as any other id.
_BUILT_IN_MODELS = ("sora-2", "sora-2-pro", "sora")


def emulator(
    *,
    speed: float = 50.0,
    clock: Callable[[], float] | None = None,
    timing: Timing | None = None,
    models: Mapping[str, ModelProfile] | None = None,
    default_model: ModelProfile | None = None,
    faults: Iterable[Fault | str] = (),
    protocols: Iterable[str] | None = None,
    state_dir: str | os.PathLike[str] | None = None,
    api_key: str | None = None,
    prerender: bool = False,
    require_video: bool = False,
    max_running: int | None = None,
) -> Emulator:
    """A started emulator on 127.0.0.1 for a test: jobs finish fast and videos are tiny.

    It is already running when returned, and it is its own context manager, so both
    forms work (and ``stop`` is safe to call twice)::

        with vidgen.testing.emulator() as emu:
            client = vidgen.Client(provider="openai-compatible", api_key="test",
                                   base_url=emu.base_url("openai"),
                                   models=[{"id": "emu-1", "durations": [4],
                                            "sizes": ["160x90"]}])
            client.generate(vidgen.VideoRequest(prompt="a kite", duration=4), "kite.mp4")
            assert emu.stats().total_submits == 1

        @pytest.fixture
        def emu():
            with vidgen.testing.emulator(faults=["rate_limit:on=status"]) as running:
                yield running

    The defaults differ from `Emulator`'s: ``speed`` 50, so an 8-second job completes
    in about 0.07 s and the suggested polling interval is 20 ms; and every model,
    ``sora-2`` included, renders silent 8 fps videos (at the size the request asks for:
    ask for a small one such as ``160x90`` and the first download takes a few
    hundredths of a second). Give ``clock=FakeClock()`` and the same clock to the client
    (``clock=c, sleep=c.sleep``) to replay polling with no real waiting at all.

    Args:
        speed: emulated seconds per second of ``clock``.
        clock: the emulator's clock (default `time.time`).
        timing: how long jobs take, in emulated seconds (`vidgen.emulator.Timing`).
        models: model id to `vidgen.emulator.ModelProfile`, over the test profile.
        default_model: the profile of every other model (default: silent, 8 fps).
        faults: scripted faults (`vidgen.emulator.Fault` values or their text, such as
            ``"cut_download:after_bytes=1000"``).
        protocols: the protocols to speak (default: all).
        state_dir: keep jobs and renders here (default: memory and a temporary folder).
        api_key: the key clients must send (default: any key, or none).
        prerender: render each video as soon as its job completes.
        require_video: fail at once, with `vidgen.ConfigError`, when the ``video``
            extra (PyAV and Pillow) is missing, rather than on the first download.
        max_running: answer a submit with 429 while this many jobs are unfinished (a
            vendor's per-account concurrency cap); None for no cap.

    Returns:
        The running `vidgen.emulator.Emulator`; ``base_url("openai")``, ``stats()``,
        ``add_fault()`` and the rest are ready to use.

    Raises:
        ConfigError: ``require_video`` is set and the ``video`` extra is missing.
    """
    from ..emulator import PROTOCOLS, Emulator, ModelProfile

    tiny = default_model if default_model is not None else ModelProfile(audio=False, fps=8)
    table = dict.fromkeys(_BUILT_IN_MODELS, tiny)
    table.update(models or {})
    running = Emulator(
        protocols=PROTOCOLS if protocols is None else protocols,
        speed=speed,
        clock=clock,
        timing=timing,
        models=table,
        default_model=tiny,
        faults=faults,
        state_dir=state_dir,
        api_key=api_key,
        prerender=prerender,
        require_video=require_video,
        max_running=max_running,
    )
    return running.start()
