"""Writing a download so that nothing half-written ever sits under the final name."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import attrs

from ._exceptions import TransportError

__all__ = ["AtomicFile", "Saved", "part_path"]


def part_path(target: Path, key: str) -> Path:
    """The temporary file for downloading ``key`` (a job and output) to ``target``.

    The name is the same every time, so an interrupted download (even one whose process
    was killed) is found again and resumed.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return target.parent / f".{target.name}.{digest}.part"


@attrs.frozen
class Saved:
    """A completed download."""

    path: Path
    size: int
    sha256: str


class AtomicFile:
    """A ``.part`` file beside ``target`` that becomes ``target`` only when complete.

    Bytes go to the part file (same folder, so the final rename is atomic). `commit`
    checks the size, fsyncs and renames; until then the target is untouched. With
    ``append`` the bytes already in the part file are kept (a resumed download) and
    counted into the size and SHA-256.
    """

    def __init__(self, target: Path, part: Path, *, append: bool = False) -> None:
        self.target = target
        self.part = part
        target.parent.mkdir(parents=True, exist_ok=True)
        self._hash = hashlib.sha256()
        self.written = 0
        if append and part.exists():
            with open(part, "rb") as existing:
                for block in iter(lambda: existing.read(1 << 20), b""):
                    self._hash.update(block)
                    self.written += len(block)
            self._file = open(part, "ab")  # noqa: SIM115 - closed by commit/keep/discard
        else:
            self._file = open(part, "wb")  # noqa: SIM115 - closed by commit/keep/discard

    def write(self, chunk: bytes) -> None:
        """Append a chunk."""
        self._file.write(chunk)
        self._hash.update(chunk)
        self.written += len(chunk)

    def keep(self) -> None:
        """Stop writing but keep the part file, to resume from it later."""
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()

    def commit(self, expected_bytes: int | None = None) -> Saved:
        """Make the file visible under its final name.

        Raises:
            TransportError: fewer bytes arrived than the server announced (the part file is
                kept, so the download resumes), or more (the part file is removed).
        """
        if expected_bytes is not None and self.written != expected_bytes:
            short = self.written < expected_bytes
            if short:
                self.keep()
            else:
                self.discard()
            raise TransportError(
                f"download of {self.target.name} was cut short: {self.written} of "
                f"{expected_bytes} bytes arrived; nothing was written to {self.target}"
                if short
                else f"download of {self.target.name} sent {self.written} bytes, more than "
                f"the {expected_bytes} announced; discarded",
                request_sent=True,
            )
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.part, self.target)
        _fsync_dir(self.target.parent)
        return Saved(self.target, self.written, self._hash.hexdigest())

    def discard(self) -> None:
        """Drop the part file (safe to call twice)."""
        if not self._file.closed:
            self._file.close()
        self.part.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every platform (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
