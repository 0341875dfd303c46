"""An exclusive lock on a download's part file, so two processes never write one file.

The lock is an advisory ``flock`` on a small ``.lock`` file beside the part file. The
operating system drops it when the holding process exits, however it exits, so a lock
left by a killed process never blocks anyone.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

__all__ = ["PartLock"]

if sys.platform != "win32":
    import fcntl


class PartLock:
    """A held lock on one part file; `release` gives it back and tidies the lock file."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, part: Path) -> PartLock | None:
        """Lock ``part`` for this process, or None when another process holds it."""
        path = part.with_name(part.name + ".lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            if sys.platform == "win32":  # pragma: no cover - the ledger's claim protects
                return cls(path, fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return None
            # The holder before us may have removed the file after we opened it: then our
            # lock is on a file nobody else can find. Start again on the current one.
            try:
                same = os.fstat(fd).st_ino == os.stat(path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                return cls(path, fd)
            os.close(fd)

    def release(self) -> None:
        """Unlock, and remove the lock file (safe to call twice)."""
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self._fd)  # closing drops the flock
        self._fd = None
