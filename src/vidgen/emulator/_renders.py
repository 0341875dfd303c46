"""Rendered outputs on disk: each video, thumbnail and sprite sheet is made once.

Renders go to ``state_dir/renders`` (kept across emulator processes) or to a temporary
folder removed when the emulator stops. A render for one output is made by one thread
at a time; a request that arrives meanwhile waits for it instead of rendering again.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Literal

from ..media._deps import require_pillow
from ..media._render import render_spritesheet, render_thumbnail, render_video
from ._jobs import JobRecord, ModelProfile

Variant = Literal["video", "thumbnail", "spritesheet"]

_SUFFIX = {"video": "mp4", "thumbnail": "img", "spritesheet": "img"}
_SYNTHETIC_BLOCK = 1 << 20
_SYNTHETIC_SEED = 20261130


class RenderCache:
    """Files for outputs, made on first use."""

    def __init__(self, state_dir: Path | None) -> None:
        if state_dir is not None:
            self.folder = state_dir / "renders"
            self._temporary: str | None = None
        else:
            self._temporary = tempfile.mkdtemp(prefix="vidgen-emulator-")
            self.folder = Path(self._temporary)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def _lock_for(self, name: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(name, threading.Lock())

    def path(
        self,
        record: JobRecord,
        output: str,
        profile: ModelProfile,
        variant: Variant,
        image_format: str = "JPEG",
    ) -> Path:
        """The file of ``variant`` for output ``output`` of ``record``, rendered if needed.

        Blocks while rendering: call it from a worker thread, not the event loop.

        Raises:
            ConfigError: PyAV or Pillow is not installed.
        """
        if variant == "video" and profile.synthetic_bytes is not None:
            return self.synthetic(profile.synthetic_bytes)
        audio = "a" if profile.audio else "s"
        suffix = _SUFFIX[variant] if variant == "video" else image_format.lower()
        name = (
            f"{output}-{variant}-{record.width}x{record.height}-{record.seconds}s-"
            f"{profile.fps}fps-{audio}.{suffix}"
        )
        path = self.folder / name
        if path.exists():
            return path
        with self._lock_for(name):
            if path.exists():  # made while this thread waited
                return path
            width, height, seconds = record.width, record.height, record.seconds
            if variant == "video":
                render_video(
                    path,
                    width=width,
                    height=height,
                    seconds=seconds,
                    fps=profile.fps,
                    title=record.prompt,
                    seed=output,
                    audio=profile.audio,
                )
                return path
            require_pillow()
            draw = render_thumbnail if variant == "thumbnail" else render_spritesheet
            data = draw(
                width=width,
                height=height,
                seconds=seconds,
                fps=profile.fps,
                title=record.prompt,
                seed=output,
                image_format=image_format,
            )
            partial = path.with_name(f".{name}.part")
            partial.write_bytes(data)
            partial.replace(path)
            return path

    def synthetic(self, size: int) -> Path:
        """A file of exactly ``size`` bytes of a fixed pattern (see
        `ModelProfile.synthetic_bytes`), made once and shared by every job of that size.

        The pattern is a pseudo-random mebibyte repeated, so it does not compress and
        every run of the emulator serves the same bytes.
        """
        name = f"synthetic-{size}.bin"
        path = self.folder / name
        if path.exists():
            return path
        with self._lock_for(name):
            if path.exists():
                return path
            block = random.Random(_SYNTHETIC_SEED).randbytes(_SYNTHETIC_BLOCK)
            partial = path.with_name(f".{name}.part")
            with partial.open("wb") as out:
                left = size
                while left:
                    piece = block[: min(left, len(block))]
                    out.write(piece)
                    left -= len(piece)
            partial.replace(path)
            return path

    def forget(self, outputs: tuple[str, ...]) -> None:
        """Delete the files of these outputs (their job was deleted)."""
        for output in outputs:
            for path in self.folder.glob(f"{output}-*"):
                path.unlink(missing_ok=True)

    def close(self) -> None:
        """Remove the temporary folder, if this cache made one."""
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)
