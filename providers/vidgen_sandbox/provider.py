"""The ``sandbox`` provider: real HTTP to a local emulator, real video files, $0.

On first use it starts `vidgen.emulator.Emulator` inside this process, on 127.0.0.1, and
talks to it with the OpenAI ``/v1/videos`` protocol, so everything a paid job goes through
happens for real: the ledger, polling with a progress bar, retries, an atomic download, a
resume after a crash. The emulator keeps its jobs under ``$VIDGEN_HOME/sandbox``, so a job
submitted by one process can be finished by another (``vidgen resume``).

Its catalog mirrors the shapes of real models: fixed durations, a range of durations,
three aspect ratios, two resolution tiers, with and without sound, with and without a
first-frame image. Rendering needs the ``video`` extra (``pip install 'vidgen[video]'``).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, ClassVar

from vidgen import ConfigError, PollPolicy
from vidgen.emulator import Emulator, ModelProfile
from vidgen.provider import data_dir
from vidgen_openai import VideosAPIProvider

__all__ = ["SandboxProvider"]

_lock = threading.Lock()
_running: dict[tuple[str, float], Emulator] = {}


class SandboxProvider(VideosAPIProvider):
    """A local stand-in for a video API, with real videos and no charge.

    Settings:
        speed: how much faster than the emulator's default pace jobs finish (1.0: an
            8-second video takes about 3 seconds; tests use more).
        state_dir: where the emulator keeps its jobs and videos (default
            ``$VIDGEN_HOME/sandbox``).
    """

    name = "sandbox"
    display_name = "Sandbox (local emulator, no key, no charge)"
    api_key_env: ClassVar[str | None] = None
    catalog_package = "vidgen_sandbox"
    docs_url = "docs/providers/sandbox.md"
    # The emulator suggests its own pace (openai-poll-after-ms); this is the fallback.
    default_poll: ClassVar[PollPolicy | None] = PollPolicy(initial=0.5, factor=1.5, maximum=2.0)
    # Free test videos are not an offer: quote it by name (`--provider sandbox`).
    in_compare: ClassVar[bool] = False

    def __init__(
        self,
        *,
        speed: float = 1.0,
        state_dir: str | None = None,
        **settings: Any,
    ) -> None:
        if settings.get("base_url") is not None:
            raise ConfigError(
                "sandbox runs its own local emulator and takes no base_url; to point an "
                "OpenAI-compatible client at a standalone emulator, use `vidgen emulator serve`"
            )
        super().__init__(**settings)
        if not isinstance(speed, (int, float)) or isinstance(speed, bool) or not speed > 0:
            raise ConfigError(f"sandbox: speed must be a positive number, not {speed!r}")
        self.speed = float(speed)
        self.state_dir = state_dir

    @property
    def endpoint(self) -> str:
        """Always ``sandbox``: the emulator's port changes from process to process, its
        jobs (kept on disk) do not."""
        return "sandbox"

    def public_settings(self) -> dict[str, Any]:
        """Its settings without the emulator's address, which changes from process to process."""
        settings = super().public_settings()
        settings.pop("base_url", None)
        return settings

    def auth_headers(self) -> dict[str, str]:
        """The sandbox needs no key."""
        return {}

    def prepare(self) -> None:
        """Start the shared local emulator (once per process and folder) and aim at it."""
        if self.base_url:
            return
        folder = Path(self.state_dir) if self.state_dir else data_dir(self.name)
        key = (str(folder.resolve()), self.speed)
        with _lock:
            emulator = _running.get(key)
            if emulator is None:
                models = {
                    spec.id: ModelProfile(
                        audio=bool(spec.audio),
                        fps=spec.fps or 24,
                        durations=spec.durations,
                        sizes=[s.size for s in spec.sizes],
                    )
                    for spec in self.catalog.models
                }
                emulator = Emulator(
                    speed=self.speed,
                    protocols=("openai",),
                    models=models,
                    state_dir=folder,
                    require_video=True,
                ).start()
                _running[key] = emulator
        self.base_url = emulator.base_url("openai")
