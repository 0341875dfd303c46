"""Writing a download so that nothing half-written ever sits under the final name."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ._exceptions import TransportError

__all__ = ["AtomicFile"]


class AtomicFile:
    """A temporary file beside ``target`` that becomes ``target`` only when complete.

    Bytes go to ``.NAME.RANDOM.part`` in the target's folder (same file system, so the
    final rename is atomic). `commit` flushes, fsyncs and renames; `discard` removes the
    temporary file. The target is never touched until `commit` succeeds.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        target.parent.mkdir(parents=True, exist_ok=True)
        self.part = target.parent / f".{target.name}.{secrets.token_hex(4)}.part"
        self._file = open(self.part, "xb")  # noqa: SIM115 - closed by commit/discard
        self.written = 0

    def write(self, chunk: bytes) -> None:
        """Append a chunk."""
        self._file.write(chunk)
        self.written += len(chunk)

    def commit(self, expected_bytes: int | None = None) -> Path:
        """Make the file visible under its final name.

        Raises:
            TransportError: fewer (or more) bytes arrived than the server announced; the
                temporary file is removed and the target left as it was.
        """
        if expected_bytes is not None and self.written != expected_bytes:
            self.discard()
            raise TransportError(
                f"download of {self.target.name} was cut short: {self.written} of "
                f"{expected_bytes} bytes arrived; nothing was written to {self.target}",
                request_sent=True,
            )
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.part, self.target)
        _fsync_dir(self.target.parent)
        return self.target

    def discard(self) -> None:
        """Drop the temporary file (safe to call twice)."""
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
