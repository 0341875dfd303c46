"""Writing a download so that nothing half-written ever sits under the final name."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
from pathlib import Path

import attrs

from ._exceptions import ProtocolError, StorageError, TransportError

__all__ = ["AtomicFile", "Saved", "part_path", "safe_file_name"]

#: Characters kept in a file name made from a provider's id; everything else becomes "_".
_UNSAFE = re.compile(r"[^\w.\-]")
_SUFFIX = re.compile(r"[A-Za-z0-9]{1,16}")
_MAX_NAME = 120
_EDQUOT = getattr(errno, "EDQUOT", errno.ENOSPC)  # not on every platform
#: Names Windows reserves for devices, whatever the extension.
_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10)}
)


def safe_file_name(name: str) -> str:
    """A file name made from untrusted text (``f"{job.id}.mp4"``) that stays in its folder.

    Path separators, ``..``, control characters and anything else outside letters,
    digits, ``.``, ``-`` and ``_`` become ``_``; leading dots are dropped (no hidden
    files, no ``..``); Windows device names are prefixed; names are at most 120
    characters; a plain extension (``.mp4``) is kept. When anything had to change, a short
    hash of the original is added, so two different ids never share a file. A plain name
    (``video_68d7.mp4``) is returned as it is.
    """
    stem, dot, suffix = name.rpartition(".")
    if not (dot and _SUFFIX.fullmatch(suffix)):
        stem, suffix = name, ""
    ending = f".{suffix}" if suffix else ""
    cleaned = _UNSAFE.sub("_", stem).lstrip(".").rstrip(". ")
    if cleaned.lower() in _DEVICES:  # CON.mp4 is a device on Windows
        cleaned = f"_{cleaned}"
    if cleaned and cleaned == stem and len(name) <= _MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    cleaned = cleaned[: _MAX_NAME - len(ending) - len(digest) - 1].rstrip(". ") or "video"
    return f"{cleaned}-{digest}{ending}"


def part_path(target: Path, key: str) -> Path:
    """The temporary file for downloading ``key`` (a job and output) to ``target``.

    The name is the same every time, so an interrupted download (even one whose process
    was killed) is found again and resumed.
    """
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return target.parent / f".{target.name}.{digest}.part"


@attrs.frozen
class Saved:
    """A completed download."""

    path: Path
    size: int
    sha256: str


def storage_error(exc: OSError, path: Path, *, target: Path, saved: int) -> StorageError:
    """An OS error while writing a download, as a `StorageError` that says what to do."""
    if exc.errno in (errno.ENOSPC, _EDQUOT):
        what = "the disk is full" if exc.errno == errno.ENOSPC else "the disk quota is used up"
        fix = (
            f"free some space in {target.parent} (or choose a folder on another disk), then "
            "download again"
        )
    else:
        what = exc.strerror or type(exc).__name__
        fix = f"check that {target.parent} exists and is writable, or choose another path"
    kept = (
        f"; the {saved} bytes received are kept in {path.name} and the next try resumes from them"
        if saved and path != target
        else ""
    )
    return StorageError(
        f"could not write the download to {path}: {what}{kept}. To fix it, {fix}",
        path=str(path),
    )


class AtomicFile:
    """A ``.part`` file beside ``target`` that becomes ``target`` only when complete.

    Bytes go to the part file (same folder, so the final rename is atomic). `commit`
    checks the size, fsyncs and renames; until then the target is untouched. With
    ``append`` the bytes already in the part file are kept (a resumed download) and
    counted into the size and SHA-256.

    ``expected_bytes`` (the whole file's size, when the server announced it) and
    ``max_bytes`` (the most vidgen accepts) are enforced as the bytes arrive: the part
    file is dropped as soon as either is passed. A failing disk raises `StorageError` and
    keeps the part file, so the download resumes once there is room.
    """

    def __init__(
        self,
        target: Path,
        part: Path,
        *,
        append: bool = False,
        expected_bytes: int | None = None,
        max_bytes: int | None = None,
    ) -> None:
        self.target = target
        self.part = part
        self.expected_bytes = expected_bytes
        self.max_bytes = max_bytes
        self._hash = hashlib.sha256()
        self.written = 0
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if append and part.exists():
                with open(part, "rb") as existing:
                    for block in iter(lambda: existing.read(1 << 20), b""):
                        self._hash.update(block)
                        self.written += len(block)
                self._file = open(part, "ab")  # noqa: SIM115 - closed by commit/keep/discard
            else:
                self._file = open(part, "wb")  # noqa: SIM115 - closed by commit/keep/discard
        except OSError as exc:
            raise storage_error(exc, part, target=target, saved=self.written) from exc

    def write(self, chunk: bytes) -> None:
        """Append a chunk.

        Raises:
            TransportError: more bytes than announced (the part file is dropped).
            ProtocolError: more bytes than ``max_bytes`` (the part file is dropped).
            StorageError: the disk refused them (the part file is kept).
        """
        total = self.written + len(chunk)
        if self.max_bytes is not None and total > self.max_bytes:
            self.discard()
            raise ProtocolError(
                f"the download of {self.target.name} is larger than max_download_bytes "
                f"({self.max_bytes} bytes) and was stopped; nothing was written to "
                f"{self.target}. If the video really is that large, raise "
                "Client(max_download_bytes=...)"
            )
        if self.expected_bytes is not None and total > self.expected_bytes:
            self.discard()
            raise self._too_long(total)
        try:
            self._file.write(chunk)
        except OSError as exc:
            self.keep()
            raise storage_error(exc, self.part, target=self.target, saved=self._on_disk()) from exc
        self._hash.update(chunk)
        self.written = total

    def keep(self) -> None:
        """Stop writing but keep the part file, to resume from it later.

        Never raises: it runs while another error is on its way out (a full disk fails
        the final flush too), and the part file on disk is then whatever was written.
        """
        if self._file.closed:
            return
        with contextlib.suppress(OSError):
            self._file.flush()
            os.fsync(self._file.fileno())
        with contextlib.suppress(OSError):
            self._file.close()

    def commit(self, expected_bytes: int | None = None) -> Saved:
        """Make the file visible under its final name.

        Raises:
            TransportError: fewer bytes arrived than the server announced (the part file is
                kept, so the download resumes), or more (the part file is removed).
            StorageError: the disk failed the final flush or rename (the part file is kept).
        """
        expected = expected_bytes if expected_bytes is not None else self.expected_bytes
        if expected is not None and self.written != expected:
            if self.written < expected:
                self.keep()
                raise TransportError(
                    f"download of {self.target.name} was cut short: {self.written} of "
                    f"{expected} bytes arrived; nothing was written to {self.target}",
                    request_sent=True,
                )
            self.discard()
            raise self._too_long(self.written, expected)
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self.part, self.target)
        except OSError as exc:
            self.keep()
            raise storage_error(exc, self.part, target=self.target, saved=self.written) from exc
        _fsync_dir(self.target.parent)
        return Saved(self.target, self.written, self._hash.hexdigest())

    def discard(self) -> None:
        """Drop the part file (safe to call twice)."""
        if not self._file.closed:
            with contextlib.suppress(OSError):  # the file goes anyway
                self._file.close()
        self.part.unlink(missing_ok=True)

    def _too_long(self, written: int, expected: int | None = None) -> TransportError:
        announced = expected if expected is not None else self.expected_bytes
        return TransportError(
            f"download of {self.target.name} sent {written} bytes, more than the "
            f"{announced} announced; discarded",
            request_sent=True,
        )

    def _on_disk(self) -> int:
        try:
            return self.part.stat().st_size
        except OSError:
            return 0


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


def write_file(target: Path, part: Path, data: bytes) -> Saved:
    """Write ``data`` to ``target`` atomically (through ``part``, fsynced, renamed).

    Raises:
        StorageError: the disk refused (nothing is left under ``target``).
    """
    sink = AtomicFile(target, part, expected_bytes=len(data))
    try:
        sink.write(data)
    except BaseException:
        sink.discard()
        raise
    return sink.commit()
